"""`flask storage copy` moves everything TinyDB ⇄ PostgreSQL, resumably, proven by counts and hashes."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app.storage import copy as storage_copy
from checklist_app.storage import open_storage

from ..conftest import make_test_app
from .conftest import YEAR
from .shared import hashes_of


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["storage", "copy", *args])


@pytest.fixture
def cli_app(tmp_path, handbook_dir, sample_site, clock):
    return make_test_app(handbook_dir, sample_site, tmp_path / "app-data", clock)


def test_a_year_moves_to_postgresql_and_back_with_identicalhashes_of(cli_app, year, pg_url, tmp_path):
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
    original, returned, database = hashes_of(str(year)), hashes_of(str(back)), hashes_of(pg_url)
    assert original == returned == database
    assert (
        original["completions"][0] == 219
        and original["audit"][0] == 3
        and original["snapshots"][0] == 219 + 1
        and original["started"][0] == 1
        and original["photos"][0] == 2
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


def test_photos_travel_both_ways_and_a_photo_that_differs_fails_the_check(cli_app, year, pg_url, tmp_path):
    there = _cli(cli_app, "--from", str(year), "--to", pg_url)
    assert "photos：源 2 条，已复制 2 条，目标现有 2 条。" in there.output and there.exit_code == 0
    pg = open_storage("postgresql", "", database_url=pg_url)
    try:
        photo_id = pg.photos.ids()[0]
        assert pg.photos.get(photo_id) == open_storage("tinydb", year).photos.get(photo_id)
        back = tmp_path / "back"
        assert _cli(cli_app, "--from", pg_url, "--to", str(back)).exit_code == 0
        assert sorted(p.name for p in (back / "photos").rglob("*.jpg")) == [
            f"{i}.jpg" for i in pg.photos.ids()
        ]
        with pg.database.transaction() as cur:  # the same id, other bytes: a damaged copy
            cur.execute("UPDATE photos SET data = %s WHERE id = %s", (b"torn", photo_id))
    finally:
        pg.close()
    again = _cli(cli_app, "--from", str(year), "--to", pg_url)
    assert again.exit_code == 1 and "校验失败：photos 源 2 条" in again.output
