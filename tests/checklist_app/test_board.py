"""Today shows my work first, who started each checklist, and warns a second inspector before ticking."""

from __future__ import annotations

import re

from checklist_app import board
from checklist_app.extensions import current_handbook, storage

from .conftest import DAY, form_answers, form_fields, item_keys

HYGIENE = "/checklists/daily/2026-11-23/department:客服部"


def _section(html: str, element_id: str) -> str:
    match = re.search(rf'<ul class="cards" id="{element_id}">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_my_targets_come_first_and_the_rest_are_folded_away(client, auth):
    auth.login("li")  # 行政专员: scores the hygiene sheet of every department
    html = client.get("/").get_data(as_text=True)
    mine, others = _section(html, "mine"), _section(html, "others")
    assert "部门：客服部" in mine and "部门：仓储部" in mine
    assert "部门：客服部" not in others
    assert "<details" in html and "其他对象" in html


def test_is_mine_means_a_check_is_about_the_target_directly(app):
    li = {"username": "li", "permission": "inspector", "role": "行政专员"}
    with app.app_context():
        found = board.board(storage(), current_handbook(), li, DAY)
    mine = {row.target.slug for row in found.mine}
    others = {row.target.slug for row in found.others}
    # The hygiene sheet is kept per department, and the office area is named by its checks...
    assert mine == {
        "department:客服部",
        "department:仓储部",
        "department:运营部",
        "department:行政部",
        "area:办公区",
    }
    # ...while role checklists hold the same checks only because they apply to 全体员工.
    assert "role:售前客服" in others and "role:行政专员" in others


def test_a_started_checklist_shows_who_started_it_and_when(client, auth, clock):
    auth.login("li")
    client.get(HYGIENE)
    html = client.get("/").get_data(as_text=True)
    assert "Li 09:30 开始" in html


def test_a_second_inspector_is_told_before_ticking_and_continues_only_by_confirming(
    app, client, auth, accounts
):
    from checklist_app.auth import make_user

    with app.app_context():
        storage().users.put(make_user("li2", "correct-horse-1", "inspector", "行政专员", display_name="李二"))
    auth.login("li")
    client.get(HYGIENE)
    auth.login("li2")
    warned = client.get(HYGIENE)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "Li 已于 2026-11-23 09:30 (UTC+8) 开始填写这份清单" in html
    assert 'class="item"' not in html  # nothing to tick yet
    confirmed = client.get(HYGIENE + "?confirm=1").get_data(as_text=True)
    assert 'class="item"' in confirmed
    # Once confirmed, it opens straight away.
    assert 'class="item"' in client.get(HYGIENE).get_data(as_text=True)


def test_the_started_mark_goes_once_the_checklist_is_submitted(client, auth):
    auth.login("li")
    page = client.get(HYGIENE).get_data(as_text=True)
    client.post("/checklists/submit", data=form_fields(page) | form_answers(item_keys(page)))
    html = client.get("/").get_data(as_text=True)
    assert "09:30 开始" not in html and "已完成" in html
