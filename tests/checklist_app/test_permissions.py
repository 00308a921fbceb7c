"""The one permission policy, as a table: every permission × action, and the rules about objects."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from checklist_app.permissions import ACTIONS, PERMISSIONS, can, checker_scope

Y, N = True, False
# action: (inspector, owner, admin) — for actions about an object, with an object the rule allows.
TABLE = {
    "checklist.fill": (Y, Y, Y),
    "checklist.backfill": (N, Y, Y),
    "record.view": (Y, Y, Y),
    "history.view_all": (N, Y, Y),
    "reports.view": (Y, Y, Y),
    "ledger.view": (N, Y, Y),
    "ledger.decide": (N, Y, Y),
    "handbook.status": (N, Y, Y),
    "handbook.publish": (N, Y, Y),
    "handbook.rollback": (N, N, Y),
    "reading.report": (N, Y, Y),
    "people.manage": (N, Y, Y),
    "accounts.manage": (N, N, Y),
    "audit.view": (N, N, Y),
    "missed.view": (N, Y, Y),
    "notify.manage": (N, N, Y),
    "action.view": (Y, Y, Y),
    "action.fix": (Y, Y, Y),
    "action.verify": (Y, Y, Y),
}


def user(permission: str, **extra) -> dict:
    return {"username": "u-" + permission, "permission": permission, "role": "客服主管", **extra}


def allowed_object(action: str, who: dict):
    if action == "checklist.fill":
        return {"scope": checker_scope(who)}
    if action == "record.view":
        return {"inspector": who["username"]}
    if action.startswith("action."):
        return Standing(is_owner=True, is_inspector=True)
    return None


@dataclass
class Standing:
    """How a user stands to a corrective action (the shape of actions.Involvement)."""

    is_owner: bool = False
    is_inspector: bool = False
    is_responsible: bool = False
    same_department: bool = False


def test_the_table_covers_every_action():
    assert set(TABLE) == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("permission", PERMISSIONS)
def test_every_permission_and_action(permission, action):
    who = user(permission)
    expected = TABLE[action][PERMISSIONS.index(permission)]
    assert can(who, action, allowed_object(action, who)) is expected


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("who", [None, {}, user("admin", disabled=True), user("superuser")])
def test_nobody_signed_out_disabled_or_unknown_may_do_anything(who, action):
    assert not can(who, action, allowed_object(action, user("admin")))


def test_an_inspector_sees_only_their_own_records_and_managers_see_all():
    record = {"inspector": "someone-else"}
    assert not can(user("inspector"), "record.view", record)
    assert can(user("owner"), "record.view", record) and can(user("admin"), "record.view", record)


def test_an_inspector_fills_only_the_checklists_of_their_checker_role():
    other = {"scope": "仓储主管"}
    assert not can(user("inspector"), "checklist.fill", other)
    assert can(user("inspector"), "checklist.fill", {"scope": "客服主管"})
    assert can(user("admin"), "checklist.fill", other)  # admins' checklists hold every check


def test_only_an_actions_owner_marks_it_fixed_and_only_its_inspector_confirms_it():
    stranger = Standing()
    assert not can(user("inspector"), "action.view", stranger)
    assert can(user("inspector"), "action.view", Standing(same_department=True))
    assert can(user("inspector"), "action.view", Standing(is_responsible=True))
    assert can(user("inspector"), "action.fix", Standing(is_owner=True))
    assert not can(user("inspector"), "action.fix", Standing(is_inspector=True, same_department=True))
    assert can(user("inspector"), "action.verify", Standing(is_inspector=True))
    assert not can(user("inspector"), "action.verify", Standing(is_owner=True))
    assert can(user("owner"), "action.fix", stranger) and can(user("admin"), "action.verify", stranger)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        can(user("admin"), "everything")


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("zhao", "/admin/users", 403),  # an owner: 制度状态 yes, accounts no
        ("zhao", "/admin/handbook", 200),
        ("zhang", "/admin/handbook", 403),
        ("zhang", "/reports/ledger", 403),
        ("zhao", "/reports/ledger", 200),
        ("admin", "/admin/users", 200),
    ],
)
def test_views_ask_the_same_policy(client, auth, username, path, status):
    auth.login(username)
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "你没有权限打开这个页面" in response.get_data(as_text=True)


def test_the_admin_menu_shows_only_for_those_who_manage_something(client, auth):
    auth.login("zhang")
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
    auth.login("zhao")
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)
    assert client.get("/admin/").headers["Location"].endswith("/admin/handbook")
