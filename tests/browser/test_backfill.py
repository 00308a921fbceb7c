"""补录 on a phone: an admin back-fills an earlier day with a reason; the record and the ledger say so."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer

pytestmark = pytest.mark.browser
PASSWORD = "backfill-pass-1"
EARLIER = "2026-11-20"  # the servers' clock stands on Wednesday 2026-11-25


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    users = TinyDBUserStore(tmp_path / "data")
    users.put(make_user("admin", PASSWORD, "admin", "", "王管理"))
    users.put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site)
    yield app
    app.stop()


def sign_in(page, server, username):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def test_an_admin_backfills_and_the_mark_shows_on_the_record_and_in_the_ledger(browser, server, artifacts):
    # The server fixture comes first so gunicorn stops after the browser context closes.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2, is_mobile=True
    )
    phone = context.new_page()
    try:
        sign_in(phone, server, "admin")
        phone.goto(f"{server.url}/?date={EARLIER}")
        expect(phone.locator(".notice.backfill")).to_contain_text(f"补录模式：{EARLIER} 不是今天")
        phone.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
        expect(phone.locator("#backfill-notice")).to_contain_text("你正在补录过去的清单")
        items = phone.locator(".item")
        for index in range(items.count()):
            item = items.nth(index)
            if item.get_attribute("data-key") == "cs-response-avg":
                item.get_by_role("radio", name="不合格", exact=True).click()
                item.get_by_label("责任人").fill("小李")
            else:
                item.get_by_role("radio", name="合格", exact=True).click()
        phone.get_by_label("补录原因（必填）").fill("当天网络故障，纸质检查表已签字存档")
        phone.screenshot(path=str(artifacts / "backfill-form.png"), full_page=True)
        phone.get_by_role("button", name="提交清单").click()
        mark = phone.locator("#backfill-mark")
        expect(mark).to_contain_text("王管理 于 2026-11-25 10:00 (UTC+8) 补录")
        expect(mark).to_contain_text("当天网络故障，纸质检查表已签字存档")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.screenshot(path=str(artifacts / "backfill-record.png"), full_page=True)

        phone.goto(f"{server.url}/history?from={EARLIER}&to=2026-11-25")
        expect(phone.locator(".history .badge.backfill")).to_have_count(1)
        phone.goto(f"{server.url}/reports/ledger?month=2026-11")
        line = phone.locator(".ledger-line", has_text="小李")
        expect(line.locator(".badge.backfill")).to_have_text("补录")
        expect(phone.get_by_text("其中 1 笔来自补录的清单")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.screenshot(path=str(artifacts / "backfill-ledger.png"), full_page=True)
    finally:
        context.close()


def test_an_inspector_is_told_that_earlier_days_are_for_managers(browser, server, artifacts):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    phone = context.new_page()
    try:
        sign_in(phone, server, "zhang")
        response = phone.goto(f"{server.url}/checklists/daily/{EARLIER}/role:售前客服")
        assert response.status == 403
        expect(phone.locator(".error")).to_contain_text("过去的清单只能由制度负责人或管理员补录")
        phone.screenshot(path=str(artifacts / "backfill-refused.png"))
    finally:
        context.close()
