"""A new hire types a Chinese word into the handbook's search box on a phone and finds the rule."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def search(page, url: str, query: str):
    """Open the site, type ``query`` into the search box and return the result items."""
    page.goto(url)
    page.locator("label.md-header__button[for='__search']").click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    # An IME commit ends with a key event; Playwright inserts CJK text without one,
    # and material's search listens for keyup.
    box.press("End")
    results = page.locator(".md-search-result__item")
    expect(results.first).to_be_visible(timeout=15_000)
    return results


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("请假", "请假流程"),
        ("罚款", "客服管理制度"),
        ("响应时间", "响应时间"),
        ("批评", "迟到与早退"),
    ],
)
def test_typing_a_chinese_word_finds_the_clause(phone, sample_site_url, artifacts, query, expected):
    results = search(phone, sample_site_url, query)
    expect(phone.locator(".md-search-result")).to_contain_text(expected)
    expect(results.locator("mark").first).to_be_visible()
    phone.screenshot(path=str(artifacts / f"search-{query}.png"))


def test_policy_page_reads_on_a_phone(phone, sample_site_url, artifacts):
    phone.goto(sample_site_url + "20-%E5%AE%A2%E6%9C%8D/service/")
    card = phone.locator("#cs-response-avg")
    expect(card).to_be_visible()
    expect(card).to_contain_text("罚款：50 元")
    # Nothing wider than the screen: no sideways scrolling on a 360 px phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "policy-page.png"), full_page=True)
