"""A check due three times a day, on a phone: three lines in time order, one missed time failed and fined."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage import open_storage

from ..conftest import HANDBOOKS
from .app_server import TODAY, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "times-of-day-1"
TIMES = ("09:00", "14:00", "17:30")


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    service = handbook / "20-客服" / "service.md"
    text = service.read_text(encoding="utf-8")
    daily = "频率: 每日\n对象: 售前客服, 售后客服"
    assert daily in text
    service.write_text(
        text.replace(daily, "频率: 每日 09:00、14:00、17:30\n对象: 售前客服, 售后客服", 1), "utf-8"
    )
    open_storage("tinydb", tmp_path / "data").users.put(
        make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管")
    )
    app = AppServer(tmp_path, handbook, sample_site)
    yield app
    app.stop()


def test_an_inspector_answers_each_time_of_a_several_times_a_day_check(browser, server, artifacts):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(server.url + "/login")
        phone.get_by_label("用户名").fill("zhang")
        phone.get_by_label("密码").fill(PASSWORD)
        phone.get_by_role("button", name="登录").click()
        phone.goto(f"{server.url}/checklists/daily/{TODAY.isoformat()}/role:售后客服")
        timed = phone.locator("li.item[data-key^='cs-response-avg@']")
        expect(timed).to_have_count(3)
        for n, time in enumerate(TIMES):
            expect(timed.nth(n).locator(".item-meta")).to_contain_text(f"每日 {time}")
        phone.screenshot(path=str(artifacts / "times-of-day-checklist.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        items = phone.locator("li.item")
        for n in range(items.count()):
            item = items.nth(n)
            if item.get_attribute("data-key") == "cs-response-avg@14:00":
                item.locator("label.choice-fail").click()
                item.locator("input[name^='responsible-']").fill("小李")
            else:
                item.locator("label.choice-pass").click()
        phone.get_by_role("button", name="提交清单").click()
        phone.wait_for_url("**/history/**")
        failed = phone.locator("li.item.result-fail")
        expect(failed).to_have_count(1)
        expect(failed).to_contain_text("时间：14:00")
        expect(failed).to_contain_text("罚款 50 元")
        for time in TIMES:
            expect(phone.locator("ol.items")).to_contain_text(f"时间：{time}")
        phone.screenshot(path=str(artifacts / "times-of-day-record.png"), full_page=True)
    finally:
        context.close()
