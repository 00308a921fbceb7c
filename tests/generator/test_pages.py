"""Generated pages: what each role must follow, and every check by frequency."""

from __future__ import annotations

import re

import markdown

from generator import load_handbook
from generator.pages import COSTLIEST_ANCHOR, generated_pages, overview_page, role_page

from ..conftest import TODAY


def anchors(page: str) -> list[str]:
    """The ids of a generated page's headings, as the site's Markdown gives them."""
    body = page.split("\n---\n", 1)[1]
    md = markdown.Markdown(extensions=["toc", "attr_list", "admonition"])
    md.convert(body)

    def walk(tokens):
        for token in tokens:
            yield token["id"]
            yield from walk(token["children"])

    return list(walk(md.toc_tokens))


def section(page: str, anchor: str) -> str:
    """The Markdown of one ``##`` section of a generated page."""
    start = page.index(f"{{#{anchor}}}")
    end = page.find("\n## ", start)
    return page[start : end if end != -1 else len(page)]


def test_role_page_lists_policies_that_apply_and_links_their_clauses(handbook):
    page = role_page(handbook, "售后客服")
    assert page.startswith('---\ntitle: "售后客服须知"\nsearch:\n  exclude: true\n---')
    service = section(page, "policy-cs-service")
    assert "[阅读全文](../20-客服/service.md)" in service
    assert "- [第二条 退款处理](../20-客服/service.md#cs-refund)：检查 1 项，罚款最高 100 元" in service
    # A policy for everyone applies to every role; its clauses without checks are still linked.
    leave = section(page, "policy-leave")
    assert leave.startswith("{#policy-leave}\n\n全文适用")
    assert "[第二条 请假流程](../10-考勤与请假/leave.md#leave-apply)" in leave


def test_role_page_links_to_clauses_instead_of_repeating_their_checks(handbook):
    page = role_page(handbook, "售后客服")
    policies = page[page.index("{#policy-") :]
    # The checks' own words are on the policy page (and in its search entry), once.
    assert "退款申请均在24小时内处理完毕" not in policies
    assert "<span" not in page  # plain Markdown: no badges to render on 17 pages


def test_role_page_leaves_out_what_does_not_concern_the_role(handbook):
    page = role_page(handbook, "售前客服")
    # The policy applies as a whole, but its refund check is for 售后客服 only.
    assert "[第二条 退款处理](../20-客服/service.md#cs-refund)：检查" not in page
    assert "其他条款：[第二条 退款处理](../20-客服/service.md#cs-refund)" in page
    assert "仓库管理制度" not in page


def test_role_page_includes_single_checks_from_other_policies(handbook):
    page = role_page(handbook, "运营专员")
    warehouse = section(page, "policy-wh")
    assert warehouse.startswith("{#policy-wh}\n\n部分条款适用")
    assert "[第二章 出入库](../30-仓储物流/warehouse.md#wh-flow)：检查 1 项" in warehouse
    assert "第一章 库房安全" not in warehouse


def test_role_page_starts_with_a_table_of_contents_of_its_sections(handbook):
    page = role_page(handbook, "售后客服")
    toc = page[page.index("**本页目录**") : page.index("\n## ")]
    targets = re.findall(r"^- \[[^\]]+\]\(#([\w-]+)\)$", toc, re.M)
    assert targets == anchors(page)[1:]  # every section after the title, in page order
    assert targets[0] == COSTLIEST_ANCHOR


def test_role_page_shows_the_five_costliest_rules_first_costliest_first(handbook):
    page = role_page(handbook, "售后客服")
    assert anchors(page)[1] == COSTLIEST_ANCHOR
    top = section(page, COSTLIEST_ANCHOR)
    fines = [int(f) for f in re.findall(r"^\d\. \*\*罚款 (\d+) 元\*\*", top, re.M)]
    assert fines == [200, 100, 100, 50, 50]
    # Each links to the check on its policy page.
    link = "[客服管理制度](../20-客服/service.md#cs-review-negative)"
    assert f"1. **罚款 200 元**：本周因客服原因产生的差评已登记并处罚。（{link}）" in top


def test_a_role_with_fewer_costly_rules_shows_the_ones_it_has(handbook):
    page = role_page(handbook, "客服主管")
    top = section(page, COSTLIEST_ANCHOR)
    assert "## 处罚最重的两条 {#costliest}" in page
    assert len(re.findall(r"^\d\. ", top, re.M)) == 2


def test_overview_groups_every_check_by_frequency_in_a_fixed_order(handbook):
    page = overview_page(handbook)
    order = ["daily", "shift", "weekly", "monthly", "quarterly", "event"]
    assert anchors(page)[1:] == order
    assert "- [每周检查](#weekly)：4 项" in page
    assert "## 每周检查 {#weekly}\n\n共 **4** 项。" in page
    assert "全手册共 **16** 个检查项" in page
    assert "(30-仓储物流/warehouse.md#wh-stocktake-weekly)" in page


def test_the_overview_is_where_owners_find_check_ids(handbook):
    page = overview_page(handbook)
    assert "编号 `wh-stocktake-weekly`" in page


def test_anchors_survive_adding_a_check(handbook_copy):
    before = generated_pages(load_handbook(handbook_copy, today=TODAY))
    policy = handbook_copy / "20-客服" / "service.md"
    text = policy.read_text(encoding="utf-8")
    extra = "\n/// 检查 | cs-refund-extra\n退款原因已登记。\n频率: 每日\n对象: 售后客服\n罚款: 500元\n///\n"
    head, tail = text.split("{#cs-bad-review}", 1)
    policy.write_text(head + "{#cs-bad-review}\n" + extra + tail, encoding="utf-8")
    after = generated_pages(load_handbook(handbook_copy, today=TODAY))
    assert after != before
    for path in before:
        assert anchors(after[path]) == anchors(before[path]), path
    assert "共 **8** 项" in section(after["检查项总览.md"], "daily")  # the count changed, the anchor not


def test_there_is_one_page_per_role_plus_the_overview(handbook):
    pages = generated_pages(handbook)
    assert "检查项总览.md" in pages
    assert "岗位须知/售前客服.md" in pages
    assert "岗位须知/全体员工.md" not in pages
    assert len(pages) == 1 + len(handbook.reference.roles) - 1
