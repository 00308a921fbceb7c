"""Only checklists that were due, on the day they were due; anything earlier is a marked 补录 by a manager."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app import due
from checklist_app.extensions import storage
from generator.frequencies import parse_frequency

from .conftest import csrf_from, form_answers, form_fields, item_keys

TODAY = "/checklists/daily/2026-11-23/role:售前客服"  # the clock stands at 09:30 on Monday 2026-11-23
EARLIER = "/checklists/daily/2026-11-20/role:售前客服"
TOMORROW = "/checklists/daily/2026-11-24/role:售前客服"


def _submit(client, path, **extra):
    html = client.get(path).get_data(as_text=True)
    data = form_fields(html) | form_answers(item_keys(html)) | extra
    return client.post("/checklists/submit", data=data)


def _record(app, response) -> dict:
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return storage().completions.find(response.headers["Location"].rsplit("/", 1)[1])


# --- what an inspector may open -----------------------------------------------------------


def test_an_inspector_fills_in_todays_checklist(app, client, auth):
    auth.login("zhang")
    record = _record(app, _submit(client, TODAY))
    assert "backfill" not in record
    assert record["submitted_at"] == "2026-11-23T09:30:00+08:00"


@pytest.mark.parametrize(
    "path", [EARLIER, "/checklists/weekly/2026-W47/role:仓库管理员", "/?date=2026-11-22"]
)
def test_an_inspector_cannot_open_an_earlier_period(client, auth, path):
    auth.login("wang" if "仓库" in path else "zhang")
    response = client.get(path)
    assert response.status_code == 403
    assert "过去的清单只能由制度负责人或管理员补录" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", ["zhang", "admin"])
@pytest.mark.parametrize(
    "path",
    [TOMORROW, "/checklists/weekly/2026-W49/role:仓库管理员", "/?date=2026-11-30"],
)
def test_nobody_can_open_a_period_that_has_not_begun(client, auth, user, path):
    auth.login(user)
    response = client.get(path)
    assert response.status_code == 404
    assert "还没到期" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/checklists/daily/2026-11-23/department:不存在的部门",
            "手册里没有检查对象“department:不存在的部门”",
        ),
        ("/checklists/daily/2026-11-23/role:董事长", "手册里没有检查对象"),
        ("/checklists/daily/2026-11-23/area:火星", "手册里没有检查对象"),
        ("/checklists/daily/2026-11-23/shop:旗舰店", "检查对象无效"),
        ("/checklists/daily/1999-01-01/role:售前客服", "2000 年到 2099 年之间"),
        ("/checklists/daily/2026-02-30/role:售前客服", "不存在"),
        ("/checklists/weekly/2026-W60/role:售前客服", "不存在"),
        ("/checklists/event/2026-11-23/role:运营专员?event=双十一", "手册里没有事件“双十一”"),
        ("/checklists/event/2026-11-23/role:运营专员", "手册里没有事件"),
        ("/checklists/monthly/2026-11/role:售前客服", "没有这种清单"),
    ],
)
def test_a_checklist_of_something_the_handbook_does_not_declare_is_404(client, auth, path, message):
    auth.login("admin")
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.get_data(as_text=True)


def test_the_current_weeks_weekly_checklist_is_open_all_week(client, auth, clock):
    clock.set("2026-11-29T23:00:00+08:00")  # Sunday night, still week 48
    auth.login("wang")
    assert client.get("/checklists/weekly/2026-W48/role:仓库管理员").status_code == 200


def test_a_declared_event_checklist_is_opened_for_today(client, auth):
    auth.login("wang")
    start = client.get("/checklists/start-event?date=2026-11-23&event=活动上线前&target=role:运营专员")
    assert start.status_code == 302
    assert client.get(start.headers["Location"]).status_code == 200


# --- the day belongs to the team's time zone, not the server's ------------------------------


def test_today_is_beijings_today_on_a_utc_server(client, auth, clock):
    clock.set(dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC))  # 01:00 on the 23rd in Beijing
    auth.login("zhang")
    html = client.get("/").get_data(as_text=True)
    assert "2026-11-23" in html and "2026-11-22" not in html
    assert client.get(TODAY).status_code == 200


def test_times_are_stored_and_shown_with_their_zone(app, client, auth, clock):
    clock.set(dt.datetime(2026, 11, 23, 1, 5, tzinfo=dt.UTC))  # 09:05 in Beijing
    auth.login("zhang")
    record = _record(app, _submit(client, TODAY))
    assert record["submitted_at"] == "2026-11-23T09:05:00+08:00"
    html = client.get(f"/history/{record['id']}").get_data(as_text=True)
    assert "2026-11-23 09:05 (UTC+8)" in html


# --- a checklist opened before midnight, submitted after ------------------------------------


def test_a_checklist_opened_before_midnight_can_be_submitted_within_the_grace_period(
    app, client, auth, clock
):
    clock.set("2026-11-23T23:50:00+08:00")
    auth.login("zhang")
    html = client.get(TODAY).get_data(as_text=True)
    clock.set("2026-11-24T01:30:00+08:00")  # 100 minutes later; grace is 120
    response = client.post("/checklists/submit", data=form_fields(html) | form_answers(item_keys(html)))
    record = _record(app, response)
    assert record["day"] == "2026-11-23" and "backfill" not in record
    assert record["submitted_at"] == "2026-11-24T01:30:00+08:00"


def test_after_the_grace_period_an_inspector_can_no_longer_submit(app, client, auth, clock):
    clock.set("2026-11-23T23:50:00+08:00")
    auth.login("zhang")
    html = client.get(TODAY).get_data(as_text=True)
    clock.set("2026-11-24T02:01:00+08:00")
    response = client.post("/checklists/submit", data=form_fields(html) | form_answers(item_keys(html)))
    assert response.status_code == 403
    assert "填写时间已过（截止 2026-11-24 02:00 (UTC+8)）" in response.get_data(as_text=True)
    with app.app_context():
        assert storage().completions.list(dt.date(2026, 11, 23), dt.date(2026, 11, 24)) == []


def test_a_checklist_opened_after_midnight_gets_no_grace(client, auth, clock):
    clock.set("2026-11-24T00:10:00+08:00")
    auth.login("zhang")
    assert client.get(TODAY).status_code == 403


# --- 补录: owners and admins, with a reason, marked on the record ----------------------------


def test_an_admin_backfills_an_earlier_day_with_a_reason(app, client, auth):
    auth.login("admin")
    page = client.get(EARLIER).get_data(as_text=True)
    assert "你正在补录过去的清单" in page and 'name="backfill_reason"' in page
    record = _record(app, _submit(client, EARLIER, backfill_reason="当天系统故障，纸质表已签字存档"))
    assert record["day"] == "2026-11-20"
    assert record["submitted_at"] == "2026-11-23T09:30:00+08:00"
    assert record["backfill"] == {
        "reason": "当天系统故障，纸质表已签字存档",
        "by": "admin",
        "by_name": "Admin",
        "at": "2026-11-23T09:30:00+08:00",
    }
    shown = client.get(f"/history/{record['id']}").get_data(as_text=True)
    assert "补录" in shown and "Admin 于 2026-11-23 09:30 (UTC+8) 补录" in shown
    assert "当天系统故障，纸质表已签字存档" in shown
    listed = client.get("/history?from=2026-11-20&to=2026-11-23").get_data(as_text=True)
    assert 'class="badge backfill"' in listed


def test_a_backfill_without_a_reason_is_refused_and_nothing_is_stored(app, client, auth):
    auth.login("zhao")  # a policy owner may back-fill too
    response = _submit(client, "/checklists/daily/2026-11-20/role:人事专员", backfill_reason="  ")
    assert response.status_code in (403, 404, 422)
    auth.login("admin")
    response = _submit(client, EARLIER, backfill_reason="")
    assert response.status_code == 422
    assert "补录必须写明原因" in response.get_data(as_text=True)
    with app.app_context():
        assert storage().completions.list(dt.date(2026, 11, 20), dt.date(2026, 11, 20)) == []


def test_the_today_page_of_an_earlier_day_is_a_backfill_for_managers(client, auth):
    auth.login("admin")
    html = client.get("/?date=2026-11-20").get_data(as_text=True)
    assert "补录模式：2026-11-20 不是今天" in html


def test_a_backfill_through_the_json_api_needs_the_reason_too(app, client, auth):
    auth.login("admin")
    html = client.get(EARLIER).get_data(as_text=True)
    fields = form_fields(html)
    body = {"snapshot_id": fields["snapshot_id"], "answers": {k: {"result": "pass"} for k in item_keys(html)}}
    headers = {"X-CSRFToken": csrf_from(html), "Idempotency-Key": "backfill-key-0001"}
    refused = client.post("/api/submissions", json=body, headers=headers)
    assert refused.status_code == 422 and "补录必须写明原因" in refused.json["errors"][0]
    body["backfill_reason"] = "补录测试"
    stored = client.post("/api/submissions", json=body, headers=headers)
    assert stored.status_code == 201 and stored.json["record"]["backfill"]["reason"] == "补录测试"


# --- the window of one due occurrence, per frequency kind ------------------------------------


@pytest.mark.parametrize(
    ("written", "day", "expected"),
    [
        ("每日 09:00、14:00", dt.date(2026, 11, 23), ("daily", "2026-11-23")),
        ("每周五", dt.date(2026, 11, 27), ("daily", "2026-11-27")),
        ("每周五", dt.date(2026, 11, 26), None),
        ("每周", dt.date(2026, 11, 26), ("weekly", "2026-W48")),
        ("每两周（从2026-11-02起）", dt.date(2026, 11, 18), ("weekly", "2026-W47")),
        ("每两周（从2026-11-02起）", dt.date(2026, 11, 25), None),  # the week between
        ("每月第一周", dt.date(2027, 1, 6), ("weekly", "2027-W01")),
        ("每月第一周", dt.date(2027, 1, 2), None),  # 28 Dec – 3 Jan is December's last week
        ("每月最后一个周二", dt.date(2028, 2, 29), ("daily", "2028-02-29")),
        ("活动上线前", dt.date(2026, 11, 23), None),
    ],
)
def test_each_due_occurrence_has_the_window_of_its_one_checklist(written, day, expected):
    win = due.occurrence_window(parse_frequency(written, ("活动上线前",)), day)
    assert (None if win is None else (win.kind, win.period)) == expected
    if win is not None:
        assert win.first <= day <= win.last
