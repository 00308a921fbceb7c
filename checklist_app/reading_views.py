"""待阅读 for everyone signed in; 阅读情况 for owners and admins (by policy, department, person; .xlsx)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import reading
from .auth import login_required, requires
from .downloads import attachment
from .extensions import clock, handbook_state, storage
from .permissions import can
from .reporting.tables import Table, to_xlsx
from .strings import t

bp = Blueprint("reading", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _releases():
    return current_app.extensions["checklist_releases"]


def _context():
    state = handbook_state()
    if state.handbook is None or state.release is None:
        abort(503)
    pointer = _releases().pointer()
    current = pointer.number if pointer else state.release.number
    return state, _releases().all(), current


def my_tasks(user: dict) -> list[reading.Task]:
    state, history, current = _context()
    return reading.tasks(
        state.handbook,
        user,
        storage().reading.latest(),
        history,
        current,
        clock().today(),
        int(current_app.config["READING_OVERDUE_DAYS"]),
    )


def reading_due() -> list[reading.Task]:
    """The signed-in person's pending policies (cached per request), for Today's card."""
    if g.get("user") is None or handbook_state().release is None:
        return []
    if "_reading_due" not in g:
        g._reading_due = reading.pending(my_tasks(g.user))
    return g._reading_due


@bp.get("/reading")
@login_required
def overview():
    """待阅读: the policies of my role I have not read at their current version, then those I have."""
    return render_template("reading/list.html", tasks=my_tasks(g.user))


def _task(policy_id: str) -> reading.Task:
    for task in my_tasks(g.user):
        if task.policy.id == policy_id:
            return task
    abort(404, t("reading.not_yours"))


@bp.get("/reading/<policy_id>")
@login_required
def policy(policy_id: str):
    """One policy to read: its clauses that concern my role, or, after a change, just their diffs."""
    task = _task(policy_id)
    state = handbook_state()
    diffs = []
    if task.status == reading.CHANGED:
        root = _releases().sources_dir(state.release.number, state.release.as_of(clock().today().isoformat()))
        diffs = reading.changed_diffs(_releases(), task, state.handbook, root)
    return render_template("reading/policy.html", task=task, diffs=diffs)


@bp.post("/reading/<policy_id>")
@login_required
def acknowledge(policy_id: str):
    """已阅读并理解: record who read which version when (twice is once)."""
    task = _task(policy_id)
    token = request.form.get("token", "")
    if task.status == reading.READ:
        flash(t("reading.already"))
        return redirect(url_for("reading.overview"))
    try:
        reading.acknowledge(
            storage(), clock(), g.user, task, token if isinstance(token, str) else "", _context()[2]
        )
    except reading.Stale:
        flash(t("reading.stale"))
        return redirect(url_for("reading.policy", policy_id=policy_id)), 303
    flash(t("reading.done", title=task.policy.title, version=task.policy.version))
    return redirect(url_for("reading.overview"))


def _status_rows():
    state, history, current = _context()
    rows = reading.status(
        state.handbook,
        storage().users.all(),
        storage().reading.latest(),
        history,
        current,
        clock().today(),
        int(current_app.config["READING_OVERDUE_DAYS"]),
    )
    department = request.args.get("department", "")
    if isinstance(department, str) and department:
        rows = [r for r in rows if r.department == department]
    return state, rows, department if isinstance(department, str) else ""


@bp.get("/admin/reading")
@requires("reading.report")
def report():
    """阅读情况: per policy the counts, then every person with what they have not read."""
    state, rows, department = _status_rows()
    by_policy: dict[str, dict] = {}
    for row in rows:
        entry = by_policy.setdefault(
            row.task.policy.id, {"policy": row.task.policy, "read": 0, "pending": 0, "overdue": 0}
        )
        if row.task.status == reading.READ:
            entry["read"] += 1
        else:
            entry["pending"] += 1
            entry["overdue"] += row.task.overdue
    people: dict[str, list] = {}
    for row in rows:
        people.setdefault(row.username, []).append(row)
    return render_template(
        "reading/report.html",
        policies=list(by_policy.values()),
        people=people,
        departments=[d.name for d in state.handbook.reference.departments],
        department=department,
        days=current_app.config["READING_OVERDUE_DAYS"],
    )


@bp.get("/admin/reading.xlsx")
@requires("reading.report")
def report_xlsx():
    """The same, one row per person and policy, as an Excel workbook."""
    _, rows, _ = _status_rows()
    table = Table(
        t("reading.report.title"),
        tuple(
            t(f"reading.col.{c}")
            for c in (
                "name",
                "username",
                "department",
                "role",
                "policy",
                "version",
                "status",
                "since",
                "read_at",
            )
        ),
        tuple(
            (
                r.name,
                r.username,
                r.department,
                r.role,
                r.task.policy.title,
                r.task.policy.version,
                t(f"reading.status.{r.task.status}") + (t("reading.overdue_mark") if r.task.overdue else ""),
                r.task.since,
                (r.task.ack or {}).get("at", "") if r.task.status == reading.READ else "",
            )
            for r in rows
        ),
    )
    return attachment(
        to_xlsx([table]), XLSX, t("reading.report.file", day=clock().today().isoformat()), "reading.xlsx"
    )


@bp.record_once
def _register(state) -> None:
    app: Flask = state.app
    app.jinja_env.globals.update(
        reading_due=reading_due, can_report_reading=lambda: can(g.user, "reading.report")
    )
