"""On a phone at 360x740: after a publish, an inspector sees 改 on the changed item and opens the
change with one tap; a new hire reads a policy and taps 已阅读并理解."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS, PROJECT, make_site_project
from .app_server import TODAY, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "inspector-pass-1"
SERVICE = "20-客服/service.md"


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = make_site_project(tmp_path / "project", HANDBOOKS / "good") / "handbook"
    users = TinyDBUserStore(tmp_path / "data")
    users.put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    users.put(make_user("xiao", PASSWORD, "inspector", "售前客服", "小新"))  # a new hire
    users.put(make_user("zhao", PASSWORD, "owner", "人事专员", "赵负责"))
    app = AppServer(tmp_path, handbook, sample_site)  # release 1: the sample, published by itself
    app.handbook = handbook
    yield app
    app.stop()


def publish(server, note):
    """`make publish` on the server's instance (same data and clock), as a policy owner would."""
    proc = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "checklist_app", "publish", "--note", note],
        env=server.env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def sign_in(page, server, username):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_an_inspector_sees_the_changed_item_and_opens_the_diff(server, phone, artifacts):
    path = server.handbook / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("客服平均响应时间不超过50秒。", "客服平均响应时间不超过45秒。"),
        encoding="utf-8",
    )
    assert "已发布第 2 版" in publish(server, "响应时间改为45秒")
    sign_in(phone, server, "zhang")
    phone.goto(f"{server.url}/checklists/daily/{TODAY.isoformat()}/role:售前客服")
    mark = phone.locator("a.badge.mark-changed")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("改")
    item = phone.locator("li.item", has=mark)
    expect(item).to_contain_text("不超过45秒")
    box = mark.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a tap target
    mark.scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / "publish-changed-item.png")
    mark.click()
    entry = phone.locator("#r2-cs-response")
    expect(entry).to_be_visible()
    diff = phone.locator(".hb-diff").first
    expect(diff.locator("del").first).to_have_text("50")
    expect(diff.locator("ins").first).to_have_text("45")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=artifacts / "publish-change-log.png")


def test_a_new_hire_reads_a_policy_and_acknowledges_it(server, phone, artifacts):
    sign_in(phone, server, "xiao")
    due = phone.locator("#reading-due a")
    expect(due).to_contain_text("项制度等你阅读确认")
    due.click()
    phone.get_by_role("link", name="客服管理制度").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("客服管理制度")
    expect(phone.locator(".cards")).to_contain_text("第一条 响应时间")
    phone.screenshot(path=artifacts / "reading-policy.png", full_page=True)
    button = phone.get_by_role("button", name="已阅读并理解")
    assert button.bounding_box()["height"] >= 44
    button.click()
    expect(phone.locator(".flash")).to_contain_text("你已阅读《客服管理制度》2.0 版")
    expect(phone.locator("#to-read")).not_to_contain_text("客服管理制度")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=artifacts / "reading-acknowledged.png", full_page=True)


def test_an_owner_sees_what_the_draft_changes_before_publishing(server, phone, artifacts):
    path = server.handbook / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8").replace("不得超过50秒", "不得超过45秒，节假日不超过60秒"),
        encoding="utf-8",
    )
    sign_in(phone, server, "zhao")
    phone.goto(server.url + "/admin/publish/")
    expect(phone.locator("#version-offers")).to_contain_text("把版本改为 2.1")
    expect(phone.locator(".diff del").first).to_have_text("50")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=artifacts / "publish-page.png", full_page=True)
    phone.get_by_role("button", name="把版本改为 2.1").click()
    expect(phone.locator(".flash")).to_contain_text("版本改为 2.1")
    assert 'version: "2.1"' in path.read_text(encoding="utf-8")
