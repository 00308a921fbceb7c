"""管理 → 操作记录 on a phone: an admin reads and filters who changed what."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app import audit
from checklist_app.auth import make_user
from checklist_app.clock import FrozenClock
from checklist_app.storage import open_storage

from ..conftest import HANDBOOKS
from .app_server import NOW, AppServer

pytestmark = pytest.mark.browser
PASSWORD = "audit-page-pass-1"


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    store = open_storage("tinydb", tmp_path / "data")
    admin = make_user("admin", PASSWORD, "admin", "", "王管理")
    store.users.put(admin)
    clock = FrozenClock(NOW)
    audit.record(
        store, clock, admin, "account.create", "zhang", after={"permission": "inspector", "role": "客服主管"}
    )
    audit.record(
        store, clock, admin, "account.edit", "zhang", before={"role": "客服主管"}, after={"role": "仓储主管"}
    )
    audit.record(
        store, clock, admin, "checklist.backfill", "2026-11-20.abc", after={"reason": "纸质表已存档"}
    )
    app = AppServer(tmp_path, handbook, sample_site)
    yield app
    app.stop()


def test_an_admin_reads_and_filters_the_audit_log_on_a_phone(browser, server, artifacts):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2
    )
    phone = context.new_page()
    try:
        phone.goto(server.url + "/login")
        phone.get_by_label("用户名").fill("admin")
        phone.get_by_label("密码").fill(PASSWORD)
        phone.get_by_role("button", name="登录").click()
        phone.goto(server.url + "/admin/audit")
        entries = phone.locator("#audit-entries .audit-entry")
        expect(entries.filter(has_text="修改账号")).to_contain_text("岗位客服主管 → 仓储主管")
        expect(entries.filter(has_text="补录清单")).to_contain_text("纸质表已存档")
        expect(phone.locator("#audit-entries")).to_contain_text("2026-11-25 10:00 (UTC+8) · 王管理（admin）")
        phone.screenshot(path=str(artifacts / "audit-log.png"), full_page=True)
        wide = phone.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
            ".map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))"
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, wide
        phone.locator("select[name=action]").select_option("account.edit")
        phone.get_by_role("button", name="查看").click()
        expect(entries).to_have_count(1)
    finally:
        context.close()
