"""Benchmark: PostgreSQL with many completed checklists beside TinyDB with a tenth of them, in one run.

Builds a year of completed checklists from the real handbook with the app's own code
(bench_reports.year_of_records: generation, answer validation, scoring), writes them as
TinyDB day shards, and loads ``--copies`` times as many into a throw-away PostgreSQL
cluster (each record again under its own identity and id; durable settings: fsync on).
Then, for both backends, in the same run:

- submitting one new checklist (``save``: median and p99 of ``--submits``);
- throughput of ``--clients`` concurrent clients on ``--workers`` processes (saves/s);
- the report pages a manager opens, through the Flask test client, for a newly started
  worker (a fresh app made as gunicorn's worker makes it: ``create_app`` and ``worker.ready``,
  neither timed): weekly ranking, monthly ledger, dashboard. PostgreSQL is timed
  with its own cache warm and cold (the cluster restarted just before); TinyDB with its
  facts files on disk (what a new gunicorn worker has).

    .venv/bin/python bench/bench_postgres.py [--tinydb 100000] [--copies 10] [--submits 200]
        [--clients 50] [--workers 4] [--per-client 10] [--repeat 3] [--today 2026-11-28] [--copy]
        [--keep FOLDER] [--pages-only]

``--keep`` builds the data once into FOLDER (cluster included) and reuses it on later runs, so
report pages can be timed again after a code change without loading a million checklists again.

Smoke run: ``.venv/bin/python bench/bench_postgres.py --tinydb 2000 --copies 2 --submits 30 --clients 8``
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import PASSWORD, year_of_records  # noqa: E402

from checklist_app import create_app, publishing, worker  # noqa: E402
from checklist_app.auth import make_user  # noqa: E402
from checklist_app.storage import open_storage  # noqa: E402
from checklist_app.storage.copy import copy_storage  # noqa: E402
from checklist_app.storage.pg import upgrade  # noqa: E402
from generator import load_handbook  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402


def ms(seconds: float) -> float:
    return seconds * 1000


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def open_location(location: str):
    if location.startswith("postgresql://"):
        return open_storage("postgresql", "", database_url=location, max_size=16)
    return open_storage("tinydb", location)


def build(handbook, tiny: Path, url: str, total: int, copies: int, today: dt.date) -> dict:
    """A year of ``total`` checklists as TinyDB day shards, and ``copies`` times as many in PostgreSQL.

    Each record is generated once with the app's code; PostgreSQL gets it ``copies`` times,
    each under its own identity and id (bulk ``save_many``, facts written in the same transaction).
    """
    shards = tiny / "completions"
    shards.mkdir(parents=True)
    store = open_location(url)
    made = {"tinydb": 0, "mb": 0.0, "postgres": 0, "generate": 0.0, "load": 0.0}
    t0 = time.perf_counter()
    for day, bucket in year_of_records(handbook, total, today):
        made["generate"] += time.perf_counter() - t0
        text = json.dumps({"completions": bucket}, ensure_ascii=False, separators=(",", ":"))
        (shards / f"{day.isoformat()}.json").write_text(text, encoding="utf-8")
        made["tinydb"] += len(bucket)
        made["mb"] += len(text.encode()) / 1e6
        t1 = time.perf_counter()
        batch = []
        for copy in range(copies):
            for record in bucket.values():
                batch.append(
                    dict(
                        record,
                        identity=f"{record['identity']}|x{copy}",
                        id=f"{day.isoformat()}.{uuid.uuid4().hex[:12]}",
                        idempotency_key=uuid.uuid4().hex,
                    )
                )
                if len(batch) == 2000:
                    made["postgres"] += store.completions.save_many(batch)
                    batch = []
        made["postgres"] += store.completions.save_many(batch)
        made["load"] += time.perf_counter() - t1
        t0 = time.perf_counter()
    t1 = time.perf_counter()
    while store.completions.fold(50_000):  # the report rollups, as `storage copy` does after a load
        pass
    made["load"] += time.perf_counter() - t1
    store.close()
    return made


def new_record(template: dict, day: dt.date, tag: str) -> dict:
    return dict(
        template,
        identity=f"{template['identity']}|new-{tag}",
        id=f"{day.isoformat()}.{uuid.uuid4().hex[:12]}",
        idempotency_key=uuid.uuid4().hex,
        day=day.isoformat(),
    )


def submit_latency(location: str, template: dict, today: dt.date, count: int) -> list[float]:
    store = open_location(location)
    samples = []
    run = uuid.uuid4().hex[:6]  # a kept database is submitted to again
    for n in range(count):
        record = new_record(template, today, f"lat-{run}-{n}")
        t0 = time.perf_counter()
        store.completions.save(record)
        samples.append(time.perf_counter() - t0)
    store.close()
    return samples


def _worker(
    location: str, template: dict, today: str, clients: int, per_client: int, name: str, barrier, out
):
    store = open_location(location)
    day = dt.date.fromisoformat(today)
    errors = []

    def client(c: int) -> None:
        for n in range(per_client):
            try:
                store.completions.save(new_record(template, day, f"{name}-{c}-{n}"))
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                errors.append(repr(exc))

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((time.perf_counter() - t0, len(errors)))
    store.close()


def throughput(location: str, template: dict, today: dt.date, clients: int, workers: int, per_client: int):
    """Saves per second of ``clients`` threads spread over ``workers`` processes, and errors."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    per_worker = [clients // workers + (1 if w < clients % workers else 0) for w in range(workers)]
    procs = [
        ctx.Process(
            target=_worker,
            args=(
                location,
                template,
                today.isoformat(),
                n,
                per_client,
                f"w{w}{uuid.uuid4().hex[:4]}",
                barrier,
                out,
            ),
        )
        for w, n in enumerate(per_worker)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(r[0] for r in results)
    return clients * per_client / wall, sum(r[1] for r in results)


def report_client(config: dict):
    """A newly started worker as gunicorn makes one (checklist_app.wsgi: create_app, then worker.ready)."""
    gc.unfreeze()  # the previous "worker" of this process may be collected
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "RELOAD_INTERVAL": 3600, "WTF_CSRF_ENABLED": False, **config}
    )
    worker.ready(app)
    client = app.test_client()
    client.post("/login", data={"username": "boss", "password": PASSWORD})
    return app, client


def published(config: dict) -> None:
    """Publish the real handbook as release 1 unless the app has one (pages answer 503 before)."""
    app, _ = report_client(config)
    with app.app_context():
        releases = app.extensions["checklist_releases"]
        if releases.pointer() is None:
            publishing.publish(
                releases,
                app.extensions["checklist_storage"],
                app.extensions["checklist_clock"],
                Path(app.config["HANDBOOK_DIR"]),
                Path(app.config["MKDOCS_CONFIG"]),
                None,
                "bench",
            )
    app.extensions["checklist_storage"].close()


def page_times(config: dict, pages: dict[str, str], repeat: int) -> dict[str, float]:
    """Each page's first request in a fresh app (a newly started worker), median of ``repeat``."""
    found = {}
    for name, path in pages.items():
        samples = []
        for _ in range(repeat):
            app, client = report_client(config)
            t0 = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (name, response.status_code)
            app.extensions["checklist_storage"].close()
        found[name] = statistics.median(samples)
    return found


def copy_round_trip(cluster, tiny: Path, workdir: Path) -> None:
    """`storage copy` of the TinyDB folder into a fresh database and back, verified by counts and hashes."""
    cluster.psql("CREATE DATABASE copied")
    target_url = cluster.url("copied")
    upgrade(target_url)
    source, target = open_location(str(tiny)), open_location(target_url)
    t0 = time.perf_counter()
    there = copy_storage(source, target)
    forth = time.perf_counter() - t0
    back_dir = workdir / "back"
    back = open_location(str(back_dir))
    t0 = time.perf_counter()
    home = copy_storage(target, back)
    backward = time.perf_counter() - t0
    same = {p.name: p.source_hash for p in there} == {p.name: p.target_hash for p in home}
    records = next(p for p in there if p.name == "completions")
    print(
        f"storage copy: {records.source:,} checklists TinyDB -> PostgreSQL in {forth:.0f} s, back in "
        f"{backward:.0f} s; every part verified: {all(p.ok for p in there + home)}; "
        f"the folder that came back hashes like the original: {same}"
    )
    for store in (source, target, back):
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tinydb", type=int, default=100_000, help="checklists in TinyDB")
    parser.add_argument("--copies", type=int, default=10, help="PostgreSQL holds this many times as many")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--today", default="2026-11-28")
    parser.add_argument("--copy", action="store_true", help="also time `storage copy` there and back")
    parser.add_argument(
        "--keep", type=Path, help="build the data in this folder and keep it; a later run with it reuses it"
    )
    parser.add_argument("--pages-only", action="store_true", help="time only the report pages")
    args = parser.parse_args()
    today = dt.date.fromisoformat(args.today)
    handbook = load_handbook(ROOT / "handbook", today=today)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-postgres-"))
    workdir.mkdir(parents=True, exist_ok=True)
    built = workdir / "built.json"
    # durable: fsync and synchronous commit as in production
    if args.keep:
        (workdir / "pg").mkdir(exist_ok=True)
    cluster = Cluster(workdir / "pg" if args.keep else None, fast=False).start()
    try:
        url = cluster.url()
        upgrade(url)  # a kept database gets the code's new migrations
        tiny = workdir / "tinydb"
        if built.exists():
            made = json.loads(built.read_text())
            print(f"reusing the data built in {workdir}")
        else:
            made = build(handbook, tiny, url, args.tinydb, args.copies, today)
            if args.keep:
                built.write_text(json.dumps(made))
        loaded = made["postgres"]
        size = cluster.psql("SELECT pg_size_pretty(pg_database_size('postgres'))").strip()
        print(
            f"generated {made['tinydb']:,} checklists with the app's code in {made['generate']:.0f} s "
            f"(TinyDB: {made['mb']:.0f} MB of day shards)"
        )
        print(
            f"PostgreSQL: {loaded:,} loaded in {made['load']:.0f} s ({loaded / made['load']:,.0f}/s, "
            f"facts included), database {size}"
        )
        for location in (str(tiny), url):
            store = open_location(location)
            store.users.put(make_user("boss", PASSWORD, "owner", "部门经理", "经理"))
            template = store.completions.list(today, today)[0]
            store.close()

        if args.copy:
            copy_round_trip(cluster, tiny, workdir)

        rows = {}
        for label, location in (("TinyDB", str(tiny)), ("PostgreSQL", url)):
            if args.pages_only:
                rows[label] = {"median": 0, "p99": 0, "rate": 0, "errors": 0}
                continue
            lat = submit_latency(location, template, today, args.submits)
            rate, errors = throughput(location, template, today, args.clients, args.workers, args.per_client)
            rows[label] = {"median": statistics.median(lat), "p99": p99(lat), "rate": rate, "errors": errors}

        month = today.strftime("%Y-%m")
        pages = {
            "weekly ranking": f"/reports/rankings?policy=office-hygiene&date={today.isoformat()}",
            "monthly ledger": f"/reports/ledger?month={month}",
            "dashboard": f"/reports/?date={today.isoformat()}",
        }
        published({"DATA_DIR": str(tiny)})
        page_times({"DATA_DIR": str(tiny)}, pages, 1)  # facts files for every day, as a running server has
        tiny_pages = page_times({"DATA_DIR": str(tiny)}, pages, args.repeat)
        pg_config = {"DATA_DIR": str(workdir / "unused"), "DATABASE_URL": url}
        published(pg_config)
        page_times(pg_config, pages, 1)
        warm = page_times(pg_config, pages, args.repeat)
        cold = {}
        for name, path in pages.items():
            samples = []
            for _ in range(args.repeat):
                cluster.restart()
                samples.append(page_times(pg_config, {name: path}, 1)[name])
            cold[name] = statistics.median(samples)

        pg_count = int(cluster.psql("SELECT count(*) FROM completions").strip())
        print()
        print(f"{'':<34} {'TinyDB':>16} {'PostgreSQL':>16}")
        tiny_count = sum(  # every record is one line of its day shard's JSON object
            len(json.loads(p.read_text(encoding="utf-8")).get("completions", {}))
            for p in (tiny / "completions").glob("*.json")
        )
        print(f"{'completed checklists stored':<34} {tiny_count:>16,} {pg_count:>16,}")
        for key, title in (("median", "submit median (ms)"), ("p99", "submit p99 (ms)")):
            print(f"{title:<34} {ms(rows['TinyDB'][key]):>16.1f} {ms(rows['PostgreSQL'][key]):>16.1f}")
        title = f"{args.clients} clients on {args.workers} workers (saves/s)"
        print(f"{title:<34} {rows['TinyDB']['rate']:>16.0f} {rows['PostgreSQL']['rate']:>16.0f}")
        print(f"{'  errors':<34} {rows['TinyDB']['errors']:>16} {rows['PostgreSQL']['errors']:>16}")
        for name in pages:
            tiny_ms, warm_ms, cold_ms = ms(tiny_pages[name]), ms(warm[name]), ms(cold[name])
            both = f"{warm_ms:.0f} warm / {cold_ms:.0f} cold"
            print(f"{name + ', new worker (ms)':<34} {tiny_ms:>16.0f} {both:>16}")
        print(
            f"(medians; pages n={args.repeat}, submits n={args.submits}; PostgreSQL cold = cluster restarted)"
        )
    finally:
        try:
            cluster.stop()
        finally:
            if not args.keep:
                cluster.remove()
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
