"""The ledger applies fines as policies state them: escalating tiers per person and period, sanctions."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from checklist_app.generation import Target
from checklist_app.reporting.exports import ledger_tables
from checklist_app.reporting.ledger import month_ledger
from checklist_app.reporting.trends import fines_by_month
from generator import load_handbook

from ...conftest import TODAY
from ..conftest import CS_LEAD, complete
from .conftest import all_lines

FINES = """---
id: cs-fines
title: 客服处罚细则
owner: 客服主管
version: "1"
effective: 2026-01-01
review: 2099-01-01
applies_to: [售前客服]
---

## 第一条 投诉 {#fx-complaints}

如果一个自然月内因服务原因收到买家投诉，一次罚款50元，第二次翻倍，三次以上工资全部扣除。

/// 检查 | fx-complaint
无因服务原因被买家投诉。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 一个自然月内一次罚款50元，第二次翻倍，三次以上工资全部扣除
///

## 第二条 逐次加重 {#fx-escalate}

/// 检查 | fx-late
交接记录按时填写。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 50元；同月第二次100元；第三次起200元
///

/// 检查 | fx-spots
工位无杂物。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 5元/处；同年第二次10元/处
///

/// 检查 | fx-incident
活动无重大漏洞。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 50元；同月第二次起视情节100–300元
///

## 第三条 处分 {#fx-sanctions}

/// 检查 | fx-meeting
无未经同意离开会场。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 50元
处分: 通报批评
///

/// 检查 | fx-warning
无迟到早退。
频率: 每日
对象: 售前客服
检查人: 客服主管
处分: 警告
///
"""

PER_POLICY = """---
id: cs-quality
title: 客服质检细则
owner: 客服主管
version: "1"
effective: 2026-01-01
review: 2099-01-01
applies_to: [售前客服]
---

## 第一条 话术 {#fq-script}

/// 检查 | fq-welcome
使用欢迎语。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 20元；本制度同月第二次40元
///

/// 检查 | fq-goodbye
使用告别语。
频率: 每日
对象: 售前客服
检查人: 客服主管
罚款: 20元；本制度同月第二次40元
///
"""


@pytest.fixture(scope="module")
def fines_handbook(tmp_path_factory, good_root):
    root = tmp_path_factory.mktemp("fines") / "handbook"
    shutil.copytree(good_root, root)
    (root / "20-客服" / "fines.md").write_text(FINES, encoding="utf-8")
    (root / "20-客服" / "quality.md").write_text(PER_POLICY, encoding="utf-8")
    rewards = root / "50-奖惩" / "rewards.md"
    text = rewards.read_text(encoding="utf-8")
    rewards.write_text(
        text.replace("  repeat_limit: 3\n", "  repeat_limit: 3\n  criticism_limit: 3\n"), "utf-8"
    )
    return load_handbook(root, today=TODAY)


def day(d: int, month: int = 11) -> dt.date:
    return dt.date(2026, month, d)


def fail(handbook, store, when, failures):
    return complete(handbook, store, Target("role", "售前客服"), failures, when, CS_LEAD)


def lines_of(ledger, check_id):
    return [(x.day, x.person, x.tier, x.amount, x.sanctions) for x in ledger.lines if x.check_id == check_id]


def test_each_later_violation_in_the_month_costs_its_tier(fines_handbook, store):
    for d in (2, 9, 16, 23):
        fail(fines_handbook, store, day(d), {"fx-late": (1, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    assert lines_of(ledger, "fx-late") == [
        ("2026-11-02", "小李", "第1次", 50, ()),
        ("2026-11-09", "小李", "第2次", 100, ()),
        ("2026-11-16", "小李", "第3次", 200, ()),
        ("2026-11-23", "小李", "第4次", 200, ()),  # 第三次起: the last tier goes on
    ]
    assert ledger.total == 550


def test_a_new_month_starts_the_count_again(fines_handbook, store):
    fail(fines_handbook, store, day(23), {"fx-late": (1, "小李")})
    fail(fines_handbook, store, day(30), {"fx-late": (1, "小李")})
    fail(fines_handbook, store, day(1, 12), {"fx-late": (1, "小李")})
    december = month_ledger(fines_handbook, "2026-12", all_lines(store))
    assert lines_of(december, "fx-late") == [("2026-12-01", "小李", "第1次", 50, ())]


def test_tiers_count_per_person(fines_handbook, store):
    fail(fines_handbook, store, day(2), {"fx-late": (1, "小李")})
    fail(fines_handbook, store, day(3), {"fx-late": (1, "小李")})
    fail(fines_handbook, store, day(4), {"fx-late": (1, "小王")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    assert [(x.person, x.tier, x.amount) for x in ledger.lines] == [
        ("小李", "第1次", 50),
        ("小李", "第2次", 100),
        ("小王", "第1次", 50),
    ]


def test_a_count_of_three_is_the_first_three_tiers(fines_handbook, store):
    fail(fines_handbook, store, day(2), {"fx-late": (3, "小李")})
    (line,) = month_ledger(fines_handbook, "2026-11", all_lines(store)).lines
    assert (line.tier, line.count, line.amount) == ("第1–3次", 3, 350)
    assert line.needs_approval  # 350 > the manager's 300


def test_the_source_texts_complaint_rule_ends_in_a_whole_months_pay(fines_handbook, store):
    """一次罚款50元，第二次翻倍，三次以上工资全部扣除 (网店人员管理制度第5条)."""
    for d in (2, 3, 4):
        fail(fines_handbook, store, day(d), {"fx-complaint": (1, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    assert lines_of(ledger, "fx-complaint") == [
        ("2026-11-02", "小李", "第1次", 50, ()),
        ("2026-11-03", "小李", "第2次", 100, ()),
        ("2026-11-04", "小李", "第3次", 0, ("扣当月工资100%",)),
    ]


def test_an_earlier_day_filled_in_later_moves_the_later_lines_up_a_tier(fines_handbook, store):
    fail(fines_handbook, store, day(9), {"fx-late": (1, "小李")})
    fail(fines_handbook, store, day(2), {"fx-late": (1, "小李")})  # stored second, happened first
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    assert [(x.day, x.tier, x.amount) for x in ledger.lines] == [
        ("2026-11-02", "第1次", 50),
        ("2026-11-09", "第2次", 100),
    ]


def test_a_yearly_tier_counts_across_months_and_multiplies_by_the_spots(fines_handbook, store):
    fail(fines_handbook, store, day(5, 10), {"fx-spots": (2, "小李")})  # 1st and 2nd: 5 + 10
    fail(fines_handbook, store, day(5), {"fx-spots": (3, "小李")})  # 3rd to 5th: 3 × 10
    lines = all_lines(store)
    assert [(x.tier, x.amount) for x in month_ledger(fines_handbook, "2026-10", lines).lines] == [
        ("第1–2次", 15)
    ]
    assert [(x.tier, x.amount) for x in month_ledger(fines_handbook, "2026-11", lines).lines] == [
        ("第3–5次", 30)
    ]


def test_per_policy_tiers_count_every_check_of_the_policy(fines_handbook, store):
    fail(fines_handbook, store, day(2), {"fq-welcome": (1, "小李")})
    fail(fines_handbook, store, day(3), {"fq-goodbye": (1, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    assert [(x.check_id, x.tier, x.amount) for x in ledger.lines] == [
        ("fq-welcome", "第1次", 20),
        ("fq-goodbye", "第2次", 40),
    ]


def test_a_sanction_without_money_is_a_ledger_line_and_a_violation(fines_handbook, store):
    fail(fines_handbook, store, day(2), {"fx-warning": (1, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    (line,) = ledger.lines
    assert (line.check_id, line.amount, line.sanctions, line.tier) == ("fx-warning", 0, ("警告",), "")
    (person,) = ledger.people
    assert (person.violations, person.year_violations, person.amount) == (1, 1, 0)


def test_public_criticisms_count_toward_the_yearly_criticism_limit(fines_handbook, store):
    fail(fines_handbook, store, day(5, 3), {"fx-meeting": (1, "小李")})
    fail(fines_handbook, store, day(5, 7), {"fx-meeting": (1, "小李")})
    fail(fines_handbook, store, day(6, 7), {"fx-meeting": (1, "小王")})
    october = month_ledger(fines_handbook, "2026-10", all_lines(store))
    assert october.lines == () and october.criticism_limit == 3
    fail(fines_handbook, store, day(2), {"fx-meeting": (1, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    (line,) = ledger.lines
    assert (line.amount, line.sanctions, line.criticisms) == (50, ("通报批评",), 1)
    (person,) = ledger.people
    assert (person.person, person.year_criticisms, person.criticism_flag) == ("小李", 3, True)
    assert [p.person for p in ledger.criticized] == ["小李"]


def test_without_a_criticism_limit_nobody_is_flagged_for_criticisms(handbook, store):
    """The sample handbook's rewards policy declares no criticism_limit."""
    assert month_ledger(handbook, "2026-11", []).criticism_limit is None


def test_the_export_shows_each_lines_tier_and_sanctions_and_each_persons_criticisms(fines_handbook, store):
    fail(fines_handbook, store, day(2), {"fx-complaint": (3, "小李")})
    fail(fines_handbook, store, day(3), {"fx-meeting": (1, "小李")})
    lines, people, _ = ledger_tables(month_ledger(fines_handbook, "2026-11", all_lines(store)))
    assert lines.columns[8:12] == ("金额（元）", "审批", "第几次（分档罚款）", "处分")
    assert [row[8:12] for row in lines.rows] == [
        (150, "", "第1–3次", "扣当月工资100%"),
        (50, "", "", "通报批评"),
    ]
    assert people.columns[6] == "本年通报批评" and people.rows[0][6] == 1


def test_the_dashboards_fines_per_month_are_what_the_ledger_charges(fines_handbook, store):
    for d in (2, 3, 4):
        fail(fines_handbook, store, day(d), {"fx-late": (1, "小李")})
    assert fines_by_month(all_lines(store), ["2026-10", "2026-11"]) == [0, 350]  # 50 + 100 + 200


def test_a_range_tier_charges_its_least_and_says_the_manager_decides(fines_handbook, store):
    """003: 多次出现（2次及以上）…视情节严重给予100—300元罚款."""
    fail(fines_handbook, store, day(2), {"fx-incident": (1, "小李")})
    fail(fines_handbook, store, day(3), {"fx-incident": (2, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    assert [(x.tier, x.amount, x.up_to, x.needs_approval) for x in ledger.lines] == [
        ("第1次", 50, None, False),
        ("第2–3次", 200, 600, True),  # up to 600: above the manager's 300, so the president's
    ]
    lines, _, _ = ledger_tables(ledger)
    assert lines.columns[12] == "视情节最多（元）" and [row[12] for row in lines.rows] == ["", 600]


def test_a_decided_amount_within_the_range_is_charged_and_says_who(fines_handbook, store):
    fail(fines_handbook, store, day(2), {"fx-incident": (1, "小李")})
    fail(fines_handbook, store, day(3), {"fx-incident": (1, "小李")})
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store))
    ranged = ledger.lines[1]
    assert (ranged.amount, ranged.low, ranged.up_to, ranged.decided_by) == (100, 100, 300, "")
    decisions = {ranged.ref: {"amount": 250, "by": "zhao", "by_name": "赵主管"}}
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store), decisions=decisions)
    decided = ledger.lines[1]
    assert (decided.amount, decided.decided_by, decided.needs_approval) == (250, "赵主管", False)
    assert ledger.total == 300 and ledger.people[0].amount == 300
    lines, _, _ = ledger_tables(ledger)
    assert lines.columns[13] == "视情节金额决定人" and lines.rows[1][13] == "赵主管"


def test_a_decision_outside_the_lines_range_now_is_ignored(fines_handbook, store):
    """The count moved (an earlier day back-filled): the line is asked about again, never overcharged."""
    fail(fines_handbook, store, day(2), {"fx-incident": (1, "小李")})
    fail(fines_handbook, store, day(3), {"fx-incident": (1, "小李")})
    ref = month_ledger(fines_handbook, "2026-11", all_lines(store)).lines[1].ref
    ledger = month_ledger(fines_handbook, "2026-11", all_lines(store), decisions={ref: {"amount": 900}})
    assert (ledger.lines[1].amount, ledger.lines[1].decided_by) == (100, "")
