"""For policy owners and admins: the handbook's validation status, accounts and the audit log."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import accounts, audit, inputs, people
from .auth import login_required, requires
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


def _roles() -> list[str]:
    """The handbook's reference roles (what an account's 岗位 may be)."""
    state = handbook_source().state
    return [r.name for r in state.handbook.reference.roles] if state.handbook else []


def _users_page(errors: list[str] | None = None, form=None, status: int = 200):
    users = storage().users.all()
    return render_template(
        "admin/users.html",
        users=users,
        linked=people.accounts_linked(storage()),
        active=sum(1 for u in users if not u.get("disabled")),
        roles=_roles(),
        permissions=PERMISSIONS,
        errors=errors or [],
        form=form or {},
    ), status


@bp.route("/users", methods=("GET", "POST"))
@requires("accounts.manage")
def users():
    """账号: every account, and a form to add one (an existing username is refused, never overwritten)."""
    if request.method == "GET":
        return _users_page()
    form = request.form
    try:
        user = accounts.create(
            storage(),
            clock(),
            g.user,
            username=form.get("username", "").strip(),
            password=form.get("password", ""),
            permission=form.get("permission", "inspector"),
            role=form.get("role", ""),
            display_name=form.get("display_name", ""),
            must_change_password=form.get("must_change") == "yes",
            roles=_roles(),
        )
    except accounts.AccountError as exc:
        return _users_page(exc.messages, form, exc.status)
    flash(t("account.created", username=user["username"]))
    return redirect(url_for("admin.user", username=user["username"]))


def _user_page(username: str, errors: list[str] | None = None, part: str = "", form=None, status: int = 200):
    """One account's page; ``errors`` belong to the form ``part`` (edit, status, reset)."""
    return render_template(
        "admin/user.html",
        user=accounts.get(storage(), username),
        person=people.of_account(storage(), username),
        roles=_roles(),
        permissions=PERMISSIONS,
        errors=errors or [],
        part=part,
        form=form or {},
    ), status


@bp.get("/users/<username>")
@requires("accounts.manage")
def user(username: str):
    """One account: edit it, disable or enable it, reset its password."""
    return _user_page(username)


@bp.post("/users/<username>")
@requires("accounts.manage")
def edit_user(username: str):
    """Save name, permission and handbook role (a field left out stays as it is)."""
    form = request.form
    before = accounts.get(storage(), username)
    try:
        after = accounts.edit(
            storage(),
            clock(),
            g.user,
            username,
            display_name=form.get("display_name"),
            permission=form.get("permission"),
            role=form.get("role"),
            roles=_roles(),
        )
    except accounts.AccountError as exc:
        return _user_page(username, exc.messages, "edit", form, exc.status)
    unchanged = accounts.public(after) == accounts.public(before)
    flash(t("account.unchanged" if unchanged else "account.saved", username=username))
    return redirect(url_for("admin.user", username=username))


def _account_action(username: str, use_case, done: str, section: str, *args):
    """Run an account use case on ``username``; back to its page with ``done`` or the refusal."""
    try:
        use_case(storage(), clock(), g.user, username, *args)
    except accounts.AccountError as exc:
        return _user_page(username, exc.messages, section, status=exc.status)
    flash(t(done, username=username))
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/<username>/disable")
@requires("accounts.manage")
def disable_user(username: str):
    """Disable: no more sign-ins, and every open session of the account ends now."""
    return _account_action(username, accounts.disable, "account.disabled", "status")


@bp.post("/users/<username>/enable")
@requires("accounts.manage")
def enable_user(username: str):
    return _account_action(username, accounts.enable, "account.enabled", "status")


@bp.post("/users/<username>/reset-password")
@requires("accounts.manage")
def reset_password(username: str):
    """Set a temporary password: the account's sessions end; a new one must be set at next sign-in."""
    password = request.form.get("password", "")
    return _account_action(username, accounts.reset_password, "account.password_reset", "reset", password)


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
                "；".join(f"{k}: {b} → {a}" for k, b, a in e.readable_changes),
                e.note,
            )
            for e in found
        ),
    )
    name = f"操作记录-{start.isoformat()}-{end.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return attachment(to_xlsx([table]), XLSX, name)
    return attachment(to_csv(table), CSV, name)
