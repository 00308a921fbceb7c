"""Faster ticking on a phone: notes behind 备注, the remaining count, jump to the next, the rest all 合格."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer
from .test_checklist_app import PASSWORD, stored

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    TinyDBUserStore(tmp_path / "data").put(make_user("li", PASSWORD, "inspector", "行政专员", "李专员"))
    app = AppServer(tmp_path, handbook, sample_site)
    app.data = tmp_path / "data"
    yield app
    app.stop()


def open_hygiene_sheet(page, server):
    page.goto(server.url + "/")
    page.get_by_label("用户名").fill("li")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    card = page.locator(".card").filter(has=page.locator("h2", has_text="部门：运营部"))
    card.get_by_role("link", name="每日清单").click()
    expect(page.locator("h1")).to_contain_text("部门：运营部")


def test_an_inspector_fails_one_item_and_passes_the_rest_in_one_confirmed_tap(phone, server, artifacts):
    open_hygiene_sheet(phone, server)
    items = phone.locator(".item")
    total = items.count()
    assert total >= 2
    remaining = phone.locator("#remaining")
    expect(remaining).to_have_text(f"还剩 {total} 项")
    first = items.first
    # The note is behind 备注 until the item fails (or the button is tapped).
    expect(first.get_by_label("备注（可选）")).to_be_hidden()
    items.nth(1).get_by_role("button", name="备注").click()
    expect(items.nth(1).get_by_label("备注（可选）")).to_be_focused()
    first.get_by_role("radio", name="不合格", exact=True).click()
    first.get_by_label("责任人").fill("小李")
    first.get_by_label("备注（可选）").fill("抽查3单，2单超时")
    expect(remaining).to_have_text(f"还剩 {total - 1} 项")
    phone.screenshot(path=str(artifacts / "quick-ticking.png"))

    phone.get_by_role("button", name="下一项未选").click()
    expect(items.nth(1).get_by_role("radio", name="合格", exact=True)).to_be_focused()

    phone.get_by_role("button", name="其余全部合格").click()
    expect(phone.locator("#rest-confirm")).to_contain_text(f"把其余 {total - 1} 项都标为合格？")
    phone.screenshot(path=str(artifacts / "quick-rest-confirm.png"))
    phone.get_by_role("button", name="取消").click()
    expect(remaining).to_have_text(f"还剩 {total - 1} 项")  # cancelled: nothing ticked
    phone.get_by_role("button", name="其余全部合格").click()
    phone.get_by_role("button", name="确定，全部合格").click()
    expect(remaining).to_have_text("全部已选择")
    expect(first.get_by_role("radio", name="不合格", exact=True)).to_be_checked()  # the failure stays
    for index in range(1, total):
        expect(items.nth(index).get_by_role("radio", name="合格", exact=True)).to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")
    records = stored(server)
    assert len(records) == 1
    assert records[0]["score"]["failed"] == 1
