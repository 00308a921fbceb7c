"""The ledger lists a month's lines a page at a time; totals and flags always cover the whole month."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from checklist_app import reports
from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target

from .conftest import CS_LEAD, DAY, complete, make_test_app
from .reporting.test_ledger_tiers import FINES
from .test_fine_decisions import _form

LEDGER = "/reports/ledger?month=2026-11"


@pytest.fixture
def app(tmp_path, handbook_dir, sample_site, clock, accounts, monkeypatch):
    """Five late hand-overs by 小李 this month (an escalating fine) and two incidents (the second 视情节)."""
    monkeypatch.setattr(reports, "LEDGER_PAGE", 2)
    (handbook_dir / "20-客服" / "fines.md").write_text(FINES, encoding="utf-8")
    app = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts)
    with app.app_context():
        for n in range(1, 6):
            failures = {"fx-late": (1, "小李")}
            if n >= 4:
                failures["fx-incident"] = (1, "小王")
            day = DAY - dt.timedelta(days=10 - n)
            complete(current_handbook(), storage(), Target("role", "售前客服"), failures, day, CS_LEAD)
    return app


def lines_on(page: str) -> int:
    return page.count('class="report-card ledger-line')


def test_the_first_page_shows_a_page_of_lines_and_the_whole_months_totals(client, auth):
    auth.login("zhao")
    page = client.get(LEDGER).get_data(as_text=True)
    assert lines_on(page) == 2
    assert "第 1–2 笔，共 7 笔" in page
    assert 'rel="next" href="/reports/ledger?month=2026-11&amp;page=2"' in page
    assert 'rel="prev"' not in page
    assert "本月罚款合计" in page and "7 笔" in page
    assert re.search(r'id="by-person".*小李.*<td class="num">5</td>', page, re.S)  # all five, not two


def test_the_last_page_shows_the_rest_and_links_back(client, auth):
    auth.login("zhao")
    last = client.get(LEDGER + "&page=4").get_data(as_text=True)
    assert lines_on(last) == 1
    assert "第 7–7 笔，共 7 笔" in last
    assert 'rel="prev" href="/reports/ledger?month=2026-11&amp;page=3"' in last and 'rel="next"' not in last
    second = client.get(LEDGER + "&page=2").get_data(as_text=True)
    assert 'rel="prev" href="/reports/ledger?month=2026-11"' in second  # page 1 is the plain address
    assert "第3次" in second  # tiers count over the whole month, whatever page a line is on


@pytest.mark.parametrize(
    ("page", "status", "message"),
    [
        ("5", 404, "没有第 5 页（共 4 页）"),
        ("0", 400, "页码应是"),
        ("二", 400, "页码应是"),
        ("1e3", 400, "页码应是"),
    ],
)
def test_a_page_that_does_not_exist_is_refused_in_chinese(client, auth, page, status, message):
    auth.login("zhao")
    response = client.get(LEDGER + "&page=" + page)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_deciding_a_line_returns_to_the_page_it_is_on(client, auth):
    auth.login("zhao")
    for number in range(1, 5):
        page = client.get(LEDGER + f"&page={number}").get_data(as_text=True)
        if 'class="decide-form"' in page:
            break
    assert number > 1
    response = client.post("/reports/ledger/decide", data={**_form(page), "amount": "200"})
    assert response.status_code == 302
    assert f"page={number}#line-" in response.headers["Location"]
