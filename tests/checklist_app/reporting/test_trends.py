"""Dashboard series: compliance per department by week, most-failed checks, fines by month."""

from __future__ import annotations

import datetime as dt

from checklist_app.reporting import trends

from .conftest import MON, all_digests, all_lines, service_day


def test_weeks_and_months_end_with_the_current_one():
    assert trends.last_weeks(dt.date(2026, 1, 2), 3) == ["2025-W51", "2025-W52", "2026-W01"]
    assert trends.last_months(dt.date(2026, 2, 15), 3) == ["2025-12", "2026-01", "2026-02"]
    assert trends.week_label("2026-W48") == "11/23"


def test_compliance_is_the_share_passed_per_department_and_week(handbook, hygiene_week):
    weeks = ["2026-W47", "2026-W48"]
    series = dict(trends.compliance_by_department(handbook, all_digests(hygiene_week), weeks))
    # 客服部: Monday 3 of 4 hygiene items passed, Tuesday 4 of 4.
    assert series["客服部"] == [None, 87.5]
    assert series["运营部"] == [None, 62.5]  # Monday 2 of 4, Tuesday 3 of 4
    assert "行政部" not in series  # never inspected: no line at all


def test_most_failed_checks_count_checklists_and_survive_removed_checks(handbook, hygiene_week):
    digests = all_digests(hygiene_week)
    top = trends.most_failed(handbook, digests, limit=2)
    assert [(f.check_id, f.times, f.text) for f in top] == [
        ("hy-desk", 3, "桌面无杂物、无污渍。"),
        ("hy-floor", 2, "地面无明显垃圾。"),
    ]
    assert top[0].clause_url.endswith("#hy-sheet")
    digests[0]["failed"].append("removed-check")
    assert any(f.check_id == f.text == "removed-check" for f in trends.most_failed(handbook, digests))


def test_fines_add_up_per_month(handbook, store):
    service_day(handbook, store, dt.date(2026, 10, 12), {"cs-response-avg": (2, "小李")})
    service_day(handbook, store, MON, {"cs-review-negative": (1, "小赵"), "cs-response-avg": (1, "小李")})
    months = ["2026-09", "2026-10", "2026-11"]
    assert trends.fines_by_month(all_lines(store), months) == [0, 100, 250]
