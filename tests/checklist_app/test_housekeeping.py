"""Opened checklists nobody submitted are removed after the retention period; submitted ones stay."""

from __future__ import annotations

import datetime as dt

from checklist_app import housekeeping, services
from checklist_app.extensions import storage

from .conftest import form_answers, form_fields, item_keys

OPEN = "/checklists/daily/2026-11-23/role:售后客服"
DONE = "/checklists/daily/2026-11-23/role:售前客服"


def _snapshot_id(html: str) -> str:
    return form_fields(html)["snapshot_id"]


def test_unsubmitted_checklists_go_after_the_retention_period_and_submitted_ones_stay(
    app, client, auth, clock
):
    auth.login("zhang")
    opened = client.get(OPEN).get_data(as_text=True)
    done = client.get(DONE).get_data(as_text=True)
    client.post("/checklists/submit", data=form_fields(done) | form_answers(item_keys(done)))
    with app.app_context():
        snapshots, started = storage().snapshots, storage().started
        pointer = services.started_key(f"daily|2026-11-23|role:售后客服|{'客服主管'}", "zhang")
        assert started.get(pointer) is not None
        assert started.get(services.started_key("daily|2026-11-23|role:售前客服|客服主管", "zhang")) is None
        # 29 days on, nothing is old enough yet.
        assert housekeeping.sweep(storage(), clock.now() + dt.timedelta(days=29), 30) == 0
        removed = housekeeping.sweep(storage(), clock.now() + dt.timedelta(days=31), 30)
        assert removed == 3  # the open checklist: its two started pointers and its snapshot
        assert started.get(pointer) is None and snapshots.get(_snapshot_id(opened)) is None
        assert snapshots.get(_snapshot_id(done)) is not None  # a record refers to it: kept


def test_a_page_view_after_a_sweep_starts_afresh(app, client, auth, clock):
    auth.login("zhang")
    client.get(OPEN)
    with app.app_context():
        housekeeping.sweep(storage(), clock.now() + dt.timedelta(days=31), 30)
    assert client.get(OPEN).status_code == 200


def test_records_stored_before_pinning_existed_keep_their_snapshots(app, client, auth, clock):
    auth.login("zhang")
    done = client.get(DONE).get_data(as_text=True)
    client.post("/checklists/submit", data=form_fields(done) | form_answers(item_keys(done)))
    with app.app_context():
        snapshots = storage().snapshots
        snapshot = snapshots.get(_snapshot_id(done))
        snapshots.delete(_snapshot_id(done))  # as an old data folder has it: stored, never pinned
        snapshots.put(_snapshot_id(done), snapshot)
        assert housekeeping.pin_completed(storage()) == 1
        housekeeping.sweep(storage(), clock.now() + dt.timedelta(days=400), 30)
        assert snapshots.get(_snapshot_id(done)) is not None
