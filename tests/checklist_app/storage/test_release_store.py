"""The release store's contract, run against every backend (a PostgreSQL one, issue 17, gets it too)."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from checklist_app.storage.releases import FileReleaseStore, PolicyVersion, Release


@pytest.fixture(params=["file"])
def releases(request, tmp_path):
    return FileReleaseStore(tmp_path / "releases")


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


def test_another_instance_on_the_same_folder_follows_the_pointer(releases, sources, site, tmp_path):
    other = FileReleaseStore(releases.root)
    releases.create(sources, site, release())
    assert other.pointer().number == 1
    releases.create(sources, site, release(version="1.1"))
    assert other.pointer().number == 2
    releases.set_current(1, "2026-11-23T10:00:00+08:00", "admin")
    assert other.pointer().number == 1


def test_a_half_written_release_left_by_a_killed_publisher_is_never_seen_and_is_swept(
    releases, sources, site
):
    releases.create(sources, site, release())
    left = releases.root / ".building-dead"
    (left / "handbook").mkdir(parents=True)
    os.utime(left, (0, 0))
    assert releases.numbers() == [1]
    FileReleaseStore(releases.root)  # a worker starting up
    assert not left.exists()


def _publish(root, sources, site, queue):
    store = FileReleaseStore(root)
    queue.put(store.create(sources, site, release()).number)


def test_two_publishers_at_once_get_different_numbers(releases, sources, site):
    queue = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(
            target=_publish, args=(releases.root, sources, site, queue)
        )
        for _ in range(3)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    assert sorted(queue.get(timeout=5) for _ in procs) == [1, 2, 3]
    assert releases.numbers() == [1, 2, 3] and releases.pointer().number in (1, 2, 3)
