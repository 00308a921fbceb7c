"""TinyDB storage made safe for a multi-process web app.

TinyDB itself rewrites its whole JSON file in place and supports neither threads
nor processes. Here every write goes to a temporary file that is fsynced and
renamed over the old one (a kill mid-write leaves the old file intact), every
read-modify-write holds a cross-process file lock, and completed checklists are
sharded by day so one submission rewrites one day's file, not everything.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from .base import CompletionStore, Conflict, Digest, SnapshotStore, UserStore
from .locking import exclusive_lock

TMP_PREFIX = ".tmp-"


def fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the directory entry (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str, durable: bool = True) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never a torn one.

    ``durable=False`` skips the fsyncs, for caches that can be rebuilt after a crash.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX + path.name + ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def remove_stale_temp_files(directory: Path, older_than: float = 600) -> int:
    """Delete temporary files a killed writer left behind; return how many.

    Only old ones: another worker process may be writing a fresh one right now.
    """
    count = 0
    limit = time.time() - older_than
    for tmp in directory.rglob(TMP_PREFIX + "*"):
        try:
            if tmp.stat().st_mtime < limit:
                tmp.unlink()
                count += 1
        except FileNotFoundError:
            pass
    return count


class AtomicJSONStorage(Storage):
    """A TinyDB storage that replaces the file atomically on every write."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def read(self) -> dict | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return json.loads(text) if text.strip() else None

    def write(self, data: dict) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def close(self) -> None:
        pass


class _OneReadStorage(AtomicJSONStorage):
    """Parses the file once per operation: TinyDB reads again before each write (get, then insert)."""

    def __init__(self, path):
        super().__init__(path)
        self._data = None

    def read(self) -> dict | None:
        if self._data is None:
            self._data = super().read()
        return self._data

    def write(self, data: dict) -> None:
        super().write(data)
        self._data = data


class _StrTable(Table):
    # Our ids are meaningful strings (checklist identity, username), not counters:
    # this also avoids TinyDB's per-process _next_id cache handing out duplicate ids.
    document_id_class = str


class _DB(TinyDB):
    table_class = _StrTable


def _open(path: Path) -> TinyDB:
    # Only ever opened while holding the file's lock, for one operation.
    return _DB(path, storage=_OneReadStorage)


def shard_of(day: dt.date) -> str:
    """The shard a day's checklists live in: one file per day (about 150 checklists)."""
    return day.isoformat()


_SHARD_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _stamp(path: Path) -> tuple | None:
    """What identifies one version of a shard file; None if it does not exist.

    Shards only grow (records are never removed) and every write replaces the file
    with a new inode, so (mtime, size, inode) changes on every write.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class _LRU:
    """A small thread-safe least-recently-used map: bounded memory for a year of shards."""

    def __init__(self, size: int):
        self._size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


def _read_records(path: Path) -> list[dict]:
    data = AtomicJSONStorage(path).read() or {}
    return list(data.get("completions", {}).values())


class _ShardCache:
    """Parsed shard files, re-read only when the file changed; the most recent ones only."""

    def __init__(self, size: int = 32):
        self._cache = _LRU(size)

    def records(self, path: Path) -> list[dict]:
        stamp = _stamp(path)
        if stamp is None:
            return []
        cached = self._cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        records = _read_records(path)
        self._cache.put(path, (stamp, records))
        return records


class _DigestCache:
    """Per-day digests of a shard, in memory and on disk, valid while the shard is unchanged.

    The disk copy lets a freshly started worker render a year of reports without
    parsing a year of full records; it is derived data, rebuilt whenever it is
    missing, stale, unreadable or written by another digest version.
    """

    def __init__(self, directory: Path, size: int = 400):
        self.dir = directory
        self._memory = _LRU(size)

    def digests(self, path: Path, digest: Digest, version: str) -> list[dict]:
        stamp = _stamp(path)
        if stamp is None:
            return []
        key = (version, path.name)
        cached = self._memory.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        disk = self.dir / version / path.name
        try:
            saved = json.loads(disk.read_text(encoding="utf-8"))
            if tuple(saved["stamp"]) == stamp:
                self._memory.put(key, (stamp, saved["digests"]))
                return saved["digests"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        records = sorted(_read_records(path), key=lambda r: r["submitted_at"])
        digests = [digest(r) for r in records]
        try:
            disk.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"stamp": list(stamp), "digests": digests}, ensure_ascii=False)
            atomic_write(disk, text, durable=False)
        except OSError:
            pass  # a cache that cannot be written is only slower
        self._memory.put(key, (stamp, digests))
        return digests


class TinyDBCompletionStore(CompletionStore):
    """Completed checklists in ``<data_dir>/completions/<YYYY-MM-DD>.json``."""

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "completions"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._cache = _ShardCache()
        self._digests = _DigestCache(Path(data_dir) / "digests")

    def _path(self, shard: str) -> Path:
        return self.dir / f"{shard}.json"

    def save(self, record: dict) -> tuple[dict, bool]:
        day = dt.date.fromisoformat(record["day"])
        path = self._path(shard_of(day))
        with exclusive_lock(path):
            db = _open(path)
            try:
                table = db.table("completions")
                existing = table.get(doc_id=record["identity"])
                if existing is not None:
                    if existing["idempotency_key"] == record["idempotency_key"]:
                        return dict(existing), False
                    raise Conflict(dict(existing))
                stored = dict(record)
                stored.setdefault("id", f"{shard_of(day)}.{uuid.uuid4().hex[:12]}")
                table.insert(Document(stored, doc_id=record["identity"]))
                return stored, True
            finally:
                db.close()

    def get(self, identity: str, day: dt.date) -> dict | None:
        for record in self._cache.records(self._path(shard_of(day))):
            if record["identity"] == identity:
                return dict(record)
        return None

    def find(self, record_id: str) -> dict | None:
        shard = record_id.split(".", 1)[0]
        if not _SHARD_RE.match(shard):
            return None
        return next(
            (dict(r) for r in self._cache.records(self._path(shard)) if r.get("id") == record_id), None
        )

    def list(self, start: dt.date, end: dt.date) -> list[dict]:
        found = []
        day = start
        while day <= end:
            found += self._cache.records(self._path(shard_of(day)))
            day += dt.timedelta(days=1)
        return sorted(found, key=lambda r: (r["day"], r["submitted_at"]), reverse=True)

    def digests(self, start: dt.date, end: dt.date, digest: Digest, version: str) -> list[dict]:
        found = []
        day = start
        while day <= end:
            found += self._digests.digests(self._path(shard_of(day)), digest, version)
            day += dt.timedelta(days=1)
        return found


class TinyDBUserStore(UserStore):
    """Accounts in ``<data_dir>/users.json``."""

    def __init__(self, data_dir: str | os.PathLike):
        self.path = Path(data_dir) / "users.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def get(self, username: str) -> dict | None:
        data = AtomicJSONStorage(self.path).read() or {}
        user = data.get("users", {}).get(username)
        return dict(user) if user else None

    def put(self, user: dict) -> None:
        with exclusive_lock(self.path):
            db = _open(self.path)
            try:
                table = db.table("users")
                table.upsert(Document(user, doc_id=user["username"]))
            finally:
                db.close()

    def all(self) -> list[dict]:
        data = AtomicJSONStorage(self.path).read() or {}
        return [dict(u) for _, u in sorted(data.get("users", {}).items())]


class FileSnapshotStore(SnapshotStore):
    """Started checklists as write-once files ``<data_dir>/snapshots/<id>.json``."""

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "snapshots"
        self.dir.mkdir(parents=True, exist_ok=True)

    def _path(self, snapshot_id: str) -> Path | None:
        if not snapshot_id.isalnum():
            return None
        return self.dir / f"{snapshot_id}.json"

    def put(self, snapshot_id: str, checklist: dict) -> None:
        path = self._path(snapshot_id)
        if path is not None and not path.exists():
            atomic_write(path, json.dumps(checklist, ensure_ascii=False))

    def get(self, snapshot_id: str) -> dict | None:
        path = self._path(snapshot_id)
        if path is None or not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))
