"""Fines as policies state them (tiers, units, sanctions) and readings with a limit: the vocabulary,
and every mistake reported at its file and line with the fix."""

from __future__ import annotations

import shutil

import markdown
import pytest

from generator import attributes as A
from generator import check_handbook, load_handbook
from generator.model import FineTier, Reading

from ..conftest import TODAY

SERVICE = "20-客服/service.md"


@pytest.mark.parametrize(
    ("value", "unit", "period", "per_policy", "tiers"),
    [
        ("50元", "次", None, False, [(1, 50, ())]),
        ("5元/处", "处", None, False, [(1, 5, ())]),
        ("2元每项", "项", None, False, [(1, 2, ())]),
        ("10元/人", "人", None, False, [(1, 10, ())]),
        (
            "50元；同月第二次100元；第三次起200元",
            "次",
            "month",
            False,
            [(1, 50, ()), (2, 100, ()), (3, 200, ())],
        ),
        (
            "一个自然月内一次罚款50元，第二次翻倍，三次以上工资全部扣除",
            "次",
            "month",
            False,
            [(1, 50, ()), (2, 100, ()), (3, None, ("扣当月工资100%",))],
        ),
        ("5元/处；同年第二次10元/处", "处", "year", False, [(1, 5, ()), (2, 10, ())]),
        ("20元；本制度同月第二次40元", "次", "month", True, [(1, 20, ()), (2, 40, ())]),
        ("50元；全年第3次起调岗", "次", "year", False, [(1, 50, ()), (3, None, ("调岗",))]),
    ],
)
def test_fines_read_as_written(value, unit, period, per_policy, tiers):
    rule = A.parse_fine_rule(value)
    assert (rule.unit, rule.period, rule.per_policy) == (unit, period, per_policy)
    assert rule.tiers == tuple(FineTier(n, amount, s) for n, amount, s in tiers)
    assert A.parse_fine(value) == tiers[0][1]


@pytest.mark.parametrize(
    "value",
    ["50元；同月第二次起100–300元", "50元；同月第二次起视情节100--300元", "50元；同月2次及以上100—300元"],
)
def test_a_tier_may_be_a_range_the_manager_decides_within(value):
    """003 活动处罚：多次出现（2次及以上，以自然月为计算单位）…视情节严重给予100—300元罚款。"""
    assert A.parse_fine_rule(value).tiers == (FineTier(1, 50), FineTier(2, 100, (), 300))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("50元；第二次100元", "分档罚款要写明在多长时间内计次"),
        ("50元；同月第三次100元；第二次200元", "各档的次数要从小到大"),
        ("50元；同月第二次100元；同年第三次200元", "各档的计次周期不一致"),
        ("5元/处；同月第二次10元/项", "各档要按同一单位计（处）"),
        ("中评100元", "第一档 '中评100元' 应是一个金额"),
        ("50元；多次罚款", "不是“第N次…”的一档"),
        ("50元；同月第二次罚站", "应是金额（如 100元、100–300元）、翻倍或处分"),
        ("50元；同月第二次300–100元", "金额范围要从小到大"),
    ],
)
def test_a_wrong_fine_says_which_part_is_wrong(value, reason):
    with pytest.raises(A.FineRuleError) as caught:
        A.parse_fine_rule(value)
    assert reason in caught.value.reason


def test_the_nth_violation_uses_the_last_tier_at_or_below_it():
    rule = A.parse_fine_rule("50元；同月第二次100元；第四次起200元")
    assert [rule.tier(n).amount for n in (1, 2, 3, 4, 9)] == [50, 100, 100, 200, 200]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("通报批评", ("通报批评",)),
        ("通报批评、警告", ("通报批评", "警告")),
        ("通报批评一次并扣当月工资10%", ("通报批评", "扣当月工资10%")),
        ("调离岗位", ("调岗",)),
        ("工资全部扣除", ("扣当月工资100%",)),
    ],
)
def test_sanctions(value, expected):
    assert A.parse_sanctions(value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "reading"),
    [
        ("温度 ℃ ≤ 5", Reading("温度", "℃", None, 5)),
        ("温度℃≤5", Reading("温度", "℃", None, 5)),
        ("湿度 % 40–70", Reading("湿度", "%", 40, 70)),
        ("湿度%40-70", Reading("湿度", "%", 40, 70)),
        ("压力 MPa 1–1.4", Reading("压力", "MPa", 1, 1.4)),
        ("平均响应时间 秒 ≤ 50", Reading("平均响应时间", "秒", None, 50)),
        ("冷冻温度 ℃ ≤ -18", Reading("冷冻温度", "℃", None, -18)),
        ("冷冻温度 ℃ -25–-18", Reading("冷冻温度", "℃", -25, -18)),
        ("完成率 % 不低于30", Reading("完成率", "%", 30, None)),
        ("余氯 mg/L > 0.3", Reading("余氯", "mg/L", 0.3, None, low_strict=True)),
    ],
)
def test_readings_read_as_written(value, reading):
    assert A.parse_reading(value) == reading


@pytest.mark.parametrize("value", ["温度 5", "温度 ℃ 8–2", "≤ 5", "温度 ℃ 大约5度"])
def test_a_reading_without_a_name_or_a_limit_is_not_one(value):
    assert A.parse_reading(value) is None


def test_limits_include_their_bound_unless_strict():
    assert Reading("温度", "℃", None, 5).within(5) and not Reading("温度", "℃", None, 5).within(5.01)
    assert not Reading("余氯", "mg/L", 0.3, None, low_strict=True).within(0.3)
    assert Reading("湿度", "%", 40, 70).within(40) and not Reading("湿度", "%", 40, 70).within(70.5)
    assert [Reading("湿度", "%", 40, 70).limit, Reading("温度", "℃", None, 5).limit] == ["40–70", "≤ 5"]


@pytest.fixture
def root(tmp_path, good_root):
    copy = tmp_path / "handbook"
    shutil.copytree(good_root, copy)
    return copy


def _with_attrs(root, *attrs: str) -> int:
    """Put ``attrs`` on the first check of the service policy; the line of the first of them."""
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    old = "罚款: 50元\n///"
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, "\n".join(attrs) + "\n///", 1), encoding="utf-8")
    return line


@pytest.mark.parametrize(
    ("attrs", "code", "offset", "words"),
    [
        (["罚款: 50元；第二次100元"], "bad-fine", 0, ["分档罚款要写明在多长时间内计次", "同月第二次100元"]),
        (
            ["罚款: 50元", "处分: 罚站"],
            "bad-sanction",
            1,
            ["处分 '罚站' 无法识别", "通报批评", "扣当月工资10%"],
        ),
        (
            ["罚款: 50元", "读数: 响应时间 50秒"],
            "bad-reading",
            1,
            ["读数 '响应时间 50秒' 无法识别", "温度 ℃ ≤ 5"],
        ),
        (
            ["罚款: 50元", "整改期限: 下周"],
            "bad-rectify",
            1,
            ["整改期限 '下周' 无法识别", "整改期限: 3天"],
        ),
        (["整改期限: 120天"], "bad-rectify", 0, ["最多 90 天"]),
    ],
)
def test_each_mistake_is_reported_at_its_line_with_the_fix(root, attrs, code, offset, words):
    line = _with_attrs(root, *attrs)
    (problem,) = [p for p in check_handbook(root, today=TODAY) if p.is_error]
    assert (problem.code, problem.path.endswith(SERVICE), problem.line) == (code, True, line + offset)
    for word in words:
        assert word in str(problem)


def test_tiers_sanctions_and_readings_reach_the_model(root):
    _with_attrs(root, "罚款: 50元；同月第二次100元", "处分: 通报批评", "读数: 平均响应时间 秒 ≤ 50")
    check = load_handbook(root, today=TODAY).check("cs-response-avg")
    assert check.fine == 50 and check.fine_rule.period == "month"
    assert check.sanctions == ("通报批评",)
    assert check.reading == Reading("平均响应时间", "秒", None, 50)


def test_criticism_limit_must_be_a_positive_whole_number(root):
    path = root / "50-奖惩" / "rewards.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  repeat_limit: 3\n", "  repeat_limit: 3\n  criticism_limit: 0\n"), "utf-8")
    (problem,) = [p for p in check_handbook(root, today=TODAY) if p.is_error]
    assert problem.code == "bad-penalties" and "criticism_limit 0 应是正整数" in problem.message
    assert problem.line == text[: text.index("  repeat_limit")].count("\n") + 2


def test_the_handbook_page_shows_tiers_units_sanctions_and_readings():
    source = """## 第一条 投诉 {#fx-complaints}

/// 检查 | fx-complaint
无因服务原因被买家投诉。
频率: 每日
对象: 售前客服
罚款: 50元；同月第二次100元；第三次起扣当月全部工资
处分: 通报批评
读数: 平均响应时间 秒 ≤ 50
///

/// 检查 | fx-spots
工位无杂物。
频率: 每日
对象: 售前客服
罚款: 5元/处
///
"""
    html = markdown.markdown(source, extensions=["generator.markdown_ext", "attr_list"])
    assert "罚款：</span>50元；同月第二次100元；第三次起扣当月全部工资" in html
    assert "处分：</span>通报批评" in html
    assert "读数：</span>平均响应时间 ≤ 50 秒" in html
    assert "罚款：</span>5 元/处" in html


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("50元", "50 元"),
        ("5元/处", "5 元/处"),
        ("50元；全年第3次起调岗", "50元；全年第3次起调岗"),
        ("50元；同月第二次起视情节100–300元", "50元；同月第二次起视情节100–300元"),
    ],
)
def test_a_fine_reads_whole_on_its_card_not_only_its_first_tier(value, label):
    from generator.render import fine_rule_text

    assert fine_rule_text(A.parse_fine_rule(value)) == label


def test_role_pages_show_an_escalating_fine_whole_and_non_money_sanctions():
    """The costliest rules of a role are what a new hire reads first: 第二次翻倍 must not read as 50 元."""
    from generator.pages import cost_label

    real = load_handbook("handbook", today=TODAY)
    checks = {c.id: c for p in real.policies for c in p.checks}
    doubled = "一个自然月内一次罚款50元，第二次翻倍，三次以上工资全部扣除"
    assert cost_label(checks["cs-attitude-complaint"]) == doubled
    assert cost_label(checks["promo-penalty-staff"]) == "罚款 一次50元；同月第二次起视情节100–300元"
    assert cost_label(checks["meet-discipline-leave"]) == "罚款 50 元、通报批评"


@pytest.mark.parametrize(
    ("value", "days"),
    [("当天", 0), ("立即", 0), ("次日", 1), ("3天", 3), ("3天内", 3), ("7日", 7), ("5", 5), ("90天", 90)],
)
def test_a_rectification_deadline_reads_in_days_after_the_failure(value, days):
    assert A.parse_rectify(value) == days


@pytest.mark.parametrize("value", ["下周", "91天", "-1天", "三天", ""])
def test_an_unreadable_rectification_deadline_is_none(value):
    assert A.parse_rectify(value) is None


def test_a_rectification_deadline_reaches_the_model(root):
    _with_attrs(root, "整改期限: 次日")
    handbook = load_handbook(root, today=TODAY)
    check = next(c for p in handbook.policies for c in p.checks if c.rectify_days is not None)
    assert check.rectify_days == 1
