"""Completed checklists as their readers see them: who may see which, history, and what changed since."""

from __future__ import annotations

import datetime as dt

from generator import Handbook

from .permissions import can
from .services import Forbidden, NotFound
from .storage import Storage


def visible_record(storage: Storage, user: dict, record_id) -> dict:
    """The completed checklist with this id if ``user`` may see it; NotFound or Forbidden otherwise."""
    found = (
        storage.completions.find(record_id) if isinstance(record_id, str) and len(record_id) <= 100 else None
    )
    if found is None:
        raise NotFound.of("error.not_found")
    if not can(user, "record.view", found):
        raise Forbidden.of("error.record_forbidden")
    return found


def history(
    storage: Storage, user: dict, start: dt.date, end: dt.date, *, target: str = "", inspector: str = ""
) -> list[dict]:
    """The completed checklists from ``start`` to ``end`` that ``user`` may see, newest first."""
    found = [r for r in storage.completions.list(start, end) if can(user, "record.view", r)]
    if target:
        found = [r for r in found if f"{r['target']['kind']}:{r['target']['name']}" == target]
    if inspector:
        found = [r for r in found if r["inspector"] == inspector]
    return found


def clause_changes(handbook: Handbook | None, record: dict) -> dict[str, dict]:
    """Per item: whether its clause changed since it was checked, and the policy's current version."""
    if handbook is None:
        return {}
    changes = {}
    for item in record["items"]:
        if item.get("recheck"):
            continue  # a 复查 line re-checks an old failure, not a clause version
        clause = handbook.clause(item["clause_id"])
        policy = handbook.policy(item["policy_id"])
        changes[item["key"]] = {
            "changed": clause is None or clause.hash != item["clause_hash"],
            "version": policy.version if policy else "—",
        }
    return changes
