"""Hand-made weeks of completed checklists for the report tests."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app.generation import Target
from checklist_app.storage import open_storage

from ..conftest import CS_LEAD, complete

MON, TUE = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
WEEK = "2026-W48"


def dept(name: str) -> Target:
    return Target("department", name)


@pytest.fixture
def store():
    return open_storage("memory", "")


@pytest.fixture
def hygiene_week(handbook, store):
    """Two days of hygiene scores: 客服部 best on average, 运营部 worst, 行政部 never inspected."""
    complete(handbook, store, dept("客服部"), {"hy-desk": 2}, MON)  # 12 people: 98
    complete(handbook, store, dept("客服部"), {}, TUE)  # 100 → average 99
    complete(handbook, store, dept("仓储部"), {"hy-desk": 2, "hy-floor": 1}, MON)  # 8 people: 94
    complete(handbook, store, dept("仓储部"), {"hy-chair": 1}, TUE)  # 98 → average 96
    complete(handbook, store, dept("运营部"), {"hy-desk": 2, "hy-floor": 1}, MON)  # 4 people: 91
    complete(handbook, store, dept("运营部"), {"hy-wall": 1}, TUE)  # 90 → average 90.5
    return store


def service_day(handbook, store, day, failures):
    """The customer-service lead's daily checklist for 售前客服 on ``day``."""
    return complete(handbook, store, Target("role", "售前客服"), failures, day, CS_LEAD)


def all_digests(store, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)):
    return store.completions.facts("report", start, end)


def all_lines(store, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)):
    """The penalty lines of the period, as the ledger reads them (CompletionStore.penalty_lines)."""
    return store.completions.penalty_lines(start, end)
