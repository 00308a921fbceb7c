"""Corrective actions and decided fines in PostgreSQL."""

from __future__ import annotations

from psycopg.types.json import Jsonb

from ..actions import ActionStore, StaleAction, _changed
from ..base import DEFAULT_SITE
from ..decisions import DecisionStore
from .database import Database


class PostgresActionStore(ActionStore):
    """``actions``: new ids only (``ON CONFLICT DO NOTHING``); updates check ``rev`` under a row lock."""

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM actions ORDER BY n")
            return [row[0] for row in cur.fetchall()]

    def get(self, action_id: str) -> dict | None:
        if not isinstance(action_id, str):
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM actions WHERE id = %s", (action_id,))
            row = cur.fetchone()
        return row[0] if row else None

    def open_many(self, actions) -> int:
        new = 0
        seen = set()
        with self.db.transaction() as cur:
            for action in actions:
                if action["id"] in seen:
                    continue
                seen.add(action["id"])
                stored = {**action, "rev": 1}
                cur.execute(
                    "INSERT INTO actions (id, site, rev, data) VALUES (%s, %s, 1, %s) ON CONFLICT DO NOTHING",
                    (action["id"], DEFAULT_SITE, Jsonb(stored)),
                )
                new += cur.rowcount
        return new

    def load(self, actions) -> int:
        new = 0
        with self.db.transaction() as cur:
            for action in actions:
                cur.execute(
                    "INSERT INTO actions (id, site, rev, data) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (action["id"], DEFAULT_SITE, action["rev"], Jsonb(action)),
                )
                new += cur.rowcount
        return new

    def update(self, action_id, rev, change) -> dict:
        if not isinstance(action_id, str):
            raise StaleAction(str(action_id))
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM actions WHERE id = %s FOR UPDATE", (action_id,))
            row = cur.fetchone()
            updated = _changed({action_id: row[0]} if row else {}, action_id, rev, change)
            cur.execute(
                "UPDATE actions SET rev = %s, data = %s WHERE id = %s",
                (updated["rev"], Jsonb(updated), action_id),
            )
            return updated


class PostgresDecisionStore(DecisionStore):
    """``fine_decisions``: one row per ledger line, replaced under its row lock."""

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> dict[str, dict]:
        with self.db.transaction() as cur:
            cur.execute("SELECT ref, data FROM fine_decisions")
            return dict(cur.fetchall())

    def decide(self, ref, decision) -> dict | None:
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM fine_decisions WHERE ref = %s FOR UPDATE", (ref,))
            row = cur.fetchone()
            cur.execute(
                "INSERT INTO fine_decisions (ref, data) VALUES (%s, %s)"
                " ON CONFLICT (ref) DO UPDATE SET data = excluded.data",
                (ref, Jsonb(decision)),
            )
            return row[0] if row else None
