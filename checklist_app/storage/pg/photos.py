"""Photos in PostgreSQL: one row per photo (``bytea``), written in one transaction, never half there."""

from __future__ import annotations

import hashlib

from ..photos import PhotoStore, checked_photo_id, valid_photo_id
from .database import Database


class PostgresPhotoStore(PhotoStore):
    """``photos``: write-once by id (``INSERT … ON CONFLICT DO NOTHING``), with the stored bytes' hash."""

    def __init__(self, db: Database):
        self.db = db

    def put(self, photo_id: str, data: bytes) -> bool:
        checked_photo_id(photo_id)
        data = bytes(data)
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO photos (id, data, sha256) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (photo_id, data, hashlib.sha256(data).hexdigest()),
            )
            return cur.rowcount == 1

    def get(self, photo_id: object) -> bytes | None:
        if not valid_photo_id(photo_id):
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM photos WHERE id = %s", (photo_id,))
            row = cur.fetchone()
        return bytes(row[0]) if row else None

    def exists(self, photo_id: object) -> bool:
        if not valid_photo_id(photo_id):
            return False
        with self.db.transaction() as cur:
            cur.execute("SELECT 1 FROM photos WHERE id = %s", (photo_id,))
            return cur.fetchone() is not None

    def ids(self) -> list[str]:
        with self.db.transaction() as cur:
            cur.execute("SELECT id FROM photos ORDER BY id")
            return [row[0] for row in cur.fetchall()]
