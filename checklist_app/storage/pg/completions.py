"""Completed checklists and their report facts in PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from psycopg.types.json import Jsonb

from ..base import (
    ANY,
    DEFAULT_SITE,
    CompletionStore,
    Conflict,
    FactKind,
    RecordFilter,
    fact_kinds,
    new_record_id,
)
from .database import Database

_COLUMNS = "id, identity, idempotency_key, site, day, submitted_at, target_kind, target_name, inspector, data"


def _where(start: dt.date, end: dt.date, where: RecordFilter, prefix: str = "") -> tuple[str, list]:
    sql = [f"{prefix}site = %s", f"{prefix}day BETWEEN %s AND %s"]
    args: list = [DEFAULT_SITE, start, end]
    if where.target is not None:
        sql.append(f"{prefix}target_kind = %s AND {prefix}target_name = %s")
        args += list(where.target)
    if where.inspector is not None:
        sql.append(f"{prefix}inspector = %s")
        args.append(where.inspector)
    return " AND ".join(sql), args


class PostgresCompletionStore(CompletionStore):
    """``completions`` (UNIQUE identity) and ``facts``; a save and its facts are one transaction."""

    def __init__(self, db: Database, kinds: Iterable[FactKind] = ()):
        self.db = db
        self.fact_kinds = fact_kinds(kinds)

    def save(self, record: dict) -> tuple[dict, bool]:
        day = dt.date.fromisoformat(record["day"])
        stored = dict(record)
        stored.setdefault("id", new_record_id(day))
        target = stored.get("target") or {}
        with self.db.transaction() as cur:
            cur.execute(
                f"INSERT INTO completions ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (identity) DO NOTHING RETURNING seq",
                (
                    stored["id"],
                    stored["identity"],
                    stored["idempotency_key"],
                    DEFAULT_SITE,
                    day,
                    stored["submitted_at"],
                    target.get("kind"),
                    target.get("name"),
                    stored.get("inspector"),
                    Jsonb(stored),
                ),
            )
            row = cur.fetchone()
            if row is None:
                cur.execute("SELECT data FROM completions WHERE identity = %s", (stored["identity"],))
                existing = cur.fetchone()[0]
                if existing["idempotency_key"] == stored["idempotency_key"]:
                    return existing, False
                raise Conflict(existing)
            self._write_facts(cur, [(stored, row[0])], self.fact_kinds.values())
        return stored, True

    def save_many(self, records) -> int:
        """One transaction per call: every record inserted unless its identity is stored (then checked)."""
        records = [dict(r) for r in records]
        if not records:
            return 0
        for record in records:
            record.setdefault("id", new_record_id(dt.date.fromisoformat(record["day"])))
        rows = []
        for r in records:
            target = r.get("target") or {}
            rows.append(
                (
                    r["id"],
                    r["identity"],
                    r["idempotency_key"],
                    DEFAULT_SITE,
                    dt.date.fromisoformat(r["day"]),
                    r["submitted_at"],
                    target.get("kind"),
                    target.get("name"),
                    r.get("inspector"),
                    Jsonb(r),
                )
            )
        with self.db.transaction() as cur:
            cur.executemany(
                f"INSERT INTO completions ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (identity) DO NOTHING RETURNING 1",
                rows,
                returning=True,
            )
            created = 0
            while True:
                created += len(cur.fetchall())
                if not cur.nextset():
                    break
            cur.execute(
                "SELECT identity, idempotency_key, data FROM completions WHERE identity = ANY(%s)",
                ([r["identity"] for r in records],),
            )
            stored = {identity: (key, data) for identity, key, data in cur.fetchall()}
            for r in records:
                key, data = stored[r["identity"]]
                if key != r["idempotency_key"]:
                    raise Conflict(data)
            cur.execute("SELECT data, seq FROM completions WHERE id = ANY(%s)", ([r["id"] for r in records],))
            self._write_facts(cur, cur.fetchall(), self.fact_kinds.values())
        return created

    def span(self) -> tuple[dt.date, dt.date] | None:
        with self.db.transaction() as cur:
            cur.execute("SELECT min(day), max(day) FROM completions WHERE site = %s", (DEFAULT_SITE,))
            first, last = cur.fetchone()
        return (first, last) if first else None

    @staticmethod
    def _write_facts(cur, records: list[tuple[dict, int]], kinds: Iterable[FactKind]) -> None:
        rows = []
        for kind in kinds:
            for record, seq in records:
                target = record.get("target") or {}
                rows.append(
                    (
                        kind.name,
                        kind.version,
                        record["id"],
                        DEFAULT_SITE,
                        dt.date.fromisoformat(record["day"]),
                        record["submitted_at"],
                        seq,
                        target.get("kind"),
                        target.get("name"),
                        record.get("inspector"),
                        Jsonb(kind.digest(record)),
                    )
                )
        if rows:
            cur.executemany(
                "INSERT INTO facts (kind, version, record_id, site, day, submitted_at, seq,"
                " target_kind, target_name, inspector, data)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                rows,
            )

    def get(self, identity: str) -> dict | None:
        if not isinstance(identity, str):
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM completions WHERE identity = %s", (identity,))
            row = cur.fetchone()
        return row[0] if row else None

    def find(self, record_id: str) -> dict | None:
        if not isinstance(record_id, str) or len(record_id) > 100:
            return None
        with self.db.transaction() as cur:
            cur.execute("SELECT data FROM completions WHERE id = %s", (record_id,))
            row = cur.fetchone()
        return row[0] if row else None

    def list(self, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        if start > end:
            return []
        sql, args = _where(start, end, where)
        with self.db.transaction() as cur:
            cur.execute(
                f"SELECT data FROM completions WHERE {sql} ORDER BY day DESC, submitted_at DESC, seq",
                args,
            )
            return [row[0] for row in cur.fetchall()]

    def facts(self, kind: str, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        fact_kind = self._kind(kind)
        if start > end:
            return []
        self._fill_in(fact_kind, start, end)
        sql, args = _where(start, end, where)
        with self.db.transaction() as cur:
            cur.execute(
                f"SELECT data FROM facts WHERE kind = %s AND version = %s AND {sql}"
                " ORDER BY day, submitted_at, seq",
                [fact_kind.name, fact_kind.version, *args],
            )
            return [row[0] for row in cur.fetchall()]

    def _fill_in(self, kind: FactKind, start: dt.date, end: dt.date) -> None:
        """Write the facts of ``kind`` for records saved before its version existed (once)."""
        sql, args = _where(start, end, ANY, "c.")
        with self.db.transaction() as cur:
            cur.execute(
                f"SELECT c.data, c.seq FROM completions c WHERE {sql} AND NOT EXISTS"
                " (SELECT 1 FROM facts f WHERE f.kind = %s AND f.version = %s AND f.record_id = c.id)",
                [*args, kind.name, kind.version],
            )
            missing = cur.fetchall()
            if missing:
                self._write_facts(cur, [(data, seq) for data, seq in missing], [kind])
