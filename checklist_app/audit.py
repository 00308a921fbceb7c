"""The audit log's use cases: append what happened (who, when, what, before → after), read it back.

Every account and people change, every back-fill and every refused action of a
disabled account is appended here. Entries are never edited or deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from .clock import Clock
from .storage import Storage
from .strings import t

# The vocabulary of audited actions; labels are strings.py's ``audit.action.<name>``.
ACTIONS: tuple[str, ...] = (
    "account.create",
    "account.edit",
    "account.disable",
    "account.enable",
    "account.reset_password",
    "account.change_password",
    "account.sign_out_everywhere",
    "account.refused",
    "person.create",
    "person.edit",
    "person.left",
    "people.import",
    "responsible.link",
    "responsible.unlink",
    "checklist.backfill",
    "handbook.publish",
    "handbook.rollback",
    "notify.create",
    "notify.edit",
    "notify.delete",
    "action.fix",
    "action.verify",
    "action.return",
    "ledger.decide",
)
SYSTEM = {"username": "system", "display_name": "系统"}


@dataclass(frozen=True)
class Entry:
    """One audited action."""

    at: str
    actor: str
    actor_name: str
    action: str
    subject: str
    before: dict | None
    after: dict | None
    note: str
    seq: int

    @property
    def label(self) -> str:
        return t(f"audit.action.{self.action}")

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for every field that differs (field names as stored)."""
        before, after = self.before or {}, self.after or {}
        return [
            (key, _show(before.get(key)), _show(after.get(key)))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]

    @property
    def readable_changes(self) -> list[tuple[str, str, str]]:
        """:attr:`changes` as people read them: Chinese field names and values (权限 巡检员 → 制度负责人)."""
        before, after = self.before or {}, self.after or {}
        return [
            (field_label(key), _readable(key, before.get(key)), _readable(key, after.get(key)))
            for key, _, _ in self.changes
        ]

    @classmethod
    def from_stored(cls, data: dict) -> Entry:
        return cls(
            at=data["at"],
            actor=data.get("actor", ""),
            actor_name=data.get("actor_name", ""),
            action=data.get("action", ""),
            subject=data.get("subject", ""),
            before=data.get("before"),
            after=data.get("after"),
            note=data.get("note", ""),
            seq=data.get("seq", 0),
        )


def field_label(field: str) -> str:
    """A stored field name as people read it (a policy id in a publish entry stays as it is)."""
    label = t(f"audit.field.{field}")
    return field if label == f"audit.field.{field}" else label


def _readable(field: str, value) -> str:
    """A stored value as people read it: yes/no for flags, the Chinese name of a permission."""
    if isinstance(value, bool):
        return t("audit.value.yes" if value else "audit.value.no")
    if field == "permission" and isinstance(value, str) and value:
        label = t(f"perm.{value}")
        return value if label == f"perm.{value}" else label
    return _show(value)


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def record(
    storage: Storage,
    clock: Clock,
    actor: dict | None,
    action: str,
    subject: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> Entry:
    """Append one entry; ``actor`` None means the system (e.g. the command line without a user)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    who = actor or SYSTEM
    entry = {
        "at": clock.timestamp(),
        "actor": who.get("username", ""),
        "actor_name": who.get("display_name") or who.get("username", ""),
        "action": action,
        "subject": subject,
        "before": _without_secrets(before),
        "after": _without_secrets(after),
        "note": note,
    }
    return Entry.from_stored(storage.audit.append(entry))


_SECRETS = ("password", "password_hash")


def _without_secrets(data: dict | None) -> dict | None:
    if data is None:
        return None
    return {k: v for k, v in data.items() if k not in _SECRETS}


def entries(
    storage: Storage, start: dt.date, end: dt.date, *, actor: str = "", action: str = "", text: str = ""
) -> list[Entry]:
    """The entries from ``start`` to ``end``, newest first, filtered by actor, action and free text."""
    found = [Entry.from_stored(e) for e in storage.audit.entries(start, end)]
    if actor:
        found = [e for e in found if e.actor == actor]
    if action:
        found = [e for e in found if e.action == action]
    if text:
        found = [
            e
            for e in found
            if text in e.subject or text in e.note or text in json.dumps(e.after or {}, ensure_ascii=False)
        ]
    return found
