"""The TinyDB backend lists the day shards that exist, found with one directory scan."""

from __future__ import annotations

import datetime as dt
import os

from checklist_app.storage import tinydb_store
from checklist_app.storage.tinydb_store import TinyDBCompletionStore

from .writer import SHORT, record

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()  # any mtime well in the past


def _save(store: TinyDBCompletionStore, day: str, target: str = "a") -> None:
    store.save(record(f"daily|{day}|role:{target}", f"k-{day}-{target}", day=day))


def test_files_that_are_not_day_shards_are_ignored(tmp_path):
    store = TinyDBCompletionStore(tmp_path)
    _save(store, "2026-11-23")
    for name in (
        "2026-02-30.json",
        "2026-11-24.json.lock",
        "notes.json",
        "2026-11-25.JSON",
        "٢٠٢٦-١١-٢٦.json",
    ):
        (store.dir / name).write_text('{"completions": {"x": {}}}', encoding="utf-8")
    (store.dir / ".tmp-2026-11-27.json.abc").write_text("{", encoding="utf-8")
    found = store.list(dt.date.min, dt.date.max)
    assert [r["day"] for r in found] == ["2026-11-23"]


def test_a_shard_written_by_another_process_is_listed_at_once(tmp_path, monkeypatch):
    reader, writer = TinyDBCompletionStore(tmp_path, [SHORT]), TinyDBCompletionStore(tmp_path, [SHORT])
    _save(writer, "2026-11-23")
    os.utime(reader.dir, (LONG_AGO, LONG_AGO))  # an old folder: its listing is cached
    scans = []
    real = os.scandir
    monkeypatch.setattr(tinydb_store.os, "scandir", lambda p: scans.append(p) or real(p))
    span = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert len(reader.list(*span)) == 1
    assert len(reader.list(*span)) == 1
    assert len(scans) == 1  # the second listing reused the first scan
    _save(writer, "2026-11-24")  # a new shard: the folder's mtime changes
    assert [r["day"] for r in reader.list(*span)] == ["2026-11-24", "2026-11-23"]
    assert [d["day"] for d in reader.facts("short", *span)] == [
        "2026-11-23",
        "2026-11-24",
    ]
    _save(writer, "2026-11-24", "b")  # an existing shard grows: re-read through its own stamp
    assert len(reader.list(*span)) == 3


def test_a_just_changed_folder_is_scanned_again_every_time(tmp_path, monkeypatch):
    # Files created within one timestamp tick can leave a folder's mtime unchanged.
    store = TinyDBCompletionStore(tmp_path)
    _save(store, "2026-11-23")
    scans = []
    real = os.scandir
    monkeypatch.setattr(tinydb_store.os, "scandir", lambda p: scans.append(p) or real(p))
    now = os.stat(store.dir).st_mtime_ns
    monkeypatch.setattr(tinydb_store.time, "time_ns", lambda: now + 10**9)  # changed 1 s ago
    store.list(dt.date.min, dt.date.max)
    store.list(dt.date.min, dt.date.max)
    assert len(scans) == 2
    monkeypatch.setattr(tinydb_store.time, "time_ns", lambda: now + 10 * 10**9)  # 10 s ago
    store.list(dt.date.min, dt.date.max)
    store.list(dt.date.min, dt.date.max)
    assert len(scans) == 3


def test_a_missing_completions_folder_lists_nothing(tmp_path):
    store = TinyDBCompletionStore(tmp_path, [SHORT])
    store.dir.rmdir()
    assert store.list(dt.date.min, dt.date.max) == []
    assert store.facts("short", dt.date.min, dt.date.max) == []
