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
from ..generation import ALL_CHECKERS, Target, checks_for, iso_week, targets, week_start
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


_cache: dict = {"handbook": None, "due": {}, "by_checks": {}}


def _due(handbook: Handbook, kind: str, period: str) -> list[_Due]:
    """Every (target, checker) checklist due in ``period``, with the check ids it holds.

    Remembered per period for the handbook in use, and per set of due checks: most days
    of a week hold the same checks (every 每日 and 每个工作日 one), so a page over a
    fortnight builds the due checklists of a few sets, not of every day.
    """
    if _cache["handbook"] is not handbook:
        _cache.update(handbook=handbook, due={}, by_checks={})
    key = (kind, period)
    if key not in _cache["due"]:
        due_ids = _due_ids(handbook, kind, period)
        if (kind, due_ids) not in _cache["by_checks"]:
            _cache["by_checks"][(kind, due_ids)] = _generate(handbook, kind, due_ids)
        _cache["due"][key] = _cache["by_checks"][(kind, due_ids)]
    return _cache["due"][key]


def _due_ids(handbook: Handbook, kind: str, period: str) -> frozenset[str]:
    """The ids of the checks due in ``period`` (once per check, not per target)."""
    holidays = handbook.reference.holiday_dates
    if kind == "daily":
        day = dt.date.fromisoformat(period)
        return frozenset(c.id for c in handbook.checks if on_daily(c.frequency, day, holidays))
    monday = week_start(period)
    return frozenset(c.id for c in handbook.checks if on_weekly(c.frequency, monday))


def _generate(handbook: Handbook, kind: str, due_ids: frozenset[str]) -> list[_Due]:
    """The due (target, checker) checklists, filtered as generation.daily_checklist / weekly_checklist do.

    Which checks each target's checkers have does not depend on the day, so it is worked
    out once per handbook (``_by_target``); only the frequency is asked per period. A test
    holds this equal to the generated checklists.
    """
    items = 2 if kind == "daily" else 3  # the place of the line count in an entry (see _by_target)
    found = []
    for target, per_checker in _by_target(handbook):
        due = []
        for checker, entries in per_checker:
            mine = [e for e in entries if e[1] in due_ids]
            if mine:
                due.append((mine[0][0], checker, mine))
        due.sort(key=lambda d: d[0])  # in the order of each checker's first due check, as on the checklists
        for _, checker, mine in due:
            found.append(
                _Due(
                    target,
                    checker,
                    frozenset(e[1] for e in mine),
                    sum(e[items] for e in mine),
                    tuple(dict.fromkeys(e[4] for e in mine)),
                )
            )
    return found


def _items(check, shifts: tuple[str, ...]) -> int:
    """How many lines a check gives on its checklist: one per shift, one per time, else one."""
    if check.frequency.kind == "shift" and shifts:
        return len(shifts)
    return max(1, len(check.frequency.times))


def _by_target(handbook: Handbook) -> list[tuple[Target, list[tuple[str, list[tuple]]]]]:
    """Every target with its checks per checker role, in handbook order, worked out once per handbook.

    A check is an entry ``(place, id, lines on a daily checklist, lines on a weekly one, policy id)``.
    """
    if _cache.get("targets_of") is not handbook:
        _cache["targets_of"] = handbook
        shifts = handbook.reference.shifts
        found = []
        for target in targets(handbook):
            per_checker: dict[str, list] = defaultdict(list)
            for n, check in enumerate(checks_for(handbook, target)):
                entry = (n, check.id, _items(check, shifts), _items(check, ()), check.policy_id)
                for checker in check.checkers or (ALL_CHECKERS,):
                    per_checker[checker].append(entry)
            found.append((target, list(per_checker.items())))
        _cache["targets"] = found
    return _cache["targets"]


def warm(handbook: Handbook, start: dt.date, end: dt.date) -> None:
    """Work out the checklists due from ``start`` to ``end`` now (a server worker before its first page)."""
    for kind in KINDS:
        for period in periods(kind, start, end):
            _due(handbook, kind, period)


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
