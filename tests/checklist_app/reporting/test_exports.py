"""Rankings and the ledger open in Excel with their Chinese intact; text never turns into a formula."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from checklist_app.reporting.exports import ledger_tables, ranking_table
from checklist_app.reporting.ledger import month_ledger
from checklist_app.reporting.rankings import weekly_ranking
from checklist_app.reporting.tables import Table, to_csv, to_xlsx

from .conftest import WEEK, all_digests, all_lines, service_day
from .test_ledger import NOV


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel does not read it as GBK"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }


def test_weekly_ranking_as_csv_and_xlsx(handbook, hygiene_week):
    table = ranking_table(
        weekly_ranking(handbook, handbook.policy("hygiene"), all_digests(hygiene_week), WEEK)
    )
    rows = read_csv(to_csv(table))
    assert rows[0] == ["名次", "部门", "得分", "检查天数", "标记", "奖励（元）", "罚款（元）"]
    assert rows[1] == ["1", "客服部", "99", "2", "最高", "100", ""]
    assert rows[3] == ["3", "运营部", "90.5", "2", "最低", "", "100"]
    assert rows[4] == ["", "行政部", "未检查", "0", "", "", ""]
    sheets = read_xlsx(to_xlsx([table]))
    assert list(sheets) == ["周排名 2026-W48"]
    sheet = sheets["周排名 2026-W48"]
    assert sheet[1] == [1, "客服部", 99, 2, "最高", 100, None]
    assert sheet[3][2] == 90.5 and isinstance(sheet[3][2], float)  # numbers stay numbers


def test_ledger_workbook_has_lines_people_and_departments(handbook, store):
    service_day(handbook, store, NOV[0], {"cs-review-negative": (2, "小赵"), "cs-response-avg": (1, "小李")})
    tables = ledger_tables(month_ledger(handbook, "2026-11", all_lines(store)))
    sheets = read_xlsx(to_xlsx(tables))
    assert list(sheets) == ["罚款明细 2026-11", "按责任人汇总", "按部门汇总"]
    lines = sheets["罚款明细 2026-11"]
    assert lines[0][:4] == ["日期", "责任人", "部门", "检查项"]
    assert [(r[1], r[6], r[7], r[8], r[9]) for r in lines[1:]] == [
        ("小李", 50, 1, 50, None),
        ("小赵", 200, 2, 400, "超过 300 元，须总经理批准"),
    ]
    assert sheets["按部门汇总"][1] == ["客服部", 3, 450, 2]
    csv_rows = read_csv(to_csv(tables[0]))
    assert csv_rows[2][1] == "小赵" and "差评" in csv_rows[2][3]


def test_text_that_looks_like_a_formula_is_kept_as_text():
    table = Table("注入", ("责任人", "金额"), (('=HYPERLINK("http://x")', 50), ("-1+1", 0), ("@SUM(A1)", 1)))
    assert [r[0] for r in read_csv(to_csv(table))[1:]] == ['\'=HYPERLINK("http://x")', "'-1+1", "'@SUM(A1)"]
    sheet = next(iter(read_xlsx(to_xlsx([table])).values()))
    assert [r[0] for r in sheet[1:]] == ['\'=HYPERLINK("http://x")', "'-1+1", "'@SUM(A1)"]


def test_sheet_names_are_made_valid_and_unique():
    tables = [Table("a/b:c" * 10, ("x",), ()), Table("a/b:c" * 10, ("x",), ())]
    names = list(read_xlsx(to_xlsx(tables)))
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 and "/" not in n and ":" not in n for n in names)
