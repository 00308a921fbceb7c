"""Generated pages: what each role must follow, and every check by frequency."""

from __future__ import annotations

from generator.pages import generated_pages, overview_page, role_page


def test_role_page_lists_policies_that_apply_and_checks_for_the_role(handbook):
    page = role_page(handbook, "售后客服")
    assert page.startswith('---\ntitle: "售后客服须知"\nsearch:\n  exclude: true\n---')
    assert "[客服管理制度](../20-客服/service.md)" in page
    assert "[第二条 退款处理](../20-客服/service.md#cs-refund)" in page
    assert "退款申请均在24小时内处理完毕" in page
    # A policy for everyone applies to every role.
    assert "[考勤与请假制度](../10-考勤与请假/leave.md)" in page
    assert "全体员工每日上下班打卡" in page


def test_role_page_leaves_out_what_does_not_concern_the_role(handbook):
    page = role_page(handbook, "售前客服")
    assert "退款申请均在24小时内处理完毕" not in page
    assert "仓库管理制度" not in page


def test_role_page_includes_single_checks_from_other_policies(handbook):
    page = role_page(handbook, "运营专员")
    assert "[第二章 出入库](../30-仓储物流/warehouse.md#wh-flow)" in page
    assert "活动上线前已与仓库确认活动商品库存充足" in page
    assert "[第一章 库房安全]" not in page


def test_overview_groups_every_check_by_frequency_in_a_fixed_order(handbook):
    page = overview_page(handbook)
    order = [
        "## 每日检查（7 项）",
        "## 每班次检查（1 项）",
        "## 每周检查（4 项）",
        "## 每月检查（2 项）",
        "## 每季度检查（1 项）",
        "## 按事件检查（1 项）",
    ]
    positions = [page.index(title) for title in order]
    assert positions == sorted(positions)
    assert "全手册共 **16** 个检查项" in page
    assert "(30-仓储物流/warehouse.md#wh-stocktake-weekly)" in page


def test_there_is_one_page_per_role_plus_the_overview(handbook):
    pages = generated_pages(handbook)
    assert "检查项总览.md" in pages
    assert "岗位须知/售前客服.md" in pages
    assert "岗位须知/全体员工.md" not in pages
    assert len(pages) == 1 + len(handbook.reference.roles) - 1
