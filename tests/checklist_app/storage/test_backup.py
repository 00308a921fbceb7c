"""The restore drill: pg_dump the database, restore it into a fresh one, and find everything identical."""

from __future__ import annotations

import subprocess

from checklist_app.storage import copy as storage_copy
from checklist_app.storage import open_storage

from .shared import hashes_of


def test_a_pg_dump_restored_into_a_fresh_database_holds_the_same_data(year, pg_url, pg_cluster, tmp_path):
    source, target = open_storage("tinydb", year), open_storage("postgresql", "", database_url=pg_url)
    assert all(p.ok for p in storage_copy.copy_storage(source, target))
    target.close()
    schema = pg_url.rsplit("search_path%3D", 1)[1]
    dump = tmp_path / "checklists.dump"
    subprocess.run(
        [
            str(pg_cluster.bin / "pg_dump"),
            "--format=custom",
            f"--schema={schema}",
            f"--file={dump}",
            pg_url.split("&options")[0],
        ],
        check=True,
        capture_output=True,
    )
    pg_cluster.psql("CREATE DATABASE restored")
    restored = pg_cluster.url("restored", schema=schema)
    subprocess.run(
        [
            str(pg_cluster.bin / "pg_restore"),
            "--no-owner",
            f"--dbname={pg_cluster.url('restored')}",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )
    assert hashes_of(restored) == hashes_of(pg_url) == hashes_of(str(year))
    again = open_storage("postgresql", "", database_url=restored)  # the restored schema is current: it opens
    assert again.completions.span() is not None
    again.close()
