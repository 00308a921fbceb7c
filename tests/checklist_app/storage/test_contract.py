"""The storage contract, run against every backend (a future SQL backend gets it for free)."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from checklist_app.storage import Conflict, RecordFilter

from .writer import SHORT, record


@pytest.fixture
def storage(backend, open_backend):
    return open_backend(backend, [SHORT])


def test_a_new_submission_is_created(storage):
    stored, created = storage.completions.save(record("daily|2026-11-23|role:售前客服", "k1"))
    assert created
    assert stored["id"]
    assert storage.completions.get("daily|2026-11-23|role:售前客服")["id"] == stored["id"]


def test_the_same_idempotency_key_returns_the_stored_submission(storage):
    first, _ = storage.completions.save(record("daily|2026-11-23|role:a", "k1"))
    again = record("daily|2026-11-23|role:a", "k1")
    again["items"] = []  # a replay may differ; the first submission wins
    second, created = storage.completions.save(again)
    assert not created
    assert second == first
    assert len(storage.completions.list(dt.date(2026, 11, 23), dt.date(2026, 11, 23))) == 1


def test_a_second_submission_of_a_completed_checklist_conflicts(storage):
    storage.completions.save(record("daily|2026-11-23|role:a", "k1"))
    with pytest.raises(Conflict) as info:
        storage.completions.save(record("daily|2026-11-23|role:a", "k2"))
    assert info.value.existing["idempotency_key"] == "k1"


def test_list_covers_a_date_range_across_weeks_newest_first(storage):
    for day in ("2026-11-20", "2026-11-23", "2026-11-30", "2026-12-07"):
        storage.completions.save(record(f"daily|{day}|role:a", f"k{day}", day=day))
    found = storage.completions.list(dt.date(2026, 11, 21), dt.date(2026, 11, 30))
    assert [r["day"] for r in found] == ["2026-11-30", "2026-11-23"]


def test_find_by_id(storage):
    stored, _ = storage.completions.save(record("daily|2026-11-23|role:a", "k1"))
    assert storage.completions.find(stored["id"])["identity"] == "daily|2026-11-23|role:a"
    assert storage.completions.find("nope") is None
    assert storage.completions.find("../../etc/passwd") is None


def test_chinese_text_round_trips(storage):
    rec = record("daily|2026-11-23|role:售前客服", "k1")
    rec["items"][0]["note"] = "地面有纸屑，已提醒"
    storage.completions.save(rec)
    stored = storage.completions.get("daily|2026-11-23|role:售前客服")
    assert stored["items"][0]["note"] == "地面有纸屑，已提醒"


def test_users_are_stored_and_listed(storage):
    storage.users.put({"username": "li", "password_hash": "x", "permission": "inspector"})
    storage.users.put({"username": "an", "password_hash": "y", "permission": "admin"})
    storage.users.put({"username": "li", "password_hash": "z", "permission": "inspector"})
    assert storage.users.get("li")["password_hash"] == "z"
    assert [u["username"] for u in storage.users.all()] == ["an", "li"]
    assert storage.users.get("nobody") is None


def test_adding_a_user_never_overwrites_one(storage):
    assert storage.users.add({"username": "li", "password_hash": "x", "permission": "owner"})
    assert not storage.users.add({"username": "li", "password_hash": "y", "permission": "inspector"})
    assert storage.users.get("li") == {"username": "li", "password_hash": "x", "permission": "owner"}
    assert [u["username"] for u in storage.users.all()] == ["li"]


def test_concurrent_adds_of_one_username_store_exactly_one(storage):
    from concurrent.futures import ThreadPoolExecutor

    def add(n):
        return storage.users.add({"username": "li", "password_hash": str(n)})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(add, range(16)))
    assert results.count(True) == 1
    assert storage.users.get("li")["password_hash"] == str(results.index(True))


def test_update_changes_one_user_and_may_read_the_store(storage):
    storage.users.put({"username": "an", "permission": "admin", "session_version": 0})
    storage.users.put({"username": "li", "permission": "admin", "session_version": 0})

    def demote(user):
        others = [u for u in storage.users.all() if u["username"] != user["username"]]
        assert [u["permission"] for u in others] == ["admin"]  # reading inside is allowed
        return {**user, "permission": "inspector", "session_version": user["session_version"] + 1}

    assert storage.users.update("li", demote) == {
        "username": "li",
        "permission": "inspector",
        "session_version": 1,
    }
    assert storage.users.get("li")["session_version"] == 1
    assert storage.users.get("an")["permission"] == "admin"
    assert storage.users.update("nobody", demote) is None
    assert storage.users.get("nobody") is None


def test_an_update_that_raises_or_renames_changes_nothing(storage):
    storage.users.put({"username": "li", "permission": "admin"})

    def refuse(user):
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        storage.users.update("li", refuse)
    with pytest.raises(ValueError):
        storage.users.update("li", lambda user: {**user, "username": "other"})
    assert storage.users.all() == [{"username": "li", "permission": "admin"}]


def test_concurrent_updates_lose_no_increment(storage):
    from concurrent.futures import ThreadPoolExecutor

    storage.users.put({"username": "li", "session_version": 0})

    def bump(_):
        return storage.users.update("li", lambda u: {**u, "session_version": u["session_version"] + 1})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(20)))
    assert storage.users.get("li")["session_version"] == 20


SNAP_A, SNAP_B, SNAP_C = "0123456789abcdef", "fedcba9876543210", "00000000000000aa"
POINTER_A, POINTER_B = "s" + "a" * 24, "s" + "0123456789abcdef01234567"


def test_snapshots_are_write_once(storage):
    storage.snapshots.put(SNAP_A, {"items": [1]})
    storage.snapshots.put(SNAP_A, {"items": [2]})
    assert storage.snapshots.get(SNAP_A) == {"items": [1]}
    assert storage.snapshots.get(SNAP_B) is None


BAD_KEYS = [
    "../x",
    "abc123",
    "",
    "0123456789ABCDEF",  # upper case
    "0123456789abcdeg",
    "0123456789abcdef0",  # 17 characters
    "0123456789abcdef\n",
    "t" + "a" * 24,
    "s" + "a" * 24,  # a started pointer's key: the started store's, never a snapshot
    "s" + "a" * 23,
    "S" + "a" * 24,
    "a" * 300,  # would be "file name too long" on the file system
    "٠١٢٣٤٥٦٧٨٩abcdef",  # Arabic-Indic digits: str.isdigit, but not hex
    "0123456789abcde\x00",
    None,
    123,
    ["0123456789abcdef"],
    {"id": 1},
    b"0123456789abcdef",
]


@pytest.mark.parametrize("key", BAD_KEYS, ids=range(len(BAD_KEYS)))
def test_any_other_key_is_never_found_and_refused(storage, key):
    assert storage.snapshots.get(key) is None
    with pytest.raises(ValueError):
        storage.snapshots.put(key, {"items": []})
    with pytest.raises(ValueError):
        storage.snapshots.pin(key)
    with pytest.raises(ValueError):
        storage.snapshots.delete(key)


def test_a_pinned_snapshot_is_still_found_and_still_write_once(storage):
    assert storage.snapshots.pin(SNAP_A) is False  # nothing to pin
    storage.snapshots.put(SNAP_A, {"items": [1]})
    assert storage.snapshots.pin(SNAP_A) is True
    assert storage.snapshots.pin(SNAP_A) is True  # idempotent
    storage.snapshots.put(SNAP_A, {"items": [2]})
    assert storage.snapshots.get(SNAP_A) == {"items": [1]}


def test_delete_removes_one_snapshot_and_is_idempotent(storage):
    storage.snapshots.put(SNAP_A, {"items": [1]})
    storage.snapshots.put(SNAP_B, {"items": [2]})
    assert storage.snapshots.delete(SNAP_B) is True
    assert storage.snapshots.get(SNAP_B) is None
    assert storage.snapshots.delete(SNAP_B) is False
    assert storage.snapshots.get(SNAP_A) == {"items": [1]}
    storage.snapshots.put(SNAP_B, {"items": [3]})  # a deleted key can be written again
    assert storage.snapshots.get(SNAP_B) == {"items": [3]}
    storage.snapshots.pin(SNAP_A)
    assert storage.snapshots.delete(SNAP_A) is True  # an explicit delete removes a pinned one too
    assert storage.snapshots.get(SNAP_A) is None


SHANGHAI = ZoneInfo("Asia/Shanghai")
CUTOFF = dt.datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # = 01:30 UTC


def _at(moment: dt.datetime) -> str:
    return moment.isoformat()


def _pointer(snapshot_id: str, opened_at: dt.datetime) -> dict:
    return {"snapshot_id": snapshot_id, "identity": "daily|x", "username": "li", "opened_at": _at(opened_at)}


def _sweep(storage, cutoff: dt.datetime) -> int:
    """What housekeeping does: old pointers first, then the snapshots no pointer names."""
    return storage.started.sweep(cutoff) + storage.snapshots.sweep(cutoff, storage.started.snapshot_ids)


def test_sweep_removes_old_pointers_then_old_unpinned_unreferenced_snapshots(storage):
    snaps, started = storage.snapshots, storage.started
    before, after = CUTOFF - dt.timedelta(days=1), CUTOFF + dt.timedelta(minutes=1)
    for snapshot_id in (SNAP_A, SNAP_B, SNAP_C):
        snaps.put(snapshot_id, {"snapshot_id": snapshot_id, "created_at": _at(before)})
    pinned, fresh = "11111111111111aa", "22222222222222aa"
    snaps.put(pinned, {"snapshot_id": pinned, "created_at": _at(before)})
    snaps.pin(pinned)
    snaps.put(fresh, {"snapshot_id": fresh, "created_at": _at(CUTOFF)})  # not *before* the cutoff
    started.put(POINTER_A, _pointer(SNAP_A, before))  # expired: SNAP_A goes with it
    started.put(POINTER_B, _pointer(SNAP_B, CUTOFF))  # still open: keeps the old SNAP_B
    assert _sweep(storage, CUTOFF) == 3  # POINTER_A, SNAP_A, SNAP_C
    assert started.get(POINTER_A) is None and snaps.get(SNAP_A) is None and snaps.get(SNAP_C) is None
    assert started.get(POINTER_B)["snapshot_id"] == SNAP_B
    assert snaps.get(SNAP_B)["snapshot_id"] == SNAP_B
    assert snaps.get(pinned)["snapshot_id"] == pinned
    assert snaps.get(fresh)["snapshot_id"] == fresh
    assert _sweep(storage, CUTOFF) == 0  # idempotent
    assert _sweep(storage, after) == 3  # POINTER_B, then SNAP_B and the fresh one; never the pinned one
    assert snaps.get(pinned)["snapshot_id"] == pinned


def test_a_snapshot_sweep_keeps_what_in_use_names(storage):
    storage.snapshots.put(SNAP_A, {"created_at": _at(CUTOFF - dt.timedelta(days=1))})
    storage.snapshots.put(SNAP_B, {"created_at": _at(CUTOFF - dt.timedelta(days=1))})
    assert storage.snapshots.sweep(CUTOFF, lambda: [SNAP_A]) == 1
    assert storage.snapshots.get(SNAP_A) is not None and storage.snapshots.get(SNAP_B) is None


def test_sweep_compares_moments_across_time_zones(storage):
    utc = dt.UTC
    # 01:00 UTC is 09:00 in Shanghai (before the cutoff); 02:00 UTC is 10:00 (after).
    storage.started.put(POINTER_A, _pointer(SNAP_A, dt.datetime(2026, 11, 23, 1, 0, tzinfo=utc)))
    storage.started.put(POINTER_B, _pointer(SNAP_B, dt.datetime(2026, 11, 23, 2, 0, tzinfo=utc)))
    storage.snapshots.put(SNAP_C, {"created_at": "2026-11-22T20:00:00-05:00"})  # 09:00 in Shanghai
    assert _sweep(storage, CUTOFF) == 2
    assert storage.started.get(POINTER_A) is None and storage.snapshots.get(SNAP_C) is None
    assert storage.started.get(POINTER_B) is not None


def test_sweep_needs_an_aware_cutoff(storage):
    with pytest.raises(ValueError):
        storage.snapshots.sweep(dt.datetime(2026, 11, 23, 9, 30))
    with pytest.raises(ValueError):
        storage.snapshots.sweep(dt.date(2026, 11, 23))
    with pytest.raises(ValueError):
        storage.started.sweep(dt.datetime(2026, 11, 23, 9, 30))


def test_facts_cover_a_date_range_oldest_first_and_see_new_saves(storage):
    for day in ("2026-11-23", "2026-11-20", "2026-12-01"):
        storage.completions.save(record(f"daily|{day}|role:a", f"k{day}", day=day))
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [d["day"] for d in storage.completions.facts("short", *span)] == [
        "2026-11-20",
        "2026-11-23",
    ]
    storage.completions.save(record("daily|2026-11-23|role:b", "k-b"))  # a cached day changes
    found = storage.completions.facts("short", *span)
    assert sorted(d["identity"] for d in found) == [
        "daily|2026-11-20|role:a",
        "daily|2026-11-23|role:a",
        "daily|2026-11-23|role:b",
    ]


# Listing cost is proportional to what is stored, not to the days in the range.


EXTREMES = ("0001-01-01", "0001-01-02", "2026-11-23", "2026-11-24", "9999-12-30", "9999-12-31")


def _store_extremes(storage) -> None:
    for n, day in enumerate(EXTREMES):
        rec = record(f"daily|{day}|role:a", f"k{n}", day=day)
        rec["submitted_at"] = f"{day}T10:00:0{n}"
        storage.completions.save(rec)
    storage.completions.save(record("daily|2026-11-23|role:b", "k-b"))  # 10:00:00, before role:a


def test_list_from_the_first_to_the_last_representable_day_is_quick(storage):
    _store_extremes(storage)
    t0 = time.perf_counter()
    found = storage.completions.list(dt.date.min, dt.date.max)
    elapsed = time.perf_counter() - t0
    assert [r["identity"] for r in found] == [
        "daily|9999-12-31|role:a",
        "daily|9999-12-30|role:a",
        "daily|2026-11-24|role:a",
        "daily|2026-11-23|role:a",
        "daily|2026-11-23|role:b",
        "daily|0001-01-02|role:a",
        "daily|0001-01-01|role:a",
    ]
    assert elapsed < 0.5  # one stat per day of the range took minutes
    assert [r["day"] for r in storage.completions.list(dt.date.max, dt.date.max)] == ["9999-12-31"]
    assert [r["day"] for r in storage.completions.list(dt.date.min, dt.date.min)] == ["0001-01-01"]
    assert storage.completions.list(dt.date(2026, 11, 25), dt.date(9999, 12, 29)) == []
    assert storage.completions.list(dt.date.max, dt.date.min) == []


def test_facts_from_the_first_to_the_last_representable_day_are_quick(storage):
    _store_extremes(storage)
    t0 = time.perf_counter()
    found = storage.completions.facts("short", dt.date.min, dt.date.max)
    elapsed = time.perf_counter() - t0
    assert [d["identity"] for d in found] == [
        "daily|0001-01-01|role:a",
        "daily|0001-01-02|role:a",
        "daily|2026-11-23|role:b",
        "daily|2026-11-23|role:a",
        "daily|2026-11-24|role:a",
        "daily|9999-12-30|role:a",
        "daily|9999-12-31|role:a",
    ]
    assert elapsed < 0.5
    assert storage.completions.facts("short", dt.date(9999, 12, 31), dt.date.max) == [
        {"identity": "daily|9999-12-31|role:a", "day": "9999-12-31"}
    ]


# Records are found by identity or id alone, and queried with filters the store answers.


def test_a_record_is_found_by_its_identity_alone_whatever_its_kind(storage):
    for identity, day in (
        ("daily|2026-11-23|role:a|*", "2026-11-23"),
        ("weekly|2026-W48|department:客服部|*", "2026-11-23"),
        ("event|2026-11-25/活动上线前|role:a|*", "2026-11-25"),
    ):
        storage.completions.save(record(identity, f"k-{identity}", day=day))
        assert storage.completions.get(identity)["day"] == day
    assert storage.completions.get("weekly|2026-W49|department:客服部|*") is None
    assert storage.completions.get("no identity") is None


def test_record_ids_name_their_day_and_are_kept_as_given(storage):
    stored, _ = storage.completions.save(record("daily|2026-11-23|role:a", "k1"))
    day, _, rest = stored["id"].partition(".")
    assert day == "2026-11-23" and len(rest) == 12
    old = dict(record("daily|2026-11-24|role:a", "k2", day="2026-11-24"), id="2026-11-24.0123456789ab")
    storage.completions.save(old)  # a record copied from another backend keeps its printed id
    assert storage.completions.find("2026-11-24.0123456789ab")["identity"] == "daily|2026-11-24|role:a"


def _targeted(identity: str, key: str, target: str, inspector: str) -> dict:
    return dict(record(identity, key), target={"kind": "role", "name": target}, inspector=inspector)


def test_history_and_facts_are_filtered_by_target_and_inspector(storage):
    storage.completions.save(_targeted("daily|2026-11-23|role:a", "k1", "a", "li"))
    storage.completions.save(_targeted("daily|2026-11-23|role:b", "k2", "b", "li"))
    storage.completions.save(_targeted("daily|2026-11-23|role:b|x", "k3", "b", "wang"))
    span = (dt.date(2026, 11, 23), dt.date(2026, 11, 23))
    by_target = RecordFilter(target=("role", "b"))
    assert sorted(r["identity"] for r in storage.completions.list(*span, by_target)) == [
        "daily|2026-11-23|role:b",
        "daily|2026-11-23|role:b|x",
    ]
    both = RecordFilter(target=("role", "b"), inspector="li")
    assert [r["identity"] for r in storage.completions.list(*span, both)] == ["daily|2026-11-23|role:b"]
    assert [f["identity"] for f in storage.completions.facts("short", *span, both)] == [
        "daily|2026-11-23|role:b"
    ]
    assert storage.completions.list(*span, RecordFilter(inspector="zhao")) == []


def _a_fortnight(storage) -> list[str]:
    """Three checklists a day for 14 days (li, li, wang); their identities newest first, as listed."""
    saved = []
    for n in range(14):
        day = (dt.date(2026, 11, 10) + dt.timedelta(days=n)).isoformat()
        for target, inspector in (("a", "li"), ("b", "li"), ("c", "wang")):
            identity = f"daily|{day}|role:{target}"
            storage.completions.save(dict(_targeted(identity, f"k-{identity}", target, inspector), day=day))
            saved.append(identity)
    return [r["identity"] for r in storage.completions.list(dt.date.min, dt.date.max)]


def test_a_history_page_is_a_slice_of_the_listing_with_the_count_of_all(storage):
    listed = _a_fortnight(storage)
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    pages = [storage.completions.page(*span, offset=n, limit=10) for n in range(0, 50, 10)]
    assert [p.total for p in pages] == [42] * 5
    assert [r["identity"] for p in pages for r in p.records] == listed
    assert [len(p.records) for p in pages] == [10, 10, 10, 10, 2]
    assert storage.completions.page(*span, offset=100, limit=10).records == []
    li = storage.completions.page(*span, RecordFilter(inspector="li"), offset=0, limit=5)
    assert li.total == 28 and [r["identity"] for r in li.records] == [i for i in listed if ":c" not in i][:5]
    week = storage.completions.page(dt.date(2026, 11, 17), dt.date(2026, 11, 23), offset=0, limit=50)
    assert week.total == 21 and {r["day"] for r in week.records} == {f"2026-11-{d}" for d in range(17, 24)}
    assert storage.completions.page(dt.date(2026, 11, 30), dt.date(2026, 11, 1)).total == 0


def test_inspectors_are_everyone_who_completed_a_matching_checklist_in_the_range(storage):
    _a_fortnight(storage)
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert storage.completions.inspectors(*span) == ["li", "wang"]
    assert storage.completions.inspectors(*span, RecordFilter(target=("role", "a"))) == ["li"]
    assert storage.completions.inspectors(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == []


def test_an_unknown_fact_kind_is_a_key_error(storage):
    with pytest.raises(KeyError):
        storage.completions.facts("nope", dt.date.min, dt.date.max)


# What copying between backends needs: the span, a batch save, every snapshot entry.


def test_span_names_the_first_and_last_day_stored(storage):
    assert storage.completions.span() is None
    for day in ("2026-11-23", "2025-01-02", "2026-12-31"):
        storage.completions.save(record(f"daily|{day}|role:a", f"k{day}", day=day))
    assert storage.completions.span() == (dt.date(2025, 1, 2), dt.date(2026, 12, 31))


def test_save_many_keeps_ids_skips_replays_and_refuses_another_key(storage):
    batch = [
        dict(
            record(f"daily|2026-11-2{n}|role:a", f"k{n}", day=f"2026-11-2{n}"),
            id=f"2026-11-2{n}.00000000000{n}",
        )
        for n in range(3)
    ]
    assert storage.completions.save_many(batch) == 3
    assert storage.completions.save_many(batch) == 0  # a copy run again
    assert storage.completions.find("2026-11-21.000000000001")["identity"] == "daily|2026-11-21|role:a"
    facts = storage.completions.facts("short", dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    assert [f["day"] for f in facts] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    with pytest.raises(Conflict):
        storage.completions.save_many([record("daily|2026-11-20|role:a", "other", day="2026-11-20")])


def test_entries_list_every_snapshot_with_its_pin_and_never_a_pointer(storage):
    storage.snapshots.put(SNAP_A, {"items": [1]})
    storage.snapshots.put(SNAP_B, {"items": [2]})
    storage.snapshots.pin(SNAP_B)
    storage.started.put(POINTER_A, {"snapshot_id": SNAP_A})
    assert sorted(storage.snapshots.entries()) == [
        (SNAP_A, {"items": [1]}, False),
        (SNAP_B, {"items": [2]}, True),
    ]
    assert list(storage.started.entries()) == [(POINTER_A, {"snapshot_id": SNAP_A})]


def test_checklists_submitted_at_the_same_moment_stay_in_the_order_they_were_saved(storage):
    for name in ("c", "a", "b"):
        storage.completions.save(record(f"daily|2026-11-23|role:{name}", f"k{name}"))  # same submitted_at
    day = (dt.date(2026, 11, 23), dt.date(2026, 11, 23))
    order = ["daily|2026-11-23|role:c", "daily|2026-11-23|role:a", "daily|2026-11-23|role:b"]
    assert [r["identity"] for r in storage.completions.list(*day)] == order
    assert [f["identity"] for f in storage.completions.facts("short", *day)] == order
