"""A new hire types a Chinese word into the handbook's search box on a phone and finds the rule."""

from __future__ import annotations

import re
import shutil
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from ..conftest import PROJECT
from .app_server import AppServer

pytestmark = pytest.mark.browser


def search(page, url: str, query: str):
    """Open the site, put ``query`` into the search box and return the result items.

    ``fill`` inserts the text without a key event, as a paste, voice input or an IME commit does:
    the search starts on the `input` event (the theme alone waited for a `keyup`).
    """
    page.goto(url)
    page.locator("label.md-header__button[for='__search']").click()
    page.locator("input.md-search__input").fill(query)
    results = page.locator(".md-search-result__item")
    expect(results.first).to_be_visible(timeout=15_000)
    return results


def open_search(page, url: str, query: str):
    """Like :func:`search` for a query that may find nothing: wait for the count line instead."""
    page.goto(url)
    page.locator("label.md-header__button[for='__search']").click()
    page.locator("input.md-search__input").fill(query)
    expect(page.locator(".md-search-result__meta")).to_contain_text("结果", timeout=15_000)


def settle(page) -> None:
    """Wait for the search dialog's open transition before a screenshot (it slides the list in)."""
    expect(page.locator("button.md-search__icon[type='reset']")).to_be_visible()
    page.wait_for_timeout(400)


def first_answer(page) -> str:
    """The anchor of the first visible result entry that is a clause (not a page heading)."""
    link = page.locator(".md-search-result__link:has(h2)").first
    return urlsplit(link.get_attribute("href")).fragment


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


def test_an_everyday_word_finds_the_handbooks_term(phone, real_site_url, artifacts):
    # The handbook says 罚款 and 负激励; nobody types that.
    results = search(phone, real_site_url, "扣钱")
    expect(results.locator("mark").first).to_be_visible()
    first = results.first  # 奖惩制度: 罚款与负激励一览
    marked = set(first.locator("mark").all_text_contents())
    assert marked and marked <= {"罚款", "负激励"}, marked
    assert "扣钱" not in first.inner_text()  # the everyday words are found but stay hidden
    settle(phone)
    phone.screenshot(path=str(artifacts / "search-real-扣钱.png"))


def test_a_question_finds_the_fine_first(phone, real_site_url, artifacts):
    results = search(phone, real_site_url, "差评罚多少钱")
    assert first_answer(phone) == "cs-bad-review"
    first = results.first.locator("h2").first
    expect(first).to_contain_text("中差评处理")
    expect(results.first).to_contain_text("差评每次罚款200元")
    # No "缺少: …" line under a result: only what was found is named.
    expect(phone.locator(".md-search-result__terms")).to_have_count(0)
    settle(phone)
    phone.screenshot(path=str(artifacts / "search-real-差评罚多少钱.png"))


def test_clauses_rank_above_page_summaries(phone, real_site_url):
    # The home page and the 客服 chapter page repeat "差评罚款200元"; the clause saying it comes first.
    search(phone, real_site_url, "中评罚多少")
    entries = phone.locator(".md-search-result__link").evaluate_all(
        """links => links
            .filter(a => a.offsetParent && !a.closest('details:not([open])'))
            .filter(a => a.querySelector('h2') || a.querySelector('article > p'))
            .map(a => decodeURIComponent(new URL(a.href).pathname + new URL(a.href).hash))"""
    )
    assert entries[0].endswith("#cs-bad-review"), entries
    summaries = [e for e in entries if "#" not in e or "#home-" in e]
    assert all(entries.index(s) > 0 for s in summaries), entries


def test_the_opened_result_highlights_whole_words(phone, real_site_url, artifacts):
    results = search(phone, real_site_url, "响应时间")
    link = results.locator(".md-search-result__link:has(h2)").first
    href = link.get_attribute("href")
    assert parse_qs(urlsplit(href).query)["h"] == ["响应时间"], href
    settle(phone)  # a tap while the dialog still slides in can miss the link on a loaded machine
    link.click()
    expect(phone).to_have_url(re.compile("#cs-response$"), timeout=15_000)
    marks = phone.locator("article mark[data-md-highlight]")
    expect(marks.first).to_be_visible()
    assert set(marks.all_text_contents()) == {"响应时间"}
    assert marks.count() >= 2
    phone.screenshot(path=str(artifacts / "search-real-opened-响应时间.png"))


def test_a_query_that_finds_nothing_offers_the_nearest_words(phone, real_site_url, artifacts):
    open_search(phone, real_site_url, "辞职")
    panel = phone.locator(".hb-search-nearest")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("没有找到“辞职”")
    words = panel.get_by_role("button")
    expect(words.first).to_be_visible()
    assert words.count() >= 2
    chosen = words.first.inner_text()
    settle(phone)
    phone.screenshot(path=str(artifacts / "search-real-辞职.png"))
    words.first.click()
    expect(phone.locator("input.md-search__input")).to_have_value(chosen)
    expect(phone.locator(".md-search-result__item").first).to_be_visible()
    expect(panel).to_be_hidden()


def test_pasted_text_searches_without_a_key(phone, real_site_url):
    phone.goto(real_site_url)
    phone.locator("label.md-header__button[for='__search']").click()
    # What a paste or voice input does: the value changes and an `input` event fires, no key.
    phone.locator("input.md-search__input").evaluate(
        "box => { box.value = '盘点'; box.dispatchEvent(new InputEvent('input', {bubbles: true})) }"
    )
    expect(phone.locator(".md-search-result__item").first).to_contain_text("盘点")


@pytest.fixture
def real_app(tmp_path, real_site):
    """The app (gunicorn, its CSP) serving the real handbook's site."""
    handbook = tmp_path / "handbook"
    shutil.copytree(PROJECT / "handbook", handbook)
    server = AppServer(tmp_path, handbook, real_site)
    yield server
    server.stop()


def test_the_projects_search_runs_under_the_apps_csp(real_app, phone):
    violations = []
    phone.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    phone.on("response", lambda r: violations.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    open_search(phone, real_app.url + "/handbook/", "辞职")
    expect(phone.locator(".hb-search-nearest")).to_be_visible()  # only the project's worker offers words
    phone.locator("input.md-search__input").fill("请病假要什么证明")
    expect(phone.locator(".md-search-result__item").first).to_contain_text("医院证明")
    assert unquote(first_answer(phone)) == "leave-general"
    assert violations == []
