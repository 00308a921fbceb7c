"""公示栏: the day's ranking, the week so far and the day's failures, on a page and in a PDF."""

from __future__ import annotations

import io
import re

import pypdf

from checklist_app.extensions import storage
from checklist_app.reporting.noticeboard import notice, notice_pdf, ranking_rows
from checklist_app.reporting.pdf import find_font

from ..conftest import complete
from .conftest import MON, TUE, all_digests, dept, service_day


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join(re.sub(r"[\s\x00]+", "", page.extract_text()) for page in reader.pages)


def test_the_notice_of_a_day_ranks_it_and_the_week_so_far(handbook, hygiene_week):
    board = notice(handbook, all_digests(hygiene_week), TUE)
    today, week = board.rankings[0]
    assert today.title == "办公卫生评分制度"
    assert ranking_rows(today)[:3] == [
        ("1", "客服部", "100", "1"),
        ("2", "仓储部", "98", "1"),
        ("3", "运营部", "90", "1"),
    ]
    assert ranking_rows(today)[3] == ("—", "行政部", "未检查", "")
    assert [r[:3] for r in ranking_rows(week)[:3]] == [
        ("1", "客服部", "99"),
        ("2", "仓储部", "96"),
        ("3", "运营部", "90.5"),
    ]


def test_the_notice_lists_only_that_days_failures_with_their_fines(handbook, store):
    service_day(handbook, store, MON, {"cs-response-avg": (1, "小李")})
    service_day(handbook, store, TUE, {})
    complete(handbook, store, dept("仓储部"), {"hy-desk": 1}, TUE)
    board = notice(handbook, all_digests(store), MON)
    [failure] = board.failures
    assert (failure.target, failure.department, failure.fine) == ("售前客服", "客服部", 50)
    assert failure.text == "抽查前一日聊天记录，客服平均响应时间不超过50秒。"
    assert [f.text for f in notice(handbook, all_digests(store), TUE).failures] == ["桌面无杂物、无污渍。"]


def test_the_pdf_holds_the_same_notice(handbook, hygiene_week):
    board = notice(handbook, all_digests(hygiene_week), TUE)
    text = pdf_text(notice_pdf(board, find_font(None), lambda: "2026-11-24 18:00 (UTC+8)"))
    assert "2026-11-24检查公示" in text
    assert "办公卫生评分制度·当天排名" in text and "本周累计（周平均分）" in text
    assert "客服部100" in text and "运营部90.5" in text and "行政部未检查" in text


def test_the_page_and_the_pdf_download(app, client, auth, handbook, clock):
    with app.app_context():
        complete(handbook, storage(), dept("客服部"), {"hy-desk": 2}, MON)
    auth.login("zhang")  # any signed-in person may print the notice for the wall
    html = client.get("/reports/noticeboard?date=2026-11-23").get_data(as_text=True)
    assert "2026-11-23 检查公示" in html and "桌面无杂物、无污渍。" in html
    answer = client.get("/reports/noticeboard.pdf?date=2026-11-23")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "客服部98" in pdf_text(answer.get_data())
    assert client.get("/reports/noticeboard?date=2026-02-30").status_code == 400
