"""历史记录 on a phone: a month with more checklists than a page pages through them, filters kept."""

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
PASSWORD = "history-pass-12"
FIRST = dt.date(2026, 11, 1)  # the servers' clock: 2026-11-25; 历史记录 opens on the last 30 days
DEPARTMENTS = ("客服部", "仓储部", "运营部")


@pytest.fixture
def server(tmp_path, sample_site):
    """Twenty days of three hygiene sheets by li: 60 checklists, one more page than the 50 shown."""
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    store = open_storage("tinydb", tmp_path / "data")
    store.users.put(make_user("zhao", PASSWORD, "owner", "行政专员", "赵负责人"))
    model = load_handbook(handbook)
    for n in range(20):
        for name in DEPARTMENTS:
            complete(model, store, Target("department", name), {}, FIRST + dt.timedelta(days=n))
    app = AppServer(tmp_path, handbook, sample_site)
    yield app
    app.stop()


def test_a_long_history_pages_on_a_phone(server, axe_phone, artifacts):
    phone = axe_phone  # CSP is bypassed only so that axe-core can be injected
    phone.goto(server.url + "/login")
    phone.get_by_label("用户名").fill("zhao")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("link", name="历史记录").click()

    cards = phone.locator(".history .card")
    expect(cards).to_have_count(50)
    expect(cards.first).to_contain_text("2026-11-20")
    expect(phone.locator(".pager").first).to_contain_text("第 1–50 份，共 60 份")
    expect(phone.get_by_role("link", name="上一页")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "history-page-1.png"), full_page=False)
    assert_accessible(phone, "history")

    phone.get_by_role("link", name="下一页").last.click()  # the pager under the list
    expect(cards).to_have_count(10)
    expect(cards.last).to_contain_text("2026-11-01")
    expect(phone.locator(".pager").first).to_contain_text("第 51–60 份，共 60 份")
    expect(phone.get_by_role("link", name="下一页")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "history-page-2.png"), full_page=True)

    # A filter narrows the count and the pages; 上一页 leads back to the same first page.
    phone.get_by_label("对象").select_option(label="部门：仓储部")
    phone.get_by_role("button", name="筛选").click()
    expect(cards).to_have_count(20)
    expect(phone.locator("#history-count")).to_have_text("共 20 份")
    expect(phone.locator(".pager")).to_have_count(0)
    phone.go_back()
    phone.get_by_role("link", name="上一页").first.click()
    expect(cards).to_have_count(50)
    assert "page=" not in phone.url
