"""Accounts in PostgreSQL: one row per username."""

from __future__ import annotations

from collections.abc import Callable

from psycopg.types.json import Jsonb

from ..base import UserStore
from .database import Database


class PostgresUserStore(UserStore):
    def __init__(self, db: Database):
        self.db = db

    def get(self, username: str) -> dict | None:
        if not isinstance(username, str):
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM users WHERE username = %s", (username,))
            row = cur.fetchone()
        return row[0] if row else None

    def put(self, user: dict) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO users (username, data) VALUES (%s, %s)"
                " ON CONFLICT (username) DO UPDATE SET data = excluded.data",
                (user["username"], Jsonb(user)),
            )

    def add(self, user: dict) -> bool:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO users (username, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (user["username"], Jsonb(user)),
            )
            return cur.rowcount == 1

    def update(self, username: str, change: Callable[[dict], dict]) -> dict | None:
        with self.db.transaction() as cur:
            # Other writers wait; readers (``change`` may call get and all) do not.
            cur.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT data FROM users WHERE username = %s", (username,))
            row = cur.fetchone()
            if row is None:
                return None
            new = change(row[0])
            if new.get("username") != username:
                raise ValueError(f"update may not rename user {username!r}")
            cur.execute("UPDATE users SET data = %s WHERE username = %s", (Jsonb(new), username))
            return dict(new)

    def all(self) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute('SELECT data FROM users ORDER BY username COLLATE "C"')
            return [row[0] for row in cur.fetchall()]
