"""The decided-fines store's contract for every backend: one decision per line, the latest wins."""

from __future__ import annotations

import pytest

from checklist_app.storage import open_storage
from checklist_app.storage.decisions import FileDecisionStore


@pytest.fixture(params=["memory", "tinydb"])
def store(request, tmp_path):
    return open_storage(request.param, tmp_path / "data").decisions


def test_a_decision_is_kept_per_line_and_a_later_one_replaces_it(store):
    assert store.decide("r1#a", {"amount": 150}) is None
    store.decide("r2#a", {"amount": 100})
    assert store.decide("r1#a", {"amount": 200}) == {"amount": 150}
    assert store.all() == {"r1#a": {"amount": 200}, "r2#a": {"amount": 100}}


def test_returned_decisions_are_copies(store):
    store.decide("r1#a", {"amount": 150})
    store.all()["r1#a"]["amount"] = 1
    assert store.all()["r1#a"]["amount"] == 150


def test_the_file_store_is_shared_between_instances(tmp_path):
    FileDecisionStore(tmp_path).decide("r1#a", {"amount": 150})
    assert FileDecisionStore(tmp_path).all() == {"r1#a": {"amount": 150}}
