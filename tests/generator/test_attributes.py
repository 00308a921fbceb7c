"""Frequencies, fines and points read the way policy owners write them."""

from __future__ import annotations

import pytest

from generator.attributes import parse_deduction, parse_fine, parse_frequency, split_values

EVENTS = ("活动上线前", "入库时")


@pytest.mark.parametrize(
    ("written", "kind", "details", "label"),
    [
        ("每日", "daily", {}, "每日"),
        ("每天", "daily", {}, "每日"),
        ("daily", "daily", {}, "每日"),
        ("每个工作日", "daily", {"workdays": True}, "每个工作日"),
        ("每周", "weekly", {"weekday": None}, "每周"),
        ("weekly", "weekly", {"weekday": None}, "每周"),
        ("每周五", "weekly", {"weekday": 4}, "每周五"),
        ("每周日", "weekly", {"weekday": 6}, "每周日"),
        ("每周天", "weekly", {"weekday": 6}, "每周日"),
        ("weekly:fri", "weekly", {"weekday": 4}, "每周五"),
        ("每周一上午8:00", "weekly", {"weekday": 0, "time": "08:00"}, "每周一 08:00"),
        ("每周一 08:30", "weekly", {"weekday": 0, "time": "08:30"}, "每周一 08:30"),
        ("每周六下午5点", "weekly", {"weekday": 5, "time": "17:00"}, "每周六 17:00"),
        ("每月", "monthly", {"day": None}, "每月"),
        ("每月10日", "monthly", {"day": 10, "by": False}, "每月10日"),
        ("每月10号", "monthly", {"day": 10}, "每月10日"),
        ("每月10日前", "monthly", {"day": 10, "by": True}, "每月10日前"),
        ("monthly:10-by", "monthly", {"day": 10, "by": True}, "每月10日前"),
        ("每月最后一天", "monthly", {"day": -1}, "每月最后一天"),
        ("每月月底", "monthly", {"day": -1}, "每月最后一天"),
        ("monthly:last", "monthly", {"day": -1}, "每月最后一天"),
        ("每季度", "quarterly", {}, "每季度"),
        ("quarterly", "quarterly", {}, "每季度"),
        ("每年", "yearly", {}, "每年"),
        ("每班次", "shift", {}, "每班次"),
        ("shift", "shift", {}, "每班次"),
        ("活动上线前", "event", {"event": "活动上线前"}, "活动上线前"),
        ("每次活动上线前", "event", {"event": "活动上线前"}, "活动上线前"),
        ("event:入库时", "event", {"event": "入库时"}, "入库时"),
        ("每周（推断）", "weekly", {"inferred": True}, "每周"),
        ("每日(推断)", "daily", {"inferred": True}, "每日"),
    ],
)
def test_frequency_is_understood(written, kind, details, label):
    freq = parse_frequency(written, EVENTS)
    assert freq.kind == kind
    for name, value in details.items():
        assert getattr(freq, name) == value
    assert freq.label == label


@pytest.mark.parametrize(
    "written", ["每天两次", "每半月", "每月32日", "每周八", "weekly:friday", "促销时", "每周一 25:00", ""]
)
def test_unknown_frequencies_are_refused(written):
    assert parse_frequency(written, EVENTS) is None


@pytest.mark.parametrize(
    ("written", "yuan"),
    [("50", 50), ("50元", 50), ("罚款50元", 50), ("200元/次", 200), ("100 元", 100), ("12.5元", 12.5)],
)
def test_fine_is_one_amount_in_yuan(written, yuan):
    assert parse_fine(written) == yuan


@pytest.mark.parametrize("written", ["中评100元差评200元", "五十元", "视情况", "50-100元"])
def test_fines_that_are_not_one_amount_are_refused(written):
    assert parse_fine(written) is None


@pytest.mark.parametrize(
    ("written", "points"),
    [
        ("十人以下部门每人每处扣2分", 2),
        ("10人以上部门每人每处扣1分", 1),
        ("每处差异扣2分", 2),
        ("3", 3),
        ("扣0.5分", 0.5),
        ("视情节扣分", None),
    ],
)
def test_deduction_keeps_the_rule_and_its_points(written, points):
    rule = parse_deduction(written)
    assert rule.rule == written
    assert rule.points == points


def test_roles_split_on_chinese_and_ascii_separators():
    assert split_values("售前客服, 售后客服、客服主管，仓库管理员") == (
        "售前客服",
        "售后客服",
        "客服主管",
        "仓库管理员",
    )
