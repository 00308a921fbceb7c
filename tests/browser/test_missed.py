"""未完成 on a phone: an owner filters the week by department, sees what was missed and back-fills it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.generation import Target
from checklist_app.storage import open_storage
from generator.loader import load_handbook

from ..checklist_app.conftest import complete
from ..conftest import HANDBOOKS
from .app_server import AppServer
from .axe import assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "missed-pass-12"
MONDAY, TUESDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 24)  # the servers' clock: Wednesday 10:00


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    store = open_storage("tinydb", tmp_path / "data")
    store.users.put(make_user("zhao", PASSWORD, "owner", "行政专员", "赵负责人"))
    model = load_handbook(handbook)
    complete(model, store, Target("department", "客服部"), {}, MONDAY)
    complete(model, store, Target("department", "客服部"), {}, TUESDAY)
    complete(model, store, Target("department", "仓储部"), {"hy-desk": 1}, MONDAY)  # Tuesday skipped
    app = AppServer(tmp_path, handbook, sample_site)
    yield app
    app.stop()


def sign_in(page, server):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill("zhao")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def test_the_missed_page_on_a_phone(server, axe_phone, artifacts):
    phone = axe_phone  # CSP is bypassed only so that axe-core can be injected
    sign_in(phone, server)
    phone.goto(server.url + "/reports/")
    card = phone.locator("#missed-card")
    expect(card).to_contain_text("近 7 天未完成检查")
    phone.screenshot(path=str(artifacts / "missed-dashboard-card.png"), full_page=False)
    card.get_by_role("link", name="查看未完成的清单").click()
    expect(phone.locator("h2")).to_contain_text("未完成检查")

    phone.locator("input[name=from]").fill("2026-11-23")
    phone.locator("input[name=to]").fill("2026-11-25")
    phone.get_by_label("部门").select_option("仓储部")
    phone.get_by_label("清单类型").select_option("daily")
    phone.get_by_role("button", name="查看").click()
    hygiene = phone.locator('.missed-slot[data-target="department:仓储部"][data-checker="行政专员"]')
    expect(hygiene).to_have_count(1)  # Tuesday; Monday was done and Wednesday has not closed yet
    expect(hygiene).to_have_attribute("data-period", "2026-11-24")
    expect(hygiene).to_contain_text("未完成")
    expect(phone.locator("#missed-count")).to_contain_text("另有")  # today's checklists: not due yet
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "missed-page.png"), full_page=True)
    assert_accessible(phone, "missed")

    hygiene.get_by_role("link", name="去补录").click()
    expect(phone.locator("#backfill-notice")).to_contain_text("补录")


def test_the_notice_board_on_a_phone(server, axe_phone, artifacts):
    phone = axe_phone
    sign_in(phone, server)
    phone.goto(server.url + "/reports/noticeboard?date=2026-11-23")
    expect(phone.locator("h1")).to_have_text("2026-11-23 检查公示")
    expect(phone.locator("#notice-failures")).to_contain_text("桌面无杂物、无污渍。")
    expect(phone.get_by_role("button", name="打印")).to_be_visible()  # print.js shows it
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "noticeboard.png"), full_page=True)
    assert_accessible(phone, "noticeboard")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == "公示栏-2026-11-23.pdf"
