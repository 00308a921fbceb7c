"""The notice board (公示栏): one day's rankings and failures for the wall, as a page and an A4 PDF.

The policy asks for the day's ranking and the week's ranking to be posted each
day before 18:00; this is that sheet. Open corrective actions will join it once
they exist. The PDF uses fpdf2 with the same embedded CJK font as the checklist
PDFs (reporting.pdf.find_font).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from fontTools.ttLib import TTLibError
from fpdf import FPDF
from fpdf.fonts import FontFace

from generator.model import Handbook
from generator.render import fmt_number

from ..generation import iso_week, week_start
from ..strings import t
from .ledger import department_of
from .pdf import FontSpec, FontUnavailable, close_fonts
from .rankings import Ranking, daily_ranking, weekly_ranking


@dataclass(frozen=True)
class Failure:
    """One failed item of the day, as posted: where, what, and the fine."""

    target: str
    department: str | None
    text: str
    fine: float | None
    record_id: str


@dataclass(frozen=True)
class Notice:
    """Everything on the day's notice."""

    day: dt.date
    rankings: tuple[tuple[Ranking, Ranking], ...]  # (the day's, the week so far) per score sheet
    failures: tuple[Failure, ...]


def notice(handbook: Handbook, digests: list[dict], day: dt.date) -> Notice:
    """The notice of ``day`` from the digests of its ISO week (Monday up to ``day``)."""
    week = iso_week(day)
    found = [d for d in digests if week_start(week).isoformat() <= d["day"] <= day.isoformat()]
    sheets = sorted(handbook.scored_policies, key=lambda p: p.scoring.per != "department")
    rankings = tuple(
        (daily_ranking(handbook, p, found, day), weekly_ranking(handbook, p, found, week)) for p in sheets
    )
    failures = []
    for d in found:
        if d["day"] != day.isoformat() or d["kind"] != "daily":
            continue
        fines = {p["check_id"]: p.get("amount") for p in d["penalties"]}
        for check_id in d["failed"]:
            check = handbook.check(check_id)
            failures.append(
                Failure(
                    target=d["target"][1],
                    department=department_of(handbook, *d["target"]),
                    text=check.text if check else check_id,
                    fine=fines.get(check_id),
                    record_id=d["id"],
                )
            )
    failures.sort(key=lambda f: (f.department or "", f.target, f.text))
    return Notice(day, rankings, tuple(failures))


def ranking_rows(ranking: Ranking) -> list[tuple[str, str, str, str]]:
    """(rank, target, score, days) per row, as posted; not inspected ones last."""
    rows = []
    for r in ranking.rows:
        if r.score is None:
            rows.append(("—", r.target, t("notice.not_inspected"), ""))
        else:
            rows.append((str(r.rank), r.target, fmt_number(r.score), str(r.days)))
    return rows


def _money(value: float | None) -> str:
    return t("notice.fine", amount=fmt_number(value)) if value else ""


def notice_pdf(board: Notice, font: FontSpec, when: Callable[[], str]) -> bytes:
    """The notice as an A4 PDF; FontUnavailable if ``font`` cannot be loaded."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    try:
        pdf.add_font("cjk", fname=font.path, collection_font_number=font.index)
    except (OSError, ValueError, TTLibError) as exc:
        raise FontUnavailable(f"cannot load {font.path}: {exc}") from exc
    try:
        return _draw(pdf, board, when)
    finally:
        close_fonts(pdf)


def _draw(pdf: FPDF, board: Notice, when: Callable[[], str]) -> bytes:
    title = t("notice.heading", day=board.day.isoformat())
    pdf.set_title(title)
    pdf.set_creator(t("app.name"))
    pdf.set_lang("zh-CN")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, t("notice.generated", when=when()), new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(emphasis=None, fill_color=(235, 235, 235))
    columns = (t("notice.col.rank"), t("notice.col.target"), t("notice.col.score"), t("notice.col.days"))
    for today, week in board.rankings:
        for label, ranking, cols in (
            (t("notice.ranking", title=today.title), today, columns[:3]),
            (t("notice.week", title=week.title), week, columns),
        ):
            pdf.ln(3)
            pdf.set_font("cjk", size=13)
            pdf.multi_cell(0, 8, label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=10)
            if not ranking.rows:
                pdf.cell(0, 6, t("notice.no_rows"), new_x="LMARGIN", new_y="NEXT")
                continue
            with pdf.table(
                headings_style=heading, col_widths=(15, 60, 25, 25)[: len(cols)], line_height=6
            ) as table:
                table.row(cols)
                for row in ranking_rows(ranking):
                    table.row(row[: len(cols)])
    pdf.ln(3)
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 8, t("notice.failures"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    if not board.failures:
        pdf.cell(0, 6, t("notice.failures.none"), new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(headings_style=heading, col_widths=(40, 110, 30), line_height=6) as table:
            table.row((t("notice.col.target"), t("notice.col.item"), t("notice.col.fine")))
            for f in board.failures:
                where = (
                    f"{f.department} · {f.target}" if f.department and f.department != f.target else f.target
                )
                table.row((where, f.text, _money(f.fine)))
    return bytes(pdf.output())
