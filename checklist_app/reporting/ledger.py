"""The penalty ledger: every failed item that carries a fine, with totals and the policy's flags.

Flags come from the handbook's ``penalties`` rules: a single amount above a manager's
authority needs the president's approval, and a person who reached the repeat limit
of violations in the calendar year faces transfer or dismissal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from generator.model import Handbook


@dataclass(frozen=True)
class LedgerLine:
    """One fine: who, when, for which clause (in which version), how much."""

    day: str
    record_id: str
    target: str
    department: str | None
    responsible: str
    check_id: str
    text: str
    policy_title: str
    version: str
    clause_title: str
    clause_url: str
    fine: float
    count: int
    amount: float
    inspector: str
    needs_approval: bool
    backfill: bool = False  # the record was back-filled (补录), not done on the day


@dataclass(frozen=True)
class PersonTotal:
    """One responsible person's month: violations, amount, and violations so far this year."""

    person: str
    department: str | None
    violations: int
    amount: float
    year_violations: int
    repeat_flag: bool


@dataclass(frozen=True)
class DepartmentTotal:
    department: str | None
    violations: int
    amount: float
    people: int


@dataclass(frozen=True)
class Ledger:
    """A month of fines with totals per person and per department."""

    month: str
    lines: tuple[LedgerLine, ...]
    people: tuple[PersonTotal, ...]
    departments: tuple[DepartmentTotal, ...]
    total: float
    approval_above: float | None
    repeat_limit: int | None

    @property
    def needing_approval(self) -> tuple[LedgerLine, ...]:
        return tuple(line for line in self.lines if line.needs_approval)

    @property
    def backfilled(self) -> tuple[LedgerLine, ...]:
        return tuple(line for line in self.lines if line.backfill)

    @property
    def repeat_offenders(self) -> tuple[PersonTotal, ...]:
        return tuple(p for p in self.people if p.repeat_flag)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``2026-11``; ValueError if malformed."""
    start = dt.datetime.strptime(month + "-01", "%Y-%m-%d").date()
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def department_of(handbook: Handbook, target_kind: str, target_name: str) -> str | None:
    """The department a checklist's target belongs to: itself, a role's department, or None."""
    if target_kind == "department":
        return target_name
    if target_kind == "role":
        role = handbook.role(target_name)
        return role.department if role else None
    return None


def _lines(handbook: Handbook, digests: list[dict], limit: float | None) -> list[LedgerLine]:
    lines = []
    for d in digests:
        kind, name = d["target"]
        for p in d["penalties"]:
            lines.append(
                LedgerLine(
                    day=d["day"],
                    record_id=d["id"],
                    target=name,
                    department=department_of(handbook, kind, name),
                    responsible=p["responsible"].strip() or "—",
                    check_id=p["check_id"],
                    text=p["text"],
                    policy_title=p["policy_title"],
                    version=p["version"],
                    clause_title=p["clause_title"],
                    clause_url=p["clause_url"],
                    fine=p["fine"],
                    count=p["count"],
                    amount=p["amount"],
                    inspector=d["inspector"],
                    needs_approval=limit is not None and p["amount"] > limit,
                    backfill=bool(d.get("backfill")),
                )
            )
    return sorted(lines, key=lambda line: (line.day, line.responsible, line.check_id))


def month_ledger(handbook: Handbook, month: str, year_digests: list[dict]) -> Ledger:
    """The ledger of ``month`` from the digests of its year up to the month's end."""
    start, end = month_bounds(month)
    rules = handbook.penalty_rules
    limit = rules.approval_above if rules else None
    repeat = rules.repeat_limit if rules else None
    first, last = start.isoformat(), end.isoformat()
    all_lines = _lines(handbook, [d for d in year_digests if d["day"] <= last], limit)
    lines = [line for line in all_lines if line.day >= first]
    year_counts: Counter = Counter()
    for line in all_lines:
        if line.day[:4] == month[:4]:
            year_counts[line.responsible] += line.count
    by_person: dict[str, list[LedgerLine]] = defaultdict(list)
    for line in lines:
        by_person[line.responsible].append(line)
    people = []
    for person, mine in by_person.items():
        department = Counter(line.department for line in mine).most_common(1)[0][0]
        year = year_counts[person]
        people.append(
            PersonTotal(
                person=person,
                department=department,
                violations=sum(line.count for line in mine),
                amount=sum(line.amount for line in mine),
                year_violations=year,
                repeat_flag=repeat is not None and person != "—" and year >= repeat,
            )
        )
    people.sort(key=lambda p: (-p.amount, p.person))
    by_department: dict[str | None, list[LedgerLine]] = defaultdict(list)
    for line in lines:
        by_department[line.department].append(line)
    departments = sorted(
        (
            DepartmentTotal(
                department=name,
                violations=sum(line.count for line in mine),
                amount=sum(line.amount for line in mine),
                people=len({line.responsible for line in mine}),
            )
            for name, mine in by_department.items()
        ),
        key=lambda d: (-d.amount, d.department or ""),
    )
    return Ledger(
        month=month,
        lines=tuple(lines),
        people=tuple(people),
        departments=tuple(departments),
        total=sum(line.amount for line in lines),
        approval_above=limit,
        repeat_limit=repeat,
    )
