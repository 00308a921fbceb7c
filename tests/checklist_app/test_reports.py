"""Managers read rankings, the ledger and the dashboard in the app, and download them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target

from .conftest import CS_LEAD, complete

MON, TUE = dt.date(2026, 11, 23), dt.date(2026, 11, 24)


@pytest.fixture
def filled(app):
    """A week of hygiene scores and a month of customer-service fines, stored in the app's TinyDB."""
    with app.test_request_context():
        handbook, store = current_handbook(), storage()
        dept = lambda name: Target("department", name)  # noqa: E731
        complete(handbook, store, dept("客服部"), {"hy-desk": 2}, MON)
        complete(handbook, store, dept("仓储部"), {"hy-desk": 2, "hy-floor": 1}, MON)
        complete(handbook, store, dept("运营部"), {"hy-desk": 2, "hy-floor": 1}, MON)
        complete(handbook, store, dept("运营部"), {"hy-wall": 1}, TUE)
        role = Target("role", "售前客服")
        for day in (dt.date(2026, 11, 2), dt.date(2026, 11, 9)):
            complete(handbook, store, role, {"cs-response-avg": (1, "小李")}, day, CS_LEAD)
        record = complete(
            handbook,
            store,
            role,
            {"cs-response-avg": (1, "小李"), "cs-review-negative": (2, "小赵")},
            MON,
            CS_LEAD,
        )
    return record


def test_reports_need_sign_in(client):
    for path in ("/reports/", "/reports/rankings", "/reports/ledger", "/reports/ledger.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_ledger_is_for_managers_only(client, auth, filled):
    auth.login("zhang")
    assert client.get("/reports/ledger?month=2026-11").status_code == 403
    assert client.get("/reports/ledger.xlsx?month=2026-11").status_code == 403
    assert "罚款台账" not in client.get("/reports/").get_data(as_text=True).split("</nav>")[1]


def test_rankings_page_flags_best_and_worst_with_reward_and_fine(client, auth, filled):
    auth.login("zhang")
    html = client.get("/reports/rankings?policy=hygiene&date=2026-11-24").get_data(as_text=True)
    assert "2026-W48 周平均分排名（2026-11-23 至 2026-11-29）" in html
    weekly = html.split("2026-W48 周平均分排名")[1].split("</table>")[0]
    assert weekly.index("客服部") < weekly.index("仓储部") < weekly.index("运营部") < weekly.index("行政部")
    assert "奖励价值 100 元" in weekly and "罚款 100 元" in weekly
    assert "90.5" in weekly and "未检查" in weekly  # 运营部: (91 + 90) / 2


def test_ledger_page_lists_lines_with_links_totals_and_flags(client, auth, filled):
    auth.login("zhao")
    html = client.get("/reports/ledger?month=2026-11").get_data(as_text=True)
    assert "本月罚款合计 550 元，4 笔" in html
    assert "超过 300 元，须总经理批准" in html  # 小赵: 200 元 × 2
    assert "全年累计违规达到 3 次" in html and "小李" in html
    assert f'href="/history/{filled["id"]}"' in html
    assert 'href="/handbook/20-%E5%AE%A2%E6%9C%8D/service/#cs-bad-review"' in html


def test_ledger_and_rankings_download_as_csv_and_xlsx(client, auth, filled):
    auth.login("zhao")
    with client.get("/reports/ledger.xlsx?month=2026-11") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert (
            "filename*=UTF-8''%E7%BD%9A%E6%AC%BE%E5%8F%B0%E8%B4%A6-2026-11.xlsx"
            in response.headers["Content-Disposition"]
        )
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        assert book.sheetnames == ["罚款明细 2026-11", "按责任人汇总", "按部门汇总"]
        people = {row[0]: row for row in book["按责任人汇总"].iter_rows(min_row=2, values_only=True)}
        assert people["小李"][2:5] == (3, 150, 3)
    with client.get("/reports/rankings.csv?policy=hygiene&date=2026-11-23&period=daily") as response:
        text = response.data.decode("utf-8-sig")
        assert response.mimetype == "text/csv"
        assert text.splitlines()[1] == "1,客服部,98,1,最高,,"


def test_bad_parameters_get_clear_errors(client, auth):
    auth.login("zhao")
    assert client.get("/reports/ledger?month=2026-13").status_code == 400
    assert "请写成 2026-11 这样的月份" in client.get("/reports/ledger?month=十一月").get_data(as_text=True)
    assert client.get("/reports/rankings?policy=cs-service").status_code == 404  # not a score sheet
    assert client.get("/reports/rankings.pdf?policy=hygiene").status_code == 404


def test_dashboard_draws_local_charts(client, auth, filled, artifacts):
    auth.login("zhang")
    html = client.get("/reports/?date=2026-11-24").get_data(as_text=True)
    (artifacts / "dashboard.html").write_text(html, encoding="utf-8")
    assert html.count("<svg") >= 3
    assert (
        "各部门合格率（近 12 周）" in html and "本月最常不合格的检查项" in html and "每月罚款（元）" in html
    )
    assert "抽查前一日聊天记录" in html  # the most-failed check, by its text
    warehouse = html.split("仓库管理制度 · 本周排名")[1].split("</section>")[0]
    assert "这段时间还没有提交评分的检查表" in warehouse and "<table" not in warehouse
    assert "/static/reports.css" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing loaded from the internet


def test_dashboard_without_data_says_so(client, auth):
    auth.login("zhang")
    html = client.get("/reports/?date=2026-11-24").get_data(as_text=True)
    assert "暂无数据" in html
