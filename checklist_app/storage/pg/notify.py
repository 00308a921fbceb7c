"""Robots, the outbox and the sender's heartbeat in PostgreSQL: one row per part, changed under its lock."""

from __future__ import annotations

import json

from psycopg.types.json import Jsonb

from ..notify import NotifyStore
from .database import Database


class PostgresNotifyStore(NotifyStore):
    """The same atomic changes as the file store, with a row lock instead of a file lock.

    Every app server claims from the same outbox, so one message is sent by one sender.
    """

    def __init__(self, db: Database):
        self.db = db

    def _read(self, part):
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM notify_parts WHERE part = %s", (part,))
            row = cur.fetchone()
        return row[0] if row else {}

    def _change(self, part, change):
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO notify_parts (part, data) VALUES (%s, '{}') ON CONFLICT DO NOTHING", (part,)
            )
            cur.execute("SELECT data FROM notify_parts WHERE part = %s FOR UPDATE", (part,))
            data = cur.fetchone()[0]
            before = json.dumps(data, sort_keys=True)
            result = change(data)
            if json.dumps(data, sort_keys=True) != before:
                cur.execute("UPDATE notify_parts SET data = %s WHERE part = %s", (Jsonb(data), part))
            return result
