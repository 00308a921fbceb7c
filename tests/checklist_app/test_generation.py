"""Which checks are due on which day, for which target: every frequency and its calendar edges."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app.generation import (
    Target,
    checks_for,
    daily_checklist,
    event_checklist,
    is_due,
    iso_week,
    matches,
    targets,
    week_start,
    weekly_checklist,
)
from generator import load_handbook
from generator.attributes import parse_frequency
from generator.frequencies import month_of_week

from ..conftest import PROJECT, TODAY

D = dt.date


def due(written: str, day: dt.date) -> bool:
    return is_due(parse_frequency(written, ("活动上线前",)), day)


@pytest.mark.parametrize(
    ("written", "day", "expected"),
    [
        ("每日", D(2026, 11, 22), True),  # a Sunday
        ("每个工作日", D(2026, 11, 20), True),  # Friday
        ("每个工作日", D(2026, 11, 21), False),  # Saturday
        ("每个工作日", D(2026, 11, 22), False),  # Sunday
        ("每周五", D(2026, 11, 20), True),
        ("每周五", D(2026, 11, 19), False),
        ("每周日", D(2026, 11, 22), True),  # ISO weeks end on Sunday
        ("每周一 08:00", D(2026, 11, 23), True),
        ("每周", D(2026, 11, 23), False),  # unpinned: on the weekly checklist
        ("每月10日", D(2026, 11, 10), True),
        ("每月10日前", D(2026, 11, 10), True),  # shown on its deadline
        ("每月10日前", D(2026, 11, 9), False),
        ("每月31日", D(2026, 4, 30), True),  # April has no 31st: falls on its last day
        ("每月31日", D(2026, 5, 30), False),
        ("每月31日", D(2026, 5, 31), True),
        ("每月最后一天", D(2028, 2, 29), True),  # leap year
        ("每月最后一天", D(2027, 2, 28), True),
        ("每月最后一天", D(2028, 2, 28), False),
        ("每月", D(2026, 11, 30), True),  # unpinned monthly: last day of the month
        ("每月", D(2026, 11, 1), False),
        ("每季度", D(2026, 12, 31), True),
        ("每季度", D(2026, 9, 30), True),
        ("每季度", D(2026, 11, 30), False),
        ("每年", D(2026, 12, 31), True),
        ("每年", D(2026, 6, 30), False),
        ("每班次", D(2026, 11, 22), True),
        ("活动上线前", D(2026, 11, 23), False),  # events are started on demand
    ],
)
def test_is_due(written, day, expected):
    assert due(written, day) is expected


def test_iso_week_across_the_year_boundary():
    assert iso_week(D(2026, 12, 31)) == "2026-W53"
    assert iso_week(D(2027, 1, 3)) == "2026-W53"
    assert iso_week(D(2027, 1, 4)) == "2027-W01"
    assert week_start("2026-W53") == D(2026, 12, 28)
    with pytest.raises(ValueError):
        week_start("2026-48")


def test_friday_checklist_for_the_warehouse_keeper(handbook):
    checklist = daily_checklist(handbook, D(2026, 11, 20), Target("role", "仓库管理员"))
    keys = [i.key for i in checklist.items]
    # 全体员工 daily checks (clock-in, the hygiene sheet), the per-shift lock check once per shift,
    # the Friday stock-take.
    assert keys == [
        "leave-clock-in",
        "wh-lock-daily@早班",
        "wh-lock-daily@晚班",
        "wh-stocktake-weekly",
        "hy-desk",
        "hy-chair",
        "hy-floor",
        "hy-wall",
    ]
    assert checklist.identity == "daily|2026-11-20|role:仓库管理员|*"


def test_items_carry_versions_links_and_penalties(handbook):
    item = daily_checklist(handbook, D(2026, 11, 23), Target("role", "售前客服")).items[1]
    assert item.check_id == "cs-response-avg"
    assert item.policy_version == "2.0"
    assert item.clause_id == "cs-response"
    assert item.clause_url == "20-%E5%AE%A2%E6%9C%8D/service/#cs-response"
    assert item.clause_hash == handbook.clause("cs-response").hash
    assert item.fine == 50


def test_month_end_adds_monthly_checks(handbook):
    target = Target("role", "售前客服")
    ordinary = {i.key for i in daily_checklist(handbook, D(2026, 11, 23), target).items}  # a Monday too
    month_end = {i.key for i in daily_checklist(handbook, D(2026, 11, 30), target).items}
    assert month_end - ordinary == {"leave-late-fine"}


def test_department_target_covers_its_roles_and_everyone(handbook):
    keys = [i.key for i in daily_checklist(handbook, D(2026, 11, 23), Target("department", "客服部")).items]
    assert keys == [
        "leave-clock-in",
        "cs-response-avg",
        "cs-refund-24h",
        "cs-review-neutral",
        "cs-review-negative",
        "hy-desk",
        "hy-chair",
        "hy-floor",
        "hy-wall",
    ]


def test_area_target_covers_checks_in_that_area(handbook):
    keys = [i.key for i in daily_checklist(handbook, D(2026, 11, 23), Target("area", "客服后台")).items]
    assert keys == ["cs-response-avg", "cs-refund-24h"]


def test_weekly_checklist_holds_the_weekly_checks_not_pinned_to_a_weekday(handbook):
    checklist = weekly_checklist(handbook, "2026-W48", Target("role", "仓库管理员"))
    assert [i.key for i in checklist.items] == ["wh-shelf-labels"]  # wh-stocktake-weekly is 每周五
    assert checklist.identity == "weekly|2026-W48|role:仓库管理员|*"


def test_a_check_pinned_to_monday_is_on_mondays_daily_checklist_only(handbook):
    department = Target("department", "客服部")
    monday = [i.key for i in daily_checklist(handbook, D(2026, 11, 23), department).items]
    tuesday = [i.key for i in daily_checklist(handbook, D(2026, 11, 24), department).items]
    assert {"cs-review-neutral", "cs-review-negative"} <= set(monday)
    assert not {"cs-review-neutral", "cs-review-negative"} & set(tuesday)
    assert weekly_checklist(handbook, "2026-W48", department).items == ()


def test_event_checklist_is_started_on_demand(handbook):
    checklist = event_checklist(handbook, "活动上线前", D(2026, 11, 23), Target("role", "运营专员"))
    assert [i.key for i in checklist.items] == ["wh-promo-stock"]
    assert checklist.period == "2026-11-23/活动上线前"


def test_generation_is_deterministic(good_root):
    first = load_handbook(good_root, today=TODAY)
    second = load_handbook(good_root, today=TODAY)
    target = Target("department", "仓储部")
    a = daily_checklist(first, D(2026, 11, 20), target)
    b = daily_checklist(second, D(2026, 11, 20), target)
    assert a == b and a.snapshot_id == b.snapshot_id


def test_a_policy_changed_mid_week_changes_later_checklists_only(handbook_copy):
    target = Target("role", "售前客服")
    monday = daily_checklist(load_handbook(handbook_copy, today=TODAY), D(2026, 11, 23), target)
    path = handbook_copy / "20-客服/service.md"
    text = path.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"')
    path.write_text(text.replace("不超过50秒。\n频率", "不超过40秒。\n频率"), encoding="utf-8")
    wednesday = daily_checklist(load_handbook(handbook_copy, today=TODAY), D(2026, 11, 25), target)
    before = next(i for i in monday.items if i.check_id == "cs-response-avg")
    after = next(i for i in wednesday.items if i.check_id == "cs-response-avg")
    assert (before.policy_version, after.policy_version) == ("2.0", "2.1")
    assert "50秒" in before.text and "40秒" in after.text
    assert before.clause_hash != after.clause_hash
    assert (
        monday.snapshot_id
        != daily_checklist(load_handbook(handbook_copy, today=TODAY), D(2026, 11, 23), target).snapshot_id
    )


def test_targets_list_roles_departments_and_areas(handbook):
    names = [t.slug for t in targets(handbook)]
    assert "role:售前客服" in names and "department:客服部" in names and "area:仓库" in names
    assert "role:全体员工" not in names


def test_target_slug_round_trips():
    assert Target.parse("department:客服部") == Target("department", "客服部")
    with pytest.raises(ValueError):
        Target.parse("floor:3")


def test_scope_keeps_only_the_checks_this_checker_performs(handbook):
    target = Target("department", "仓储部")
    checklist = daily_checklist(handbook, D(2026, 11, 20), target, scope="仓储主管")
    assert [i.key for i in checklist.items] == [
        "wh-lock-daily@早班",
        "wh-lock-daily@晚班",
        "wh-stocktake-weekly",
    ]
    assert checklist.identity == "daily|2026-11-20|department:仓储部|仓储主管"


# --- the newer frequencies on real checklists -------------------------------------------

NEW_KINDS = """---
id: new-kinds
title: 新频率示例
owner: 仓储主管
version: "1.0"
effective: 2026-01-01
review: 2099-12-31
applies_to: [仓库管理员]
---

## 第一条 新频率 {#new-kinds-all}

/// 检查 | nk-sweep
仓库地面已清扫。
频率: 每日 07:30、11:30、17:00
对象: 仓库管理员
罚款: 5元/处
///

/// 检查 | nk-ship-by
当天订单已在 17:00 前全部发出。
频率: 每日 17:00 前
对象: 仓库管理员
///

/// 检查 | nk-twice
冷柜温度记录已填写。
频率: 每周二、五
对象: 仓库管理员
///

/// 检查 | nk-fortnight
近两周的售后反馈已整理。
频率: 每两周
对象: 仓库管理员
///

/// 检查 | nk-fortnight-fri
叉车已保养。
频率: 每两周五（从2026-11-06起）
对象: 仓库管理员
///

/// 检查 | nk-week1
仓库设施已全面检查。
频率: 每月第一周
对象: 仓库管理员
///

/// 检查 | nk-last-fri
月度安全会议已召开。
频率: 每月最后一个周五
对象: 仓库管理员
///

/// 检查 | nk-holiday
节前安全检查已完成。
频率: 节假日前1天
对象: 仓库管理员
///
"""
KEEPER = Target("role", "仓库管理员")


@pytest.fixture
def new_kinds(handbook_copy):
    (handbook_copy / "30-仓储物流" / "new-kinds.md").write_text(NEW_KINDS, encoding="utf-8")
    with (handbook_copy / "reference.yml").open("a", encoding="utf-8") as f:
        f.write("节假日:\n  - 名称: 元旦\n    日期: 2027-01-01\n  - 名称: 清明\n    日期: 2028-03-01\n")
    return load_handbook(handbook_copy, today=TODAY)


def _new(checklist) -> list[str]:
    return [i.key for i in checklist.items if i.check_id.startswith("nk-")]


def test_several_times_a_day_is_one_item_per_time_in_order(new_kinds):
    checklist = daily_checklist(new_kinds, D(2026, 11, 23), KEEPER)
    sweeps = [i for i in checklist.items if i.check_id == "nk-sweep"]
    assert [i.key for i in sweeps] == ["nk-sweep@07:30", "nk-sweep@11:30", "nk-sweep@17:00"]
    assert [(i.time, i.frequency) for i in sweeps] == [
        ("07:30", "每日 07:30"),
        ("11:30", "每日 11:30"),
        ("17:00", "每日 17:00"),
    ]
    assert all(i.fine == 5 for i in sweeps)  # each occurrence is fined on its own


def test_a_deadline_is_one_item_with_its_time(new_kinds):
    (item,) = [
        i for i in daily_checklist(new_kinds, D(2026, 11, 23), KEEPER).items if i.check_id == "nk-ship-by"
    ]
    assert (item.key, item.time, item.frequency) == ("nk-ship-by", "17:00", "每日 17:00前")


def test_a_check_without_a_time_keeps_its_plain_key(handbook):
    item = daily_checklist(handbook, D(2026, 11, 23), Target("role", "售前客服")).items[1]
    assert (item.key, item.time) == ("cs-response-avg", None)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 11, 24), ["nk-twice"]),  # a Tuesday
        (D(2026, 11, 27), ["nk-twice", "nk-last-fri"]),  # the last Friday of November
        (D(2026, 11, 20), ["nk-twice", "nk-fortnight-fri"]),  # two weeks after its start
        (D(2026, 11, 13), ["nk-twice"]),
        (D(2026, 12, 31), ["nk-holiday"]),  # the day before 元旦 2027, a Thursday
        (D(2027, 1, 1), ["nk-twice", "nk-fortnight-fri"]),  # across the year end
        (D(2028, 2, 29), ["nk-twice", "nk-holiday"]),  # leap day: a Tuesday, and before 清明 (made up)
        (D(2028, 2, 25), ["nk-twice", "nk-fortnight-fri", "nk-last-fri"]),  # 68 weeks after the start
    ],
)
def test_day_specific_new_frequencies_are_on_that_days_daily_checklist(new_kinds, day, expected):
    keys = [
        k for k in _new(daily_checklist(new_kinds, day, KEEPER)) if not k.startswith(("nk-sweep", "nk-ship"))
    ]
    assert keys == expected


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        ("2026-W01", ["nk-fortnight", "nk-week1"]),  # effective 2026-01-01, its Thursday: January's first
        ("2026-W02", []),
        ("2026-W45", ["nk-fortnight", "nk-week1"]),  # 2–8 November: November's first week
        ("2026-W49", ["nk-fortnight", "nk-week1"]),  # 30 Nov – 6 Dec: its Thursday is in December
        ("2026-W53", ["nk-fortnight"]),  # 28 Dec – 3 Jan belongs to December
        ("2027-W01", ["nk-week1"]),
        ("2028-W09", ["nk-week1"]),  # 28 Feb – 5 Mar 2028: March's first week
    ],
)
def test_week_specific_new_frequencies_are_on_that_weeks_weekly_checklist(new_kinds, week, expected):
    assert _new(weekly_checklist(new_kinds, week, KEEPER)) == expected


def test_each_occurrence_of_the_new_kinds_is_on_exactly_one_checklist_for_three_years(new_kinds):
    seen = {}
    day = D(2026, 1, 1)
    while day <= D(2028, 12, 31):
        for key in _new(daily_checklist(new_kinds, day, KEEPER)):
            seen.setdefault(key.split("@")[0], []).append(day)
        if day.weekday() == 0 or day == D(2026, 1, 1):
            for key in _new(weekly_checklist(new_kinds, iso_week(day), KEEPER)):
                seen.setdefault(key, []).append(week_start(iso_week(day)))
        day += dt.timedelta(days=1)
    assert len(seen["nk-sweep"]) == 3 * (365 + 365 + 366)  # three a day
    assert len(seen["nk-ship-by"]) == 365 + 365 + 366
    months = [month_of_week(monday)[:2] for monday in seen["nk-week1"]]
    assert len(months) == len(set(months)) == 36  # once in every month, never twice
    fortnights = seen["nk-fortnight"]
    assert all((b - a).days == 14 for a, b in zip(fortnights, fortnights[1:], strict=False))
    assert len(seen["nk-last-fri"]) == 36 and all(d.weekday() == 4 for d in seen["nk-last-fri"])
    assert seen["nk-holiday"] == [D(2026, 12, 31), D(2028, 2, 29)]
    assert all(d.weekday() in (1, 4) for d in seen["nk-twice"])


@pytest.mark.parametrize("root", ["good", "real"])
def test_the_checks_for_a_target_are_those_that_match_it(root, handbook):
    """Remembered per handbook: every target's checks, and a made-up target's, are what ``matches`` says."""
    model = handbook if root == "good" else load_handbook(PROJECT / "handbook", today=TODAY)
    made_up = [Target("role", "不存在的岗位"), Target("department", "不存在的部门"), Target("area", "火星")]
    for target in targets(model) + made_up:
        expected = tuple(k for k in model.checks if matches(model, k, target))
        assert checks_for(model, target) == expected
        assert checks_for(model, target) == expected  # the second answer is the remembered one
    assert any(checks_for(model, t) for t in targets(model))
