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
    record_ids: tuple[str, ...]
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


def _daily_scores(days: list[ScoreDay], policy: Policy) -> dict[tuple[str, str], list[tuple[float, str]]]:
    """(target, day) → [(score, record id)] for the daily checklists that scored ``policy``."""
    per = policy.scoring.per if policy.scoring else None
    found: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for s in days:
        if s.policy_id != policy.id or (per and s.target_kind != per):
            continue
        found[(s.target_name, s.day)] += zip(s.scores, s.record_ids, strict=True)
    return found


def _backfilled(days: list[ScoreDay]) -> frozenset[str]:
    return frozenset(i for s in days if s.backfilled for i in s.record_ids)


def _rank(
    handbook: Handbook,
    policy: Policy,
    kind: str,
    period: str,
    start: dt.date,
    end: dt.date,
    scores: dict[str, tuple[float, int, tuple[str, ...]]],
    backfilled: frozenset[str] = frozenset(),
) -> Ranking:
    scoring = policy.scoring
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))
    values = [v[0] for _, v in ordered]
    flagged = len(values) >= 2 and max(values) != min(values)
    weekly = kind == "weekly"
    rows: list[RankRow] = []
    for name, (score, days, ids) in ordered:
        rank = 1 + next(i for i, v in enumerate(values) if v == score)  # ties share a rank: 1, 2, 2, 4
        best = flagged and score == values[0]
        worst = flagged and score == values[-1]
        rows.append(
            RankRow(
                target=name,
                score=score,
                days=days,
                rank=rank,
                best=best,
                worst=worst,
                reward=scoring.best_reward if (weekly and best and scoring) else None,
                fine=scoring.worst_fine if (weekly and worst and scoring) else None,
                record_ids=ids,
                backfilled=any(i in backfilled for i in ids),
            )
        )
    for name in _targets(handbook, policy, scores):
        if name not in scores:
            rows.append(RankRow(name, None, 0, None, False, False, None, None, ()))
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
    scores = {}
    for (name, on), found in _daily_scores(days, policy).items():
        if on == day.isoformat():
            scores[name] = (_mean([s for s, _ in found]), 1, tuple(i for _, i in found))
    return _rank(handbook, policy, "daily", day.isoformat(), day, day, scores, _backfilled(days))


def weekly_ranking_of(handbook: Handbook, policy: Policy, days: list[ScoreDay], week: str) -> Ranking:
    """The ranking of ISO ``week``: each target's average daily score that week."""
    start = week_start(week)
    end = start + dt.timedelta(days=6)
    per_target: dict[str, dict[str, list[tuple[float, str]]]] = defaultdict(dict)
    for (name, on), found in _daily_scores(days, policy).items():
        if start.isoformat() <= on <= end.isoformat():
            per_target[name][on] = found
    scores = {}
    for name, days_of in per_target.items():
        daily = [_mean([s for s, _ in found]) for found in days_of.values()]
        ids = tuple(i for on in sorted(days_of) for _, i in days_of[on])
        scores[name] = (_mean(daily), len(daily), ids)
    return _rank(handbook, policy, "weekly", week, start, end, scores, _backfilled(days))


def with_missed(ranking: Ranking, missed: dict[str, int]) -> Ranking:
    """The ranking with each row's count of missed days (reporting.missed.missed_days)."""
    rows = tuple(replace(r, missed=missed.get(r.target, 0)) for r in ranking.rows)
    return replace(ranking, rows=rows)
