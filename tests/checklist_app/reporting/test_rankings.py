"""Daily and weekly rankings as the hygiene policy says: weekly = mean of daily scores, extremes flagged."""

from __future__ import annotations

from checklist_app.reporting.rankings import daily_ranking, weekly_ranking

from ..conftest import complete
from .conftest import MON, WEEK, all_digests, dept


def _rows(ranking):
    return [(r.rank, r.target, r.score, r.best, r.worst) for r in ranking.rows]


def test_the_daily_ranking_orders_departments_by_that_days_score(handbook, hygiene_week):
    ranking = daily_ranking(handbook, handbook.policy("hygiene"), all_digests(hygiene_week), MON)
    assert _rows(ranking) == [
        (1, "客服部", 98, True, False),
        (2, "仓储部", 94, False, False),
        (3, "运营部", 91, False, True),
        (None, "行政部", None, False, False),  # not inspected: listed, never ranked or flagged
    ]
    assert all(r.reward is None and r.fine is None for r in ranking.rows)  # money is weekly


def test_the_weekly_ranking_averages_the_daily_scores_and_attaches_reward_and_fine(handbook, hygiene_week):
    ranking = weekly_ranking(handbook, handbook.policy("hygiene"), all_digests(hygiene_week), WEEK)
    assert _rows(ranking) == [
        (1, "客服部", 99, True, False),
        (2, "仓储部", 96, False, False),
        (3, "运营部", 90.5, False, True),
        (None, "行政部", None, False, False),
    ]
    best, _, worst, _ = ranking.rows
    assert (best.reward, best.fine, best.days) == (100, None, 2)
    assert (worst.reward, worst.fine) == (None, 100)
    assert (best.records, best.record_id) == (2, "")  # two days: the score links to no one checklist


def test_ties_share_a_rank_and_a_flag(handbook, store):
    for name in ("客服部", "仓储部"):
        complete(handbook, store, dept(name), {}, MON)
    complete(handbook, store, dept("运营部"), {"hy-wall": 1}, MON)
    ranking = daily_ranking(handbook, handbook.policy("hygiene"), all_digests(store), MON)
    assert [(r.rank, r.target, r.best) for r in ranking.ranked] == [
        (1, "仓储部", True),
        (1, "客服部", True),
        (3, "运营部", False),
    ]


def test_one_inspected_department_is_neither_best_nor_worst(handbook, store):
    complete(handbook, store, dept("客服部"), {"hy-wall": 1}, MON)
    ranking = weekly_ranking(handbook, handbook.policy("hygiene"), all_digests(store), WEEK)
    assert [(r.target, r.best, r.worst, r.fine) for r in ranking.ranked] == [("客服部", False, False, None)]


def test_a_days_score_links_to_its_checklist_and_two_inspections_are_averaged(handbook, store):
    one = complete(handbook, store, dept("客服部"), {"hy-wall": 1}, MON)
    first = complete(handbook, store, dept("仓储部"), {}, MON)
    again = {
        **first,
        "id": first["id"] + "b",
        "identity": first["identity"] + "|again",
        "idempotency_key": "k2",
    }
    store.completions.save(again)  # 仓储部 inspected twice that day (by a second inspector)
    ranking = daily_ranking(handbook, handbook.policy("hygiene"), all_digests(store), MON)
    rows = {r.target: r for r in ranking.ranked}
    assert (rows["客服部"].records, rows["客服部"].record_id) == (1, one["id"])
    assert (rows["仓储部"].records, rows["仓储部"].record_id, rows["仓储部"].score) == (2, "", 100)
