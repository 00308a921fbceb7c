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
    def add(self, user: dict) -> bool:
        """Create the user unless the username exists (atomic); False, and nothing stored, if it does.

        A SQL backend maps this to a UNIQUE username plus ``INSERT … ON CONFLICT DO NOTHING``.
        """

    @abstractmethod
    def update(self, username: str, change: Callable[[dict], dict]) -> dict | None:
        """Replace the user with ``change(copy of the stored user)``, atomically; the new user, or None.

        None (and ``change`` not called) if there is no such user. While ``change`` runs no
        other writer can change any user, so it may read the store (``get``, ``all``) to check
        a rule that spans accounts, but must not write to it; an exception it raises leaves
        everything unchanged. A SQL backend runs it in a transaction that locks the table.
        """

    @abstractmethod
    def all(self) -> list[dict]:
        """Every user, sorted by username."""


_HEX = frozenset("0123456789abcdef")
SNAPSHOT, POINTER = "snapshot", "pointer"


def snapshot_key_kind(key: object) -> str | None:
    """``SNAPSHOT`` for 16 lowercase hex, ``POINTER`` for ``s`` + 24 lowercase hex, else None."""
    if not isinstance(key, str):
        return None
    if len(key) == 16 and _HEX.issuperset(key):
        return SNAPSHOT
    if len(key) == 25 and key[0] == "s" and _HEX.issuperset(key[1:]):
        return POINTER
    return None


def aware_time(value: object) -> dt.datetime | None:
    """An ISO 8601 timestamp with an offset as an aware datetime; None if missing, naive or invalid."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def check_cutoff(cutoff: object) -> dt.datetime:
    """``cutoff`` if it is an aware datetime; ValueError otherwise (a naive one is ambiguous)."""
    if not isinstance(cutoff, dt.datetime) or cutoff.utcoffset() is None:
        raise ValueError(f"sweep needs an aware datetime, not {cutoff!r}")
    return cutoff


class SnapshotStore(ABC):
    """Started checklists, content-addressed: the exact items and versions an inspector was given.

    Two kinds of entry share one key space: snapshots (16 lowercase hex, the
    checklist's ``snapshot_id``; may carry ``created_at``) and started pointers
    (``s`` + 24 lowercase hex: ``{"snapshot_id", "identity", "username",
    "opened_at"}``). Timestamps are ISO 8601 with an offset. Any other key is
    never found by ``get`` and refused with ValueError by ``put``, ``pin`` and
    ``delete``.
    """

    @abstractmethod
    def put(self, key: str, checklist: dict) -> None:
        """Store the entry under ``key`` unless one is already there (write-once, idempotent)."""

    @abstractmethod
    def get(self, key: object) -> dict | None:
        """The entry (pinned or not), or None for an unknown, removed or invalid key."""

    @abstractmethod
    def pin(self, snapshot_id: str) -> bool:
        """Keep this snapshot forever (a completed checklist references it); idempotent.

        Returns whether the snapshot is now pinned (False: no such snapshot).
        """

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove one entry, pinned or not (e.g. a submitted checklist's pointer); idempotent.

        Returns whether something was removed.
        """

    @abstractmethod
    def sweep(self, cutoff: dt.datetime) -> int:
        """Remove what nobody can still need before ``cutoff`` (aware); return how many entries.

        First every pointer opened before ``cutoff`` (``opened_at``, else when it was
        stored), then every snapshot that is not pinned, not referenced by a remaining
        pointer and created before ``cutoff`` (``created_at``, else when it was
        stored). An entry that cannot be parsed is judged by when it was stored and
        references nothing. Safe while other processes read and write.
        """
