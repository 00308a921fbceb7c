"""The corrective-action store's contract for every backend: opened once, changed from the revision read,
and asked only for what a page shows (re-checks, a record's actions, the card, the reminder, the list)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from checklist_app.storage import StaleAction, open_storage
from checklist_app.storage.actions import ActionCounts, Facet
from checklist_app.storage.pg import database

from .shared import open_shared


@pytest.fixture
def store(backend, open_backend):
    return open_backend(backend).actions


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


def _fix_many(location: str, worker: int) -> None:
    store = open_shared(location).actions
    store.open_many([action(f"r{worker}#{n}") for n in range(10)])
    for n in range(10):
        current = store.get(f"r{worker}#{n}")
        store.update(current["id"], current["rev"], lambda a: {**a, "status": "fixed"})


def test_concurrent_writers_in_several_processes_lose_nothing(shared_location):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_fix_many, args=(shared_location, i)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    stored = open_shared(shared_location).actions.all()
    assert len(stored) == 30 and {a["status"] for a in stored} == {"fixed"}


def test_load_keeps_revisions_and_skips_known_actions(store):
    copied = [{"id": "r1#a", "status": "fixed", "history": [], "rev": 3}]
    assert store.load(copied) == 1
    assert store.load(copied) == 0  # a copy run again
    assert store.get("r1#a")["rev"] == 3


# --- the queries the pages ask ------------------------------------------------------------------

DESK = ("department", "客服部")
DAY = dt.date(2026, 11, 20)


def found(
    ref: str,
    on: str,
    status: str = "open",
    *,
    kind: str = "daily",
    target=DESK,
    scope: str = "self",
    due: str | None = None,
    **extra,
) -> dict:
    """An action as the app opens it: found on ``on``, due three days later unless ``due`` says."""
    due = due or (dt.date.fromisoformat(on) + dt.timedelta(days=3)).isoformat()
    return {
        "id": ref,
        "record_id": ref.partition("#")[0],
        "item_key": ref.partition("#")[2],
        "kind": kind,
        "target": {"kind": target[0], "name": target[1]},
        "scope": scope,
        "department": "客服部",
        "owner_role": "客服主管",
        "inspector": "li",
        "responsible_id": "p1",
        "policy_id": "hygiene",
        "policy_title": "卫生制度",
        "found_on": on,
        "due_on": due,
        "status": status,
        "history": [],
        **extra,
    }


def ids(actions) -> list[str]:
    return [a["id"] for a in actions]


def test_a_checklist_re_checks_what_is_not_verified_from_earlier_checklists_of_its_kind_target_and_checker(
    store,
):
    store.open_many(
        [
            found("r3#a", "2026-11-18"),
            found("r1#b", "2026-11-10", "fixed"),
            found("r1#a", "2026-11-10"),
            found("r2#a", "2026-11-12", "verified"),  # closed
            found("r4#a", "2026-11-20"),  # found on the day itself: that checklist's own failure
            found("r5#a", "2026-11-11", kind="weekly"),
            found("r6#a", "2026-11-11", target=("department", "仓储部")),
            found("r7#a", "2026-11-11", target=("role", "客服部")),  # same name, another kind of target
            found("r8#a", "2026-11-11", scope="lead"),
        ]
    )
    rechecked = store.for_recheck("daily", "department:客服部", "self", DAY)
    assert ids(rechecked) == ["r1#a", "r1#b", "r3#a"]  # found first first, then by id
    assert rechecked[1]["status"] == "fixed"
    assert (
        ids(store.for_recheck("daily", "department:客服部", "self", DAY + dt.timedelta(days=1)))[-1] == "r4#a"
    )
    assert ids(store.for_recheck("daily", "role:客服部", "self", DAY)) == ["r7#a"]
    assert store.for_recheck("daily", "department:客服部", "self", dt.date(2026, 11, 10)) == []


def test_a_verified_action_is_no_longer_re_checked_and_a_returned_one_is_again(store):
    store.open_many([found("r1#a", "2026-11-10")])
    store.update("r1#a", 1, lambda a: {**a, "status": "verified"})
    assert store.for_recheck("daily", "department:客服部", "self", DAY) == []
    store.load([found("r2#a", "2026-11-11", "fixed", rev=4)])  # copied from another backend
    assert ids(store.for_recheck("daily", "department:客服部", "self", DAY)) == ["r2#a"]


def test_a_records_actions_are_those_whose_id_starts_with_its_id_and_a_hash(store):
    store.open_many(
        [
            found("r1#b", "2026-11-10"),
            found("r10#a", "2026-11-10"),
            found("r1#a", "2026-11-10"),
            found("r1x", "2026-11-10"),
        ]
    )
    assert ids(store.for_record("r1")) == ["r1#b", "r1#a"]  # in the order opened; not r10's, not r1x
    assert ids(store.for_record("r10")) == ["r10#a"]
    assert store.for_record("r") == [] and store.for_record("r2") == []


def test_the_ledger_asks_which_of_its_lines_have_an_action(store):
    store.open_many([found("r1#a", "2026-11-10"), found("r2#a", "2026-11-10")])
    assert store.existing(["r1#a", "r1#b", "r2#a", "r2#a"]) == frozenset({"r1#a", "r2#a"})
    assert store.existing(["R1#A", "r1#", "r1", None, 7]) == frozenset()
    assert store.existing([]) == frozenset()
    assert store.ids() == frozenset({"r1#a", "r2#a"})


def test_the_card_counts_what_is_not_verified_and_what_is_overdue_and_names_the_oldest(store):
    assert store.counts(DAY) == ActionCounts(0, 0, None)
    store.open_many(
        [
            found("r1#a", "2026-11-01", "verified"),  # closed: not counted, not the oldest
            found("r3#a", "2026-11-05", due="2026-11-19"),  # open, due yesterday: overdue
            found("r2#a", "2026-11-05", due="2026-11-20"),  # open, due today: not yet overdue
            found("r4#a", "2026-11-06", "fixed", due="2026-11-08"),  # fixed: waits for the inspector
        ]
    )
    counts = store.counts(DAY)
    assert (counts.waiting, counts.overdue) == (3, 1)
    assert counts.oldest["id"] == "r2#a"  # found on the same day as r3#a: the first by id
    assert store.counts(DAY + dt.timedelta(days=1))[:2] == (3, 2)


def test_the_daily_reminder_reads_the_open_actions_due_by_the_day(store):
    store.open_many(
        [
            found("r1#a", "2026-11-01", due="2026-11-21"),  # due tomorrow
            found("r2#a", "2026-11-01", due="2026-11-20"),  # due today
            found("r3#a", "2026-11-01", due="2026-11-02"),  # overdue
            found("r4#a", "2026-11-01", "fixed", due="2026-11-02"),  # fixed: not the owner's any more
            found("r5#a", "2026-11-01", "verified", due="2026-11-02"),
        ]
    )
    assert ids(store.due(DAY)) == ["r2#a", "r3#a"]  # in the order opened
    assert ids(store.due(DAY - dt.timedelta(days=18))) == ["r3#a"]


def test_the_list_selects_by_status_overdue_department_and_policy(store):
    store.open_many(
        [
            found("r1#a", "2026-11-01", due="2026-11-19"),
            found("r2#a", "2026-11-01", "fixed", due="2026-11-02"),
            found("r3#a", "2026-11-01", "verified"),
            found("r4#a", "2026-11-01", due="2026-11-20", department="仓储部", policy_id="safety"),
        ]
    )
    assert ids(store.select()) == ["r1#a", "r2#a", "r3#a", "r4#a"]
    assert ids(store.select(waiting=True)) == ["r1#a", "r2#a", "r4#a"]
    assert ids(store.select(("verified",))) == ["r3#a"]
    assert ids(store.select(("verified",), waiting=True)) == []
    assert ids(store.select(overdue_on=DAY)) == ["r1#a"]  # open and due before the day
    assert ids(store.select(overdue_on=DAY + dt.timedelta(days=1))) == ["r1#a", "r4#a"]
    assert ids(store.select(department="仓储部")) == ["r4#a"]
    assert ids(store.select(policy_id="hygiene", waiting=True)) == ["r1#a", "r2#a"]
    assert store.select(()) == []


def test_the_lists_facets_are_what_its_choices_and_its_permission_check_read(store):
    store.open_many(
        [
            found("r1#a", "2026-11-01"),
            found("r2#a", "2026-11-02", "verified"),  # the same facet
            found("r3#a", "2026-11-03", department=None, inspector="wang", policy_title="卫生"),
        ]
    )
    assert store.facets() == {
        Facet("客服部", "客服主管", "li", "p1", "hygiene", "卫生制度"),
        Facet(None, "客服主管", "wang", "p1", "hygiene", "卫生"),
    }


def test_what_the_queries_return_are_copies(store):
    store.open_many([found("r1#a", "2026-11-10")])
    store.for_recheck("daily", "department:客服部", "self", DAY)[0]["history"].append("x")
    store.for_record("r1")[0]["status"] = "changed"
    store.due(DAY)[0]["target"]["name"] = "changed"
    store.counts(DAY).oldest["history"].append("y")
    store.select()[0]["note"] = "changed"
    assert store.get("r1#a") == {**found("r1#a", "2026-11-10"), "rev": 1}


def _verify_all(location: str) -> None:
    store = open_shared(location).actions
    for action in store.for_recheck("daily", "department:客服部", "self", DAY):
        store.update(action["id"], action["rev"], lambda a: {**a, "status": "verified"})


def test_another_process_s_change_is_seen_by_the_next_query(shared_location):
    """A worker answers from what it parsed only while the file is unchanged (TinyDB) or from SQL."""
    store = open_shared(shared_location).actions
    store.open_many([found("r1#a", "2026-11-10"), found("r2#a", "2026-11-11")])
    assert store.counts(DAY).waiting == 2
    worker = multiprocessing.get_context("spawn").Process(target=_verify_all, args=(shared_location,))
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0
    assert store.counts(DAY) == ActionCounts(0, 0, None)
    assert store.for_recheck("daily", "department:客服部", "self", DAY) == []


def test_migration_0010_fills_the_columns_of_actions_stored_before_it(open_backend):
    store = open_backend("postgresql").actions
    store.open_many(
        [
            found("r1#a", "2026-11-10", due="2026-11-12"),
            found("r2#a", "2026-11-11", "fixed", target=("role", "售前客服")),
            found("r3#a", "2026-11-01", "verified"),
            {"id": "r4#a", "status": "open", "history": []},  # no days, no target: found by no query
        ]
    )
    questions = [
        lambda: store.for_recheck("daily", "department:客服部", "self", DAY),
        lambda: store.for_recheck("daily", "role:售前客服", "self", DAY),
        lambda: store.counts(DAY),
        lambda: store.due(DAY),
        lambda: store.select(overdue_on=DAY),
        lambda: store.select(department="客服部"),
        lambda: store.facets(),
    ]
    before = [ask() for ask in questions]
    sql = (Path(database.__file__).parent / "migrations" / "0010_action_queries.sql").read_text("utf-8")
    backfill = sql[sql.index("UPDATE actions SET") : sql.index(";", sql.index("UPDATE actions SET"))]
    with store.db.transaction() as cur:
        cur.execute(
            "UPDATE actions SET kind = NULL, target = NULL, scope = NULL, status = '', found_on = NULL,"
            " due_on = NULL, department = NULL, owner_role = NULL, inspector = NULL,"
            " responsible_id = NULL, policy_id = NULL, policy_title = NULL"
        )
        cur.execute(backfill)
    assert ids(before[0]) == ["r1#a"] and ids(before[1]) == ["r2#a"] and before[2].waiting == 3
    assert [ask() for ask in questions] == before


def test_a_file_worker_answers_after_its_own_change_what_every_other_worker_reads(tmp_path):
    """The writing worker keeps what it wrote instead of parsing the file again: it must be the same."""
    writer, reader = (open_storage("tinydb", tmp_path).actions for _ in range(2))
    writer.open_many([found("r1#a", "2026-11-10", photos=("p1",))])
    writer.update("r1#a", 1, lambda a: {**a, "history": [*a["history"], {"kind": "fix", "photos": ("p2",)}]})
    assert writer.get("r1#a") == reader.get("r1#a")
    assert writer.get("r1#a")["history"][-1]["photos"] == ["p2"]
    assert writer.for_record("r1") == reader.for_record("r1") and ids(writer.for_record("r1")) == ["r1#a"]
