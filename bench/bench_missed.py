"""未完成 on the real handbook: how long working out a month's due checklists takes (cold and warm).

Run: .venv/bin/python bench/bench_missed.py. Prints the count of due slots and the medians.
Timings are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checklist_app.clock import FrozenClock  # noqa: E402
from checklist_app.reporting import missed  # noqa: E402
from generator.loader import load_handbook  # noqa: E402

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
GRACE = dt.timedelta(minutes=120)


def main() -> None:
    handbook = load_handbook(Path(__file__).resolve().parent.parent / "handbook")
    clock = FrozenClock("2026-12-02T09:00:00")
    started = time.perf_counter()
    found = missed.slots(handbook, [], START, END, clock, GRACE)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        missed.slots(handbook, [], START, END, clock, GRACE)
        warm.append(time.perf_counter() - started)
    daily = sum(1 for s in found if s.kind == "daily") / ((END - START).days + 1)
    print(f"real handbook, {START:%Y-%m} (30 days + 5 weeks): {len(found)} due slots, {daily:.0f} a day")
    median = statistics.median(warm) * 1000
    print(f"cold (a worker's first request) {cold * 1000:.0f} ms; warm median {median:.1f} ms (n=5)")


if __name__ == "__main__":
    main()
