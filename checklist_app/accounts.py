"""Account use cases: create, edit, disable, enable, reset a password, change one's own, sign out everywhere.

The web views (admin.py, auth.py) and the command line (cli.py) only parse input,
call these and show the result. Every change is appended to the audit log with
its actor and the account before → after (never a password or its hash).

A user record::

    {"username", "display_name", "permission", "role",
     "password_hash", "disabled", "must_change_password", "session_version",
     "created_at", "updated_at"}

``session_version`` is copied into the session cookie at sign-in and compared on
every request (``auth.load_user``); disabling, resetting or changing the
password and "sign out everywhere" increase it, which ends every session signed
in before, in every worker process, because the number lives in the shared store.

An account is linked to a person in the staff directory in one place only: the
person's ``username`` (人员名册 → 账号). :func:`person_of` finds that person.

Refusals raise :class:`AccountError` (422) with Chinese messages, or
``services.NotFound`` (404) for an unknown account; nothing is stored then.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, inputs, passwords
from .clock import Clock
from .permissions import ADMIN, PERMISSIONS
from .services import NotFound, ServiceError
from .storage import Storage
from .strings import t

USERNAME_RE = re.compile(r"[A-Za-z0-9._-]{2,32}", re.ASCII)
# What the audit log shows of an account: everything but the password hash.
PUBLIC_FIELDS = (
    "username",
    "display_name",
    "permission",
    "role",
    "disabled",
    "must_change_password",
    "session_version",
)


class AccountError(ServiceError):
    """An account change was refused; nothing changed."""

    status = 422


class WrongPassword(AccountError):
    """The current password given to change one's own was wrong (counts as a failed sign-in)."""


def public(user: dict) -> dict:
    """The account as the audit log and the pages show it: no password hash."""
    return {field: user.get(field, _DEFAULTS.get(field, "")) for field in PUBLIC_FIELDS}


_DEFAULTS = {"disabled": False, "must_change_password": False, "session_version": 0}


def session_version(user: dict) -> int:
    """The account's current session version (0 for an account stored before versions existed)."""
    value = user.get("session_version", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def is_active_admin(user: dict) -> bool:
    return user.get("permission") == ADMIN and not user.get("disabled")


def valid_username(value: object) -> bool:
    return isinstance(value, str) and USERNAME_RE.fullmatch(value) is not None


def verify_password(user: dict | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; the same cost whether or not the user exists."""
    stored = user.get("password_hash") if user else None
    try:
        return check_password_hash(stored or _DUMMY_HASH, password) and stored is not None
    except (UnicodeEncodeError, ValueError, TypeError):
        return False


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str, username: str) -> str:
    """The salted hash of ``password`` if the password rules allow it for ``username``."""
    found = passwords.problems(password, username)
    if found:
        raise AccountError(found)
    return generate_password_hash(password)


def _clean(errors: list[str], check, *args, **kwargs):
    """Run one input rule; collect its message instead of stopping at the first bad field."""
    try:
        return check(*args, **kwargs)
    except inputs.BadInput as exc:
        errors.append(exc.message)
        return None


def _permission(errors: list[str], value: object) -> str | None:
    if value not in PERMISSIONS:
        errors.append(t("account.bad_permission"))
        return None
    return value


def _role(errors: list[str], value: object, roles: Sequence[str] | None, current: str = "") -> str | None:
    """A handbook role ("" for none); the account's current role stays allowed if the handbook dropped it."""
    role = _clean(errors, inputs.text, value, t("admin.users.role"), 50)
    if role is None:
        return None
    if role and roles is not None and role not in roles and role != current:
        errors.append(t("account.bad_role", role=role))
        return None
    return role


def new_user(
    username: str,
    password: str,
    permission: str,
    role: str = "",
    display_name: str = "",
    *,
    must_change_password: bool = False,
    roles: Sequence[str] | None = None,
) -> dict:
    """A valid user record with a salted password hash (not stored); AccountError lists every problem.

    ``roles`` are the handbook's roles; None accepts any role (tests, fixtures).
    """
    errors: list[str] = []
    if not valid_username(username):
        errors.append(t("admin.users.bad_username"))
    errors.extend(passwords.problems(password, username if isinstance(username, str) else ""))
    permission = _permission(errors, permission)
    role = _role(errors, role, roles)
    name = _clean(errors, inputs.name, display_name, t("admin.users.display"), 50)
    if errors:
        raise AccountError(errors)
    return {
        "username": username,
        "display_name": name or username,
        "permission": permission,
        "role": role,
        "password_hash": generate_password_hash(password),
        "disabled": False,
        "must_change_password": bool(must_change_password),
        "session_version": 0,
    }


def get(storage: Storage, username: object) -> dict:
    """The account called ``username``; NotFound (404, in Chinese) if there is none."""
    user = storage.users.get(username) if valid_username(username) else None
    if user is None:
        raise NotFound(t("account.not_found", username=str(username)[:40]))
    return user


def create(
    storage: Storage,
    clock: Clock,
    actor: dict | None,
    *,
    username: str,
    password: str,
    permission: str,
    role: str = "",
    display_name: str = "",
    must_change_password: bool = False,
    roles: Sequence[str] | None = None,
    note: str = "",
) -> dict:
    """Add an account; an existing username is refused (422) and that account is left exactly as it was."""
    if valid_username(username) and storage.users.get(username) is not None:
        raise AccountError(t("account.exists", username=username))  # before hashing: scrypt is slow
    user = new_user(
        username,
        password,
        permission,
        role,
        display_name,
        must_change_password=must_change_password,
        roles=roles,
    )
    user["created_at"] = user["updated_at"] = clock.timestamp()
    if not storage.users.add(user):  # created meanwhile by another request or worker
        raise AccountError(t("account.exists", username=username))
    audit.record(storage, clock, actor, "account.create", username, after=public(user), note=note)
    return user


def _only_admin_check(storage: Storage, username: str, message: str) -> None:
    """Refuse when ``username`` is the last active admin (called while the store is locked)."""
    if not any(is_active_admin(u) for u in storage.users.all() if u["username"] != username):
        raise AccountError(t(message, username=username))


def _change(
    storage: Storage, clock: Clock, actor: dict | None, username: str, action: str, change, note: str = ""
) -> dict:
    """Apply ``change`` to the stored account atomically and audit before → after; the new account."""
    get(storage, username)  # 404 for an unknown or malformed name
    seen: dict[str, dict] = {}

    def apply(user: dict) -> dict:
        new = change(dict(user))
        if public(new) != public(user) or new.get("password_hash") != user.get("password_hash"):
            new["updated_at"] = clock.timestamp()
        seen["before"], seen["after"] = user, new
        return new

    updated = storage.users.update(username, apply)
    if updated is None:
        raise NotFound(t("account.not_found", username=username))
    if seen["before"] != seen["after"]:
        audit.record(
            storage,
            clock,
            actor,
            action,
            username,
            before=public(seen["before"]),
            after=public(seen["after"]),
            note=note,
        )
    return updated


def _bumped(user: dict) -> dict:
    """``user`` with every session signed in so far ended."""
    return {**user, "session_version": session_version(user) + 1}


def edit(
    storage: Storage,
    clock: Clock,
    actor: dict | None,
    username: str,
    *,
    display_name: str | None = None,
    permission: str | None = None,
    role: str | None = None,
    roles: Sequence[str] | None = None,
    note: str = "",
) -> dict:
    """Change name, permission or handbook role (None leaves a field as it is)."""
    current = get(storage, username)
    errors: list[str] = []
    values: dict[str, object] = {}
    if display_name is not None:
        name = _clean(errors, inputs.name, display_name, t("admin.users.display"), 50)
        values["display_name"] = name or username
    if permission is not None:
        values["permission"] = _permission(errors, permission)
    if role is not None:
        values["role"] = _role(errors, role, roles, current.get("role", ""))
    if errors:
        raise AccountError(errors)

    def change(user: dict) -> dict:
        new = {**user, **values}
        if is_active_admin(user) and not is_active_admin(new):
            _only_admin_check(storage, username, "account.last_admin_demote")
        return new

    return _change(storage, clock, actor, username, "account.edit", change, note)


def disable(storage: Storage, clock: Clock, actor: dict | None, username: str, note: str = "") -> dict:
    """The person can no longer sign in, and every session of theirs ends at once."""

    def change(user: dict) -> dict:
        if user.get("disabled"):
            raise AccountError(t("account.already_disabled", username=username))
        if is_active_admin(user):
            _only_admin_check(storage, username, "account.last_admin_disable")
        return {**_bumped(user), "disabled": True}

    return _change(storage, clock, actor, username, "account.disable", change, note)


def enable(storage: Storage, clock: Clock, actor: dict | None, username: str, note: str = "") -> dict:
    """The person may sign in again (with the password they had)."""

    def change(user: dict) -> dict:
        if not user.get("disabled"):
            raise AccountError(t("account.already_enabled", username=username))
        return {**user, "disabled": False}

    return _change(storage, clock, actor, username, "account.enable", change, note)


def reset_password(
    storage: Storage, clock: Clock, actor: dict | None, username: str, password: str, note: str = ""
) -> dict:
    """Set a temporary password: every session ends, and a new password must be set at next sign-in."""
    get(storage, username)
    password_hash = hash_password(password, username)  # outside the store's lock

    def change(user: dict) -> dict:
        return {**_bumped(user), "password_hash": password_hash, "must_change_password": True}

    return _change(storage, clock, actor, username, "account.reset_password", change, note)


def change_password(
    storage: Storage, clock: Clock, user: dict, current: str, new: str, repeat: str | None = None
) -> dict:
    """The signed-in ``user`` sets a new password; sessions on other devices end (the caller keeps its own).

    WrongPassword (422) when ``current`` is not the password; AccountError for a new
    password the rules refuse, that repeats the current one, or that ``repeat`` does not match.
    """
    username = user["username"]
    stored = get(storage, username)
    if not verify_password(stored, current if isinstance(current, str) else ""):
        raise WrongPassword(t("account.wrong_current"))
    if repeat is not None and new != repeat:
        raise AccountError(t("password.mismatch"))
    if new == current:
        raise AccountError(t("password.same_as_current"))
    password_hash = hash_password(new, username)
    forced = bool(stored.get("must_change_password"))

    def change(latest: dict) -> dict:
        if latest.get("password_hash") != stored.get("password_hash"):
            raise AccountError(t("account.changed_meanwhile"))  # reset by an admin since we checked
        return {**_bumped(latest), "password_hash": password_hash, "must_change_password": False}

    note = t("account.note.forced_change") if forced else ""
    return _change(storage, clock, user, username, "account.change_password", change, note)


def sign_out_everywhere(storage: Storage, clock: Clock, user: dict) -> dict:
    """End every session of ``user``, on every device (this one too)."""
    return _change(storage, clock, user, user["username"], "account.sign_out_everywhere", _bumped)


def refused(storage: Storage, clock: Clock, user: dict, note: str) -> None:
    """Log that a disabled account tried to sign in or use a session."""
    audit.record(storage, clock, user, "account.refused", user["username"], note=note)
