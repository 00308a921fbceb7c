"""For policy owners and admins: the handbook's validation status, and accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .auth import login_required, make_user, requires
from .extensions import handbook_source, storage
from .permissions import PERMISSIONS, can
from .strings import t

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def home():
    """管理: the first page this user may manage."""
    for action, endpoint in (
        ("handbook.status", "admin.handbook"),
        ("accounts.manage", "admin.users"),
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
