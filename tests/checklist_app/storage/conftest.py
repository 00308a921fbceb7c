"""Every storage suite runs on each backend: memory, TinyDB and PostgreSQL (a real server)."""

from __future__ import annotations

import pytest

from checklist_app.storage import open_storage

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
