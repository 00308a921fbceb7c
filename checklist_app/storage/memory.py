"""In-memory storage: the reference implementation of the contract, for tests."""

from __future__ import annotations

import copy
import datetime as dt
import threading
import uuid

from .base import CompletionStore, Conflict, SnapshotStore, UserStore


class MemoryCompletionStore(CompletionStore):
    def __init__(self):
        self._records: dict[str, dict] = {}
        self._lock = threading.Lock()

    def save(self, record: dict) -> tuple[dict, bool]:
        with self._lock:
            existing = self._records.get(record["identity"])
            if existing is not None:
                if existing["idempotency_key"] == record["idempotency_key"]:
                    return copy.deepcopy(existing), False
                raise Conflict(copy.deepcopy(existing))
            stored = dict(record)
            stored.setdefault("id", uuid.uuid4().hex[:12])
            self._records[record["identity"]] = copy.deepcopy(stored)
            return copy.deepcopy(stored), True

    def get(self, identity: str, day: dt.date) -> dict | None:
        return copy.deepcopy(self._records.get(identity))

    def find(self, record_id: str) -> dict | None:
        return next((copy.deepcopy(r) for r in self._records.values() if r["id"] == record_id), None)

    def list(self, start: dt.date, end: dt.date) -> list[dict]:
        found = [r for r in self._records.values() if start.isoformat() <= r["day"] <= end.isoformat()]
        return copy.deepcopy(sorted(found, key=lambda r: (r["day"], r["submitted_at"]), reverse=True))


class MemoryUserStore(UserStore):
    def __init__(self):
        self._users: dict[str, dict] = {}

    def get(self, username: str) -> dict | None:
        return copy.deepcopy(self._users.get(username))

    def put(self, user: dict) -> None:
        self._users[user["username"]] = copy.deepcopy(user)

    def all(self) -> list[dict]:
        return [copy.deepcopy(self._users[k]) for k in sorted(self._users)]


class MemorySnapshotStore(SnapshotStore):
    def __init__(self):
        self._snapshots: dict[str, dict] = {}

    def put(self, snapshot_id: str, checklist: dict) -> None:
        self._snapshots.setdefault(snapshot_id, copy.deepcopy(checklist))

    def get(self, snapshot_id: str) -> dict | None:
        return copy.deepcopy(self._snapshots.get(snapshot_id))
