"""Inspectors open a checklist, tick it, submit it once, and find it in history."""

from __future__ import annotations

import shutil

import pytest

from .conftest import form_answers, form_fields, item_keys, publish

DAILY = "/checklists/daily/2026-11-23/role:售前客服"


@pytest.fixture
def page(client, auth):
    auth.login("zhang")
    return client.get(DAILY).get_data(as_text=True)


def test_today_lists_the_checklists_this_inspector_performs(client, auth):
    auth.login("zhang")
    html = client.get("/?date=2026-11-23").get_data(as_text=True)
    assert "岗位：售前客服" in html and "岗位：售后客服" in html
    assert "<h2>岗位：仓库管理员</h2>" not in html  # 仓储主管 checks those, not 客服主管


def test_checklist_shows_text_clause_link_fine_and_version(page):
    assert item_keys(page) == ["cs-response-avg", "cs-review-neutral", "cs-review-negative"]
    assert "抽查前一日聊天记录，客服平均响应时间不超过50秒。" in page
    assert 'href="/handbook/20-%E5%AE%A2%E6%9C%8D/service/#cs-response"' in page
    assert "罚款 50 元" in page and "版本 2.0" in page
    for label in ("合格", "不合格", "不适用"):
        assert label in page


def test_submitting_the_form_stores_it_and_shows_it_read_only(client, page):
    response = client.post(
        "/checklists/submit",
        data={
            **form_fields(page),
            **form_answers(
                item_keys(page), fail="cs-review-neutral", **{"note-cs-review-neutral": "漏登记一条中评"}
            ),
        },
    )
    assert response.status_code == 302
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已提交的清单不能修改" in record
    assert "漏登记一条中评" in record and "责任人：小李" in record
    assert "<form" not in record.split("</header>")[1]  # read-only: no form to change it
    history = client.get("/history?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "岗位：售前客服" in history and "不合格 1 项" in history


def test_an_unanswered_item_is_refused_and_the_answers_are_kept(client, page):
    keys = item_keys(page)
    data = {**form_fields(page), **form_answers(keys[:-1], **{"note-cs-response-avg": "已抽查"})}
    response = client.post("/checklists/submit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "还有 1 项没有选择结果" in html
    assert "已抽查" in html and 'value="pass" checked' in html


def test_a_failure_needs_a_responsible_person(client, page):
    data = {**form_fields(page), **form_answers(item_keys(page), fail="cs-response-avg")}
    data["responsible-cs-response-avg"] = ""
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 422
    assert "请填写责任人" in response.get_data(as_text=True)


def test_an_oversized_note_is_refused(client, page):
    data = {**form_fields(page), **form_answers(item_keys(page), **{"note-cs-response-avg": "长" * 501})}
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 422
    assert "备注最多 500 个字" in response.get_data(as_text=True)


def test_a_double_tap_stores_one_checklist(client, page):
    data = {**form_fields(page), **form_answers(item_keys(page))}
    first = client.post("/checklists/submit", data=data)
    second = client.post("/checklists/submit", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    history = client.get("/history?from=2026-11-23&to=2026-11-23").get_data(as_text=True)
    assert history.count("<span>岗位：售前客服</span>") == 1


def test_a_second_submission_with_another_key_is_refused(client, page):
    client.post("/checklists/submit", data={**form_fields(page), **form_answers(item_keys(page))})
    again = {**form_fields(page), **form_answers(item_keys(page)), "idempotency_key": "another-key-123"}
    response = client.post("/checklists/submit", data=again)
    assert response.status_code == 409
    assert "已由 Zhang" in response.get_data(as_text=True)


def test_a_stale_or_forged_snapshot_is_refused(client, page):
    data = {**form_fields(page), **form_answers(item_keys(page)), "snapshot_id": "0000000000000000"}
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 409
    assert "已过期或不存在" in response.get_data(as_text=True)


def test_an_opened_completed_checklist_redirects_to_its_record(client, page):
    client.post("/checklists/submit", data={**form_fields(page), **form_answers(item_keys(page))})
    response = client.get(DAILY)
    assert response.status_code == 302 and "/history/" in response.headers["Location"]


def test_weekly_and_event_checklists(client, auth):
    auth.login("wang")
    weekly = client.get("/checklists/weekly/2026-W48/role:仓库管理员").get_data(as_text=True)
    assert item_keys(weekly) == ["wh-shelf-labels"]  # the 每周五 stock-take is on Friday's daily checklist
    start = client.get("/checklists/start-event?date=2026-11-23&event=活动上线前&target=role:运营专员")
    event = client.get(start.headers["Location"]).get_data(as_text=True)
    assert item_keys(event) == ["wh-promo-stock"]


def test_per_shift_checks_appear_once_per_shift(client, auth, clock):
    clock.set("2026-11-20T16:00:00+08:00")  # a Friday: the 每周五 stock-take is due too
    auth.login("wang")
    html = client.get("/checklists/daily/2026-11-20/role:仓库管理员").get_data(as_text=True)
    assert item_keys(html) == ["wh-lock-daily@早班", "wh-lock-daily@晚班", "wh-stocktake-weekly"]
    assert "班次：早班" in html


def test_a_started_checklist_keeps_its_versions_after_a_policy_change(app, client, page, handbook_dir):
    path = handbook_dir / "20-客服/service.md"
    text = path.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"')
    path.write_text(text.replace("不超过50秒。\n频率", "不超过40秒。\n频率"), encoding="utf-8")
    publish(app, quick=True)
    reopened = client.get(DAILY).get_data(as_text=True)
    assert "不超过50秒" in reopened and "版本 2.0" in reopened
    assert "本清单按开始时的制度版本生成" in reopened
    response = client.post(
        "/checklists/submit", data={**form_fields(reopened), **form_answers(item_keys(reopened))}
    )
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "版本 2.0" in record
    assert "该条款已在之后修改（当时版本 2.0，现行版本 2.1）" in record


def test_missing_handbook_site_is_a_404_not_a_crash(site_app, site):
    shutil.rmtree(site)  # a release folder someone damaged
    assert site_app.test_client().get("/handbook/").status_code == 404


def _status_and_text(client, path):
    with client.get(path) as response:  # file responses hold the file open until closed
        return response.status_code, response.get_data(as_text=True)


def test_the_built_handbook_is_served_under_handbook(client):
    status, html = _status_and_text(client, "/handbook/")
    assert status == 200 and "示例手册" in html
    assert _status_and_text(client, "/handbook/20-%E5%AE%A2%E6%9C%8D/service/")[0] == 200
    assert _status_and_text(client, "/handbook/search/search_index.json")[0] == 200
    assert _status_and_text(client, "/handbook/../../etc/passwd")[0] == 404
