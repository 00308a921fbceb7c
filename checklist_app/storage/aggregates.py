"""Report aggregates a store answers: typed rows summed per target, day, person or check.

The report pages (rankings, penalty ledger, dashboard) need sums over a period, not
the period's facts. ``CompletionStore`` answers them with these functions over its
facts of the kind ``REPORT`` (what a file or memory store can do); a SQL store
overrides them with ``GROUP BY`` queries. Both must give exactly what these functions
give for the same records (the storage contract tests compare them).

The facts read are report digests (``reporting.facts.digest``): ``id``, ``day``, ``kind``,
``target``, ``submitted_at``, ``backfill``, ``passed``, ``applicable``, ``scores``,
``failed``, ``readings`` and ``penalties``; ``done_groups`` reads the ``missed`` facts
(``reporting.missed.digest``: ``id``, ``kind``, ``period``, ``target``, ``scope``, ``checks``,
``backfill``).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

REPORT = "report"  # the fact kind the aggregates read
MISSED = "missed"  # the fact kind done_groups reads (reporting.missed.digest)


@dataclass(frozen=True)
class ScoreDay:
    """The scores one target's daily checklists got for one score sheet on one day, summed."""

    policy_id: str
    target_kind: str
    target_name: str
    day: str
    total: float  # the scores' exact sum (as decimals: 97.5 + 0.1 is 97.6), as a float
    records: int  # how many checklists scored it
    record_id: str  # the checklist when it is the only one ("" when there are several)
    backfilled: bool  # at least one of those records is back-filled (补录)


def score_total(scores: Iterable[float]) -> float:
    """Scores summed exactly as decimals of 15 significant digits, the float's own digits for any
    score (they have two decimals), so the sum does not depend on the order of the scores.

    PostgreSQL sums ``score::numeric``, which converts a float the same way (``%.15g``).
    """
    return float(sum((Decimal(f"{float(s):.15g}") for s in scores), Decimal(0)))


@dataclass(frozen=True)
class DaySummary:
    """One target's checklists of one day: how many, items passed and applicable, back-filled."""

    target_kind: str
    target_name: str
    day: str
    checklists: int
    passed: int
    applicable: int
    backfilled: int


@dataclass(frozen=True)
class PenaltyPart:
    """What every penalty line of one check in one version of its policy has in common."""

    check_id: str
    text: str
    policy_id: str
    policy_title: str
    version: str
    clause_id: str
    clause_title: str
    clause_url: str
    fine: float | None
    fine_rule: dict | None  # the stored fine rule (scoring.fine_rule reads it), None without one
    sanctions: tuple[str, ...]


class PenaltyLine(NamedTuple):
    """One failed item that carries a fine or a sanction, with what the ledger shows of its checklist."""

    record_id: str
    day: str
    kind: str
    target_kind: str
    target_name: str
    inspector: str
    submitted_at: str
    backfill: bool
    key: str  # the item's key: ``<record id>#<key>`` is the line's reference
    responsible: str  # as typed on the checklist ("" when nobody was named)
    responsible_id: str  # the staff directory's person chosen on the checklist, if any
    count: int
    amount: float  # as charged at submission (the ledger applies escalating tiers)
    part: PenaltyPart


@dataclass(frozen=True)
class PenaltyTally:
    """Penalty lines of a month summed per responsible, check, policy and stored fine rule.

    ``ref`` is set (``<record id>#<item key>``) for a line kept apart (e.g. linked to a
    person later): it is then a tally of that one line. ``first`` is the ordering key
    ``(day, submitted_at, record id, item key)`` of the earliest line summed.
    """

    month: str
    responsible: str
    responsible_id: str
    check_id: str
    policy_id: str
    fine: float
    fine_rule: str  # canonical JSON of the stored rule ("" without one)
    sanctions: tuple[str, ...]
    lines: int
    count: int
    amount: float
    first: tuple[str, str, str, str]
    ref: str = ""

    @property
    def penalty(self) -> dict:
        """The fields of a penalty the ledger's tier logic reads (scoring.fine_rule); do not change it."""
        return {"fine": self.fine, "fine_rule": _parsed_rule(self.fine_rule) if self.fine_rule else None}


@functools.lru_cache(maxsize=4096)  # a year's tallies share a few dozen rules
def _parsed_rule(text: str) -> dict:
    return json.loads(text)


def rule_text(rule: object) -> str:
    """A stored fine rule as canonical JSON, the key tallies are grouped by."""
    if not rule:
        return ""
    return json.dumps(rule, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def score_days(digests: Iterable[dict], policy_ids: Collection[str]) -> list[ScoreDay]:
    """Daily checklists' scores per (policy, target, day), ordered by policy, target and day."""
    found: dict[tuple, list[dict]] = {}
    for d in digests:
        if d["kind"] != "daily":
            continue
        for pid in policy_ids:
            if pid in d["scores"]:
                found.setdefault((pid, d["target"][0], d["target"][1], d["day"]), []).append(d)
    return [
        ScoreDay(
            pid,
            kind,
            name,
            day,
            score_total(d["scores"][pid] for d in ds),
            len(ds),
            ds[0]["id"] if len(ds) == 1 else "",
            any(d.get("backfill") for d in ds),
        )
        for (pid, kind, name, day), ds in sorted(found.items(), key=lambda kv: kv[0])
    ]


def day_summaries(digests: Iterable[dict]) -> list[DaySummary]:
    """Checklists, passed and applicable items per (target, day), ordered by target and day."""
    sums: dict[tuple[str, str, str], list[int]] = {}
    for d in digests:
        row = sums.setdefault((d["target"][0], d["target"][1], d["day"]), [0, 0, 0, 0])
        row[0] += 1
        row[1] += d["passed"]
        row[2] += d["applicable"]
        row[3] += bool(d.get("backfill"))
    return [DaySummary(*key, *row) for key, row in sorted(sums.items())]


def failed_checks(digests: Iterable[dict]) -> dict[str, int]:
    """How often each check id failed (every entry of every ``failed`` list)."""
    return dict(Counter(check_id for d in digests for check_id in d["failed"]))


def penalty_part(penalty: dict) -> PenaltyPart:
    """The part of a digest's penalty entry that its check's other lines share."""
    return PenaltyPart(
        penalty["check_id"],
        penalty["text"],
        penalty.get("policy_id", ""),
        penalty["policy_title"],
        penalty["version"],
        penalty.get("clause_id", ""),
        penalty["clause_title"],
        penalty["clause_url"],
        penalty.get("fine"),
        penalty.get("fine_rule"),
        tuple(penalty.get("sanctions") or ()),
    )


def penalty_lines(digests: Iterable[dict]) -> list[PenaltyLine]:
    """Every penalty line of the digests, in their order (oldest first), each in its record's order."""
    return [
        PenaltyLine(
            d["id"],
            d["day"],
            d["kind"],
            d["target"][0],
            d["target"][1],
            d["inspector"],
            d.get("submitted_at", ""),
            bool(d.get("backfill")),
            p.get("key", ""),
            p["responsible"],
            p.get("responsible_id") or "",
            p["count"],
            p["amount"],
            penalty_part(p),
        )
        for d in digests
        for p in d.get("penalties") or ()
    ]


def penalty_tallies(digests: Iterable[dict], apart: Collection[str] = ()) -> list[PenaltyTally]:
    """Penalty lines summed per month, responsible, check, policy and fine rule; ``apart`` refs alone."""
    groups: dict[tuple, list] = {}
    for d in digests:
        for p in d.get("penalties") or ():
            ref = f"{d['id']}#{p.get('key', '')}"
            key = (
                d["day"][:7],
                p["responsible"],
                p.get("responsible_id") or "",
                p["check_id"],
                p.get("policy_id", ""),
                float(p["fine"] or 0.0),
                rule_text(p.get("fine_rule")),
                tuple(p.get("sanctions") or ()),
                ref if ref in apart else "",
            )
            order = (d["day"], d.get("submitted_at", ""), d["id"], p.get("key", ""))
            row = groups.setdefault(key, [0, 0, 0.0, order])
            row[0] += 1
            row[1] += p["count"]
            row[2] += p["amount"]
            row[3] = min(row[3], order)
    return [
        PenaltyTally(*key[:8], lines, count, round(amount, 2), first, key[8])
        for key, (lines, count, amount, first) in sorted(groups.items(), key=lambda kv: (kv[1][3], kv[0]))
    ]


READING_FIELDS = ("id", "day", "target", "inspector", "submitted_at", "readings")


def reading_facts(digests: Iterable[dict]) -> list[dict]:
    """The digests that carry readings (读数), reduced to what a reading chart reads, oldest first."""
    return [{k: d.get(k) for k in READING_FIELDS} for d in digests if d.get("readings")]


@dataclass(frozen=True)
class DoneGroup:
    """Completed checklists of one kind, period, target and scope, all on time or all back-filled.

    Enough to tell whether a due checklist was done (reporting.missed): a store returns the
    groups in the order of each group's first record (fact order).
    """

    kind: str
    period: str
    target_kind: str
    target_name: str
    scope: str
    backfill: bool
    first_id: str  # the group's first record
    checks: tuple[str, ...]  # every check id on its records, sorted

    def as_fact(self) -> dict:
        """The group as one ``missed`` fact (what reporting.missed.slots reads)."""
        return {
            "id": self.first_id,
            "kind": self.kind,
            "period": self.period,
            "target": [self.target_kind, self.target_name],
            "scope": self.scope,
            "checks": list(self.checks),
            "backfill": self.backfill,
        }


def done_groups(digests: Iterable[dict]) -> list[DoneGroup]:
    """``missed`` facts grouped per kind, period, target, scope and back-fill, in fact order."""
    groups: dict[tuple, tuple[str, set]] = {}
    for d in digests:
        key = (d["kind"], d["period"], d["target"][0], d["target"][1], d["scope"], bool(d["backfill"]))
        groups.setdefault(key, (d["id"], set()))[1].update(d["checks"])
    return [DoneGroup(*key, first, tuple(sorted(checks))) for key, (first, checks) in groups.items()]
