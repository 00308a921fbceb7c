"""Benchmark: a handbook release travelling from one app server to another through PostgreSQL.

Builds the real handbook strictly, starts a throw-away durable PostgreSQL cluster, stores the
release from server A's instance folder (archive, hash, record and pointer in one transaction)
and measures what server B pays: its first ``site_dir`` (fetch, hash check, unpack into its own
folder) and the pointer query every worker asks at most once per ``RELOAD_INTERVAL``.

    .venv/bin/python bench/bench_release_travel.py [--pointer-reads 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_transfer import build  # noqa: E402
from checklist_app.storage.pg import upgrade  # noqa: E402
from checklist_app.storage.pg.database import Database  # noqa: E402
from checklist_app.storage.pg.releases import PostgresReleaseStore  # noqa: E402
from checklist_app.storage.releases import PolicyVersion, Release  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pointer-reads", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-release-") as tmp:
        tmp = Path(tmp)
        (tmp / "project").mkdir()
        site = build(tmp / "project")
        sources = tmp / "project" / "handbook"
        files = sum(1 for p in (*site.rglob("*"), *sources.rglob("*")) if p.is_file())
        cluster = Cluster(fast=False).start()
        try:
            url = cluster.url()
            upgrade(url)
            db = Database(url, max_size=2).open()
            a = PostgresReleaseStore(db, tmp / "a" / "releases")
            b = PostgresReleaseStore(db, tmp / "b" / "releases")
            release = Release(
                0,
                "2026-11-23T09:30:00+08:00",
                "bench",
                "bench",
                "",
                (PolicyVersion("x", "X", "1", "h", "x.md"),),
            )
            t0 = time.perf_counter()
            stored = a.create(sources, site, release)
            published = time.perf_counter() - t0
            with db.transaction() as cur:
                cur.execute("SELECT length(archive) FROM releases WHERE number = %s", (stored.number,))
                size = cur.fetchone()[0]
            t0 = time.perf_counter()
            b.site_dir(stored.number)
            unpacked = time.perf_counter() - t0
            reads = []
            for _ in range(args.pointer_reads):
                t0 = time.perf_counter()
                b.pointer()
                reads.append(time.perf_counter() - t0)
            db.close()
        finally:
            cluster.stop()
            cluster.remove()
    print(
        f"release of the real handbook: {files} files, archive {size / 1e6:.1f} MB; "
        f"stored by server A in {published:.2f} s (pack, hash, one transaction); "
        f"server B's first use {unpacked:.2f} s (fetch, hash check, unpack); "
        f"pointer read median {statistics.median(reads) * 1000:.2f} ms "
        f"(n={len(reads)}, p99 {sorted(reads)[int(len(reads) * 0.99) - 1] * 1000:.2f} ms)"
    )


if __name__ == "__main__":
    main()
