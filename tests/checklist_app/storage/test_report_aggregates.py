"""Report aggregates (rankings, ledger, dashboard) equal a brute-force computation over the records.

Every backend answers them (memory and TinyDB over their facts, PostgreSQL with GROUP BY over
the typed rows of migration 0007); all must give what the records themselves say.
"""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from checklist_app.generation import Target
from checklist_app.reporting import fact_kinds, missed
from checklist_app.reporting.facts import digest
from checklist_app.reporting.ledger import month_bounds, month_ledger
from checklist_app.reporting.trends import fines_by_month
from checklist_app.storage import aggregates
from checklist_app.storage.pg import completions as completions_module
from checklist_app.storage.pg import database

from ..conftest import CS_LEAD, complete

SERVICE = Target("role", "售前客服")
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def clone(record: dict, day: dt.date, **changes) -> dict:
    """The same checklist filed again on ``day`` under its own identity and id."""
    return dict(
        record,
        identity=f"{record['identity']}|{uuid.uuid4().hex[:6]}",
        idempotency_key=uuid.uuid4().hex,
        id=f"{day.isoformat()}.{uuid.uuid4().hex[:12]}",
        day=day.isoformat(),
        **changes,
    )


@pytest.fixture
def filled(backend, open_backend, fines_handbook):
    """Four months of hygiene sheets and escalating service fines, some back-filled, on ``backend``."""
    store = open_backend(backend, fact_kinds.ALL)
    base = [
        complete(fines_handbook, store, Target("department", "客服部"), {"hy-desk": 2}, dt.date(2026, 8, 3)),
        complete(fines_handbook, store, Target("department", "仓储部"), {}, dt.date(2026, 8, 3)),
        complete(
            fines_handbook,
            store,
            SERVICE,
            {"fx-late": (1, "小李"), "fx-spots": (3, "小 李"), "fx-meeting": (1, "小王"), "fq-welcome": 1},
            dt.date(2026, 8, 3),
            CS_LEAD,
        ),
    ]
    for n in range(1, 40):
        day = dt.date(2026, 8, 3) + dt.timedelta(days=3 * n)
        record = base[n % 3]
        if n % 7 == 0:  # a second inspection of the same target that day
            store.completions.save(clone(record, day))
        store.completions.save(clone(record, day, backfill=n % 5 == 0))
    return store


def brute(store) -> list[dict]:
    """The report digests of every record of the year, computed from the records themselves."""
    records = store.completions.list(START, END)  # newest first; ties in the order they were saved
    return [digest(r) for r in sorted(records, key=lambda r: (r["day"], r["submitted_at"]))]


def test_score_days_are_the_records_daily_scores_per_sheet_target_and_day(filled):
    policies = ("hygiene", "cs-quality", "cs-service", "nope")
    expected = aggregates.score_days(brute(filled), policies)
    assert expected, "the sample must score something"
    assert filled.completions.score_days(policies, START, END) == expected
    week = (dt.date(2026, 9, 7), dt.date(2026, 9, 13))
    inside = [d for d in brute(filled) if week[0].isoformat() <= d["day"] <= week[1].isoformat()]
    assert filled.completions.score_days(policies, *week) == aggregates.score_days(inside, policies)
    assert any(s.records == 2 and not s.record_id for s in expected)  # inspected twice a day: both summed
    assert any(s.backfilled for s in expected)


def test_day_summaries_and_failed_checks_are_the_records_sums(filled):
    found = brute(filled)
    assert filled.completions.day_summaries(START, END) == aggregates.day_summaries(found)
    assert filled.completions.failed_checks(START, END) == aggregates.failed_checks(found)
    assert filled.completions.failed_checks(START, END)["fx-late"] == 16
    assert filled.completions.day_summaries(END, START) == []
    assert filled.completions.backfilled(START, END) == sum(d["backfill"] for d in found) > 0


def test_penalty_lines_are_the_records_fined_items_in_their_order(filled):
    september = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    inside = [d for d in brute(filled) if d["day"][:7] == "2026-09"]
    lines = filled.completions.penalty_lines(*september)
    assert lines == aggregates.penalty_lines(inside)
    assert len(lines) == sum(len(d["penalties"]) for d in inside) > 1
    assert [(x.day, x.submitted_at) for x in lines] == sorted((x.day, x.submitted_at) for x in lines)
    assert {x.part.check_id for x in lines} == {p["check_id"] for d in inside for p in d["penalties"]}


def test_penalty_tallies_sum_lines_per_month_person_check_and_rule(filled):
    found = brute(filled)
    tallies = filled.completions.penalty_tallies(START, END)
    assert tallies == aggregates.penalty_tallies(found)
    late = [t for t in tallies if t.check_id == "fx-late"]
    assert {t.month for t in late} == {d["day"][:7] for d in found if "fx-late" in d["failed"]}
    assert sum(t.lines for t in late) == 16
    assert all(t.fine_rule for t in late)
    assert sum(t.count for t in tallies) == sum(p["count"] for d in found for p in d["penalties"])


def test_a_line_kept_apart_is_its_own_tally(filled):
    found = brute(filled)
    line = next(d for d in found if d["penalties"])
    ref = f"{line['id']}#{line['penalties'][0]['key']}"
    tallies = filled.completions.penalty_tallies(START, END, [ref])
    assert tallies == aggregates.penalty_tallies(found, {ref})
    alone = [t for t in tallies if t.ref]
    assert [(t.ref, t.lines) for t in alone] == [(ref, 1)]


def measured(record: dict, day: dt.date, value: float) -> dict:
    """``record`` filed again on ``day`` with a reading (读数) on its first two items."""
    items = [dict(i) for i in record["items"]]
    for n, item in enumerate(items[:2]):
        item["reading"] = {
            "name": f"温度{n}",
            "unit": "℃",
            "value": value + n,
            "ok": value < 30,
            "limit": "≤ 30",
        }
    return clone(record, day, items=items)


def test_reading_facts_are_the_digests_with_readings(filled):
    template = filled.completions.list(START, END)[0]
    for n in range(12):
        filled.completions.save(measured(template, dt.date(2026, 9, 1 + n % 6), 20.0 + n))
    found = filled.completions.reading_facts(START, END)
    assert found == aggregates.reading_facts(brute(filled))
    assert len(found) == 12 and all(len(d["readings"]) == 2 for d in found)
    week = filled.completions.reading_facts(dt.date(2026, 9, 2), dt.date(2026, 9, 3))
    assert [d["day"] for d in week] == ["2026-09-02"] * 2 + ["2026-09-03"] * 2


MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]


def test_the_ledger_from_the_months_lines_and_earlier_tallies_is_the_ledger_of_every_line(
    filled, fines_handbook
):
    found = brute(filled)
    august = next(d for d in found if d["day"][:7] == "2026-08" and d["penalties"])
    links = {f"{august['id']}#{august['penalties'][0]['key']}": "p1"}  # a typed name linked later
    people = {"p1": {"id": "p1", "name": "李小龙", "employee_no": "A7", "department": "客服部"}}
    flagged = 0
    for month in MONTHS[1:]:
        start, end = month_bounds(month)
        lines = filled.completions.penalty_lines(start, end)
        earlier = filled.completions.penalty_tallies(dt.date(2026, 1, 1), start - dt.timedelta(days=1), links)
        ledger = month_ledger(fines_handbook, month, lines, people, links, {}, earlier)
        every = aggregates.penalty_lines(found)
        assert ledger == month_ledger(fines_handbook, month, every, people, links, {})
        if month != "2026-12":  # the year's count goes on from the earlier months' tallies
            assert any(x.check_id == "fx-spots" and x.first_nth > 3 for x in ledger.lines)
        flagged += len(ledger.criticized) + len(ledger.repeat_offenders)
    assert flagged


def test_fines_by_month_from_tallies_are_the_fines_of_every_line(filled):
    tallies = filled.completions.penalty_tallies(START, END)
    every = aggregates.penalty_lines(brute(filled))
    assert fines_by_month([], MONTHS, tallies) == fines_by_month(every, MONTHS)
    assert fines_by_month([], MONTHS, tallies)[1] > 0


def test_done_groups_are_the_missed_facts_grouped_per_period_target_scope_and_backfill(filled):
    records = sorted(filled.completions.list(START, END), key=lambda r: (r["day"], r["submitted_at"]))
    groups = filled.completions.done_groups(START, END)
    assert groups == aggregates.done_groups([missed.digest(r) for r in records])
    split = {(g.period, g.target_name) for g in groups if g.backfill} & {
        (g.period, g.target_name) for g in groups if not g.backfill
    }
    assert split  # a day's back-filled second inspection is a group of its own
    assert len(groups) < len(records)
    assert filled.completions.done_groups(END, START) == []


def answers(completions) -> list:
    """Every aggregate of the year, as the report pages ask for them."""
    return [
        completions.score_days(("hygiene",), START, END),
        completions.day_summaries(START, END),
        completions.failed_checks(START, END),
        completions.backfilled(START, END),
        completions.penalty_lines(START, END),
        completions.penalty_tallies(START, END),
        completions.penalty_tallies(dt.date(2026, 8, 4), dt.date(2026, 8, 20)),
        completions.reading_facts(START, END),
        completions.done_groups(START, END),
    ]


ROLLUPS = ("penalty_months", "done_slots", "day_totals", "failed_days")  # migration 0009's tables
DERIVED = (*ROLLUPS, "penalty_shared", "score_days")  # 0011's (by triggers on 0007's tables), 0013's
# Each migration's fill-in of the rows it derives, and the tables to empty first (rows a
# trigger derives from the emptied ones are emptied too: the fill-in writes them again).
FILL_INS = {
    "0007_report_rows.sql": (
        "-- The facts stored before this migration",
        (
            "report_records",
            "report_scores",
            "report_penalties",
            "missed_records",
            *DERIVED,
        ),
    ),
    "0009_report_rollups.sql": ("-- The rows stored before this migration", ROLLUPS),
    "0011_ledger_lines.sql": ("-- The rows stored before this migration", ("penalty_shared",)),
    "0012_report_readings.sql": ("-- The facts stored before this migration", ("report_readings",)),
    "0013_score_days.sql": ("-- The rows stored before this migration", ("score_days",)),
}


@pytest.mark.parametrize("migration", sorted(FILL_INS))
def test_a_migration_fills_the_rows_of_what_was_stored_before_it(open_backend, fines_handbook, migration):
    store = open_backend("postgresql", fact_kinds.ALL)
    complete(fines_handbook, store, Target("department", "客服部"), {"hy-desk": 2}, dt.date(2026, 8, 3))
    for day in (dt.date(2026, 8, 4), dt.date(2026, 8, 5), dt.date(2026, 9, 1)):
        complete(fines_handbook, store, SERVICE, {"fx-late": (1, "小李"), "fx-meeting": 1}, day, CS_LEAD)
    completions = store.completions
    completions.save(measured(completions.list(START, END)[0], dt.date(2026, 8, 6), 31.0))
    before = answers(completions)
    marker, tables = FILL_INS[migration]
    sql = (Path(database.__file__).parent / "migrations" / migration).read_text("utf-8")
    with completions.db.transaction() as cur:
        for table in tables:
            cur.execute(f"DELETE FROM {table}")
        cur.execute(f"SELECT count(*) FROM {tables[-1]}")
        assert cur.fetchone()[0] == 0
        cur.execute(sql[sql.index(marker) :])
    assert all(before[n] for n in (0, 1, 2, 4, 5, 7, 8))
    assert before == answers(completions)


def test_tallies_of_part_of_a_month_count_only_its_days(filled):
    found = brute(filled)
    for start, end in (
        (dt.date(2026, 8, 10), dt.date(2026, 9, 20)),  # a month's end and the next one's start
        (dt.date(2026, 9, 5), dt.date(2026, 9, 5)),
        (dt.date(2026, 8, 1), dt.date(2026, 11, 14)),  # November has lines after the 14th
        (dt.date(2026, 8, 1), dt.date(2026, 12, 10)),  # December has none: its rollup answers
        (dt.date(2026, 7, 20), dt.date(2026, 10, 31)),  # nor July before the 20th
    ):
        inside = [d for d in found if start.isoformat() <= d["day"] <= end.isoformat()]
        assert filled.completions.penalty_tallies(start, end) == aggregates.penalty_tallies(inside), (
            start,
            end,
        )


def test_lines_kept_apart_leave_their_group_with_the_next_line_first(filled):
    found = brute(filled)
    late = [(d, p) for d in found for p in d["penalties"] if p["check_id"] == "fx-late"]
    meeting = [(d, p) for d in found for p in d["penalties"] if p["check_id"] == "fx-meeting"]
    refs = {f"{d['id']}#{p['key']}" for d, p in late[:2] + meeting[:1] + late[-1:]}
    refs.add("no-such-record#fx-late")
    tallies = filled.completions.penalty_tallies(START, END, refs)
    assert tallies == aggregates.penalty_tallies(found, refs)
    assert len([t for t in tallies if t.ref]) == 4
    september = filled.completions.penalty_tallies(dt.date(2026, 9, 1), dt.date(2026, 9, 15), refs)
    inside = [d for d in found if "2026-09-01" <= d["day"] <= "2026-09-15"]
    assert september == aggregates.penalty_tallies(inside, refs)


def test_concurrent_saves_into_one_group_count_every_line_once(open_backend, fines_handbook, monkeypatch):
    """Saves, double taps and reports (each folding what was saved so far) at once: every line once."""
    monkeypatch.setattr(completions_module, "FOLD_INTERVAL", 0.0)
    store = open_backend("postgresql", fact_kinds.ALL)
    template = complete(
        fines_handbook, store, SERVICE, {"fx-late": (1, "小李")}, dt.date(2026, 8, 3), CS_LEAD
    )
    copies = [clone(template, dt.date(2026, 8, 3 + n % 20)) for n in range(80)]

    def save(batch):
        for n, record in enumerate(batch):
            store.completions.save(record)
            store.completions.save(record)  # a double tap: stored and counted once
            if n % 3 == 0:  # a manager opens a report meanwhile: it folds what is saved so far
                assert store.completions.penalty_tallies(START, END)
                store.completions.done_groups(START, END)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(save, [copies[n::8] for n in range(8)]))
    tallies = store.completions.penalty_tallies(START, END)
    assert tallies == aggregates.penalty_tallies(brute(store))
    assert sum(t.lines for t in tallies if t.check_id == "fx-late") == 81
    assert store.completions.done_groups(START, END) == aggregates.done_groups(
        [
            missed.digest(r)
            for r in sorted(store.completions.list(START, END), key=lambda r: (r["day"], r["submitted_at"]))
        ]
    )


def test_reports_are_exact_before_and_after_a_fold(open_backend, fines_handbook, monkeypatch):
    """Saves leave their rows unfolded; a report folds them into the rollups, and reads both either way."""
    store = open_backend("postgresql", fact_kinds.ALL)
    template = complete(
        fines_handbook, store, SERVICE, {"fx-late": (1, "小李")}, dt.date(2026, 8, 3), CS_LEAD
    )

    def unfolded() -> int:
        with store.completions.db.transaction() as cur:
            cur.execute(
                "SELECT (SELECT count(*) FROM report_records WHERE NOT folded)"
                " + (SELECT count(*) FROM report_penalties WHERE NOT folded)"
                " + (SELECT count(*) FROM missed_records WHERE NOT folded)"
            )
            return cur.fetchone()[0]

    assert unfolded() == 3  # the save wrote its rows and touched no rollup
    assert answers(store.completions)[5] == aggregates.penalty_tallies(brute(store))
    assert unfolded() == 0  # the report folded them
    monkeypatch.setattr(completions_module, "FOLD_INTERVAL", 3600.0)
    for n in range(4):
        store.completions.save(clone(template, dt.date(2026, 8, 4 + n)))
    assert unfolded() == 12  # no fold this time: the reports add the rows themselves
    assert store.completions.fold(batch=1) == 3  # a bulk load folds in batches: one row of each table
    assert unfolded() == 9
    found = brute(store)
    assert store.completions.penalty_tallies(START, END) == aggregates.penalty_tallies(found)
    assert store.completions.day_summaries(START, END) == aggregates.day_summaries(found)
    assert store.completions.failed_checks(START, END) == aggregates.failed_checks(found)
    missed_facts = [
        missed.digest(r) for r in sorted(store.completions.list(START, END), key=lambda r: r["day"])
    ]
    assert store.completions.done_groups(START, END) == aggregates.done_groups(missed_facts)


def test_a_new_worker_folds_what_was_saved_before_its_first_report(open_backend, fines_handbook):
    """``warm`` (called by worker.ready) folds now, so the first page does not pay for it."""
    store = open_backend("postgresql", fact_kinds.ALL)
    complete(fines_handbook, store, SERVICE, {"fx-late": (1, "小李")}, dt.date(2026, 8, 3), CS_LEAD)
    with store.completions.db.transaction() as cur:
        cur.execute("SELECT count(*) FROM report_penalties WHERE NOT folded")
        assert cur.fetchone()[0] == 1
    store.completions.warm()
    with store.completions.db.transaction() as cur:
        cur.execute("SELECT count(*) FROM report_penalties WHERE NOT folded")
        assert cur.fetchone()[0] == 0
    assert store.completions.penalty_tallies(START, END) == aggregates.penalty_tallies(brute(store))
