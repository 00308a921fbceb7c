"""Each due occurrence of a check is on exactly one checklist: the real handbook, every target, a year."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from checklist_app.generation import daily_checklist, iso_week, targets, weekly_checklist
from generator import load_handbook
from generator.frequencies import month_of_week

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


def test_the_warehouse_week_of_month_duties_are_each_on_one_weekly_list_a_month(real_handbook):
    # 仓库管理制度: 第一周 设施, 第二周 培训, 第三周 布局, 第四周 库存数据 (seed 000, 工作计划).
    target = next(t for t in targets(real_handbook) if t.slug == "role:仓储主管")
    duties = ("wh-week1-facilities", "wh-week2-training", "wh-week3-layout", "wh-week4-stock-data")
    found = {duty: [] for duty in duties}
    for year in (2027, 2028):  # 2028 is a leap year
        for monday in weeks_of(year):
            for item in weekly_checklist(real_handbook, iso_week(monday), target).items:
                if item.check_id in found:
                    found[item.check_id].append(month_of_week(monday))
            for offset in range(7):
                day = monday + dt.timedelta(days=offset)
                assert not {i.check_id for i in daily_checklist(real_handbook, day, target).items} & set(
                    duties
                )
    for n, duty in enumerate(duties, 1):
        assert [week for *_month, week in found[duty]] == [n] * len(found[duty]), duty
        assert len({month[:2] for month in found[duty]}) == len(found[duty]) >= 23, duty


def test_the_after_sales_analysis_is_due_every_other_week_across_the_year_end(real_handbook):
    target = next(t for t in targets(real_handbook) if t.slug == "role:客服主管")
    due = [
        monday
        for year in (2026, 2027)
        for monday in weeks_of(year)
        if "cs-as-feedback-review"
        in {i.check_id for i in weekly_checklist(real_handbook, iso_week(monday), target).items}
    ]
    assert due[0] == dt.date(2025, 12, 29)  # the week of the policy's effective date, 2026-01-01
    assert all((b - a).days == 14 for a, b in zip(due, due[1:], strict=False))
    assert len(due) == 53  # 2026 has 53 ISO weeks: 27 of them, then 26 in 2027
