"""Shared fixtures: sample handbooks, a loaded model, and real strict site builds."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import load_handbook

PROJECT = Path(__file__).resolve().parent.parent
HANDBOOKS = PROJECT / "tests" / "handbooks"
ARTIFACTS = PROJECT / "test-artifacts"
TODAY = dt.date(2026, 11, 23)  # fixed, so "review date passed" does not drift with the calendar


@pytest.fixture(autouse=True, scope="session")
def _run_from_project_root():
    # Messages show paths relative to the working directory; tests assert on them.
    old = os.getcwd()
    os.chdir(PROJECT)
    yield
    os.chdir(old)


@pytest.fixture(scope="session")
def good_root() -> Path:
    return HANDBOOKS / "good"


@pytest.fixture(scope="session")
def broken_root() -> Path:
    return HANDBOOKS / "broken"


@pytest.fixture(scope="session")
def handbook(good_root):
    """The sample handbook's model."""
    return load_handbook(good_root, today=TODAY)


@pytest.fixture
def handbook_copy(tmp_path, good_root) -> Path:
    """A writable copy of the sample handbook, for tests that edit files."""
    root = tmp_path / "handbook"
    shutil.copytree(good_root, root)
    return root


def make_site_project(dest: Path, docs: Path) -> Path:
    """A project folder with the real mkdocs.yml and assets around the handbook ``docs``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(docs, dest / "handbook", dirs_exist_ok=True)
    for name in ("assets", "search_dict.txt"):
        src = PROJECT / "handbook" / name
        target = dest / "handbook" / name
        if not target.exists():
            (shutil.copytree if src.is_dir() else shutil.copy)(src, target)
    shutil.copy(PROJECT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(PROJECT / "overrides", dest / "overrides", dirs_exist_ok=True)  # theme custom_dir
    return dest


def build_site(project: Path, site_dir: str = "site") -> subprocess.CompletedProcess:
    """Run the strict MkDocs build the way `make build` does, from the project folder."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site_dir],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample handbook built once per run with the real mkdocs.yml (strict)."""
    project = make_site_project(tmp_path_factory.mktemp("sample"), HANDBOOKS / "good")
    proc = build_site(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project / "site"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real handbook (handbook/) built once per run (strict)."""
    project = tmp_path_factory.mktemp("real")
    shutil.copy(PROJECT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(PROJECT / "overrides", project / "overrides")  # theme custom_dir
    shutil.copytree(PROJECT / "handbook", project / "handbook")
    proc = build_site(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project / "site"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save screenshots (kept by CI as test artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# PostgreSQL: one throw-away cluster per test session, a fresh migrated schema per test.


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster on a Unix socket in a temp folder; skipped without PostgreSQL, except in CI.

    The folder is a fresh one directly under the system temp dir (pytest's own are
    private to root, and the server runs as ``postgres`` there), removed at the end.
    """
    from tests.pgcluster import Cluster, ClusterError

    cluster = None
    try:
        cluster = Cluster()
        cluster.start()
    except (ClusterError, OSError, subprocess.SubprocessError) as exc:
        if cluster is not None:
            cluster.remove()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL must run in CI: {exc}")
        pytest.skip(f"PostgreSQL cannot start here: {exc}")
    yield cluster
    cluster.stop()
    cluster.remove()


_schemas = iter(range(1, 10**9))


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """The URL of a schema of its own for this test, with every migration applied."""
    from checklist_app.storage.pg import upgrade

    schema = f"t{next(_schemas)}"
    pg_cluster.psql(f"CREATE SCHEMA {schema}")
    url = pg_cluster.url(schema=schema)
    upgrade(url)
    return url
