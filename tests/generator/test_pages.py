"""Generated pages: what each role must follow, and every check by frequency."""

from __future__ import annotations

import re
from urllib.parse import quote

import markdown

from generator import load_handbook
from generator.pages import COSTLIEST_ANCHOR, generated_pages, overview_page, role_page

from ..conftest import TODAY

# Link lists carry the built site's URLs (directory URLs, percent-encoded), relative to the page.
SERVICE = "../../" + quote("20-客服/service/")
LEAVE = "../../" + quote("10-考勤与请假/leave/")
WAREHOUSE = "../../" + quote("30-仓储物流/warehouse/")
OVERVIEW_TO_WAREHOUSE = "../" + quote("30-仓储物流/warehouse/")


def render(page: str) -> tuple[str, list[str]]:
    """A generated page as the site's Markdown renders it: (HTML, heading ids in order)."""
    body = page.split("\n---\n", 1)[1]
    md = markdown.Markdown(extensions=["toc", "attr_list", "admonition", "generator.markdown_ext"])
    html = md.convert(body)

    def walk(tokens):
        for token in tokens:
            yield token["id"]
            yield from walk(token["children"])

    return html, list(walk(md.toc_tokens))


def anchors(page: str) -> list[str]:
    return render(page)[1]


def section(page: str, anchor: str) -> str:
    """The HTML of one ``<h2>`` section of a generated page, from its heading to the next."""
    html = render(page)[0]
    start = html.index(f'<h2 id="{anchor}">')
    end = html.find("<h2 ", start + 1)
    return html[start : end if end != -1 else len(html)]


def test_role_page_lists_policies_that_apply_and_links_their_clauses(handbook):
    page = role_page(handbook, "售后客服")
    assert page.startswith('---\ntitle: "售后客服须知"\nsearch:\n  exclude: true\n---')
    service = section(page, "policy-cs-service")
    whole = "（全文适用 · 负责岗位：客服主管 · 版本 2.0）"
    assert f'<li><a href="{SERVICE}">阅读全文</a>{whole}</li>' in service
    assert (
        f'<li><a href="{SERVICE}#cs-refund">第二条 退款处理</a>：检查 1 项，罚款最高 100 元</li>' in service
    )
    # A policy for everyone applies to every role; its clauses without checks are still linked.
    leave = section(page, "policy-leave")
    assert "阅读全文</a>（全文适用 · 负责岗位：人事专员 · 版本 1.2）" in leave
    assert f'其他条款：<a href="{LEAVE}#leave-apply">第二条 请假流程</a>' in leave


def test_role_page_links_to_clauses_instead_of_repeating_their_checks(handbook):
    page = role_page(handbook, "售后客服")
    html = render(page)[0]
    policies = html[html.index('<h2 id="policy-') :]
    # The checks' own words are on the policy page (and in its search entry), once.
    assert "退款申请均在24小时内处理完毕" not in policies
    assert "hb-badge" not in html


def test_role_page_leaves_out_what_does_not_concern_the_role(handbook):
    page = role_page(handbook, "售前客服")
    service = section(page, "policy-cs-service")
    # The policy applies as a whole, but its refund check is for 售后客服 only.
    assert f'<a href="{SERVICE}#cs-refund">第二条 退款处理</a>：检查' not in service
    assert f'<a href="{SERVICE}#cs-refund">第二条 退款处理</a>' in service
    assert "policy-wh" not in anchors(page)


def test_role_page_includes_single_checks_from_other_policies(handbook):
    page = role_page(handbook, "运营专员")
    warehouse = section(page, "policy-wh")
    assert "部分条款适用" in warehouse
    assert f'<a href="{WAREHOUSE}#wh-flow">第二章 出入库</a>：检查 1 项' in warehouse
    assert "第一章 库房安全" not in warehouse


def test_role_page_starts_with_a_table_of_contents_of_its_sections(handbook):
    page = role_page(handbook, "售后客服")
    html, ids = render(page)
    toc = html[html.index("<strong>本页目录</strong>") : html.index("<h2 ")]
    targets = re.findall(r'<li><a href="#([\w-]+)">', toc)
    assert targets == ids[1:]  # every section after the title, in page order
    assert targets[0] == COSTLIEST_ANCHOR


def test_role_page_shows_the_five_costliest_rules_first_costliest_first(handbook):
    page = role_page(handbook, "售后客服")
    assert anchors(page)[1] == COSTLIEST_ANCHOR
    top = section(page, COSTLIEST_ANCHOR)
    fines = [int(f) for f in re.findall(r"<li><strong>罚款 (\d+) 元</strong>", top)]
    assert fines == [200, 100, 100, 50, 50]
    # Each links to the check on its policy page.
    link = '<a href="../20-客服/service.md#cs-review-negative">客服管理制度</a>'
    assert f"<li><strong>罚款 200 元</strong>：本周因客服原因产生的差评已登记并处罚。（{link}）</li>" in top


def test_a_role_with_fewer_costly_rules_shows_the_ones_it_has(handbook):
    page = role_page(handbook, "客服主管")
    top = section(page, COSTLIEST_ANCHOR)
    assert '<h2 id="costliest">处罚最重的两条</h2>' in top
    assert top.count("<li>") == 2


def test_overview_groups_every_check_by_frequency_in_a_fixed_order(handbook):
    page = overview_page(handbook)
    order = ["daily", "shift", "weekly", "monthly", "quarterly", "event"]
    html, ids = render(page)
    assert ids[1:] == order
    assert '<li><a href="#weekly">每周检查</a>：4 项</li>' in html
    assert '<h2 id="weekly">每周检查</h2>\n<p>共 <strong>4</strong> 项。</p>' in html
    assert "全手册共 <strong>16</strong> 个检查项" in html
    assert f'href="{OVERVIEW_TO_WAREHOUSE}#wh-stocktake-weekly"' in html


def test_the_overview_is_where_owners_find_check_ids(handbook):
    weekly = section(overview_page(handbook), "weekly")
    assert (
        '<li><span class="hb-links__lead">本周盘点已完成，账实相符。</span>'
        f'<a href="{OVERVIEW_TO_WAREHOUSE}#wh-stocktake-weekly">仓库管理制度 · 第二条 盘点</a>'
    ) in weekly
    assert " · 编号 wh-stocktake-weekly</li>" in weekly


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
    # The count changed, the anchor did not.
    assert "共 <strong>8</strong> 项" in section(after["检查项总览.md"], "daily")


def test_there_is_one_page_per_role_plus_the_overview(handbook):
    pages = generated_pages(handbook)
    assert "检查项总览.md" in pages
    assert "岗位须知/售前客服.md" in pages
    assert "岗位须知/全体员工.md" not in pages
    assert len(pages) == 1 + len(handbook.reference.roles) - 1
