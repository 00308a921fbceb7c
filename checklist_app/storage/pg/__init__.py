"""The PostgreSQL backend: every store of ``checklist_app.storage`` on one database (``DATABASE_URL``)."""

from __future__ import annotations

from collections.abc import Iterable

from ..base import FactKind
from .actions import PostgresActionStore, PostgresDecisionStore
from .attempts import PostgresAttemptStore
from .audit import PostgresAuditStore
from .completions import PostgresCompletionStore
from .database import Database, SchemaError, latest_version, upgrade
from .notify import PostgresNotifyStore
from .people import PostgresPeopleStore
from .photos import PostgresPhotoStore
from .reading import PostgresReadingStore
from .snapshots import PostgresSnapshotStore, PostgresStartedStore
from .users import PostgresUserStore

__all__ = ["Database", "SchemaError", "latest_version", "open_postgres", "upgrade"]


def open_postgres(url: str, kinds: Iterable[FactKind], photos=None, *, check: bool = True, max_size: int = 8):
    """Every store on one pool to ``url``; with ``check``, SchemaError unless ``db upgrade`` has run.

    ``photos``: a photo store to use instead of the database's (files in DATA_DIR).
    """
    from .. import Storage

    db = Database(url, max_size=max_size).open()
    try:
        if check:
            db.check_schema()
    except BaseException:
        db.close()
        raise
    storage = Storage(
        PostgresCompletionStore(db, kinds),
        PostgresUserStore(db),
        PostgresSnapshotStore(db),
        PostgresStartedStore(db),
        PostgresAttemptStore(db),
        PostgresAuditStore(db),
        PostgresPeopleStore(db),
        PostgresNotifyStore(db),
        PostgresActionStore(db),
        PostgresDecisionStore(db),
        PostgresReadingStore(db),
        photos if photos is not None else PostgresPhotoStore(db),
        "postgresql",
    )
    storage._closer = db.close
    storage.database = db
    return storage
