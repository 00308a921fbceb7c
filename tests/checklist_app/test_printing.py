"""A completed checklist prints as an A4 page and downloads as a PDF, for whoever may see the record."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pypdf
import pytest

from checklist_app.extensions import storage
from checklist_app.reporting import pdf

from .conftest import csrf_from

DAILY = "/checklists/daily/2026-11-23/role:售前客服"
ITEM = "抽查前一日聊天记录，客服平均响应时间不超过50秒。"
NOTE = "漏登记一条中评 <script>alert(1)</script>"


def _pdf_text(data: bytes) -> list[str]:
    """Each page's text; pypdf reads fpdf2's CJK glyphs with spaces or NULs between them."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [re.sub(r"[\s\x00]+", "", page.extract_text()) for page in reader.pages]


def _get(client, path):
    with client.get(path) as response:
        return response.status_code, response.headers, response.get_data()


def _complete(app, client, auth, user: str, path: str, fail: str, **extra) -> dict:
    """Complete a checklist through the form with one failed item; the stored record."""
    auth.login(user)
    html = client.get(path).get_data(as_text=True)
    data = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data["csrf_token"] = csrf_from(html)
    for key in re.findall(r'<li class="item" data-key="([^"]+)"', html):
        data[f"result-{key}"] = "fail" if key == fail else "pass"
    data.update({f"responsible-{fail}": "小李", **extra})
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 302
    record_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        return storage().completions.find(record_id)


@pytest.fixture
def record(app, client, auth) -> dict:
    """A daily checklist zhang completed: one item failed, with a note."""
    return _complete(
        app, client, auth, "zhang", DAILY, "cs-review-neutral", **{"note-cs-review-neutral": NOTE}
    )


def test_the_record_page_links_to_print_and_pdf(client, record):
    html = client.get(f"/history/{record['id']}").get_data(as_text=True)
    assert f'href="/history/{record["id"]}/print"' in html and ">打印<" in html
    assert f'href="/history/{record["id"]}.pdf"' in html and ">下载 PDF<" in html


def test_the_print_page_shows_the_form_to_sign(client, record):
    status, _, body = _get(client, f"/history/{record['id']}/print")
    html = body.decode()
    assert status == 200
    assert "每日检查" in html and "岗位：售前客服 · 2026-11-23" in html
    assert ITEM in html and "Zhang" in html and "2026-11-23 " in html
    failed = next(item for item in record["items"] if item["result"] == "fail")
    assert f"{failed['policy_title']} · {failed['clause_title']} · 版本 {failed['policy_version']}" in html
    assert "罚款 " in html and ">不合格<" in html and "小李" in html
    for label in ("检查人签字：", "负责人签字：", "日期："):
        assert label in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    # No inline script: the print button is wired up by a static file, shown only when it runs.
    assert "onclick" not in html and 'src="/static/print.js"' in html and "data-print hidden" in html
    assert 'href="/static/print.css"' in html


def test_the_print_stylesheet_hides_the_app_chrome_on_paper(client):
    status, _, css = _get(client, "/static/print.css")
    assert status == 200
    print_rules = css.decode().split("@media print", 1)[1]
    assert ".topbar" in print_rules and ".print-actions" in print_rules
    assert _get(client, "/static/print.js")[0] == 200


def test_the_pdf_downloads_with_the_same_content(client, record, artifacts):
    status, headers, data = _get(client, f"/history/{record['id']}.pdf")
    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    assert data.startswith(b"%PDF")
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="checklist-{record["id"]}.pdf"' in disposition
    assert "filename*=UTF-8''" + quote("检查表-2026-11-23-售前客服.pdf", safe="") in disposition
    (artifacts / "checklist.pdf").write_bytes(data)

    pages = _pdf_text(data)
    first, last = pages[0], pages[-1]
    assert "每日检查" in first and "岗位：售前客服·2026-11-23" in first
    assert ITEM in first and "版本2.0" in first and "不合格" in first
    assert "漏登记一条中评<script>alert(1)</script>" in first  # text, not markup, in a PDF
    for label in ("检查人签字", "负责人签字", "日期"):
        assert label in last
    assert f"第{len(pages)}页/共{len(pages)}页" in last


def test_a_scored_checklist_prints_its_policy_scores(app, client, auth):
    record = _complete(
        app,
        client,
        auth,
        "li",
        "/checklists/daily/2026-11-23/department:运营部",
        "hy-desk",
        **{"count-hy-desk": "2"},
    )
    (score,) = record["scores"].values()
    html = client.get(f"/history/{record['id']}/print").get_data(as_text=True)
    assert "各制度得分" in html and f"<td>{score['title']}</td>" in html
    assert f"{score['band']}（{score['headcount']} 人）" in html
    assert "2 人·处" in html and "每处扣 3 分 · 扣 6 分" in html
    status, _, data = _get(client, f"/history/{record['id']}.pdf")
    text = "".join(_pdf_text(data))
    assert status == 200 and "各制度得分" in text and score["title"] in text and "扣6分" in text


@pytest.mark.parametrize("suffix", ["/print", ".pdf"])
def test_others_may_not_print_a_record_they_may_not_see(client, auth, record, suffix):
    auth.login("wang")  # another inspector
    refused = client.get(f"/history/{record['id']}").status_code
    assert refused == 403
    assert _get(client, f"/history/{record['id']}{suffix}")[0] == refused
    assert _get(client, f"/history/2026-11-23.000000000000{suffix}")[0] == 404
    auth.login("zhao")  # a policy owner sees every record
    assert _get(client, f"/history/{record['id']}{suffix}")[0] == 200


@pytest.mark.parametrize("suffix", ["/print", ".pdf"])
def test_signed_out_users_are_sent_to_sign_in(app, record, suffix):
    status, headers, _ = _get(app.test_client(), f"/history/{record['id']}{suffix}")
    assert status == 302 and headers["Location"].startswith("/login")


def test_a_missing_font_is_a_clear_503(app, client, record):
    app.config["PDF_FONT"] = "/nonexistent/NotoSansCJK-Regular.ttc"
    status, _, body = _get(client, f"/history/{record['id']}.pdf")
    html = body.decode()
    assert status == 503
    assert "没有可用的中文字体" in html and "fonts-noto-cjk" in html and "CHECKLIST_PDF_FONT" in html


def test_find_font_reads_the_setting_and_falls_back_to_noto():
    noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    assert pdf.find_font(None) == pdf.FontSpec(noto, 2)  # CI installs fonts-noto-cjk
    assert pdf.find_font(f"{noto}#3") == pdf.FontSpec(noto, 3)
    assert pdf.find_font(noto) == pdf.FontSpec(noto, 0)
    with pytest.raises(pdf.FontUnavailable):
        pdf.find_font("/nonexistent.ttc#2")


def _synthetic(items: int, note: str = "") -> dict:
    item = {
        "key": "k",
        "policy_title": "办公卫生检查评分制度",
        "policy_version": "1.2",
        "clause_title": "工位整洁",
        "text": "工位桌面无杂物，私人物品放入抽屉。",
        "shift": None,
        "fine": 20,
        "points": None,
        "result": "fail",
        "note": note,
        "responsible": "王五",
        "count": 3,
        "deduct": 0.5,
        "scored": True,
    }
    return {
        "id": "2026-11-23.0123456789ab",
        "kind": "weekly",
        "period": "2026-W48",
        "target": {"kind": "department", "name": "客服部"},
        "inspector_name": "赵六",
        "submitted_at": "2026-11-27T17:30:00",
        "score": {"value": 85.5, "max": 100, "passed": 0, "failed": items, "not_applicable": 0, "fines": 60},
        "items": [dict(item, key=f"k{i}") for i in range(items)],
        "scores": {
            "office-hygiene": {
                "title": "办公卫生检查评分制度",
                "version": "1.2",
                "value": 98.5,
                "full_marks": 100.0,
                "deducted": 1.5,
                "band": "十人以上部门",
                "headcount": 12,
            }
        },
    }


def test_counts_deductions_and_per_policy_scores_are_printed():
    record = _synthetic(1)
    sheet = pdf.printable(record)
    assert sheet.rows[0].extras == "3 人·处 · 罚款 60 元 · 每处扣 0.5 分 · 扣 1.5 分"
    assert sheet.scores == [("办公卫生检查评分制度", "1.2", "100", "1.5", "98.5", "十人以上部门（12 人）")]
    text = "".join(_pdf_text(pdf.checklist_pdf(record, pdf.find_font(None))))
    assert "每周检查" in text and "部门：客服部·2026-W48" in text and "合格率85.5%" in text
    assert "各制度得分" in text and "十人以上部门（12人）" in text and "98.5" in text
    assert "每处扣0.5分·扣1.5分" in text and "罚款合计60元" in text


def test_long_notes_wrap_and_continue_on_the_next_page():
    note = "备注内容很长，需要换行。" * 150  # taller than a page in its column
    data = pdf.checklist_pdf(_synthetic(3, note), pdf.find_font(None))
    pages = _pdf_text(data)
    assert len(pages) > 3
    assert "".join(pages).count("换") == 3 * 150  # nothing cut off
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页/共{len(pages)}页" in text
        assert "序号检查项结果责任人备注" in text  # the table heading on every page it runs over


@pytest.mark.parametrize(
    "text",
    [
        "备注内容很长，需要换行。" * 20,
        "订单号 https://shop.example.com/orders/" + "0123456789" * 30 + " 已核对。",
        "Mixed 中文 and English words, 数字 1234567.89 元（含税）。" * 6,
        "第一行\n\n第三行，“引号”里的内容。",
    ],
)
def test_no_line_is_wider_than_its_cell_and_none_starts_with_a_comma(text):
    form = pdf._Form(pdf.printable(_synthetic(1)), pdf.find_font(None))
    form.add_page()
    lines = form.wrap(text, 45, pdf.BODY)
    assert all(form.get_string_width(line.text) <= 45 for line in lines)
    assert not any(line.text and line.text[0] in "，。、）”" for line in lines)
    assert "".join(line.text for line in lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")
