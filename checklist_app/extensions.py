"""Extensions created unbound, and accessors for the per-app services (storage, handbook)."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app

from generator import Handbook

from .clock import Clock
from .csrf_tokens import MaskedCSRFProtect
from .handbook_source import HandbookSource, HandbookState
from .storage import Storage

csrf = MaskedCSRFProtect()  # tokens masked per response, so pages can be compressed (BREACH)


def storage() -> Storage:
    """The app's storage repositories."""
    return current_app.extensions["checklist_storage"]


def handbook_source() -> HandbookSource:
    return current_app.extensions["checklist_handbook"]


def handbook_state() -> HandbookState:
    """The current model (last good one) and any problems in the files on disk."""
    return handbook_source().state


def current_handbook() -> Handbook:
    """The handbook model in use; 503 while no valid handbook has ever loaded."""
    handbook = handbook_state().handbook
    if handbook is None:
        abort(503)
    return handbook


def clock() -> Clock:
    """The app's one clock (tests freeze it)."""
    return current_app.extensions["checklist_clock"]


def today() -> dt.date:
    """Today in the team's time zone: what checklists and reports default to."""
    return clock().today()
