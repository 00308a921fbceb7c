"""The reading-acknowledgement store's contract, run against every backend."""

from __future__ import annotations

import pytest

from checklist_app.storage import open_storage


@pytest.fixture(params=["memory", "tinydb"])
def store(request, tmp_path):
    return open_storage(request.param, tmp_path / "data").reading


def ack(user="zhang", policy="cs-service", version="2.0", clauses=None, at="2026-11-23T09:30:00+08:00"):
    return {
        "username": user,
        "policy_id": policy,
        "version": version,
        "clauses": clauses or {"cs-response": "h1"},
        "at": at,
        "release": 1,
    }


def test_an_acknowledgement_is_stored_once_however_often_it_is_tapped(store):
    first, created = store.add(ack())
    again, created_again = store.add(ack(at="2026-11-23T09:31:00+08:00"))
    assert created and not created_again and again == first
    assert len(store.all()) == 1


def test_the_latest_acknowledgement_of_each_person_and_policy_counts(store):
    store.add(ack())
    store.add(ack(version="2.1", clauses={"cs-response": "h2"}, at="2026-11-24T09:00:00+08:00"))
    store.add(ack(user="wang", policy="wh-safety"))
    latest = store.latest()
    assert latest[("zhang", "cs-service")]["version"] == "2.1"
    assert set(latest) == {("zhang", "cs-service"), ("wang", "wh-safety")}
    assert [a["version"] for a in store.all()] == ["2.0", "2.1", "2.0"]  # nothing is overwritten


def test_what_is_returned_cannot_change_what_is_stored(store):
    stored, _ = store.add(ack())
    stored["clauses"]["cs-response"] = "tampered"
    assert store.all()[0]["clauses"] == {"cs-response": "h1"}


def test_a_second_worker_sees_the_first_ones_acknowledgements(tmp_path):
    first = open_storage("tinydb", tmp_path / "data").reading
    second = open_storage("tinydb", tmp_path / "data").reading
    first.add(ack())
    assert second.all()[0]["username"] == "zhang"
    assert second.add(ack())[1] is False
