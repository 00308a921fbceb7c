"""未完成: a checklist due in a closed period and never submitted is missed; a back-filled one is late."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from checklist_app import services
from checklist_app.clock import FrozenClock
from checklist_app.extensions import storage
from checklist_app.generation import Target, daily_checklist, targets, weekly_checklist
from checklist_app.reporting import missed
from generator.loader import load_handbook

from ..conftest import PROJECT
from .conftest import HYGIENE_INSPECTOR, SHANGHAI, complete

WEEK = [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7)]  # Monday 23 … Sunday 29 November
WEDNESDAY = WEEK[2]
SERVICE = Target("department", "客服部")
GRACE = dt.timedelta(minutes=120)
OWNER = {"username": "zhao", "display_name": "赵", "permission": "owner", "role": "行政专员"}


def at(day: dt.date, hour: int, minute: int = 0) -> FrozenClock:
    return FrozenClock(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI))


def backfill(handbook, store, target: Target, day: dt.date, when: FrozenClock):
    """An owner fills in ``day``'s checklist afterwards (补录), with a reason."""
    checklist = services.generate(handbook, "daily", day.isoformat(), target, services.scope_for(OWNER))
    snapshot = services.start(store, checklist, when)
    answers = {i["key"]: {"result": "pass"} for i in snapshot["items"]}
    record, created = services.submit(
        store, snapshot, answers, OWNER, uuid.uuid4().hex, 500, clock=when, backfill_reason="当天系统故障"
    )
    assert created and record.get("backfill")
    return record


def hygiene(found: list[missed.Slot], target: Target = SERVICE) -> dict[str, str]:
    """Period → status of the hygiene inspector's daily checklist of ``target``."""
    return {
        s.period: s.status
        for s in found
        if s.target == target and s.checker == "行政专员" and s.kind == "daily"
    }


def records(store, start=WEEK[0], end=WEEK[-1]):
    return store.completions.facts("missed", start, end)


@pytest.fixture
def store():
    from checklist_app.storage import open_storage

    return open_storage("memory", "")


@pytest.fixture
def week_without_wednesday(handbook, store):
    """客服部's hygiene sheet done every day of the week but Wednesday."""
    for day in WEEK:
        if day != WEDNESDAY:
            complete(handbook, store, SERVICE, {}, day, HYGIENE_INSPECTOR)
    return store


def test_a_week_with_one_day_skipped_has_that_day_missed(handbook, week_without_wednesday):
    clock = at(dt.date(2026, 11, 30), 9, 30)  # the next Monday: the whole week has closed
    found = missed.slots(handbook, records(week_without_wednesday), WEEK[0], WEEK[-1], clock, GRACE)
    days = hygiene(found)
    assert days[WEDNESDAY.isoformat()] == missed.MISSED
    assert [d for d, s in days.items() if s != missed.DONE] == [WEDNESDAY.isoformat()]
    assert len(days) == 7


def test_a_department_never_inspected_is_missed_every_day(handbook, week_without_wednesday):
    clock = at(dt.date(2026, 11, 30), 9, 30)
    found = missed.slots(handbook, records(week_without_wednesday), WEEK[0], WEEK[-1], clock, GRACE)
    assert set(hygiene(found, Target("department", "行政部")).values()) == {missed.MISSED}
    assert missed.missed_days(found, "hygiene")["客服部"] == 1
    assert missed.missed_days(found, "hygiene")["行政部"] == 7


def test_today_is_not_missed_before_it_closes(handbook, store):
    # Wednesday 23:59: the day has not closed, so nothing of it is missed yet.
    found = missed.slots(handbook, [], WEDNESDAY, WEDNESDAY, at(WEDNESDAY, 23, 59), GRACE)
    assert set(hygiene(found).values()) == {missed.OPEN}
    # Thursday 01:59 is still within the two-hour grace for a checklist opened in time.
    found = missed.slots(handbook, [], WEDNESDAY, WEDNESDAY, at(WEEK[3], 1, 59), GRACE)
    assert set(hygiene(found).values()) == {missed.OPEN}
    # 02:00: the grace is over; not submitted is missed.
    found = missed.slots(handbook, [], WEDNESDAY, WEDNESDAY, at(WEEK[3], 2, 0), GRACE)
    assert set(hygiene(found).values()) == {missed.MISSED}


def test_a_backfilled_day_is_late_not_missed(handbook, week_without_wednesday):
    record = backfill(handbook, week_without_wednesday, SERVICE, WEDNESDAY, at(dt.date(2026, 11, 27), 10))
    found = missed.slots(
        handbook, records(week_without_wednesday), WEEK[0], WEEK[-1], at(dt.date(2026, 11, 30), 9), GRACE
    )
    slot = next(
        s for s in found if s.target == SERVICE and s.checker == "行政专员" and s.period == "2026-11-25"
    )
    assert slot.status == missed.LATE
    assert slot.record_id == record["id"]
    assert missed.missed_days(found, "hygiene").get("客服部", 0) == 0


def test_a_checklist_is_per_checker(handbook, store):
    # The customer-service lead's checklist of 售前客服 does not count for the hygiene inspector's.
    complete(handbook, store, SERVICE, {}, WEEK[0], HYGIENE_INSPECTOR)
    found = missed.slots(handbook, records(store), WEEK[0], WEEK[0], at(WEEK[1], 9), GRACE)
    checkers = {s.checker: s.status for s in found if s.target == SERVICE}
    assert checkers["行政专员"] == missed.DONE
    assert all(status == missed.MISSED for checker, status in checkers.items() if checker != "行政专员")


def test_only_checklists_with_items_are_due(handbook):
    found = missed.slots(handbook, [], WEEK[0], WEEK[-1], at(dt.date(2026, 11, 30), 9), GRACE)
    assert found and all(s.items > 0 for s in found)
    assert {s.kind for s in found} <= {"daily", "weekly"}
    # The week is listed once as a weekly period, each day once as a daily one.
    assert {s.period for s in found if s.kind == "weekly"} <= {"2026-W48"}
    assert {s.period for s in found if s.kind == "daily"} <= {d.isoformat() for d in WEEK}


# ---------------------------------------------------------------- the page, the card and the rankings


@pytest.fixture
def filled(app, handbook, clock):
    with app.app_context():
        for day in WEEK:
            if day != WEDNESDAY:
                complete(handbook, storage(), SERVICE, {}, day, HYGIENE_INSPECTOR)
    clock.set(dt.datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI))
    return app


def test_the_missed_page_lists_wednesday_for_the_department(filled, client, auth):
    auth.login("zhao")
    page = client.get("/reports/missed?from=2026-11-23&to=2026-11-29&department=客服部&kind=daily")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-period="2026-11-25" data-target="department:客服部" data-checker="行政专员"' in html
    assert 'data-period="2026-11-24" data-target="department:客服部" data-checker="行政专员"' not in html
    assert "未完成" in html and "去补录" in html


def test_the_dashboard_card_and_the_rankings_count_missed_days(filled, client, auth):
    auth.login("zhao")
    html = client.get("/reports/?date=2026-11-29").get_data(as_text=True)
    assert 'id="missed-card"' in html and "份未完成" in html
    html = client.get("/reports/rankings?date=2026-11-29&policy=hygiene").get_data(as_text=True)
    assert "未完成 1 天" in html  # 客服部: Wednesday
    assert "未完成 7 天" in html  # 行政部: never inspected


def test_inspectors_may_not_see_the_missed_page(filled, client, auth):
    auth.login("zhang")
    assert client.get("/reports/missed").status_code == 403
    assert 'id="missed-card"' not in client.get("/reports/").get_data(as_text=True)


@pytest.mark.parametrize(
    "query, message",
    [
        ("kind=monthly", "清单类型"),
        ("department=不存在部", "没有名为“不存在部”的部门"),
        ("from=2026-13-01", "不存在"),
        ("from=23.11.2026", "格式不对"),
        ("from=2026-11-29&to=2026-11-01", "开始日期晚于结束日期"),
    ],
)
def test_malformed_filters_are_refused_in_chinese(filled, client, auth, query, message):
    auth.login("zhao")
    page = client.get("/reports/missed?" + query)
    assert 400 <= page.status_code < 500
    assert message in page.get_data(as_text=True)


@pytest.mark.parametrize("root", ["good", "real"])
def test_the_due_slots_are_exactly_the_generated_checklists(root, handbook):
    """For every target, day and week: the slots' checks and item counts are what 今日清单 generates."""
    model = handbook if root == "good" else load_handbook(PROJECT / "handbook")
    found = missed.slots(model, [], WEEK[0], WEEK[-1], at(dt.date(2026, 11, 30), 9), GRACE)
    for kind, periods in (("daily", [d.isoformat() for d in WEEK]), ("weekly", ["2026-W48"])):
        for period in periods:
            for target in targets(model):
                if kind == "daily":
                    checklist = daily_checklist(model, dt.date.fromisoformat(period), target)
                else:
                    checklist = weekly_checklist(model, period, target)
                mine = [s for s in found if (s.kind, s.period, s.target) == (kind, period, target)]
                assert sum(s.items for s in mine) == sum(
                    len(model.check(i.check_id).checkers or ("*",)) for i in checklist.items
                ), (kind, period, target)
                assert bool(mine) == bool(checklist.items)
