"""A completed checklist as a paper form: the content both print views share, and an A4 PDF of it.

``printable(record)`` decides what is printed (the HTML print page renders the same ``Sheet``);
``checklist_pdf(record, font)`` lays it out on A4 with fpdf2 and an embedded, subset CJK font.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTLibError
from fpdf import FPDF

from generator.render import fmt_number

from .. import signatures as signing
from ..scoring import count_label, fine_amount, is_tiered, item_loss
from ..strings import t

# Debian/Ubuntu fonts-noto-cjk, Arch noto-fonts-cjk, then WenQuanYi. Index 2 of the Noto
# collection is the Simplified Chinese face (0 JP, 1 KR, 2 SC, 3 TC, 4 HK).
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)


class FontUnavailable(RuntimeError):
    """No usable CJK font: the PDF cannot be made (the route answers 503)."""


@dataclass(frozen=True)
class FontSpec:
    """A font file and its face index inside a collection (.ttc)."""

    path: str
    index: int = 0


def find_font(setting: str | None) -> FontSpec:
    """The font from ``PDF_FONT`` ("path" or "path#index"), else the first well-known one installed.

    An explicit setting is never silently replaced by a fallback: a typo should be noticed.
    """
    if setting:
        path, _, index = setting.rpartition("#")
        spec = FontSpec(path, int(index)) if path and index.isdigit() else FontSpec(setting)
        if not Path(spec.path).is_file():
            raise FontUnavailable(f"PDF_FONT {spec.path} does not exist")
        return spec
    for path, index in KNOWN_FONTS:
        if Path(path).is_file():
            return FontSpec(path, index)
    raise FontUnavailable("no CJK font found; install fonts-noto-cjk or set CHECKLIST_PDF_FONT")


# ---------------------------------------------------------------- what is printed


@dataclass(frozen=True)
class Row:
    """One checked item as printed."""

    number: int
    text: str
    source: str  # policy · clause · version: which version of which clause it was checked against
    extras: str  # shift, weight; for a failure its count, fine, deduction and points lost
    result: str  # pass | fail | na
    result_label: str
    responsible: str
    note: str
    photos: tuple[str, ...] = ()  # photo ids, shown as thumbnails under the table


@dataclass(frozen=True)
class Sheet:
    """Everything on the paper form, already formatted."""

    heading: str
    subtitle: str
    record_id: str
    facts: list[tuple[str, str]]
    columns: tuple[str, ...]
    rows: list[Row]
    score_columns: tuple[str, ...]
    scores: list[tuple[str, ...]]
    signatures: tuple[str, ...]
    author: str
    signed: tuple[tuple[int, str, str], ...] = ()  # (signature line, photo id, who signed), drawn on the line

    @property
    def title(self) -> str:
        return f"{self.heading} {self.subtitle}"


def _num(value) -> str:
    return "—" if value is None else fmt_number(value)


def _extras(item: dict) -> str:
    """Shift and weight; for a failure also what the record page shows: count, fine, points lost."""
    parts = []
    if item.get("shift"):
        parts.append(t("checklist.shift", shift=item["shift"]))
    if item.get("time"):
        parts.append(t("checklist.time", time=item["time"]))
    if item.get("points"):
        parts.append(t("checklist.points", points=_num(item["points"])))
    if reading := item.get("reading"):
        shown = t("record.reading", name=reading["name"], value=_num(reading["value"]), unit=reading["unit"])
        if not reading["ok"]:
            shown += "（" + t("record.reading.out", limit=reading["limit"]) + "）"
        parts.append(shown)
    if item.get("result") == "fail":
        if item.get("count"):
            if count_label(item):  # 5元/处: "3 处", not "3 人·处"
                parts.append(t("record.count.unit", n=item["count"], unit=item["fine_rule"]["unit"]))
            else:
                parts.append(t("record.count", n=item["count"]))
        if item.get("fine"):
            parts.append(t("checklist.fine", amount=_num(fine_amount(item))))
            if is_tiered(item):
                parts.append(t("record.fine.tiered"))
        if item.get("sanctions"):
            parts.append(t("checklist.sanction", names="、".join(item["sanctions"])))
        if item.get("deduct") is not None:
            parts.append(t("checklist.deduct", points=_num(item["deduct"])))
        if item.get("scored"):
            parts.append(t("record.loss", points=_num(item_loss(item))))
    return " · ".join(parts)


def _score_rows(scores: dict) -> list[tuple[str, ...]]:
    rows = []
    for entry in scores.values():
        band = entry.get("band") or ""
        if band and entry.get("headcount") is not None:
            band = t("checklist.band", band=band, n=entry["headcount"])
        rows.append(
            (
                entry.get("title", ""),
                str(entry.get("version", "")),
                _num(entry.get("full_marks")),
                _num(entry.get("deducted")),
                _num(entry.get("value")),
                band,
            )
        )
    return rows


def _score_fact(score: dict) -> tuple[str, str]:
    # Compliance in percent, as on the record page; older records may hold points out of a maximum.
    if score["max"] == 100:
        return t("record.compliance"), f"{_num(score['value'])}%"
    return t("history.score"), f"{_num(score['value'])} / {_num(score['max'])}"


def printable(record: dict, when: Callable[[str], str] = str) -> Sheet:
    """The paper form of a stored record (fields added later are read with ``.get``).

    ``when`` formats a stored timestamp for people (the app passes its clock's, with the zone).
    """
    score = record["score"]
    facts = [
        (t("record.inspector"), record["inspector_name"]),
        (t("record.submitted"), when(record["submitted_at"])),
        _score_fact(score),
        (
            t("print.results"),
            t("print.counts", passed=score["passed"], failed=score["failed"], na=score["not_applicable"]),
        ),
    ]
    if score.get("fines"):
        facts.append((t("record.fines"), t("record.yuan", amount=_num(score["fines"]))))
    facts.append((t("print.record_id"), record["id"]))
    backfill = record.get("backfill")
    if backfill:
        by = t("backfill.by", name=backfill["by_name"], time=when(backfill["at"]))
        facts.insert(0, (t("backfill.fact"), f"{by}。{t('backfill.reason')[:4]}：{backfill['reason']}"))
    rows = [
        Row(
            number=number,
            text=item["text"],
            source=" · ".join(
                (
                    item["policy_title"],
                    item["clause_title"],
                    t("action.recheck.badge")
                    if item.get("recheck")
                    else t("checklist.version", version=item["policy_version"]),
                )
            ),
            extras=_extras(item),
            result=item["result"],
            result_label=t("result." + item["result"]),
            responsible=item.get("responsible") or "",
            note=item.get("note") or "",
            photos=tuple(item.get("photos") or ()),
        )
        for number, item in enumerate(record["items"], start=1)
    ]
    return Sheet(
        heading=t("checklist." + record["kind"]) + (t("backfill.heading") if backfill else ""),
        subtitle=t(
            "print.subtitle",
            target=t("target." + record["target"]["kind"]),
            name=record["target"]["name"],
            period=record["period"],
        ),
        record_id=record["id"],
        facts=facts,
        columns=(
            t("print.no"),
            t("print.item"),
            t("print.result"),
            t("checklist.responsible"),
            t("print.note"),
        ),
        rows=rows,
        score_columns=(
            t("print.policy"),
            t("print.version"),
            t("print.full_marks"),
            t("print.deducted"),
            t("history.score"),
            t("print.band"),
        ),
        scores=_score_rows(record.get("scores") or {}),
        signatures=(t("print.sign.inspector"), t("print.sign.responsible"), t("print.sign.date")),
        author=record["inspector_name"],
        signed=tuple(
            (0 if sig["role"] == signing.INSPECTOR else 1, sig["photo"], signing.label(sig))
            for sig in record.get("signatures") or ()
        ),
    )


# ---------------------------------------------------------------- layout

MARGIN = 15  # mm; A4 is 210 × 297
PAD = 1.5  # mm inside table cells
ITEM_WIDTHS = (11, 79, 17, 25, 48)  # 序号, 检查项, 结果, 责任人, 备注 = 180 mm
FACT_WIDTHS = (24, 66, 24, 66)
SCORE_WIDTHS = (58, 20, 18, 18, 18, 48)
# Line-breaking units: a Latin word or number, or one other character; opening punctuation sticks
# to what follows and closing punctuation to what precedes, so neither is stranded (避头尾).
_OPEN = "（《「『【〔“‘(["
_CLOSE = "，。、；：！？）》」』】〕”’…,.;:!?)]%"
_TOKENS = re.compile(rf"[{re.escape(_OPEN)}]*(?:[A-Za-z0-9_./:@#+-]+|.)[{re.escape(_CLOSE)}]*", re.S)


@dataclass(frozen=True)
class Style:
    """How a line is set: size in points, bold, grey (for the clause line under an item)."""

    size: float = 10
    bold: bool = False
    grey: bool = False

    @property
    def leading(self) -> float:
        return self.size * 0.3528 * 1.4  # pt → mm, with 40 % line spacing


BODY = Style()
SMALL = Style(size=8, grey=True)
STRONG = Style(bold=True)


@dataclass(frozen=True)
class Line:
    text: str
    style: Style


class _Form(FPDF):
    """An FPDF with a footer, wrapped table rows that may span pages, and a repeated table heading."""

    def __init__(self, sheet: Sheet, font: FontSpec):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.sheet = sheet
        try:
            # fpdf2 subsets the parsed font in place when it writes the file, so a parsed font
            # cannot be shared between documents: each PDF parses it again (~0.2 s).
            self.add_font("cjk", fname=font.path, collection_font_number=font.index)
        except (OSError, ValueError, TTLibError) as exc:
            raise FontUnavailable(f"cannot load {font.path}: {exc}") from exc
        self.c_margin = 0  # cells are padded by PAD explicitly, so wrapping widths are exact
        self.set_margins(MARGIN, MARGIN, MARGIN)
        # Page breaks are taken by row() and paragraph(), which repeat the table heading; fpdf2's own
        # would not. The margin still sets page_break_trigger, leaving room for the footer.
        self.set_auto_page_break(False, margin=MARGIN + 6)
        self.set_line_width(0.2)
        self.heading_row: tuple[tuple[float, ...], list[str]] | None = None
        self.body_top = 0.0  # where a page's content starts, below a repeated table heading

    def footer(self) -> None:
        # Every page names its record, so a loose page can be put back in the right file.
        self.set_y(-MARGIN)
        self.use(SMALL)
        label = f"{self.sheet.title} · {self.sheet.record_id}"
        while self.get_string_width(label) > 130:
            label = label[:-2] + "…"
        self.cell(130, 5, label)
        self.cell(0, 5, t("print.page", page=self.page_no(), pages="{nb}"), align="R")

    def use(self, style: Style) -> None:
        self.set_font("cjk", size=style.size)
        self.set_text_color(90 if style.grey else 0)

    def write_line(self, width: float, text: str, style: Style) -> None:
        """One line of text at the current position (call ``use(style)`` first)."""
        if not style.bold:
            self.cell(width, style.leading, text)
            return
        # Bold = the regular face with its outlines stroked as well: a second (Bold) font file
        # would double the time spent loading and subsetting fonts (~0.35 s more per PDF).
        with self.local_context(text_mode="FILL_STROKE", line_width=style.size * 0.012):
            self.cell(width, style.leading, text)

    def wrap(self, text: str, width: float, style: Style) -> list[Line]:
        """``text`` broken into lines no wider than ``width``, the way Chinese is set.

        A line may end after any character, but not inside a Latin word or number, not before
        closing punctuation and not after opening punctuation; a token wider than a line is cut.
        """
        self.use(style)
        lines: list[str] = []
        for paragraph in text.replace("\r\n", "\n").split("\n"):
            line, used = "", 0.0
            for token in _TOKENS.findall(paragraph):
                size = self.get_string_width(token)
                if line.strip() and used + size > width:
                    lines.append(line.rstrip())
                    line, used = token.lstrip(), self.get_string_width(token.lstrip())
                else:
                    line, used = line + token, used + size
                while used > width and len(line) > 1:  # a single token wider than the line: cut it
                    cut, taken = 0, 0.0
                    for char in line:
                        taken += self.get_string_width(char)
                        if taken > width and cut:
                            break
                        cut += 1
                    lines.append(line[:cut])
                    line = line[cut:]
                    used = self.get_string_width(line)
            lines.append(line.rstrip())
        return [Line(text, style) for text in lines]

    def paragraph(self, text: str, style: Style, after: float = 0) -> None:
        """Text across the page, wrapped, then ``after`` mm of space."""
        for line in self.wrap(text, self.epw, style):
            if self.room() < line.style.leading:
                self.new_page()
            self.set_x(self.l_margin)
            self.write_line(self.epw, line.text, style)
            self.ln(style.leading)
        self.ln(after)

    def cell_lines(self, parts: list[tuple[str, Style]], width: float) -> list[Line]:
        return [line for text, style in parts if text for line in self.wrap(text, width - 2 * PAD, style)]

    def room(self) -> float:
        return self.page_break_trigger - self.y

    def new_page(self) -> None:
        self.add_page()
        if self.heading_row:
            widths, labels = self.heading_row
            self.row(widths, [[(label, STRONG)] for label in labels], fill=(True,) * len(widths))
        self.body_top = self.y

    def row(self, widths, cells: list[list[tuple[str, Style]]], fill: tuple[bool, ...] = ()) -> None:
        """One bordered table row: kept on one page if it fits on one, otherwise continued."""
        blocks = [self.cell_lines(parts, width) for parts, width in zip(cells, widths, strict=True)]
        height = max(sum(line.style.leading for line in block) for block in blocks) + 2 * PAD
        fits_a_page = height <= self.h - self.t_margin - self.b_margin - 10  # 10: the repeated heading
        if height > self.room() and fits_a_page:
            self.new_page()
        while True:
            fresh = self.y <= self.body_top
            chunks, blocks = zip(
                *(_take(block, self.room() - 2 * PAD, fresh) for block in blocks), strict=True
            )
            if not any(chunks):
                self.new_page()
                continue
            tall = max(sum(line.style.leading for line in chunk) for chunk in chunks) + 2 * PAD
            x, top = self.l_margin, self.y
            for width, chunk, filled in zip(widths, chunks, fill or (False,) * len(widths), strict=True):
                if filled:
                    self.set_fill_color(235)
                self.rect(x, top, width, tall, style="DF" if filled else "D")
                y = top + PAD
                for line in chunk:
                    self.use(line.style)
                    self.set_xy(x + PAD, y)
                    self.write_line(width - 2 * PAD, line.text, line.style)
                    y += line.style.leading
                x += width
            self.set_xy(self.l_margin, top + tall)
            if not any(blocks):
                return
            self.new_page()

    def table(self, caption: str | None, widths, labels: list[str] | tuple[str, ...], rows) -> None:
        """A table with its heading row repeated on every page it runs over."""
        if self.room() < 35:  # keep the caption and heading with the first row
            self.new_page()
        if caption:
            self.paragraph(caption, STRONG, after=1)
        self.row(widths, [[(label, STRONG)] for label in labels], fill=(True,) * len(widths))
        self.heading_row = (widths, list(labels))
        for cells in rows:
            self.row(widths, cells)
        self.heading_row = None


def _take(block: list[Line], room: float, fresh: bool) -> tuple[list[Line], list[Line]]:
    """The lines of ``block`` that fit in ``room`` (at least one on a fresh page), and the rest."""
    used, count = 0.0, 0
    for line in block:
        if used + line.style.leading > room and not (fresh and count == 0):
            break
        used += line.style.leading
        count += 1
    return block[:count], block[count:]


def checklist_pdf(
    record: dict,
    font: FontSpec,
    when: Callable[[str], str] = str,
    photo: Callable[[str], bytes | None] | None = None,
) -> bytes:
    """The A4 PDF of a stored record: heading, facts, items, photos, per-policy scores, signature lines.

    ``photo`` loads a photo's JPEG by id (the record's photos are left out without it).
    Raises FontUnavailable if ``font`` cannot be loaded.
    """
    sheet = printable(record, when)
    pdf = _Form(sheet, font)
    try:
        return _draw(pdf, sheet, photo)
    finally:
        close_fonts(pdf)


def close_fonts(pdf: FPDF) -> None:
    """Close the font files a document opened: output() does, but an error midway would leave them
    to the garbage collector (a ResourceWarning at some later, unrelated moment)."""
    for face in pdf.fonts.values():
        if getattr(face, "ttfont", None) is not None:
            face.ttfont.close()


def _draw(pdf: _Form, sheet: Sheet, photo: Callable[[str], bytes | None] | None = None) -> bytes:
    pdf.set_title(sheet.title)
    pdf.set_author(sheet.author)
    pdf.set_creator(t("app.name"))
    pdf.set_lang("zh-CN")
    pdf.add_page()

    pdf.paragraph(sheet.heading, Style(size=16, bold=True))
    pdf.paragraph(sheet.subtitle, Style(size=11), after=3)

    facts = list(sheet.facts) + ([("", "")] if len(sheet.facts) % 2 else [])
    for left, right in zip(facts[::2], facts[1::2], strict=True):
        pdf.row(
            FACT_WIDTHS,
            [[(left[0], BODY)], [(left[1], BODY)], [(right[0], BODY)], [(right[1], BODY)]],
            fill=(True, False, True, False),
        )
    pdf.ln(5)

    pdf.table(
        None,
        ITEM_WIDTHS,
        sheet.columns,
        (
            [
                [(str(row.number), BODY)],
                [(row.text, BODY), (row.source, SMALL), (row.extras, SMALL)],
                [(row.result_label, STRONG if row.result == "fail" else BODY)],
                [(row.responsible, BODY)],
                [(row.note, BODY)],
            ]
            for row in sheet.rows
        ),
    )

    if photo is not None:
        _photos(pdf, sheet.rows, photo)

    if sheet.scores:
        pdf.ln(5)
        pdf.table(
            t("print.scores"),
            SCORE_WIDTHS,
            sheet.score_columns,
            ([[(value, BODY)] for value in row] for row in sheet.scores),
        )

    _signatures(pdf, sheet.signatures, sheet.signed, photo)
    return bytes(pdf.output())


THUMB_W, THUMB_H = 42, 31.5  # mm: four thumbnails across the page, each kept in its proportions


def _photos(pdf: _Form, rows: list[Row], load: Callable[[str], bytes | None]) -> None:
    """Each item's photos as thumbnails under its number and text, four to a line."""
    shown = [(row, [data for pid in row.photos if (data := load(pid))]) for row in rows if row.photos]
    shown = [(row, images) for row, images in shown if images]
    if not shown:
        return
    pdf.ln(5)
    if pdf.room() < THUMB_H + 20:
        pdf.new_page()
    pdf.paragraph(t("print.photos"), STRONG, after=1)
    per_line = int((pdf.epw + 2) // (THUMB_W + 2))
    for row, images in shown:
        if pdf.room() < THUMB_H + 8:
            pdf.new_page()
        pdf.paragraph(t("print.photo_item", n=row.number, text=row.text[:60]), SMALL, after=1)
        for start in range(0, len(images), per_line):
            if pdf.room() < THUMB_H + 2:
                pdf.new_page()
            y = pdf.y
            for i, data in enumerate(images[start : start + per_line]):
                x = MARGIN + i * (THUMB_W + 2)
                pdf.image(io.BytesIO(data), x=x, y=y, w=THUMB_W, h=THUMB_H, keep_aspect_ratio=True)
            pdf.set_xy(MARGIN, y + THUMB_H + 2)


def _signatures(
    pdf: _Form,
    labels: tuple[str, ...],
    signed: tuple[tuple[int, str, str], ...] = (),
    load: Callable[[str], bytes | None] | None = None,
) -> None:
    """Label and a line to sign on, side by side, never split from each other across pages; a
    signature drawn on the phone sits on its line, with who signed under it."""
    if pdf.room() < 40:
        pdf.add_page()
    pdf.ln(18 if signed else 14)
    pdf.use(BODY)
    width = pdf.epw / len(labels)
    y = pdf.y
    for i, label in enumerate(labels):
        x = MARGIN + i * width
        pdf.set_xy(x, y)
        text = t("print.sign.label", label=label)
        pdf.cell(pdf.get_string_width(text), 6, text)
        start = pdf.x + 1
        pdf.line(start, y + 5.5, x + width - 4, y + 5.5)
        for line, pid, who in signed:
            data = load(pid) if load is not None and line == i else None
            if data:
                box = x + width - 4 - start
                pdf.image(io.BytesIO(data), x=start, y=y - 8, w=box, h=13, keep_aspect_ratio=True)
                pdf.use(SMALL)
                pdf.set_xy(start, y + 6)
                pdf.cell(box, 4, who)
                pdf.use(BODY)
    pdf.set_xy(MARGIN, y + (14 if signed else 10))


def download_names(record: dict) -> tuple[str, str]:
    """(UTF-8 name, ASCII fallback) for the download, without characters file systems refuse."""
    name = t("print.filename", period=record["period"], target=record["target"]["name"])
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", name)
    fallback = "checklist-" + re.sub(r"[^A-Za-z0-9._-]+", "-", record["id"]) + ".pdf"
    return name, fallback
