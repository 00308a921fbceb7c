"""整改 on a phone: the head of the department marks a failure fixed, the inspector confirms it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect

from checklist_app import actions
from checklist_app.auth import make_user
from checklist_app.clock import FrozenClock
from checklist_app.generation import Target
from checklist_app.storage import open_storage
from generator.loader import load_handbook

from ..checklist_app.conftest import HYGIENE_INSPECTOR, complete
from ..conftest import HANDBOOKS
from .app_server import NOW, TODAY, AppServer
from .test_offline import camera_jpeg

pytestmark = pytest.mark.browser
PASSWORD = "action-pass-1"
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def server(tmp_path, sample_site):
    """Yesterday li (行政专员) failed 客服部's desks: an action waits for 客服主管 zhang."""
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    store = open_storage("tinydb", tmp_path / "data")
    store.users.put(make_user("li", PASSWORD, "inspector", "行政专员", "李专员"))
    store.users.put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    model = load_handbook(handbook)
    record = complete(
        model, store, Target("department", "客服部"), {"hy-desk": 1}, YESTERDAY, HYGIENE_INSPECTOR
    )
    actions.open_for_record(store, model, record, 3, FrozenClock(NOW))
    app = AppServer(tmp_path, handbook, sample_site)
    app.store = store
    yield app
    app.stop()


def phone_of(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2, is_mobile=True
    )
    return context, context.new_page()


def sign_in(page, server, username):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_owner_marks_it_fixed_and_the_inspector_confirms_it(browser, server, artifacts):
    owner_context, owner = phone_of(browser)
    inspector_context, inspector = phone_of(browser)
    try:
        sign_in(owner, server, "zhang")
        owner.get_by_role("link", name="整改", exact=True).click()
        expect(owner.locator("h1")).to_have_text("整改")
        card = owner.locator(".action").first
        expect(card).to_contain_text("待整改")
        expect(card).to_contain_text("整改人：客服主管")
        fits(owner)
        owner.screenshot(path=str(artifacts / "actions-mine.png"), full_page=True)
        card.get_by_role("link").click()
        owner.get_by_label("整改说明").fill("桌面已清理，文件已归档")
        photo = {"name": "整改后.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}
        owner.get_by_label("整改后的照片").set_input_files(photo)
        expect(owner.locator("#fix-form .photos img")).to_have_count(1)  # shrunk, uploaded, named by id
        owner.screenshot(path=str(artifacts / "action-fix.png"), full_page=True)
        owner.get_by_role("button", name="已整改，请复查").click()
        expect(owner.locator("#action-status")).to_have_text("已整改，待复查")
        expect(owner.locator("#fix-form")).to_have_count(0)
        fits(owner)

        sign_in(inspector, server, "li")
        inspector.get_by_role("link", name="整改", exact=True).click()
        card = inspector.locator(".action").first
        expect(card).to_contain_text("已整改，待复查")  # in li's 我的: waiting for the 复查
        card.get_by_role("link").click()
        expect(inspector.locator("#verify-form")).to_contain_text("桌面已清理，文件已归档")
        fix_photo = inspector.locator("#timeline img")
        expect(fix_photo).to_have_count(1)
        size = fix_photo.evaluate("img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")
        assert size == [1600, 1200]  # the 4000 × 3000 camera photo, shrunk on the owner's phone
        inspector.get_by_role("button", name="复查通过，关闭整改").click()
        expect(inspector.locator("#action-status")).to_have_text("已复查")
        expect(inspector.locator("#timeline > li")).to_have_count(3)  # found, fixed, verified
        fits(inspector)
        inspector.screenshot(path=str(artifacts / "action-verified.png"), full_page=True)
    finally:
        owner_context.close()
        inspector_context.close()
    (stored,) = server.store.actions.all()
    assert stored["status"] == "verified"
    assert [e["by"] for e in stored["history"]] == ["li", "zhang", "li"]
    assert len(stored["history"][1]["photos"]) == 1
