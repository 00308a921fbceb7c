"""The real handbook on a phone: the first-day home page, a policy page and search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_search import search

pytestmark = pytest.mark.browser


def test_home_page_reads_on_a_phone(phone, real_site_url, artifacts):
    phone.goto(real_site_url)
    expect(phone.locator("h1")).to_contain_text("制度手册")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "handbook-home.png"), full_page=True)


def test_navigation_drawer_lists_the_sections(phone, real_site_url, artifacts):
    phone.goto(real_site_url)
    phone.locator("label.md-header__button[for='__drawer']").click()
    drawer = phone.locator("nav.md-nav--primary")
    for section in ("岗位须知", "检查项总览", "客服", "仓储物流"):
        expect(drawer).to_contain_text(section)
    expect(drawer).not_to_contain_text("30-客服")
    phone.screenshot(path=str(artifacts / "handbook-nav.png"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("请假", "请假"),
        ("盘点", "盘点"),
        ("通报批评", "批评"),
        ("响应时间", "响应时间"),
        ("差评", "差评"),
    ],
)
def test_new_hire_search_on_the_real_handbook(phone, real_site_url, artifacts, query, expected):
    results = search(phone, real_site_url, query)
    expect(results.first).to_contain_text(expected)
    phone.screenshot(path=str(artifacts / f"handbook-search-{query}.png"))


def test_customer_service_policy_shows_the_response_time_check(phone, real_site_url, artifacts):
    phone.goto(
        real_site_url + "30-%E5%AE%A2%E6%9C%8D/%E5%AE%A2%E6%9C%8D%E7%AE%A1%E7%90%86%E5%88%B6%E5%BA%A6/"
    )
    card = phone.locator("#cs-response-avg")
    expect(card).to_contain_text("50")
    expect(card).to_contain_text("罚款")
    expect(phone.locator(".hb-meta")).to_contain_text("负责岗位")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    card.scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "handbook-cs-policy.png"))
