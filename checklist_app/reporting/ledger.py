"""The penalty ledger: every failed item that carries a fine, with totals and the policy's flags.

Flags come from the handbook's ``penalties`` rules: a single amount above a manager's
authority needs the president's approval, and a person who reached the repeat limit
of violations in the calendar year faces transfer or dismissal.

Totals and the repeat count are per person, not per spelling: a line counts for the
staff-directory person chosen on the checklist (``responsible_id``) or linked to the
line later (``links``), and only a name that is linked to nobody counts by itself
(normalised, so "李 明" and "李明" are one).

Escalating fines (罚款: 50元；同月第二次100元 …) are applied here, not at submission:
a line's tier is the number of that person's earlier violations of the same check (or
policy) in the same month or year, counted in the order the checklists belong to, so a
back-filled earlier day moves the later lines up a tier as it should.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.model import SANCTION_CRITICISM, FineRule, Handbook

from .. import inputs
from ..scoring import fine_rule, occurrences, occurrences_up_to
from ..storage.aggregates import PenaltyLine, PenaltyTally
from ..strings import t


@dataclass(slots=True)  # not frozen: a month builds thousands, and a frozen one costs half as much again
class LedgerLine:
    """One fine: who, when, for which clause (in which version), how much.

    Built and escalated by the ledger (fields in this order: ``_lines`` passes them by position);
    never changed after the ledger is made.
    """

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
    person_id: str = ""  # the staff directory's person, if chosen or linked
    person: str = ""  # the name shown: the directory's, else the one typed
    employee_no: str = ""
    sanctions: tuple[str, ...] = ()  # non-money sanctions of this line (通报批评 …)
    criticisms: int = 0  # how many of its occurrences carry 通报批评
    first_nth: int = 0  # for an escalating fine: the person's first and last violation numbers
    last_nth: int = 0  # in the period (0: the fine does not escalate)
    policy_id: str = ""
    order: tuple = ()  # (day, submitted at, record id, item key): which violation came first
    up_to: float | None = None  # a tier is a range (视情节 100–300元): ``amount`` is its least, this its most
    low: float | None = None  # for a ranged line: the least of the range (``amount`` is what is charged)
    decided_by: str = ""  # for a ranged line: who decided ``amount`` within the range (empty: not yet)

    @property
    def ref(self) -> str:
        """The failed line's reference, ``<record id>#<item key>`` (its corrective action's id)."""
        return f"{self.record_id}#{self.order[3]}" if len(self.order) == 4 else ""

    @property
    def anchor(self) -> str:
        """A short stable id for the line's place on the ledger page."""
        return hashlib.sha256(self.ref.encode("utf-8")).hexdigest()[:12]

    @property
    def tier(self) -> str:
        """第2次 or 第2–3次 for an escalating fine; empty otherwise."""
        if not self.first_nth:
            return ""
        if self.first_nth == self.last_nth:
            return t("ledger.tier", n=self.first_nth)
        return t("ledger.tiers", first=self.first_nth, last=self.last_nth)

    @property
    def person_key(self) -> str:
        """Who the line counts for: the person's id, else the normalised typed name."""
        return person_key(self.person_id, self.responsible)

    @property
    def typed_differently(self) -> bool:
        return bool(self.person_id) and normal(self.responsible) != normal(self.person)


@functools.lru_cache(maxsize=8192)  # a month repeats the same few hundred names thousands of times
def normal(name: str) -> str:
    """A responsible name as compared: NFKC, no zero-width characters, single spaces, case-folded."""
    try:
        return inputs.name(name, max_length=10_000).casefold()
    except inputs.BadInput:
        return name.strip().casefold()


@functools.lru_cache(maxsize=8192)
def person_key(person_id: str, name: str) -> str:
    if person_id:
        return "id:" + person_id
    return "name:" + ("" if name == "—" else normal(name))


@dataclass(frozen=True)
class PersonTotal:
    """One responsible person's month: violations, amount, and violations so far this year."""

    person: str
    department: str | None
    violations: int
    amount: float
    year_violations: int
    repeat_flag: bool
    person_id: str = ""  # empty: a typed name linked to nobody in the directory (未登记)
    employee_no: str = ""
    spellings: tuple[str, ...] = ()  # other ways the person was written on checklists
    year_criticisms: int = 0  # 通报批评 so far this calendar year
    criticism_flag: bool = False  # reached the penalties' criticism_limit


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
    criticism_limit: int | None = None

    @property
    def criticized(self) -> tuple[PersonTotal, ...]:
        """People who reached the criticism limit (全年累计通报批评) this year."""
        return tuple(p for p in self.people if p.criticism_flag)

    @functools.cached_property  # a page asks for these more than once; the lines never change
    def needing_approval(self) -> tuple[LedgerLine, ...]:
        return tuple(line for line in self.lines if line.needs_approval)

    @functools.cached_property
    def backfilled(self) -> tuple[LedgerLine, ...]:
        return tuple(line for line in self.lines if line.backfill)

    @property
    def repeat_offenders(self) -> tuple[PersonTotal, ...]:
        return tuple(p for p in self.people if p.repeat_flag)

    @functools.cached_property
    def unlinked(self) -> tuple[LedgerLine, ...]:
        """Lines whose responsible person is only a typed name (未登记), not a directory person."""
        return tuple(line for line in self.lines if not line.person_id and line.responsible != "—")


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


def charged(
    penalties: Sequence[PenaltyLine], tallies: Sequence[PenaltyTally] = ()
) -> list[tuple[str, float]]:
    """(day, yuan) of every penalty as the ledger charges it, escalating tiers applied.

    Tiers count only within ``penalties`` and ``tallies`` (lines summed by the store, see
    CompletionStore.penalty_tallies; one entry per tally, on its first line's day): pass
    the whole period (month or year) for exact amounts.
    """
    lines = sorted(_lines(None, penalties, None, {}, {}, tallies=tallies), key=_shown_order)
    return [(line.day, line.amount) for line in lines]


def _tally_line(t: PenaltyTally, people: Mapping[str, Mapping], links: Mapping[str, str]) -> LedgerLine:
    """A tally of earlier lines as one line: it counts towards tiers and year totals, never shown."""
    typed = t.responsible.strip() or "—"
    person_id = t.responsible_id or (links.get(t.ref, "") if t.ref else "")
    person = people.get(person_id) or {}
    return LedgerLine(
        day=t.first[0],
        record_id=t.first[2],
        target="",
        department=None,
        responsible=typed,
        check_id=t.check_id,
        text="",
        policy_title="",
        version="",
        clause_title="",
        clause_url="",
        fine=t.fine,
        count=t.count,
        amount=t.amount,
        inspector="",
        needs_approval=False,
        person_id=person_id,
        person=person.get("name") or typed,
        sanctions=t.sanctions,
        criticisms=t.count if SANCTION_CRITICISM in t.sanctions else 0,
        policy_id=t.policy_id,
        order=t.first,
    )


def _lines(
    handbook: Handbook | None,
    penalties: Sequence[PenaltyLine],
    limit: float | None,
    people: Mapping[str, Mapping],
    links: Mapping[str, str],
    decisions: Mapping[str, Mapping] | None = None,
    tallies: Sequence[PenaltyTally] = (),
) -> list[LedgerLine]:
    lines = []
    rules: list[tuple[float | None, dict | None]] = []  # each line's stored fine and rule, in order
    for tally in tallies:
        lines.append(_tally_line(tally, people, links))
        rules.append((tally.fine, tally.penalty["fine_rule"]))
    departments: dict[tuple[str, str], str | None] = {}  # a month repeats the same few hundred targets
    nobody: Mapping = {}
    for p in penalties:
        part = p.part
        target = (p.target_kind, p.target_name)
        department = departments.get(target, nobody)
        if department is nobody:
            department = departments[target] = department_of(handbook, *target) if handbook else None
        typed = p.responsible.strip() or "—"
        person_id = p.responsible_id or links.get(f"{p.record_id}#{p.key}", "")
        person = people.get(person_id) or nobody if person_id else nobody
        sanctions = part.sanctions
        lines.append(
            LedgerLine(
                p.day,
                p.record_id,
                p.target_name,
                department,
                typed,
                part.check_id,
                part.text,
                part.policy_title,
                part.version,
                part.clause_title,
                part.clause_url,
                part.fine or 0.0,
                p.count,
                p.amount,
                p.inspector,
                limit is not None and p.amount > limit,
                p.backfill,
                person_id,
                person.get("name") or typed,
                person.get("employee_no") or "",
                sanctions,
                p.count if SANCTION_CRITICISM in sanctions else 0,
                0,
                0,
                part.policy_id,
                (p.day, p.submitted_at, p.record_id, p.key),
            )
        )
        rules.append((part.fine, part.fine_rule))
    _escalate(lines, rules, limit, decisions)
    return lines  # in no particular order: see _shown_order


def _shown_order(line: LedgerLine) -> tuple:
    """Lines as the ledger lists them: by day, person and check, then in the order they happened."""
    return (line.day, line.person, line.check_id, line.order)


_PERIOD_KEY = {"month": 7, "year": 4}  # how much of the ISO day names the period


def _escalate(
    lines: list[LedgerLine],
    stored: list[tuple[float | None, dict | None]],
    limit: float | None,
    decisions: Mapping[str, Mapping] | None = None,
) -> None:
    """Apply escalating tiers: each line's occurrences continue the person's count in the period.

    ``stored[n]`` is the fine and fine rule stored with ``lines[n]``; the lines are
    changed in place (they were just built for this ledger). A line whose tier is a range
    is charged its least until a manager decides the amount (``decisions`` by line
    reference); a decision outside the line's range (the count changed since, e.g. an
    earlier day was back-filled) is ignored and the line asks again.
    """
    rules: dict[int, FineRule | None] = {}  # by id of the stored rule: lines of one check share it
    escalating = []
    for line, (fine, data) in zip(lines, stored, strict=True):
        if not data or len(data.get("tiers") or ()) < 2 or data.get("period") not in _PERIOD_KEY:
            continue  # a plain fine, or one that does not escalate: as charged
        rule = rules.get(id(data), False)
        if rule is False:
            rule = rules[id(data)] = fine_rule({"fine": fine, "fine_rule": data})
        if rule is None or len(rule.tiers) == 1 or rule.period not in _PERIOD_KEY:
            continue
        escalating.append((line.order, line, rule))
    escalating.sort(key=lambda x: x[0])
    seen: Counter = Counter()
    for _, line, rule in escalating:
        scope = ("policy", line.policy_id) if rule.per_policy else ("check", line.check_id)
        key = (line.person_key, scope, line.day[: _PERIOD_KEY[rule.period]])
        earlier = seen[key]
        seen[key] += line.count
        amount, tiered = occurrences(rule, earlier, line.count)
        up_to = occurrences_up_to(rule, earlier, line.count)
        low, decided_by = (amount if up_to is not None else None), ""
        decision = (decisions or {}).get(line.ref) if up_to is not None else None
        if decision and amount <= decision.get("amount", -1) <= up_to:
            amount, decided_by = float(decision["amount"]), decision.get("by_name") or decision.get("by", "")
        line.amount, line.low, line.decided_by, line.up_to = amount, low, decided_by, up_to
        line.sanctions = tuple(dict.fromkeys(line.sanctions + tiered))
        line.criticisms += sum(
            1
            for nth in range(earlier + 1, earlier + line.count + 1)
            if SANCTION_CRITICISM in rule.tier(nth).sanctions
        )
        line.first_nth, line.last_nth = earlier + 1, earlier + line.count
        # A range may reach above the manager's authority: the president decides that part.
        line.needs_approval = limit is not None and (
            (up_to if up_to is not None and not decided_by else amount) > limit
        )


def month_ledger(
    handbook: Handbook,
    month: str,
    penalties: Sequence[PenaltyLine],
    people: Mapping[str, Mapping] | None = None,
    links: Mapping[str, str] | None = None,
    decisions: Mapping[str, Mapping] | None = None,
    earlier: Sequence[PenaltyTally] = (),
) -> Ledger:
    """The ledger of ``month`` from the penalty lines of its year up to the month's end.

    ``people`` is the staff directory by id (name, 工号, department shown for a person);
    ``links`` maps ``<record id>#<item key>`` to the person a typed name was linked to;
    ``decisions`` maps the same references to the amount a manager decided within a range.
    Instead of the year's earlier lines, ``earlier`` may give the store's tallies of the
    lines of the year before the month (every linked line kept apart): they count towards
    tiers, year totals and flags exactly as those lines would.
    """
    start, end = month_bounds(month)
    rules = handbook.penalty_rules
    limit = rules.approval_above if rules else None
    repeat = rules.repeat_limit if rules else None
    criticism = rules.criticism_limit if rules else None
    first, last = start.isoformat(), end.isoformat()
    directory = people or {}
    until_month = [p for p in penalties if p.day <= last]
    earlier = [t for t in earlier if t.first[0] < first]
    all_lines = _lines(handbook, until_month, limit, directory, links or {}, decisions, earlier)
    lines = sorted((line for line in all_lines if line.day >= first), key=_shown_order)
    year_counts: Counter = Counter()
    year_criticisms: Counter = Counter()
    for line in all_lines:
        if line.day[:4] == month[:4]:
            key = line.person_key
            year_counts[key] += line.count
            year_criticisms[key] += line.criticisms
    by_person: dict[str, list[LedgerLine]] = defaultdict(list)
    people_of: dict[str | None, set[str]] = defaultdict(set)
    for line in lines:  # in the order shown: a person's first line names them
        key = line.person_key
        by_person[key].append(line)
        people_of[line.department].add(key)
    totals = []
    for key, mine in by_person.items():
        known = directory.get(mine[0].person_id) or {}
        department = known.get("department") or Counter(line.department for line in mine).most_common(1)[0][0]
        year = year_counts[key]
        shown = mine[0].person
        totals.append(
            PersonTotal(
                person=shown,
                department=department,
                violations=sum(line.count for line in mine),
                amount=sum(line.amount for line in mine),
                year_violations=year,
                repeat_flag=repeat is not None and key != "name:" and year >= repeat,
                person_id=mine[0].person_id,
                employee_no=mine[0].employee_no,
                spellings=tuple(
                    sorted({x.responsible for x in mine if normal(x.responsible) != normal(shown)})
                ),
                year_criticisms=year_criticisms[key],
                criticism_flag=criticism is not None and key != "name:" and year_criticisms[key] >= criticism,
            )
        )
    totals.sort(key=lambda p: (-p.amount, p.person))
    by_department: dict[str | None, list[LedgerLine]] = defaultdict(list)
    for line in lines:
        by_department[line.department].append(line)
    departments = sorted(
        (
            DepartmentTotal(
                department=name,
                violations=sum(line.count for line in mine),
                amount=sum(line.amount for line in mine),
                people=len(people_of[name]),
            )
            for name, mine in by_department.items()
        ),
        key=lambda d: (-d.amount, d.department or ""),
    )
    return Ledger(
        month=month,
        lines=tuple(lines),
        people=tuple(totals),
        departments=tuple(departments),
        total=sum(line.amount for line in lines),
        approval_above=limit,
        repeat_limit=repeat,
        criticism_limit=criticism,
    )
