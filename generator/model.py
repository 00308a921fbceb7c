"""The typed, immutable model of the handbook: Handbook → Policy → Clause → CheckItem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

# Frequencies live in their own registry; re-exported here because they are part of the model.
from .frequencies import FREQUENCY_KINDS as FREQUENCY_KINDS
from .frequencies import WEEKDAYS_EN as WEEKDAYS_EN
from .frequencies import WEEKDAYS_ZH as WEEKDAYS_ZH
from .frequencies import Frequency


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file: the path as shown to people and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Deduction:
    """A score deduction per occurrence: a stated number of points, or the policy's size band.

    ``by_band`` means "as many points as the department's size band says" (扣分: 按人数档).
    """

    points: float | None
    rule: str
    by_band: bool = False


@dataclass(frozen=True)
class SizeBand:
    """Departments of ``min``…``max`` people (``max`` None: no limit) lose ``points`` per occurrence."""

    min: int
    max: int | None
    points: float
    label: str

    def contains(self, headcount: int) -> bool:
        return self.min <= headcount and (self.max is None or headcount <= self.max)


@dataclass(frozen=True)
class Scoring:
    """A policy's score sheet: how its scored checks turn into a score, a ranking and rewards.

    ``per`` is the kind of checklist target that is scored and ranked (``department``),
    or None for any target. ``weekly`` is how the week's ranking combines daily scores.
    """

    full_marks: float
    per: str | None
    size_bands: tuple[SizeBand, ...]
    weekly: str
    best_reward: float | None
    worst_fine: float | None
    source: Location

    def band_for(self, headcount: int | None) -> SizeBand | None:
        """The size band a department of ``headcount`` people falls in, or None."""
        if headcount is None:
            return None
        return next((band for band in self.size_bands if band.contains(headcount)), None)


@dataclass(frozen=True)
class PenaltyRules:
    """Handbook-wide rules for the penalty ledger, declared by the rewards-and-penalties policy."""

    approval_above: float | None  # a single amount above this needs the president's approval
    repeat_limit: int | None  # this many violations in a calendar year mean transfer or dismissal
    source: Location
    criticism_limit: int | None = None  # this many 通报批评 in a calendar year mean the same


SANCTION_CRITICISM = "通报批评"  # counts toward the penalties' criticism_limit


@dataclass(frozen=True)
class FineTier:
    """What the ``nth`` and later violations cost (until the next tier): yuan per occurrence, sanctions."""

    nth: int
    amount: float | None
    sanctions: tuple[str, ...] = ()
    up_to: float | None = None  # 100–300元 视情节: the manager decides within amount…up_to


@dataclass(frozen=True)
class FineRule:
    """A fine as the policy states it: per occurrence of ``unit``, escalating by tiers.

    Tiers count one person's violations of the same check (``per_policy``: of any
    check of the same policy) within ``period`` (``month``, ``year`` or None when the
    fine does not escalate); ``text`` is the rule as written.
    """

    tiers: tuple[FineTier, ...]
    unit: str = "次"
    period: str | None = None
    per_policy: bool = False
    text: str = ""

    def tier(self, nth: int) -> FineTier:
        """The tier of a person's ``nth`` violation in the period (1 = the first)."""
        return next((t for t in reversed(self.tiers) if t.nth <= nth), self.tiers[0])

    def to_dict(self) -> dict:
        return {
            "unit": self.unit,
            "period": self.period,
            "per_policy": self.per_policy,
            "text": self.text,
            "tiers": [
                {"nth": t.nth, "amount": t.amount, "sanctions": list(t.sanctions), "up_to": t.up_to}
                for t in self.tiers
            ],
        }


@dataclass(frozen=True)
class Reading:
    """A number the inspector measures (温度 ℃ ≤ 5): outside ``low``…``high`` the item fails.

    A bound is None when there is none; ``strict`` bounds exclude the limit itself (< and >).
    """

    name: str
    unit: str
    low: float | None
    high: float | None
    low_strict: bool = False
    high_strict: bool = False

    def within(self, value: float) -> bool:
        """Whether ``value`` meets the limit."""
        if self.low is not None and (value <= self.low if self.low_strict else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_strict else value > self.high))

    @property
    def limit(self) -> str:
        """The limit as shown, e.g. ≤ 5, 40–70, > 0."""

        def n(x: float) -> str:
            return f"{x:g}"

        if self.low is not None and self.high is not None:
            return f"{n(self.low)}–{n(self.high)}"
        if self.high is not None:
            return ("< " if self.high_strict else "≤ ") + n(self.high)
        return ("> " if self.low_strict else "≥ ") + n(self.low)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "low_strict": self.low_strict,
            "high_strict": self.high_strict,
            "limit": self.limit,
        }


@dataclass(frozen=True)
class CheckItem:
    """One checkable obligation, written inside the clause it enforces."""

    id: str
    text: str
    frequency: Frequency
    roles: tuple[str, ...]
    checkers: tuple[str, ...]
    area: str | None
    points: float | None
    deduction: Deduction | None
    fine: float | None
    source: Location
    hash: str
    policy_id: str = ""
    clause_id: str = ""
    fine_rule: FineRule | None = None  # units and tiers of ``fine`` (the first tier's amount)
    sanctions: tuple[str, ...] = ()  # non-money sanctions on every violation (处分: 通报批评)
    reading: Reading | None = None  # a measured value with a limit (读数: 温度 ℃ ≤ 5)
    rectify_days: int | None = None  # a failure is to be fixed within this many days (整改期限: 3天)
    photo: str | None = None  # a photo is required: "always" (照片: 必须) or "fail" (照片: 不合格时)


@dataclass(frozen=True)
class Clause:
    """A numbered section (章/条) of a policy with a stable, explicit anchor."""

    id: str
    title: str
    level: int
    url: str
    source: Location
    hash: str
    checks: tuple[CheckItem, ...] = ()
    parent_id: str | None = None

    @property
    def anchor(self) -> str:
        return self.id


@dataclass(frozen=True)
class Policy:
    """One policy document (one Markdown file with policy front matter)."""

    id: str
    title: str
    owner: str
    version: str
    effective: dt.date
    review: dt.date
    applies_to: tuple[str, ...]
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    rel_path: str
    url: str
    source: Location
    hash: str
    clauses: tuple[Clause, ...] = ()
    scoring: Scoring | None = None
    penalties: PenaltyRules | None = None
    # What a new version is required for (text, checks, fines, frequencies, scoring, roles, title):
    # the whole file but the dates and the version itself. See generator/versions.py.
    content_hash: str = field(default="", compare=False)
    version_line: int = field(default=1, compare=False)

    @property
    def checks(self) -> tuple[CheckItem, ...]:
        return tuple(check for clause in self.clauses for check in clause.checks)

    @property
    def scored_checks(self) -> tuple[CheckItem, ...]:
        """The checks that count towards this policy's score (those with 分值 or 扣分)."""
        if self.scoring is None:
            return ()
        return tuple(k for k in self.checks if k.points is not None or k.deduction is not None)


@dataclass(frozen=True)
class Role:
    name: str
    department: str | None = None
    description: str = ""
    line: int = field(default=1, compare=False)  # in reference.yml, for messages


@dataclass(frozen=True)
class Department:
    name: str
    headcount: int | None = None
    line: int = field(default=1, compare=False)  # in reference.yml, for messages
    # The places the department works in (区域: [办公区, 会议室]); None: not declared, every area.
    areas: tuple[str, ...] | None = None
    # The role that heads it (负责人: 客服主管): who must fix what failed there. None: 部门经理.
    head: str | None = None


@dataclass(frozen=True)
class Holiday:
    """A public holiday of the calendar in reference.yml: its name and its date in each year listed."""

    name: str
    dates: tuple[dt.date, ...]
    line: int = field(default=1, compare=False)  # in reference.yml, for messages


@dataclass(frozen=True)
class Reference:
    """Reference data the policies point at: roles, departments, areas, events, shifts and holidays."""

    roles: tuple[Role, ...] = ()
    departments: tuple[Department, ...] = ()
    areas: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    shifts: tuple[str, ...] = ()
    holidays: tuple[Holiday, ...] = ()

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(role.name for role in self.roles)

    @cached_property
    def holiday_dates(self) -> dict[str, tuple[dt.date, ...]]:
        """Holiday name -> its dates, as the frequency registry asks for them."""
        return {h.name: h.dates for h in self.holidays}


@dataclass(frozen=True)
class Handbook:
    """The whole handbook: every policy in path order plus the reference data."""

    policies: tuple[Policy, ...]
    reference: Reference
    warnings: tuple = field(default=(), compare=False)

    # Indexes are built on first use; the model is immutable, so they never go stale.
    @cached_property
    def _policies(self) -> dict[str, Policy]:
        return {p.id: p for p in self.policies}

    @cached_property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(c for p in self.policies for c in p.clauses)

    @cached_property
    def _clauses(self) -> dict[str, Clause]:
        return {c.id: c for c in self.clauses}

    @cached_property
    def checks(self) -> tuple[CheckItem, ...]:
        return tuple(k for p in self.policies for k in p.checks)

    @cached_property
    def _checks(self) -> dict[str, CheckItem]:
        return {k.id: k for k in self.checks}

    def policy(self, policy_id: str) -> Policy | None:
        """The policy with this id, or None."""
        return self._policies.get(policy_id)

    def check(self, check_id: str) -> CheckItem | None:
        """The check item with this id, or None."""
        return self._checks.get(check_id)

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        return self._clauses.get(clause_id)

    @cached_property
    def scored_policies(self) -> tuple[Policy, ...]:
        """Policies with a score sheet, in handbook order."""
        return tuple(p for p in self.policies if p.scoring is not None)

    @cached_property
    def penalty_rules(self) -> PenaltyRules | None:
        """The ledger rules (approval limit, repeat limit); validation allows one declaration."""
        return next((p.penalties for p in self.policies if p.penalties is not None), None)

    @cached_property
    def _departments(self) -> dict[str, Department]:
        return {d.name: d for d in self.reference.departments}

    @cached_property
    def _roles(self) -> dict[str, Role]:
        return {r.name: r for r in self.reference.roles}

    def department(self, name: str) -> Department | None:
        """The department with this name, or None."""
        return self._departments.get(name)

    def role(self, name: str) -> Role | None:
        """The role with this name, or None."""
        return self._roles.get(name)
