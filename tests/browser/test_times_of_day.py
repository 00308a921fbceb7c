"""A check due three times a day, on a phone: three lines in time order, one missed time failed and fined."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage import open_storage

from ..conftest import HANDBOOKS
from .app_server import NOW, TODAY, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "times-of-day-1"
TIMES = ("09:00", "14:00", "17:30")
EVENING = NOW.replace(hour=18)


def serve(tmp_path, sample_site, now):
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
    return AppServer(tmp_path, handbook, sample_site, now=now)


@pytest.fixture
def server(tmp_path, sample_site):
    app = serve(tmp_path, sample_site, EVENING)  # every time of the day has come
    yield app
    app.stop()


@pytest.fixture
def morning_server(tmp_path, sample_site):
    app = serve(tmp_path, sample_site, NOW)  # 10:00: the 14:00 and 17:30 checks cannot be done yet
    yield app
    app.stop()


def test_a_time_that_has_not_come_is_locked_until_it_comes(browser, morning_server, artifacts):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    phone = context.new_page()
    phone.clock.install(time=NOW)  # the phone's clock agrees with the server's
    try:
        phone.goto(morning_server.url + "/login")
        phone.get_by_label("用户名").fill("zhang")
        phone.get_by_label("密码").fill(PASSWORD)
        phone.get_by_role("button", name="登录").click()
        phone.goto(f"{morning_server.url}/checklists/daily/{TODAY.isoformat()}/role:售后客服")
        timed = phone.locator("li.item[data-key^='cs-response-avg@']")
        expect(timed.nth(0).get_by_role("radio", name="合格", exact=True)).to_be_enabled()
        afternoon = timed.nth(1)
        expect(afternoon).to_contain_text("14:00 起检查")
        expect(afternoon.get_by_role("radio", name="合格", exact=True)).to_be_disabled()
        expect(timed.nth(2).get_by_role("radio", name="不合格", exact=True)).to_be_disabled()
        afternoon.scroll_into_view_if_needed()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.screenshot(path=str(artifacts / "times-of-day-locked.png"))
        phone.clock.run_for("04:01:00")  # the page left open until 14:01
        expect(afternoon.get_by_role("radio", name="合格", exact=True)).to_be_enabled()
        expect(afternoon).not_to_contain_text("14:00 起检查")
        expect(timed.nth(2).get_by_role("radio", name="合格", exact=True)).to_be_disabled()
    finally:
        context.close()


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
