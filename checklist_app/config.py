"""One configuration object: code defaults, then ``CHECKLIST_*`` environment variables, then test dicts."""

from __future__ import annotations

import json
import math
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .storage.tinydb_store import fsync_dir

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """A documented setting; the README lists every one (a test checks it).

    The default's type decides how a ``CHECKLIST_<name>`` variable is read: a bool
    takes true/false, 1/0, yes/no, on/off (any case), an int an integer, a float a
    number; anything else (a string, or None) takes the text as it is. A value
    that does not fit stops the start with a message naming the variable.
    """

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("HANDBOOK_DIR", str(PROJECT / "handbook"), "the draft handbook (Markdown) make publish releases"),
    Setting(
        "SITE_DIR",
        str(PROJECT / "site"),
        "make build's preview site; the first release reuses it when it is a build of the draft",
    ),
    Setting(
        "RELEASES_DIR",
        None,
        "published handbook releases, the only ones served (default: releases beside DATA_DIR)",
    ),
    Setting("READING_OVERDUE_DAYS", 7, "days after which an unread policy counts as overdue (阅读情况)"),
    Setting("MKDOCS_CONFIG", str(PROJECT / "mkdocs.yml"), "the site's MkDocs config, for building releases"),
    Setting("DATA_DIR", None, "where completed checklists live (default: <instance>/data)"),
    Setting("STORAGE", "tinydb", "storage backend: tinydb (embedded default) or memory (tests)"),
    Setting(
        "DATABASE_URL",
        None,
        "PostgreSQL (postgresql://…): every store in that database instead of TinyDB in DATA_DIR",
    ),
    Setting(
        "PHOTO_STORE",
        None,
        "with DATABASE_URL: photos in the database (database, the default) or as files in DATA_DIR (files)",
    ),
    Setting("DATABASE_POOL_SIZE", 8, "most connections one worker process keeps open to PostgreSQL"),
    Setting("RELOAD_INTERVAL", 2.0, "seconds between checks for a newly published (or rolled back) release"),
    Setting(
        "TIMEZONE",
        "Asia/Shanghai",
        "the team's time zone: decides today, weeks and months, and every time shown (IANA name)",
    ),
    Setting(
        "SUBMIT_GRACE_MINUTES",
        120,
        "minutes after midnight (or the week's end) a checklist opened in time may still be submitted",
    ),
    Setting("HISTORY_MAX_DAYS", 366, "longest date range history and reports list at once"),
    Setting(
        "SNAPSHOT_RETENTION_DAYS",
        30,
        "days an opened but never submitted checklist is kept before it is removed",
    ),
    Setting("FROZEN_TIME", None, "tests only: stop the app's clock at this ISO 8601 time"),
    Setting("MAX_NOTE_LENGTH", 500, "longest note an inspector may write on one item"),
    Setting("PHOTO_MAX_BYTES", 3_000_000, "largest photo upload in bytes (the phone sends about 0.2-0.6 MB)"),
    Setting("PHOTO_MAX_PER_ITEM", 5, "most photos on one checklist item"),
    Setting("PHOTO_MAX_SIDE", 1600, "longest side in pixels a stored photo is scaled down to"),
    Setting(
        "COMPRESS",
        True,
        "send pages, JSON, scripts and styles brotli- or gzip-compressed (off if a proxy compresses)",
    ),
    Setting(
        "SIGNATURE_REQUIRED",
        True,
        "the phone asks the inspector to sign before submitting (the plain form, without JavaScript, cannot)",
    ),
    Setting(
        "PDF_FONT",
        None,
        "CJK font for checklist PDFs: a file path, '#N' picks a face of a .ttc "
        "(default: Noto Sans CJK SC from fonts-noto-cjk)",
    ),
    Setting(
        "SESSION_COOKIE_SECURE", False, "send the session cookie over HTTPS only (set true behind HTTPS)"
    ),
    Setting(
        "PERMANENT_SESSION_LIFETIME",
        12 * 3600,
        "seconds a sign-in lasts, counted from signing in (activity does not extend it)",
    ),
    Setting("SECRET_KEY", None, "signs sessions; generated once into the instance folder if unset"),
    Setting(
        "LOGIN_ACCOUNT_MAX_FAILURES",
        5,
        "failed sign-ins to one account within the window that lock it (known or not)",
    ),
    Setting(
        "LOGIN_ADDRESS_MAX_FAILURES",
        20,
        "failed sign-ins from one client address within the window that lock that address",
    ),
    Setting("LOGIN_FAILURE_WINDOW_MINUTES", 15, "minutes a failed sign-in counts towards a lock"),
    Setting(
        "LOGIN_LOCKOUT_MINUTES",
        15,
        "minutes a locked account or address is refused, even with the right password",
    ),
    Setting("ACTION_DAYS", 3, "days to fix a failed item when its check gives no 整改期限"),
    Setting(
        "PUBLIC_BASE_URL",
        "http://127.0.0.1:8000",
        "the app's address as people open it: links in group-chat messages start with it",
    ),
    Setting("NOTIFY_DAILY_AT", "18:00", "when the day's and the week-to-date rankings go to the group chats"),
    Setting("NOTIFY_WEEKLY_DAY", 6, "weekday (1 = Monday … 7 = Sunday) the week's average ranking is sent"),
    Setting("NOTIFY_WEEKLY_AT", "18:00", "time of day the week's average ranking is sent"),
    Setting("NOTIFY_MAX_ATTEMPTS", 6, "tries before a group-chat message is given up (failed)"),
    Setting(
        "NOTIFY_RETRY_SECONDS", 60, "wait before the first retry of a message; doubled after each failure"
    ),
    Setting("NOTIFY_POLL_SECONDS", 10.0, "seconds the sender process sleeps between looks at the queue"),
    Setting("NOTIFY_TIMEOUT_SECONDS", 10.0, "seconds to wait for a chat platform's answer"),
    Setting(
        "NOTIFY_EXTRA_HOSTS",
        "",
        "more webhook hosts allowed besides the three platforms' own (comma-separated; tests: 127.0.0.1)",
    ),
)


def defaults() -> dict:
    """The default configuration (before environment and test overrides)."""
    values = {s.name: s.default for s in SETTINGS}
    values.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A sign-in lasts PERMANENT_SESSION_LIFETIME from the moment of signing in (auth.load_user),
        # not from the last request: a copied cookie must not live for ever.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # tie tokens to the session: a draft queued for hours must still submit
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    return values


class SettingError(ValueError):
    """A setting whose value cannot be used; the message (in Chinese) says which and how to fix it."""


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def parse_setting(variable: str, default: object, raw: str) -> object:
    """``raw``, the text of environment variable ``variable``, read by the type of ``default``."""
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SettingError(
            f"环境变量 {variable} 的值“{raw}”无法识别：请写 true 或 false（也可写 1/0、yes/no、on/off）。"
        )
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise SettingError(
                f"环境变量 {variable} 的值“{raw}”不是整数：请写一个整数，例如 {default}。"
            ) from None
    if isinstance(default, float):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise SettingError(f"环境变量 {variable} 的值“{raw}”不是数字：请写一个数，例如 {default}。")
        return value
    return raw


def from_environment(config: dict, prefix: str = "CHECKLIST_", environ=None) -> None:
    """Apply ``CHECKLIST_*`` environment variables to ``config``.

    Documented settings are read by the type of their default (:func:`parse_setting`).
    Any other variable is read as Flask's ``from_prefixed_env`` reads it: JSON where
    the text is JSON, else the text.
    """
    environ = os.environ if environ is None else environ
    known = {s.name: s.default for s in SETTINGS}
    for variable in sorted(environ):
        if not variable.startswith(prefix):
            continue
        name, raw = variable[len(prefix) :], environ[variable]
        if name in known:
            config[name] = parse_setting(variable, known[name], raw)
            continue
        try:
            config[name] = json.loads(raw)
        except ValueError:
            config[name] = raw


def _read_secret_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise SettingError(
            f"密钥文件 {path} 是空的，不能用来签名登录会话。请删除这个文件后重新启动（会自动生成新密钥，"
            "所有人需要重新登录），或用环境变量 CHECKLIST_SECRET_KEY 设置密钥。"
        )
    return key


def secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, created on first start (never a public default).

    Several worker processes start at once: the key is written to a temporary file
    in the same folder, fsynced, then hard-linked to its final name, so the file
    appears complete or not at all. A process that loses the race reads the
    winner's complete file. An empty key file is an error, never an empty key.
    """
    path = Path(instance_path) / "secret_key"
    try:
        return _read_secret_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another worker process won the race
            return _read_secret_key(path)
    finally:
        os.unlink(tmp)
    fsync_dir(path.parent)
    return key
