"""In-memory storage: the reference implementation of the contract, for tests."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Callable, Iterable

from .base import (
    ANY,
    SNAPSHOT,
    CompletionStore,
    Conflict,
    FactKind,
    RecordFilter,
    SnapshotStore,
    UserStore,
    aware_time,
    check_cutoff,
    fact_kinds,
    new_record_id,
    snapshot_key_kind,
)


class MemoryCompletionStore(CompletionStore):
    def __init__(self, kinds: Iterable[FactKind] = ()):
        self.fact_kinds = fact_kinds(kinds)
        self._records: dict[str, dict] = {}
        self._facts: dict[str, dict[str, dict]] = {}  # identity -> kind -> facts, written at save
        self._lock = threading.Lock()

    def save(self, record: dict) -> tuple[dict, bool]:
        with self._lock:
            existing = self._records.get(record["identity"])
            if existing is not None:
                if existing["idempotency_key"] == record["idempotency_key"]:
                    return copy.deepcopy(existing), False
                raise Conflict(copy.deepcopy(existing))
            stored = dict(record)
            stored.setdefault("id", new_record_id(dt.date.fromisoformat(record["day"])))
            facts = {k.name: k.digest(stored) for k in self.fact_kinds.values()}
            self._records[record["identity"]] = copy.deepcopy(stored)
            self._facts[record["identity"]] = copy.deepcopy(facts)
            return copy.deepcopy(stored), True

    def get(self, identity: str) -> dict | None:
        return copy.deepcopy(self._records.get(identity))

    def find(self, record_id: str) -> dict | None:
        return next((copy.deepcopy(r) for r in self._records.values() if r["id"] == record_id), None)

    def _select(self, start: dt.date, end: dt.date, where: RecordFilter) -> list[dict]:
        first, last = start.isoformat(), end.isoformat()
        found = [r for r in self._records.values() if first <= r["day"] <= last and where.matches(r)]
        return sorted(found, key=lambda r: (r["day"], r["submitted_at"]))

    def list(self, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        found = sorted(
            self._select(start, end, where), key=lambda r: (r["day"], r["submitted_at"]), reverse=True
        )
        return copy.deepcopy(found)  # a stable sort: ties stay in the order they were saved

    def facts(self, kind: str, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        self._kind(kind)
        return [copy.deepcopy(self._facts[r["identity"]][kind]) for r in self._select(start, end, where)]


class MemoryUserStore(UserStore):
    def __init__(self):
        self._users: dict[str, dict] = {}
        self._lock = threading.RLock()  # re-entrant: an update's change may read the store

    def get(self, username: str) -> dict | None:
        return copy.deepcopy(self._users.get(username))

    def put(self, user: dict) -> None:
        with self._lock:
            self._users[user["username"]] = copy.deepcopy(user)

    def add(self, user: dict) -> bool:
        with self._lock:
            if user["username"] in self._users:
                return False
            self._users[user["username"]] = copy.deepcopy(user)
            return True

    def update(self, username: str, change: Callable[[dict], dict]) -> dict | None:
        with self._lock:
            current = self._users.get(username)
            if current is None:
                return None
            new = change(copy.deepcopy(current))
            if new.get("username") != username:
                raise ValueError(f"update may not rename user {username!r}")
            self._users[username] = copy.deepcopy(new)
            return copy.deepcopy(new)

    def all(self) -> list[dict]:
        return [copy.deepcopy(self._users[k]) for k in sorted(self._users)]


class MemorySnapshotStore(SnapshotStore):
    """Snapshots in a dict; ``clock`` stands in for a file's mtime (when it was stored)."""

    def __init__(self, clock: Callable[[], dt.datetime] | None = None):
        self._entries: dict[str, tuple[dict, dt.datetime]] = {}
        self._pinned: set[str] = set()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()

    def put(self, key: str, checklist: dict) -> None:
        _checked(key)
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (copy.deepcopy(checklist), self._clock())

    def get(self, key: object) -> dict | None:
        if snapshot_key_kind(key) != SNAPSHOT:
            return None
        entry = self._entries.get(key)
        return copy.deepcopy(entry[0]) if entry else None

    def pin(self, snapshot_id: str) -> bool:
        _checked(snapshot_id)
        with self._lock:
            if snapshot_id not in self._entries:
                return False
            self._pinned.add(snapshot_id)
            return True

    def delete(self, key: str) -> bool:
        _checked(key)
        with self._lock:
            self._pinned.discard(key)
            return self._entries.pop(key, None) is not None

    def entries(self):
        with self._lock:
            found = [(k, copy.deepcopy(v), k in self._pinned) for k, (v, _) in self._entries.items()]
        yield from found

    def sweep(self, cutoff: dt.datetime, in_use: Callable[[], Iterable[str]] = tuple) -> int:
        check_cutoff(cutoff)
        with self._lock:
            referenced = set(in_use())
            old = [
                k
                for k, entry in self._entries.items()
                if k not in self._pinned and k not in referenced and _when(entry, "created_at") < cutoff
            ]
            for key in old:
                del self._entries[key]
            return len(old)


def _checked(key: object) -> str:
    if snapshot_key_kind(key) != SNAPSHOT:
        raise ValueError(f"not a snapshot key: {key!r:.60}")
    return key


def _when(entry: tuple[dict, dt.datetime], field: str) -> dt.datetime:
    value, stored_at = entry
    return (aware_time(value.get(field)) if isinstance(value, dict) else None) or stored_at
