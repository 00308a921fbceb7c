"""管理 → 人员: the staff directory (list, add, edit, mark as left, import) and linking typed names.

Also gives checklist pages their picker data (``people_picker`` in templates) and
the command ``flask people link-responsible`` (the same migration as the button).
"""

from __future__ import annotations

import datetime as dt

import click
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from . import inputs, people, people_import, services
from .auth import requires
from .downloads import attachment
from .extensions import clock, current_handbook, handbook_state, storage, today
from .strings import t

bp = Blueprint("people_admin", __name__, url_prefix="/admin/people", cli_group="people")
STATUSES = ("active", "left", "all")
CSV = "text/csv; charset=utf-8"
MAX_UPLOAD = 1024 * 1024


def _reference():
    return current_handbook().reference


def _form_context(**extra):
    reference = _reference()
    return dict(
        departments=people.departments(reference),
        roles=reference.roles,
        accounts=storage().users.all(),
        **extra,
    )


@bp.get("")
@requires("people.manage")
def people_list():
    """The directory: search by name, 工号 or pinyin initials; active, left or everyone."""
    query = inputs.text(request.args.get("q"), "搜索", 50)
    status = request.args.get("status", "active")
    if status not in STATUSES:
        status = "active"
    everyone = people.all_people(storage())
    found = people.search(everyone, query, status)
    return render_template(
        "admin/people.html",
        people=found,
        q=query,
        status=status,
        statuses=STATUSES,
        total=sum(1 for p in everyone if p.active),
        left=sum(1 for p in everyone if not p.active),
    )


def _raw_form() -> dict:
    return {field: request.form.get(field, "") for field in people.FIELDS}


@bp.route("/new", methods=("GET", "POST"))
@requires("people.manage")
def person_new():
    """Add one person."""
    errors, values = [], {}
    if request.method == "POST":
        values = _raw_form()
        try:
            person = people.create(storage(), clock(), g.user, _reference(), values)
        except services.ServiceError as exc:
            errors = exc.messages
        else:
            flash(t("people.saved", name=person.name))
            return redirect(url_for("people_admin.people_list"))
    return render_template(
        "admin/people_form.html", **_form_context(person=None, values=values, errors=errors)
    ), (422 if errors else 200)


def _person_or_404(person_id: str) -> people.Person:
    person = people.get(storage(), person_id)
    if person is None:
        abort(404, t("people.error.unknown"))
    return person


@bp.route("/<person_id>", methods=("GET", "POST"))
@requires("people.manage")
def person_edit(person_id: str):
    """Edit one person; the form names the revision it showed, so a concurrent edit is not overwritten."""
    person = _person_or_404(person_id)
    errors, values, status = [], person.to_dict(), 200
    if request.method == "POST":
        values = _raw_form()
        try:
            saved = people.edit(
                storage(), clock(), g.user, _reference(), person.id, values, request.form.get("rev", "")
            )
        except services.ServiceError as exc:
            errors, status = exc.messages, exc.status
            person = _person_or_404(person_id)
        else:
            flash(t("people.saved", name=saved.name))
            return redirect(url_for("people_admin.people_list"))
    return render_template(
        "admin/people_form.html",
        **_form_context(person=person, values=values, errors=errors, today=today()),
    ), status


@bp.post("/<person_id>/left")
@requires("people.manage")
def person_left(person_id: str):
    person = _person_or_404(person_id)
    saved = people.mark_left(
        storage(), clock(), g.user, person.id, request.form.get("left_on") or "", request.form.get("rev", "")
    )
    flash(t("people.left_saved", name=saved.name, day=saved.left_on))
    return redirect(url_for("people_admin.people_list"))


@bp.post("/<person_id>/reinstate")
@requires("people.manage")
def person_reinstate(person_id: str):
    person = _person_or_404(person_id)
    saved = people.reinstate(storage(), clock(), g.user, person.id, request.form.get("rev", ""))
    flash(t("people.reinstate_saved", name=saved.name))
    return redirect(url_for("people_admin.person_edit", person_id=saved.id))


# --- Import ----------------------------------------------------------------------------------------------


def _import_page(**context):
    return render_template(
        "admin/people_import.html",
        headers=people_import.HEADERS,
        departments=people.departments(_reference()),
        max_rows=people_import.MAX_ROWS,
        **context,
    )


@bp.get("/import")
@requires("people.manage")
def import_form():
    """Upload a spreadsheet; the page documents the columns."""
    return _import_page(errors=[])


@bp.get("/import-template.csv")
@requires("people.manage")
def import_template():
    return attachment(people_import.template_csv(), CSV, "人员名册-导入模板.csv")


def _preview_page(plan, filename: str, notice: str = "", status: int = 200):
    return render_template(
        "admin/people_preview.html", plan=plan, filename=filename, notice=notice, ADD="add", UPDATE="update"
    ), (422 if plan.errors else status)


@bp.post("/import")
@requires("people.manage")
def import_upload():
    """Read the file and show what would be added and updated (or every bad row); nothing is written."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(errors=[t("people.import.no_file")]), 422
    data = upload.read(MAX_UPLOAD + 1)
    filename = inputs.name(upload.filename, "文件名", 200) if len(upload.filename) <= 200 else "upload"
    if len(data) > MAX_UPLOAD:
        return _import_page(errors=[t("people.import.too_large")]), 413
    try:
        plan = people_import.preview(storage(), _reference(), filename, data)
    except services.ServiceError as exc:
        return _import_page(errors=exc.messages), exc.status
    return _preview_page(plan, filename)


@bp.post("/import/confirm")
@requires("people.manage")
def import_confirm():
    """Import exactly the previewed rows, all or nothing."""
    filename = inputs.name(request.form.get("filename"), "文件名", 200)
    rows = people_import.rows_from_json(request.form.get("rows"))
    fingerprint = inputs.text(request.form.get("fingerprint"), "核对码", 64)
    try:
        result = people_import.apply(storage(), clock(), g.user, _reference(), rows, fingerprint, filename)
    except services.ServiceError as exc:
        plan = exc.data.get("plan") or people_import.plan(rows, _reference(), people.all_people(storage()))
        return _preview_page(plan, filename, notice=" ".join(exc.messages), status=exc.status)
    flash(t("people.import.done", added=result.added, updated=result.updated, unchanged=result.unchanged))
    return redirect(url_for("people_admin.people_list"))


# --- Unlinked responsible names ------------------------------------------------------------------------


def _year() -> int:
    raw = request.values.get("year")
    if not raw:
        return today().year
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) != 4:
        raise inputs.BadInput(t("people.error.bad_year"))
    year = int(raw)
    if not inputs.MIN_DAY.year <= year <= inputs.MAX_DAY.year:
        raise inputs.BadInput(t("people.error.bad_year"))
    return year


def _year_digests(year: int) -> list[dict]:
    end = min(dt.date(year, 12, 31), today())
    if end.year < year:
        return []
    return storage().completions.facts("report", dt.date(year, 1, 1), end)


@bp.get("/unlinked")
@requires("people.manage")
def unlinked():
    """未登记的责任人: failed items whose responsible person was typed, grouped by spelling, to link."""
    year = _year()
    digests = _year_digests(year)
    groups = people.unlinked(storage(), digests)
    return render_template(
        "admin/people_unlinked.html",
        groups=groups,
        linked=people.linked(storage(), digests),
        year=year,
        years=list(range(today().year, today().year - 5, -1)),
        everyone=[p for p in people.all_people(storage())],
    )


@bp.post("/unlinked/link")
@requires("people.manage")
def link():
    year = _year()
    spelling = inputs.name(request.form.get("spelling"), "责任人", services.MAX_RESPONSIBLE)
    person_id = request.form.get("person_id", "")
    count = people.link_spelling(storage(), clock(), g.user, _year_digests(year), spelling, person_id)
    person = people.get(storage(), person_id)
    flash(t("people.linked", n=count, spelling=spelling, name=person.name if person else ""))
    return redirect(url_for("people_admin.unlinked", year=year))


@bp.post("/unlinked/unlink")
@requires("people.manage")
def unlink():
    """Undo a wrong link: the lines go back to the unlinked list."""
    year = _year()
    spelling = inputs.name(request.form.get("spelling"), "责任人", services.MAX_RESPONSIBLE)
    count = people.unlink_spelling(
        storage(), clock(), g.user, _year_digests(year), spelling, request.form.get("person_id", "")
    )
    flash(t("people.unlinked_done", n=count, spelling=spelling))
    return redirect(url_for("people_admin.unlinked", year=year))


@bp.post("/migrate")
@requires("people.manage")
def migrate():
    """Link every typed name that matches exactly one person (idempotent)."""
    result = people.migrate(storage(), clock(), g.user, people.all_digests(storage(), today()))
    flash(t("people.migrate.done", linked=result.linked, unlinked=result.unlinked))
    return redirect(url_for("people_admin.unlinked"))


@bp.cli.command("link-responsible")
def link_responsible_command() -> None:
    """Link responsible names typed on completed checklists to the only person of that name."""
    result = people.migrate(storage(), clock(), None, people.all_digests(storage(), today()))
    click.echo(t("people.migrate.done", linked=result.linked, unlinked=result.unlinked))


# --- The checklist page's picker -------------------------------------------------------------------------


@bp.app_template_global()
def people_picker(snapshot: dict) -> dict:
    """The directory slice a checklist page embeds for its offline picker."""
    return people.picker_data(storage(), handbook_state().handbook, snapshot, services.day_of(snapshot))
