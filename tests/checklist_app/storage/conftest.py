"""Every storage suite runs on each backend: memory, TinyDB and PostgreSQL (a real server)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from checklist_app.generation import Target
from checklist_app.storage import open_storage

from ..conftest import CS_LEAD, complete

BACKENDS = ["memory", "tinydb", "postgresql"]


@pytest.fixture
def open_backend(request, tmp_path):
    """``open_backend(kind, kinds=None)``: a fresh storage of that backend (PostgreSQL: its own schema)."""
    opened = []

    def open_(kind: str, kinds=None):
        url = request.getfixturevalue("pg_url") if kind == "postgresql" else ""
        storage = open_storage(kind, tmp_path / "data", kinds, database_url=url)
        opened.append(storage)
        return storage

    open_.data_dir, open_.opened = tmp_path / "data", opened
    yield open_
    for storage in opened:
        storage.close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(params=["tinydb", "postgresql"])
def shared_location(request, tmp_path) -> str:
    """Where several processes share one storage: a TinyDB data folder or a PostgreSQL URL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "data")


YEAR = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 365, 5)]  # 73 days of the year


@pytest.fixture
def year(tmp_path, handbook):
    """A TinyDB folder with a year of checklists (three a day on 73 days) and one of everything else."""
    folder = tmp_path / "tinydb"
    store = open_storage("tinydb", folder)
    for n, day in enumerate(YEAR):
        complete(handbook, store, Target("department", "客服部"), {"hy-desk": 1 + n % 3}, day)
        complete(handbook, store, Target("department", "仓储部"), {} if n % 2 else {"hy-floor": 1}, day)
        complete(handbook, store, Target("role", "售前客服"), {}, day, CS_LEAD)
    store.users.put({"username": "li", "password_hash": "x", "permission": "inspector", "display_name": "李"})
    store.people.put_many([{"id": "p000000000001", "name": "李明", "employee_no": "A1", "username": "li"}])
    store.people.put_many([{"id": "p000000000001", "name": "李明", "employee_no": "A1", "username": "li"}])
    record = store.completions.list(YEAR[0], YEAR[0])[0]
    store.people.link({f"{record['id']}#hy-desk": "p000000000001"})
    for n in range(3):
        store.audit.append(
            {"at": f"2026-11-2{n}T09:00:00+08:00", "action": "account.edit", "after": {"n": n}}
        )
    store.snapshots.put("0123456789abcdef", {"items": [1], "created_at": "2026-11-23T09:00:00+08:00"})
    store.started.put(
        "s" + "a" * 24, {"snapshot_id": "0123456789abcdef", "opened_at": "2026-11-23T09:00:00+08:00"}
    )
    for photo in (b"\xff\xd8 photo one \xff\xd9", b"\xff\xd8 photo two \xff\xd9"):
        store.photos.put(hashlib.sha256(photo).hexdigest(), photo)
    store.notify.put_robot(
        {"id": "r1", "name": "客服群", "platform": "wecom", "webhook": "https://x", "created_at": "1"}
    )
    store.actions.open_many([{"id": f"{record['id']}#hy-desk", "status": "open", "history": []}])
    store.actions.update(f"{record['id']}#hy-desk", 1, lambda a: {**a, "status": "fixed"})
    store.decisions.decide(f"{record['id']}#hy-desk", {"amount": 150, "by": "admin"})
    store.reading.add(
        {"username": "li", "policy_id": "p1", "version": "1.0", "clauses": {"c": "h"}, "at": "x"}
    )
    store.notify.enqueue(
        {"key": "r1|daily|2026-11-23", "robot_id": "r1"}, dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    )
    return folder
