"""Reading acknowledgement per clause and per role: new hires read everything that applies to them;
after a release only the roles whose clauses changed are asked again, and shown just the diff."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from checklist_app.auth import make_user
from checklist_app.extensions import storage

from .conftest import PASSWORD, publish
from .test_publishing import SERVICE, text_of

PRESALES = ("xiao", "售前客服")
AFTERSALES = ("hou", "售后客服")


@pytest.fixture
def staff(app):
    with app.app_context():
        for username, role in (PRESALES, AFTERSALES):
            user = make_user(username, PASSWORD, "inspector", role, display_name=username.title())
            user["created_at"] = "2026-11-23T09:00:00+08:00"
            storage().users.put(user)


def acknowledge(client, auth, policy_id):
    page = text_of(client, f"/reading/{policy_id}")
    token = re.search(r'name="token" value="([^"]*)"', page).group(1)
    return client.post(f"/reading/{policy_id}", data={"csrf_token": auth.token(), "token": token})


def reword_refunds(handbook_dir):
    """A change to 第二条 退款处理 only, whose check is the after-sales staff's."""
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("须在24小时内处理", "须在12小时内处理"),
        encoding="utf-8",
    )


def test_a_new_account_is_asked_to_read_every_policy_of_its_role(app, client, auth, staff):
    auth.login("xiao")
    today = text_of(client, "/")
    assert re.search(r"有 \d+ 项制度等你阅读确认", today)
    listing = text_of(client, "/reading")
    assert "客服管理制度" in listing  # applies_to: 售前客服
    assert "仓储" not in listing  # the warehouse policy is not theirs


def test_acknowledging_records_who_which_version_and_when_once(app, client, auth, staff):
    auth.login("xiao")
    page = text_of(client, "/reading/cs-service")
    assert "第一条 响应时间" in page and "第二条 退款处理" not in page  # only the clauses of 售前客服
    token = re.search(r'name="token" value="([^"]*)"', page).group(1)
    for _ in range(2):  # a double tap
        response = client.post("/reading/cs-service", data={"csrf_token": auth.token(), "token": token})
        assert response.status_code == 302
    with app.app_context():
        [ack] = storage().reading.all()
    assert (ack["username"], ack["policy_id"], ack["version"]) == ("xiao", "cs-service", "2.0")
    assert ack["at"] == "2026-11-23T09:30:00+08:00" and ack["release"] == 1
    assert "已阅读" in text_of(client, "/reading")


def test_after_a_release_only_the_roles_whose_clauses_changed_are_asked_again(
    app, client, auth, staff, handbook_dir
):
    for username, _ in (PRESALES, AFTERSALES):
        auth.login(username)
        acknowledge(client, auth, "cs-service")
    reword_refunds(handbook_dir)
    publish(app, quick=True)
    auth.login("xiao")  # 售前客服: 第二条 is not theirs
    assert "客服管理制度" not in text_of(client, "/reading").split("已阅读</h2>")[0]
    auth.login("hou")  # 售后客服: asked again, shown just the diff
    listing = text_of(client, "/reading")
    assert "有更新" in listing and "只需看改动" in listing
    page = text_of(client, "/reading/cs-service")
    assert "你读过 2.0 版。2.1 版改了与你岗位有关的 1 个条款" in page
    assert "须在<del>24</del><ins>12</ins>小时内处理" in page
    assert "第一条 响应时间" not in page
    acknowledge(client, auth, "cs-service")
    with app.app_context():
        versions = [(a["username"], a["version"]) for a in storage().reading.all()]
    assert versions == [("xiao", "2.0"), ("hou", "2.0"), ("hou", "2.1")]


def test_a_page_shown_before_a_release_cannot_acknowledge_the_new_text(
    app, client, auth, staff, handbook_dir
):
    auth.login("hou")
    page = text_of(client, "/reading/cs-service")
    token = re.search(r'name="token" value="([^"]*)"', page).group(1)
    reword_refunds(handbook_dir)
    publish(app, quick=True)
    response = client.post("/reading/cs-service", data={"csrf_token": auth.token(), "token": token})
    assert response.status_code == 303
    with app.app_context():
        assert storage().reading.all() == []
    assert client.get("/reading/no-such-policy").status_code == 404


def test_owners_see_read_status_per_policy_department_and_person_with_overdue_and_export(
    app, client, auth, staff, clock
):
    auth.login("xiao")
    acknowledge(client, auth, "cs-service")
    clock.set(dt.datetime(2026, 12, 2, 9, 0, tzinfo=clock.now().tzinfo))  # 9 days on: over the 7
    auth.login("zhao")
    report = text_of(client, "/admin/reading?department=客服部")
    assert re.search(r'data-policy="cs-service">.*?已读 1 人，未读 1 人.*?逾期 1 人', report, re.S)
    assert 'data-user="hou"' in report and 'data-user="xiao"' in report and 'data-user="wang"' not in report
    export = client.get("/admin/reading.xlsx?department=客服部")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["姓名", "账号", "部门", "岗位", "制度", "现行版本", "状态", "应读日期", "阅读时间"]
    assert [
        "Hou",
        "hou",
        "客服部",
        "售后客服",
        "客服管理制度",
        "2.0",
        "待阅读（逾期）",
        "2026-11-23",
        None,
    ] in rows
    auth.login("xiao")
    assert client.get("/admin/reading").status_code == 403
