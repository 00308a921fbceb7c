"""On a phone, offline after the page loaded: fail an item, pick the responsible person by pinyin initials."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.people import FilePeopleStore
from checklist_app.storage.tinydb_store import TinyDBCompletionStore, TinyDBUserStore

from ..conftest import HANDBOOKS, PROJECT
from .app_server import TODAY, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "inspector-pass-1"
STAFF = [
    ("p00000000a001", "李明", "A0012", "客服部", "售前客服"),
    ("p00000000a002", "李梅", "A0014", "客服部", "售后客服"),  # also "lm"
    ("p00000000a003", "王芳", "A0013", "客服部", "客服主管"),
    ("p00000000a004", "刘敏", "W0105", "仓储部", "仓库管理员"),  # "lm" too, in another department
    ("p00000000a005", "张伟", "W0101", "仓储部", "仓储主管"),
]


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    data = tmp_path / "data"
    users = TinyDBUserStore(data)
    users.put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    users.put(make_user("boss", PASSWORD, "admin", "", "管理员"))
    FilePeopleStore(data).put_many(
        {
            "id": pid,
            "name": name,
            "employee_no": number,
            "department": department,
            "role": role,
            "phone": "",
            "username": "",
            "left_on": None,
        }
        for pid, name, number, department, role in STAFF
    )
    app = AppServer(tmp_path, handbook, sample_site)
    app.data = data
    yield app
    app.stop()


def sign_in(page, server, username):
    page.goto(server.url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def open_checklist_loaded(page):
    """Open the 售前客服 daily checklist and wait until its deferred scripts have run.

    A loaded machine runs them well after the heading shows; going offline before the picker's
    script arrived would leave the plain text box, which is what a phone without JavaScript gets."""
    page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
    expect(page.locator("h1")).to_contain_text("每日检查")
    expect(page.locator("#checklist-form")).to_have_attribute("data-ready", "1", timeout=20_000)
    expect(page.locator('input[role="combobox"]').first).to_be_attached(timeout=20_000)


def stored(server) -> list[dict]:
    return TinyDBCompletionStore(server.data).list(TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1))


def test_the_responsible_person_is_picked_offline_by_pinyin_initials(phone, server, artifacts):
    sign_in(phone, server, "zhang")
    open_checklist_loaded(phone)
    phone.context.set_offline(True)  # the warehouse has no signal: everything below runs on the phone

    items = phone.locator(".item")
    for index in range(1, items.count()):
        items.nth(index).get_by_role("radio", name="合格", exact=True).click()
    first = items.first
    first.get_by_role("radio", name="不合格", exact=True).click()
    box = first.get_by_role("combobox", name="责任人")
    box.click()
    box.press_sequentially("lm")
    options = first.get_by_role("option")
    # Both "lm" people of the checklist's department first (by pinyin), then the one of another department.
    expect(options.nth(0)).to_contain_text("李梅")
    expect(options.nth(1)).to_contain_text("李明")
    expect(options.nth(2)).to_contain_text("刘敏")
    expect(options.nth(1)).to_contain_text("工号 A0012 · 客服部 · 售前客服")
    expect(options.last).to_contain_text("未登记：按“lm”记录")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    first.scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "people-picker.png"))
    options.nth(1).click()
    expect(box).to_have_value("李明")
    expect(first.locator(".picker-chosen")).to_contain_text("已选：李明 · 工号 A0012")
    expect(first.get_by_role("listbox")).to_be_hidden()
    phone.screenshot(path=str(artifacts / "people-picker-chosen.png"))

    phone.context.set_offline(False)
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")
    [record] = stored(server)
    failed = [i for i in record["items"] if i["result"] == "fail"]
    assert [(i["responsible"], i["responsible_id"]) for i in failed] == [("李明", "p00000000a001")]


def test_someone_not_in_the_directory_is_kept_as_typed(phone, server):
    sign_in(phone, server, "zhang")
    open_checklist_loaded(phone)
    phone.context.set_offline(True)
    items = phone.locator(".item")
    for index in range(1, items.count()):
        items.nth(index).get_by_role("radio", name="合格", exact=True).click()
    first = items.first
    first.get_by_role("radio", name="不合格", exact=True).click()
    box = first.get_by_role("combobox", name="责任人")
    box.click()
    box.press_sequentially("临时工小周")
    unlisted = first.get_by_role("option", name="未登记：按“临时工小周”记录")
    expect(unlisted).to_be_visible()
    unlisted.click()
    expect(first.locator(".picker-chosen")).to_contain_text("未登记人员：临时工小周")
    phone.context.set_offline(False)
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")
    [record] = stored(server)
    failed = [i for i in record["items"] if i["result"] == "fail"]
    assert [(i["responsible"], i["responsible_id"]) for i in failed] == [("临时工小周", "")]


def test_the_directory_pages_on_a_phone(phone, server, artifacts):
    sign_in(phone, server, "boss")
    phone.goto(server.url + "/admin/")
    phone.goto(server.url + "/admin/people")
    expect(phone.locator("h1")).to_contain_text("人员名册")
    expect(phone.locator("#people .person")).to_have_count(len(STAFF))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "people-list.png"), full_page=True)
    phone.get_by_label("搜索").fill("lm")
    phone.get_by_role("button", name="搜索").click()
    expect(phone.locator("#people .person")).to_have_count(3)
    phone.goto(server.url + "/admin/people/import")
    phone.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(
        str(PROJECT / "tests/data/people-sample.csv")
    )
    phone.get_by_role("button", name="上传并预览").click()
    expect(phone.locator("#import-summary")).to_contain_text("将新增 2 人，更新 3 人")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "people-import-preview.png"), full_page=True)
    phone.get_by_role("button", name="确认导入").click()
    expect(phone.locator(".flash")).to_contain_text("导入完成：新增 2 人，更新 3 人")
