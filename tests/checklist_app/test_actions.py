"""整改: a failed item opens a corrective action for the head of the department, who fixes it; the
inspector confirms it on the spot (or sends it back), and until then the next checklist re-checks it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html import unescape
from urllib.parse import quote

import pytest

from checklist_app import actions, audit, services
from checklist_app.clock import FrozenClock
from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target
from generator.loader import load_handbook

from .conftest import CS_LEAD, DAY, HYGIENE_INSPECTOR, SHANGHAI, complete, csrf_from

SERVICE = Target("department", "客服部")
OFFICE = Target("department", "行政部")
TUESDAY = DAY + dt.timedelta(days=1)


def at(day: dt.date, hour: int = 12) -> FrozenClock:
    return FrozenClock(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI))


@pytest.fixture
def handbook(handbook_dir):
    return load_handbook(handbook_dir)


@pytest.fixture
def store():
    from checklist_app.storage import open_storage

    return open_storage("memory", "")


def opened(handbook, store, record) -> list[actions.CorrectiveAction]:
    actions.open_for_record(store, handbook, record, 3, at(DAY))
    return [actions.CorrectiveAction.from_dict(a) for a in store.actions.all()]


# --- opening ----------------------------------------------------------------------------------


def test_a_failed_item_opens_an_action_for_the_role_that_heads_the_department(handbook, store):
    record = complete(handbook, store, SERVICE, {"hy-desk": 2, "hy-floor": 1}, DAY)
    desk, floor = opened(handbook, store, record)
    assert (desk.id, desk.status, desk.department, desk.owner_role) == (
        f"{record['id']}#hy-desk",
        "open",
        "客服部",
        "客服主管",  # 负责人 of 客服部 in reference.yml
    )
    assert (desk.inspector, desk.responsible, desk.found_on) == ("li", "部门负责人", DAY)
    assert desk.due_on == DAY + dt.timedelta(days=3)  # no 整改期限 on the check: the app's default
    assert floor.due_on == DAY  # 整改期限: 当天


def test_a_department_without_a_head_gives_its_actions_to_the_department_manager(handbook, store):
    (action,) = opened(handbook, store, complete(handbook, store, OFFICE, {"hy-desk": 1}, DAY))
    assert (action.department, action.owner_role) == ("行政部", "部门经理")


def test_opening_a_records_actions_again_duplicates_and_resets_nothing(handbook, store):
    """A retried submission (or a crash between saving and opening) opens them once."""
    record = complete(handbook, store, SERVICE, {"hy-desk": 1}, DAY)
    (action,) = opened(handbook, store, record)
    store.actions.update(action.id, action.rev, lambda a: {**a, "status": "fixed"})
    assert actions.open_for_record(store, handbook, record, 3, at(DAY)) == 0
    assert [a["status"] for a in store.actions.all()] == ["fixed"]


def test_a_passed_checklist_opens_nothing(handbook, store):
    assert opened(handbook, store, complete(handbook, store, SERVICE, {}, DAY)) == []


# --- overdue ----------------------------------------------------------------------------------


def test_an_action_is_overdue_the_day_after_its_due_day_until_it_is_fixed(handbook, store):
    (action,) = opened(handbook, store, complete(handbook, store, SERVICE, {"hy-desk": 1}, DAY))
    due = DAY + dt.timedelta(days=3)
    assert not action.overdue(due) and action.overdue(due + dt.timedelta(days=1))
    fixed = store.actions.update(action.id, action.rev, lambda a: {**a, "status": "fixed"})
    assert not actions.CorrectiveAction.from_dict(fixed).overdue(due + dt.timedelta(days=9))
    assert actions.summary(store, due + dt.timedelta(days=1)) == actions.Summary(
        1, 0, actions.CorrectiveAction.from_dict(fixed)
    )


def test_the_summary_counts_open_and_overdue_and_names_the_oldest(handbook, store):
    first = complete(handbook, store, SERVICE, {"hy-floor": 1}, DAY)  # due the same day
    later = complete(handbook, store, OFFICE, {"hy-desk": 1}, TUESDAY)
    opened(handbook, store, first)
    opened(handbook, store, later)
    summary = actions.summary(store, TUESDAY)
    assert (summary.open, summary.overdue, summary.oldest.record_id) == (2, 1, first["id"])


def test_the_list_shows_and_offers_to_choose_only_what_the_user_may_see(handbook, store):
    service = opened(handbook, store, complete(handbook, store, SERVICE, {"hy-desk": 1}, DAY))[0]
    office = complete(handbook, store, OFFICE, {"hy-desk": 1}, TUESDAY)
    actions.open_for_record(store, handbook, office, 3, at(TUESDAY))
    manager = {"username": "boss", "display_name": "老板", "permission": "owner", "role": ""}
    later = TUESDAY + dt.timedelta(days=10)

    def shown(user, view="all", **chosen):
        found = actions.listing(store, handbook, user, actions.Filters(view, **chosen), later)
        return [a.record_id for a in found.actions], found.departments, [p for p, _ in found.policies]

    everything = shown(manager)
    assert everything[0] == [service.record_id, office["id"]]  # both overdue: by due day
    assert everything[1] == ("客服部", "行政部")
    assert shown(CS_LEAD) == ([service.record_id], ("客服部",), [service.policy_id])  # not 行政部's
    assert shown(CS_LEAD, "mine")[0] == [service.record_id]  # its owner: to fix
    assert shown(manager, department="行政部")[0] == [office["id"]]
    assert shown(manager, "overdue", status="fixed")[0] == []
    store.actions.update(service.id, service.rev, lambda a: {**a, "status": "fixed"})
    assert shown(CS_LEAD, "mine")[0] == [] and shown(HYGIENE_INSPECTOR, "mine")[0] == [service.record_id]
    assert shown(manager, "overdue")[0] == [office["id"]]
    assert shown(manager, status="fixed")[0] == [service.record_id]


# --- the 复查 item ----------------------------------------------------------------------------


def _next_checklist(handbook, store, target, day):
    checklist = services.generate(
        handbook, "daily", day.isoformat(), target, services.scope_for(HYGIENE_INSPECTOR)
    )
    return actions.with_rechecks(store, checklist, day)


def test_the_next_checklist_of_the_target_re_checks_each_open_action(handbook, store):
    (action,) = opened(handbook, store, complete(handbook, store, SERVICE, {"hy-desk": 1}, DAY))
    tomorrow = _next_checklist(handbook, store, SERVICE, TUESDAY)
    recheck = tomorrow.items[-1]
    assert recheck.key == actions.recheck_key(action.id)
    assert recheck.text == "复查：" + action.text
    assert (recheck.fine, recheck.points, recheck.scored) == (None, None, False)
    assert recheck.recheck["action_id"] == action.id
    # Not on the same day's checklist, nor another target's, nor once it is closed.
    assert _next_checklist(handbook, store, SERVICE, DAY).items[-1].recheck is None
    assert all(i.recheck is None for i in _next_checklist(handbook, store, OFFICE, TUESDAY).items)


def _submit(store, checklist, results: dict, day: dt.date):
    snapshot = services.start(store, checklist, at(day))
    answers = {
        i["key"]: {"result": results.get(i["key"], "pass"), "note": "桌面已清理" if i.get("recheck") else ""}
        for i in snapshot["items"]
    }
    record, _ = services.submit(
        store, snapshot, answers, HYGIENE_INSPECTOR, uuid.uuid4().hex, 500, clock=at(day)
    )
    return record


def test_passing_the_re_check_closes_the_action_and_is_not_scored(handbook, store):
    (action,) = opened(handbook, store, complete(handbook, store, SERVICE, {"hy-desk": 1}, DAY))
    record = _submit(store, _next_checklist(handbook, store, SERVICE, TUESDAY), {}, TUESDAY)
    actions.open_for_record(store, handbook, record, 3, at(TUESDAY))
    closed = actions.CorrectiveAction.from_dict(store.actions.get(action.id))
    assert closed.status == "verified" and closed.history[-1].record_id == record["id"]
    own_items = [i for i in record["items"] if not i.get("recheck")]
    assert record["score"]["passed"] == len(own_items)  # the 复查 line is not in the score
    assert all(
        i.recheck is None for i in _next_checklist(handbook, store, SERVICE, TUESDAY + dt.timedelta(1)).items
    )


def test_failing_the_re_check_keeps_the_action_open_without_a_new_fine(handbook, store):
    (action,) = opened(handbook, store, complete(handbook, store, SERVICE, {"hy-desk": 1}, DAY))
    checklist = _next_checklist(handbook, store, SERVICE, TUESDAY)
    record = _submit(store, checklist, {checklist.items[-1].key: "fail"}, TUESDAY)
    actions.open_for_record(store, handbook, record, 3, at(TUESDAY))
    again = actions.CorrectiveAction.from_dict(store.actions.get(action.id))
    assert again.status == "open" and again.history[-1].kind == "recheck_fail"
    assert len(store.actions.all()) == 1  # no second action for the same problem
    assert record["score"]["fines"] == 0
    actions.open_for_record(store, handbook, record, 3, at(TUESDAY))  # applied once only
    assert len(actions.CorrectiveAction.from_dict(store.actions.get(action.id)).history) == 2


# --- the life cycle in the app ------------------------------------------------------------------


@pytest.fixture
def found(app, client, auth, clock):
    """li (行政专员) fails 客服部's desks on Monday's hygiene checklist, in the app."""
    auth.login("li")
    page = client.get("/checklists/daily/2026-11-23/department:客服部").get_data(as_text=True)
    keys = re.findall(r'<li class="item" data-key="([^"]+)"', page)
    data = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
    data["csrf_token"] = csrf_from(page)
    for key in keys:
        data[f"result-{key}"] = "fail" if key == "hy-desk" else "pass"
        data[f"responsible-{key}"] = "小李" if key == "hy-desk" else ""
        data[f"count-{key}"] = "1"
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 302
    with app.app_context():
        (action,) = storage().actions.all()
    client.post("/logout", data={"csrf_token": auth.token()})
    return action


def _step(client, auth, action_id, step, note, rev=None):
    page = client.get(f"/actions/{quote(action_id)}").get_data(as_text=True)
    revision = rev or re.search(r'name="rev" value="(\d+)"', page).group(1)
    return client.post(
        f"/actions/{quote(action_id)}/{step}",
        data={"csrf_token": csrf_from(page), "rev": revision, "note": note},
    )


def test_the_owner_fixes_and_the_inspector_confirms(app, client, auth, found):
    auth.login("zhang")  # 客服主管: heads 客服部
    mine = client.get("/actions").get_data(as_text=True)
    assert found["text"] in mine  # 我的: to fix
    response = _step(client, auth, found["id"], "fix", "已清理桌面，文件归档")
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("li")
    assert found["text"] in client.get("/actions").get_data(as_text=True)  # waiting for li's 复查
    assert _step(client, auth, found["id"], "verify", "").status_code == 302
    page = client.get(f"/actions/{quote(found['id'])}").get_data(as_text=True)
    assert "已复查" in page and "已清理桌面，文件归档" in page
    with app.app_context():
        entries = [e.action for e in audit.entries(storage(), DAY, DAY)]
    assert "action.fix" in entries and "action.verify" in entries


def test_a_fix_needs_a_note_and_sent_back_needs_a_reason(app, client, auth, found):
    auth.login("zhang")
    response = _step(client, auth, found["id"], "fix", "")
    assert response.status_code == 422 and "整改说明" in response.get_data(as_text=True)
    _step(client, auth, found["id"], "fix", "已清理")
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("li")
    assert _step(client, auth, found["id"], "return", "").status_code == 422
    assert _step(client, auth, found["id"], "return", "抽屉里还是乱的").status_code == 302
    with app.app_context():
        back = actions.CorrectiveAction.from_dict(storage().actions.get(found["id"]))
    assert back.status == "open" and back.last_return.note == "抽屉里还是乱的"


def test_only_the_owner_fixes_and_only_the_inspector_confirms(app, client, auth, found):
    auth.login("wang")  # 仓储主管: another department's head
    assert client.get(f"/actions/{quote(found['id'])}").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("li")  # the inspector may not mark it fixed for the owner
    page = client.get(f"/actions/{quote(found['id'])}").get_data(as_text=True)
    assert 'id="fix-form"' not in page
    response = client.post(
        f"/actions/{quote(found['id'])}/fix", data={"csrf_token": csrf_from(page), "rev": "1", "note": "x"}
    )
    assert response.status_code == 403 and "客服主管" in response.get_data(as_text=True)


def test_a_double_tap_changes_an_action_once(app, client, auth, found):
    auth.login("zhang")
    page = client.get(f"/actions/{quote(found['id'])}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "rev": "1", "note": "已清理"}
    assert client.post(f"/actions/{quote(found['id'])}/fix", data=data).status_code == 302
    second = client.post(f"/actions/{quote(found['id'])}/fix", data=data)
    assert second.status_code == 409 and "已经标记过已整改" in second.get_data(as_text=True)
    with app.app_context():
        assert len(storage().actions.get(found["id"])["history"]) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/actions/nope",
        "/actions/" + "x" * 300,
        "/actions?view=evil&status=<script>&department=" + "长" * 80,
    ],
)
def test_malformed_requests_get_a_chinese_4xx(client, auth, path):
    auth.login("zhang")
    response = client.get(path)
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_the_record_and_the_dashboard_link_to_the_action(app, client, auth, found, clock):
    auth.login("zhao")  # an owner: sees records, the ledger and the dashboard
    link = f'href="/actions/{quote(found["id"], safe="/")}"'
    record = client.get(f"/history/{found['record_id']}").get_data(as_text=True)
    assert link in record and "整改：待整改" in record
    dashboard = client.get("/reports/").get_data(as_text=True)
    assert 'id="actions-card"' in dashboard and "待处理 1 条" in dashboard
    clock.set(dt.datetime(2026, 11, 27, 9, tzinfo=SHANGHAI))  # three days allowed: overdue on the fourth
    auth.login("zhao")  # the sign-in of Monday has expired
    assert "逾期 1 条" in client.get("/reports/").get_data(as_text=True)
    assert found["text"] in client.get("/actions?view=overdue").get_data(as_text=True)


def test_a_fix_carries_photos_that_only_those_who_see_the_action_can_open(app, client, auth, found):
    from .test_photos import jpeg

    auth.login("zhang")
    upload = client.post(
        "/api/photos", data=jpeg(), headers={"X-CSRFToken": auth.token(), "Content-Type": "image/jpeg"}
    )
    photo = upload.get_json()["id"]
    page = client.get(f"/actions/{quote(found['id'])}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "rev": "1", "note": "已清理", "photo": [photo]}
    assert client.post(f"/actions/{quote(found['id'])}/fix", data=data).status_code == 302
    page = client.get(f"/actions/{quote(found['id'])}").get_data(as_text=True)
    url = f"/actions/{quote(found['id'], safe='/')}/photos/{photo}"
    assert f'src="{url}"' in page
    shown = client.get(url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert client.get(f"/actions/{quote(found['id'])}/photos/{'0' * 64}").status_code == 404
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("wang")  # another department's head
    assert client.get(url).status_code == 403
    with app.app_context():
        (event,) = [e for e in storage().actions.get(found["id"])["history"] if e["kind"] == "fix"]
    assert event["photos"] == [photo]


def test_a_fix_naming_a_photo_never_uploaded_is_refused(app, client, auth, found):
    auth.login("zhang")
    page = client.get(f"/actions/{quote(found['id'])}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "rev": "1", "note": "已清理", "photo": ["f" * 64]}
    response = client.post(f"/actions/{quote(found['id'])}/fix", data=data)
    assert response.status_code == 422 and "照片没有上传成功" in response.get_data(as_text=True)
    data["photo"] = ["../../etc/passwd"]
    assert client.post(f"/actions/{quote(found['id'])}/fix", data=data).status_code == 422


# --- a long list, a page at a time ------------------------------------------------------------


@pytest.fixture
def many(app, monkeypatch):
    """Seven overdue desk actions of 客服部, found on the seven days before last Monday; three a page."""
    monkeypatch.setattr(actions, "ACTIONS_PAGE", 3)
    with app.test_request_context():
        handbook, store = current_handbook(), storage()
        for n in range(7):
            day = DAY - dt.timedelta(days=14 - n)
            record = complete(handbook, store, SERVICE, {"hy-desk": 1}, day)
            actions.open_for_record(store, handbook, record, 3, at(day))
        assert len(store.actions.all()) == 7


def shown_ids(html: str) -> list[str]:
    return re.findall(r'data-action="([^"]+)"', html)


def test_the_action_list_pages_through_every_action_keeping_its_filters(app, client, auth, many, monkeypatch):
    auth.login("zhao")
    html = client.get("/actions?view=all&department=客服部").get_data(as_text=True)
    assert "第 1–3 条，共 7 条" in html and 'rel="prev"' not in html
    seen = shown_ids(html)
    while 'rel="next"' in html:
        address = unescape(re.search(r'rel="next" href="([^"]+)"', html).group(1))
        assert "view=all" in address and "department=" in address  # the filters stay
        html = client.get(address).get_data(as_text=True)
        seen += shown_ids(html)
    assert "第 7–7 条，共 7 条" in html
    monkeypatch.setattr(actions, "ACTIONS_PAGE", 50)
    whole = client.get("/actions?view=all&department=客服部").get_data(as_text=True)
    assert "共 7 条" in whole and 'rel="next"' not in whole
    assert seen == shown_ids(whole)  # the same order, each once


def test_a_page_past_the_last_or_malformed_is_refused_in_chinese(client, auth, many):
    auth.login("zhao")
    past = client.get("/actions?view=all&page=4")
    assert past.status_code == 404 and "没有第 4 页（共 3 页）" in past.get_data(as_text=True)
    for bad in ("0", "abc", "-1", "1e3", "９"):
        response = client.get(f"/actions?view=all&page={quote(bad)}")
        assert response.status_code == 400
        assert "页码应是 1 到 100000 之间的整数" in response.get_data(as_text=True)
