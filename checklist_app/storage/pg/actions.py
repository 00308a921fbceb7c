"""Corrective actions and decided fines in PostgreSQL."""

from __future__ import annotations

import datetime as dt

from psycopg.types.json import Jsonb

from ..actions import (
    VERIFIED,
    ActionCounts,
    ActionStore,
    Facet,
    StaleAction,
    _changed,
    _facet,
    _slug,
    _waiting_only,
    day_of,
)
from ..base import DEFAULT_SITE
from ..decisions import DecisionStore
from .database import Database

# The typed columns of migration 0010, written with every action from its data.
COLUMNS = (
    "kind, target, scope, status, found_on, due_on,"
    " department, owner_role, inspector, responsible_id, policy_id, policy_title"
)
_PLACEHOLDERS = ", ".join(["%s"] * 12)
_ASSIGN = ", ".join(f"{c.strip()} = %s" for c in COLUMNS.split(","))


def _day(action: dict, name: str) -> dt.date | None:
    found = day_of(action, name)
    try:
        return dt.date.fromisoformat(found) if found else None
    except ValueError:  # 2026-02-30: no day, as the migration's cast would refuse it
        return None


def columns(action: dict) -> tuple:
    """The values of the typed columns for ``action``."""
    return (
        action.get("kind"),
        _slug(action),
        action.get("scope"),
        action.get("status") or "",
        _day(action, "found_on"),
        _day(action, "due_on"),
        *_facet(action),
    )


class PostgresActionStore(ActionStore):
    """``actions``: new ids only (``ON CONFLICT DO NOTHING``); updates check ``rev`` under a row lock.

    The pages' queries use the typed columns and indexes of migration 0010.
    """

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM actions ORDER BY n")
            return [row[0] for row in cur.fetchall()]

    def _data(self, sql: str, params: tuple = ()) -> list[dict]:
        with self.db.transaction() as cur:
            cur.execute(sql, params)
            return [row[0] for row in cur.fetchall()]

    def for_recheck(self, kind, target_slug, scope, before) -> list[dict]:
        return self._data(
            "SELECT data FROM actions WHERE status <> %s AND kind = %s AND target = %s AND scope = %s"
            ' AND found_on < %s ORDER BY found_on, id COLLATE "C"',
            (VERIFIED, kind, target_slug, scope, before),
        )

    def for_record(self, record_id) -> list[dict]:
        # every id starting '<record id>#' lies in ['<record id>#', '<record id>$') in byte order
        return self._data(
            'SELECT data FROM actions WHERE id COLLATE "C" >= %s AND id COLLATE "C" < %s ORDER BY n',
            (f"{record_id}#", f"{record_id}$"),
        )

    def existing(self, ids) -> frozenset[str]:
        wanted = list({i for i in ids if isinstance(i, str)})
        if not wanted:
            return frozenset()
        with self.db.transaction() as cur:
            cur.execute("SELECT id FROM actions WHERE id = ANY(%s)", (wanted,))
            return frozenset(row[0] for row in cur.fetchall())

    def ids(self) -> frozenset[str]:
        with self.db.transaction() as cur:
            cur.execute("SELECT id FROM actions")
            return frozenset(row[0] for row in cur.fetchall())

    def counts(self, today) -> ActionCounts:
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE status = 'open' AND due_on < %s)"
                " FROM actions WHERE status <> %s",
                (today, VERIFIED),
            )
            waiting, overdue = cur.fetchone()
            cur.execute(
                'SELECT data FROM actions WHERE status <> %s ORDER BY found_on, id COLLATE "C" LIMIT 1',
                (VERIFIED,),
            )
            oldest = cur.fetchone()
        return ActionCounts(waiting, overdue, oldest[0] if oldest else None)

    def due(self, day) -> list[dict]:
        return self._data(
            "SELECT data FROM actions WHERE status = 'open' AND due_on <= %s ORDER BY n", (day,)
        )

    def select(
        self, statuses=None, *, waiting=False, overdue_on=None, department="", policy_id=""
    ) -> list[dict]:
        where, params = [], []
        if _waiting_only(statuses, waiting, overdue_on):
            where.append("status <> %s")
            params.append(VERIFIED)
        if statuses is not None:
            where.append("status = ANY(%s)")
            params.append(list(statuses))
        if overdue_on is not None:
            where.append("status = 'open' AND due_on < %s")
            params.append(overdue_on)
        if department:
            where.append("department = %s")
            params.append(department)
        if policy_id:
            where.append("policy_id = %s")
            params.append(policy_id)
        condition = " WHERE " + " AND ".join(where) if where else ""
        return self._data(f"SELECT data FROM actions{condition} ORDER BY n", tuple(params))

    def facets(self) -> set[Facet]:
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT DISTINCT department, owner_role, inspector, responsible_id, policy_id, policy_title"
                " FROM actions"
            )
            return {Facet(*row) for row in cur.fetchall()}

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
                    f"INSERT INTO actions (id, site, rev, data, {COLUMNS})"
                    f" VALUES (%s, %s, 1, %s, {_PLACEHOLDERS}) ON CONFLICT DO NOTHING",
                    (action["id"], DEFAULT_SITE, Jsonb(stored), *columns(stored)),
                )
                new += cur.rowcount
        return new

    def load(self, actions) -> int:
        new = 0
        with self.db.transaction() as cur:
            for action in actions:
                cur.execute(
                    f"INSERT INTO actions (id, site, rev, data, {COLUMNS})"
                    f" VALUES (%s, %s, %s, %s, {_PLACEHOLDERS}) ON CONFLICT DO NOTHING",
                    (action["id"], DEFAULT_SITE, action["rev"], Jsonb(action), *columns(action)),
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
                f"UPDATE actions SET rev = %s, data = %s, {_ASSIGN} WHERE id = %s",
                (updated["rev"], Jsonb(updated), *columns(updated), action_id),
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
