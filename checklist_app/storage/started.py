"""Started-checklist pointers: who opened which checklist, on which snapshot, and when.

A pointer's key is ``s`` + 24 lowercase hex (``services.started_key``); its value is
``{"snapshot_id", "identity", "username", "opened_at", …}``. Pointers live in their own store,
apart from the snapshots they name: a snapshot is kept while a pointer references it
(``snapshot_ids``), and a pointer is removed when its checklist is submitted or after the
retention period (``sweep``). The embedded backend keeps one file per pointer in
``DATA_DIR/started/``; a data folder from before keeps them in ``snapshots/``, and they are
moved over when the store opens.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path

from .base import POINTER, aware_time, check_cutoff, snapshot_key_kind
from .locking import exclusive_lock
from .tinydb_store import _judge, _parse, _stamp, atomic_write, fsync_dir


def _checked(key: object) -> str:
    if snapshot_key_kind(key) != POINTER:
        raise ValueError(f"not a started-checklist key: {key!r:.60}")
    return key  # type: ignore[return-value]


class StartedStore(ABC):
    """Started-checklist pointers by key (``s`` + 24 hex); any other key is never found and refused."""

    @abstractmethod
    def put(self, key: str, pointer: dict) -> None:
        """Store ``pointer`` under ``key`` unless one is already there (write-once, idempotent)."""

    @abstractmethod
    def get(self, key: object) -> dict | None:
        """The pointer, or None for an unknown, removed or invalid key."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove the pointer (its checklist was submitted); idempotent. Whether something was removed."""

    @abstractmethod
    def entries(self) -> Iterator[tuple[str, dict]]:
        """Every pointer as ``(key, value)``, in no particular order."""

    @abstractmethod
    def sweep(self, cutoff: dt.datetime) -> int:
        """Remove every pointer opened before ``cutoff`` (aware): ``opened_at``, else when it was stored."""

    def snapshot_ids(self) -> set[str]:
        """The snapshots the pointers name: they are kept by the snapshot store's sweep."""
        return {ref for _, value in self.entries() if isinstance(ref := value.get("snapshot_id"), str)}


class MemoryStartedStore(StartedStore):
    """Pointers in a dict; ``clock`` stands in for a file's mtime (when it was stored)."""

    def __init__(self, clock: Callable[[], dt.datetime] | None = None):
        self._entries: dict[str, tuple[dict, dt.datetime]] = {}
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()

    def put(self, key: str, pointer: dict) -> None:
        _checked(key)
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (copy.deepcopy(pointer), self._clock())

    def get(self, key: object) -> dict | None:
        if snapshot_key_kind(key) != POINTER:
            return None
        entry = self._entries.get(key)  # type: ignore[arg-type]
        return copy.deepcopy(entry[0]) if entry else None

    def delete(self, key: str) -> bool:
        _checked(key)
        with self._lock:
            return self._entries.pop(key, None) is not None

    def entries(self):
        with self._lock:
            found = [(k, copy.deepcopy(v)) for k, (v, _) in self._entries.items()]
        yield from found

    def sweep(self, cutoff: dt.datetime) -> int:
        check_cutoff(cutoff)
        with self._lock:
            expired = [
                k for k, (v, at) in self._entries.items() if (aware_time(v.get("opened_at")) or at) < cutoff
            ]
            for key in expired:
                del self._entries[key]
            return len(expired)


class FileStartedStore(StartedStore):
    """One write-once file per pointer in ``<data_dir>/started/``; every change holds ``started.lock``."""

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "started"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._move_from_snapshots(Path(data_dir) / "snapshots")

    def _move_from_snapshots(self, old: Path) -> int:
        """Move pointers a data folder from before this store keeps in ``snapshots/``; how many.

        Each is one rename; a pointer already here (written again since) wins over the old one.
        """
        try:
            names = [e.name for e in os.scandir(old) if snapshot_key_kind(e.name[:-5]) == POINTER]
        except FileNotFoundError:
            return 0
        moved = 0
        with exclusive_lock(self.dir):
            for name in names:
                try:
                    if (self.dir / name).exists():
                        (old / name).unlink()
                    else:
                        os.replace(old / name, self.dir / name)
                        moved += 1
                except FileNotFoundError:
                    pass  # another worker moved it a moment ago
        if moved:
            fsync_dir(self.dir)
            fsync_dir(old)
        return moved

    def _path(self, key: object) -> Path | None:
        return self.dir / f"{key}.json" if snapshot_key_kind(key) == POINTER else None

    def put(self, key: str, pointer: dict) -> None:
        path = self.dir / f"{_checked(key)}.json"
        if path.exists():
            return
        text = json.dumps(pointer, ensure_ascii=False)
        with exclusive_lock(self.dir):  # a sweep never removes a pointer written while it runs
            if not path.exists():
                atomic_write(path, text)

    def get(self, key: object) -> dict | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return _parse(path.read_bytes())
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> bool:
        path = self.dir / f"{_checked(key)}.json"
        with exclusive_lock(self.dir):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
        return True

    def _names(self) -> list[str]:
        try:
            with os.scandir(self.dir) as entries:
                return sorted(e.name for e in entries if snapshot_key_kind(e.name[:-5]) == POINTER)
        except FileNotFoundError:
            return []

    def entries(self):
        for name in self._names():
            try:
                value = _parse((self.dir / name).read_bytes())
            except FileNotFoundError:
                continue  # removed meanwhile
            if value is not None:
                yield name[:-5], value

    def sweep(self, cutoff: dt.datetime) -> int:
        check_cutoff(cutoff)
        judged = {name: _judge(self.dir / name, "opened_at") for name in self._names()}  # without the lock
        removed = 0
        with exclusive_lock(self.dir):
            for name, seen in judged.items():
                if seen is None or seen.when >= cutoff:
                    continue
                path = self.dir / name
                try:
                    if _stamp(path) == seen.stamp:  # not written again since it was judged
                        path.unlink()
                        removed += 1
                except OSError:
                    pass
        return removed
