"""`flask storage copy` moves everything TinyDB ⇄ PostgreSQL, resumably, proven by counts and hashes."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app.generation import Target
from checklist_app.storage import copy as storage_copy
from checklist_app.storage import open_storage

from ..conftest import CS_LEAD, complete, make_test_app

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
    store.snapshots.put(
        "s" + "a" * 24, {"snapshot_id": "0123456789abcdef", "opened_at": "2026-11-23T09:00:00+08:00"}
    )
    store.notify.put_robot(
        {"id": "r1", "name": "客服群", "platform": "wecom", "webhook": "https://x", "created_at": "1"}
    )
    store.notify.enqueue(
        {"key": "r1|daily|2026-11-23", "robot_id": "r1"}, dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    )
    return folder


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["storage", "copy", *args])


@pytest.fixture
def cli_app(tmp_path, handbook_dir, sample_site, clock):
    return make_test_app(handbook_dir, sample_site, tmp_path / "app-data", clock)


def _hashes(location: str) -> dict[str, tuple[int, str]]:
    store = (
        open_storage("postgresql", "", database_url=location)
        if "://" in location
        else open_storage("tinydb", location)
    )
    try:
        return {name: storage_copy.digest(read(store)) for name, read, _ in storage_copy.PARTS}
    finally:
        store.close()


def test_a_year_moves_to_postgresql_and_back_with_identical_hashes(cli_app, year, pg_url, tmp_path):
    there = _cli(cli_app, "--from", str(year), "--to", pg_url)
    assert there.exit_code == 0, there.output
    assert "completions：源 219 条，已复制 219 条，目标现有 219 条。" in there.output
    assert "校验通过" in there.output
    again = _cli(cli_app, "--from", str(year), "--to", pg_url)  # idempotent: nothing copied twice
    assert (
        again.exit_code == 0
        and "已复制 219" not in again.output
        and "completions：源 219 条，已复制 0 条" in again.output
    )
    back = tmp_path / "back"
    home = _cli(cli_app, "--from", pg_url, "--to", str(back))
    assert home.exit_code == 0, home.output
    original, returned, database = _hashes(str(year)), _hashes(str(back)), _hashes(pg_url)
    assert original == returned == database
    assert (
        original["completions"][0] == 219
        and original["audit"][0] == 3
        and original["snapshots"][0] == 219 + 2
    )
    # The reports read the same facts, written at save on each side.
    tiny, pg = open_storage("tinydb", year), open_storage("postgresql", "", database_url=pg_url)
    try:
        span = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert tiny.completions.facts("report", *span) == pg.completions.facts("report", *span)
        assert tiny.completions.facts("missed", *span) == pg.completions.facts("missed", *span)
        record = tiny.completions.list(YEAR[-1], YEAR[-1])[0]
        assert pg.completions.find(record["id"]) == record  # a printed id still finds its checklist
    finally:
        pg.close()


def test_an_interrupted_copy_resumes_where_it_stopped(year, pg_url, monkeypatch):
    monkeypatch.setattr(storage_copy, "BATCH", 50)
    source, target = open_storage("tinydb", year), open_storage("postgresql", "", database_url=pg_url)
    real, calls = target.completions.save_many, []

    def crash_on_third(batch):
        calls.append(len(batch))
        if len(calls) == 3:
            raise ConnectionError("network gone")
        return real(batch)

    monkeypatch.setattr(target.completions, "save_many", crash_on_third)
    with pytest.raises(ConnectionError):
        storage_copy.copy_storage(source, target)
    monkeypatch.setattr(target.completions, "save_many", real)
    parts = {p.name: p for p in storage_copy.copy_storage(source, target)}
    assert parts["completions"].copied == 219 - 100 and all(p.ok for p in parts.values())
    target.close()


def test_a_target_with_other_data_fails_the_check_and_says_what_differs(cli_app, year, pg_url):
    extra = open_storage("postgresql", "", database_url=pg_url)
    extra.users.put({"username": "zz", "password_hash": "x", "permission": "admin"})
    extra.close()
    result = _cli(cli_app, "--from", str(year), "--to", pg_url)
    assert result.exit_code == 1
    assert "校验失败：users 源 1 条" in result.output and "目标 2 条" in result.output


def test_bad_locations_are_refused_in_chinese(cli_app, tmp_path, pg_url):
    assert (
        "找不到 TinyDB 数据文件夹" in _cli(cli_app, "--from", str(tmp_path / "nope"), "--to", pg_url).output
    )
    assert "不能复制到自己" in _cli(cli_app, "--from", pg_url, "--to", pg_url).output
    assert (
        "应是 TinyDB 数据文件夹或 postgresql://"
        in _cli(cli_app, "--from", "mysql://x", "--to", pg_url).output
    )
