"""The storage contract, run against every backend (a future SQL backend gets it for free)."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app.storage import Conflict, open_storage

from .writer import record


@pytest.fixture(params=["memory", "tinydb"])
def storage(request, tmp_path):
    return open_storage(request.param, tmp_path / "data")


def test_a_new_submission_is_created(storage):
    stored, created = storage.completions.save(record("daily|2026-11-23|role:售前客服", "k1"))
    assert created
    assert stored["id"]
    assert (
        storage.completions.get("daily|2026-11-23|role:售前客服", dt.date(2026, 11, 23))["id"] == stored["id"]
    )


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
    stored = storage.completions.get("daily|2026-11-23|role:售前客服", dt.date(2026, 11, 23))
    assert stored["items"][0]["note"] == "地面有纸屑，已提醒"


def test_users_are_stored_and_listed(storage):
    storage.users.put({"username": "li", "password_hash": "x", "permission": "inspector"})
    storage.users.put({"username": "an", "password_hash": "y", "permission": "admin"})
    storage.users.put({"username": "li", "password_hash": "z", "permission": "inspector"})
    assert storage.users.get("li")["password_hash"] == "z"
    assert [u["username"] for u in storage.users.all()] == ["an", "li"]
    assert storage.users.get("nobody") is None


def test_snapshots_are_write_once(storage):
    storage.snapshots.put("abc123", {"items": [1]})
    storage.snapshots.put("abc123", {"items": [2]})
    assert storage.snapshots.get("abc123") == {"items": [1]}
    assert storage.snapshots.get("../x") is None


def _short(record: dict) -> dict:
    return {"identity": record["identity"], "day": record["day"]}


def test_digests_cover_a_date_range_oldest_first_and_see_new_saves(storage):
    for day in ("2026-11-23", "2026-11-20", "2026-12-01"):
        storage.completions.save(record(f"daily|{day}|role:a", f"k{day}", day=day))
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [d["day"] for d in storage.completions.digests(*span, _short, "t1")] == [
        "2026-11-20",
        "2026-11-23",
    ]
    storage.completions.save(record("daily|2026-11-23|role:b", "k-b"))  # a cached day changes
    found = storage.completions.digests(*span, _short, "t1")
    assert sorted(d["identity"] for d in found) == [
        "daily|2026-11-20|role:a",
        "daily|2026-11-23|role:a",
        "daily|2026-11-23|role:b",
    ]
