"""A kill mid-write or several processes at once never lose, duplicate or corrupt a submission."""

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

from checklist_app.storage import open_storage
from checklist_app.storage.tinydb_store import TinyDBCompletionStore, remove_stale_temp_files

from ..storage.writer import record

PROJECT = Path(__file__).resolve().parents[3]
DAY = dt.date(2026, 11, 23)


def _writer(data_dir: Path, prefix: str, count: int, shared: str = "") -> subprocess.Popen:
    args = [sys.executable, "-m", "tests.checklist_app.storage.writer", str(data_dir), prefix, str(count)]
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


def test_killing_a_writer_mid_write_loses_no_acknowledged_submission(tmp_path):
    data_dir = tmp_path / "data"
    _prefill(data_dir, 3000)
    acknowledged: set[str] = set()
    rng = random.Random(7)
    for round_ in range(6):
        proc = _writer(data_dir, f"r{round_}", 10_000)
        deadline = time.monotonic() + rng.uniform(0.4, 1.5)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("ack "):
                acknowledged.add(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)
        # Whatever the process printed before dying was acknowledged too.
        rest, _ = proc.communicate()
        acknowledged |= {ln.split()[1] for ln in rest.splitlines() if ln.startswith("ack ")}
        # The shard is always a complete, valid JSON document.
        shard = data_dir / "completions" / "2026-11-23.json"
        json.loads(shard.read_text(encoding="utf-8"))
    assert len(acknowledged) > 6
    store = TinyDBCompletionStore(data_dir)
    stored = {r["identity"] for r in store.list(DAY, DAY)}
    assert acknowledged <= stored
    assert len([i for i in stored if i.startswith("old-")]) == 3000


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
    storage = open_storage("tinydb", data_dir)
    storage.completions.save(record("daily|2026-11-23|role:a", "k1"))
    storage.completions.digests(DAY, DAY, lambda r: {"id": r["id"]}, "v1")
    storage.snapshots.put("0123456789abcdef", {"items": []})
    storage.snapshots.pin("0123456789abcdef")
    folders = [
        data_dir,
        data_dir / "completions",
        data_dir / "snapshots",
        data_dir / "snapshots" / "kept",
        data_dir / "digests" / "v1",
    ]
    old = time.time() - 3600
    for folder in folders:
        assert folder.is_dir()
        stale, fresh = folder / ".tmp-x.json.stale", folder / ".tmp-x.json.fresh"
        stale.write_text("{", encoding="utf-8")
        fresh.write_text("{", encoding="utf-8")
        os.utime(stale, (old, old))
        os.utime(fresh, (time.time(), time.time()))
    open_storage("tinydb", data_dir)
    for folder in folders:
        assert not (folder / ".tmp-x.json.stale").exists(), folder
        assert (folder / ".tmp-x.json.fresh").exists(), folder
    assert storage.snapshots.get("0123456789abcdef") == {"items": []}


def test_concurrent_processes_lose_and_duplicate_nothing(tmp_path):
    data_dir = tmp_path / "data"
    procs = [_writer(data_dir, f"p{n}", 25, shared="shared") for n in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    acks = [line.split() for out, _ in outputs for line in out.splitlines()]
    created_shared = [a for a in acks if a[1].startswith("shared-") and a[2] == "1"]
    # Each shared checklist was created exactly once although four processes submitted it.
    assert sorted(a[1] for a in created_shared) == sorted(f"shared-{n}" for n in range(25))
    records = TinyDBCompletionStore(data_dir).list(DAY, DAY)
    identities = [r["identity"] for r in records]
    assert len(identities) == len(set(identities)) == 4 * 25 + 25


def test_a_fresh_process_reads_cached_digests_instead_of_the_records(tmp_path):
    store = TinyDBCompletionStore(tmp_path)
    store.save(record("daily|2026-11-23|role:a", "k1"))
    calls = []

    def digest(r):
        calls.append(r["identity"])
        return {"identity": r["identity"]}

    day = dt.date(2026, 11, 23)
    assert store.digests(day, day, digest, "v1") == [{"identity": "daily|2026-11-23|role:a"}]
    assert TinyDBCompletionStore(tmp_path).digests(day, day, digest, "v1") == [
        {"identity": "daily|2026-11-23|role:a"}
    ]
    assert calls == ["daily|2026-11-23|role:a"]  # computed once, then read from the disk cache
    TinyDBCompletionStore(tmp_path).digests(day, day, digest, "v2")
    assert len(calls) == 2  # another digest version never reads the old one's cache


def test_a_corrupt_digest_cache_is_rebuilt_not_trusted(tmp_path):
    store = TinyDBCompletionStore(tmp_path)
    store.save(record("daily|2026-11-23|role:a", "k1"))
    day = dt.date(2026, 11, 23)
    store.digests(day, day, lambda r: {"id": r["identity"]}, "v1")
    (cache,) = (tmp_path / "digests" / "v1").glob("*.json")
    cache.write_text('{"stamp": [1, 2', encoding="utf-8")  # torn write
    assert TinyDBCompletionStore(tmp_path).digests(day, day, lambda r: {"id": r["identity"]}, "v1") == [
        {"id": "daily|2026-11-23|role:a"}
    ]
