"""A storage several processes share: a TinyDB data folder or a PostgreSQL URL (importable by workers)."""

from __future__ import annotations

from checklist_app.storage import Storage, open_storage
from checklist_app.storage import copy as storage_copy


def open_shared(location: str, kinds=()) -> Storage:
    """The storage at ``location``: ``postgresql://…`` or a TinyDB data folder."""
    if location.startswith("postgresql://"):
        return open_storage("postgresql", "", kinds, database_url=location, max_size=2)
    return open_storage("tinydb", location, kinds)


def hashes_of(location: str) -> dict[str, tuple[int, str]]:
    """Each part's count and content hash at ``location``, as `storage copy` verifies them."""
    store = open_shared(location)
    try:
        return {name: storage_copy.digest(read(store)) for name, read, _ in storage_copy.PARTS}
    finally:
        store.close()
