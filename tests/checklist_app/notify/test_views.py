"""管理 → 通知: admins add robots; webhook and secret are never shown again in full; bad input is refused."""

from __future__ import annotations

import pytest

from checklist_app.extensions import storage

from ..conftest import csrf_from

WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdefWXYZ"
SECRET = "SECsecret-value-7788"


def form(token, **changes):
    data = {
        "csrf_token": token,
        "name": "客服部群",
        "platform": "dingtalk",
        "department": "客服部",
        "webhook": WEBHOOK,
        "secret": SECRET,
        "kinds": ["daily", "fine"],
        "enabled": "yes",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admin(client, auth):
    auth.login("admin")
    return client


def token(client, path="/admin/notify/"):
    return csrf_from(client.get(path).get_data(as_text=True))


def test_an_admin_adds_a_robot_and_sees_only_the_last_four_characters(admin, app):
    answer = admin.post("/admin/notify/", data=form(token(admin)))
    assert answer.status_code == 302
    html = admin.get("/admin/notify/").get_data(as_text=True)
    assert "客服部群" in html and "钉钉" in html and "客服部" in html
    assert "WXYZ" in html and "7788" in html
    assert "0123456789abcdef" not in html and "secret-value" not in html
    with app.app_context():
        [robot] = storage().notify.robots()
    assert robot["webhook"] == WEBHOOK and robot["secret"] == SECRET
    assert robot["kinds"] == ["daily", "fine"] and robot["department"] == "客服部"
    edit = admin.get(f"/admin/notify/{robot['id']}").get_data(as_text=True)
    assert "0123456789abcdef" not in edit and "secret-value" not in edit


def test_leaving_webhook_and_secret_empty_keeps_them(admin, app):
    admin.post("/admin/notify/", data=form(token(admin)))
    with app.app_context():
        [robot] = storage().notify.robots()
    path = f"/admin/notify/{robot['id']}"
    answer = admin.post(
        path, data=form(token(admin, path), name="售后群", webhook="", secret="", kinds=["weekly"])
    )
    assert answer.status_code == 302
    with app.app_context():
        [after] = storage().notify.robots()
    assert (after["name"], after["webhook"], after["secret"], after["kinds"]) == (
        "售后群",
        WEBHOOK,
        SECRET,
        ["weekly"],
    )


def test_the_audit_log_never_holds_the_secret(admin, app):
    admin.post("/admin/notify/", data=form(token(admin)))
    log = admin.get("/admin/audit?q=客服部群").get_data(as_text=True)
    assert "添加群机器人" in log
    assert "secret-value" not in log and "0123456789abcdef" not in log


def test_a_test_message_is_queued_for_the_sender(admin, app):
    admin.post("/admin/notify/", data=form(token(admin)))
    with app.app_context():
        [robot] = storage().notify.robots()
    assert (
        admin.post(f"/admin/notify/{robot['id']}/test", data={"csrf_token": token(admin)}).status_code == 302
    )
    html = admin.get("/admin/notify/").get_data(as_text=True)
    assert "测试消息" in html and 'id="queued"' in html


def test_a_robot_is_deleted(admin, app):
    admin.post("/admin/notify/", data=form(token(admin)))
    with app.app_context():
        [robot] = storage().notify.robots()
    admin.post(f"/admin/notify/{robot['id']}/delete", data={"csrf_token": token(admin)})
    with app.app_context():
        assert storage().notify.robots() == []


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "请填写名称"),
        ({"platform": "slack"}, "请选择平台"),
        ({"department": "财务部"}, "没有名为“财务部”的部门"),
        ({"kinds": ["everything"]}, "接收的消息选项无效"),
        ({"webhook": ""}, "请填写 Webhook 地址"),
        ({"webhook": "http://oapi.dingtalk.com/robot/send?access_token=x"}, "应以 https:// 开头"),
        ({"webhook": "https://evil.example.com/robot/send"}, "oapi.dingtalk.com"),
        ({"platform": "wecom"}, "qyapi.weixin.qq.com"),  # a DingTalk address for a WeCom robot
        ({"secret": "x" * 201}, "最多 200 个字"),
        ({"name": "群\x07"}, "控制字符"),
    ],
)
def test_malformed_robots_are_refused_in_chinese(admin, app, changes, message):
    answer = admin.post("/admin/notify/", data=form(token(admin), **changes))
    assert 400 <= answer.status_code < 500
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        assert storage().notify.robots() == []


def test_every_form_needs_its_csrf_token(admin, app):
    assert admin.post("/admin/notify/", data=form(None)).status_code == 400
    admin.post("/admin/notify/", data=form(token(admin)))
    with app.app_context():
        [robot] = storage().notify.robots()
    for path in (
        f"/admin/notify/{robot['id']}",
        f"/admin/notify/{robot['id']}/test",
        f"/admin/notify/{robot['id']}/delete",
    ):
        assert admin.post(path, data=form(None)).status_code == 400
    with app.app_context():
        assert storage().notify.robot(robot["id"])["name"] == "客服部群"


def test_an_unknown_robot_is_a_chinese_404(admin):
    answer = admin.get("/admin/notify/nosuchrobot")
    assert answer.status_code == 404 and "没有这个群机器人" in answer.get_data(as_text=True)
    assert admin.post("/admin/notify/../x/test", data={"csrf_token": token(admin)}).status_code in (404, 405)


@pytest.mark.parametrize("username", ["zhang", "zhao"])
def test_only_admins_manage_robots(client, auth, username):
    auth.login(username)
    assert client.get("/admin/notify/").status_code == 403
