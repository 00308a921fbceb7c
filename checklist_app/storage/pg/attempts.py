"""Failed sign-ins in PostgreSQL: one row per key, changed under its row lock."""

from __future__ import annotations

from psycopg.types.json import Jsonb

from ..attempts import AttemptStore, _epoch, _fail, _failures, _locked_until
from .database import Database


class PostgresAttemptStore(AttemptStore):
    """Every app server counts into the same rows, so throttling holds across machines."""

    def __init__(self, db: Database):
        self.db = db

    def _entry(self, cur, key: str, lock: bool = False) -> dict:
        cur.execute(
            "SELECT entry FROM login_attempts WHERE key = %s" + (" FOR UPDATE" if lock else ""), (key,)
        )
        row = cur.fetchone()
        return {key: row[0]} if row else {}

    def fail(self, key, now, limit, window, lockout):
        with self.db.transaction() as cur:
            # The first failure of a key inserts its row; every later one waits for the row lock.
            cur.execute(
                "INSERT INTO login_attempts (key, entry, touched) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (key, Jsonb({"failures": [], "locked_until": None}), _epoch(now)),
            )
            table = self._entry(cur, key, lock=True)
            until = _fail(table, key, now, limit, window, lockout)
            cur.execute(
                "UPDATE login_attempts SET entry = %s, touched = %s WHERE key = %s",
                (Jsonb(table[key]), _epoch(now), key),
            )
            # Forget keys with nothing recent (the table stays as small as the attack).
            horizon = _epoch(now) - max(window, lockout).total_seconds()
            cur.execute("DELETE FROM login_attempts WHERE touched < %s", (horizon,))
            return until

    def locked_until(self, key, now):
        with self.db.transaction() as cur:
            return _locked_until(self._entry(cur, key), key, now)

    def failures(self, key, now, window):
        with self.db.transaction() as cur:
            return _failures(self._entry(cur, key), key, now, window)

    def clear(self, key):
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM login_attempts WHERE key = %s", (key,))
