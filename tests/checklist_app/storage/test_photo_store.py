"""The photo store's contract, for every backend: write-once by id, bytes back unchanged, bad ids refused."""

from __future__ import annotations

import hashlib

import pytest

from checklist_app.storage import open_storage

PHOTO = b"\xff\xd8\xff photo bytes \xff\xd9"
PID = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture(params=["memory", "tinydb"])
def store(request, tmp_path):
    return open_storage(request.param, tmp_path / "data").photos


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
