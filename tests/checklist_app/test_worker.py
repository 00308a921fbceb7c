"""A server worker's start: its first page costs what any other does, and a publish frees the old model."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from checklist_app import generation, worker
from checklist_app.extensions import handbook_state
from checklist_app.reporting import missed

from .conftest import DAY, publish


@pytest.fixture
def ready(app):
    """``app`` after gunicorn's worker start (checklist_app.wsgi); unfrozen again afterwards."""
    thresholds = gc.get_threshold()
    worker.ready(app)
    yield app
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    worker._state["frozen"] = False


def test_a_ready_worker_knows_every_targets_checks_and_the_fortnights_due_checklists(ready):
    with ready.app_context():
        handbook = handbook_state().handbook
    assert generation._checks_for["handbook"] is handbook
    assert set(generation._checks_for["targets"]) == set(generation.targets(handbook))
    assert all(found is not None for found in generation._checks_for["targets"].values())
    first = DAY - dt.timedelta(days=worker.RECENT_DAYS - 1)
    remembered = set(missed._cache["due"])
    fortnight = {("daily", (first + dt.timedelta(days=n)).isoformat()) for n in range(worker.RECENT_DAYS)}
    assert fortnight <= remembered
    assert ("weekly", generation.iso_week(DAY)) in remembered


def test_its_start_up_objects_are_out_of_the_collectors_scans(ready):
    assert gc.get_freeze_count() > 10_000  # the model, the templates, the modules


def test_a_report_page_is_not_interrupted_by_a_collection_every_700_objects(ready):
    assert gc.get_threshold()[0] == worker.YOUNG_OBJECTS >= 10_000


def test_after_a_publish_the_new_model_is_warmed_and_the_old_one_can_be_collected(ready, client, auth):
    with ready.app_context():
        old = handbook_state().handbook
    publish(ready, quick=True)
    auth.login("zhang")
    assert client.get("/").status_code == 200  # the worker follows the pointer
    with ready.app_context():
        new = handbook_state().handbook
    assert new is not old
    assert generation._checks_for["handbook"] is new
    assert gc.get_freeze_count() > 10_000  # frozen again, after a collection that could free the old
