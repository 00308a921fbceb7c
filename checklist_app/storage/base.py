"""The storage interface the app talks to; views and services never import a database."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable

Digest = Callable[[dict], dict]


class Conflict(Exception):
    """This checklist was already completed by another submission; ``existing`` is the stored record."""

    def __init__(self, existing: dict):
        self.existing = existing
        super().__init__(existing.get("identity"))


class CompletionStore(ABC):
    """Completed checklists, stored exactly once per checklist identity.

    ``save`` is atomic check-and-insert: the same idempotency key returns the
    stored record with ``created=False``; a different key for an identity that is
    already stored raises Conflict. A SQL backend maps this to a UNIQUE identity
    plus ``INSERT … ON CONFLICT DO NOTHING``.
    """

    @abstractmethod
    def save(self, record: dict) -> tuple[dict, bool]:
        """Store ``record`` (needs ``identity``, ``idempotency_key``, ``day``); return (stored, created)."""

    @abstractmethod
    def get(self, identity: str, day: dt.date) -> dict | None:
        """The completed checklist with this identity (``day`` locates it), or None."""

    @abstractmethod
    def find(self, record_id: str) -> dict | None:
        """The completed checklist with this id, or None."""

    @abstractmethod
    def list(self, start: dt.date, end: dt.date) -> list[dict]:
        """Completed checklists whose day is in [start, end], newest first."""

    def digests(self, start: dt.date, end: dt.date, digest: Digest, version: str) -> list[dict]:
        """``digest(record)`` for every completed checklist whose day is in [start, end], oldest first.

        Reports read a year of checklists through this: a backend may cache the
        (small) digests per day under ``version``, which names the digest function
        and must change whenever its output does. A SQL backend would keep them in
        a table filled on insert.
        """
        return [digest(r) for r in reversed(self.list(start, end))]


class UserStore(ABC):
    """Accounts: username, password hash, permission, handbook role."""

    @abstractmethod
    def get(self, username: str) -> dict | None:
        """The user, or None."""

    @abstractmethod
    def put(self, user: dict) -> None:
        """Create or replace the user with ``user["username"]``."""

    @abstractmethod
    def all(self) -> list[dict]:
        """Every user, sorted by username."""


class SnapshotStore(ABC):
    """Started checklists, content-addressed: the exact items and versions an inspector was given."""

    @abstractmethod
    def put(self, snapshot_id: str, checklist: dict) -> None:
        """Store the checklist under its id (idempotent)."""

    @abstractmethod
    def get(self, snapshot_id: str) -> dict | None:
        """The checklist, or None."""
