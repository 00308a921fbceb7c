"""One configuration object: code defaults, then ``CHECKLIST_*`` environment variables, then test dicts."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """A documented setting; the README lists every one (a test checks it)."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("HANDBOOK_DIR", str(PROJECT / "handbook"), "the Markdown handbook the checklists come from"),
    Setting("SITE_DIR", str(PROJECT / "site"), "the built handbook site served under /handbook/"),
    Setting("DATA_DIR", None, "where completed checklists live (default: <instance>/data)"),
    Setting("STORAGE", "tinydb", "storage backend: tinydb (embedded default) or memory (tests)"),
    Setting("RELOAD_INTERVAL", 2.0, "seconds between checks of handbook/ for edits"),
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
    Setting(
        "PDF_FONT",
        None,
        "CJK font for checklist PDFs: a file path, '#N' picks a face of a .ttc "
        "(default: Noto Sans CJK SC from fonts-noto-cjk)",
    ),
    Setting(
        "SESSION_COOKIE_SECURE", False, "send the session cookie over HTTPS only (set true behind HTTPS)"
    ),
    Setting("PERMANENT_SESSION_LIFETIME", 12 * 3600, "seconds a sign-in lasts"),
    Setting("SECRET_KEY", None, "signs sessions; generated once into the instance folder if unset"),
)


def defaults() -> dict:
    """The default configuration (before environment and test overrides)."""
    values = {s.name: s.default for s in SETTINGS}
    values.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # tie tokens to the session: a draft queued for hours must still submit
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    return values


def secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, created on first start (never a public default)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker process won the race
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
