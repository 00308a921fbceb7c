"""One connection pool per process, and the schema's versioned migrations.

``Database`` wraps a psycopg_pool ``ConnectionPool``: ``with db.transaction() as cur``
runs one transaction (committed when the block ends, rolled back if it raises).
The schema is created and upgraded only by ``upgrade`` (``flask --app checklist_app
db upgrade``): the SQL files in ``migrations/`` in order, each recorded in
``schema_version``, under a PostgreSQL advisory lock, so running it twice or from
several machines at once applies each migration exactly once. A new store adds a
numbered SQL file and uses ``Database``; nothing else is needed.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson
import psycopg
from psycopg.rows import tuple_row
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg.types.string import StrDumperUnknown
from psycopg_pool import ConnectionPool

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_FILE = re.compile(r"([0-9]{4})_([a-z0-9_]+)\.sql")
LOCK_KEY = 7_417_017  # the advisory lock every `db upgrade` takes (any constant the app owns)


class _NulSafeStr(StrDumperUnknown):
    """PostgreSQL text cannot hold NUL: a typed or pasted NUL becomes U+FFFD instead of a server error.

    TinyDB would store it; here the request goes on (a sign-in with NUL in the name is a
    failed sign-in, a URL with %00 is not found), never a 500.
    """

    def dump(self, obj: str):
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


def _dumps(value) -> str:
    """JSON for jsonb: UTF-8 as written (not \\u escapes), never a NUL (jsonb refuses it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        json.dumps(_without_nul(value), ensure_ascii=False, separators=(",", ":"))
        if "\\u0000" in text
        else text
    )


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_dumper(str, _NulSafeStr)
    set_json_dumps(_dumps, conn)
    # Reports read thousands of jsonb values (a month's ledger lines); orjson parses them about
    # four times as fast as the standard library, into the same Python values.
    set_json_loads(orjson.loads, conn)


class SchemaError(Exception):
    """The database's schema is not the one this code needs (``message`` is Chinese, with the fix)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with the code, oldest first."""
    found = []
    for path in sorted(MIGRATIONS.iterdir()):
        match = _MIGRATION_FILE.fullmatch(path.name)
        if match:
            found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    return found


def latest_version() -> int:
    return max(m.version for m in migrations())


class Database:
    """A connection pool to one PostgreSQL database (one per worker process)."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8, timeout: float = 30.0):
        self.url = url
        self.pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            open=False,
            kwargs={"row_factory": tuple_row},
            configure=_configure,
            name="checklist",
        )
        self._local = threading.local()

    def open(self) -> Database:
        """Open the pool; psycopg.OperationalError at once (with the server's reason) if it cannot connect."""
        psycopg.connect(self.url, connect_timeout=10).close()  # the pool would retry in silence
        self.pool.open(wait=True, timeout=30.0)
        return self

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Cursor]:
        """One transaction: committed at the end of the block, rolled back if it raises.

        Nested in another transaction of the same thread (a user update's ``change``
        reading the store), it joins that one instead of taking a second connection,
        so a full pool can never deadlock on itself.
        """
        current = getattr(self._local, "cursor", None)
        if current is not None:
            yield current
            return
        with self.pool.connection() as conn, conn.cursor() as cur:
            self._local.cursor = cur
            try:
                yield cur
            finally:
                self._local.cursor = None

    def schema_version(self) -> int:
        """The newest migration applied; 0 for an empty database."""
        with self.transaction() as cur:
            cur.execute("SELECT to_regclass('schema_version') IS NOT NULL")
            if not cur.fetchone()[0]:
                return 0
            cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
            return cur.fetchone()[0]

    def applied(self) -> set[int]:
        """The versions of the migrations applied to this database."""
        with self.transaction() as cur:
            cur.execute("SELECT to_regclass('schema_version') IS NOT NULL")
            if not cur.fetchone()[0]:
                return set()
            cur.execute("SELECT version FROM schema_version")
            return {row[0] for row in cur.fetchall()}

    def missing(self) -> list[int]:
        """The versions of the shipped migrations not applied yet, oldest first."""
        return sorted({m.version for m in migrations()} - self.applied())

    def check_schema(self) -> None:
        """SchemaError unless every migration of this code has been applied (not only the newest)."""
        have, want, missing = self.schema_version(), latest_version(), self.missing()
        if have != want or missing:
            gaps = f"（还缺第 {'、'.join(map(str, missing))} 项迁移）" if have == want else ""
            raise SchemaError(
                f"数据库结构是第 {have} 版，这个版本的程序需要第 {want} 版{gaps}。"
                "请先运行：flask --app checklist_app db upgrade"
            )

    def shared_secret(self, name: str) -> str:
        """The secret ``name`` every app server on this database uses, created by the first one to ask."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO shared_secrets (name, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (name, secrets.token_hex(32)),
            )
            cur.execute("SELECT value FROM shared_secrets WHERE name = %s", (name,))
            return cur.fetchone()[0]

    @contextmanager
    def leadership(self, key: int) -> Iterator[bool]:
        """Yield whether this process holds the cluster-wide lock ``key`` (held until the block ends).

        A session advisory lock on a connection of its own: the server releases it when
        the process dies or its connection drops, so a stand-by can take over.
        """
        conn = psycopg.connect(self.url, autocommit=True)
        try:
            (held,) = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            yield held
        finally:
            conn.close()


def upgrade(url: str) -> list[Migration]:
    """Apply the migrations the database lacks, in order; return those applied (safe concurrently)."""
    applied = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
            for migration in migrations():
                if migration.version in done:
                    continue
                with conn.transaction():
                    conn.execute(migration.sql)
                    conn.execute(
                        "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                        (migration.version, migration.name),
                    )
                applied.append(migration)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return applied
