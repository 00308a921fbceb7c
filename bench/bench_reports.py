"""Benchmark: report pages over a year of data (100,000 completed checklists).

Builds a year of completed checklists from the real handbook with the app's own code
(generation, answer validation, scoring), writes them as the TinyDB day shards the app
reads, then renders through the Flask test client, signed in as a manager:

- the weekly ranking page of the hygiene score sheet (办公卫生检查评分制度);
- the monthly penalty ledger (reads the year to date: the 3-violation flag counts the year);
- the dashboard (12 weeks of compliance, this month's failures, 12 months of fines).

Each page is timed cold (fresh app, no digest cache on disk: every record of the period is
parsed), disk-warm (fresh app, digests cached on disk by an earlier run: a new worker
process) and warm (same app, repeated). The baseline, measured in the same run, is the same
ledger computed the naive way: read every full record of the year with ``list()`` and digest
it on each request, which is what the page would cost without the digest cache.

    .venv/bin/python bench/bench_reports.py [--checklists 100000] [--repeat 10] [--today 2026-11-28]

Smoke run: ``.venv/bin/python bench/bench_reports.py --checklists 3000 --repeat 3``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checklist_app import create_app, services  # noqa: E402
from checklist_app.auth import make_user  # noqa: E402
from checklist_app.generation import Target  # noqa: E402
from checklist_app.reporting import facts  # noqa: E402
from checklist_app.reporting.ledger import month_ledger  # noqa: E402
from checklist_app.storage import open_storage  # noqa: E402
from checklist_app.storage.aggregates import penalty_lines  # noqa: E402
from checklist_app.storage.tinydb_store import shard_of  # noqa: E402
from generator import load_handbook  # noqa: E402

PEOPLE = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷", "徐丽", "孙浩"]
NOTES = ["", "", "", "已提醒", "已拍照留存，当班整改", "抽查三处，两处不合格"]
PASSWORD = "bench-pass-1"


def ms(seconds: float) -> float:
    return seconds * 1000


def templates(handbook, day: dt.date) -> list:
    """The checklists a team completes on ``day``: every department's hygiene sheet, then role checks."""
    found = [
        services.generate(handbook, "daily", day.isoformat(), Target("department", d.name), "行政专员")
        for d in handbook.reference.departments
    ]
    for role in handbook.reference.roles:
        for checker in ("部门经理", "客服主管", "仓储主管", "运营主管", "人事专员"):
            checklist = services.generate(
                handbook, "daily", day.isoformat(), Target("role", role.name), checker
            )
            if checklist.items:
                found.append(checklist)
    return [c for c in found if c.items]


def reading_for(item: dict, ok: bool) -> dict:
    """A measured value for an item that asks for one (读数): within its limit when ``ok``."""
    spec = item.get("reading")
    if not spec:
        return {}
    low, high = spec["low"], spec["high"]
    if low is not None and high is not None:
        value = (low + high) / 2 if ok else high + 1
    elif high is not None:
        value = high - 1 if ok else high + 1
    else:
        value = low + 1 if ok else low - 1
    return {"reading": f"{value:g}"}


def answers_for(rng: random.Random, snapshot: dict) -> dict:
    answers = {}
    for item in snapshot["items"]:
        roll = rng.random()
        if roll < 0.88:
            answers[item["key"]] = {
                "result": "pass",
                "note": NOTES[rng.randrange(len(NOTES))],
                **reading_for(item, True),
            }
        elif roll < 0.96:
            answers[item["key"]] = {
                "result": "fail",
                "responsible": PEOPLE[rng.randrange(len(PEOPLE))],
                "count": str(1 + int(rng.random() < 0.25) * rng.randrange(1, 4)),
                "note": NOTES[rng.randrange(len(NOTES))],
                **reading_for(item, False),
            }
        else:
            answers[item["key"]] = {"result": "na"}
    return answers


def generate(handbook, data_dir: Path, total: int, today: dt.date, seed: int = 7) -> dict:
    """Write ``total`` completed checklists over the 365 days ending ``today``, as day shards."""
    shards = data_dir / "completions"
    shards.mkdir(parents=True)
    written, size, days = 0, 0, 0
    for day, bucket in year_of_records(handbook, total, today, seed):
        text = json.dumps({"completions": bucket}, ensure_ascii=False, separators=(",", ":"))
        (shards / f"{shard_of(day)}.json").write_text(text, encoding="utf-8")
        written += len(bucket)
        size += len(text.encode("utf-8"))
        days += 1
    return {"checklists": written, "days": days, "mb": size / 1e6}


def year_of_records(handbook, total: int, today: dt.date, seed: int = 7):
    """``(day, {identity: record})`` for the 365 days ending ``today``: ``total`` checklists, oldest first."""
    rng = random.Random(seed)
    days = [today - dt.timedelta(days=n) for n in range(364, -1, -1)]
    per_day = [total // len(days) + (1 if n < total % len(days) else 0) for n in range(len(days))]
    by_weekday: dict[int, list] = {}
    for day, count in zip(days, per_day, strict=True):
        if day.weekday() not in by_weekday:
            by_weekday[day.weekday()] = templates(handbook, day)
        pool = by_weekday[day.weekday()]
        bucket = {}
        for n in range(count):
            base = pool[n % len(pool)]
            # Each checklist identity once a day: repeats of a template get their own target suffix.
            snapshot = {
                "snapshot_id": base.snapshot_id,
                "identity": f"daily|{day.isoformat()}|{base.target.slug}|{base.scope}|{n // len(pool)}",
                "kind": "daily",
                "period": day.isoformat(),
                "target": {"kind": base.target.kind, "name": base.target.name},
                "scope": base.scope,
                "items": [dict(vars(i)) for i in base.items],
                "sheets": list(base.sheets),
            }
            clean = services.clean_answers(snapshot, answers_for(rng, snapshot), 500)
            items = services.validate_answers(snapshot, clean)
            minute = 9 * 60 + n * 540 // max(1, count)
            record = {
                "identity": snapshot["identity"],
                "idempotency_key": uuid.UUID(int=rng.getrandbits(128)).hex,
                "id": f"{shard_of(day)}.{rng.getrandbits(48):012x}",
                "snapshot_id": snapshot["snapshot_id"],
                "kind": "daily",
                "period": day.isoformat(),
                "day": day.isoformat(),
                "target": snapshot["target"],
                "scope": snapshot["scope"],
                "inspector": "bench",
                "inspector_name": PEOPLE[n % len(PEOPLE)],
                "submitted_at": f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00",
                "items": items,
                "sheets": snapshot["sheets"],
            }
            record["score"] = services.score(record)
            record["scores"] = services.scores(record)
            bucket[record["identity"]] = record
        yield day, bucket


def app_for(data_dir: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATA_DIR": str(data_dir),
            "RELOAD_INTERVAL": 3600,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        open_storage("tinydb", data_dir).users.put(make_user("boss", PASSWORD, "owner", "部门经理", "经理"))
    client = app.test_client()
    client.post("/login", data={"username": "boss", "password": PASSWORD})
    return client


def timed_get(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    response.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checklists", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--today", default="2026-11-28")
    args = parser.parse_args()
    today = dt.date.fromisoformat(args.today)
    handbook = load_handbook(ROOT / "handbook", today=today)
    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        data_dir = workdir / "data"
        start = time.perf_counter()
        made = generate(handbook, data_dir, args.checklists, today)
        print(
            f"generated {made['checklists']:,} completed checklists over {made['days']} days "
            f"({made['mb']:.0f} MB of shards) in {time.perf_counter() - start:.1f} s"
        )
        month = today.strftime("%Y-%m")
        pages = {
            "weekly ranking": f"/reports/rankings?policy=office-hygiene&date={today.isoformat()}",
            "monthly ledger": f"/reports/ledger?month={month}",
            "dashboard": f"/reports/?date={today.isoformat()}",
        }
        results: dict[str, dict[str, float]] = {}
        for name, path in pages.items():
            shutil.rmtree(data_dir / "facts", ignore_errors=True)
            cold = timed_get(app_for(data_dir), path)
            disk = statistics.median(
                timed_get(app_for(data_dir), path) for _ in range(max(3, args.repeat // 3))
            )
            client = app_for(data_dir)
            timed_get(client, path)
            warm = statistics.median(timed_get(client, path) for _ in range(args.repeat))
            results[name] = {"cold": cold, "disk": disk, "warm": warm}

        # Baseline: the same ledger without digests, reading every full record of the year to date
        # (one day at a time, so memory stays flat), in a fresh store as a new worker would.
        year_start = today.replace(month=1, day=1)
        naive = []
        for _ in range(max(1, args.repeat // 5)):
            store = open_storage("tinydb", data_dir)
            t0 = time.perf_counter()
            digests = []
            day = year_start
            while day <= today:
                digests += [facts.digest(r) for r in store.completions.list(day, day)]
                day += dt.timedelta(days=1)
            ledger = month_ledger(handbook, month, penalty_lines(digests))
            naive.append(time.perf_counter() - t0)
        baseline = statistics.median(naive)
        print(
            f"ledger {month}: {len(ledger.lines)} lines, {len(ledger.people)} people, "
            f"total {ledger.total:,.0f} 元"
        )
        print()
        print(f"{'page':<16} {'cold':>10} {'new worker':>11} {'warm':>10}   (median ms; cold = one run)")
        for name, r in results.items():
            print(f"{name:<16} {ms(r['cold']):>10.1f} {ms(r['disk']):>11.1f} {ms(r['warm']):>10.1f}")
        print()
        print(f"baseline: ledger from full records, no digests: {ms(baseline):.1f} ms (median)")
        ledger_warm = results["monthly ledger"]["warm"]
        ledger_disk = results["monthly ledger"]["disk"]
        print(
            f"ratio baseline / ledger page, warm: {baseline / ledger_warm:.0f}x; "
            f"new worker: {baseline / ledger_disk:.1f}x"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
