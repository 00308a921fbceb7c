"""The photo store's contract, for every backend: write-once by id, bytes back unchanged, bad ids refused."""

from __future__ import annotations

import hashlib

import pytest

from checklist_app.storage import open_storage

PHOTO = b"\xff\xd8\xff photo bytes \xff\xd9"
PID = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture(params=["memory", "tinydb", "postgresql", "postgresql-files"])
def store(request, open_backend):
    if request.param == "postgresql-files":  # PHOTO_STORE=files: the database's records, photos in DATA_DIR
        storage = open_storage(
            "postgresql",
            open_backend.data_dir,
            database_url=request.getfixturevalue("pg_url"),
            photos="files",
        )
        open_backend.opened.append(storage)
        return storage.photos
    return open_backend(request.param).photos


def test_a_photo_is_stored_once_and_read_back_byte_for_byte(store):
    assert not store.exists(PID)
    assert store.put(PID, PHOTO) is True
    assert store.put(PID, b"other bytes") is False  # write-once: the first stays
    assert store.get(PID) == PHOTO and store.exists(PID)


@pytest.mark.parametrize("bad", ["", "abc", "../" + "0" * 61, PID.upper(), PID + "0", None, 42])
def test_malformed_ids_are_never_found_and_refused_on_put(store, bad):
    assert store.get(bad) is None and not store.exists(bad)
    with pytest.raises(ValueError, match="not a photo id"):
        store.put(bad, PHOTO)


def test_an_unknown_photo_is_none(store):
    assert store.get("0" * 64) is None


def test_the_file_store_keeps_photos_in_the_data_folder_without_temporary_files(tmp_path):
    store = open_storage("tinydb", tmp_path / "data").photos
    store.put(PID, PHOTO)
    files = [p for p in (tmp_path / "data" / "photos").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [f"{PID}.jpg"]
    assert open_storage("tinydb", tmp_path / "data").photos.get(PID) == PHOTO  # another process sees it


def test_ids_list_every_stored_photo_sorted(store):
    other = hashlib.sha256(b"other").hexdigest()
    store.put(PID, PHOTO)
    store.put(other, b"other")
    assert store.ids() == sorted([PID, other])


def test_on_postgresql_photos_are_in_the_database_not_in_the_data_folder(open_backend, tmp_path):
    storage = open_backend("postgresql")
    storage.photos.put(PID, PHOTO)
    assert not (tmp_path / "data" / "photos").exists()
    with storage.database.transaction() as cur:
        cur.execute("SELECT sha256, length(data) FROM photos WHERE id = %s", (PID,))
        assert cur.fetchone() == (hashlib.sha256(PHOTO).hexdigest(), len(PHOTO))


def test_an_unknown_photo_store_is_refused(tmp_path, pg_url):
    with pytest.raises(ValueError, match="unknown photo store"):
        open_storage("postgresql", tmp_path, database_url=pg_url, photos="s3")
