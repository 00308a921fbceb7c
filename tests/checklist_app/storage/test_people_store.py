"""The people store's contract, for every backend: all-or-nothing batches, unique 工号 and accounts, links."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from checklist_app.storage.people import FilePeopleStore, PeopleConflict, StaleWrite

from .shared import open_shared


@pytest.fixture
def store(backend, open_backend):
    return open_backend(backend).people


def person(pid: str, name: str = "李明", number: str = "", username: str = "", **extra) -> dict:
    return {
        "id": pid,
        "name": name,
        "employee_no": number,
        "department": "客服部",
        "role": "",
        "phone": "",
        "username": username,
        "left_on": None,
        **extra,
    }


def test_people_are_stored_with_a_revision_and_listed_in_order(store):
    [first] = store.put_many([person("p000000000001", "李明")])
    store.put_many([person("p000000000002", "王芳")])
    assert first["rev"] == 1
    assert [p["name"] for p in store.all()] == ["李明", "王芳"]
    assert store.get("p000000000001")["name"] == "李明"
    assert store.get("p000000000009") is None


def test_a_write_raises_the_revision_and_checks_the_one_read(store):
    store.put_many([person("p000000000001")], expect={"p000000000001": None})
    [again] = store.put_many([person("p000000000001", phone="13800138000")], expect={"p000000000001": 1})
    assert again["rev"] == 2
    with pytest.raises(StaleWrite):
        store.put_many([person("p000000000001", phone="1")], expect={"p000000000001": 1})  # someone else won
    with pytest.raises(StaleWrite):
        store.put_many([person("p000000000001")], expect={"p000000000001": None})  # exists already
    assert store.get("p000000000001")["phone"] == "13800138000"


def test_an_employee_number_belongs_to_one_person_case_insensitively(store):
    store.put_many([person("p000000000001", number="A0012")])
    with pytest.raises(PeopleConflict) as info:
        store.put_many([person("p000000000002", "王芳", number="a0012")])
    assert (info.value.field, info.value.other) == ("employee_no", "p000000000001")
    assert [p["id"] for p in store.all()] == ["p000000000001"]
    store.put_many([person("p000000000001", number="a0012")])  # the same person may change its case


def test_an_account_is_linked_to_one_person(store):
    store.put_many([person("p000000000001", username="zhang")])
    with pytest.raises(PeopleConflict) as info:
        store.put_many([person("p000000000002", "王芳", username="zhang")])
    assert info.value.field == "username"


def test_a_batch_is_written_whole_or_not_at_all(store):
    store.put_many([person("p000000000001", number="A1")])
    batch = [
        person("p000000000002", "王芳", number="A2"),
        person("p000000000003", "张伟", number="A3"),
        person("p000000000004", "赵丽", number="A2"),  # clashes within the batch
    ]
    with pytest.raises(PeopleConflict):
        store.put_many(batch)
    assert [p["id"] for p in store.all()] == ["p000000000001"]
    with pytest.raises(StaleWrite):
        store.put_many(batch[:2] + [person("p000000000001", phone="1")], expect={"p000000000001": 7})
    assert [p["id"] for p in store.all()] == ["p000000000001"]
    store.put_many(batch[:2])
    assert len(store.all()) == 3


def test_links_are_added_once_and_never_overwritten(store):
    assert store.links() == {}
    assert store.link({"2026-11-02.abc#cs-response-avg": "p000000000001"}) == 1
    assert store.link({"2026-11-02.abc#cs-response-avg": "p000000000002", "r#k": "p000000000002"}) == 1
    assert store.link({"r#k": "p000000000002"}) == 0
    assert store.links() == {"2026-11-02.abc#cs-response-avg": "p000000000001", "r#k": "p000000000002"}


def test_a_wrong_link_is_removed_only_while_it_still_points_at_that_person(store):
    store.link({"r#a": "p000000000001", "r#b": "p000000000001", "r#c": "p000000000002"})
    assert store.unlink({"r#a": "p000000000001", "r#c": "p000000000001", "r#x": "p000000000001"}) == 1
    assert store.links() == {"r#b": "p000000000001", "r#c": "p000000000002"}
    assert store.unlink({"r#a": "p000000000001"}) == 0  # already gone: nothing to do
    assert store.link({"r#a": "p000000000003"}) == 1  # the line can now be linked to the right person
    assert store.links()["r#a"] == "p000000000003"


def test_returned_people_are_copies(store):
    store.put_many([person("p000000000001")])
    store.all()[0]["name"] = "改了"
    store.get("p000000000001")["name"] = "改了"
    assert store.get("p000000000001")["name"] == "李明"


def test_the_file_store_is_shared_between_instances_and_atomic(tmp_path):
    one, two = FilePeopleStore(tmp_path), FilePeopleStore(tmp_path)
    one.put_many([person("p000000000001", "李明")])
    assert two.get("p000000000001")["name"] == "李明"  # another worker sees it at once
    two.put_many([person("p000000000002", "王芳")])
    assert [p["name"] for p in one.all()] == ["李明", "王芳"]
    data = json.loads((tmp_path / "people.json").read_text(encoding="utf-8"))
    assert set(data["people"]) == {"p000000000001", "p000000000002"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def _add_many(location: str, start: int) -> None:
    store = open_shared(location).people
    for n in range(start, start + 15):
        store.put_many([person(f"p{n:012x}", f"人{n}", number=f"N{n}")])


def test_concurrent_writers_in_several_processes_lose_nothing(shared_location):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_many, args=(shared_location, 100 * i)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(open_shared(shared_location).people.all()) == 45


def test_load_keeps_revisions_skips_known_people_and_keeps_the_unique_rules(store):
    copied = [dict(person("p000000000001", number="A1"), rev=4), dict(person("p000000000002"), rev=2)]
    assert store.load(copied) == 2
    assert store.load(copied) == 0  # a copy run again
    assert [p["rev"] for p in store.all()] == [4, 2]
    with pytest.raises(PeopleConflict):
        store.load([dict(person("p000000000003", number="a1"), rev=1)])
    assert len(store.all()) == 2
