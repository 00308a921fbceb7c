"""Storage backends behind one small interface; pick one with ``STORAGE`` in the config."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .actions import ActionStore, FileActionStore, MemoryActionStore, StaleAction
from .attempts import AttemptStore, FileAttemptStore, MemoryAttemptStore
from .audit import AuditStore, FileAuditStore, MemoryAuditStore
from .base import (
    ANY,
    CompletionStore,
    Conflict,
    FactKind,
    RecordFilter,
    RecordPage,
    SnapshotStore,
    UserStore,
)
from .decisions import DecisionStore, FileDecisionStore, MemoryDecisionStore
from .memory import MemoryCompletionStore, MemorySnapshotStore, MemoryUserStore
from .notify import FileNotifyStore, MemoryNotifyStore, NotifyStore
from .people import FilePeopleStore, MemoryPeopleStore, PeopleStore
from .photos import FilePhotoStore, MemoryPhotoStore, PhotoStore
from .reading import FileReadingStore, MemoryReadingStore, ReadingStore
from .started import FileStartedStore, MemoryStartedStore, StartedStore
from .tinydb_store import (
    FileSnapshotStore,
    TinyDBCompletionStore,
    TinyDBUserStore,
    remove_stale_temp_files,
)

__all__ = [
    "ANY",
    "ActionStore",
    "FactKind",
    "RecordFilter",
    "RecordPage",
    "AttemptStore",
    "DecisionStore",
    "CompletionStore",
    "Conflict",
    "NotifyStore",
    "PeopleStore",
    "ReadingStore",
    "PhotoStore",
    "SnapshotStore",
    "StartedStore",
    "StaleAction",
    "Storage",
    "UserStore",
    "open_storage",
]


PHOTO_STORES = ("database", "files")  # where PostgreSQL storage keeps photos (PHOTO_STORE)


@dataclass
class Storage:
    """The repositories the app uses."""

    completions: CompletionStore
    users: UserStore
    snapshots: SnapshotStore  # what each started checklist was given, by content
    started: StartedStore  # who opened which checklist, on which snapshot
    attempts: AttemptStore  # failed sign-ins, for throttling
    audit: AuditStore  # append-only: who did what, when
    people: PeopleStore  # the staff directory, and links from typed names to people
    notify: NotifyStore  # group-chat robots, their outbox and delivery log
    actions: ActionStore  # corrective actions (整改), one per failed item
    decisions: DecisionStore  # amounts managers decided within ranged fines (视情节)
    reading: ReadingStore  # reading acknowledgements (已阅读并理解)
    photos: PhotoStore  # photos of checklist items, by content hash
    backend: str = "memory"  # memory | tinydb | postgresql

    def close(self) -> None:
        """Release what the backend holds open (PostgreSQL: this process's connection pool)."""
        closer = getattr(self, "_closer", None)
        if closer is not None:
            self._closer = None
            closer()


def open_storage(
    kind: str,
    data_dir: str | Path,
    kinds: Iterable[FactKind] | None = None,
    *,
    database_url: str = "",
    check: bool = True,
    max_size: int = 8,
    photos: str = "database",
) -> Storage:
    """Open ``tinydb`` (the embedded default, in ``data_dir``), ``memory`` or ``postgresql`` storage.

    ``kinds``: the report facts written at save (default: the app's, reporting.fact_kinds).
    ``postgresql`` connects to ``database_url`` with one pool for this process; call
    ``close`` at exit (``check``: SchemaError unless ``db upgrade`` has run); its photos are in the
    database, or with ``photos="files"`` files in ``data_dir`` (the other backends keep them there).
    """
    if kinds is None:
        from ..reporting.fact_kinds import ALL as kinds
    if kind == "postgresql":
        from .pg import open_postgres

        if photos not in PHOTO_STORES:
            raise ValueError(f"unknown photo store {photos!r}: use 'database' or 'files'")
        files = FilePhotoStore(data_dir) if photos == "files" else None
        return open_postgres(database_url, kinds, files, check=check, max_size=max_size)
    if kind == "memory":
        return Storage(
            MemoryCompletionStore(kinds),
            MemoryUserStore(),
            MemorySnapshotStore(),
            MemoryStartedStore(),
            MemoryAttemptStore(),
            MemoryAuditStore(),
            MemoryPeopleStore(),
            MemoryNotifyStore(),
            MemoryActionStore(),
            MemoryDecisionStore(),
            MemoryReadingStore(),
            MemoryPhotoStore(),
            "memory",
        )
    if kind == "tinydb":
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(Path(data_dir))
        return Storage(
            TinyDBCompletionStore(data_dir, kinds),
            TinyDBUserStore(data_dir),
            FileSnapshotStore(data_dir),
            FileStartedStore(data_dir),
            FileAttemptStore(data_dir),
            FileAuditStore(data_dir),
            FilePeopleStore(data_dir),
            FileNotifyStore(data_dir),
            FileActionStore(data_dir),
            FileDecisionStore(data_dir),
            FileReadingStore(data_dir),
            FilePhotoStore(data_dir),
            "tinydb",
        )
    raise ValueError(f"unknown storage {kind!r}: use 'tinydb', 'postgresql' or 'memory'")
