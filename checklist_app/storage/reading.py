"""Reading acknowledgements: who confirmed having read which policy, at which version, when.

An acknowledgement is appended, never changed: the latest one of a person and policy counts. It
records the clauses the person was asked to read with their hashes, so a later release asks again
only when one of *those* clauses changed (see :mod:`checklist_app.reading`). Tapping twice stores
one acknowledgement (same person, policy and clause hashes). The file backend keeps them in
``reading.json`` in the data folder, written under the cross-process lock and replaced atomically.
"""

from __future__ import annotations

import copy
import json
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from .locking import exclusive_lock
from .tinydb_store import atomic_write

FILENAME = "reading.json"


def _same(a: dict, b: dict) -> bool:
    return (a["username"], a["policy_id"], a["clauses"]) == (b["username"], b["policy_id"], b["clauses"])


class ReadingStore(ABC):
    """Append-only acknowledgements; ``add`` is atomic and idempotent."""

    @abstractmethod
    def add(self, ack: dict) -> tuple[dict, bool]:
        """Store ``ack`` (username, policy_id, version, clauses {id: hash}, at, release);
        return (stored, created). The same person, policy and clauses again: the first one, False."""

    @abstractmethod
    def all(self) -> list[dict]:
        """Every acknowledgement, oldest first."""

    def latest(self) -> dict[tuple[str, str], dict]:
        """(username, policy id) → the latest acknowledgement."""
        found: dict[tuple[str, str], dict] = {}
        for ack in self.all():
            found[(ack["username"], ack["policy_id"])] = ack
        return found


class MemoryReadingStore(ReadingStore):
    def __init__(self):
        self._acks: list[dict] = []
        self._lock = threading.Lock()

    def add(self, ack: dict) -> tuple[dict, bool]:
        with self._lock:
            for old in self._acks:
                if _same(old, ack):
                    return copy.deepcopy(old), False
            self._acks.append(copy.deepcopy(ack))
            return copy.deepcopy(ack), True

    def all(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._acks)


class FileReadingStore(ReadingStore):
    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / FILENAME
        self._cache: tuple[tuple, list[dict]] | None = None

    def _read(self) -> list[dict]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != stamp:
            self._cache = (stamp, json.loads(self.path.read_text(encoding="utf-8")))
        return self._cache[1]

    def add(self, ack: dict) -> tuple[dict, bool]:
        with exclusive_lock(self.path):
            acks = list(self._read())
            for old in acks:
                if _same(old, ack):
                    return copy.deepcopy(old), False
            acks.append(copy.deepcopy(ack))
            atomic_write(self.path, json.dumps(acks, ensure_ascii=False))
            return copy.deepcopy(ack), True

    def all(self) -> list[dict]:
        return copy.deepcopy(self._read())
