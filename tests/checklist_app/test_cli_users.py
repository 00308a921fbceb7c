"""`flask users add|edit|disable|enable|reset-password|list` and `create-admin`, for operators."""

from __future__ import annotations

import pytest

from checklist_app import audit
from checklist_app.extensions import storage

from .conftest import DAY, PASSWORD, csrf_from

GOOD = "cli-pass-2026"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, password: str | None = GOOD, input: str | None = None, env_name: str = "USER_PASSWORD"):
        env = {env_name: password} if password is not None else {env_name: ""}
        return runner.invoke(args=list(args), env=env, input=input)

    return run


def stored(app, username):
    with app.app_context():
        return storage().users.get(username)


def logged(app, action=None):
    with app.app_context():
        found = audit.entries(storage(), DAY, DAY)
        return [e for e in found if e.action == action or (action is None and e.action != "handbook.publish")]


def can_sign_in(app, username, password) -> int:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    data = {"username": username, "password": password, "csrf_token": csrf_from(page)}
    return client.post("/login", data=data).status_code


def test_users_add_creates_an_account_audited_as_the_command_line(app, cli):
    result = cli(
        "users",
        "add",
        "--username",
        "liu",
        "--display-name",
        "刘芳",
        "--permission",
        "owner",
        "--role",
        "客服主管",
    )
    assert result.exit_code == 0, result.output
    assert "账号 liu 已创建" in result.output
    user = stored(app, "liu")
    assert (user["display_name"], user["permission"], user["role"]) == ("刘芳", "owner", "客服主管")
    assert can_sign_in(app, "liu", GOOD) == 302
    [entry] = logged(app, "account.create")
    assert (entry.actor, entry.actor_name, entry.note) == ("system", "系统", "命令行")
    assert "password_hash" not in entry.after


def test_users_add_asks_for_the_password_twice_when_the_environment_has_none(app, cli):
    result = cli("users", "add", "--username", "liu", password=None, input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output  # not echoed
    assert can_sign_in(app, "liu", GOOD) == 302
    mismatch = cli("users", "add", "--username", "sun", password=None, input=f"{GOOD}\nsomething-else\n")
    assert mismatch.exit_code == 1 and "两次输入的密码不一致" in mismatch.output
    assert stored(app, "sun") is None


def test_users_add_refuses_an_existing_username_and_changes_nothing(app, cli):
    before = stored(app, "zhao")
    result = cli("users", "add", "--username", "zhao", "--permission", "inspector")
    assert result.exit_code == 1
    assert "用户名 zhao 已被使用，没有做任何修改" in result.output
    assert stored(app, "zhao") == before
    assert logged(app) == []


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("--username", "liu"), "woaini1314", "这个密码太常见"),
        (("--username", "liu"), "short", "密码至少 10 位"),
        (("--username", "liu"), "liu", "密码至少 10 位"),
        (("--username", "李明"), GOOD, "用户名只能用字母"),
        (("--username", "liu", "--role", "宇航员"), GOOD, "手册里没有岗位“宇航员”"),
    ],
)
def test_users_add_says_why_it_refuses(app, cli, args, password, message):
    result = cli("users", "add", *args, password=password)
    assert result.exit_code == 1
    assert message in result.output
    assert stored(app, "liu") is None


def test_users_add_takes_only_known_permissions(cli):
    result = cli("users", "add", "--username", "liu", "--permission", "root")
    assert result.exit_code == 2 and "root" in result.output


def test_users_edit_changes_only_what_is_given(app, cli):
    before = stored(app, "zhang")
    result = cli("users", "edit", "zhang", "--permission", "owner", "--role", "仓储主管")
    assert result.exit_code == 0, result.output
    assert "账号 zhang 已保存" in result.output
    after = stored(app, "zhang")
    assert (after["permission"], after["role"]) == ("owner", "仓储主管")
    assert after["display_name"] == before["display_name"]
    [entry] = logged(app, "account.edit")
    assert entry.note == "命令行" and ("role", "客服主管", "仓储主管") in entry.changes


def test_users_edit_needs_something_to_change_and_a_known_account(cli):
    nothing = cli("users", "edit", "zhang")
    assert nothing.exit_code == 1 and "没有要修改的内容" in nothing.output
    unknown = cli("users", "edit", "nobody", "--display-name", "无名")
    assert unknown.exit_code == 1 and "没有账号 nobody" in unknown.output


def test_users_disable_and_enable(app, cli):
    result = cli("users", "disable", "zhang")
    assert result.exit_code == 0 and "账号 zhang 已停用" in result.output
    assert can_sign_in(app, "zhang", PASSWORD) == 403
    again = cli("users", "disable", "zhang")
    assert again.exit_code == 1 and "已经停用" in again.output
    assert cli("users", "enable", "zhang").exit_code == 0
    assert can_sign_in(app, "zhang", PASSWORD) == 302
    assert [e.action for e in reversed(logged(app)) if e.actor == "system"] == [
        "account.disable",
        "account.enable",
    ]


def test_the_last_admin_cannot_be_disabled_or_demoted_from_the_command_line(app, cli):
    disable = cli("users", "disable", "admin")
    assert disable.exit_code == 1 and "唯一在用的管理员，不能停用" in disable.output
    demote = cli("users", "edit", "admin", "--permission", "owner")
    assert demote.exit_code == 1 and "唯一在用的管理员，不能改成其他权限" in demote.output
    assert stored(app, "admin")["permission"] == "admin" and not stored(app, "admin")["disabled"]


def test_users_reset_password_sets_a_temporary_one(app, cli):
    result = cli("users", "reset-password", "zhang", password="Temp-pass-2026")
    assert result.exit_code == 0 and "已为 zhang 设置临时密码" in result.output
    assert stored(app, "zhang")["must_change_password"] is True
    assert can_sign_in(app, "zhang", PASSWORD) == 401
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    data = {"username": "zhang", "password": "Temp-pass-2026", "csrf_token": csrf_from(page)}
    assert client.post("/login", data=data).headers["Location"] == "/account/password"
    weak = cli("users", "reset-password", "zhang", password="1234567890")
    assert weak.exit_code == 1 and "这个密码太常见" in weak.output
    [entry] = logged(app, "account.reset_password")
    assert entry.actor == "system" and entry.note == "命令行"


def test_users_list_shows_every_account_and_its_state(app, cli):
    cli("users", "disable", "wang")
    result = cli("users", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "用户名\t姓名\t权限\t岗位\t人员名册\t状态"
    assert [line.split("\t")[0] for line in lines[1:]] == ["admin", "li", "wang", "zhang", "zhao"]
    assert "wang\tWang\t巡检员\t仓储主管\t—\t已停用" in lines
    assert "zhao\tZhao\t制度负责人\t人事专员\t—\t在用" in lines


def test_create_admin_still_creates_the_first_admin_and_refuses_to_overwrite(app, cli):
    result = cli("create-admin", "--username", "boss", password="boss-password-1", env_name="ADMIN_PASSWORD")
    assert result.exit_code == 0, result.output
    assert "管理员 boss 已创建" in result.output
    assert stored(app, "boss")["permission"] == "admin"
    before = stored(app, "zhao")
    again = cli("create-admin", "--username", "zhao", password="boss-password-1", env_name="ADMIN_PASSWORD")
    assert again.exit_code == 1 and "已被使用" in again.output
    assert stored(app, "zhao") == before
    [entry] = logged(app, "account.create")
    assert entry.subject == "boss" and entry.note == "命令行"
