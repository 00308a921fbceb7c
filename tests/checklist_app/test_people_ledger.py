"""The responsible person is a directory person: chosen on the checklist, linked later, counted once."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import uuid

import pytest
from openpyxl import load_workbook

from checklist_app import audit, people, services
from checklist_app.clock import FrozenClock
from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target
from checklist_app.reporting import facts
from checklist_app.reporting.exports import ledger_tables
from checklist_app.reporting.ledger import month_ledger

from .conftest import CS_LEAD, noon
from .test_people import post

ADMIN = {"username": "admin", "display_name": "Admin", "permission": "admin"}
DAILY = "/checklists/daily/2026-11-23/role:售前客服"


def hire(app, name, department="客服部", **fields) -> people.Person:
    with app.test_request_context():
        return people.create(
            storage(),
            app.extensions["checklist_clock"],
            ADMIN,
            current_handbook().reference,
            {"name": name, "department": department, **fields},
        )


def fail(app, day: dt.date, name: str = "", person_id: str = "", key: str = "cs-response-avg") -> dict:
    """The customer-service lead fails one fined item on ``day``'s 售前客服 checklist."""
    with app.test_request_context():
        at = FrozenClock(noon(day))
        handbook, store = current_handbook(), storage()
        checklist = services.generate(
            handbook, "daily", day.isoformat(), Target("role", "售前客服"), services.scope_for(CS_LEAD)
        )
        snapshot = services.start(store, checklist, at)
        answers = {item["key"]: {"result": "pass"} for item in snapshot["items"]}
        answers[key] = {"result": "fail", "responsible": name, "responsible_id": person_id, "count": "1"}
        record, _ = services.submit(store, snapshot, answers, CS_LEAD, uuid.uuid4().hex, 500, clock=at)
    return record


def item(record, key="cs-response-avg") -> dict:
    return next(i for i in record["items"] if i["key"] == key)


def ledger(app, month="2026-11"):
    with app.test_request_context():
        store = storage()
        lines = store.completions.penalty_lines(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        directory = {p["id"]: p for p in store.people.all()}
        return month_ledger(current_handbook(), month, lines, directory, store.people.links())


def test_a_chosen_person_is_stored_by_id_with_the_directorys_spelling(app):
    li = hire(app, "李明", employee_no="A0012")
    record = fail(app, dt.date(2026, 11, 2), name="li ming?", person_id=li.id)
    assert (item(record)["responsible_id"], item(record)["responsible"]) == (li.id, "李明")
    typed = fail(app, dt.date(2026, 11, 9), name="小李")
    assert (item(typed)["responsible_id"], item(typed)["responsible"]) == ("", "小李")  # 未登记
    assert facts.digest(record)["penalties"][0]["responsible_id"] == li.id


def test_an_unknown_or_departed_person_is_refused(app):
    gone = hire(app, "王芳")
    with app.test_request_context():
        people.mark_left(storage(), app.extensions["checklist_clock"], ADMIN, gone.id, "2026-11-05")
    with pytest.raises(services.SubmissionError) as info:
        fail(app, dt.date(2026, 11, 9), person_id="p123456789abc")
    assert "不在人员名册里或已离职" in info.value.messages[0]
    with pytest.raises(services.SubmissionError):
        fail(app, dt.date(2026, 11, 9), person_id=gone.id)  # left before that day
    record = fail(app, dt.date(2026, 11, 5), person_id=gone.id)  # her last day: still responsible
    assert item(record)["responsible"] == "王芳"


def test_two_spellings_linked_to_one_person_are_one_ledger_line_and_one_repeat_count(app, client, auth):
    li = hire(app, "李明", employee_no="A0012")
    hire(app, "张伟", department="仓储部")
    fail(app, dt.date(2026, 11, 2), name="小李")  # a nickname
    fail(app, dt.date(2026, 11, 9), person_id=li.id)  # chosen in the picker
    fail(app, dt.date(2026, 11, 16), name="李明")  # typed before the directory existed
    before = ledger(app)
    assert sorted((p.person, p.violations) for p in before.people) == [("小李", 1), ("李明", 1), ("李明", 1)]
    assert not before.repeat_offenders and len(before.unlinked) == 2

    auth.login("admin")
    response = post(client, "/admin/people/migrate", {}, page="/admin/people/unlinked")
    assert response.status_code == 302
    page = client.get("/admin/people/unlinked").get_data(as_text=True)
    assert "自动关联完成：新关联 1 项，还有 1 项未登记" in page
    still_unlinked = page.split('id="linked"')[0]
    assert "<strong>小李</strong>" in still_unlinked and "<strong>李明</strong>" not in still_unlinked
    response = post(
        client,
        "/admin/people/unlinked/link",
        {"spelling": "小李", "person_id": li.id, "year": "2026"},
        page="/admin/people/unlinked",
    )
    assert response.status_code == 302
    assert "2026 年没有未关联的责任人" in client.get("/admin/people/unlinked").get_data(as_text=True)

    after = ledger(app)
    [person] = after.people
    assert (person.person, person.person_id, person.employee_no) == ("李明", li.id, "A0012")
    assert (person.violations, person.year_violations, person.repeat_flag) == (3, 3, True)
    assert person.spellings == ("小李",)
    assert [(d.department, d.people) for d in after.departments] == [("客服部", 1)]
    assert after.repeat_offenders == (person,) and after.unlinked == ()
    assert {line.person for line in after.lines} == {"李明"}

    page = client.get("/reports/ledger?month=2026-11").get_data(as_text=True)
    assert "记作：小李" in page and "记作“小李”" in page and "未登记" not in page
    sheets = load_workbook(io.BytesIO(client.get("/reports/ledger.xlsx?month=2026-11").get_data()))
    rows = list(sheets["按责任人汇总"].values)
    assert rows[0][-2:] == ("工号", "其他写法")
    assert len(rows) == 2 and rows[1][0] == "李明" and rows[1][-2:] == ("A0012", "小李")
    lines = ledger_tables(after)[0]
    assert {row[1] for row in lines.rows} == {"李明"} and {row[-1] for row in lines.rows} == {"小李", "李明"}


def test_the_migration_is_idempotent_and_audited_once(app, client, auth):
    li = hire(app, "李明")
    hire(app, "张伟")
    hire(app, "张伟", department="仓储部")  # two of them: a typed 张伟 cannot be told apart
    fail(app, dt.date(2026, 11, 2), name="李明")
    fail(app, dt.date(2026, 11, 9), name="张伟")
    with app.test_request_context():
        clock, store = app.extensions["checklist_clock"], storage()
        first = people.migrate(store, clock, None, people.all_digests(store, dt.date(2026, 11, 23)))
        second = people.migrate(store, clock, None, people.all_digests(store, dt.date(2026, 11, 23)))
        links = store.people.links()
        logged = audit.entries(store, dt.date(2026, 1, 1), dt.date(2026, 12, 31), action="responsible.link")
    assert (first.linked, first.unlinked) == (1, 1)
    assert (second.linked, second.unlinked) == (0, 1)
    assert list(links.values()) == [li.id]
    assert (
        len(logged) == 1 and logged[0].after == {"linked": 1, "unlinked": 1} and logged[0].actor == "system"
    )
    auth.login("admin")
    page = client.get("/admin/people/unlinked").get_data(as_text=True)
    assert "<strong>张伟</strong>" in page and page.count('<optgroup label="同名的人">') == 1


def test_a_wrong_link_is_undone_and_the_fine_moves_to_the_right_person(app, client, auth):
    wrong = hire(app, "李明", employee_no="A0012")
    right = hire(app, "李敏", employee_no="A0013")
    fail(app, dt.date(2026, 11, 2), name="小李")
    fail(app, dt.date(2026, 11, 9), name="小李")
    picked = fail(app, dt.date(2026, 11, 16), person_id=wrong.id)  # chosen in the picker: not a link
    auth.login("admin")
    link = {"spelling": "小李", "person_id": wrong.id, "year": "2026"}
    post(client, "/admin/people/unlinked/link", link, page="/admin/people/unlinked")
    assert [(p.person, p.violations) for p in ledger(app).people] == [("李明", 3)]
    page = client.get("/admin/people/unlinked").get_data(as_text=True)
    assert "已关联的写法" in page and "<strong>小李</strong> → 李明 · A0012 · 客服部 · 2 项" in page

    response = post(client, "/admin/people/unlinked/unlink", link, page="/admin/people/unlinked")
    assert response.status_code == 302
    page = client.get("/admin/people/unlinked").get_data(as_text=True)
    assert "已撤销“小李”的 2 项关联，它们回到了未登记列表。" in page and "已关联的写法" not in page
    again = post(client, "/admin/people/unlinked/unlink", link, page="/admin/people/unlinked")
    assert again.status_code == 409 and "无需撤销" in again.get_data(as_text=True)
    post(
        client,
        "/admin/people/unlinked/link",
        {**link, "person_id": right.id},
        page="/admin/people/unlinked",
    )
    assert sorted((p.person, p.violations) for p in ledger(app).people) == [("李敏", 2), ("李明", 1)]
    assert item(picked)["responsible_id"] == wrong.id  # the stored record itself is never rewritten
    with app.app_context():
        [undone] = audit.entries(
            storage(), dt.date(2026, 1, 1), dt.date(2026, 12, 31), action="responsible.unlink"
        )
    assert undone.actor == "admin" and undone.before == {
        "spelling": "小李",
        "person_id": wrong.id,
        "lines": 2,
    }


def test_undoing_a_link_needs_a_real_link(app, client, auth):
    auth.login("admin")
    for data in (
        {"spelling": "小李", "person_id": "p000000000001"},
        {"spelling": "小李", "person_id": "../x"},
    ):
        response = post(client, "/admin/people/unlinked/unlink", data, page="/admin/people/unlinked")
        assert response.status_code == 409 and "无需撤销" in response.get_data(as_text=True)
    bad = post(client, "/admin/people/unlinked/unlink", {"spelling": ""}, page="/admin/people/unlinked")
    assert 400 <= bad.status_code < 500


def test_the_command_line_runs_the_same_migration(app):
    hire(app, "李明")
    fail(app, dt.date(2026, 11, 2), name="李明")
    result = app.test_cli_runner().invoke(args=["people", "link-responsible"])
    assert result.exit_code == 0, result.output
    assert "新关联 1 项，还有 0 项未登记" in result.output
    assert ledger(app).unlinked == ()


def picker_data(page: str) -> dict:
    raw = re.search(r"id=\"people-data\" hidden data-people='([^']*)'", page).group(1)
    return json.loads(html.unescape(raw))


def test_the_checklist_page_embeds_its_directory_slice_department_first(app, client, auth):
    hire(app, "张伟", department="仓储部", employee_no="W0101", role="仓库管理员")
    hire(app, "李明", employee_no="A0012", role="售前客服")
    gone = hire(app, "王芳")
    with app.test_request_context():
        people.mark_left(storage(), app.extensions["checklist_clock"], ADMIN, gone.id, "2026-11-20")
    auth.login("zhang")
    data = picker_data(client.get(DAILY).get_data(as_text=True))
    assert data["department"] == "客服部"
    assert [p["name"] for p in data["people"]] == ["李明", "张伟"]  # 王芳 left before the 23rd
    assert data["people"][0] | {"id": ""} == {
        "id": "",
        "name": "李明",
        "no": "A0012",
        "dept": "客服部",
        "role": "售前客服",
        "ini": ["lm"],
        "py": "liming",
    }


def test_the_plain_form_without_javascript_stores_the_typed_name_and_keeps_a_chosen_id(app, client, auth):
    li = hire(app, "李明")
    auth.login("zhang")
    page = client.get(DAILY).get_data(as_text=True)
    keys = re.findall(r'<li class="item" data-key="([^"]+)"', page)
    form = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
        "snapshot_id": re.search(r'name="snapshot_id" value="([^"]+)"', page).group(1),
        "idempotency_key": uuid.uuid4().hex,
    }
    for key in keys:
        form[f"result-{key}"] = "pass"
    form["result-cs-response-avg"] = "fail"
    form["responsible-cs-response-avg"] = "小李"
    other = next(k for k in keys if k != "cs-response-avg")
    form[f"result-{other}"] = "fail"
    form[f"responsible_id-{other}"] = li.id
    assert 'name="responsible_id-cs-response-avg" value=""' in page
    response = client.post("/checklists/submit", data=form)
    assert response.status_code == 302
    with app.test_request_context():
        [record] = storage().completions.list(dt.date(2026, 11, 23), dt.date(2026, 11, 23))
    assert (item(record)["responsible"], item(record)["responsible_id"]) == ("小李", "")
    chosen = item(record, other)
    assert (chosen["responsible"], chosen["responsible_id"]) == ("李明", li.id)
