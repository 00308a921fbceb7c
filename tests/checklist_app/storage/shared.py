"""A storage several processes share: a TinyDB data folder or a PostgreSQL URL (importable by workers)."""

from __future__ import annotations

from checklist_app.storage import Storage, open_storage


def open_shared(location: str, kinds=()) -> Storage:
    """The storage at ``location``: ``postgresql://…`` or a TinyDB data folder."""
    if location.startswith("postgresql://"):
        return open_storage("postgresql", "", kinds, database_url=location, max_size=2)
    return open_storage("tinydb", location, kinds)
