"""The corrective-action store's contract for every backend: opened once, changed from the revision read."""

from __future__ import annotations

import multiprocessing

import pytest

from checklist_app.storage import StaleAction, open_storage
from checklist_app.storage.actions import FileActionStore


@pytest.fixture(params=["memory", "tinydb"])
def store(request, tmp_path):
    return open_storage(request.param, tmp_path / "data").actions


def action(ref: str, status: str = "open", **extra) -> dict:
    return {"id": ref, "status": status, "history": [], **extra}


def test_actions_are_opened_with_a_revision_and_listed_in_order(store):
    assert store.open_many([action("r1#a"), action("r1#b")]) == 2
    assert [(a["id"], a["rev"]) for a in store.all()] == [("r1#a", 1), ("r1#b", 1)]
    assert store.get("r1#b")["status"] == "open"
    assert store.get("r9#z") is None


def test_opening_an_action_again_neither_duplicates_nor_resets_it(store):
    """A retried submission opens its record's actions again: the one already being fixed stays fixed."""
    store.open_many([action("r1#a")])
    store.update("r1#a", 1, lambda a: {**a, "status": "fixed"})
    assert store.open_many([action("r1#a"), action("r1#a"), action("r2#a")]) == 1
    assert [(a["id"], a["status"]) for a in store.all()] == [("r1#a", "fixed"), ("r2#a", "open")]


def test_an_update_needs_the_revision_it_was_read_at(store):
    store.open_many([action("r1#a")])
    first = store.update("r1#a", 1, lambda a: {**a, "status": "fixed"})
    assert first["rev"] == 2
    with pytest.raises(StaleAction):  # a second tap on a page read before the first
        store.update("r1#a", 1, lambda a: {**a, "status": "verified"})
    with pytest.raises(StaleAction):
        store.update("nope", 1, lambda a: a)
    assert store.get("r1#a")["status"] == "fixed"


def test_an_update_cannot_change_the_id_or_the_revision(store):
    store.open_many([action("r1#a")])
    stored = store.update("r1#a", 1, lambda a: {**a, "id": "other", "rev": 99})
    assert (stored["id"], stored["rev"]) == ("r1#a", 2)
    assert store.get("other") is None


def test_returned_actions_are_copies(store):
    store.open_many([action("r1#a")])
    store.all()[0]["status"] = "changed"
    store.get("r1#a")["history"].append("x")
    assert store.get("r1#a") == {"id": "r1#a", "status": "open", "history": [], "rev": 1}


def _fix_many(directory: str, worker: int) -> None:
    store = FileActionStore(directory)
    store.open_many([action(f"r{worker}#{n}") for n in range(10)])
    for n in range(10):
        current = store.get(f"r{worker}#{n}")
        store.update(current["id"], current["rev"], lambda a: {**a, "status": "fixed"})


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_fix_many, args=(str(tmp_path), i)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    stored = FileActionStore(tmp_path).all()
    assert len(stored) == 30 and {a["status"] for a in stored} == {"fixed"}
