"""Today's board: the checklists due on a day for one user, theirs first, with who started each.

A target is *mine* when one of my checks is about it directly: an area check of
that area, a check that names that role, a check that names a role of that
department or belongs to a score sheet kept per department. Targets I see only
because a check applies to 全体员工 (every role and department) are the rest,
folded away on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator import Handbook
from generator.reference import ALL_STAFF

from .generation import Checklist, Target, iso_week, targets
from .services import Started, generate, scope_for, started_by
from .storage import Storage


@dataclass(frozen=True)
class Slot:
    """One checklist on the board: daily or weekly, done or not, started by whom."""

    checklist: Checklist
    done: dict | None
    started: Started | None


@dataclass(frozen=True)
class Row:
    target: Target
    daily: Slot
    weekly: Slot
    mine: bool


@dataclass(frozen=True)
class Board:
    day: dt.date
    week: str
    rows: tuple[Row, ...]

    @property
    def mine(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.mine)

    @property
    def others(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.mine)


def is_mine(handbook: Handbook, checklist: Checklist, per_department: frozenset[str]) -> bool:
    """Whether one of the checklist's items is about its target directly (not only via 全体员工).

    ``per_department``: the ids of the policies whose score sheet is kept per department.
    """
    target = checklist.target
    for item in checklist.items:
        if target.kind == "area":
            return True
        if target.kind == "role" and target.name in item.roles:
            return True
        if target.kind == "department":
            if item.policy_id in per_department and item.scored:
                return True
            if any(
                r != ALL_STAFF and (role := handbook.role(r)) and role.department == target.name
                for r in item.roles
            ):
                return True
    return False


def board(storage: Storage, handbook: Handbook, user: dict, day: dt.date) -> Board:
    """The board of ``day`` for ``user``: the checklists holding their checks, theirs first."""
    scope = scope_for(user)
    per_department = frozenset(p.id for p in handbook.scored_policies if p.scoring.per == "department")
    week = iso_week(day)
    rows = []
    for target in targets(handbook):
        daily = generate(handbook, "daily", day.isoformat(), target, scope)
        weekly = generate(handbook, "weekly", week, target, scope)
        if not daily.items and not weekly.items:
            continue
        rows.append(
            Row(
                target=target,
                daily=Slot(
                    daily,
                    storage.completions.get(daily.identity),
                    started_by(storage, daily.identity),
                ),
                weekly=Slot(
                    weekly,
                    storage.completions.get(weekly.identity),
                    started_by(storage, weekly.identity),
                ),
                mine=is_mine(handbook, daily, per_department) or is_mine(handbook, weekly, per_department),
            )
        )
    return Board(day, week, tuple(rows))
