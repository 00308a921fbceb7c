"""End to end on a phone: sign in, tick a checklist, fail one with a note, submit, find it in history."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBCompletionStore, TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import TODAY, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "inspector-pass-1"


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    TinyDBUserStore(tmp_path / "data").put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site)
    app.data = tmp_path / "data"
    yield app
    app.stop()


def stored(server) -> list[dict]:
    return TinyDBCompletionStore(server.data).list(TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1))


def sign_in(page, server):
    page.goto(server.url + "/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def open_checklist(page):
    page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
    expect(page.locator("h1")).to_contain_text("每日检查")


def tick_all(page, fail_index: int | None = None, scripts: bool = True):
    if scripts:  # tap only once the page's handlers are in place (a loaded machine is slow to run them)
        expect(page.locator("#checklist-form")).to_have_attribute("data-ready", "1", timeout=20_000)
    items = page.locator(".item")
    for index in range(items.count()):
        item = items.nth(index)
        if index == fail_index:
            item.get_by_role("radio", name="不合格", exact=True).click()
            item.get_by_label("责任人").fill("小李")
            item.get_by_label("备注（可选）").fill("抽查3单，2单超时")
        else:
            item.get_by_role("radio", name="合格", exact=True).click()


def test_inspector_completes_todays_checklist_on_a_phone(phone, server, artifacts):
    sign_in(phone, server)
    phone.screenshot(path=str(artifacts / "app-today.png"), full_page=True)
    open_checklist(phone)
    expect(phone.locator("#progress-text")).to_contain_text("已完成 0 /")
    tick_all(phone, fail_index=0)
    expect(phone.locator("#progress-text")).to_contain_text(f"已完成 {phone.locator('.item').count()} /")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "app-checklist.png"), full_page=True)
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")
    expect(phone.locator(".result-fail")).to_contain_text("抽查3单，2单超时")
    phone.screenshot(path=str(artifacts / "app-record.png"), full_page=True)
    phone.get_by_role("link", name="历史记录").click()
    expect(phone.locator(".history")).to_contain_text("岗位：售前客服")
    expect(phone.locator(".history")).to_contain_text("不合格 1 项")
    phone.screenshot(path=str(artifacts / "app-history.png"), full_page=True)
    records = stored(server)
    assert len(records) == 1 and records[0]["score"]["failed"] == 1


def test_draft_survives_a_reload(phone, server):
    sign_in(phone, server)
    open_checklist(phone)
    first = phone.locator(".item").first
    first.get_by_role("radio", name="不合格", exact=True).click()
    first.get_by_label("备注（可选）").fill("地面有纸屑")
    phone.reload()
    first = phone.locator(".item").first
    expect(first.locator("input[value=fail]")).to_be_checked()
    expect(first.get_by_label("备注（可选）")).to_have_value("地面有纸屑")


def test_a_submit_without_network_is_kept_and_retried_once_online(phone, server, artifacts):
    sign_in(phone, server)
    open_checklist(phone)
    tick_all(phone)
    phone.context.set_offline(True)
    button = phone.get_by_role("button", name="提交清单")
    button.dblclick()
    expect(phone.locator("#status")).to_contain_text("网络不通，答案已保存在本机")
    # While it waits in the outbox the form is locked: an edit now could never reach the server.
    expect(phone.locator("#outbox-lock")).to_be_visible()
    expect(phone.locator("#outbox-lock")).to_contain_text("提交完成前不能修改")
    expect(phone.locator(".item").first.get_by_role("radio", name="不合格", exact=True)).to_be_disabled()
    expect(phone.locator(".item").first.get_by_label("备注（可选）")).to_be_disabled()
    phone.screenshot(path=str(artifacts / "app-offline.png"))
    assert stored(server) == []
    phone.context.set_offline(False)
    try:  # Chromium may fire its own `online` first; then the page has already submitted and moved on
        phone.evaluate("window.dispatchEvent(new Event('online'))")
    except PlaywrightError as exc:
        if "context was destroyed" not in str(exc):
            raise
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改", timeout=15_000)
    assert len(stored(server)) == 1


def test_the_form_works_without_javascript(browser, server, artifacts):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="zh-CN"
    )
    page = context.new_page()
    try:
        sign_in(page, server)
        open_checklist(page)
        tick_all(page, fail_index=0, scripts=False)
        page.get_by_role("button", name="提交清单").click()
        expect(page.locator(".notice")).to_contain_text("已提交的清单不能修改")
        assert len(stored(server)) == 1
    finally:
        context.close()


def visible_right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box, "not rendered"
    return box["x"] + box["width"]


def test_history_and_the_print_page_fit_a_phone_and_print_on_a4(phone, server, artifacts):
    sign_in(phone, server)
    open_checklist(phone)
    tick_all(phone, fail_index=0)
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")

    phone.get_by_role("link", name="历史记录").click()
    expect(phone.locator(".history")).to_contain_text("岗位：售前客服")
    assert page_width(phone) <= 360, "history scrolls sideways"
    phone.screenshot(path=str(artifacts / "phone-history.png"), full_page=True)

    phone.locator(".history a").first.click()
    phone.get_by_role("link", name="打印").click()
    failed = phone.locator(".print-items tr.print-row-fail")
    expect(failed).to_have_count(1)
    # Every column of a failed row is on the screen, labelled: nothing cut off at the right.
    for label, value in (("结果", "不合格"), ("责任人", "小李"), ("备注", "抽查3单，2单超时")):
        cell = failed.locator(f"td[data-label='{label}']")
        expect(cell).to_have_text(value)
        expect(cell).to_be_visible()
        assert visible_right_edge(cell) <= 360, f"{label} is cut off"
        before = cell.evaluate("el => getComputedStyle(el, '::before').content")
        assert label in before, f"{label} has no label on a phone: {before}"
    assert page_width(phone) <= 360, "the print page scrolls sideways"
    phone.screenshot(path=str(artifacts / "phone-print.png"), full_page=True)

    # On paper it is still the five-column table with its headings.
    phone.emulate_media(media="print")
    headings = phone.locator(".print-items thead th")
    expect(headings).to_have_count(5)
    assert phone.locator(".print-items").evaluate("el => getComputedStyle(el).display") == "table"
    assert phone.locator(".topbar").is_hidden()
    phone.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    widths = phone.locator(".print-items thead th").evaluate_all("ths => ths.map(th => th.offsetWidth)")
    assert all(w > 30 for w in widths), widths
    phone.screenshot(path=str(artifacts / "print-a4.png"), full_page=True)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_sign_in_page_leads_to_the_handbook_without_an_account(phone, server, artifacts):
    phone.goto(server.url + "/")
    expect(phone).to_have_url(re.compile(r"/login"))
    assert page_width(phone) <= 360
    phone.screenshot(path=str(artifacts / "phone-sign-in.png"), full_page=True)
    link = phone.get_by_role("link", name="不用登录也能看制度手册")
    box = link.bounding_box()
    assert box and box["height"] >= 44
    link.click()
    expect(phone).to_have_url(re.compile(r"/handbook/$"))
    expect(phone.locator("h1")).to_be_visible()
