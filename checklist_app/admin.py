"""For policy owners and admins: the handbook's validation status, and accounts."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import audit, inputs
from .auth import login_required, make_user, requires
from .clock import shown
from .downloads import attachment
from .extensions import clock, handbook_source, storage
from .permissions import PERMISSIONS, can
from .reporting.tables import Table, to_csv, to_xlsx
from .strings import t

bp = Blueprint("admin", __name__, url_prefix="/admin")
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@login_required
def home():
    """管理: the first page this user may manage."""
    for action, endpoint in (
        ("handbook.status", "admin.handbook"),
        ("people.manage", "people_admin.people_list"),
        ("accounts.manage", "admin.users"),
        ("audit.view", "admin.audit_log"),
    ):
        if can(g.user, action):
            return redirect(url_for(endpoint))
    abort(403, t("error.no_permission"))


@bp.get("/handbook")
@requires("handbook.status")
def handbook():
    """Errors in the handbook files (file, line, message) and which model is being served."""
    state = handbook_source().refresh(force=True)
    return render_template("admin/handbook.html", state=state)


@bp.route("/users", methods=("GET", "POST"))
@requires("accounts.manage")
def users():
    """List accounts and add or reset one."""
    error = None
    if request.method == "POST":
        form = request.form
        try:
            user = make_user(
                form.get("username", "").strip(),
                form.get("password", ""),
                form.get("permission", "inspector"),
                form.get("role", "").strip(),
                form.get("display_name", "").strip(),
            )
        except ValueError as exc:
            error = str(exc)
        else:
            storage().users.put(user)
            flash(t("admin.users.saved", username=user["username"]))
            return redirect(url_for("admin.users"))
    state = handbook_source().state
    roles = [r.name for r in state.handbook.reference.roles] if state.handbook else []
    return render_template(
        "admin/users.html", users=storage().users.all(), roles=roles, permissions=PERMISSIONS, error=error
    ), (422 if error else 200)


AUDIT_DAYS = 31


def _audit_query():
    end = inputs.optional_day(request.args.get("to"), clock().today(), "结束日期")
    start = inputs.optional_day(request.args.get("from"), end - dt.timedelta(days=AUDIT_DAYS - 1))
    inputs.date_range(start, end, int(current_app.config["HISTORY_MAX_DAYS"]))
    actor = inputs.text(request.args.get("actor"), "操作人", 50)
    action = inputs.text(request.args.get("action"), "操作", 50)
    if action and action not in audit.ACTIONS:
        raise inputs.BadInput(t("audit.bad_action"))
    text = inputs.text(request.args.get("q"), "关键字", 100)
    return start, end, actor, action, text


@bp.get("/audit")
@requires("audit.view")
def audit_log():
    """操作记录: every audited change, newest first, filtered by dates, actor, action and text."""
    start, end, actor, action, text = _audit_query()
    found = audit.entries(storage(), start, end, actor=actor, action=action, text=text)
    return render_template(
        "admin/audit.html",
        entries=found[:1000],
        total=len(found),
        start=start,
        end=end,
        actor=actor,
        action=action,
        q=text,
        actions=audit.ACTIONS,
    )


@bp.get("/audit.<fmt>")
@requires("audit.view")
def audit_export(fmt: str):
    """The filtered audit log as CSV or Excel."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    start, end, actor, action, text = _audit_query()
    found = audit.entries(storage(), start, end, actor=actor, action=action, text=text)
    table = Table(
        t("audit.title"),
        tuple(
            t(k)
            for k in (
                "audit.at",
                "audit.actor",
                "audit.action",
                "audit.subject",
                "audit.change",
                "audit.note",
            )
        ),
        tuple(
            (
                shown(clock(), e.at),
                f"{e.actor_name}（{e.actor}）",
                e.label,
                e.subject,
                "；".join(f"{k}: {b} → {a}" for k, b, a in e.changes),
                e.note,
            )
            for e in found
        ),
    )
    name = f"操作记录-{start.isoformat()}-{end.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return attachment(to_xlsx([table]), XLSX, name)
    return attachment(to_csv(table), CSV, name)
