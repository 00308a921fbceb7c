"""TinyDB storage made safe for a multi-process web app.

TinyDB itself rewrites its whole JSON file in place and supports neither threads
nor processes. Here every write goes to a temporary file that is fsynced and
renamed over the old one (a kill mid-write leaves the old file intact), every
read-modify-write holds a cross-process file lock, and completed checklists are
sharded by day so one submission rewrites one day's file, not everything. Listing
a date range reads only the day files that exist (one directory scan), so its
cost follows the data, not the number of days in the range.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

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
    identity_day,
    new_record_id,
    record_id_day,
    snapshot_key_kind,
)
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


def filesystem_now(directory: Path) -> float:
    """The current time as the file system in ``directory`` stamps it."""
    fd, probe = tempfile.mkstemp(dir=directory, prefix=".clock-probe.")
    try:
        return os.fstat(fd).st_mtime
    finally:
        os.close(fd)
        Path(probe).unlink(missing_ok=True)


def remove_stale_temp_files(directory: Path, older_than: float = 600) -> int:
    """Delete temporary files a killed writer left behind; return how many.

    Only old ones: another worker process may be writing a fresh one right now. "Old" is
    measured on the file system's clock (the mtime of a file touched now), not the process's:
    the two differ on a network share, or when a process's clock is shifted.
    """
    count = 0
    limit = filesystem_now(directory) - older_than
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


_SHARD_FILE_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.json")
# A directory's mtime may not change for writes within one timestamp tick (coarse clocks,
# FAT's 2 s): a listing is only reused once the directory has been unchanged for longer.
_RACY_NS = 3 * 10**9


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


class _ShardIndex:
    """The sorted shard names in a folder: one ``scandir``, reused while the folder is unchanged.

    Every save creates a temporary file and renames it in this folder, so the
    folder's mtime changes whenever a shard appears. A listing is reused only if
    the folder's mtime was already older than ``_RACY_NS`` when it was read: a file
    added after that always gives the folder a newer mtime.
    """

    def __init__(self, directory: Path):
        self.dir = directory
        self._cached: tuple[tuple, list[str]] | None = None

    def shards(self, start: dt.date, end: dt.date) -> list[str]:
        """The shards that exist for days in [start, end], oldest first."""
        names = self._names()
        lo, hi = bisect.bisect_left(names, start.isoformat()), bisect.bisect_right(names, end.isoformat())
        return names[lo:hi]

    def _names(self) -> list[str]:
        try:
            st = os.stat(self.dir)
        except FileNotFoundError:
            return []
        stamp = (st.st_mtime_ns, st.st_ino, st.st_dev)
        cached = self._cached
        if cached is not None and cached[0] == stamp:
            return cached[1]
        names = []
        with os.scandir(self.dir) as entries:
            for entry in entries:
                match = _SHARD_FILE_RE.fullmatch(entry.name)
                if match and _is_day(match[1]):
                    names.append(match[1])
        names.sort()  # ISO dates (years 0001-9999, zero-padded) sort as strings
        if time.time_ns() - st.st_mtime_ns > _RACY_NS:
            self._cached = (stamp, names)
        return names


def _is_day(name: str) -> bool:
    try:
        dt.date.fromisoformat(name)
    except ValueError:
        return False
    return True


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


def _fact_entry(kind: FactKind, record: dict) -> dict:
    """What the facts file holds per record: its facts plus what a RecordFilter and the order need."""
    target = record.get("target") or {}
    return {
        "s": record["submitted_at"],
        "t": [target.get("kind"), target.get("name")],
        "i": record.get("inspector"),
        "f": kind.digest(record),
    }


def _entry_matches(entry: dict, where: RecordFilter) -> bool:
    if where.target is not None and tuple(entry["t"]) != tuple(where.target):
        return False
    return where.inspector is None or entry["i"] == where.inspector


class _FactCache:
    """Per-day facts of a shard, in memory and on disk, valid while the shard is unchanged.

    ``save`` adds the new record's facts to its day's file in the same locked
    operation, so a freshly started worker renders a year of reports without
    parsing a year of full records. The files are derived data: rebuilt whenever
    one is missing, stale, unreadable or of another fact version.
    """

    def __init__(self, directory: Path, size: int = 400):
        self.dir = directory
        self._memory = _LRU(size)

    def _disk(self, kind: FactKind, path: Path) -> Path:
        return self.dir / kind.version / path.name

    def entries(self, path: Path, kind: FactKind) -> list[dict]:
        stamp = _stamp(path)
        if stamp is None:
            return []
        key = (kind.version, path.name)
        cached = self._memory.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        saved = self._read(kind, path)
        if saved is not None and saved[0] == stamp:
            self._memory.put(key, saved)
            return saved[1]
        records = sorted(_read_records(path), key=lambda r: r["submitted_at"])
        entries = [_fact_entry(kind, r) for r in records]
        self._write(kind, path, stamp, entries)
        return entries

    def added(self, path: Path, kind: FactKind, before: tuple | None, record: dict) -> None:
        """``record`` was just added to ``path`` (whose stamp was ``before``): extend its facts file.

        The caller holds the shard's lock. A facts file of another version of the
        shard is left alone; it is rebuilt when read.
        """
        stamp = _stamp(path)
        if stamp is None:
            return
        if before is None:
            entries = []
        else:
            saved = self._memory.get((kind.version, path.name)) or self._read(kind, path)
            if saved is None or saved[0] != before:
                return
            entries = list(saved[1])
        entry = _fact_entry(kind, record)
        at = bisect.bisect_right([e["s"] for e in entries], entry["s"])
        entries.insert(at, entry)
        self._write(kind, path, stamp, entries)

    def _read(self, kind: FactKind, path: Path) -> tuple[tuple, list[dict]] | None:
        try:
            saved = json.loads(self._disk(kind, path).read_text(encoding="utf-8"))
            return tuple(saved["stamp"]), list(saved["facts"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, kind: FactKind, path: Path, stamp: tuple, entries: list[dict]) -> None:
        disk = self._disk(kind, path)
        try:
            disk.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"stamp": list(stamp), "facts": entries}, ensure_ascii=False)
            atomic_write(disk, text, durable=False)
        except OSError:
            pass  # a cache that cannot be written is only slower
        self._memory.put((kind.version, path.name), (stamp, entries))


class TinyDBCompletionStore(CompletionStore):
    """Completed checklists in ``<data_dir>/completions/<YYYY-MM-DD>.json``; facts in ``facts/``."""

    def __init__(self, data_dir: str | os.PathLike, kinds: Iterable[FactKind] = ()):
        self.fact_kinds = fact_kinds(kinds)
        self.dir = Path(data_dir) / "completions"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._cache = _ShardCache()
        self._facts = _FactCache(Path(data_dir) / "facts")
        self._index = _ShardIndex(self.dir)

    def _path(self, shard: str) -> Path:
        return self.dir / f"{shard}.json"

    def save(self, record: dict) -> tuple[dict, bool]:
        day = dt.date.fromisoformat(record["day"])
        path = self._path(shard_of(day))
        with exclusive_lock(path):
            before = _stamp(path)
            db = _open(path)
            try:
                table = db.table("completions")
                existing = table.get(doc_id=record["identity"])
                if existing is not None:
                    if existing["idempotency_key"] == record["idempotency_key"]:
                        return dict(existing), False
                    raise Conflict(dict(existing))
                stored = dict(record)
                stored.setdefault("id", new_record_id(day))
                table.insert(Document(stored, doc_id=record["identity"]))
            finally:
                db.close()
            for kind in self.fact_kinds.values():
                self._facts.added(path, kind, before, stored)
            return stored, True

    def save_many(self, records) -> int:
        """One locked read and one write per day shard for the whole batch (a copy into TinyDB)."""
        by_shard: dict[str, list[dict]] = {}
        for record in records:
            by_shard.setdefault(shard_of(dt.date.fromisoformat(record["day"])), []).append(record)
        created = 0
        for shard, batch in by_shard.items():
            path = self._path(shard)
            with exclusive_lock(path):
                db = _open(path)
                try:
                    table = db.table("completions")
                    new = []
                    for record in batch:
                        existing = table.get(doc_id=record["identity"])
                        if existing is None:
                            existing = next((n for n in new if n["identity"] == record["identity"]), None)
                        if existing is not None:
                            if existing["idempotency_key"] != record["idempotency_key"]:
                                raise Conflict(dict(existing))
                            continue
                        stored = dict(record)
                        stored.setdefault("id", new_record_id(dt.date.fromisoformat(shard)))
                        new.append(stored)
                    if new:
                        table.insert_multiple(Document(r, doc_id=r["identity"]) for r in new)
                finally:
                    db.close()
            created += len(new)  # facts files of these days are rebuilt when first read
        return created

    def get(self, identity: str) -> dict | None:
        day = identity_day(identity)
        if day is None:
            return None
        for record in self._cache.records(self._path(shard_of(day))):
            if record["identity"] == identity:
                return dict(record)
        return None

    def find(self, record_id: str) -> dict | None:
        day = record_id_day(record_id)
        if day is None:
            return None
        return next(
            (dict(r) for r in self._cache.records(self._path(shard_of(day))) if r.get("id") == record_id),
            None,
        )

    # Both read only the shards that exist in the range (never one stat per day of the range).

    def list(self, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        found = []
        for shard in self._index.shards(start, end):
            found += (r for r in self._cache.records(self._path(shard)) if where.matches(r))
        return sorted(found, key=lambda r: (r["day"], r["submitted_at"]), reverse=True)

    def span(self) -> tuple[dt.date, dt.date] | None:
        names = self._index.shards(dt.date.min, dt.date.max)
        return (dt.date.fromisoformat(names[0]), dt.date.fromisoformat(names[-1])) if names else None

    def facts(self, kind: str, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        fact_kind = self._kind(kind)
        found = []
        for shard in self._index.shards(start, end):
            entries = self._facts.entries(self._path(shard), fact_kind)
            found += (e["f"] for e in entries if where is ANY or _entry_matches(e, where))
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

    def add(self, user: dict) -> bool:
        with exclusive_lock(self.path):
            db = _open(self.path)
            try:
                table = db.table("users")
                if table.contains(doc_id=user["username"]):
                    return False
                table.insert(Document(user, doc_id=user["username"]))
                return True
            finally:
                db.close()

    def update(self, username: str, change: Callable[[dict], dict]) -> dict | None:
        with exclusive_lock(self.path):  # get and all read the file without taking the lock
            current = self.get(username)
            if current is None:
                return None
            new = change(current)
            if new.get("username") != username:
                raise ValueError(f"update may not rename user {username!r}")
            db = _open(self.path)
            try:
                db.table("users").upsert(Document(new, doc_id=username))
            finally:
                db.close()
            return dict(new)

    def all(self) -> list[dict]:
        data = AtomicJSONStorage(self.path).read() or {}
        return [dict(u) for _, u in sorted(data.get("users", {}).items())]


class FileSnapshotStore(SnapshotStore):
    """Snapshots as write-once files ``<data_dir>/snapshots/<16 hex>.json``.

    Pinning moves a snapshot into ``kept/`` with one atomic rename; ``get`` looks in the
    folder first and then in ``kept/`` (files only ever move that way), and ``sweep``
    never looks into ``kept/``. Every change holds the folder's lock (``snapshots.lock``);
    ``get`` takes none. ``sweep`` reads the folder without the lock, then, under it, asks
    what is in use and removes only files that are still exactly the version it judged.
    (Started pointers, once kept here as ``s<24 hex>.json``, are the started store's.)
    """

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "snapshots"
        self.kept = self.dir / "kept"
        self.kept.mkdir(parents=True, exist_ok=True)

    def _paths(self, key: object) -> list[Path]:
        """Where the snapshot may be, in the order to look; [] for an invalid key."""
        if snapshot_key_kind(key) != SNAPSHOT:
            return []
        name = f"{key}.json"
        return [self.dir / name, self.kept / name]

    def _checked(self, key: object) -> list[Path]:
        paths = self._paths(key)
        if not paths:
            raise ValueError(f"not a snapshot key: {key!r:.60}")
        return paths

    def put(self, key: str, checklist: dict) -> None:
        paths = self._checked(key)
        text = json.dumps(checklist, ensure_ascii=False)
        # Always under the lock: a snapshot a sweep is about to remove is written again after it.
        with exclusive_lock(self.dir):
            if not any(p.exists() for p in paths):
                atomic_write(paths[0], text)

    def get(self, key: object) -> dict | None:
        for path in self._paths(key):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # not here (maybe pinned into kept/ a moment ago)
            return _parse(data)
        return None

    def pin(self, snapshot_id: str) -> bool:
        loose, kept = self._checked(snapshot_id)
        if kept.exists():
            return True
        with exclusive_lock(self.dir):
            if kept.exists():
                return True
            self.kept.mkdir(exist_ok=True)
            try:
                os.replace(loose, kept)
            except FileNotFoundError:
                return False
        fsync_dir(self.kept)
        fsync_dir(self.dir)
        return True

    def delete(self, key: str) -> bool:
        removed = False
        with exclusive_lock(self.dir):
            for path in self._checked(key):
                try:
                    path.unlink()
                    removed = True
                except FileNotFoundError:
                    pass
        return removed

    def entries(self):
        for folder, pinned in ((self.dir, False), (self.kept, True)):
            try:
                names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".json"))
            except FileNotFoundError:
                continue
            for name in names:
                key = name[:-5]
                if snapshot_key_kind(key) != SNAPSHOT:
                    continue
                try:
                    value = _parse((folder / name).read_bytes())
                except FileNotFoundError:
                    continue  # pinned or removed meanwhile
                if value is not None:
                    yield key, value, pinned

    def sweep(self, cutoff: dt.datetime, in_use: Callable[[], Iterable[str]] = tuple) -> int:
        check_cutoff(cutoff)
        # Judge without the lock (this reads files and may take a while) ...
        judged = {name: _judge(self.dir / name, "created_at") for name in self._names()}
        removed = 0
        # ... remove under it: nothing is put, pinned or deleted meanwhile.
        with exclusive_lock(self.dir):
            referenced = set(in_use())
            for name, seen in judged.items():
                if (
                    seen
                    and seen.when < cutoff
                    and name[:-5] not in referenced
                    and self._remove_if_unchanged(name, seen.stamp)
                ):
                    removed += 1
        return removed

    def _names(self) -> list[str]:
        """The file names of the snapshots in the folder (not in kept/)."""
        try:
            with os.scandir(self.dir) as entries:
                return [
                    e.name
                    for e in entries
                    if e.name.endswith(".json") and snapshot_key_kind(e.name[:-5]) == SNAPSHOT
                ]
        except FileNotFoundError:
            return []

    def _remove_if_unchanged(self, name: str, stamp: tuple) -> bool:
        """Unlink ``name`` if it is still the file judged (the caller holds the lock)."""
        path = self.dir / name
        try:
            if _stamp(path) != stamp:
                return False  # gone, or removed and written again since it was judged
            path.unlink()
        except OSError:  # vanished meanwhile, or not ours to remove: never fail the sweep
            return False
        return True


def _parse(data: bytes) -> dict | None:
    try:
        value = json.loads(data)
    except ValueError:  # torn by hand, or not UTF-8: never written by atomic_write
        return None
    return value if isinstance(value, dict) else None


class _Judged(NamedTuple):
    """What ``sweep`` needs of one file: which version it read, its timestamp, its pointer's target."""

    stamp: tuple
    when: dt.datetime
    ref: str | None


def _judge(path: Path, field: str) -> _Judged | None:
    """Read ``path``: ``field``'s timestamp, else the file's mtime; None if it vanished.

    The stamp is of the very file read (open, then fstat). A file that cannot be
    read or parsed is judged by its mtime and references nothing.
    """
    try:
        with path.open("rb") as handle:
            st = os.fstat(handle.fileno())
            value = _parse(handle.read())
    except FileNotFoundError:
        return None
    except OSError:
        try:
            st = os.stat(path)
        except OSError:
            return None
        value = None
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    when = aware_time(value.get(field)) if value else None
    ref = value.get("snapshot_id") if value else None
    return _Judged(
        stamp,
        when or dt.datetime.fromtimestamp(st.st_mtime_ns / 1e9, dt.UTC),
        ref if snapshot_key_kind(ref) == SNAPSHOT else None,
    )
