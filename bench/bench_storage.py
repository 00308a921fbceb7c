"""Benchmark: submitting completed checklists through TinyDBCompletionStore vs one plain TinyDB file.

Prints, with baselines measured in the same run:
- submission latency (median, p99) with 1,000 / 10,000 / 100,000 completed checklists already
  stored: ours (daily shards, file lock, fsynced temp file + rename) vs a naive single TinyDB
  file (default JSONStorage, one table, ``insert``) holding the same records;
- 50 concurrent submitter clients on 4 worker processes, with retries of the same identity and
  idempotency key, then an integrity check of the shard they all wrote to;
- listing one week at the largest size, cold (fresh store, empty shard cache) and warm;
- range cost: a year of day shards listed and digested over that year, over ten years and over
  every representable day (date.min..date.max), against the former day-by-day loop (one stat per
  day of the range) in the same run: the cost must follow the shards that exist, not the days;
- a summary table with the ratio naive/ours.

Pre-existing checklists (~150 a day, 15 items each) end today, so today's shard already holds a
full day of checklists when the measured submissions go into it: the fullest a shard gets, the
worst case for ours.

    .venv/bin/python bench/bench_storage.py [--sizes 1000,10000,100000] [--repeat 30]
        [--naive-budget 60] [--clients 50] [--workers 4] [--per-client 10] [--today 2026-11-29]
        [--range-per-day 20] [--range-repeat 10] [--ranges-only]

Smoke run: ``.venv/bin/python bench/bench_storage.py --sizes 1000 --repeat 5 --clients 8 --per-client 3``
Range cost only: ``.venv/bin/python bench/bench_storage.py --ranges-only``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402

from checklist_app.storage import FactKind  # noqa: E402
from checklist_app.storage.tinydb_store import (  # noqa: E402
    TMP_PREFIX,
    TinyDBCompletionStore,
    _ShardIndex,
    shard_of,
)

PER_DAY = 150
ITEMS = 15
AREAS = ["仓库A区", "仓库B区", "打包台", "退货区", "客服中心", "直播间", "办公区", "前台"]
ROLES = ["售前客服", "售后客服", "仓库管理员", "运营专员", "全体员工"]
PEOPLE = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷", "徐丽", "孙浩"]
PASS_NOTES = ["", "", "正常", "已检查，符合要求", "记录齐全，无异常", "已核对当日台账"]
FAIL_NOTES = [
    "客服平均响应时间超过50秒，已提醒当班人员并记录在案",
    "货架标签缺失三处，已通知仓库管理员当天补齐",
    "退货登记表未签字，责任人已补签并说明原因",
    "直播话术出现绝对化用语，已下架回放并组织复训",
]
NA_NOTES = ["本班次无此项业务", "设备维修中，暂不适用"]


# --------------------------------------------------------------------------- records


def _targets(rng: random.Random) -> list[tuple[str, list[tuple[str, str, str, str, str]]]]:
    """The 150 checklists a team completes each day: a target and its 15 fixed checks."""
    targets = []
    for t in range(PER_DAY):
        name = f"area:{AREAS[t % len(AREAS)]}-{t:03d}" if t % 5 else f"role:{ROLES[t // 5 % len(ROLES)]}"
        checks = []
        for _ in range(ITEMS):
            p, c, k = rng.randrange(500), rng.randrange(8), rng.randrange(2)
            checks.append(
                (
                    f"p{p}-c{c}-k{k}",
                    f"p{p}",
                    f"{1 + p % 3}.{p % 4}",
                    f"{rng.getrandbits(64):016x}",
                    PEOPLE[rng.randrange(len(PEOPLE))],
                )
            )
        targets.append((f"{name}#{t}", checks))
    return targets


class RecordMaker:
    """Realistic completed checklists, deterministic for a seed."""

    def __init__(self, seed: int = 1):
        self.rng = random.Random(seed)
        self.targets = _targets(self.rng)

    def make(self, day: dt.date, slot: int, target_name: str | None = None) -> dict:
        rng = self.rng
        name, checks = self.targets[slot % PER_DAY]
        items, passes, fails = [], 0, 0
        for check_id, policy_id, version, clause_hash, responsible in checks:
            roll = rng.random()
            if roll < 0.85:
                result, note = "pass", PASS_NOTES[rng.randrange(len(PASS_NOTES))]
                passes += 1
            elif roll < 0.93:
                result, note = "fail", FAIL_NOTES[rng.randrange(len(FAIL_NOTES))]
                fails += 1
            else:
                result, note = "na", NA_NOTES[rng.randrange(len(NA_NOTES))]
            items.append(
                {
                    "check_id": check_id,
                    "policy_id": policy_id,
                    "policy_version": version,
                    "clause_hash": clause_hash,
                    "result": result,
                    "note": note,
                    "responsible": responsible,
                }
            )
        minute = 8 * 60 + slot * 600 // PER_DAY + rng.randrange(5)
        return {
            "identity": f"daily|{day.isoformat()}|{target_name or name}",
            "idempotency_key": f"{rng.getrandbits(128):032x}",
            "day": day.isoformat(),
            "submitted_at": f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:{rng.randrange(60):02d}",
            "inspector": PEOPLE[(slot + day.toordinal()) % len(PEOPLE)],
            "score": round(100 * passes / max(1, passes + fails), 1),
            "items": items,
        }


def prefill(maker: RecordMaker, count: int, today: dt.date, ours_dir: Path, naive_path: Path) -> dict:
    """Write ``count`` checklists ending today (today's shard full: the worst case), in both formats."""
    shards_dir = ours_dir / "completions"
    shards_dir.mkdir(parents=True)
    shard, bucket, shards = None, {}, 0

    def flush():
        nonlocal shards
        if bucket:
            text = json.dumps({"completions": bucket}, ensure_ascii=False, separators=(",", ":"))
            (shards_dir / f"{shard}.json").write_text(text, encoding="utf-8")
            shards += 1

    with naive_path.open("w", encoding="utf-8") as naive:
        naive.write('{"_default": {')
        for n in range(count):
            day = today - dt.timedelta(days=n // PER_DAY)
            rec = maker.make(day, n % PER_DAY)
            # TinyDB's JSONStorage: json.dumps with default arguments, string document ids from 1.
            naive.write(("" if n == 0 else ", ") + f'"{n + 1}": ' + json.dumps(rec))
            if shard_of(day) != shard:
                flush()
                shard, bucket = shard_of(day), {}
            rec["id"] = f"{shard}.{maker.rng.getrandbits(48):012x}"
            bucket[rec["identity"]] = rec
        naive.write("}}")
    flush()
    first = today - dt.timedelta(days=(count - 1) // PER_DAY)
    return {"days": (today - first).days, "shards": shards}


# --------------------------------------------------------------------------- statistics


def ms(seconds: float) -> float:
    return seconds * 1000


def median_ms(samples: list[float]) -> float:
    return ms(statistics.median(samples))


def p99_ms(samples: list[float]) -> float:
    """Nearest-rank 99th percentile (the maximum when n < 100)."""
    ordered = sorted(samples)
    return ms(ordered[max(0, -(-99 * len(ordered) // 100) - 1)])


def mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*.json")) / 1e6
    return path.stat().st_size / 1e6


# --------------------------------------------------------------------------- 1. submission latency


def bench_size(
    maker: RecordMaker, size: int, today: dt.date, workdir: Path, repeat: int, budget: float
) -> dict:
    ours_dir, naive_path = workdir / "ours", workdir / "naive.json"
    start = time.perf_counter()
    spread = prefill(maker, size, today, ours_dir, naive_path)
    fill = time.perf_counter() - start
    today_shard = ours_dir / "completions" / f"{shard_of(today)}.json"
    in_today = (
        len(json.loads(today_shard.read_text(encoding="utf-8"))["completions"]) if today_shard.exists() else 0
    )

    store = TinyDBCompletionStore(ours_dir)
    ours = []
    for k in range(repeat):
        rec = maker.make(today, k, target_name=f"area:测量-{k:03d}")
        t0 = time.perf_counter()
        _, created = store.save(rec)
        ours.append(time.perf_counter() - t0)
        assert created

    naive_db = TinyDB(naive_path)  # default JSONStorage, default table
    naive, spent = [], 0.0
    for k in range(repeat):
        rec = maker.make(today, k, target_name=f"area:测量-{k:03d}")
        t0 = time.perf_counter()
        naive_db.insert(rec)
        naive.append(time.perf_counter() - t0)
        spent += naive[-1]
        if len(naive) >= 5 and spent > budget:
            break
    naive_db.close()
    assert len(json.loads(naive_path.read_text(encoding="utf-8"))["_default"]) == size + len(naive)

    row = {
        "size": size,
        "ours": ours,
        "naive": naive,
        "ours_mb": mb(ours_dir / "completions"),
        "naive_mb": mb(naive_path),
    }
    print(
        f"{size:>7,} stored: {spread['days']} days in {spread['shards']} daily shards"
        f" ({row['ours_mb']:.0f} MB), today's shard {shard_of(today)} held {in_today:,};"
        f" naive file {row['naive_mb']:.0f} MB; prefill {fill:.1f} s"
    )
    print(f"  ours  save    median {median_ms(ours):9.1f} ms  p99 {p99_ms(ours):9.1f} ms  (n={len(ours)})")
    print(
        f"  naive insert  median {median_ms(naive):9.1f} ms  p99 {p99_ms(naive):9.1f} ms  (n={len(naive)})"
        f"  ratio naive/ours {median_ms(naive) / median_ms(ours):.1f}x"
    )
    return row


# --------------------------------------------------------------------------- 2. concurrency


def _worker(data_dir: str, clients: list[list[dict]], barrier, results) -> None:
    """One worker process: each of its clients is a thread submitting its records in order."""
    store = TinyDBCompletionStore(data_dir)
    out: list[tuple] = []

    def client(records: list[dict]) -> None:
        for rec in records:
            t0 = time.perf_counter()
            try:
                stored, created = store.save(rec)
                row = (rec["identity"], rec["idempotency_key"], stored["id"], created, None)
            except Exception as exc:  # a Conflict or an I/O error is a failure of the run
                row = (rec["identity"], rec["idempotency_key"], None, False, repr(exc))
            out.append(row + (time.perf_counter() - t0,))

    threads = [threading.Thread(target=client, args=(records,)) for records in clients]
    barrier.wait()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def _duplicate_keys(pairs: list[tuple]) -> dict:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"duplicate keys in shard: {len(keys) - len(set(keys))}")
    return dict(pairs)


def bench_concurrency(
    maker: RecordMaker, data_dir: Path, today: dt.date, n_clients: int, workers: int, per_client: int
) -> dict:
    shard_path = data_dir / "completions" / f"{shard_of(today)}.json"
    before = json.loads(shard_path.read_text(encoding="utf-8"))["completions"]

    # Client c submits per_client new checklists; it double-taps every 4th (an immediate retry with
    # the same key) and re-sends every 3rd of the next client's, which runs in another process
    # (a retry that a load balancer routed to a different worker; it may arrive first).
    own = [
        [maker.make(today, j, target_name=f"area:并发-{c:02d}-{j:02d}") for j in range(per_client)]
        for c in range(n_clients)
    ]
    plans = []
    for c in range(n_clients):
        plan = []
        for j, rec in enumerate(own[c]):
            plan.append(rec)
            if j % 4 == 0:
                plan.append(dict(rec))
            if j % 3 == 1 and n_clients > 1:
                plan.append(dict(own[(c + 1) % n_clients][j]))
        plans.append(plan)
    expected = {rec["identity"]: rec["idempotency_key"] for recs in own for rec in recs}
    submitted = sum(len(p) for p in plans)

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers + 1), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(str(data_dir), plans[w::workers], barrier, results))
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    barrier.wait()
    t0 = time.perf_counter()
    outcomes = [row for _ in procs for row in results.get()]
    wall = time.perf_counter() - t0
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0, proc.exitcode

    errors = [row for row in outcomes if row[4]]
    created: dict[str, int] = {}
    ids: dict[str, set] = {}
    for identity, _, record_id, was_created, error, _ in outcomes:
        if not error:
            created[identity] = created.get(identity, 0) + int(was_created)
            ids.setdefault(identity, set()).add(record_id)
    text = shard_path.read_text(encoding="utf-8")
    shard = json.loads(text, object_pairs_hook=_duplicate_keys)["completions"]  # valid JSON, no dup keys
    lost = [i for i in expected if i not in shard]
    wrong_key = [i for i in expected if i in shard and shard[i]["idempotency_key"] != expected[i]]
    created_twice = [i for i, n in created.items() if n != 1]
    id_mismatch = [i for i, s in ids.items() if len(s) != 1 or (i in shard and shard[i]["id"] not in s)]
    unexpected = set(shard) - set(before) - set(expected)
    fresh = TinyDBCompletionStore(data_dir)
    unreadable = [i for i in expected if fresh.get(i) is None]
    leftovers = list((data_dir / "completions").glob(TMP_PREFIX + "*"))
    ok = not (
        errors or lost or wrong_key or created_twice or id_mismatch or unexpected or unreadable or leftovers
    )
    ok = ok and len(shard) == len(before) + len(expected)
    latencies = [row[5] for row in outcomes]

    print(
        f"{n_clients} clients on {workers} worker processes, all into today's shard"
        f" (held {len(before):,} before): {submitted:,} saves"
        f" = {len(expected):,} distinct checklists + {submitted - len(expected):,} retries (same key)"
    )
    print(
        f"  created {sum(created.values()):,}, replayed {sum(not r[3] and not r[4] for r in outcomes):,},"
        f" errors {len(errors)}, lost {len(lost)}, created twice {len(created_twice)},"
        f" id mismatch {len(id_mismatch)}, wrong key {len(wrong_key)}, unexpected {len(unexpected)},"
        f" temp files left {len(leftovers)}"
    )
    print(
        f"  shard valid JSON, {len(shard):,} records = {len(before):,} + {len(expected):,}:"
        f" {'yes' if len(shard) == len(before) + len(expected) else 'NO'};"
        f" every identity stored exactly once: {'OK' if ok else 'FAILED'}"
    )
    print(
        f"  wall {wall:.2f} s, {submitted / wall:.1f} saves/s ({len(expected) / wall:.1f} new checklists/s);"
        f" save under contention median {median_ms(latencies):.1f} ms, p99 {p99_ms(latencies):.1f} ms"
    )
    slow = sum(s > 1 for s in latencies)
    print(
        f"  slowest save {max(latencies):.1f} s; {slow} of {len(latencies)} saves took > 1 s"
        " (waiting for the shard's file lock)"
    )
    if errors:
        print(f"  first error: {errors[0][4]}")
    return {"ok": ok, "wall": wall, "saves": submitted, "distinct": len(expected), "latencies": latencies}


# --------------------------------------------------------------------------- 3. listing


def bench_list(data_dir: Path, today: dt.date, size: int, repeat: int) -> dict:
    start, end = today - dt.timedelta(days=6), today
    cold, warm, found = [], [], 0
    for _ in range(repeat):
        store = TinyDBCompletionStore(data_dir)  # empty shard cache; the OS page cache stays warm
        t0 = time.perf_counter()
        found = len(store.list(start, end))
        cold.append(time.perf_counter() - t0)
    for _ in range(repeat):
        t0 = time.perf_counter()
        assert len(store.list(start, end)) == found
        warm.append(time.perf_counter() - t0)
    print(f"list {start}..{end} at {size:,} stored: {found:,} checklists")
    print(
        f"  cold (fresh store)    median {median_ms(cold):8.2f} ms  p99 {p99_ms(cold):8.2f} ms  (n={repeat})"
    )
    print(
        f"  warm (shards cached)  median {median_ms(warm):8.2f} ms  p99 {p99_ms(warm):8.2f} ms  (n={repeat})"
        f"  ratio cold/warm {median_ms(cold) / median_ms(warm):.0f}x"
    )
    return {"cold": cold, "warm": warm, "found": found}


# --------------------------------------------------------------------------- 4. range cost


def _digest(record: dict) -> dict:
    """A small per-checklist digest, like the reports' (what the warm path returns)."""
    return {"identity": record["identity"], "day": record["day"], "score": record["score"]}


BENCH_FACTS = FactKind("bench", "bench", _digest)


def _old_digests(store: TinyDBCompletionStore, start: dt.date, end: dt.date, version: str) -> list[dict]:
    """The former TinyDBCompletionStore.digests: one shard path and stat per day of the range."""
    found, day = [], start
    while day <= end:
        found += [e["f"] for e in store._facts.entries(store._path(shard_of(day)), BENCH_FACTS)]
        day += dt.timedelta(days=1)
    return found


def _old_list(store: TinyDBCompletionStore, start: dt.date, end: dt.date) -> list[dict]:
    """The former TinyDBCompletionStore.list: one shard path and stat per day of the range."""
    found, day = [], start
    while day <= end:
        found += store._cache.records(store._path(shard_of(day)))
        day += dt.timedelta(days=1)
    return sorted(found, key=lambda r: (r["day"], r["submitted_at"]), reverse=True)


def bench_ranges(maker: RecordMaker, workdir: Path, today: dt.date, per_day: int, repeat: int) -> dict:
    """A year of data (one shard a day) listed over that year vs over ten years (and every day)."""
    shards_dir = workdir / "completions"
    shards_dir.mkdir(parents=True)
    for back in range(365):
        day = today - dt.timedelta(days=back)
        bucket = {}
        for slot in range(per_day):
            rec = maker.make(day, slot)
            rec["id"] = f"{shard_of(day)}.{slot:012x}"
            bucket[rec["identity"]] = rec
        text = json.dumps({"completions": bucket}, ensure_ascii=False, separators=(",", ":"))
        (shards_dir / f"{shard_of(day)}.json").write_text(text, encoding="utf-8")
        (shards_dir / f"{shard_of(day)}.json.lock").touch()  # as saves leave them
    # As in production, where the folder last changed with the last save: a minute ago, not now
    # (a folder changed within the last 3 s is scanned again on every call; measured separately).
    minute_ago = time.time() - 60
    os.utime(shards_dir, (minute_ago, minute_ago))
    year = (today - dt.timedelta(days=364), today)
    decade = (today - dt.timedelta(days=3652), today)
    spans = {"1 year": year, "10 years": decade, "date.min..max": (dt.date.min, dt.date.max)}
    print(
        f"range cost: 365 day shards x {per_day} checklists ({mb(shards_dir):.0f} MB) ending {today};"
        f" 10 years = {(decade[1] - decade[0]).days + 1:,} days,"
        f" date.min..max = {(dt.date.max - dt.date.min).days + 1:,} days"
    )
    warm = TinyDBCompletionStore(workdir, [BENCH_FACTS])
    warm.facts("bench", *year)  # fills the facts files on disk and in memory
    few = max(3, repeat // 3)
    cases: dict[tuple[str, str], tuple] = {}
    for label, span in spans.items():
        cases[label, "digests"] = (lambda span=span: warm.facts("bench", *span), repeat)
        cases[label, "worker"] = (
            lambda span=span: TinyDBCompletionStore(workdir, [BENCH_FACTS]).facts("bench", *span),
            few,
        )
        cases[label, "list"] = (lambda span=span: TinyDBCompletionStore(workdir).list(*span), few)
    for label in ("1 year", "10 years"):
        span = spans[label]
        cases[label, "old digests"] = (lambda span=span: _old_digests(warm, *span, "bench"), repeat)
        cases[label, "old list"] = (lambda span=span: _old_list(TinyDBCompletionStore(workdir), *span), few)
    cases["scan", "scan"] = (lambda: _ShardIndex(shards_dir).shards(dt.date.min, dt.date.max), repeat)
    # Round-robin, so that warm-up and background noise spread over every case alike.
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in cases}
    counts: dict[tuple[str, str], int] = {}
    for r in range(repeat):
        for key, (fn, n) in cases.items():
            if r < n:
                t0 = time.perf_counter()
                counts[key] = len(fn())
                samples[key].append(time.perf_counter() - t0)
    rows: dict[str, dict] = {}
    for (label, what), times in samples.items():
        rows.setdefault(label, {})[what] = (times, counts[label, what])
    scan = rows.pop("scan")["scan"]
    found = {label: row["digests"][1] for label, row in rows.items()}
    assert len(set(found.values())) == 1 and found["1 year"] == 365 * per_day, found
    assert all(row["list"][1] == found["1 year"] for row in rows.values())
    base = {k: median_ms(rows["1 year"][k][0]) for k in ("digests", "worker", "list")}
    for what, key, note in (
        ("digests, warm (same store)", "digests", "old digests"),
        ("digests, new worker (on-disk cache)", "worker", None),
        ("list, fresh store (parses every shard)", "list", "old list"),
    ):
        print(f"  {what}:")
        for label, row in rows.items():
            samples = row[key][0]
            line = (
                f"    {label:>13}  median {median_ms(samples):9.2f} ms  p99 {p99_ms(samples):9.2f} ms"
                f"  (n={len(samples)})  {median_ms(samples) / base[key]:5.2f}x of 1 year"
            )
            if note and note in row:
                old = row[note][0]
                line += f";  former day-by-day loop {median_ms(old):9.2f} ms (n={len(old)})"
            print(line)
    print(
        f"  one folder scan, uncached ({scan[1]} shards + {scan[1]} lock files):"
        f" median {median_ms(scan[0]):.2f} ms (n={len(scan[0])})"
    )
    print("  former loop over date.min..max: not run (3,652,059 stats, then OverflowError at 9999-12-31)")
    return {"rows": rows, "found": found["1 year"], "per_day": per_day, "scan": scan}


def _range_summary(ranges: dict) -> None:
    rows = ranges["rows"]
    y, d, f = (rows[k] for k in ("1 year", "10 years", "date.min..max"))
    print(
        f"range cost, a year of data ({ranges['found']:,} checklists in 365 shards), median ms"
        " for 1 year / 10 years / date.min..max (10 years / 1 year):"
    )
    for what, key, old in (
        ("digests warm", "digests", "old digests"),
        ("digests new worker", "worker", None),
        ("list fresh store", "list", "old list"),
    ):
        a, b, c = (median_ms(r[key][0]) for r in (y, d, f))
        line = f"  {what:<19} {a:9.2f} / {b:9.2f} / {c:9.2f}  ({b / a:.2f}x)"
        if old:
            oa, ob = median_ms(y[old][0]), median_ms(d[old][0])
            line += f";  former loop {oa:9.2f} / {ob:9.2f} / overflow  ({ob / oa:.2f}x)"
        print(line)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="checklists already stored, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=30, help="measured submissions per size (ours)")
    parser.add_argument(
        "--naive-budget",
        type=float,
        default=60,
        help="seconds of naive inserts per size; stops early after at least 5 (at most --repeat)",
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent submitters (0 skips)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes they share")
    parser.add_argument("--per-client", type=int, default=10, help="distinct checklists per client")
    parser.add_argument("--list-repeat", type=int, default=10)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 29))
    parser.add_argument("--range-per-day", type=int, default=20, help="checklists a day in the range case")
    parser.add_argument("--range-repeat", type=int, default=10, help="timed runs per range (0 skips)")
    parser.add_argument("--ranges-only", action="store_true", help="run only the range-cost case")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    maker = RecordMaker()
    rows = []
    conc = listing = ranges = None
    with tempfile.TemporaryDirectory(prefix="bench-storage-", dir="/tmp") as tmp:
        print(f"today {args.today} ({args.today:%A}), {PER_DAY} checklists/day x {ITEMS} items; tmp {tmp}")
        print()
        if args.range_repeat:
            ranges = bench_ranges(
                maker, Path(tmp) / "ranges", args.today, args.range_per_day, args.range_repeat
            )
            shutil.rmtree(Path(tmp) / "ranges")
            print()
        if args.ranges_only:
            if ranges:
                _range_summary(ranges)
            return
        for size in sizes:
            workdir = Path(tmp) / f"size-{size}"
            rows.append(bench_size(maker, size, args.today, workdir, args.repeat, args.naive_budget))
            (workdir / "naive.json").unlink()
            if size != sizes[-1]:
                shutil.rmtree(workdir)
        print()
        last = Path(tmp) / f"size-{sizes[-1]}" / "ours"
        listing = bench_list(last, args.today, sizes[-1], args.list_repeat)
        if args.clients:
            print()
            conc = bench_concurrency(maker, last, args.today, args.clients, args.workers, args.per_client)

    print()
    print(
        "summary: submission latency, ms (ours = TinyDBCompletionStore.save, naive = one TinyDB file insert)"
    )
    head = (
        f"{'stored':>8} | {'ours med':>9} {'ours p99':>9} {'n':>3} | "
        f"{'naive med':>9} {'naive p99':>9} {'n':>3} | {'naive/ours med':>14} {'p99':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        om, op, nm, np_ = median_ms(r["ours"]), p99_ms(r["ours"]), median_ms(r["naive"]), p99_ms(r["naive"])
        print(
            f"{r['size']:>8,} | {om:>9.1f} {op:>9.1f} {len(r['ours']):>3} | "
            f"{nm:>9.1f} {np_:>9.1f} {len(r['naive']):>3} | {nm / om:>13.1f}x {np_ / op:>5.1f}x"
        )
    print(
        f"list one week at {sizes[-1]:,}: cold {median_ms(listing['cold']):.2f} ms,"
        f" warm {median_ms(listing['warm']):.2f} ms ({listing['found']:,} checklists)"
    )
    if ranges:
        _range_summary(ranges)
    if conc:
        print(
            f"concurrency {args.clients} clients / {args.workers} processes: {conc['saves']:,} saves in"
            f" {conc['wall']:.2f} s = {conc['saves'] / conc['wall']:.1f} saves/s;"
            f" integrity {'OK' if conc['ok'] else 'FAILED'}"
        )
        if not conc["ok"]:
            sys.exit(1)


if __name__ == "__main__":
    main()
