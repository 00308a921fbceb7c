"""Sign-in: hashed passwords, session cookie, and the permission checks views rely on.

A session holds the username, the sign-in time and the account's ``session_version``
at sign-in; every request compares that version with the stored account's, so
disabling an account, resetting or changing its password and "sign out everywhere"
end its sessions in every worker at once. Users change their own password and
sign out everywhere under ``/account/``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
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

from . import accounts
from .extensions import clock, storage
from .permissions import ACTIONS, can
from .services import ServiceError
from .strings import t

bp = Blueprint("auth", __name__)
USERNAME_RE = accounts.USERNAME_RE
# What a signed-in user who must set a new password may still reach.
_WHILE_CHANGING_PASSWORD = frozenset(
    {"auth.change_password", "auth.sign_out_everywhere", "auth.logout", "auth.login", "static"}
    | {"offline.service_worker", "offline.manifest", "offline.fallback"}
)


def make_user(username: str, password: str, permission: str, role: str = "", display_name: str = "") -> dict:
    """A user record with a salted password hash (not stored); ValueError with a UI message if invalid."""
    try:
        return accounts.new_user(username, password, permission, role, display_name)
    except ServiceError as exc:
        raise ValueError(" ".join(exc.messages)) from None


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
    user = storage().users.get(username)
    if user is None or user.get("disabled") or session.get("sv") != accounts.session_version(user):
        # Disabled, password reset or changed, signed out everywhere, or deleted: the session ends.
        current_app.logger.info("session of user %r ended: revoked", username)
        if user is not None and user.get("disabled"):
            note = t("account.note.refused_session", address=request.remote_addr or "unknown")
            accounts.refused(storage(), clock(), user, note)
        session.clear()
        g.session_revoked = True
        return
    g.user = user


@bp.before_app_request
def require_new_password():
    """After signing in with a temporary password, nothing but setting a new one (or signing out)."""
    user = g.get("user")
    if not user or not user.get("must_change_password"):
        return None
    endpoint = request.endpoint or ""
    if endpoint in _WHILE_CHANGING_PASSWORD or endpoint.startswith("handbook_site."):
        return None  # the handbook is public anyway
    if wants_json():
        return jsonify(errors=[t("account.must_change.api")]), 403
    flash(t("account.must_change"))
    return redirect(url_for("auth.change_password"))


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
            message = t("login.required")
            if g.get("session_expired"):
                message = t("login.expired")
            elif g.get("session_revoked"):
                message = t("login.revoked")
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


def _refuse_locked(until: dt.datetime, template: str = "auth/login.html"):
    seconds = max(1, math.ceil((until - clock().now()).total_seconds()))
    message = t("login.locked", minutes=math.ceil(seconds / 60))
    response = current_app.make_response((render_template(template, error=message), 429))
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
    if user is not None and user.get("disabled"):
        # The same answer whatever the password: it says nothing about whether it was right.
        log.warning("sign-in refused: user %r is disabled, from %s", username, address)
        accounts.refused(storage(), clock(), user, t("account.note.refused_login", address=address))
        until = _count_failure(username)  # bounds how often this can be tried (and logged)
        if until is not None:
            return _refuse_locked(until)
        return render_template("auth/login.html", error=t("login.disabled")), 403
    if accounts.verify_password(user, password):
        storage().attempts.clear(_throttle_keys(username)[0][0])  # the address keeps its count
        session.clear()
        session["user"] = user["username"]
        session["signed_in_at"] = clock().timestamp()
        session["sv"] = accounts.session_version(user)
        session.permanent = True
        if user.get("must_change_password"):
            flash(t("account.must_change"))
            return redirect(url_for("auth.change_password"))
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


def _account_page(error: str | None = None, status: int = 200):
    return render_template("auth/account.html", error=error), status


@bp.route("/account/password", methods=("GET", "POST"))
@login_required
def change_password():
    """我的账号: change one's own password (the current one is needed), and sign out everywhere."""
    if request.method == "GET":
        return _account_page()
    username = g.user["username"]
    until = _locked_until(username)
    if until is not None:
        return _refuse_locked(until, "auth/account.html")
    form = request.form
    try:
        user = accounts.change_password(
            storage(),
            clock(),
            g.user,
            form.get("current_password", ""),
            form.get("new_password", ""),
            form.get("repeat_password", ""),
        )
    except accounts.WrongPassword as exc:
        current_app.logger.warning("password change: wrong current password for %r", username)
        until = _count_failure(username)  # guessing the current password is throttled like sign-in
        if until is not None:
            return _refuse_locked(until, "auth/account.html")
        return _account_page(" ".join(exc.messages), exc.status)
    except ServiceError as exc:
        return _account_page(" ".join(exc.messages), exc.status)
    session["sv"] = accounts.session_version(user)  # this device stays signed in; the others end
    flash(t("account.password_changed"))
    return redirect(url_for("checklists.today"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of this account, on every device, this one included."""
    accounts.sign_out_everywhere(storage(), clock(), g.user)
    session.clear()
    flash(t("account.signed_out_everywhere"))
    return redirect(url_for("auth.login"))
