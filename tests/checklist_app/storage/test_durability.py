"""A kill mid-write or several processes at once never lose, duplicate or corrupt a submission.

The multi-process suites run on TinyDB and PostgreSQL (memory lives in one process)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from checklist_app.storage import FactKind, open_storage
from checklist_app.storage.tinydb_store import TinyDBCompletionStore, remove_stale_temp_files

from .shared import open_shared
from .writer import SHORT, record

PROJECT = Path(__file__).resolve().parents[3]
DAY = dt.date(2026, 11, 23)


def _writer(location: str, prefix: str, count: int, shared: str = "") -> subprocess.Popen:
    args = [sys.executable, "-m", "tests.checklist_app.storage.writer", location, prefix, str(count)]
    return subprocess.Popen(
        args + ([shared] if shared else []),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _prefill(data_dir: Path, count: int) -> None:
    # A big shard makes each write slow, so a random kill very likely lands mid-write.
    store = TinyDBCompletionStore(data_dir)
    path = store.dir / "2026-11-23.json"
    docs = {f"old-{n}": dict(record(f"old-{n}", f"k-old-{n}"), id=f"2026-11-23.old{n}") for n in range(count)}
    path.write_text(json.dumps({"completions": docs}, ensure_ascii=False), encoding="utf-8")


def test_killing_a_writer_mid_write_loses_no_acknowledged_submission(shared_location):
    tinydb = not shared_location.startswith("postgresql://")
    if tinydb:
        _prefill(Path(shared_location), 3000)
    acknowledged: set[str] = set()
    rng = random.Random(7)
    for round_ in range(6):
        proc = _writer(shared_location, f"r{round_}", 10_000)
        first = proc.stdout.readline()  # the writer is up (a loaded machine may take seconds to start it)
        if first.startswith("ack "):
            acknowledged.add(first.split()[1])
        deadline = time.monotonic() + rng.uniform(0.4, 1.5)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("ack "):
                acknowledged.add(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)
        # Whatever the process printed before dying was acknowledged too.
        rest, _ = proc.communicate()
        acknowledged |= {ln.split()[1] for ln in rest.splitlines() if ln.startswith("ack ")}
        if tinydb:  # the shard is always a complete, valid JSON document
            shard = Path(shared_location) / "completions" / "2026-11-23.json"
            json.loads(shard.read_text(encoding="utf-8"))
    assert len(acknowledged) > 6
    storage = open_shared(shared_location, [SHORT])
    stored = [r["identity"] for r in storage.completions.list(DAY, DAY)]
    assert acknowledged <= set(stored)
    assert len(stored) == len(set(stored))
    facts = [f["identity"] for f in storage.completions.facts("short", DAY, DAY)]
    assert sorted(facts) == sorted(stored)  # every stored record has its facts, none without a record
    assert len([i for i in stored if i.startswith("old-")]) == (3000 if tinydb else 0)
    storage.close()


def test_stale_temp_files_from_a_killed_writer_are_cleaned_up(tmp_path):
    stale = tmp_path / ".tmp-2026-11-23.json.abc"
    stale.write_text("{", encoding="utf-8")
    written = stale.stat().st_mtime
    os.utime(stale, (written - 3600, written - 3600))
    fresh = tmp_path / ".tmp-2026-11-23.json.def"  # another worker may be writing this right now
    fresh.write_text("{", encoding="utf-8")
    assert remove_stale_temp_files(tmp_path) == 1
    assert not stale.exists() and fresh.exists()


def test_a_process_whose_clock_runs_ahead_leaves_another_workers_fresh_temp_file(tmp_path, monkeypatch):
    fresh = tmp_path / ".tmp-2026-11-23.json.def"
    fresh.write_text("{", encoding="utf-8")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 365 * 86400)
    assert remove_stale_temp_files(tmp_path) == 0
    assert fresh.exists()


def test_opening_storage_removes_stale_temp_files_in_every_folder(tmp_path):
    data_dir = tmp_path / "data"
    storage = open_storage("tinydb", data_dir, kinds=[SHORT])
    storage.completions.save(record("daily|2026-11-23|role:a", "k1"))
    storage.completions.facts("short", DAY, DAY)
    storage.snapshots.put("0123456789abcdef", {"items": []})
    storage.snapshots.pin("0123456789abcdef")
    folders = [
        data_dir,
        data_dir / "completions",
        data_dir / "snapshots",
        data_dir / "snapshots" / "kept",
        data_dir / "facts" / "t1",
    ]
    for folder in folders:
        assert folder.is_dir()
        stale, fresh = folder / ".tmp-x.json.stale", folder / ".tmp-x.json.fresh"
        stale.write_text("{", encoding="utf-8")
        fresh.write_text("{", encoding="utf-8")
        # an hour older than a file written now, by the file system's own clock (not the process's)
        old = fresh.stat().st_mtime - 3600
        os.utime(stale, (old, old))
    open_storage("tinydb", data_dir, kinds=[SHORT])
    for folder in folders:
        assert not (folder / ".tmp-x.json.stale").exists(), folder
        assert (folder / ".tmp-x.json.fresh").exists(), folder
    assert storage.snapshots.get("0123456789abcdef") == {"items": []}


def test_concurrent_processes_lose_and_duplicate_nothing(shared_location):
    procs = [_writer(shared_location, f"p{n}", 25, shared="shared") for n in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    acks = [line.split() for out, _ in outputs for line in out.splitlines()]
    created_shared = [a for a in acks if a[1].startswith("shared-") and a[2] == "1"]
    # Each shared checklist was created exactly once although four processes submitted it.
    assert sorted(a[1] for a in created_shared) == sorted(f"shared-{n}" for n in range(25))
    storage = open_shared(shared_location, [SHORT])
    identities = [r["identity"] for r in storage.completions.list(DAY, DAY)]
    assert len(identities) == len(set(identities)) == 4 * 25 + 25
    assert len(storage.completions.facts("short", DAY, DAY)) == 4 * 25 + 25
    storage.close()


def _counting(version: str, calls: list) -> FactKind:
    def digest(r):
        calls.append(r["identity"])
        return {"identity": r["identity"]}

    return FactKind("short", version, digest)


def test_facts_are_written_at_save_and_a_fresh_process_reads_them_not_the_records(tmp_path):
    calls = []
    store = TinyDBCompletionStore(tmp_path, [_counting("v1", calls)])
    store.save(record("daily|2026-11-23|role:a", "k1"))
    store.save(record("daily|2026-11-23|role:b", "k2"))
    assert calls == ["daily|2026-11-23|role:a", "daily|2026-11-23|role:b"]  # at save
    fresh = TinyDBCompletionStore(tmp_path, [_counting("v1", calls)])
    assert fresh.facts("short", DAY, DAY) == [
        {"identity": "daily|2026-11-23|role:a"},
        {"identity": "daily|2026-11-23|role:b"},
    ]
    assert len(calls) == 2  # read from the facts file, no record parsed
    TinyDBCompletionStore(tmp_path, [_counting("v2", calls)]).facts("short", DAY, DAY)
    assert len(calls) == 4  # another fact version is computed afresh, never read from the old one


def test_a_corrupt_facts_file_is_rebuilt_not_trusted(tmp_path):
    store = TinyDBCompletionStore(tmp_path, [SHORT])
    store.save(record("daily|2026-11-23|role:a", "k1"))
    (cache,) = (tmp_path / "facts" / "t1").glob("*.json")
    cache.write_text('{"stamp": [1, 2', encoding="utf-8")  # torn write
    assert TinyDBCompletionStore(tmp_path, [SHORT]).facts("short", DAY, DAY) == [
        {"identity": "daily|2026-11-23|role:a", "day": "2026-11-23"}
    ]
    store.save(record("daily|2026-11-23|role:b", "k2"))  # a stale file is not extended, but rebuilt
    assert len(TinyDBCompletionStore(tmp_path, [SHORT]).facts("short", DAY, DAY)) == 2


def test_a_new_fact_version_is_filled_in_for_records_saved_before_it(shared_location):
    old = open_shared(shared_location, [FactKind("short", "v1", lambda r: {"v": 1, "id": r["identity"]})])
    for n in range(3):
        old.completions.save(record(f"daily|2026-11-23|role:{n}", f"k{n}"))
    old.close()
    new = open_shared(shared_location, [FactKind("short", "v2", lambda r: {"v": 2, "id": r["identity"]})])
    assert [f["v"] for f in new.completions.facts("short", DAY, DAY)] == [2, 2, 2]
    new.completions.save(record("daily|2026-11-23|role:x", "kx"))  # written at save, seen at once
    assert len(new.completions.facts("short", DAY, DAY)) == 4
    new.close()
