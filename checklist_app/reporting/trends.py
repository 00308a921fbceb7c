"""Series for the dashboard: compliance per department by week, most-failed checks, fines by month."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.model import Handbook

from ..generation import iso_week, week_start
from ..storage.aggregates import DaySummary, PenaltyLine, PenaltyTally
from .ledger import charged, department_of


@dataclass(frozen=True)
class FailedCheck:
    check_id: str
    text: str
    policy_title: str
    clause_url: str
    times: int


def last_weeks(day: dt.date, n: int) -> list[str]:
    """The ISO weeks of the ``n`` weeks ending with the one containing ``day``, oldest first."""
    return [iso_week(day - dt.timedelta(weeks=k)) for k in range(n - 1, -1, -1)]


def last_months(day: dt.date, n: int) -> list[str]:
    """``YYYY-MM`` of the ``n`` months ending with ``day``'s month, oldest first."""
    months = []
    year, month = day.year, day.month
    for _ in range(n):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def compliance_by_department(
    handbook: Handbook, digests: list[dict], weeks: list[str]
) -> list[tuple[str, list[float | None]]]:
    """Per department, the share of applicable items passed in each week (None: nothing checked)."""
    passed: dict[tuple[str, str], int] = defaultdict(int)
    applicable: dict[tuple[str, str], int] = defaultdict(int)
    weeks_of: dict[str, str] = {}  # a year of digests covers only 365 distinct days
    for d in digests:
        department = department_of(handbook, *d["target"])
        if department is None:
            continue
        if d["day"] not in weeks_of:
            weeks_of[d["day"]] = iso_week(dt.date.fromisoformat(d["day"]))
        week = weeks_of[d["day"]]
        passed[(department, week)] += d["passed"]
        applicable[(department, week)] += d["applicable"]
    departments = [dep.name for dep in handbook.reference.departments]
    departments += sorted({dep for dep, _ in applicable} - set(departments))
    series = []
    for department in departments:
        values = [
            round(100 * passed[(department, w)] / applicable[(department, w)], 1)
            if applicable.get((department, w))
            else None
            for w in weeks
        ]
        if any(v is not None for v in values):
            series.append((department, values))
    return series


def week_label(week: str) -> str:
    """A short axis label for an ISO week: the Monday as 11/16."""
    monday = week_start(week)
    return f"{monday.month}/{monday.day}"


def most_failed(handbook: Handbook, digests: list[dict], limit: int = 10) -> list[FailedCheck]:
    """The checks that failed on the most checklists, most first, described as the handbook has them now."""
    return most_failed_of(handbook, Counter(check_id for d in digests for check_id in d["failed"]), limit)


def most_failed_of(handbook: Handbook, times: Mapping[str, int], limit: int = 10) -> list[FailedCheck]:
    """``most_failed`` from the store's failure counts per check (failed_checks)."""
    found = []
    for check_id, n in sorted(times.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        check = handbook.check(check_id)
        if check is None:  # removed from the handbook since: still counted, shown by its id
            found.append(FailedCheck(check_id, check_id, "", "", n))
            continue
        policy, clause = handbook.policy(check.policy_id), handbook.clause(check.clause_id)
        found.append(FailedCheck(check_id, check.text, policy.title, clause.url, n))
    return found


def fines_by_month(
    penalties: Sequence[PenaltyLine], months: list[str], tallies: Sequence[PenaltyTally] = ()
) -> list[float]:
    """Total fines (yuan) recorded in each month, escalating tiers applied as in the ledger.

    From penalty lines (CompletionStore.penalty_lines), or from the store's penalty tallies of
    the months (penalty_tallies).
    """
    totals: dict[str, float] = defaultdict(float)
    for day, amount in charged(penalties, tallies):
        totals[day[:7]] += amount
    return [round(totals[m], 2) for m in months]


def compliance_of(
    handbook: Handbook, days: list[DaySummary], weeks: list[str]
) -> list[tuple[str, list[float | None]]]:
    """``compliance_by_department`` from the store's per-target day summaries (day_summaries)."""
    digests = [
        {
            "target": [s.target_kind, s.target_name],
            "day": s.day,
            "passed": s.passed,
            "applicable": s.applicable,
        }
        for s in days
    ]
    return compliance_by_department(handbook, digests, weeks)
