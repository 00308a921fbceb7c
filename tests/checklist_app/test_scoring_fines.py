"""Fine arithmetic on stored items: units, tiers and sanctions, and reading limits."""

from __future__ import annotations

import pytest

from checklist_app.scoring import count_label, fine_amount, fine_rule, is_tiered, occurrences, reading_ok
from generator.attributes import parse_fine_rule, parse_reading

TIERED = parse_fine_rule("一个自然月内一次罚款50元，第二次翻倍，三次以上工资全部扣除")


def _item(value: str, **extra) -> dict:
    rule = parse_fine_rule(value)
    return {"fine": rule.tiers[0].amount, "fine_rule": rule.to_dict(), "result": "fail", **extra}


@pytest.mark.parametrize(
    ("value", "label"),
    [("50元", ""), ("50元/次", ""), ("5元/处", "处数"), ("2元/项", "项数"), ("10元/人", "人数")],
)
def test_the_count_is_asked_in_the_fines_unit(value, label):
    assert count_label(_item(value)) == label


def test_a_per_spot_fine_multiplies_by_the_spots_counted():
    assert fine_amount(_item("5元/处", count=4)) == 20
    assert fine_amount(_item("5元/处")) == 5  # no count entered: once


@pytest.mark.parametrize(
    ("earlier", "count", "amount", "sanctions"),
    [
        (0, 1, 50, ()),
        (1, 1, 100, ()),
        (0, 2, 150, ()),
        (2, 1, 0, ("扣当月工资100%",)),
        (1, 3, 100, ("扣当月工资100%",)),
    ],
)
def test_occurrences_continue_the_persons_count(earlier, count, amount, sanctions):
    assert occurrences(TIERED, earlier, count) == (amount, sanctions)


def test_items_stored_before_tiers_are_a_plain_fine():
    legacy = {"fine": 50.0, "result": "fail"}
    assert fine_rule(legacy).tiers[0].amount == 50 and not is_tiered(legacy)
    assert fine_rule({"fine": None}) is None
    assert is_tiered(_item("50元；同月第二次100元"))


def test_a_stored_rule_reads_back_as_it_was():
    item = _item("20元；本制度同月第二次40元")
    rule = fine_rule(item)
    assert (rule.period, rule.per_policy, [t.amount for t in rule.tiers]) == ("month", True, [20, 40])


@pytest.mark.parametrize(
    ("spec", "value", "ok"),
    [
        ("温度 ℃ ≤ 5", 5, True),
        ("温度 ℃ ≤ 5", 5.1, False),
        ("温度 ℃ < 5", 5, False),
        ("湿度 % 40–70", 39.9, False),
        ("湿度 % 40–70", 70, True),
        ("冷冻温度 ℃ ≤ -18", -20, True),
        ("完成率 % ≥ 30", 29, False),
    ],
)
def test_reading_limits_on_the_frozen_item(spec, value, ok):
    assert reading_ok(parse_reading(spec).to_dict(), value) is ok
