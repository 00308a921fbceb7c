"""The audit store's contract, for every backend: append-only, ordered, readable after a torn write."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from checklist_app.storage.audit import AuditStore, FileAuditStore


@pytest.fixture
def store(backend, open_backend) -> AuditStore:
    return open_backend(backend).audit


def entry(at: str, action="account.create", subject="zhang") -> dict:
    return {
        "at": at,
        "actor": "admin",
        "action": action,
        "subject": subject,
        "before": None,
        "after": {"x": 1},
    }


def test_entries_come_back_newest_first_with_their_order_in_the_month(store):
    first = store.append(entry("2026-11-23T09:30:00+08:00"))
    second = store.append(entry("2026-11-23T09:30:00+08:00", subject="wang"))
    store.append(entry("2026-12-01T08:00:00+08:00", subject="li"))
    assert (first["seq"], second["seq"]) == (1, 2)
    found = store.entries(dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    assert [e["subject"] for e in found] == ["li", "wang", "zhang"]


def test_a_day_range_selects_by_the_entrys_own_date(store):
    store.append(entry("2026-11-22T23:59:59+08:00", subject="before"))
    store.append(entry("2026-11-23T00:00:00+08:00", subject="on"))
    store.append(entry("2026-11-24T00:00:00+08:00", subject="after"))
    assert [e["subject"] for e in store.entries(dt.date(2026, 11, 23), dt.date(2026, 11, 23))] == ["on"]


def test_there_is_no_way_to_change_or_remove_an_entry():
    public = {
        name for name, _ in inspect.getmembers(AuditStore, inspect.isfunction) if not name.startswith("_")
    }
    assert public == {"append", "append_if_changed", "entries"}  # appending and reading, nothing else


def test_chinese_text_is_kept_as_written(store):
    store.append(entry("2026-11-23T09:30:00+08:00", subject="李明"))
    assert store.entries(dt.date(2026, 11, 23), dt.date(2026, 11, 23))[0]["subject"] == "李明"


def test_a_torn_last_line_from_a_killed_writer_is_skipped_and_the_next_entry_survives(tmp_path):
    store = FileAuditStore(tmp_path)
    store.append(entry("2026-11-23T09:30:00+08:00", subject="one"))
    path = tmp_path / "audit" / "2026-11.jsonl"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"at": "2026-11-23T09:31:00+08:00", "subj')  # killed mid-write
    store.append(entry("2026-11-23T09:32:00+08:00", subject="two"))
    subjects = [e["subject"] for e in store.entries(dt.date(2026, 11, 23), dt.date(2026, 11, 23))]
    assert subjects == ["two", "one"]


def test_append_if_changed_appends_a_change_once_and_fills_in_before(store):
    first = {
        **entry("2026-11-23T09:30:00+08:00", action="handbook.publish"),
        "fingerprint": "a",
        "after": {"p": "1"},
    }
    assert store.append_if_changed(first, "fingerprint") is not None
    assert store.append_if_changed(dict(first), "fingerprint") is None  # another worker, same version
    second = {
        **entry("2026-12-01T09:00:00+08:00", action="handbook.publish"),
        "fingerprint": "b",
        "after": {"p": "2"},
    }
    stored = store.append_if_changed(second, "fingerprint")
    assert stored["before"] == {"p": "1"}  # from the latest entry, even in another month
    assert len(store.entries(dt.date(2026, 11, 1), dt.date(2026, 12, 31))) == 2
