"""Report tables as CSV and Excel files that open with their Chinese intact.

CSV is written as UTF-8 with a byte-order mark, which is what makes Excel on
Windows read it as UTF-8 instead of GBK. Text that a spreadsheet would run as a
formula (=, +, -, @ at the start; an inspector types the responsible person's
name) is prefixed with an apostrophe in both formats.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Table:
    """A titled table: the title names the Excel sheet."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def safe_cell(value):
    """The value as a spreadsheet should store it: numbers stay numbers, text never becomes a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """One table as CSV bytes (UTF-8 with BOM, CRLF line ends as RFC 4180 says)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(title: str, used: set[str]) -> str:
    base = title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def to_xlsx(tables: list[Table]) -> bytes:
    """Tables as one .xlsx workbook, a sheet each, header bold and frozen."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
        for index, column in enumerate(table.columns, start=1):
            longest = max([len(str(column))] + [len(str(r[index - 1] or "")) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, 4 + 2 * longest)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
