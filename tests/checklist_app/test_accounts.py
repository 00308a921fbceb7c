"""管理 → 账号 and 我的账号: create without overwriting, edit, disable, reset, change one's own password.

Every change is in the audit log (actor, before → after, never a password or its hash).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from checklist_app import accounts, audit, passwords, people
from checklist_app.extensions import current_handbook, storage

from .conftest import DAY, PASSWORD, csrf_from

TEMP = "Temp-pass-2026"
NEW = "my-own-secret-77"


def post(client, path: str, data: dict, page: str | None = None):
    """POST a form the way a browser does: the CSRF token from the page the form is on."""
    token = csrf_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def user(app, username: str) -> dict | None:
    with app.app_context():
        return storage().users.get(username)


def logged(app, action: str | None = None) -> list[audit.Entry]:
    with app.app_context():
        found = audit.entries(storage(), DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    # The handbook's own publish entry (written at start) is not an account change.
    return [e for e in found if e.action == action or (action is None and e.action != "handbook.publish")]


def no_secrets(entry: audit.Entry) -> None:
    text = json.dumps([entry.before, entry.after, entry.note], ensure_ascii=False)
    assert "password_hash" not in text and "scrypt" not in text and PASSWORD not in text


def sign_out(client):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/login").get_data(as_text=True))})


# Create


def test_adding_an_existing_username_is_refused_and_changes_nothing(app, client, auth):
    before = user(app, "zhao")  # a policy owner
    auth.login("admin")
    response = post(
        client,
        "/admin/users",
        {
            "username": "zhao",
            "password": "another-pass-42",
            "permission": "inspector",
            "role": "客服主管",
            "display_name": "冒名",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "用户名 zhao 已被使用，没有做任何修改" in html
    assert "已保存" not in html and "已创建" not in html
    assert user(app, "zhao") == before
    assert logged(app, "account.create") == []
    sign_out(client)
    assert auth.login("zhao", PASSWORD).status_code == 302  # the old password still works
    assert auth.client.get("/admin/handbook").status_code == 200  # and still an owner


def test_an_admin_adds_an_account_and_it_is_logged(app, client, auth):
    auth.login("admin")
    response = post(
        client,
        "/admin/users",
        {
            "username": "liu",
            "password": "long-enough-12",
            "permission": "inspector",
            "role": "客服主管",
            "display_name": "刘　芳",  # an ideographic space, as a Chinese keyboard types it
            "must_change": "no",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users/liu"
    page = client.get("/admin/users/liu").get_data(as_text=True)
    assert "账号 liu 已创建" in page and "客服主管" in page
    stored = user(app, "liu")
    assert stored["display_name"] == "刘 芳"
    assert stored["session_version"] == 0 and stored["disabled"] is False
    assert stored["created_at"] == "2026-11-23T09:30:00+08:00"
    [entry] = logged(app, "account.create")
    assert (entry.actor, entry.subject) == ("admin", "liu")
    assert entry.after["permission"] == "inspector" and entry.after["role"] == "客服主管"
    no_secrets(entry)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert 'data-username="liu"' in listing and "共 6 个账号，6 个在用" in listing


def test_a_new_account_may_be_told_to_set_its_own_password_first(app, client, auth):
    auth.login("admin")
    data = {"username": "sun", "password": "first-pass-123", "permission": "inspector", "must_change": "yes"}
    assert post(client, "/admin/users", data).status_code == 302
    sign_out(client)
    response = auth.login("sun", "first-pass-123")
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "a b", "用户名只能用字母、数字、点、下划线或连字符"),
        ("username", "李明", "用户名只能用字母、数字、点、下划线或连字符"),
        ("permission", "root", "权限无效"),
        ("role", "宇航员", "手册里没有岗位“宇航员”"),
        ("display_name", "名" * 51, "姓名最多 50 个字"),
        ("password", "woaini1314", "这个密码太常见"),
    ],
)
def test_a_bad_new_account_is_refused_with_the_reason(app, client, auth, field, value, message):
    auth.login("admin")
    data = {"username": "liu", "password": "long-enough-12", "permission": "inspector", "role": "客服主管"}
    response = post(client, "/admin/users", {**data, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user(app, "liu") is None and logged(app) == []


# Edit


def test_an_admin_edits_name_permission_and_role(app, client, auth):
    before = user(app, "zhang")
    auth.login("admin")
    data = {"display_name": "张三", "permission": "owner", "role": "仓储主管"}
    response = post(client, "/admin/users/zhang", data)
    assert response.status_code == 302
    assert "账号 zhang 已保存" in client.get("/admin/users/zhang").get_data(as_text=True)
    after = user(app, "zhang")
    assert {k: after[k] for k in data} == data
    assert after["password_hash"] == before["password_hash"]
    assert after["session_version"] == before.get("session_version", 0)  # an edit ends no session
    [entry] = logged(app, "account.edit")
    assert entry.actor == "admin" and entry.subject == "zhang"
    assert {field for field, _, _ in entry.changes} == {"display_name", "permission", "role"}
    assert ("permission", "inspector", "owner") in entry.changes
    no_secrets(entry)


def test_an_account_shows_the_person_the_staff_directory_links_to_it(app, client, auth):
    auth.login("admin")
    unlinked = client.get("/admin/users/zhang").get_data(as_text=True)
    assert "未关联：在 人员名册 → 编辑此人 → 账号 填写这个账号即可关联" in unlinked
    with app.test_request_context():
        person = people.create(
            storage(),
            app.extensions["checklist_clock"],
            {"username": "admin", "display_name": "Admin", "permission": "admin"},
            current_handbook().reference,
            {"name": "张伟", "department": "客服部", "username": "zhang"},
        )
    page = client.get("/admin/users/zhang").get_data(as_text=True)
    assert f'href="/admin/people/{person.id}">张伟</a> · 客服部' in page
    assert "人员名册 张伟" in client.get("/admin/users").get_data(as_text=True)


def test_an_account_form_has_no_second_link_to_a_person(app, client, auth):
    auth.login("admin")
    post(client, "/admin/users/zhang", {"display_name": "Zhang", "person_id": "P-0007"})
    assert "person_id" not in user(app, "zhang")
    assert 'name="person_id"' not in client.get("/admin/users/zhang").get_data(as_text=True)


def test_an_edit_that_changes_nothing_is_not_logged(app, client, auth):
    auth.login("admin")
    data = {"display_name": "Zhang", "permission": "inspector", "role": "客服主管"}
    response = post(client, "/admin/users/zhang", data)
    assert response.status_code == 302
    assert "账号 zhang 没有变化" in client.get("/admin/users/zhang").get_data(as_text=True)
    assert logged(app, "account.edit") == []


def test_a_bad_edit_is_refused_and_changes_nothing(app, client, auth):
    before = user(app, "zhang")
    auth.login("admin")
    response = post(client, "/admin/users/zhang", {"permission": "root", "role": "宇航员"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "权限无效" in html and "手册里没有岗位“宇航员”" in html
    assert user(app, "zhang") == before and logged(app) == []


def test_a_role_the_handbook_dropped_may_stay_while_other_fields_change(app, client, auth):
    with app.app_context():
        storage().users.put({**storage().users.get("zhang"), "role": "旧岗位"})
    auth.login("admin")
    response = post(client, "/admin/users/zhang", {"display_name": "张", "role": "旧岗位"})
    assert response.status_code == 302
    assert user(app, "zhang")["role"] == "旧岗位"


def test_an_unknown_account_is_a_404_in_chinese(client, auth):
    auth.login("admin")
    for path in ("/admin/users/nobody", "/admin/users/a%20b", "/admin/users/" + "x" * 300):
        response = client.get(path)
        assert response.status_code == 404
        assert "没有账号" in response.get_data(as_text=True)
    token = auth.token("/admin/users")
    assert client.post("/admin/users/nobody/disable", data={"csrf_token": token}).status_code == 404


def test_owners_and_inspectors_cannot_manage_accounts(app, client, auth):
    for who in ("zhao", "zhang"):
        auth.login(who)
        token = auth.token("/")
        for method, path in (
            ("get", "/admin/users"),
            ("get", "/admin/users/li"),
            ("post", "/admin/users"),
            ("post", "/admin/users/li"),
            ("post", "/admin/users/li/disable"),
            ("post", "/admin/users/li/reset-password"),
        ):
            response = getattr(client, method)(path, data={"csrf_token": token, "password": TEMP})
            assert response.status_code == 403, (who, path)
            assert "你没有权限打开这个页面。" in response.get_data(as_text=True)
        sign_out(client)
    assert not user(app, "li").get("disabled")
    assert logged(app) == []


# The last active admin


def test_the_last_active_admin_cannot_be_demoted_or_disabled(app, client, auth):
    auth.login("admin")
    demote = post(client, "/admin/users/admin", {"permission": "owner"})
    assert demote.status_code == 422
    assert "admin 是唯一在用的管理员，不能改成其他权限" in demote.get_data(as_text=True)
    disable = post(client, "/admin/users/admin/disable", {}, page="/admin/users/admin")
    assert disable.status_code == 422
    assert "admin 是唯一在用的管理员，不能停用" in disable.get_data(as_text=True)
    assert user(app, "admin")["permission"] == "admin" and not user(app, "admin").get("disabled")
    assert logged(app) == []


def test_a_disabled_admin_does_not_count_as_another_admin(app, client, auth):
    with app.app_context():
        storage().users.put({**storage().users.get("zhao"), "permission": "admin", "disabled": True})
    auth.login("admin")
    assert post(client, "/admin/users/admin", {"permission": "owner"}).status_code == 422
    # Once zhao is enabled again there are two active admins, and one may step down.
    assert post(client, "/admin/users/zhao/enable", {}, page="/admin/users/zhao").status_code == 302
    assert post(client, "/admin/users/admin", {"permission": "owner"}).status_code == 302
    assert user(app, "admin")["permission"] == "owner"
    # admin is an owner now: the next page refuses, and zhao is the last admin.
    assert client.get("/admin/users").status_code == 403


def test_the_rule_holds_in_the_use_case_too(app, clock):
    with app.app_context():
        with pytest.raises(accounts.AccountError):
            accounts.disable(storage(), clock, None, "admin")
        accounts.edit(storage(), clock, None, "zhao", permission="admin")
        accounts.disable(storage(), clock, None, "admin")
        with pytest.raises(accounts.AccountError, match="唯一在用的管理员"):
            accounts.edit(storage(), clock, None, "zhao", permission="inspector")


# Disable and enable


def test_a_disabled_person_cannot_sign_in_whatever_the_password(app, client, auth):
    auth.login("admin")
    response = post(client, "/admin/users/zhang/disable", {}, page="/admin/users/zhang")
    assert response.status_code == 302
    assert "账号 zhang 已停用" in client.get("/admin/users/zhang").get_data(as_text=True)
    sign_out(client)
    right = auth.login("zhang", PASSWORD)
    wrong = auth.login("zhang", "wrong-password-1")
    assert right.status_code == wrong.status_code == 403
    right_page, wrong_page = (r.get_data(as_text=True) for r in (right, wrong))
    assert "这个账号已停用，不能登录" in right_page
    # Nothing tells them apart but the CSRF tokens, masked afresh in every response.
    right_page, wrong_page = (re.sub(r"m\.[A-Za-z0-9_-]+", "m.TOKEN", p) for p in (right_page, wrong_page))
    assert right_page == wrong_page
    assert "user" not in _session(client)
    refused = logged(app, "account.refused")
    assert len(refused) == 2 and all(e.subject == "zhang" and e.actor == "zhang" for e in refused)
    assert "尝试登录" in refused[0].note
    [entry] = logged(app, "account.disable")
    assert entry.actor == "admin" and ("disabled", "false", "true") in entry.changes
    no_secrets(entry)


def test_an_enabled_account_signs_in_again_with_its_password(app, client, auth):
    auth.login("admin")
    post(client, "/admin/users/zhang/disable", {}, page="/admin/users/zhang")
    assert post(client, "/admin/users/zhang/enable", {}, page="/admin/users/zhang").status_code == 302
    assert user(app, "zhang")["disabled"] is False
    again = post(client, "/admin/users/zhang/enable", {}, page="/admin/users/zhang")
    assert again.status_code == 422 and "账号 zhang 没有停用" in again.get_data(as_text=True)
    sign_out(client)
    assert auth.login("zhang").status_code == 302
    assert [e.action for e in reversed(logged(app))] == ["account.disable", "account.enable"]


def test_refused_sign_ins_of_a_disabled_account_are_throttled(app, client, auth):
    with app.app_context():
        storage().users.put({**storage().users.get("zhang"), "disabled": True})
    statuses = [auth.login("zhang").status_code for _ in range(6)]
    assert statuses == [403] * 4 + [429] * 2
    assert len(logged(app, "account.refused")) == 5  # a locked attempt is not even looked at


# Password rules


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("12345678", ["密码至少 10 位。"]),
        ("password", ["密码至少 10 位。"]),
        (" " * 8, ["密码至少 10 位。", "密码不能只是同一个字符重复（例如 aaaaaaaaaa 或一串空格）。"]),
        ("aaaaaaaaaa", ["密码不能只是同一个字符重复（例如 aaaaaaaaaa 或一串空格）。"]),
        (" " * 10, ["密码不能只是同一个字符重复（例如 aaaaaaaaaa 或一串空格）。"]),
        ("woaini1314", ["这个密码太常见，很容易被猜中，请换一个。"]),
        ("qwertyuiop", ["这个密码太常见，很容易被猜中，请换一个。"]),
        ("1234567890", ["这个密码太常见，很容易被猜中，请换一个。"]),
        ("a123456789", ["这个密码太常见，很容易被猜中，请换一个。"]),
        ("QwertyUIOP", ["这个密码太常见，很容易被猜中，请换一个。"]),  # case does not help
        ("Password123", ["这个密码太常见，很容易被猜中，请换一个。"]),
        (" woaini1314 ", ["这个密码太常见，很容易被猜中，请换一个。"]),  # nor spaces around it
        ("Wang.Xiaoming", ["密码不能与用户名相同。"]),
        ("ab" * 65, ["密码最多 128 位。"]),
        ("", ["请输入密码。"]),
        (None, ["请输入密码。"]),
        ("\ud83d" + "x" * 12, ["密码含有无法识别的字符，请重新输入。"]),
    ],
)
def test_a_bad_password_is_refused_with_its_reason(password, reasons):
    assert passwords.problems(password, "wang.xiaoming") == reasons


@pytest.mark.parametrize(
    "password", ["绿茶-仓库-2026", "correct horse battery", "Kf8#mZ2!qL", "ab" * 64, "wang.xiaoming2"]
)
def test_a_good_password_is_accepted(password):
    assert passwords.problems(password, "wang.xiaoming") == []


def test_the_common_password_list_ships_with_the_package():
    common = passwords.common_passwords()
    assert len(common) > 2000
    assert {"woaini1314", "qwertyuiop", "1234567890", "a123456789", "password123"} <= common
    assert all(word == word.lower() and len(word) >= passwords.MIN_LENGTH for word in common)
    assert PASSWORD not in common


def test_the_rules_apply_to_resets_too(app, client, auth):
    auth.login("admin")
    response = post(client, "/admin/users/zhang/reset-password", {"password": "zhang"}, "/admin/users/zhang")
    assert response.status_code == 422
    assert "密码至少 10 位" in response.get_data(as_text=True)
    assert logged(app) == []


# Reset: a temporary password, changed at the next sign-in


def test_after_a_reset_the_temporary_password_only_opens_the_change_page(app, client, auth):
    zhang = app.test_client()
    assert _sign_in(zhang, "zhang").status_code == 302
    auth.login("admin")
    response = post(client, "/admin/users/zhang/reset-password", {"password": TEMP}, "/admin/users/zhang")
    assert response.status_code == 302
    page = client.get("/admin/users/zhang").get_data(as_text=True)
    assert "已为 zhang 设置临时密码" in page and "待改密码" in page
    [entry] = logged(app, "account.reset_password")
    assert entry.actor == "admin" and ("must_change_password", "false", "true") in entry.changes
    no_secrets(entry)
    assert TEMP not in json.dumps([entry.before, entry.after, entry.note])

    assert zhang.get("/").status_code == 302  # the session open before the reset has ended
    assert _sign_in(zhang, "zhang", PASSWORD).status_code == 401  # the old password is gone
    signed_in = _sign_in(zhang, "zhang", TEMP)
    assert signed_in.headers["Location"] == "/account/password"
    for path in ("/", "/history", "/reports/", "/checklists/daily/2026-11-23/role:售前客服"):
        response = zhang.get(path)
        assert (response.status_code, response.headers.get("Location")) == (302, "/account/password"), path
    assert "临时密码" in zhang.get("/account/password").get_data(as_text=True)
    api = zhang.get("/api/csrf")
    assert api.status_code == 403 and "请先在“我的账号”设置新密码" in api.get_json()["errors"][0]
    handbook = zhang.get("/handbook/")
    handbook.close()
    assert handbook.status_code == 200  # the handbook is public anyway

    same = post(zhang, "/account/password", _change(TEMP, TEMP))
    assert same.status_code == 422 and "新密码不能与当前密码相同" in same.get_data(as_text=True)
    done = post(zhang, "/account/password", _change(TEMP, NEW))
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert zhang.get("/").status_code == 200  # this device stays signed in
    assert user(app, "zhang")["must_change_password"] is False
    [changed] = logged(app, "account.change_password")
    assert changed.actor == "zhang" and changed.note == "用临时密码登录后设置新密码"
    no_secrets(changed)


# Changing one's own password


def _change(current: str, new: str, repeat: str | None = None) -> dict:
    return {
        "current_password": current,
        "new_password": new,
        "repeat_password": new if repeat is None else repeat,
    }


def _sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)}
    )


def _session(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_change("wrong-password-1", NEW), "当前密码不正确"),
        (_change(PASSWORD, NEW, "my-own-secret-78"), "两次输入的新密码不一致"),
        (_change(PASSWORD, "qwertyuiop"), "这个密码太常见"),
        (_change(PASSWORD, "short"), "密码至少 10 位"),
        (_change(PASSWORD, PASSWORD), "新密码不能与当前密码相同"),
        ({}, "当前密码不正确"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(app, client, auth, data, message):
    before = user(app, "zhang")
    auth.login("zhang")
    response = post(client, "/account/password", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user(app, "zhang") == before and logged(app) == []


def test_changing_ones_password_ends_the_other_devices_but_not_this_one(app, client, auth):
    phone = app.test_client()
    assert _sign_in(phone, "zhang").status_code == 302
    auth.login("zhang")
    page = client.get("/account/password").get_data(as_text=True)
    assert "我的账号" in page and "Zhang（zhang）· 巡检员" in page
    response = post(client, "/account/password", _change(PASSWORD, NEW))
    assert response.status_code == 302
    assert "密码已修改" in client.get("/").get_data(as_text=True)
    assert phone.get("/").status_code == 302
    assert _sign_in(phone, "zhang", PASSWORD).status_code == 401
    assert _sign_in(phone, "zhang", NEW).status_code == 302
    [entry] = logged(app, "account.change_password")
    assert entry.actor == "zhang" and entry.note == ""
    no_secrets(entry)


def test_guessing_the_current_password_is_throttled_like_sign_in(app, client, auth):
    auth.login("zhang")
    statuses = [
        post(client, "/account/password", _change(f"guess-{n}-password", NEW)).status_code for n in range(5)
    ]
    assert statuses == [422] * 4 + [429]
    locked = post(client, "/account/password", _change(PASSWORD, NEW))
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    assert user(app, "zhang")["password_hash"] != "" and logged(app) == []


# Sign out everywhere


def test_sign_out_everywhere_ends_every_session_of_the_account(app, client, auth):
    phone, other = app.test_client(), app.test_client()
    assert _sign_in(phone, "zhang").status_code == 302
    assert _sign_in(other, "wang").status_code == 302
    auth.login("zhang")
    response = post(client, "/account/sign-out-everywhere", {}, page="/account/password")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "已在所有设备上退出登录" in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert other.get("/").status_code == 200  # another account is not affected
    assert _sign_in(phone, "zhang").status_code == 302  # the password still works
    [entry] = logged(app, "account.sign_out_everywhere")
    assert entry.actor == "zhang" and ("session_version", "0", "1") in entry.changes


def test_the_account_page_is_for_signed_in_users(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
