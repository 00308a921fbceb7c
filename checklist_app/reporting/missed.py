"""Missed inspections (未完成): which checklists were due in a period and not completed when it closed.

A checklist is due for a day (or ISO week) when the handbook gives its target at
least one item then (generation.daily_checklist / weekly_checklist). Checklists
are filled per checker: each role named as 检查人 on a due item keeps its own
checklist of the target (``Checklist.identity`` ends in that scope), so one due
*slot* is (kind, period, target, checker). A slot is

* ``done`` when a record of that identity, or an admin's whole checklist (scope
  ``*``) of the target, was submitted in time, or every item of it was checked on
  other records of the same target and period;
* ``late`` when that record is a back-fill (补录): done, but after the period;
* ``missed`` when nothing covers it and the period has closed: midnight after
  its last day plus the submission grace (due.Window.closes_at), read from the
  app's one clock, so today is never missed while it can still be done;
* ``open`` while the period has not closed yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from generator.frequencies import on_daily, on_weekly
from generator.model import Handbook

from .. import due
from ..clock import Clock
from ..generation import ALL_CHECKERS, Target, iso_week, matches, targets, week_start
from .ledger import department_of

DONE, LATE, MISSED, OPEN = "done", "late", "missed", "open"
KINDS = ("daily", "weekly")
VERSION = "missed-1"  # names digest() below for the digest cache; bump when it changes


def digest(record: dict) -> dict:
    """The facts of a record that decide whether a due checklist was done (cached per day file)."""
    return {
        "id": record["id"],
        "kind": record["kind"],
        "period": record["period"],
        "target": [record["target"]["kind"], record["target"]["name"]],
        "scope": record.get("scope") or ALL_CHECKERS,
        "checks": sorted({i["check_id"] for i in record.get("items", [])}),
        "backfill": bool(record.get("backfill")),
        "submitted_at": record["submitted_at"],
    }


@dataclass(frozen=True)
class Slot:
    """One checklist that was due: whose, for which period, and what became of it."""

    kind: str
    period: str
    target: Target
    checker: str  # the 检查人 role whose checklist this is (``*``: only admins may fill it)
    department: str | None
    items: int
    policies: tuple[str, ...]  # policy ids of its items (the rankings count a sheet's missed days)
    status: str
    record_id: str | None
    closes_at: dt.datetime

    @property
    def first_day(self) -> dt.date:
        return due.window(self.kind, self.period).first

    @property
    def last_day(self) -> dt.date:
        return due.window(self.kind, self.period).last


@dataclass(frozen=True)
class _Due:
    target: Target
    checker: str
    checks: frozenset[str]
    items: int
    policies: tuple[str, ...]


_cache: dict = {"handbook": None, "due": {}}


def _due(handbook: Handbook, kind: str, period: str) -> list[_Due]:
    """Every (target, checker) checklist due in ``period``, with the check ids it holds.

    Remembered per period for the handbook in use (about 1 ms per target and day on the
    real handbook; a month's page would otherwise regenerate thousands of checklists).
    """
    if _cache["handbook"] is not handbook:
        _cache.update(handbook=handbook, due={})
    key = (kind, period)
    if key not in _cache["due"]:
        _cache["due"][key] = _generate(handbook, kind, period)
    return _cache["due"][key]


def _generate(handbook: Handbook, kind: str, period: str) -> list[_Due]:
    """The due (target, checker) checklists, filtered as generation.daily_checklist / weekly_checklist do.

    Which checks a target has does not depend on the day, so it is worked out once per
    handbook (``_by_target``); only the frequency is asked per period. A test holds this
    equal to the generated checklists.
    """
    holidays = handbook.reference.holiday_dates
    if kind == "daily":
        day = dt.date.fromisoformat(period)
        due_now = lambda check: on_daily(check.frequency, day, holidays)  # noqa: E731
    else:
        monday = week_start(period)
        due_now = lambda check: on_weekly(check.frequency, monday)  # noqa: E731
    shifts = handbook.reference.shifts if kind == "daily" else ()
    due_ids = {check.id for check in handbook.checks if due_now(check)}  # once per check, not per target
    found = []
    for target, checks in _by_target(handbook):
        per_checker: dict[str, list] = defaultdict(list)
        for check in checks:
            if check.id in due_ids:
                for checker in check.checkers or (ALL_CHECKERS,):
                    per_checker[checker].append(check)
        for checker, due_checks in per_checker.items():
            found.append(
                _Due(
                    target,
                    checker,
                    frozenset(c.id for c in due_checks),
                    sum(_items(c, shifts) for c in due_checks),
                    tuple(dict.fromkeys(c.policy_id for c in due_checks)),
                )
            )
    return found


def _items(check, shifts: tuple[str, ...]) -> int:
    """How many lines a check gives on its checklist: one per shift, one per time, else one."""
    if check.frequency.kind == "shift" and shifts:
        return len(shifts)
    return max(1, len(check.frequency.times))


def _by_target(handbook: Handbook) -> list[tuple[Target, list]]:
    if _cache.get("targets_of") is not handbook:
        _cache["targets_of"] = handbook
        _cache["targets"] = [
            (t, [k for k in handbook.checks if matches(handbook, k, t)]) for t in targets(handbook)
        ]
    return _cache["targets"]


def periods(kind: str, start: dt.date, end: dt.date) -> list[str]:
    """The daily periods of the days [start, end], or the ISO weeks that overlap them."""
    if kind == "daily":
        return [(start + dt.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
    weeks, day = [], start - dt.timedelta(days=start.weekday())
    while day <= end:
        weeks.append(iso_week(day))
        day += dt.timedelta(days=7)
    return weeks


def slots(
    handbook: Handbook,
    records: list[dict],
    start: dt.date,
    end: dt.date,
    clock: Clock,
    grace: dt.timedelta,
    kinds: tuple[str, ...] = KINDS,
) -> list[Slot]:
    """Every checklist due from ``start`` to ``end`` with its status; ``records`` are :func:`digest`\\ s."""
    by_period: dict[tuple[str, str, tuple[str, str]], list[dict]] = defaultdict(list)
    for r in records:
        by_period[(r["kind"], r["period"], tuple(r["target"]))].append(r)
    now = clock.now()
    result = []
    for kind in kinds:
        for period in periods(kind, start, end):
            win = due.window(kind, period)
            closes = win.closes_at(clock) + grace
            for d in _due(handbook, kind, period):
                done = by_period.get((kind, period, (d.target.kind, d.target.name)), [])
                status, record = _status(d, done)
                if status == MISSED and now < closes:
                    status = OPEN
                result.append(
                    Slot(
                        kind,
                        period,
                        d.target,
                        d.checker,
                        department_of(handbook, d.target.kind, d.target.name),
                        d.items,
                        d.policies,
                        status,
                        record["id"] if record else None,
                        closes,
                    )
                )
    return result


def _status(slot: _Due, records: list[dict]) -> tuple[str, dict | None]:
    own = [r for r in records if r["scope"] in (slot.checker, ALL_CHECKERS)]
    if own:
        on_time = [r for r in own if not r["backfill"]]
        return (DONE, on_time[0]) if on_time else (LATE, own[0])
    covered = {c for r in records for c in r["checks"]}
    if records and slot.checks <= covered:
        late = all(r["backfill"] for r in records if slot.checks & set(r["checks"]))
        return (LATE if late else DONE), records[0]
    return MISSED, None


def counts(found: list[Slot]) -> dict[str, int]:
    """How many slots have each status."""
    tally = {DONE: 0, LATE: 0, MISSED: 0, OPEN: 0}
    for s in found:
        tally[s.status] += 1
    return tally


def missed_days(found: list[Slot], policy_id: str) -> dict[str, int]:
    """Per target name: the days its daily checklist holding ``policy_id``'s items was missed."""
    days: dict[str, set[str]] = defaultdict(set)
    for s in found:
        if s.status == MISSED and s.kind == "daily" and policy_id in s.policies:
            days[s.target.name].add(s.period)
    return {name: len(d) for name, d in days.items()}


def departments(handbook: Handbook) -> list[str]:
    """The departments a slot can belong to, in reference order (for the filter)."""
    return [d.name for d in handbook.reference.departments]
