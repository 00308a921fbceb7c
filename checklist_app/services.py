"""Use cases: start a checklist, submit it once, score it. Views call these; these call storage."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict

from generator import Handbook

from .generation import (
    ALL_CHECKERS,
    Checklist,
    Target,
    daily_checklist,
    event_checklist,
    week_start,
    weekly_checklist,
)
from .scoring import MAX_COUNT, compliance, needs_count, policy_scores
from .storage import Conflict, Storage
from .strings import t

RESULTS = ("pass", "fail", "na")
_KEY_RE = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


class SubmissionError(Exception):
    """The submission was refused; ``messages`` say why, in the UI language. Nothing was stored."""

    def __init__(self, messages: list[str], status: int = 422):
        self.messages = messages
        self.status = status
        super().__init__("; ".join(messages))


class Forbidden(Exception):
    """The user may not see or submit this checklist."""


def scope_for(user: dict) -> str:
    """Admins see every check; everyone else the checks their handbook role performs."""
    if user.get("permission") == "admin":
        return ALL_CHECKERS
    return user.get("role") or "-"


def generate(
    handbook: Handbook, kind: str, period: str, target: Target, scope: str, event: str | None = None
) -> Checklist:
    """The checklist of ``kind`` for ``period`` (a date, or an ISO week for weekly)."""
    if kind == "daily":
        return daily_checklist(handbook, dt.date.fromisoformat(period), target, scope)
    if kind == "weekly":
        return weekly_checklist(handbook, period, target, scope)
    if kind == "event" and event:
        return event_checklist(handbook, event, dt.date.fromisoformat(period), target, scope)
    raise ValueError(kind)


def day_of(checklist: dict) -> dt.date:
    """The calendar day a checklist belongs to (Monday for weekly ones)."""
    if checklist["kind"] == "weekly":
        return week_start(checklist["period"])
    return dt.date.fromisoformat(checklist["period"][:10])


def start(storage: Storage, checklist: Checklist) -> dict:
    """Freeze the checklist as given to the inspector; later policy edits do not change it."""
    snapshot = {
        "snapshot_id": checklist.snapshot_id,
        "identity": checklist.identity,
        "kind": checklist.kind,
        "period": checklist.period,
        "target": {"kind": checklist.target.kind, "name": checklist.target.name},
        "scope": checklist.scope,
        "items": [asdict(item) for item in checklist.items],
        "sheets": list(checklist.sheets),
    }
    storage.snapshots.put(checklist.snapshot_id, snapshot)
    return snapshot


def may_use(user: dict, snapshot: dict) -> bool:
    """Whether ``user`` may submit or read this checklist."""
    return user.get("permission") == "admin" or snapshot["scope"] == scope_for(user)


def validate_answers(snapshot: dict, answers: dict, max_note: int) -> list[dict]:
    """Check every answer against the frozen items; return the completed items or raise SubmissionError."""
    by_key = {item["key"]: item for item in snapshot["items"]}
    problems = [t("error.unknown_check", id=key) for key in answers if key not in by_key]
    completed, unanswered = [], 0
    for key, item in by_key.items():
        answer = answers.get(key) or {}
        result = (answer.get("result") or "").strip()
        note = (answer.get("note") or "").strip()
        responsible = (answer.get("responsible") or "").strip()
        if not result:
            unanswered += 1
            continue
        if result not in RESULTS:
            problems.append(t("error.bad_result", id=key))
            continue
        if len(note) > max_note:
            problems.append(t("error.note_too_long", max=max_note))
        if result == "fail" and not responsible:
            problems.append(t("error.missing_responsible", text=item["text"][:30]))
        count = None
        if result == "fail" and needs_count(item):
            count = _count(answer.get("count"))
            if count is None:
                problems.append(t("error.bad_count", text=item["text"][:30], max=MAX_COUNT))
        completed.append(
            {
                "key": key,
                "check_id": item["check_id"],
                "policy_id": item["policy_id"],
                "policy_title": item["policy_title"],
                "policy_version": item["policy_version"],
                "clause_id": item["clause_id"],
                "clause_title": item["clause_title"],
                "clause_hash": item["clause_hash"],
                "check_hash": item["check_hash"],
                "clause_url": item["clause_url"],
                "text": item["text"],
                "shift": item.get("shift"),
                "fine": item["fine"],
                "points": item["points"],
                "deduct": item.get("deduct"),
                "scored": bool(item.get("scored")),
                "count": count,
                "result": result,
                "note": note[:max_note],
                "responsible": responsible[:100],
            }
        )
    if unanswered:
        problems.insert(0, t("error.unanswered", n=unanswered))
    if problems:
        raise SubmissionError(problems)
    return completed


def _count(value) -> int | None:
    """How many times a failure occurred: blank means once; otherwise a whole number 1…MAX_COUNT."""
    if value is None or str(value).strip() == "":
        return 1
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_COUNT:
        return None
    return int(text)


def score(record: dict) -> dict:
    """The compliance score of a completed checklist's items (percent passed, fines)."""
    return compliance(record["items"])


def scores(record: dict) -> dict:
    """The score of each scored policy on a completed checklist, from its stored items and sheets.

    Recomputes exactly what was stored at submission.
    """
    return policy_scores(record["items"], record.get("sheets", []))


def submit(
    storage: Storage,
    snapshot: dict,
    answers: dict,
    user: dict,
    key: str,
    max_note: int,
    *,
    now: dt.datetime,
) -> tuple[dict, bool]:
    """Store a completed checklist exactly once; return (record, created).

    A repeat with the same idempotency key returns the stored record; another key
    for a checklist already completed raises SubmissionError (409).
    """
    if not key or not _KEY_RE.match(key):
        raise SubmissionError([t("error.missing_key")], status=400)
    if not may_use(user, snapshot):
        raise Forbidden()
    day = day_of(snapshot)
    existing = storage.completions.get(snapshot["identity"], day)
    if existing is not None:
        if existing["idempotency_key"] == key:
            return existing, False
        raise _conflict(existing)
    items = validate_answers(snapshot, answers, max_note)
    record = {
        "identity": snapshot["identity"],
        "idempotency_key": key,
        "snapshot_id": snapshot["snapshot_id"],
        "kind": snapshot["kind"],
        "period": snapshot["period"],
        "day": day.isoformat(),
        "target": snapshot["target"],
        "scope": snapshot["scope"],
        "inspector": user["username"],
        "inspector_name": user.get("display_name") or user["username"],
        "submitted_at": now.isoformat(timespec="seconds"),
        "items": items,
        "sheets": snapshot.get("sheets", []),
    }
    record["score"] = score(record)
    record["scores"] = scores(record)
    try:
        return storage.completions.save(record)
    except Conflict as exc:
        raise _conflict(exc.existing) from None


def _conflict(existing: dict) -> SubmissionError:
    return SubmissionError(
        [
            t(
                "error.conflict",
                inspector=existing.get("inspector_name", existing["inspector"]),
                time=existing["submitted_at"].replace("T", " "),
            )
        ],
        status=409,
    )
