"""Daily and weekly rankings per score sheet, with the best and worst flagged as the policy says.

A target's daily score is its score on that day's checklist (the mean, if several
inspectors scored it the same day); its weekly score is the average of its daily
scores that week (the policy's “周平均分”). Targets without a score are listed last
as not inspected, so a missing inspection is visible rather than silently skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from generator.model import Handbook, Policy

from ..generation import week_start
from ..storage.aggregates import ScoreDay, score_days


@dataclass(frozen=True)
class RankRow:
    """One target in a ranking; ``score`` None means it was not inspected in the period."""

    target: str
    score: float | None
    days: int
    rank: int | None
    best: bool
    worst: bool
    reward: float | None
    fine: float | None
    records: int = 0  # the checklists the score rests on
    record_id: str = ""  # the checklist, when it rests on exactly one (the score links to it)
    backfilled: bool = False  # the score rests on at least one back-filled (补录) record
    missed: int = 0  # days of the period its checklist was due and not completed (未完成)


@dataclass(frozen=True)
class Ranking:
    """A ranking of one score sheet over one day (``daily``) or ISO week (``weekly``)."""

    policy_id: str
    title: str
    kind: str
    period: str
    start: dt.date
    end: dt.date
    full_marks: float
    rows: tuple[RankRow, ...]
    per: str | None = None  # what is ranked: departments, or any checklist target

    @property
    def ranked(self) -> tuple[RankRow, ...]:
        return tuple(r for r in self.rows if r.score is not None)


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 2)


def _targets(handbook: Handbook, policy: Policy, scored: dict) -> list[str]:
    names = list(scored)
    if policy.scoring and policy.scoring.per == "department":
        names = [d.name for d in handbook.reference.departments] + names
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class _Scored:
    """What a ranking row rests on: a score, over how many days and checklists, which one if one."""

    score: float
    days: int
    records: int
    record_id: str
    backfilled: bool


def _daily_scores(days: list[ScoreDay], policy: Policy) -> dict[tuple[str, str], list[ScoreDay]]:
    """(target, day) → the score days of ``policy`` on that target's daily checklists."""
    per = policy.scoring.per if policy.scoring else None
    found: dict[tuple[str, str], list[ScoreDay]] = defaultdict(list)
    for s in days:
        if s.policy_id != policy.id or (per and s.target_kind != per):
            continue
        found[(s.target_name, s.day)].append(s)
    return found


def _day(found: list[ScoreDay]) -> _Scored:
    """One target's day: the mean of its checklists' scores (several inspectors, or kinds of target)."""
    records = sum(s.records for s in found)
    only = found[0].record_id if len(found) == 1 else ""
    return _Scored(
        round(sum(s.total for s in found) / records, 2), 1, records, only, any(s.backfilled for s in found)
    )


def _rank(
    handbook: Handbook,
    policy: Policy,
    kind: str,
    period: str,
    start: dt.date,
    end: dt.date,
    scores: dict[str, _Scored],
) -> Ranking:
    scoring = policy.scoring
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1].score, kv[0]))
    values = [v.score for _, v in ordered]
    flagged = len(values) >= 2 and max(values) != min(values)
    weekly = kind == "weekly"
    rows: list[RankRow] = []
    for name, scored in ordered:
        score = scored.score
        rank = 1 + next(i for i, v in enumerate(values) if v == score)  # ties share a rank: 1, 2, 2, 4
        best = flagged and score == values[0]
        worst = flagged and score == values[-1]
        rows.append(
            RankRow(
                target=name,
                score=score,
                days=scored.days,
                rank=rank,
                best=best,
                worst=worst,
                reward=scoring.best_reward if (weekly and best and scoring) else None,
                fine=scoring.worst_fine if (weekly and worst and scoring) else None,
                records=scored.records,
                record_id=scored.record_id if scored.records == 1 else "",
                backfilled=scored.backfilled,
            )
        )
    for name in _targets(handbook, policy, scores):
        if name not in scores:
            rows.append(RankRow(name, None, 0, None, False, False, None, None))
    return Ranking(
        policy.id,
        policy.title,
        kind,
        period,
        start,
        end,
        scoring.full_marks if scoring else 100.0,
        tuple(rows),
        scoring.per if scoring else None,
    )


def daily_ranking(handbook: Handbook, policy: Policy, digests: list[dict], day: dt.date) -> Ranking:
    """The ranking of ``day``: each target's score on that day's checklist (from report digests)."""
    return daily_ranking_of(handbook, policy, score_days(digests, (policy.id,)), day)


def weekly_ranking(handbook: Handbook, policy: Policy, digests: list[dict], week: str) -> Ranking:
    """The ranking of ISO ``week`` (2026-W48) from report digests (see weekly_ranking_of)."""
    return weekly_ranking_of(handbook, policy, score_days(digests, (policy.id,)), week)


def daily_ranking_of(handbook: Handbook, policy: Policy, days: list[ScoreDay], day: dt.date) -> Ranking:
    """The ranking of ``day`` from the store's score days (CompletionStore.score_days)."""
    scores = {
        name: _day(found)
        for (name, on), found in _daily_scores(days, policy).items()
        if on == day.isoformat()
    }
    return _rank(handbook, policy, "daily", day.isoformat(), day, day, scores)


def weekly_ranking_of(handbook: Handbook, policy: Policy, days: list[ScoreDay], week: str) -> Ranking:
    """The ranking of ISO ``week``: each target's average daily score that week."""
    start = week_start(week)
    end = start + dt.timedelta(days=6)
    per_target: dict[str, dict[str, _Scored]] = defaultdict(dict)
    for (name, on), found in _daily_scores(days, policy).items():
        if start.isoformat() <= on <= end.isoformat():
            per_target[name][on] = _day(found)
    scores = {}
    for name, days_of in per_target.items():
        daily = list(days_of.values())
        records = sum(d.records for d in daily)
        scores[name] = _Scored(
            _mean([d.score for d in daily]),
            len(daily),
            records,
            daily[0].record_id if records == 1 else "",
            any(d.backfilled for d in daily),
        )
    return _rank(handbook, policy, "weekly", week, start, end, scores)


def with_missed(ranking: Ranking, missed: dict[str, int]) -> Ranking:
    """The ranking with each row's count of missed days (reporting.missed.missed_days)."""
    rows = tuple(replace(r, missed=missed.get(r.target, 0)) for r in ranking.rows)
    return replace(ranking, rows=rows)
