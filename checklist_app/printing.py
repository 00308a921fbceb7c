"""A completed checklist on paper: a printable page and a PDF download, for signing and filing."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, g, render_template

from . import records
from .auth import login_required
from .clock import shown
from .downloads import attachment
from .extensions import clock, storage
from .reporting import pdf
from .strings import t

bp = Blueprint("printing", __name__)


def _when(value: str) -> str:
    return shown(clock(), value)


@bp.get("/history/<record_id>/print")
@login_required
def print_page(record_id: str):
    """The record as an A4 form to print from the browser."""
    record = records.visible_record(storage(), g.user, record_id)  # who may see it may print it
    return render_template("checklists/print.html", record=record, sheet=pdf.printable(record, _when))


@bp.get("/history/<record_id>.pdf")
@login_required
def download(record_id: str):
    """The record as a PDF file (same content as the print page)."""
    record = records.visible_record(storage(), g.user, record_id)  # who may see it may print it
    started = time.perf_counter()
    try:
        font = pdf.find_font(current_app.config.get("PDF_FONT"))
        data = pdf.checklist_pdf(record, font, _when, photo=storage().photos.get)
    except pdf.FontUnavailable as exc:
        current_app.logger.error("checklist PDF: %s", exc)
        return render_template("errors/error.html", messages=[t("print.font_missing")], status=503), 503
    current_app.logger.info(
        "checklist PDF %s: %d bytes in %.2f s", record_id, len(data), time.perf_counter() - started
    )
    name, fallback = pdf.download_names(record)
    return attachment(data, "application/pdf", name, fallback)
