"""Facts of the team's real handbook that users rely on."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from generator import check_handbook, load_handbook

from ..conftest import PROJECT, TODAY

SEEDS = {
    "000_14e1cfc06fbe3554.txt",
    "001_4352dd5ccdcb7c0e.txt",
    "002_622bff92f76b1350.txt",
    "003_2d16ab885f65d886.txt",
    "004_41d0f13d394e3245.txt",
}


@pytest.fixture(scope="module")
def real():
    return load_handbook(PROJECT / "handbook", today=TODAY)


def test_real_handbook_has_no_errors():
    errors = [p for p in check_handbook(PROJECT / "handbook", today=TODAY) if p.is_error]
    assert errors == []


def test_customer_service_checks_the_50_second_response_time_daily_with_a_50_yuan_fine(real):
    check = real.check("cs-response-avg")
    assert check.policy_id == "cs-service"
    assert check.frequency.kind == "daily"
    assert check.fine == 50
    assert "50秒" in check.text and "响应时间" in check.text


def test_warehouse_stocktaking_is_a_weekly_friday_check(real):
    check = real.check("wh-stocktake-friday")
    assert check.policy_id == "wh-warehouse"
    assert (check.frequency.kind, check.frequency.weekday) == ("weekly", 4)


def test_hygiene_score_sheet_deducts_by_department_size(real):
    policy = real.policy("office-hygiene")
    text = (PROJECT / policy.source.path).read_text(encoding="utf-8")
    for rule in ("十人以上", "十人以下", "五人以下"):
        assert rule in text
    for points in ("扣1分", "扣2分", "扣3分"):
        assert points in text
    assert any(k.deduction for k in policy.checks), "scored checks carry their 扣分 rule"


def test_score_sheet_departments_are_reference_data_with_head_counts(real):
    departments = {d.name: d.headcount for d in real.reference.departments}
    for name in ("总经办", "财务中心", "行政环境"):
        assert isinstance(departments.get(name), int), name


def test_no_duplicate_policies(real):
    titles = Counter(p.title for p in real.policies)
    assert [t for t, n in titles.items() if n > 1] == []
    texts = Counter(k.text for k in real.checks)
    assert [t for t, n in texts.items() if n > 1] == []


def test_well_over_a_hundred_check_items(real):
    assert len(real.checks) > 100


def test_every_frequency_kind_the_seeds_use_is_present(real):
    kinds = {k.frequency.kind for k in real.checks}
    assert {"daily", "weekly", "monthly", "event"} <= kinds


def test_every_policy_records_its_seed_sources(real):
    for policy in real.policies:
        assert policy.sources, f"{policy.id} has no sources"
        assert set(policy.sources) <= SEEDS, f"{policy.id}: {policy.sources}"


def test_fines_in_the_text_are_check_items(real):
    fines = {k.fine for k in real.checks if k.fine}
    assert {50, 100, 200} <= fines


def test_home_page_is_written_for_a_first_day(real):
    home = (PROJECT / "handbook" / "index.md").read_text(encoding="utf-8")
    assert "岗位须知" in home and "搜索" in home
    assert len(re.findall(r"罚款", home)) >= 3
