"""The penalty ledger: every fined failure, totals per person and department, and the policy's flags."""

from __future__ import annotations

import datetime as dt

from checklist_app.reporting.ledger import month_bounds, month_ledger

from .conftest import all_lines, service_day

NOV = [dt.date(2026, 11, d) for d in (2, 9, 16, 23)]  # Mondays: the weekly review checks are due


def test_month_bounds():
    assert month_bounds("2026-11") == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_each_fined_failure_is_a_line_with_its_clause_version_and_checklist(handbook, store):
    record = service_day(handbook, store, NOV[0], {"cs-response-avg": (2, "小李")})
    ledger = month_ledger(handbook, "2026-11", all_lines(store))
    (line,) = ledger.lines
    assert (line.day, line.responsible, line.department) == ("2026-11-02", "小李", "客服部")
    assert (line.fine, line.count, line.amount) == (50, 2, 100)
    assert (line.clause_title, line.version, line.record_id) == ("第一条 响应时间", "2.0", record["id"])
    assert line.clause_url.endswith("#cs-response")
    assert not line.needs_approval


def test_totals_per_person_and_department(handbook, store):
    service_day(handbook, store, NOV[0], {"cs-response-avg": (1, "小李"), "cs-review-neutral": (1, "小王")})
    service_day(handbook, store, NOV[1], {"cs-response-avg": (1, "小李")})
    ledger = month_ledger(handbook, "2026-11", all_lines(store))
    people = {p.person: (p.violations, p.amount) for p in ledger.people}
    assert people == {"小李": (2, 100), "小王": (1, 100)}
    assert [(d.department, d.violations, d.amount, d.people) for d in ledger.departments] == [
        ("客服部", 3, 200, 2)
    ]
    assert ledger.total == 200


def test_a_third_violation_in_the_year_flags_the_person(handbook, store):
    service_day(handbook, store, dt.date(2026, 10, 12), {"cs-response-avg": (1, "小李")})
    service_day(handbook, store, dt.date(2026, 10, 19), {"cs-response-avg": (1, "小李")})
    service_day(handbook, store, dt.date(2025, 12, 1), {"cs-response-avg": (1, "小王")})  # last year
    service_day(handbook, store, NOV[0], {"cs-response-avg": (1, "小李"), "cs-review-neutral": (1, "小王")})
    ledger = month_ledger(handbook, "2026-11", all_lines(store, dt.date(2025, 1, 1)))
    flags = {p.person: (p.violations, p.year_violations, p.repeat_flag) for p in ledger.people}
    assert flags == {"小李": (1, 3, True), "小王": (1, 1, False)}
    assert [p.person for p in ledger.repeat_offenders] == ["小李"]
    october = month_ledger(handbook, "2026-10", all_lines(store, dt.date(2025, 1, 1)))
    assert {p.person: p.repeat_flag for p in october.people} == {"小李": False}  # only two by October's end


def test_one_count_of_three_is_three_violations(handbook, store):
    service_day(handbook, store, NOV[0], {"cs-response-avg": (3, "小李")})
    (person,) = month_ledger(handbook, "2026-11", all_lines(store)).people
    assert (person.violations, person.repeat_flag) == (3, True)


def test_an_amount_above_a_managers_authority_needs_the_presidents_approval(handbook, store):
    service_day(
        handbook, store, NOV[0], {"cs-review-negative": (1, "小李"), "cs-review-neutral": (3, "小王")}
    )
    service_day(handbook, store, NOV[1], {"cs-review-negative": (2, "小赵")})
    ledger = month_ledger(handbook, "2026-11", all_lines(store))
    approvals = {(line.responsible, line.amount): line.needs_approval for line in ledger.lines}
    # 300 is within a manager's authority (含300元); above it is not.
    assert approvals == {("小李", 200): False, ("小王", 300): False, ("小赵", 400): True}
    assert [line.responsible for line in ledger.needing_approval] == ["小赵"]
    assert ledger.approval_above == 300 and ledger.repeat_limit == 3


def test_failures_without_a_fine_are_not_in_the_ledger(handbook, hygiene_week):
    assert month_ledger(handbook, "2026-11", all_lines(hygiene_week)).lines == ()
