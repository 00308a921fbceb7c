"""The release store's contract, run against every backend: a releases folder, and PostgreSQL."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time

import pytest

from checklist_app.storage.pg.database import Database
from checklist_app.storage.pg.releases import PostgresReleaseStore, ReleaseUnavailable
from checklist_app.storage.releases import FileReleaseStore, PolicyVersion, Release


@pytest.fixture(params=["file", "postgresql"])
def location(request, tmp_path) -> tuple[str, str]:
    """Where releases are kept: (``file``, a folder every instance shares) or (``postgresql``, a URL)."""
    if request.param == "postgresql":
        return "postgresql", request.getfixturevalue("pg_url")
    return "file", str(tmp_path / "releases")


def open_releases(location, instance):
    """The release store of one app instance (its own instance folder) on ``location``."""
    kind, where = location
    if kind == "file":
        return FileReleaseStore(where)
    return PostgresReleaseStore(Database(where, max_size=2).open(), instance / "releases")


@pytest.fixture
def instances(location, tmp_path):
    """``instances(name)``: the release store of the app instance ``name`` (PostgreSQL: its own folder)."""
    opened = []

    def open_(name: str):
        store = open_releases(location, tmp_path / name)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        if isinstance(store, PostgresReleaseStore):
            store.db.close()


@pytest.fixture
def releases(instances):
    return instances("a")


@pytest.fixture
def sources(tmp_path):
    root = tmp_path / "draft"
    (root / "10-a").mkdir(parents=True)
    (root / "10-a" / "a.md").write_text("# A\n", encoding="utf-8")
    (root / ".git").mkdir()  # never copied into a release
    return root


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "built"
    root.mkdir()
    (root / "index.html").write_text("<h1>v1</h1>", encoding="utf-8")
    return root


def release(note="", version="1.0"):
    policy = PolicyVersion("a", "A", version, "h" + version, "10-a/a.md", "2026-01-01", {"a-1": "c1"})
    return Release(0, "2026-11-23T09:30:00+08:00", "zhao", "赵", note, (policy,), "abc123")


def test_nothing_is_current_before_the_first_release(releases):
    assert releases.pointer() is None and releases.current() is None and releases.all() == []


def test_a_release_gets_the_next_number_and_becomes_current(releases, sources, site):
    first = releases.create(sources, site, release("一"))
    second = releases.create(sources, site, release("二", "1.1"))
    assert (first.number, second.number) == (1, 2)
    assert releases.pointer().number == 2 and releases.pointer().action == "publish"
    assert second.based_on == 1 and first.based_on is None
    assert [r.number for r in releases.all()] == [2, 1]
    assert releases.get(2).policy("a").version == "1.1" and releases.get(2).policy("a").clauses == {
        "a-1": "c1"
    }


def test_a_release_holds_a_copy_of_sources_and_site(releases, sources, site):
    stored = releases.create(sources, site, release())
    (sources / "10-a" / "a.md").write_text("# changed draft\n", encoding="utf-8")
    (site / "index.html").write_text("<h1>v2</h1>", encoding="utf-8")
    assert (releases.sources_dir(stored.number) / "10-a" / "a.md").read_text(encoding="utf-8") == "# A\n"
    assert (releases.site_dir(stored.number) / "index.html").read_text(encoding="utf-8") == "<h1>v1</h1>"
    assert not (releases.sources_dir(stored.number) / ".git").exists()


def test_rollback_moves_the_pointer_and_keeps_every_release(releases, sources, site):
    releases.create(sources, site, release())
    releases.create(sources, site, release(version="1.1"))
    pointer = releases.set_current(1, "2026-11-23T10:00:00+08:00", "admin")
    assert pointer.number == 1 and pointer.action == "rollback"
    assert releases.current().number == 1 and releases.numbers() == [1, 2]
    with pytest.raises(KeyError):
        releases.set_current(7, "2026-11-23T10:00:00+08:00", "admin")
    assert releases.current().number == 1


def test_another_instance_follows_the_pointer_and_serves_the_same_files(releases, instances, sources, site):
    other = instances("b")
    releases.create(sources, site, release())
    assert other.pointer().number == 1
    (site / "index.html").write_text("<h1>v2</h1>", encoding="utf-8")
    releases.create(sources, site, release(version="1.1"))
    assert other.pointer().number == 2 and other.current().policy("a").version == "1.1"
    assert (other.site_dir(2) / "index.html").read_text(encoding="utf-8") == "<h1>v2</h1>"
    assert (other.sources_dir(2) / "10-a" / "a.md").read_text(encoding="utf-8") == "# A\n"
    releases.set_current(1, "2026-11-23T10:00:00+08:00", "admin")
    assert other.pointer().number == 1 and other.pointer().action == "rollback"
    assert (other.site_dir(1) / "index.html").read_text(encoding="utf-8") == "<h1>v1</h1>"


def test_the_folders_for_a_later_effective_day_travel_too(releases, instances, sources, site, tmp_path):
    later = tmp_path / "later-site"
    later.mkdir()
    (later / "index.html").write_text("<h1>in force</h1>", encoding="utf-8")
    stored = releases.create(sources, site, release(), {"2026-12-01": (sources, later)})
    other = instances("b")
    assert (other.site_dir(stored.number, "2026-12-01") / "index.html").read_text(encoding="utf-8") == (
        "<h1>in force</h1>"
    )
    assert (other.sources_dir(stored.number, "2026-12-01") / "10-a" / "a.md").is_file()


def test_a_half_written_release_left_by_a_killed_publisher_is_never_seen_and_is_swept(
    sources, site, tmp_path
):
    # A folder store only: a database release is one transaction, never half-written.
    releases = FileReleaseStore(tmp_path / "releases")
    releases.create(sources, site, release())
    left = releases.root / ".building-dead"
    (left / "handbook").mkdir(parents=True)
    os.utime(left, (0, 0))
    assert releases.numbers() == [1]
    FileReleaseStore(releases.root)  # a worker starting up
    assert not left.exists()


def test_a_running_publishers_folder_is_kept_by_a_worker_whose_clock_is_a_year_ahead(
    sources, site, tmp_path, monkeypatch
):
    # Another machine on the shared folder, or a shifted clock: "old" is the file system's time.
    releases = FileReleaseStore(tmp_path / "releases")
    running = releases.root / ".building-running"
    (running / "handbook").mkdir(parents=True)
    monkeypatch.setattr(time, "time", lambda: os.stat(running).st_mtime + 366 * 86400)
    FileReleaseStore(releases.root)  # a worker starting up
    assert running.is_dir()


def _publish(location, instance, sources, site, queue):
    store = open_releases(location, instance)
    queue.put(store.create(sources, site, release()).number)


def test_two_publishers_at_once_get_different_numbers(location, releases, sources, site, tmp_path):
    queue = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(
            target=_publish, args=(location, tmp_path / f"p{n}", sources, site, queue)
        )
        for n in range(3)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    assert sorted(queue.get(timeout=5) for _ in procs) == [1, 2, 3]
    assert releases.numbers() == [1, 2, 3] and releases.pointer().number in (1, 2, 3)


# ---------------------------------------------------------------- PostgreSQL: what travels, and checks


@pytest.fixture
def database(pg_url):
    db = Database(pg_url, max_size=2).open()
    yield db
    db.close()


def test_a_server_unpacks_a_release_once_into_its_own_instance_folder(database, sources, site, tmp_path):
    a = PostgresReleaseStore(database, tmp_path / "a" / "releases")
    stored = a.create(sources, site, release())
    b = PostgresReleaseStore(database, tmp_path / "b" / "releases")
    folder = b.site_dir(stored.number).parent
    assert folder.parent == tmp_path / "b" / "releases" / "from-database"
    assert (folder / "release.json").is_file()
    (folder / "site" / "index.html").write_text("local", encoding="utf-8")
    assert (b.site_dir(stored.number) / "index.html").read_text(encoding="utf-8") == "local"  # not again


def test_a_damaged_archive_is_refused_with_the_fix(database, sources, site, tmp_path):
    stored = PostgresReleaseStore(database, tmp_path / "a").create(sources, site, release())
    with database.transaction() as cur:
        cur.execute("UPDATE releases SET archive = %s WHERE number = %s", (b"garbage", stored.number))
    b = PostgresReleaseStore(database, tmp_path / "b")
    with pytest.raises(ReleaseUnavailable) as info:
        b.sources_dir(stored.number)
    assert info.value.code == "release.damaged" and info.value.data["number"] == stored.number
    assert info.value.data["have"] == hashlib.sha256(b"garbage").hexdigest()[:16]
    assert not list((tmp_path / "b").rglob("release.json"))  # nothing unpacked, nothing served


def test_an_archive_cannot_write_outside_its_folder(database, sources, site, tmp_path):
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    archive = buffer.getvalue()
    stored = PostgresReleaseStore(database, tmp_path / "a").create(sources, site, release())
    with database.transaction() as cur:
        cur.execute(
            "UPDATE releases SET archive = %s, archive_sha256 = %s WHERE number = %s",
            (archive, hashlib.sha256(archive).hexdigest(), stored.number),
        )
    with pytest.raises(tarfile.TarError):
        PostgresReleaseStore(database, tmp_path / "b").sources_dir(stored.number)
    assert not list(tmp_path.rglob("escaped.txt"))


def test_a_releases_folder_is_brought_into_an_empty_database_once(database, sources, site, tmp_path):
    files = FileReleaseStore(tmp_path / "old" / "releases")
    files.create(sources, site, release("一"))
    files.create(sources, site, release("二", "1.1"))
    files.set_current(1, "2026-11-23T10:00:00+08:00", "admin")
    store = PostgresReleaseStore(database, tmp_path / "new" / "releases")
    assert store.adopt(files) == 2
    assert store.adopt(files) == 0  # once
    assert store.numbers() == [1, 2] and store.pointer().number == 1
    assert store.get(2).note == "二" and store.get(2).based_on == 1
    assert (store.site_dir(2) / "index.html").read_text(encoding="utf-8") == "<h1>v1</h1>"
