"""Each due occurrence of a check is on exactly one checklist: the real handbook, every target, a year."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from checklist_app.generation import daily_checklist, iso_week, targets, weekly_checklist
from generator import load_handbook

from ..conftest import PROJECT, TODAY

YEAR = 2027


@pytest.fixture(scope="module")
def real_handbook():
    return load_handbook(PROJECT / "handbook", today=TODAY)


def weeks_of(year: int):
    monday = dt.date.fromisocalendar(year, 1, 1)
    while monday.isocalendar()[0] == year:
        yield monday
        monday += dt.timedelta(days=7)


def test_the_real_handbook_has_weekday_pinned_weekly_checks(real_handbook):
    pinned = [
        c for c in real_handbook.checks if c.frequency.kind == "weekly" and c.frequency.weekday is not None
    ]
    assert len(pinned) >= 5  # 每周五 and friends: the case this rule is about


def test_every_weekly_check_is_due_once_a_week_for_every_target(real_handbook):
    weekly = {c.id for c in real_handbook.checks if c.frequency.kind == "weekly"}
    for target in targets(real_handbook):
        for monday in weeks_of(YEAR):
            days = [monday + dt.timedelta(days=i) for i in range(7)]
            on_weekly = [i.check_id for i in weekly_checklist(real_handbook, iso_week(monday), target).items]
            on_daily = [i.check_id for d in days for i in daily_checklist(real_handbook, d, target).items]
            seen = Counter(on_weekly) + Counter(c for c in on_daily if c in weekly)
            due = {c.id for c in real_handbook.checks if c.id in weekly and c.id in set(on_weekly + on_daily)}
            assert all(seen[c] == 1 for c in due), (
                target.slug,
                monday,
                {c: n for c, n in seen.items() if n != 1},
            )
            assert not set(on_weekly) & set(on_daily), (target.slug, monday)


def test_no_check_is_twice_on_one_days_checklist(real_handbook):
    for target in targets(real_handbook):
        for monday in weeks_of(YEAR):
            for offset in range(7):
                keys = [
                    i.key
                    for i in daily_checklist(real_handbook, monday + dt.timedelta(days=offset), target).items
                ]
                assert len(keys) == len(set(keys)), (target.slug, monday + dt.timedelta(days=offset))


def test_a_weekday_pinned_check_is_on_its_days_daily_checklist_only(real_handbook):
    pinned = next(
        c for c in real_handbook.checks if c.frequency.kind == "weekly" and c.frequency.weekday is not None
    )
    target = next(
        t for t in targets(real_handbook) if pinned.id in {i.check_id for i in _week_items(real_handbook, t)}
    )
    monday = dt.date.fromisocalendar(YEAR, 10, 1)
    day = monday + dt.timedelta(days=pinned.frequency.weekday)
    assert pinned.id in {i.check_id for i in daily_checklist(real_handbook, day, target).items}
    assert pinned.id not in {
        i.check_id for i in weekly_checklist(real_handbook, iso_week(monday), target).items
    }


def _week_items(handbook, target):
    monday = dt.date.fromisocalendar(YEAR, 10, 1)
    return [
        i for d in range(7) for i in daily_checklist(handbook, monday + dt.timedelta(days=d), target).items
    ]
