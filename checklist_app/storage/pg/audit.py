"""The audit log in PostgreSQL: append-only rows, numbered per month under an advisory lock."""

from __future__ import annotations

import datetime as dt

from psycopg.types.json import Jsonb

from ..audit import AuditStore, _month, _with_before
from .database import Database

_APPEND_LOCK = 7_417_018  # serialises appends (per-month numbering, "append if changed")


class PostgresAuditStore(AuditStore):
    def __init__(self, db: Database):
        self.db = db

    def append(self, entry: dict) -> dict:
        with self.db.transaction() as cur:
            return self._append(cur, entry)

    @staticmethod
    def _append(cur, entry: dict) -> dict:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_APPEND_LOCK,))
        month = _month(entry)
        cur.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit WHERE month = %s", (month,))
        stored = dict(entry, seq=cur.fetchone()[0])
        cur.execute(
            "INSERT INTO audit (month, seq, day, at, action, data) VALUES (%s, %s, %s, %s, %s, %s)",
            (month, stored["seq"], entry["at"][:10], entry["at"], entry.get("action"), Jsonb(stored)),
        )
        return stored

    def entries(self, start: dt.date, end: dt.date) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT data FROM audit WHERE day BETWEEN %s AND %s ORDER BY at DESC, seq DESC",
                (start.isoformat(), end.isoformat()),
            )
            return [row[0] for row in cur.fetchall()]

    def append_if_changed(self, entry: dict, field: str) -> dict | None:
        with self.db.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_APPEND_LOCK,))
            cur.execute(
                "SELECT data FROM audit WHERE action = %s ORDER BY n DESC LIMIT 1", (entry["action"],)
            )
            row = cur.fetchone()
            latest = row[0] if row else None
            if latest is not None and latest.get(field) == entry.get(field):
                return None
            return self._append(cur, _with_before(entry, latest))
