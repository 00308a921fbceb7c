"""The app on PostgreSQL: chosen by DATABASE_URL, its schema made by `flask db upgrade`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from checklist_app import create_app
from checklist_app.extensions import storage
from checklist_app.storage.pg import latest_version, upgrade
from checklist_app.storage.pg.database import migrations

from .conftest import form_answers, form_fields, item_keys, make_test_app
from .test_checklists import DAILY

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_app(tmp_path, handbook_dir, sample_site, clock, accounts, pg_url):
    app = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts, DATABASE_URL=pg_url)
    yield app
    app.extensions["checklist_storage"].close()


@pytest.fixture
def empty_schema(pg_cluster) -> str:
    """A URL whose schema has no tables yet (a database before its first `db upgrade`)."""
    schema = f"empty{id(object())}"
    pg_cluster.psql(f"CREATE SCHEMA {schema}")
    return pg_cluster.url(schema=schema)


def test_a_checklist_submitted_on_postgresql_is_in_history_and_in_the_database(pg_app, pg_url, auth):
    client = auth.client = pg_app.test_client()
    auth.login("zhang")
    page = client.get(DAILY).get_data(as_text=True)
    response = client.post("/checklists/submit", data={**form_fields(page), **form_answers(item_keys(page))})
    assert response.status_code == 302
    assert "已提交的清单不能修改" in client.get(response.headers["Location"]).get_data(as_text=True)
    history = client.get("/history?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "岗位：售前客服" in history
    with pg_app.app_context():
        assert storage().backend == "postgresql"
    with psycopg.connect(pg_url) as conn:
        (count,) = conn.execute("SELECT count(*) FROM completions").fetchone()
        kinds = conn.execute("SELECT kind FROM facts ORDER BY kind").fetchall()
    assert count == 1
    assert kinds == [("missed",), ("report",)]  # facts written with the record, in its transaction


def test_before_db_upgrade_every_request_says_how_to_fix_it_then_the_upgrade_applies(
    tmp_path, handbook_dir, sample_site, clock, empty_schema
):
    app = make_test_app(
        handbook_dir, sample_site, tmp_path / "data", clock, publish_first=False, DATABASE_URL=empty_schema
    )
    try:
        response = app.test_client().get("/login")
        assert response.status_code == 503
        assert "flask --app checklist_app db upgrade" in response.get_data(as_text=True)
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "已应用结构迁移 0001_initial" in result.output
        assert app.test_client().get("/login").status_code == 200
        again = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert "已应用" not in again.output and f"已是最新（第 {latest_version()} 版）" in again.output
    finally:
        app.extensions["checklist_storage"].close()


def test_db_upgrade_from_several_machines_at_once_applies_each_migration_once(empty_schema):
    code = "import sys; from checklist_app.storage.pg import upgrade; print(len(upgrade(sys.argv[1])))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, empty_schema], cwd=PROJECT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    applied = sorted(int(p.communicate(timeout=60)[0]) for p in procs)
    shipped = [m.version for m in migrations()]  # numbered, not necessarily without gaps while branches merge
    assert applied == [0, 0, 0, len(shipped)] and shipped[-1] == latest_version()
    with psycopg.connect(empty_schema) as conn:
        versions = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert versions == [(v,) for v in shipped]
    assert upgrade(empty_schema) == []


def test_a_migration_missing_below_the_newest_is_asked_for_too(
    tmp_path, handbook_dir, sample_site, clock, empty_schema
):
    """Branches merge migrations out of order: one applied later than a newer one still counts."""
    upgrade(empty_schema)
    older = migrations()[-2]
    with psycopg.connect(empty_schema) as conn:
        conn.execute("DELETE FROM schema_version WHERE version = %s", (older.version,))
    app = make_test_app(
        handbook_dir, sample_site, tmp_path / "data", clock, publish_first=False, DATABASE_URL=empty_schema
    )
    try:
        response = app.test_client().get("/login")
        assert response.status_code == 503
        assert f"还缺第 {older.version} 项迁移" in response.get_data(as_text=True)
    finally:
        app.extensions["checklist_storage"].close()


def test_a_url_that_is_not_postgresql_stops_the_start_in_chinese(tmp_path):
    with pytest.raises(SystemExit) as info:
        create_app(
            {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "mysql://x", "DATA_DIR": str(tmp_path)}
        )
    assert "应以 postgresql:// 开头" in str(info.value.code)


def test_an_unreachable_database_stops_the_start_in_chinese_without_the_password(tmp_path):
    url = f"postgresql://app:secret@/nowhere?host={tmp_path}&connect_timeout=1"
    with pytest.raises(SystemExit) as info:
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url, "DATA_DIR": str(tmp_path)})
    assert "连不上数据库" in str(info.value.code) and "secret" not in str(info.value.code)


@pytest.mark.parametrize(
    ("setting", "url", "message"),
    [
        ("s3", True, "CHECKLIST_PHOTO_STORE 只能是 database"),
        ("database", False, "CHECKLIST_PHOTO_STORE=database 需要数据库"),
    ],
)
def test_a_photo_store_that_cannot_be_is_refused_at_start_in_chinese(
    tmp_path, handbook_dir, sample_site, clock, pg_url, setting, url, message
):
    extra = {"DATABASE_URL": pg_url} if url else {"STORAGE": "tinydb"}
    with pytest.raises(SystemExit, match=message):
        make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, PHOTO_STORE=setting, **extra)


def test_photo_store_files_keeps_photos_in_the_data_folder_beside_the_database(
    tmp_path, handbook_dir, sample_site, clock, pg_url
):
    app = make_test_app(
        handbook_dir, sample_site, tmp_path / "data", clock, DATABASE_URL=pg_url, PHOTO_STORE="files"
    )
    try:
        app.extensions["checklist_storage"].photos.put("a" * 64, b"jpeg")
        assert (tmp_path / "data" / "photos" / "aa" / f"{'a' * 64}.jpg").read_bytes() == b"jpeg"
    finally:
        app.extensions["checklist_storage"].close()
