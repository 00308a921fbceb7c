"""The Markdown extension renders check blocks as marked, linkable rules with badges."""

from __future__ import annotations

import re

import markdown

SOURCE = """## 第一条 响应时间 {#cs-response}

正文。

/// 检查 | cs-response-avg
客服平均响应时间不超过50秒 <script>alert(1)</script>。
频率: 每周五 08:00（推断）
对象: 售前客服, 售后客服
检查人: 客服主管
区域: 客服后台
分值: 5
扣分: 每次扣1分
罚款: 罚款50元
///

```
/// 检查 | in-code
只是示例
///
```
"""


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", "fenced_code", "generator.markdown_ext"])


def test_check_block_becomes_a_card_with_a_permalink_anchor():
    html = _html(SOURCE)
    assert '<div class="hb-check" data-check-id="cs-response-avg" id="cs-response-avg">' in html
    assert 'href="#cs-response-avg"' in html
    assert '<span class="hb-check__kind">检查项</span>' in html


def test_the_check_id_is_for_owners_readers_see_only_a_link():
    html = _html(SOURCE)
    # The id is the anchor and the link's tooltip, never text on the card.
    visible = re.sub(r"<[^>]+>", "", html)
    assert "cs-response-avg" not in visible
    assert 'aria-label="本检查项的链接" class="hb-check__link" href="#cs-response-avg"' in html
    assert 'title="检查项编号 cs-response-avg">¶</a>' in html


def test_nothing_on_the_card_looks_like_a_checkbox():
    html = _html(SOURCE)
    assert "hb-check__box" not in html and "<input" not in html and "☐" not in html


def test_badges_show_frequency_roles_checker_area_points_and_fine():
    html = _html(SOURCE)
    assert "频率：</span>每周五 08:00（推断）" in html
    assert "对象：</span>售前客服、售后客服" in html
    assert "检查人：</span>客服主管" in html
    assert "区域：</span>客服后台" in html
    assert "分值：</span>5" in html
    assert "扣分：</span>每次扣1分" in html
    assert 'hb-badge--fine"><span class="hb-badge__label">罚款：</span>50 元' in html


def test_check_text_is_escaped():
    html = _html(SOURCE)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_clause_heading_keeps_its_explicit_anchor():
    assert '<h2 id="cs-response">第一条 响应时间</h2>' in _html(SOURCE)


def test_blocks_in_code_fences_are_shown_as_code():
    html = _html(SOURCE)
    assert 'id="in-code"' not in html
    assert "/// 检查 | in-code" in html


def test_an_unclosed_block_is_left_visible_for_the_validator_to_report():
    html = _html("/// 检查 | open\n内容\n频率: 每日\n")
    assert "/// 检查 | open" in html
    assert "hb-check" not in html


LINKS = (
    "/// 链接列表\n"
    "../a.md#x\t第一条 <b>粗</b>\t：检查 1 项\n"
    "#y\t目录\n"
    "../c.md\t出处\t · 编号 c-1\t检查文字 *原样*\n"
    "///\n"
)


def test_a_link_list_becomes_links_with_plain_text():
    html = _html(LINKS)
    assert '<ul class="hb-links">' in html
    assert '<li><a href="../a.md#x">第一条 &lt;b&gt;粗&lt;/b&gt;</a>：检查 1 项</li>' in html
    assert '<li><a href="#y">目录</a></li>' in html
    # Text is never read as Markdown: generated from handbook text, it is shown as written.
    assert (
        '<li><span class="hb-links__lead">检查文字 *原样*</span><a href="../c.md">出处</a> · 编号 c-1</li>'
        in html
    )


def test_a_labelled_link_list_is_one_paragraph():
    html = _html("/// 链接列表 | 其他条款：\n../a.md#1\t一\n../a.md#2\t二\n///\n")
    links = '<a href="../a.md#1">一</a>、<a href="../a.md#2">二</a>'
    assert f'<p class="hb-links hb-links--inline">其他条款：{links}</p>' in html


def test_a_link_list_in_a_code_fence_is_shown_as_code():
    html = _html("```\n/// 链接列表\n../a.md\t一\n///\n```\n")
    assert "hb-links" not in html
    assert "/// 链接列表" in html
