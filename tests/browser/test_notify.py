"""管理 → 通知 on a phone: an admin adds a 钉钉 robot, sends a test message, reads the platform's answer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..checklist_app.notify.conftest import receiver  # noqa: F401 - the local chat platform fixture
from ..conftest import HANDBOOKS
from .app_server import AppServer
from .axe import assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "notify-pass-12"
SECRET = "SECbrowser-test-secret-4321"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path, sample_site, monkeypatch):
    monkeypatch.setenv("CHECKLIST_NOTIFY_EXTRA_HOSTS", "127.0.0.1")  # the test's receiver stands in for 钉钉
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    TinyDBUserStore(tmp_path / "data").put(make_user("admin", PASSWORD, "admin", "", "王管理"))
    app = AppServer(tmp_path, handbook, sample_site)
    yield app
    app.stop()


def test_an_admin_adds_a_robot_and_sees_the_delivery(server, receiver, axe_phone, artifacts):  # noqa: F811
    phone = axe_phone  # CSP is bypassed only so that axe-core can be injected
    phone.goto(server.url + "/login")
    phone.get_by_label("用户名").fill("admin")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.goto(server.url + "/admin/handbook")
    phone.get_by_role("link", name="通知").first.click()
    expect(phone.locator("h1")).to_have_text("通知")
    expect(phone.locator("#sender")).to_contain_text("还没有发送进程运行过")

    form = phone.locator("#add-robot")
    form.get_by_label("名称").fill("客服部群")
    form.get_by_label("平台").select_option("dingtalk")
    form.get_by_label("发给").select_option("客服部")
    webhook = f"{receiver.url}/robot/send?access_token=tok-0123456789-ABCD"
    form.get_by_label("Webhook 地址").fill(webhook)
    form.get_by_label("签名密钥").fill(SECRET)
    form.get_by_label("有人累计违规达到制度规定的次数").uncheck()
    phone.screenshot(path=str(artifacts / "notify-add.png"), full_page=True)
    form.get_by_role("button", name="保存").click()
    expect(phone.locator(".flash")).to_contain_text("已添加群机器人“客服部群”")
    card = phone.locator(".robot", has_text="客服部群")
    expect(card).to_contain_text("ABCD")
    expect(card).to_contain_text("4321")
    html = phone.content()
    assert "tok-0123456789" not in html and "browser-test-secret" not in html

    card.get_by_role("button", name="发送测试消息").click()
    expect(phone.locator("#queued")).to_contain_text("测试消息")
    # The sender process (here: one `notify send`) posts it to the platform.
    command = [sys.executable, "-m", "flask", "--app", "checklist_app", "notify", "send"]
    sent = subprocess.run(command, env=server.env, cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stderr
    assert len(receiver.requests) == 1 and receiver.requests[0]["query"]["sign"]
    phone.reload()
    entry = phone.locator("#delivery-log .delivery").first
    expect(entry).to_contain_text("成功")
    expect(entry).to_contain_text('{"errcode": 0, "errmsg": "ok"}')
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "notify-log.png"), full_page=True)
    assert_accessible(phone, "notify")
