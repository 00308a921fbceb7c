"""The real handbook on a phone: the first-day home page, a policy page, search, role pages, 404."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from ..conftest import PROJECT
from .app_server import AppServer
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


def test_check_cards_show_no_ids_and_nothing_that_looks_tappable(phone, real_site_url, artifacts):
    phone.goto(real_site_url + quote("30-客服/客服管理制度/"))
    card = phone.locator("#cs-response-avg")
    expect(card).to_be_visible()
    # The id is for owners: the permalink's tooltip and the overview, not the card's text.
    assert "cs-response-avg" not in card.inner_text()
    assert card.locator("input, [role=checkbox], .hb-check__box").count() == 0
    expect(card.locator(".hb-check__kind")).to_have_text("检查项")
    expect(card.locator("a.hb-check__link")).to_have_attribute("title", "检查项编号 cs-response-avg")


def test_a_role_page_opens_with_its_contents_and_costliest_rules(phone, real_site_url, artifacts):
    phone.goto(real_site_url + quote("岗位须知/售前客服/"))
    expect(phone.locator("h1")).to_contain_text("售前客服须知")
    toc = phone.locator("article ul.hb-links").first
    entries = toc.locator("li a")
    expect(entries.first).to_have_text("处罚最重的五条")
    assert entries.count() >= 10
    phone.screenshot(path=str(artifacts / "handbook-role-top.png"))
    entries.first.click()
    expect(phone.locator("#costliest")).to_be_in_viewport()
    costliest = phone.locator("#costliest + ol > li")
    assert costliest.count() == 5
    fines = [int(t.split("罚款 ")[1].split(" 元")[0]) for t in costliest.all_inner_texts()]
    assert fines == sorted(fines, reverse=True)
    phone.screenshot(path=str(artifacts / "handbook-role-costliest.png"))
    # Navigable and much shorter than the 19,700 px page that listed every check.
    height = phone.evaluate("document.documentElement.scrollHeight")
    print(f"售前客服须知: {height} px at 360 px wide")
    assert height < 12000, height
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture(scope="module")
def handbook_server(tmp_path_factory, real_site):
    workdir = tmp_path_factory.mktemp("handbook-404")
    shutil.copytree(PROJECT / "handbook", workdir / "handbook")
    server = AppServer(workdir, workdir / "handbook", real_site)
    yield server
    server.stop()


def test_an_unknown_handbook_page_is_the_handbooks_own_404(phone, handbook_server, artifacts):
    response = phone.goto(handbook_server.url + "/handbook/30-客服/没有这一页/")
    assert response.status == 404
    expect(phone.locator("h1")).to_have_text("找不到这个页面")
    expect(phone.get_by_text("今日清单")).to_have_count(0)  # not the app's page, which needs a sign-in
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "handbook-404.png"), full_page=True)
    phone.get_by_label("搜索手册（例如：请假、罚款、退货）").fill("请假")
    phone.get_by_role("button", name="搜索", exact=True).click()
    # The theme opens its search with the query (?q=) on the handbook's home.
    expect(phone.locator(".md-search-result__item").first).to_contain_text("请假")
    phone.goto(handbook_server.url + "/handbook/a/b/c/d")
    phone.get_by_role("link", name="回到手册首页").click()
    expect(phone.locator("h1")).to_contain_text("制度手册")
