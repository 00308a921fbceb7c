"""Which checks are due: daily, weekly and per-event checklists generated from the handbook model.

Pure functions of (model, date or week, target): the same inputs always give the
same items in the same order (handbook order: policy path, clause, check; a check
due several times a day gives one item per time, in time order). Which checklist a
frequency lands on and when it is due is the frequency registry's answer
(generator/frequencies.py), so each due occurrence is on exactly one checklist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

from generator.frequencies import on_daily, on_weekly
from generator.model import CheckItem, Frequency, Handbook
from generator.reference import ALL_STAFF
from generator.scope import covers, inherits

from .scoring import deduction_for, is_scored, sheet_for

TARGET_KINDS = ("role", "department", "area")
ALL_CHECKERS = "*"
CHECKLIST_KINDS = ("daily", "weekly", "event")


@dataclass(frozen=True, order=True)
class Target:
    """What a checklist inspects: a role, a department or an area."""

    kind: str
    name: str

    @property
    def slug(self) -> str:
        return f"{self.kind}:{self.name}"

    @classmethod
    def parse(cls, slug: str) -> Target:
        """``role:售前客服`` → Target; ValueError if malformed."""
        kind, _, name = slug.partition(":")
        if kind not in TARGET_KINDS or not name:
            raise ValueError(slug)
        return cls(kind, name)


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a checklist, with the exact versions it is checked against."""

    key: str  # check id; "check-id@班次" per shift; "check-id@09:00" per time of a several-times check
    check_id: str
    policy_id: str
    policy_title: str
    policy_version: str
    policy_hash: str
    clause_id: str
    clause_title: str
    clause_hash: str
    check_hash: str
    clause_url: str
    text: str
    frequency: str
    roles: tuple[str, ...]
    area: str | None
    fine: float | None
    points: float | None
    deduction: str | None
    shift: str | None = None
    deduct: float | None = None  # points per failed occurrence, resolved for this target
    scored: bool = False  # counts towards its policy's score on this checklist
    time: str | None = None  # the time of day this item is due at (每日 09:00), or the deadline (17:00前)
    fine_rule: dict | None = None  # unit and escalating tiers of ``fine`` (FineRule.to_dict)
    sanctions: tuple[str, ...] = ()  # non-money sanctions on a failure (通报批评 …)
    reading: dict | None = None  # a value the inspector measures, with its limit (Reading.to_dict)
    rectify_days: int | None = None  # a failure is to be fixed within this many days (整改期限)
    photo: str | None = None  # a photo is required: "always" (照片: 必须) or "fail" (照片: 不合格时)
    recheck: dict | None = None  # a 复查 item: the corrective action it re-checks (actions.recheck_item)
    from_time: str | None = None  # HH:MM before which it cannot be checked that day (每日 09:00; not 17:00前)


@dataclass(frozen=True)
class Checklist:
    """A generated checklist: kind, period, target and its items."""

    kind: str
    period: str  # 2026-11-23, 2026-W48, or 2026-11-23/活动上线前
    target: Target
    items: tuple[ChecklistItem, ...]
    scope: str = ALL_CHECKERS  # the checker role whose checks these are, or * for all
    sheets: tuple[dict, ...] = ()  # score sheets of the scored policies, as they apply to the target

    @property
    def identity(self) -> str:
        """One completed checklist per identity: kind, period, target and checker scope."""
        return f"{self.kind}|{self.period}|{self.target.slug}|{self.scope}"

    @property
    def snapshot_id(self) -> str:
        """A fingerprint of exactly which items and versions this checklist holds."""
        data = json.dumps(
            [self.identity, list(self.sheets)] + [asdict(i) for i in self.items],
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def is_due(freq: Frequency, day: dt.date, holidays=None) -> bool:
    """Whether a check with this frequency belongs on the daily checklist of ``day``.

    ``holidays`` maps holiday names to their dates (Reference.holiday_dates).
    """
    return on_daily(freq, day, holidays)


def matches(handbook: Handbook, check: CheckItem, target: Target) -> bool:
    """Whether ``check`` inspects ``target``."""
    if target.kind == "area":
        return check.area == target.name
    if target.kind == "role":
        role = handbook.role(target.name)
        department = handbook.department(role.department) if role and role.department else None
        return covers(check, target.name, department)
    return inherits(check, handbook.department(target.name)) or any(
        (role := handbook.role(r)) is not None and role.department == target.name for r in check.roles
    )


_checks_for: dict = {"handbook": None, "targets": {}}


def checks_for(handbook: Handbook, target: Target) -> tuple[CheckItem, ...]:
    """The checks that inspect ``target`` (as ``matches`` says), in handbook order.

    Remembered per handbook for its own targets: every checklist opened, the 未完成 report
    and the rankings ask this of the same few dozen targets, and the handbook does not
    change while its model is in use.
    """
    if _checks_for["handbook"] is not handbook:
        _checks_for.update(handbook=handbook, targets=dict.fromkeys(targets(handbook)))
    known = target in _checks_for["targets"]
    found = _checks_for["targets"].get(target)
    if found is None:
        found = _matching(handbook, target)
        if known:  # a made-up target from a request is answered, not remembered
            _checks_for["targets"][target] = found
    return found


def _matching(handbook: Handbook, target: Target) -> tuple[CheckItem, ...]:
    """``matches`` over every check at once, with the target's role and department looked up once."""
    if target.kind == "area":
        return tuple(k for k in handbook.checks if k.area == target.name)
    if target.kind == "role":
        role = handbook.role(target.name)
        department = handbook.department(role.department) if role and role.department else None
        return tuple(k for k in handbook.checks if covers(k, target.name, department))
    department = handbook.department(target.name)
    staff = {r.name for r in handbook.reference.roles if r.department == target.name}
    return tuple(k for k in handbook.checks if inherits(k, department) or not staff.isdisjoint(k.roles))


def _build(
    handbook: Handbook, kind: str, period: str, target: Target, scope: str, checks, shifts: tuple[str, ...]
) -> Checklist:
    sheets: dict[str, dict | None] = {}
    items = []
    for check in checks:
        policy = handbook.policy(check.policy_id)
        clause = handbook.clause(check.clause_id)
        if policy.id not in sheets:
            sheets[policy.id] = sheet_for(handbook, policy, target.kind, target.name)
        sheet = sheets[policy.id]
        base = dict(
            check_id=check.id,
            policy_id=policy.id,
            policy_title=policy.title,
            policy_version=policy.version,
            policy_hash=policy.hash,
            clause_id=clause.id,
            clause_title=clause.title,
            clause_hash=clause.hash,
            check_hash=check.hash,
            clause_url=clause.url,
            text=check.text,
            frequency=check.frequency.label,
            roles=check.roles,
            area=check.area,
            fine=check.fine,
            points=check.points,
            deduction=check.deduction.rule if check.deduction else None,
            deduct=deduction_for(check, sheet),
            scored=is_scored(check, sheet),
            fine_rule=check.fine_rule.to_dict() if check.fine_rule else None,
            sanctions=check.sanctions,
            reading=check.reading.to_dict() if check.reading else None,
            rectify_days=check.rectify_days,
            photo=check.photo,
        )
        freq = check.frequency
        if freq.kind == "shift" and shifts:
            items += [ChecklistItem(key=f"{check.id}@{s}", shift=s, **base) for s in shifts]
        elif len(freq.times) > 1:
            # One item per time, each with its own key, so each occurrence is answered (and fined) once.
            items += [
                ChecklistItem(
                    key=f"{check.id}@{at}", time=at, from_time=at, **{**base, "frequency": freq.label_at(at)}
                )
                for at in freq.times
            ]
        else:
            at = freq.time if kind == "daily" and not freq.by else None  # 17:00前 is a deadline, not a lock
            items.append(ChecklistItem(key=check.id, time=freq.time, from_time=at, **base))
    used = tuple(
        sheet
        for pid, sheet in sheets.items()
        if sheet and any(i.scored and i.policy_id == pid for i in items)
    )
    return Checklist(kind, period, target, tuple(items), scope, used)


def _in_scope(check: CheckItem, scope: str) -> bool:
    return scope == ALL_CHECKERS or scope in check.checkers


def daily_checklist(handbook: Handbook, day: dt.date, target: Target, scope: str = ALL_CHECKERS) -> Checklist:
    """Every check due on ``day`` for ``target`` that ``scope`` checks; per-shift checks once per shift."""
    holidays = handbook.reference.holiday_dates
    checks = [
        k
        for k in checks_for(handbook, target)
        if on_daily(k.frequency, day, holidays) and _in_scope(k, scope)
    ]
    return _build(handbook, "daily", day.isoformat(), target, scope, checks, handbook.reference.shifts)


def iso_week(day: dt.date) -> str:
    """``2026-W48`` for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(period: str) -> dt.date:
    """Monday of an ISO week written as ``2026-W48``; ValueError if malformed."""
    return dt.datetime.strptime(period + "-1", "%G-W%V-%u").date()


def weekly_checklist(handbook: Handbook, period: str, target: Target, scope: str = ALL_CHECKERS) -> Checklist:
    """The checks for ``target`` due in the ISO week ``period`` that are not pinned to a day.

    每周, 每两周 (in its weeks) and 每月第N周 (in that week). A check pinned to a weekday
    (每周五, 每两周五) is due on that day's daily checklist only, so each due occurrence is
    on exactly one checklist and can be answered (and fined) once.
    """
    monday = week_start(period)  # validates the period
    checks = [
        k for k in checks_for(handbook, target) if on_weekly(k.frequency, monday) and _in_scope(k, scope)
    ]
    return _build(handbook, "weekly", period, target, scope, checks, ())


def event_checklist(
    handbook: Handbook, event: str, day: dt.date, target: Target, scope: str = ALL_CHECKERS
) -> Checklist:
    """The checks triggered by ``event`` (e.g. 活动上线前), started on demand on ``day``."""
    checks = [
        k
        for k in checks_for(handbook, target)
        if _in_scope(k, scope) and k.frequency.kind == "event" and k.frequency.event == event
    ]
    return _build(handbook, "event", f"{day.isoformat()}/{event}", target, scope, checks, ())


def targets(handbook: Handbook) -> list[Target]:
    """Every target a checklist can be generated for, in a stable order."""
    ref = handbook.reference
    result = [Target("role", r.name) for r in ref.roles if r.name != ALL_STAFF]
    result += [Target("department", d.name) for d in ref.departments]
    result += [Target("area", a) for a in ref.areas]
    return result
