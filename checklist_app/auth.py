"""Sign-in: hashed passwords, session cookie, and the permission checks views rely on."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
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

from .extensions import clock, storage
from .permissions import ACTIONS, PERMISSIONS, can
from .strings import t

bp = Blueprint("auth", __name__)
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
    """Who is signed in; a sign-in older than PERMANENT_SESSION_LIFETIME ends, however active.

    Flask would re-issue a permanent session's cookie with a fresh lifetime on
    every request, so a copied cookie in use would never expire: the lifetime
    counts from the sign-in time stored in the session instead.
    """
    g.user = None
    username = session.get("user")
    if not username:
        return
    if _signed_in_too_long():
        current_app.logger.info("session of user %r ended: signed in too long ago", username)
        session.clear()
        g.session_expired = True
        return
    g.user = storage().users.get(username)


def _signed_in_too_long() -> bool:
    try:
        signed_in = clock().local(session["signed_in_at"])
    except (KeyError, TypeError, ValueError):
        return True  # a session from before sign-in times were stored, or a malformed one
    return clock().now() - signed_in >= current_app.permanent_session_lifetime


def login_required(view):
    """Redirect to sign-in (or answer 401 for the JSON API) when nobody is signed in."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            message = t("login.expired") if g.get("session_expired") else t("login.required")
            if wants_json():
                return jsonify(errors=[message]), 401
            flash(message)
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    return wrapped


def requires(action: str):
    """Allow the view only to signed-in users the permission policy lets take ``action``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(**kwargs):
            if not can(g.user, action):
                abort(403, t("error.no_permission"))
            return view(**kwargs)

        return wrapped

    return decorator


# What a browser ignores or rewrites in a URL before following it (WHATWG URL parsing).
_REMOVED_ANYWHERE = str.maketrans("", "", "\t\n\r")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def _is_local_path(path: str) -> bool:
    """Whether a browser following ``path`` stays on this site."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return False  # control characters: nothing legitimate carries them
    if not path.startswith("/") or path.startswith("//"):
        return False  # relative, or protocol-relative: //host, and /\host once normalised
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: ``target`` if it is a path on this site, else the home page.

    Only same-site paths: an open redirect would let a phishing link bounce through
    sign-in. ``target`` is first normalised as a browser would (tab, LF and CR
    removed anywhere, leading and trailing C0 controls and spaces stripped,
    backslashes read as slashes); the normalised form is checked and is what we
    redirect to. It must also pass once percent-decoded: a browser keeps
    ``/%2F%2Fevil`` on this site, but a proxy or a later redirect might decode it,
    and no page of ours needs an encoded slash or backslash at the start of its
    path, or an encoded control character anywhere.
    """
    path = (target or "").translate(_REMOVED_ANYWHERE).strip(_C0_AND_SPACE).replace("\\", "/")
    if _is_local_path(path) and _is_local_path(unquote(path).replace("\\", "/")):
        return path
    return url_for("checklists.today")


# Sign-in throttling. Failures are counted per account (known or not, so a lock says nothing
# about which names exist) and per client address, in storage shared by all worker processes.
# The address is request.remote_addr: behind a reverse proxy, wrap the app in werkzeug's
# ProxyFix so it is the client's, not the proxy's. X-Forwarded-For is not trusted by default.


def _throttle_keys(username: str) -> list[tuple[str, int]]:
    config = current_app.config
    address = request.remote_addr or "unknown"
    return [
        ("account:" + username, int(config["LOGIN_ACCOUNT_MAX_FAILURES"])),
        ("address:" + address, int(config["LOGIN_ADDRESS_MAX_FAILURES"])),
    ]


def _minutes(setting: str) -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config[setting]))


def _locked_until(username: str) -> dt.datetime | None:
    now = clock().now()
    ends = [storage().attempts.locked_until(key, now) for key, _ in _throttle_keys(username)]
    return max((e for e in ends if e), default=None)


def _count_failure(username: str) -> dt.datetime | None:
    """Count a failed sign-in; when it locks the account or the address, when that lock ends."""
    now = clock().now()
    window, lockout = _minutes("LOGIN_FAILURE_WINDOW_MINUTES"), _minutes("LOGIN_LOCKOUT_MINUTES")
    ends = [
        storage().attempts.fail(key, now, limit, window, lockout) for key, limit in _throttle_keys(username)
    ]
    return max((e for e in ends if e), default=None)


def _refuse_locked(until: dt.datetime):
    seconds = max(1, math.ceil((until - clock().now()).total_seconds()))
    message = t("login.locked", minutes=math.ceil(seconds / 60))
    response = current_app.make_response((render_template("auth/login.html", error=message), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=("GET", "POST"))
def login():
    """The sign-in form, throttled: too many failures lock the account and the address for a while."""
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    # No real name is longer than 32 characters; the cap keeps junk out of the counters and the log.
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    address = request.remote_addr
    log = current_app.logger
    until = _locked_until(username)
    if until is not None:  # even the right password is refused while locked
        log.warning("sign-in refused while locked: user %r from %s until %s", username, address, until)
        return _refuse_locked(until)
    user = storage().users.get(username)
    if check_password_hash(user["password_hash"] if user else _DUMMY_HASH, password) and user:
        storage().attempts.clear(_throttle_keys(username)[0][0])  # the address keeps its count
        session.clear()
        session["user"] = user["username"]
        session["signed_in_at"] = clock().timestamp()
        session.permanent = True
        return redirect(_safe_next(request.args.get("next")))
    log.warning("sign-in failed: user %r from %s", username, address)
    until = _count_failure(username)
    if until is not None:
        log.warning("sign-in locked: user %r from %s until %s", username, address, until)
        return _refuse_locked(until)
    return render_template("auth/login.html", error=t("login.failed")), 401


@bp.post("/logout")
def logout():
    """Sign out (POST with a CSRF token, so another site cannot sign you out)."""
    session.clear()
    flash(t("logout.done"))
    return redirect(url_for("auth.login"))
