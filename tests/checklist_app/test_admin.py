"""Republishing without a restart: valid edits go live, invalid ones are shown and never served."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from checklist_app import create_app
from checklist_app.extensions import storage

from ..conftest import PROJECT
from .conftest import publish

DAILY = "/checklists/daily/2026-11-23/role:售前客服"


def test_a_saved_edit_changes_nothing_until_it_is_published(app, client, auth, handbook_dir, clock):
    clock.advance(dt.timedelta(days=1))  # tomorrow's checklist was never opened
    auth.login("zhang")
    path = handbook_dir / "20-客服/service.md"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("不超过50秒。\n频率", "不超过45秒。\n频率"),
        encoding="utf-8",
    )
    tomorrow = "/checklists/daily/2026-11-24/role:售前客服"
    assert "不超过50秒" in client.get(tomorrow).get_data(as_text=True)  # the draft is not served
    clock.advance(dt.timedelta(days=1))  # a day that was never opened either
    publish(app, quick=True)
    auth.login("zhang")  # a day later: signed in again
    html = client.get("/checklists/daily/2026-11-25/role:售前客服").get_data(as_text=True)
    assert "不超过45秒" in html


def test_an_invalid_edit_keeps_the_last_good_model_and_shows_the_errors(client, auth, handbook_dir):
    path = handbook_dir / "20-客服/service.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("频率: 每日\n对象: 售前", "频率: 每天两次\n对象: 售前"),
        encoding="utf-8",
    )
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    assert "抽查前一日聊天记录，客服平均响应时间不超过50秒" in html  # still served from the last good model
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("zhao")
    status = client.get("/admin/handbook").get_data(as_text=True)
    assert "手册有 1 个错误" in status
    assert "20-客服/service.md:20</code>" in status
    assert "频率 &#39;每天两次&#39; 无法识别" in status


def test_handbook_status_is_ok_for_a_valid_handbook(client, auth):
    auth.login("admin")
    html = client.get("/admin/handbook").get_data(as_text=True)
    assert "手册检查通过：5 项制度，16 个检查项" in html


def test_admin_adds_an_inspector(client, auth):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "客服主管" in page  # roles come from reference.yml
    token = auth.token("/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "liu",
            "password": "short",
            "permission": "inspector",
            "role": "客服主管",
        },
    )
    assert response.status_code == 422 and "密码至少 10 位" in response.get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "liu",
            "password": "long-enough-1",
            "permission": "inspector",
            "role": "客服主管",
            "display_name": "刘",
        },
    )
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": auth.token()})
    assert auth.login("liu", "long-enough-1").status_code == 302


def test_create_admin_command_takes_credentials_from_the_environment(tmp_path, good_root):
    env = dict(
        os.environ,
        ADMIN_USER="boss",
        ADMIN_PASSWORD="boss-password-1",
        CHECKLIST_DATA_DIR=str(tmp_path / "data"),
        CHECKLIST_HANDBOOK_DIR=str(good_root),
        CHECKLIST_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "checklist_app", "create-admin"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        input="",
    )
    assert proc.returncode == 0, proc.stderr
    assert "管理员 boss 已创建" in proc.stdout
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "HANDBOOK_DIR": str(good_root), "SECRET_KEY": "x"})
    with app.app_context():
        assert storage().users.get("boss")["permission"] == "admin"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, good_root):
    env_free = {"DATA_DIR": str(tmp_path / "data"), "HANDBOOK_DIR": str(good_root)}
    os.environ["CHECKLIST_INSTANCE_PATH"] = str(tmp_path / "instance")
    try:
        first = create_app(env_free).config["SECRET_KEY"]
        second = create_app(env_free).config["SECRET_KEY"]
    finally:
        del os.environ["CHECKLIST_INSTANCE_PATH"]
    assert first == second and len(first) == 64
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
