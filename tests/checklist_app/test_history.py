"""历史记录 shows a range's completed checklists a page at a time, says how many there are, and keeps
its filters from page to page; an inspector pages through their own checklists only."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from checklist_app import records
from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target

from .conftest import CS_LEAD, HYGIENE_INSPECTOR, complete

FIRST = dt.date(2026, 11, 2)
HYGIENE = [Target("department", name) for name in ("客服部", "仓储部", "运营部")]
RANGE = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def fortnight(app, monkeypatch):
    """Ten days of hygiene sheets by li (3 a day) and of 售前客服 checklists by zhang (1 a day): 40."""
    monkeypatch.setattr(records, "HISTORY_PAGE", 12)
    with app.test_request_context():
        handbook, store = current_handbook(), storage()
        for n in range(10):
            day = FIRST + dt.timedelta(days=n)
            for target in HYGIENE:
                complete(handbook, store, target, {}, day, HYGIENE_INSPECTOR)
            complete(handbook, store, Target("role", "售前客服"), {}, day, CS_LEAD)


def cards(html: str) -> list[str]:
    """The history cards' first lines (day · kind), in page order."""
    return re.findall(r'<li class="card"><a href="/history/[^"]+">\s*<strong>([^<]+)', html)


def links(html: str) -> dict[str, str]:
    """The pager's previous/next addresses."""
    return {rel: unescape(href) for rel, href in re.findall(r'rel="(prev|next)" href="([^"]+)"', html)}


def test_a_manager_pages_through_every_checklist_of_the_range_newest_first(client, auth, fortnight):
    auth.login("zhao")
    first = client.get(f"/history?{RANGE}").get_data(as_text=True)
    assert "共 40 份" in first and "第 1–12 份，共 40 份" in first
    assert len(cards(first)) == 12 and cards(first)[0].startswith("2026-11-11")
    assert "prev" not in links(first)
    seen, html = cards(first), first
    while "next" in links(html):
        html = client.get(links(html)["next"]).get_data(as_text=True)
        seen += cards(html)
    assert "第 37–40 份，共 40 份" in html and "prev" in links(html)
    assert len(seen) == 40
    days = [line.split(" · ")[0] for line in seen]
    assert days == sorted(days, reverse=True) and days[-1] == "2026-11-02"


def test_the_filters_stay_on_every_page(client, auth, fortnight):
    auth.login("zhao")
    html = client.get(f"/history?{RANGE}&inspector=li").get_data(as_text=True)
    assert "共 30 份" in html
    following = client.get(links(html)["next"]).get_data(as_text=True)
    assert "inspector=li" in links(html)["next"] and "from=2026-11-01" in links(html)["next"]
    assert "第 13–24 份，共 30 份" in following
    assert "<span>岗位：售前客服</span>" not in following  # zhang's checklists stay filtered out
    back = links(following)["prev"]
    assert "page=" not in back  # page 1 has one address
    assert cards(client.get(back).get_data(as_text=True)) == cards(html)


def test_the_inspector_filter_offers_everyone_of_the_range_while_one_is_chosen(client, auth, fortnight):
    auth.login("zhao")
    html = client.get(f"/history?{RANGE}&inspector=li").get_data(as_text=True)
    options = re.findall(r"<option ?(?:selected)?>(\w+)</option>", html)
    assert options == ["li", "zhang"]


def test_an_inspector_pages_through_their_own_checklists_only(client, auth, fortnight):
    auth.login("zhang")
    html = client.get(f"/history?{RANGE}").get_data(as_text=True)
    assert "共 10 份" in html and "下一页" not in html
    assert len(cards(html)) == 10 and "<span>部门：客服部</span>" not in html
    assert re.findall(r"<option ?(?:selected)?>(\w+)</option>", html) == ["zhang"]
    others = client.get(f"/history?{RANGE}&inspector=li").get_data(as_text=True)
    assert cards(others) == [] and "没有符合条件的记录" in others


def test_a_page_past_the_last_is_a_chinese_404(client, auth, fortnight):
    auth.login("zhao")
    response = client.get(f"/history?{RANGE}&page=5")
    assert response.status_code == 404
    assert "这个范围的记录没有第 5 页（共 4 页）" in response.get_data(as_text=True)
    assert client.get(f"/history?{RANGE}&page=4").status_code == 200


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "９", "9999999"])
def test_a_malformed_page_number_is_a_chinese_400(client, auth, page):
    auth.login("zhao")
    response = client.get(f"/history?{RANGE}&page={page}")
    assert response.status_code == 400
    assert "页码应是 1 到 100000 之间的整数" in response.get_data(as_text=True)
