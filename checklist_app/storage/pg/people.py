"""The staff directory and its links in PostgreSQL."""

from __future__ import annotations

from psycopg.types.json import Jsonb

from ..base import DEFAULT_SITE
from ..people import PeopleStore, _key, _loaded, _merge
from .database import Database


class PostgresPeopleStore(PeopleStore):
    """``people`` (rev, unique 工号 and account) and ``people_links`` (one person per line)."""

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM people ORDER BY n")
            return [row[0] for row in cur.fetchall()]

    def get(self, person_id: str) -> dict | None:
        if not isinstance(person_id, str):
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM people WHERE id = %s", (person_id,))
            row = cur.fetchone()
        return row[0] if row else None

    def put_many(self, people, expect=None) -> list[dict]:
        people = list(people)
        with self.db.transaction() as cur:
            # One batch at a time checks the whole directory's unique rules, as the file store does.
            cur.execute("LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT id, data FROM people ORDER BY n")
            current = {pid: data for pid, data in cur.fetchall()}
            _, written = _merge(current, people, expect)
            cur.executemany(
                "INSERT INTO people (id, site, rev, employee_no_key, username_key, data)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET rev = excluded.rev,"
                " employee_no_key = excluded.employee_no_key, username_key = excluded.username_key,"
                " data = excluded.data",
                [self._row(p) for p in written],
            )
        return written

    def load(self, people) -> int:
        people = list(people)
        with self.db.transaction() as cur:
            cur.execute("LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT id, data FROM people ORDER BY n")
            current = {pid: data for pid, data in cur.fetchall()}
            _loaded(current, people)
            new = [p for p in people if p["id"] not in current]
            cur.executemany(
                "INSERT INTO people (id, site, rev, employee_no_key, username_key, data)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [self._row(p) for p in new],
            )
        return len(new)

    @staticmethod
    def _row(p: dict) -> tuple:
        return (
            p["id"],
            DEFAULT_SITE,
            p["rev"],
            _key(p.get("employee_no")),
            _key(p.get("username")),
            Jsonb(p),
        )

    def links(self) -> dict[str, str]:
        with self.db.transaction() as cur:
            cur.execute("SELECT ref, person_id FROM people_links")
            return dict(cur.fetchall())

    def link(self, links) -> int:
        new = 0
        with self.db.transaction() as cur:
            for ref, pid in links.items():
                cur.execute(
                    "INSERT INTO people_links (ref, person_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (ref, pid),
                )
                new += cur.rowcount
        return new

    def unlink(self, links) -> int:
        gone = 0
        with self.db.transaction() as cur:
            for ref, pid in links.items():
                cur.execute("DELETE FROM people_links WHERE ref = %s AND person_id = %s", (ref, pid))
                gone += cur.rowcount
        return gone
