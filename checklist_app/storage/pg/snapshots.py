"""Started checklists in PostgreSQL: snapshots and started pointers, each in its own table."""

from __future__ import annotations

import datetime as dt

from psycopg.types.json import Jsonb

from ..base import SNAPSHOT, SnapshotStore, aware_time, check_cutoff, snapshot_key_kind
from .database import Database


def _kind(key: object) -> str:
    kind = snapshot_key_kind(key)
    if kind is None:
        raise ValueError(f"not a snapshot or pointer key: {key!r:.60}")
    return kind


def _ref(value: dict) -> str | None:
    ref = value.get("snapshot_id")
    return ref if isinstance(ref, str) else None


class PostgresSnapshotStore(SnapshotStore):
    """``snapshots`` (write-once, ``pinned``) and ``started`` (pointers, ``snapshot_id`` indexed)."""

    def __init__(self, db: Database):
        self.db = db

    def put(self, key: str, checklist: dict) -> None:
        kind = _kind(key)
        with self.db.transaction() as cur:
            if kind == SNAPSHOT:
                cur.execute(
                    "INSERT INTO snapshots (key, data, created_at)"
                    " VALUES (%s, %s, coalesce(%s, now())) ON CONFLICT DO NOTHING",
                    (key, Jsonb(checklist), aware_time(checklist.get("created_at"))),
                )
            else:
                cur.execute(
                    "INSERT INTO started (key, snapshot_id, data, opened_at)"
                    " VALUES (%s, %s, %s, coalesce(%s, now())) ON CONFLICT DO NOTHING",
                    (key, _ref(checklist), Jsonb(checklist), aware_time(checklist.get("opened_at"))),
                )

    def get(self, key: object) -> dict | None:
        kind = snapshot_key_kind(key)
        if kind is None:
            return None
        table = "snapshots" if kind == SNAPSHOT else "started"
        with self.db.transaction() as cur:
            cur.execute(f"SELECT data FROM {table} WHERE key = %s", (key,))
            row = cur.fetchone()
        return row[0] if row else None

    def pin(self, snapshot_id: str) -> bool:
        if _kind(snapshot_id) != SNAPSHOT:
            raise ValueError(f"only a snapshot can be pinned, not {snapshot_id!r}")
        with self.db.transaction() as cur:
            cur.execute("UPDATE snapshots SET pinned = true WHERE key = %s", (snapshot_id,))
            return cur.rowcount == 1

    def delete(self, key: str) -> bool:
        table = "snapshots" if _kind(key) == SNAPSHOT else "started"
        with self.db.transaction() as cur:
            cur.execute(f"DELETE FROM {table} WHERE key = %s", (key,))
            return cur.rowcount == 1

    def entries(self):
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT key, data, pinned FROM snapshots UNION ALL SELECT key, data, false FROM started"
            )
            found = cur.fetchall()
        yield from found

    def sweep(self, cutoff: dt.datetime) -> int:
        check_cutoff(cutoff)
        with self.db.transaction() as cur:
            # No pointer appears while the snapshots it could reference are judged.
            cur.execute("LOCK TABLE started IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("DELETE FROM started WHERE opened_at < %s", (cutoff,))
            pointers = cur.rowcount
            cur.execute(
                "DELETE FROM snapshots s WHERE NOT s.pinned AND s.created_at < %s"
                " AND NOT EXISTS (SELECT 1 FROM started p WHERE p.snapshot_id = s.key)",
                (cutoff,),
            )
            return pointers + cur.rowcount
