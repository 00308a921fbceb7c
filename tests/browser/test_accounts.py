"""Accounts on a phone, against gunicorn with several workers: an admin resets a password, the
inspector's open session ends at once, and the temporary password leads only to setting a new one."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer

pytestmark = pytest.mark.browser
PASSWORD = "accounts-pass-1"
TEMP = "Temp-pass-2026"
NEW = "zhang-own-secret-9"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "locale": "zh-CN",
    "device_scale_factor": 2,
    "is_mobile": True,
}


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    users = TinyDBUserStore(tmp_path / "data")
    users.put(make_user("admin", PASSWORD, "admin", "", "王管理"))
    users.put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site, workers=3)
    app.users = users
    yield app
    app.stop()


def sign_in(page, server, username, password=PASSWORD):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_admin_resets_a_password_and_the_inspector_must_set_a_new_one(browser, server, artifacts):
    admin_context, zhang_context = browser.new_context(**PHONE), browser.new_context(**PHONE)
    admin, zhang = admin_context.new_page(), zhang_context.new_page()
    try:
        sign_in(zhang, server, "zhang")
        expect(zhang.locator("h1")).to_contain_text("今日清单")

        sign_in(admin, server, "admin")
        admin.get_by_role("link", name="管理").click()
        admin.goto(server.url + "/admin/users")
        expect(admin.locator("#accounts .card")).to_have_count(2)
        fits_the_phone(admin)
        admin.screenshot(path=str(artifacts / "accounts-list.png"), full_page=True)

        # Adding an existing username is refused and says so.
        admin.get_by_label("用户名").fill("zhang")
        admin.get_by_label("初始密码", exact=True).fill("another-pass-42")
        admin.get_by_role("button", name="添加账号").click()
        expect(admin.get_by_role("alert")).to_contain_text("用户名 zhang 已被使用，没有做任何修改")
        assert server.users.get("zhang")["permission"] == "inspector"

        admin.locator("#accounts .card", has_text="张主管").click()
        expect(admin.locator("h1")).to_contain_text("张主管")
        fits_the_phone(admin)
        admin.screenshot(path=str(artifacts / "accounts-detail.png"), full_page=True)
        admin.get_by_label("临时密码").fill(TEMP)
        admin.get_by_role("button", name="重置密码").click()
        expect(admin.get_by_role("status")).to_contain_text("已为 zhang 设置临时密码")
        expect(admin.locator("#account-facts")).to_contain_text("待改密码")

        # The inspector's phone, signed in before the reset, is signed out on its next page.
        zhang.goto(server.url + "/history")
        expect(zhang.locator("h1")).to_contain_text("登录")
        expect(zhang.get_by_role("status")).to_contain_text("你的登录已失效")
        zhang.screenshot(path=str(artifacts / "accounts-revoked.png"), full_page=True)

        sign_in(zhang, server, "zhang", TEMP)
        expect(zhang.locator("h1")).to_contain_text("我的账号")
        expect(zhang.get_by_role("status")).to_contain_text("临时密码")
        zhang.goto(server.url + "/")
        expect(zhang.locator("h1")).to_contain_text("我的账号")  # nothing else until a new password is set
        fits_the_phone(zhang)
        zhang.screenshot(path=str(artifacts / "accounts-change-password.png"), full_page=True)
        zhang.get_by_label("当前密码").fill(TEMP)
        zhang.get_by_label("新密码", exact=True).fill(NEW)
        zhang.get_by_label("再输一次新密码").fill(NEW)
        zhang.get_by_role("button", name="修改密码").click()
        expect(zhang.locator("h1")).to_contain_text("今日清单")
        expect(zhang.get_by_role("status")).to_contain_text("密码已修改")
        assert server.users.get("zhang")["must_change_password"] is False
    finally:
        admin_context.close()
        zhang_context.close()
