"""Completed checklists as their readers see them: who may see which, history, and what changed since."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator import Handbook

from .paging import Paging
from .permissions import can
from .services import Forbidden, NotFound
from .storage import RecordFilter, Storage


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


HISTORY_PAGE = 50  # completed checklists a history page shows


@dataclass(frozen=True)
class History:
    """One page of the completed checklists a user may see in a range, and what the filters offer."""

    records: list[dict]  # this page's, newest first
    paging: Paging
    inspectors: list[str]  # usernames the 巡检员 filter offers


def history(
    storage: Storage,
    user: dict,
    start: dt.date,
    end: dt.date,
    *,
    target: str = "",
    inspector: str = "",
    page: int = 1,
) -> History:
    """Page ``page`` of the completed checklists from ``start`` to ``end`` that ``user`` may see.

    Someone who may not see every inspector's checklists is asked only for their own, so the
    store counts and pages exactly what the page may show. NotFound for a page past the last.
    """
    kind, colon, name = target.partition(":")
    nothing = Paging(1, HISTORY_PAGE, 0)
    if target and not colon:
        return History([], nothing, [inspector] if inspector else [])  # not a target anybody checked
    by_target = RecordFilter(target=(kind, name) if target else None)
    everyone = can(user, "history.view_all")
    own = user.get("username")
    if not everyone and inspector and inspector != own:
        return History([], nothing, sorted({inspector, own}))
    who = inspector or (None if everyone else own)
    where = RecordFilter(target=by_target.target, inspector=who)
    wanted = Paging(page, HISTORY_PAGE, 0)
    found = storage.completions.page(start, end, where, offset=wanted.offset, limit=HISTORY_PAGE)
    paging = Paging(page, HISTORY_PAGE, found.total).checked("history.page.none")
    if everyone:
        offered = set(storage.completions.inspectors(start, end, by_target))
    else:
        offered = {own} if found.total else set()
    records = [r for r in found.records if can(user, "record.view", r)]
    return History(records, paging, sorted(offered | ({inspector} if inspector else set())))


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
