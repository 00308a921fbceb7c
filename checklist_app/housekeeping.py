"""Housekeeping: opened checklists nobody submitted are removed after the retention period.

Each worker sweeps at start and then at most once per ``INTERVAL`` while it serves
requests; the sweep is idempotent and safe against other workers writing, so
several workers sweeping at once only repeat each other's work.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from flask import Flask, current_app

from .storage import Storage

INTERVAL = 6 * 3600  # seconds between sweeps in one worker process


def pin_completed(storage: Storage) -> int:
    """Pin the snapshot of every completed checklist (records stored before snapshots were pinned)."""
    pinned = 0
    for record in storage.completions.list(dt.date.min, dt.date.max):
        snapshot_id = record.get("snapshot_id")
        if isinstance(snapshot_id, str) and storage.snapshots.pin(snapshot_id):
            pinned += 1
    return pinned


def sweep(storage: Storage, now: dt.datetime, retention_days: float) -> int:
    """Remove started pointers and unpinned snapshots older than the retention period; how many."""
    cutoff = now - dt.timedelta(days=float(retention_days))
    pointers = storage.started.sweep(cutoff)
    return pointers + storage.snapshots.sweep(cutoff, storage.started.snapshot_ids)


def init_app(app: Flask) -> None:
    """Sweep at start, then from time to time on a request."""
    lock = threading.Lock()
    last = [0.0]

    marker = Path(app.config["DATA_DIR"]) / ".snapshots-pinned-v1"

    def run() -> None:
        store = app.extensions["checklist_storage"]
        clock = app.extensions["checklist_clock"]
        if app.config["STORAGE"] == "tinydb" and not marker.exists():
            # Once per data folder: records stored before pinning existed keep their snapshots.
            app.logger.info("housekeeping: pinned %d completed checklists' snapshots", pin_completed(store))
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        removed = sweep(store, clock.now(), app.config["SNAPSHOT_RETENTION_DAYS"])
        if removed:
            app.logger.info("housekeeping: removed %d unsubmitted checklist snapshots", removed)

    def maybe_run() -> None:
        now = time.monotonic()
        if now - last[0] < INTERVAL or not lock.acquire(blocking=False):
            return
        try:
            last[0] = now
            run()
        except OSError as exc:  # a full or read-only disk must not fail the request
            current_app.logger.warning("housekeeping failed: %s", exc)
        finally:
            lock.release()

    if not app.extensions.get("checklist_schema_problem"):  # no tables yet: `db upgrade` first
        maybe_run()
    app.before_request(maybe_run)
