"""Started checklists in PostgreSQL: snapshots (``snapshots``) and started pointers (``started``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from psycopg.types.json import Jsonb

from ..base import POINTER, SNAPSHOT, SnapshotStore, aware_time, check_cutoff, snapshot_key_kind
from ..started import StartedStore
from .database import Database


def _checked(key: object, kind: str) -> str:
    if snapshot_key_kind(key) != kind:
        raise ValueError(f"not a {kind} key: {key!r:.60}")
    return key  # type: ignore[return-value]


class PostgresSnapshotStore(SnapshotStore):
    """``snapshots``: write-once rows with ``pinned``."""

    def __init__(self, db: Database):
        self.db = db

    def put(self, key: str, checklist: dict) -> None:
        _checked(key, SNAPSHOT)
        with self.db.transaction() as cur:
            # Waits for a sweep removing this row, then stores it again (ON CONFLICT sees the delete).
            cur.execute(
                "INSERT INTO snapshots (key, data, created_at)"
                " VALUES (%s, %s, coalesce(%s, now())) ON CONFLICT DO NOTHING",
                (key, Jsonb(checklist), aware_time(checklist.get("created_at"))),
            )

    def get(self, key: object) -> dict | None:
        if snapshot_key_kind(key) != SNAPSHOT:
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM snapshots WHERE key = %s", (key,))
            row = cur.fetchone()
        return row[0] if row else None

    def pin(self, snapshot_id: str) -> bool:
        _checked(snapshot_id, SNAPSHOT)
        with self.db.transaction() as cur:
            cur.execute("UPDATE snapshots SET pinned = true WHERE key = %s", (snapshot_id,))
            return cur.rowcount == 1

    def delete(self, key: str) -> bool:
        _checked(key, SNAPSHOT)
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM snapshots WHERE key = %s", (key,))
            return cur.rowcount == 1

    def entries(self):
        with self.db.transaction() as cur:
            cur.execute("SELECT key, data, pinned FROM snapshots")
            found = cur.fetchall()
        yield from found

    def sweep(self, cutoff: dt.datetime, in_use: Callable[[], Iterable[str]] = tuple) -> int:
        check_cutoff(cutoff)
        with self.db.transaction() as cur:
            # No snapshot is stored while what is in use is asked and the old ones removed.
            cur.execute("LOCK TABLE snapshots IN SHARE ROW EXCLUSIVE MODE")
            referenced = sorted(set(in_use()))
            cur.execute(
                "DELETE FROM snapshots WHERE NOT pinned AND created_at < %s AND NOT (key = ANY(%s))",
                (cutoff, referenced),
            )
            return cur.rowcount


class PostgresStartedStore(StartedStore):
    """``started``: one row per pointer, ``snapshot_id`` indexed."""

    def __init__(self, db: Database):
        self.db = db

    def put(self, key: str, pointer: dict) -> None:
        _checked(key, POINTER)
        ref = pointer.get("snapshot_id")
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO started (key, snapshot_id, data, opened_at)"
                " VALUES (%s, %s, %s, coalesce(%s, now())) ON CONFLICT DO NOTHING",
                (
                    key,
                    ref if isinstance(ref, str) else None,
                    Jsonb(pointer),
                    aware_time(pointer.get("opened_at")),
                ),
            )

    def get(self, key: object) -> dict | None:
        if snapshot_key_kind(key) != POINTER:
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM started WHERE key = %s", (key,))
            row = cur.fetchone()
        return row[0] if row else None

    def delete(self, key: str) -> bool:
        _checked(key, POINTER)
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM started WHERE key = %s", (key,))
            return cur.rowcount == 1

    def entries(self):
        with self.db.transaction() as cur:
            cur.execute("SELECT key, data FROM started")
            found = cur.fetchall()
        yield from found

    def sweep(self, cutoff: dt.datetime) -> int:
        check_cutoff(cutoff)
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM started WHERE opened_at < %s", (cutoff,))
            return cur.rowcount

    def snapshot_ids(self) -> set[str]:
        with self.db.transaction() as cur:
            cur.execute("SELECT DISTINCT snapshot_id FROM started WHERE snapshot_id IS NOT NULL")
            return {row[0] for row in cur.fetchall()}
