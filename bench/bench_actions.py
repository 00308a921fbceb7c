"""Benchmark: corrective actions (整改) at a large team's scale, TinyDB/file and PostgreSQL in one run.

Generates ``-n`` actions (default 100,000) like the ones the app opens, one per failed item,
spread over the year before ``--today``, most of them verified long ago and the recent ones
still open or fixed, and loads the same actions into a TinyDB data folder (``actions.json``)
and a throw-away PostgreSQL cluster (durable settings). Then, per backend, medians of
``--repeat`` runs of what the app does on each page:

- ``to_recheck``: the 复查 items of one checklist an inspector opens (the hot path, on a phone);
- ``summary``: the dashboard's 整改 card (open, overdue, the oldest open);
- ``existing_ids``: which of 100 ledger lines have an action (the ledger page's links);
- ``by_record``: the actions of one record (the record page);
- ``plan_actions``'s read: the actions due by today (the daily 整改 reminder);
- ``all()``: every action, decoded, as every one of these read before (the baseline);
- ``open_many``: opening one failed checklist's action (TinyDB writes the whole file).

Each backend is timed in a fresh process state: TinyDB's first call after a change parses
actions.json again (shown as "first"), later calls reuse it while the file is unchanged.

    .venv/bin/python bench/bench_actions.py [-n 100000] [--repeat 20] [--today 2026-11-28] [--no-pg]

Smoke run: ``.venv/bin/python bench/bench_actions.py -n 2000 --repeat 3``
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checklist_app import actions  # noqa: E402
from checklist_app.storage import open_storage  # noqa: E402
from checklist_app.storage.pg import upgrade  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402

DEPARTMENTS = ["客服部", "仓储部", "运营部", "市场部", "财务部", "技术部", "采购部", "人事部"]
KINDS = ["daily", "daily", "daily", "weekly"]  # most checklists are daily ones
SCOPES = ["self", "lead", "manager"]


def make_actions(n: int, today: dt.date, seed: int = 7) -> list[dict]:
    """``n`` actions as the app stores them, found over the year before ``today``, oldest first.

    Found more than 30 days ago: verified (a few still fixed); the last 30 days: a mix of
    open, fixed and verified, so a checklist has a handful to re-check.
    """
    rng = random.Random(seed)
    targets = [("department", d) for d in DEPARTMENTS] + [
        ("role", f"{d}岗位{k}") for d in DEPARTMENTS for k in range(20)
    ]
    found_days = sorted(today - dt.timedelta(days=rng.randrange(1, 366)) for _ in range(n))
    made = []
    for number, found in enumerate(found_days):
        kind, (target_kind, name) = rng.choice(KINDS), rng.choice(targets)
        department = name[:3]
        record_id = f"{found.isoformat()}.{rng.getrandbits(48):012x}"
        age = (today - found).days
        if age > 30:
            status = "fixed" if rng.random() < 0.01 else "verified"
        else:
            status = rng.choices(["open", "fixed", "verified"], [0.4, 0.2, 0.4])[0]
        at = f"{found.isoformat()}T09:{number % 60:02d}:00+08:00"
        history = [{"kind": "open", "at": at, "by": "li", "by_name": "李明", "note": ""}]
        if status != "open":
            history.append({"kind": "fix", "at": at, "by": "wang", "by_name": "王强", "note": "已更换"})
        if status == "verified":
            history.append({"kind": "verify", "at": at, "by": "li", "by_name": "李明", "note": ""})
        key = f"hy-{number % 40:02d}"
        made.append(
            {
                "id": f"{record_id}#{key}",
                "record_id": record_id,
                "item_key": key,
                "kind": kind,
                "target": {"kind": target_kind, "name": name},
                "scope": rng.choice(SCOPES),
                "check_id": key,
                "policy_id": f"policy-{number % 12}",
                "policy_title": f"制度{number % 12}",
                "clause_id": f"c{number % 30}",
                "clause_title": "工位整洁",
                "clause_url": f"/handbook/policy-{number % 12}/#c{number % 30}",
                "text": "工位桌面无杂物，显示器无便签",
                "note": "桌面有外卖盒" if number % 3 else "",
                "photos": [],
                "responsible": "张三",
                "responsible_id": f"p{number % 500:012d}",
                "inspector": "li",
                "inspector_name": "李明",
                "department": department,
                "owner_role": "部门经理",
                "found_on": found.isoformat(),
                "due_on": (found + dt.timedelta(days=3)).isoformat(),
                "status": status,
                "history": history,
                "rev": len(history),
            }
        )
    return made


def median_ms(call, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def timed(label: str, storage, made: list[dict], today: dt.date, repeat: int) -> dict[str, float]:
    found = {}
    for name, call in cases(storage, made, today).items():
        found[name] = median_ms(call, repeat)
        print(f"  {label:14} {name:40} {found[name]:10.2f} ms", flush=True)
    return found


def cases(storage, made: list[dict], today: dt.date) -> dict:
    """What each page reads, as the app calls it."""
    rng = random.Random(11)
    numbers = itertools.count(rng.getrandbits(40))
    recent = [a for a in made if a["status"] != "verified"][-1]
    slug = f"{recent['target']['kind']}:{recent['target']['name']}"
    refs = [a["id"] for a in rng.sample(made, 50)] + [f"{a['record_id']}#none" for a in made[:50]]
    record_id = made[len(made) // 2]["record_id"]
    return {
        "to_recheck (one checklist opened)": lambda: actions.to_recheck(
            storage, recent["kind"], slug, recent["scope"], today
        ),
        "summary (dashboard card)": lambda: actions.summary(storage, today),
        "existing_ids (100 ledger refs)": lambda: actions.existing_ids(storage, refs),
        "by_record (record page)": lambda: actions.by_record(storage, record_id),
        "due (daily reminder's read)": lambda: actions.due(storage, today),
        "all() (baseline)": lambda: storage.actions.all(),
        "open_many (one failed checklist)": lambda: storage.actions.open_many(
            [{**recent, "id": f"{today.isoformat()}.{next(numbers):012x}#new", "status": "open"}]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="actions (default 100,000)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--today", default="2026-11-28")
    parser.add_argument("--no-pg", action="store_true", help="TinyDB/file only")
    args = parser.parse_args()
    today = dt.date.fromisoformat(args.today)
    start = time.perf_counter()
    made = make_actions(args.n, today)
    waiting = sum(1 for a in made if a["status"] != "verified")
    took = time.perf_counter() - start
    print(f"{len(made):,} actions ({waiting:,} not verified) generated in {took:.1f} s")
    results: dict[str, dict[str, float]] = {}
    workdir = Path(tempfile.mkdtemp(prefix="bench-actions-"))
    try:
        tiny = open_storage("tinydb", workdir / "tinydb")
        tiny.actions.load(made)
        size = (workdir / "tinydb" / "actions.json").stat().st_size / 1e6
        print(f"TinyDB/file: actions.json {size:.0f} MB")
        fresh = open_storage("tinydb", workdir / "tinydb")  # a new worker: nothing parsed yet
        results["tinydb first"] = timed("tinydb first", fresh, made, today, 1)
        results["tinydb"] = timed("tinydb", tiny, made, today, args.repeat)
        tiny.close()
        fresh.close()

        if not args.no_pg:
            cluster = Cluster(fast=False).start()
            try:
                url = cluster.url()
                upgrade(url)
                pg = open_storage("postgresql", "", database_url=url)
                start = time.perf_counter()
                pg.actions.load(made)
                print(f"PostgreSQL: loaded in {time.perf_counter() - start:.0f} s")
                cluster.psql("VACUUM ANALYZE actions")
                results["postgresql"] = timed("postgresql", pg, made, today, args.repeat)
                pg.close()
            finally:
                cluster.stop()
                cluster.remove()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # 1 KB an action

    columns = list(results)
    print()
    print(f"{'median ms, ' + format(len(made), ',') + ' actions':40}" + "".join(f"{c:>14}" for c in columns))
    for name in next(iter(results.values())):
        print(f"{name:40}" + "".join(f"{results[c][name]:14.2f}" for c in columns))


if __name__ == "__main__":
    main()
