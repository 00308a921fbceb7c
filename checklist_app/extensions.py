"""Extensions created unbound, and accessors for the per-app services (storage, handbook)."""

from __future__ import annotations

from flask import current_app
from flask_wtf.csrf import CSRFProtect

from .handbook_source import HandbookSource, HandbookState
from .storage import Storage

csrf = CSRFProtect()


def storage() -> Storage:
    """The app's storage repositories."""
    return current_app.extensions["checklist_storage"]


def handbook_source() -> HandbookSource:
    return current_app.extensions["checklist_handbook"]


def handbook_state() -> HandbookState:
    """The current model (last good one) and any problems in the files on disk."""
    return handbook_source().state
