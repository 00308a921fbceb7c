"""Benchmark: time to render today's checklists, one checklist and the history list.

Uses the real handbook and a TinyDB data folder pre-filled with completed checklists
(150 a day over the last ``--days`` days), through Flask's test client (no network).
Prints medians and p99 over ``--repeat`` requests, and the ratio against a
baseline measured in the same run (the sign-in page, which touches no model or data).

    .venv/bin/python bench/bench_pages.py [--days 30] [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checklist_app import create_app  # noqa: E402
from checklist_app.auth import make_user  # noqa: E402
from checklist_app.extensions import storage  # noqa: E402


def prefill(data_dir: Path, days: int, per_day: int = 150) -> int:
    """Write completed checklists straight into the daily shard files."""
    shards = data_dir / "completions"
    shards.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    count = 0
    for back in range(days):
        day = (today - dt.timedelta(days=back)).isoformat()
        docs = {}
        for n in range(per_day):
            identity = f"daily|{day}|role:r{n}|*"
            items = [
                {
                    "key": f"c{i}",
                    "check_id": f"c{i}",
                    "policy_id": "p",
                    "policy_title": "制度",
                    "policy_version": "1.0",
                    "clause_id": "c",
                    "clause_title": "条款",
                    "clause_hash": "h",
                    "check_hash": "h",
                    "clause_url": "x/#c",
                    "text": "检查内容" * 4,
                    "shift": None,
                    "fine": 50,
                    "points": None,
                    "result": "fail" if i == 0 else "pass",
                    "note": "备注",
                    "responsible": "小李" if i == 0 else "",
                }
                for i in range(15)
            ]
            docs[identity] = {
                "identity": identity,
                "idempotency_key": f"k{day}{n}",
                "id": f"{day}.{n:012x}",
                "kind": "daily",
                "period": day,
                "day": day,
                "target": {"kind": "role", "name": f"r{n}"},
                "scope": "*",
                "inspector": "admin",
                "inspector_name": "Admin",
                "submitted_at": f"{day}T10:00:00",
                "items": items,
                "score": {
                    "value": 93.3,
                    "max": 100,
                    "passed": 14,
                    "failed": 1,
                    "not_applicable": 0,
                    "fines": 50,
                },
            }
            count += 1
        (shards / f"{day}.json").write_text(
            json.dumps({"completions": docs}, ensure_ascii=False), encoding="utf-8"
        )
    return count


def timed(client, path: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        stored = prefill(data, args.days)
        config = {
            "DATA_DIR": str(data),
            "SECRET_KEY": "bench",
            "RELOAD_INTERVAL": 2,
            "HANDBOOK_DIR": str(ROOT / "handbook"),
        }
        # The temporary instance has no release: publish the handbook first, as `make run` does.
        published = create_app(config).test_cli_runner().invoke(args=["publish", "--if-none"])
        assert published.exit_code == 0, published.output
        app = create_app(config)
        with app.app_context():
            storage().users.put(make_user("admin", "bench-password", "admin"))
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": "admin", "password": "bench-password", "csrf_token": token})
        today = dt.date.today().isoformat()
        pages = [
            ("sign-in page (baseline)", "/login"),
            ("today's checklists (all targets)", "/"),
            ("one daily checklist (部门：客服部)", f"/checklists/daily/{today}/department:客服部"),
            ("history, last 30 days", "/history"),
        ]
        print(f"real handbook, {stored:,} completed checklists stored over {args.days} days")
        base = None
        for label, path in pages:
            client.get(path)  # warm caches, as a running server has them
            samples = timed(client, path, args.repeat)
            med = statistics.median(samples) * 1000
            p99 = sorted(samples)[max(0, int(len(samples) * 0.99) - 1)] * 1000
            base = base or med
            print(
                f"{label:36s} median {med:8.1f} ms  p99 {p99:8.1f} ms  (n={len(samples)})"
                f"  ratio {med / base:6.1f}x baseline"
            )


if __name__ == "__main__":
    main()
