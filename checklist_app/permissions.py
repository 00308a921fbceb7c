"""The one permission policy: may this user do this to that?

Views, services and templates (``can()`` in Jinja) all ask :func:`can`; nothing
else compares permission names. Each action is declared once in ``ACTIONS``
with the permissions that may take it and, where the answer depends on the
object, a rule that looks at it. A table-driven test covers every permission ×
action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .generation import ALL_CHECKERS

INSPECTOR = "inspector"
OWNER = "owner"
ADMIN = "admin"
# The permissions an account can hold, least to most (labels in strings.py as perm.<name>).
PERMISSIONS: tuple[str, ...] = (INSPECTOR, OWNER, ADMIN)
MANAGERS = (OWNER, ADMIN)


@dataclass(frozen=True)
class Action:
    """Something a user may do: who may, and (optionally) a rule about the object."""

    name: str
    allowed: tuple[str, ...]
    rule: Callable[[dict, object], bool] | None = None
    doc: str = ""


def _own_record(user: dict, record) -> bool:
    return user.get("permission") in MANAGERS or (
        isinstance(record, dict) and record.get("inspector") == user.get("username")
    )


def _checklist_scope(user: dict, snapshot) -> bool:
    if user.get("permission") == ADMIN:
        return True
    return isinstance(snapshot, dict) and snapshot.get("scope") == checker_scope(user)


def _involved(user: dict, who) -> bool:
    """Managers see every corrective action; others those they found, own, caused or that are in their
    department (``who`` is an ``actions.Involvement``)."""
    if user.get("permission") in MANAGERS:
        return True
    return bool(
        getattr(who, "is_owner", False)
        or getattr(who, "is_inspector", False)
        or getattr(who, "is_responsible", False)
        or getattr(who, "same_department", False)
    )


def _action_owner(user: dict, who) -> bool:
    return user.get("permission") in MANAGERS or bool(getattr(who, "is_owner", False))


def _action_inspector(user: dict, who) -> bool:
    return user.get("permission") in MANAGERS or bool(getattr(who, "is_inspector", False))


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("checklist.fill", PERMISSIONS, _checklist_scope, "open and submit one's own checklists"),
        Action("checklist.backfill", MANAGERS, None, "fill in a checklist whose period has passed (补录)"),
        Action("record.view", PERMISSIONS, _own_record, "see, print and download a completed checklist"),
        Action("history.view_all", MANAGERS, None, "see every inspector's completed checklists"),
        Action("reports.view", PERMISSIONS, None, "see the dashboard and the rankings"),
        Action("ledger.view", MANAGERS, None, "see the penalty ledger (names people and their fines)"),
        Action("ledger.decide", MANAGERS, None, "decide the amount of a 视情节 fine within its range"),
        Action("handbook.status", MANAGERS, None, "see the handbook's validation status"),
        Action("handbook.publish", MANAGERS, None, "publish the draft handbook as a new release"),
        Action("handbook.rollback", (ADMIN,), None, "make an earlier handbook release current again"),
        Action("reading.report", MANAGERS, None, "see and export who has read which policy (阅读情况)"),
        Action("people.manage", MANAGERS, None, "add, edit, import and mark staff as left"),
        Action("accounts.manage", (ADMIN,), None, "create, edit, disable and reset accounts"),
        Action("audit.view", (ADMIN,), None, "read and export the audit log"),
        Action("missed.view", MANAGERS, None, "see which due checklists were not completed (未完成)"),
        Action("notify.manage", (ADMIN,), None, "set up group-chat robots and read their delivery log"),
        Action("action.view", PERMISSIONS, _involved, "see a corrective action (整改)"),
        Action("action.fix", PERMISSIONS, _action_owner, "mark a corrective action fixed (its owner)"),
        Action("action.verify", PERMISSIONS, _action_inspector, "confirm a fix on the spot or send it back"),
    )
}


def checker_scope(user: dict) -> str:
    """Which checks a user's checklists hold: admins all, everyone else their handbook role's."""
    if user.get("permission") == ADMIN:
        return ALL_CHECKERS
    return user.get("role") or "-"


def can(user: dict | None, action: str, obj=None) -> bool:
    """Whether ``user`` may take ``action`` (on ``obj``, where the action looks at one)."""
    try:
        declared = ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    if not user or user.get("disabled"):
        return False
    if user.get("permission") not in declared.allowed:
        return False
    return declared.rule(user, obj) if declared.rule else True


def manages_anything(user: dict | None) -> bool:
    """Whether the 管理 menu has anything for this user."""
    return any(
        can(user, a)
        for a in ("handbook.status", "people.manage", "accounts.manage", "audit.view", "notify.manage")
    )
