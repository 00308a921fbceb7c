"""On a phone: an inspector types a reading outside its limit and the item fails by itself."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBCompletionStore, TinyDBUserStore

from ..checklist_app.test_readings import READINGS
from ..conftest import HANDBOOKS
from .app_server import TODAY, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "inspector-pass-1"


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    (handbook / "20-客服" / "metrics.md").write_text(READINGS, encoding="utf-8")
    data = tmp_path / "data"
    TinyDBUserStore(data).put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site)
    app.data = data
    yield app
    app.stop()


def test_a_reading_outside_its_limit_fails_the_item(phone, server, artifacts):
    phone.goto(server.url + "/")
    phone.get_by_label("用户名").fill("zhang")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
    expect(phone.locator("h1")).to_contain_text("每日检查")

    items = phone.locator(".item")
    for index in range(items.count()):
        items.nth(index).get_by_role("radio", name="合格", exact=True).click()
    item = phone.locator(".item", has_text="查看前一日客服平均响应时间。")
    reading = item.get_by_label("平均响应时间（秒）")
    expect(reading).to_have_attribute("inputmode", "decimal")
    reading.fill("62")

    expect(item.get_by_role("radio", name="不合格", exact=True)).to_be_checked()
    expect(item.get_by_role("radio", name="合格", exact=True)).to_be_disabled()
    expect(item.locator(".reading-out")).to_have_text("超出限值 ≤ 50：已判为不合格")
    box = item.get_by_role("combobox", name="责任人")
    expect(box).to_be_visible()  # the responsible person is still asked, like any failure
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    item.scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "reading-out-of-limit.png"))

    # Back within the limit: the failure the reading made is undone, 合格 may be chosen again.
    reading.fill("45")
    expect(item.get_by_role("radio", name="不合格", exact=True)).not_to_be_checked()
    expect(item.locator(".reading-out")).to_be_hidden()
    reading.fill("62")
    box.click()
    box.press_sequentially("小李")
    item.get_by_role("option", name="未登记：按“小李”记录").click()
    humidity = phone.locator(".item", has_text="客服机房湿度").get_by_label("湿度（%）")
    humidity.fill("55")
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")
    expect(phone.locator(".item", has_text="查看前一日客服平均响应时间。")).to_contain_text(
        "平均响应时间 62 秒 · 超出 ≤ 50"
    )
    phone.screenshot(path=str(artifacts / "reading-record.png"), full_page=True)

    (record,) = TinyDBCompletionStore(server.data).list(TODAY - dt.timedelta(days=1), TODAY)
    stored = {i["key"]: i for i in record["items"]}
    assert stored["cm-response-avg"]["result"] == "fail"
    assert stored["cm-response-avg"]["reading"]["value"] == 62
    assert stored["cm-response-avg"]["responsible"] == "小李"
    assert stored["cm-humidity"]["reading"] == {
        "value": 55,
        "ok": True,
        "name": "湿度",
        "unit": "%",
        "limit": "40–70",
    }

    # The dashboard charts the reading per check, with the limit, and the point outside it marked.
    phone.goto(server.url + f"/reports/?date={TODAY.isoformat()}")
    chart = phone.locator("#reading-cm-response-avg")
    expect(chart).to_contain_text("1 次超出限值")
    expect(chart.locator("svg line.limit")).to_have_count(1)
    expect(chart.locator("svg circle.dot-bad")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    chart.scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "reading-dashboard.png"))
