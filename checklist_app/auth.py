"""Sign-in: hashed passwords, session cookie, and the permission checks views rely on."""

from __future__ import annotations

import functools
import re

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import storage
from .strings import t

bp = Blueprint("auth", __name__)
PERMISSIONS = ("inspector", "owner", "admin")
USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{2,32}$")
# Checked against when the user does not exist, so a wrong name costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def make_user(username: str, password: str, permission: str, role: str = "", display_name: str = "") -> dict:
    """A user record with a salted password hash; ValueError with a UI message if invalid."""
    if not USERNAME_RE.match(username):
        raise ValueError(t("admin.users.bad_username"))
    if len(password) < 8:
        raise ValueError(t("admin.users.weak"))
    if permission not in PERMISSIONS:
        raise ValueError(permission)
    return {
        "username": username,
        "display_name": display_name or username,
        "permission": permission,
        "role": role,
        "password_hash": generate_password_hash(password),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


@bp.before_app_request
def load_user() -> None:
    username = session.get("user")
    g.user = storage().users.get(username) if username else None


def login_required(view):
    """Redirect to sign-in (or answer 401 for the JSON API) when nobody is signed in."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            if wants_json():
                return jsonify(errors=[t("login.required")]), 401
            flash(t("login.required"))
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    return wrapped


def permission_required(*permissions: str):
    """Allow only users with one of ``permissions`` (admins always pass)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(**kwargs):
            if g.user["permission"] not in permissions + ("admin",):
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorator


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link bounce through sign-in.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("checklists.today")


@bp.route("/login", methods=("GET", "POST"))
def login():
    """The sign-in form."""
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = storage().users.get(username)
        if check_password_hash(user["password_hash"] if user else _DUMMY_HASH, password) and user:
            session.clear()
            session["user"] = user["username"]
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error = t("login.failed")
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    """Sign out (POST with a CSRF token, so another site cannot sign you out)."""
    session.clear()
    flash(t("logout.done"))
    return redirect(url_for("auth.login"))
