"""Reading acknowledgements in PostgreSQL: a tap twice stores one (UNIQUE person, policy and clauses)."""

from __future__ import annotations

import json

from psycopg.types.json import Jsonb

from ..reading import ReadingStore
from .database import Database


def _clauses(ack: dict) -> str:
    return json.dumps(ack["clauses"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class PostgresReadingStore(ReadingStore):
    def __init__(self, db: Database):
        self.db = db

    def add(self, ack: dict) -> tuple[dict, bool]:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO reading_acks (username, policy_id, clauses, data) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (ack["username"], ack["policy_id"], _clauses(ack), Jsonb(ack)),
            )
            if cur.rowcount == 1:
                return dict(ack), True
            cur.execute(
                "SELECT data FROM reading_acks WHERE username = %s AND policy_id = %s AND clauses = %s",
                (ack["username"], ack["policy_id"], _clauses(ack)),
            )
            return cur.fetchone()[0], False

    def all(self) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM reading_acks ORDER BY n")
            return [row[0] for row in cur.fetchall()]
