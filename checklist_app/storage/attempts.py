"""Failed sign-in attempts, counted per key ("account:…", "address:…") for throttling.

Every gunicorn worker must see every other worker's failures, or an attacker
gets ``workers × limit`` guesses: the file backend keeps all counters in one
JSON file in the data dir, changed only under the cross-process lock and
replaced atomically. The state is not precious (a power cut only forgets recent
failures), so writes skip the fsync.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from .locking import exclusive_lock
from .tinydb_store import atomic_write


class AttemptStore(ABC):
    """Failure counters with a lock-out, one per key; every method is atomic.

    A failure older than ``window`` is forgotten. The ``limit``-th failure within
    ``window`` locks the key for ``lockout`` and starts its count afresh. A SQL
    backend maps this to one row per key updated in a transaction.
    """

    @abstractmethod
    def fail(
        self, key: str, now: dt.datetime, limit: int, window: dt.timedelta, lockout: dt.timedelta
    ) -> dt.datetime | None:
        """Count one failure for ``key`` at ``now``; return when its lock ends if it is now locked."""

    @abstractmethod
    def locked_until(self, key: str, now: dt.datetime) -> dt.datetime | None:
        """When the lock on ``key`` ends, or None if ``key`` is not locked at ``now``."""

    @abstractmethod
    def failures(self, key: str, now: dt.datetime, window: dt.timedelta) -> int:
        """How many failures of ``key`` within ``window`` before ``now`` still count."""

    @abstractmethod
    def clear(self, key: str) -> None:
        """Forget the failures and any lock of ``key`` (a successful sign-in)."""


# Both backends keep, per key, {"failures": [epoch seconds, …], "locked_until": epoch seconds | None}.


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def _moment(seconds: float, like: dt.datetime) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(like.tzinfo)


def _fail(
    table: dict, key: str, now: dt.datetime, limit: int, window: dt.timedelta, lockout: dt.timedelta
) -> dt.datetime | None:
    """Apply one failure to ``table`` in place (the caller holds the lock)."""
    at = _epoch(now)
    entry = table.get(key) or {"failures": [], "locked_until": None}
    locked = entry.get("locked_until")
    if locked is not None and locked > at:
        return _moment(locked, now)  # already locked: a refused attempt does not extend the lock
    recent = [t for t in entry.get("failures", []) if t > at - window.total_seconds()]
    recent.append(at)
    if len(recent) >= limit:
        until = at + lockout.total_seconds()
        table[key] = {"failures": [], "locked_until": until}
        return _moment(until, now)
    table[key] = {"failures": recent, "locked_until": None}
    return None


def _locked_until(table: dict, key: str, now: dt.datetime) -> dt.datetime | None:
    locked = (table.get(key) or {}).get("locked_until")
    if locked is not None and locked > _epoch(now):
        return _moment(locked, now)
    return None


def _failures(table: dict, key: str, now: dt.datetime, window: dt.timedelta) -> int:
    since = _epoch(now) - window.total_seconds()
    return sum(1 for t in (table.get(key) or {}).get("failures", []) if t > since)


def _prune(table: dict, now: dt.datetime, window: dt.timedelta) -> None:
    """Drop keys with no lock and no failure within ``window``: the table stays as small as the attack."""
    at = _epoch(now)
    for key in list(table):
        entry = table[key]
        if (entry.get("locked_until") or 0) > at:
            continue
        if any(t > at - window.total_seconds() for t in entry.get("failures", [])):
            continue
        del table[key]


class MemoryAttemptStore(AttemptStore):
    """Counters in this process only: for tests and single-process use."""

    def __init__(self):
        self._table: dict[str, dict] = {}
        self._lock = threading.Lock()

    def fail(self, key, now, limit, window, lockout):
        with self._lock:
            _prune(self._table, now, window)
            return _fail(self._table, key, now, limit, window, lockout)

    def locked_until(self, key, now):
        with self._lock:
            return _locked_until(self._table, key, now)

    def failures(self, key, now, window):
        with self._lock:
            return _failures(self._table, key, now, window)

    def clear(self, key):
        with self._lock:
            self._table.pop(key, None)


class FileAttemptStore(AttemptStore):
    """Counters in ``<data_dir>/login_attempts.json``, shared by every process using that data dir."""

    def __init__(self, data_dir: str | os.PathLike):
        self.path = Path(data_dir) / "login_attempts.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:
            return {}  # a torn file can only come from a crash without fsync: start counting afresh
        return data if isinstance(data, dict) else {}

    def _write(self, table: dict) -> None:
        atomic_write(self.path, json.dumps(table, ensure_ascii=False, separators=(",", ":")), durable=False)

    def fail(self, key, now, limit, window, lockout):
        with exclusive_lock(self.path):
            table = self._read()
            _prune(table, now, window)
            until = _fail(table, key, now, limit, window, lockout)
            self._write(table)
            return until

    def locked_until(self, key, now):
        # Files are replaced atomically, so a read without the lock sees a complete version.
        return _locked_until(self._read(), key, now)

    def failures(self, key, now, window):
        return _failures(self._read(), key, now, window)

    def clear(self, key):
        if key not in self._read():
            return  # the common case (a sign-in without earlier failures) writes nothing
        with exclusive_lock(self.path):
            table = self._read()
            if table.pop(key, None) is not None:
                self._write(table)
