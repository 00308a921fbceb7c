"""Started-checklist pointers have their own store on every backend; old data folders keep theirs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from checklist_app import services
from checklist_app.storage import open_storage

POINTER_A, POINTER_B = "s" + "a" * 24, "s" + "0123456789abcdef01234567"
SNAP_A, SNAP_B = "0123456789abcdef", "fedcba9876543210"
CUTOFF = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def started(backend, open_backend):
    return open_backend(backend).started


def _pointer(snapshot_id: str, opened_at: dt.datetime) -> dict:
    return {
        "snapshot_id": snapshot_id,
        "identity": "daily|x",
        "username": "王芳",
        "opened_at": opened_at.isoformat(),
    }


def test_a_pointer_is_write_once_and_round_trips(started):
    started.put(POINTER_A, _pointer(SNAP_A, CUTOFF))
    started.put(POINTER_A, _pointer(SNAP_B, CUTOFF))
    assert started.get(POINTER_A) == _pointer(SNAP_A, CUTOFF)
    assert started.get(POINTER_B) is None


def test_delete_is_idempotent_and_a_deleted_key_can_be_written_again(started):
    started.put(POINTER_A, _pointer(SNAP_A, CUTOFF))
    assert started.delete(POINTER_A) is True
    assert started.delete(POINTER_A) is False
    assert started.get(POINTER_A) is None
    started.put(POINTER_A, _pointer(SNAP_B, CUTOFF))
    assert started.get(POINTER_A)["snapshot_id"] == SNAP_B


BAD_KEYS = [SNAP_A, "s" + "a" * 23, "S" + "a" * 24, "s" + "A" * 24, "../x", "", None, 7, ["s" + "a" * 24]]


@pytest.mark.parametrize("key", BAD_KEYS, ids=range(len(BAD_KEYS)))
def test_a_snapshot_key_or_any_other_is_never_found_and_refused(started, key):
    assert started.get(key) is None
    with pytest.raises(ValueError):
        started.put(key, {"snapshot_id": SNAP_A})
    with pytest.raises(ValueError):
        started.delete(key)


def test_entries_and_the_snapshots_they_keep(started):
    started.put(POINTER_A, _pointer(SNAP_A, CUTOFF))
    started.put(POINTER_B, _pointer(SNAP_A, CUTOFF))
    assert sorted(k for k, _ in started.entries()) == sorted([POINTER_A, POINTER_B])
    assert started.snapshot_ids() == {SNAP_A}


def test_sweep_removes_the_pointers_opened_before_the_cutoff(started):
    started.put(POINTER_A, _pointer(SNAP_A, CUTOFF - dt.timedelta(seconds=1)))
    started.put(POINTER_B, _pointer(SNAP_B, CUTOFF))  # not *before* the cutoff
    assert started.sweep(CUTOFF) == 1
    assert started.get(POINTER_A) is None and started.get(POINTER_B) is not None
    assert started.sweep(CUTOFF) == 0
    with pytest.raises(ValueError):
        started.sweep(dt.datetime(2026, 11, 23, 9, 30))


def test_the_snapshot_store_never_holds_a_pointer(backend, open_backend):
    storage = open_backend(backend)
    storage.started.put(POINTER_A, _pointer(SNAP_A, CUTOFF))
    assert storage.snapshots.get(POINTER_A) is None
    assert list(storage.snapshots.entries()) == []
    with pytest.raises(ValueError):
        storage.snapshots.put(POINTER_A, {})


# ---------------------------------------------------------------- a data folder from before


def _old_folder(data_dir, key: str, pointer: dict) -> None:
    """Write a pointer where versions before the started store kept it: ``snapshots/<key>.json``."""
    (data_dir / "snapshots").mkdir(parents=True, exist_ok=True)
    (data_dir / "snapshots" / f"{key}.json").write_text(
        json.dumps(pointer, ensure_ascii=False), encoding="utf-8"
    )


def test_pointers_in_the_old_place_are_moved_when_the_folder_opens(tmp_path):
    data = tmp_path / "data"
    _old_folder(data, POINTER_A, _pointer(SNAP_A, CUTOFF))
    _old_folder(data, SNAP_A, {"snapshot_id": SNAP_A, "created_at": "2026-10-01T00:00:00+00:00"})
    storage = open_storage("tinydb", data)
    assert storage.started.get(POINTER_A) == _pointer(SNAP_A, CUTOFF)
    assert not (data / "snapshots" / f"{POINTER_A}.json").exists()
    assert (data / "started" / f"{POINTER_A}.json").is_file()
    # The moved pointer still keeps its old snapshot through a sweep.
    assert storage.snapshots.sweep(CUTOFF, storage.started.snapshot_ids) == 0
    assert storage.snapshots.get(SNAP_A) is not None
    assert open_storage("tinydb", data).started.get(POINTER_A) is not None  # opening again: no change


def test_a_pointer_written_in_the_new_place_wins_over_an_old_copy(tmp_path):
    data = tmp_path / "data"
    open_storage("tinydb", data).started.put(POINTER_A, _pointer(SNAP_B, CUTOFF))
    _old_folder(data, POINTER_A, _pointer(SNAP_A, CUTOFF))  # an old worker wrote it meanwhile
    assert open_storage("tinydb", data).started.get(POINTER_A)["snapshot_id"] == SNAP_B
    assert not (data / "snapshots" / f"{POINTER_A}.json").exists()


def test_who_started_a_checklist_in_an_old_folder_is_still_shown(tmp_path):
    data = tmp_path / "data"
    identity = "daily|2026-11-23|role:售前客服|客服主管"
    _old_folder(
        data,
        services.started_key(identity, "*"),
        {"snapshot_id": SNAP_A, "identity": identity, "username": "wang", "name": "王芳", "opened_at": "x"},
    )
    first = services.started_by(open_storage("tinydb", data), identity)
    assert first is not None and (first.username, first.name) == ("wang", "王芳")


def test_sweeping_while_another_process_starts_checklists_keeps_every_snapshot_in_use(shared_location):
    import subprocess
    import sys
    from pathlib import Path

    from . import snapshot_writer

    count = 60
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.checklist_app.storage.snapshot_writer",
            shared_location,
            "9",
            str(count),
        ],
        cwd=Path(__file__).resolve().parents[3],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = snapshot_writer.at(shared_location)
    cutoff = dt.datetime.fromisoformat("2026-11-01T00:00:00+08:00")
    sweeps = removed = 0
    while writer.poll() is None or sweeps == 0:
        removed += store.sweep(cutoff)
        sweeps += 1
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    removed += store.sweep(cutoff)
    assert out.count("ack ") == count and removed == 2 * count  # each expired pair, exactly once
    for n in range(count):
        keys = snapshot_writer.keys(9, n)
        assert store.get(keys["pointer"])["snapshot_id"] == keys["snapshot"]
        assert store.get(keys["snapshot"])["items"] == [n] * 200  # its pointer came first: never removed
        assert store.get(keys["old_pointer"]) is None and store.get(keys["old_snapshot"]) is None
