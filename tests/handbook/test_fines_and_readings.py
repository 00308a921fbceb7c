"""The real handbook states fines, sanctions and readings the way its seed texts do."""

from __future__ import annotations

import pytest

from generator import load_handbook
from generator.model import FineTier, Reading

from ..conftest import PROJECT, TODAY


@pytest.fixture(scope="module")
def real():
    return load_handbook(PROJECT / "handbook", today=TODAY)


def test_complaints_escalate_within_a_calendar_month_as_004_says(real):
    """004 网店人员管理制度第5条：一个自然月内…一次罚款50元，第二次翻倍，三次以上工资全部扣除。"""
    rule = real.check("cs-attitude-complaint").fine_rule
    assert (rule.period, rule.per_policy) == ("month", False)
    assert rule.tiers == (FineTier(1, 50), FineTier(2, 100), FineTier(3, None, ("扣当月工资100%",)))
    assert real.check("cs-attitude-manner").fine_rule.tiers == (FineTier(1, 50),)  # 002: 每次罚款50元
    assert real.check("cs-attitude-repeat").fine is None  # the ledger escalates; no second fine


def test_leaving_a_meeting_is_a_public_criticism_and_a_fine(real):
    """002 第8条：违者通报批评一次，并罚款50元。"""
    check = real.check("meet-discipline-leave")
    assert (check.fine, check.sanctions) == (50, ("通报批评",))


def test_three_public_criticisms_a_year_are_the_rewards_policys_limit(real):
    """002 奖惩制度：部门员工全年累计通报批评达到3次，予以调离岗位或开除处理。"""
    rules = real.penalty_rules
    assert (rules.repeat_limit, rules.criticism_limit) == (3, 3)


def test_the_average_response_time_is_read_and_limited_to_50_seconds(real):
    """002 第10条：每天的平均响应时间不得超过50秒。"""
    check = real.check("cs-response-avg")
    assert check.reading == Reading("平均响应时间", "秒", None, 50)
    assert check.fine == 50


def test_major_promotion_mistakes_escalate_within_the_month_to_a_range(real):
    """003 活动处罚：出现一次…50元（主管100元）；多次出现（2次及以上，以自然月为计算单位）…

    视情节严重给予100—300元罚款（主管200—400元）。
    """
    staff, lead = real.check("promo-penalty-staff").fine_rule, real.check("promo-penalty-lead").fine_rule
    assert staff.period == lead.period == "month"
    assert staff.tiers == (FineTier(1, 50), FineTier(2, 100, (), 300))
    assert lead.tiers == (FineTier(1, 100), FineTier(2, 200, (), 400))


def test_the_longest_response_is_read_and_limited_to_3_minutes(real):
    """002 第10条：每次响应时间不得大于3分钟。如出现超时回复，每次罚款50元。"""
    check = real.check("cs-response-max")
    assert check.reading == Reading("最长响应时间", "分钟", None, 3)
    assert (check.fine, check.fine_rule.unit) == (50, "次")
