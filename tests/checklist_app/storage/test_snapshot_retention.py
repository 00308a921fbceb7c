"""Snapshot retention on disk: pinning, sweeping by timestamp or mtime, corrupt files, other processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from checklist_app.storage import started, tinydb_store
from checklist_app.storage.memory import MemorySnapshotStore
from checklist_app.storage.started import MemoryStartedStore
from checklist_app.storage.tinydb_store import FileSnapshotStore

from . import snapshot_writer

PROJECT = Path(__file__).resolve().parents[3]
CUTOFF = dt.datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
BEFORE, AFTER = CUTOFF - dt.timedelta(days=1), CUTOFF + dt.timedelta(days=1)
SNAP, SNAP2, SNAP3 = "0123456789abcdef", "fedcba9876543210", "00000000000000aa"
POINTER, POINTER2 = "s" + "a" * 24, "s" + "b" * 24


@pytest.fixture
def store(tmp_path) -> snapshot_writer.Pair:
    return snapshot_writer.files(tmp_path)


def _file(store: snapshot_writer.Pair, key: str) -> Path:
    return store.of(key).dir / f"{key}.json"


def _age(path: Path, moment: dt.datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def test_files_and_pinning_layout(store):
    store.put(SNAP, {"snapshot_id": SNAP})
    store.put(POINTER, {"snapshot_id": SNAP})
    assert _file(store, SNAP).is_file() and _file(store, POINTER).is_file()
    assert store.pin(SNAP)
    assert not _file(store, SNAP).exists()
    assert (store.kept / f"{SNAP}.json").is_file()  # moved, not copied: one rename
    assert FileSnapshotStore(store.dir.parent).get(SNAP) == {"snapshot_id": SNAP}  # another process
    store.put(SNAP, {"snapshot_id": "other"})  # write-once, wherever it lives
    assert not _file(store, SNAP).exists()
    assert list(store.dir.parent.rglob(".tmp-*")) == []


def test_an_over_long_or_odd_key_never_reaches_the_file_system(store, monkeypatch):
    def no_io(*args, **kwargs):
        raise AssertionError("touched the file system")

    monkeypatch.setattr(Path, "read_bytes", no_io)
    monkeypatch.setattr(Path, "exists", no_io)
    for key in ("a" * 300, "s" + "a" * 300, 7, None, "../../etc/passwd"):
        assert store.get(key) is None
        with pytest.raises(ValueError):
            store.put(key, {})


def test_without_a_timestamp_the_file_mtime_decides(store):
    store.put(POINTER, {"snapshot_id": SNAP})  # an older pointer: snapshot_id only
    store.put(POINTER2, {"snapshot_id": SNAP2, "opened_at": "2026-11-22T09:00:00"})  # naive: ignored
    store.put(SNAP, {"snapshot_id": SNAP})
    store.put(SNAP2, {"snapshot_id": SNAP2, "created_at": "yesterday"})
    store.put(SNAP3, {"snapshot_id": SNAP3})
    for key in (POINTER, SNAP, SNAP2):
        _age(_file(store, key), BEFORE)
    for key in (POINTER2, SNAP3):
        _age(_file(store, key), AFTER)
    # POINTER (old mtime) goes, so SNAP goes; POINTER2 (new mtime) keeps SNAP2; SNAP3 is new.
    assert store.sweep(CUTOFF) == 2
    assert store.get(POINTER) is None and store.get(SNAP) is None
    assert store.get(POINTER2) and store.get(SNAP2) and store.get(SNAP3)


def test_a_timestamp_wins_over_the_mtime(store):
    store.put(POINTER, {"snapshot_id": SNAP, "opened_at": BEFORE.isoformat()})
    store.put(SNAP2, {"snapshot_id": SNAP2, "created_at": AFTER.isoformat()})
    _age(_file(store, POINTER), AFTER)
    _age(_file(store, SNAP2), BEFORE)
    assert store.sweep(CUTOFF) == 1
    assert store.get(POINTER) is None and store.get(SNAP2)


CORRUPT = {
    "torn": b'{"snapshot_id": "01234',
    "empty": b"",
    "not an object": b"[1, 2, 3]",
    "not UTF-8": b'{"opened_at": "\xff\xfe"}',
    "null": b"null",
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_entries_are_never_returned_and_are_swept_once_old(store, content):
    old, new = _file(store, SNAP), _file(store, POINTER)
    old.write_bytes(content)
    new.write_bytes(content)
    _age(old, BEFORE)
    _age(new, AFTER)
    assert store.get(SNAP) is None and store.get(POINTER) is None
    assert store.sweep(CUTOFF) == 1
    assert not old.exists() and new.exists()


def test_an_entry_that_cannot_be_read_or_removed_does_not_stop_the_sweep(store):
    blocked = _file(store, SNAP)
    blocked.mkdir()  # a directory where a snapshot should be: reading and unlinking both fail
    (blocked / "x").write_text("x", encoding="utf-8")
    _age(blocked, BEFORE)
    store.put(SNAP2, {"created_at": BEFORE.isoformat()})
    assert store.sweep(CUTOFF) == 1
    assert blocked.is_dir() and store.get(SNAP2) is None


def test_other_files_in_the_folder_are_left_alone(store):
    names = [".tmp-s" + "a" * 24 + ".json.x1", "abc123.json", "README.txt", "0123456789ABCDEF.json"]
    for name in names:
        (store.dir / name).write_text("{", encoding="utf-8")  # a temp file being written, or unknown
        _age(store.dir / name, BEFORE)
    store.put(SNAP, {"created_at": BEFORE.isoformat()})
    store.pin(SNAP)
    kept = store.kept / f"{SNAP}.json"
    _age(kept, BEFORE)
    assert store.sweep(CUTOFF) == 0
    assert all((store.dir / name).exists() for name in names) and kept.exists()


# --------------------------------------------------------------------------- another process acts
# between the sweep's unlocked reading and its removals under the lock.


@contextlib.contextmanager
def _meanwhile(monkeypatch, action, modules=(started, tinydb_store)):
    """Run ``action`` (another process's writes) just before a sweep first takes a folder lock.

    The pointers' sweep runs first (``started``), then the snapshots' (``tinydb_store``).
    """
    real = tinydb_store.exclusive_lock
    pending = [action]

    @contextlib.contextmanager
    def lock(path):
        if pending:
            pending.pop()()
        with real(path):
            yield

    for module in modules:
        monkeypatch.setattr(module, "exclusive_lock", lock)
    yield
    assert not pending, "the sweep never took the lock"


def test_a_pointer_written_again_since_it_was_judged_is_kept(store, monkeypatch):
    store.put(SNAP, {"created_at": BEFORE.isoformat()})
    store.put(POINTER, {"snapshot_id": SNAP, "opened_at": BEFORE.isoformat()})
    _age(_file(store, SNAP), BEFORE)

    def resubmit_and_reopen():
        store.delete(POINTER)
        store.put(POINTER, {"snapshot_id": SNAP, "opened_at": AFTER.isoformat()})
        _age(_file(store, POINTER), BEFORE)  # even with an equal mtime: size or inode differ

    with _meanwhile(monkeypatch, resubmit_and_reopen):
        removed = store.sweep(CUTOFF)
    assert removed == 0
    assert store.get(POINTER)["opened_at"] == AFTER.isoformat() and store.get(SNAP)


def test_a_pointer_written_since_the_reading_keeps_its_old_snapshot(store, monkeypatch):
    store.put(SNAP, {"created_at": BEFORE.isoformat()})

    def reopen():
        store.put(POINTER, {"snapshot_id": SNAP, "opened_at": AFTER.isoformat()})

    with _meanwhile(monkeypatch, reopen):
        assert store.sweep(CUTOFF) == 0
    assert store.get(SNAP) and store.get(POINTER)


def test_files_pinned_removed_or_vanished_since_the_reading_are_no_trouble(store, monkeypatch):
    for key in (SNAP, SNAP2, SNAP3):
        store.put(key, {"created_at": BEFORE.isoformat()})
    store.put(POINTER, {"snapshot_id": SNAP, "opened_at": AFTER.isoformat()})

    def others():
        store.pin(SNAP2)
        store.delete(SNAP3)
        store.delete(POINTER)
        _file(store, SNAP).unlink()

    with _meanwhile(monkeypatch, others, modules=(tinydb_store,)):  # between the snapshots' two steps
        assert store.sweep(CUTOFF) == 0  # nothing left that this sweep removed itself
    assert store.get(SNAP2) and not any(store.dir.glob("*.json"))


def test_readers_always_find_a_snapshot_while_it_is_pinned(store):
    ids = [f"{n:016x}" for n in range(300)]
    for snapshot_id in ids:
        store.put(snapshot_id, {"id": snapshot_id})
    missing, done = [], threading.Event()

    def reader():
        other = FileSnapshotStore(store.dir.parent)
        while not done.is_set():
            missing.extend(i for i in ids if other.get(i) is None)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for snapshot_id in ids:
            assert store.pin(snapshot_id)
    finally:
        done.set()
        thread.join()
    assert missing == []


def test_sweeping_while_another_process_starts_checklists(tmp_path):
    count = 80
    args = [
        sys.executable,
        "-m",
        "tests.checklist_app.storage.snapshot_writer",
        str(tmp_path),
        "7",
        str(count),
    ]
    writer = subprocess.Popen(args, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = snapshot_writer.files(tmp_path)
    cutoff = dt.datetime.fromisoformat("2026-11-01T00:00:00+08:00")
    sweeps = removed = 0
    while writer.poll() is None or sweeps == 0:
        removed += store.sweep(cutoff)
        sweeps += 1
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert out.count("ack ") == count
    removed += store.sweep(cutoff)
    assert removed == 2 * count  # every expired pointer and its snapshot, exactly once
    for n in range(count):
        keys = snapshot_writer.keys(7, n)
        assert store.get(keys["pointer"])["snapshot_id"] == keys["snapshot"]
        assert store.get(keys["snapshot"])["items"] == [n] * 200  # referenced, so never removed
        assert store.get(keys["old_pointer"]) is None and store.get(keys["old_snapshot"]) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "snapshots",
        "snapshots.lock",
        "started",
        "started.lock",
    ]
    leftovers = [p.name for p in tmp_path.rglob(".tmp-*")]
    assert leftovers == []
    assert len(list(store.dir.glob("*.json"))) == count
    assert len(list(store.started.dir.glob("*.json"))) == count


def test_an_old_pointer_file_from_before_retention_is_read_as_json(store):
    # The format is unchanged: plain UTF-8 JSON, readable by earlier versions of the app.
    store.put(POINTER, {"snapshot_id": SNAP, "username": "王芳"})
    assert json.loads(_file(store, POINTER).read_text(encoding="utf-8"))["username"] == "王芳"


# --------------------------------------------------------------------------- memory backend


def test_memory_falls_back_to_when_the_entry_was_stored():
    now = [BEFORE]
    store = snapshot_writer.Pair(
        MemorySnapshotStore(clock=lambda: now[0]), MemoryStartedStore(lambda: now[0])
    )
    store.put(POINTER, {"snapshot_id": SNAP})
    store.put(SNAP, {"snapshot_id": SNAP})
    now[0] = AFTER
    store.put(POINTER2, {"snapshot_id": SNAP2})
    store.put(SNAP2, {"snapshot_id": SNAP2, "created_at": BEFORE.isoformat()})
    assert store.sweep(CUTOFF) == 2
    assert store.get(POINTER) is None and store.get(SNAP) is None
    assert store.get(POINTER2) and store.get(SNAP2)
