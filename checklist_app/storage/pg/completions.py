"""Completed checklists and their report facts in PostgreSQL."""

from __future__ import annotations

import datetime as dt
import operator
import time
from collections.abc import Collection, Iterable

import orjson
from psycopg.types.json import Jsonb

from .. import aggregates
from ..aggregates import DaySummary, DoneGroup, PenaltyLine, PenaltyTally, ScoreDay
from ..base import (
    ANY,
    DEFAULT_SITE,
    CompletionStore,
    Conflict,
    FactKind,
    RecordFilter,
    RecordPage,
    fact_kinds,
    new_record_id,
)
from .database import Database

_FACT_COLUMNS = (
    "kind, version, record_id, site, day, submitted_at, seq, target_kind, target_name, inspector, data"
)
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


def _insert(cur, table: str, columns: str, rows: list[tuple], bulk: bool) -> None:
    if rows and bulk:  # rows of records created in this transaction: none can exist yet
        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elif rows:
        marks = ", ".join(["%s"] * len(rows[0]))
        cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows)


_RECORD_COLUMNS = (
    "version, record_id, site, day, target_kind, target_name, passed, applicable, backfill, has_readings,"
    " failed"
)
_SCORE_COLUMNS = (
    "version, record_id, policy_id, site, day, submitted_at, seq, target_kind, target_name, score, backfill"
)
_PENALTY_COLUMNS = (
    "version, record_id, item_key, n, site, day, submitted_at, seq, responsible, responsible_id, check_id,"
    " policy_id, fine, fine_rule, sanctions, count, amount, record, penalty"
)
FOLD_INTERVAL = 1.0  # seconds between one process's folds of new rows into the report rollups
FOLD_BATCH = 20_000  # rows of each typed table one report's fold takes at most
_SORT_MEMORY = "SET LOCAL work_mem = '32MB'"  # a year's lines are grouped in memory, not sorted on disk
_LINE_FIELDS = ("id", "day", "kind", "target", "inspector", "submitted_at", "backfill")


def _write_report_rows(cur, version: str, facts: list[tuple[dict, int]], bulk: bool) -> None:
    """The typed rows of report facts (migration 0007), in the transaction that writes the facts."""
    records, scores, penalties = [], [], []
    for d, seq in facts:
        day = dt.date.fromisoformat(d["day"])
        kind, name = d["target"]
        backfill = bool(d.get("backfill"))
        records.append(
            (
                version,
                d["id"],
                DEFAULT_SITE,
                day,
                kind,
                name,
                d["passed"],
                d["applicable"],
                backfill,
                bool(d.get("readings")),
                list(d["failed"]),
            )
        )
        if d["kind"] == "daily":
            for pid, value in d["scores"].items():
                scores.append(
                    (
                        version,
                        d["id"],
                        pid,
                        DEFAULT_SITE,
                        day,
                        d["submitted_at"],
                        seq,
                        kind,
                        name,
                        float(value),
                        backfill,
                    )
                )
        line = {k: d.get(k) for k in _LINE_FIELDS}
        for n, p in enumerate(d.get("penalties") or (), 1):
            rule = p.get("fine_rule")
            penalties.append(
                (
                    version,
                    d["id"],
                    p.get("key", ""),
                    n,
                    DEFAULT_SITE,
                    day,
                    d["submitted_at"],
                    seq,
                    p["responsible"],
                    p.get("responsible_id") or "",
                    p["check_id"],
                    p.get("policy_id", ""),
                    float(p["fine"] or 0.0),
                    Jsonb(rule) if rule else None,
                    list(p.get("sanctions") or ()),
                    p["count"],
                    p["amount"],
                    Jsonb(line),
                    Jsonb(p),
                )
            )
    _insert(cur, "report_records", _RECORD_COLUMNS, records, bulk)
    _insert(cur, "report_scores", _SCORE_COLUMNS, scores, bulk)
    _insert(cur, "report_penalties", _PENALTY_COLUMNS, penalties, bulk)


_MISSED_COLUMNS = (
    "version, record_id, site, day, submitted_at, seq, kind, period, target_kind, target_name, scope,"
    " backfill, checks"
)


def _write_missed_rows(cur, version: str, facts: list[tuple[dict, int, dt.date]], bulk: bool) -> None:
    """The typed rows of ``missed`` facts (migration 0007), in the transaction that writes the facts."""
    rows = [
        (
            version,
            d["id"],
            DEFAULT_SITE,
            day,
            d["submitted_at"],
            seq,
            d["kind"],
            d["period"],
            d["target"][0],
            d["target"][1],
            d["scope"],
            bool(d["backfill"]),
            list(d["checks"]),
        )
        for d, seq, day in facts
    ]
    _insert(cur, "missed_records", _MISSED_COLUMNS, rows, bulk)


_LINE_ORDER = operator.itemgetter(1, 6, 14, 15)  # day, submitted_at, seq, n: the order lines were saved in


def _tally(*row) -> PenaltyTally:
    """A tally from a row made hashable (``_hashable``: its rule as canonical text); ``ref`` last, if any."""
    *key, lines, count, amount, first = row[:12]
    return PenaltyTally(*key, lines, int(count), round(amount, 2), tuple(first), *row[12:])


def _hashable(rows):
    """Rows with their fine rule (sent as jsonb text) and sanctions as hashable values (group keys).

    The rule becomes its canonical text (aggregates.rule_text), worked out once per distinct rule.
    """
    canonical: dict[str | None, str] = {None: ""}
    for row in rows:
        if row[6] not in canonical:
            canonical[row[6]] = aggregates.rule_text(orjson.loads(row[6]))
        yield (*row[:6], canonical[row[6]], tuple(row[7]), *row[8:])


def _first_line(cur, version: str, key: tuple, apart: list[str]) -> list[str]:
    """The earliest line of one rollup group that is not kept apart."""
    month, responsible, responsible_id, check_id, policy_id, fine, rule, sanctions = key
    start = dt.date.fromisoformat(month + "-01")
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    cur.execute(
        'SELECT min(ARRAY[day::text COLLATE "C", submitted_at, record_id, item_key]) FROM report_penalties'
        " WHERE version = %s AND site = %s AND day BETWEEN %s AND %s AND responsible = %s"
        " AND responsible_id = %s AND check_id = %s AND policy_id = %s AND fine = %s"
        " AND coalesce(fine_rule, 'null'::jsonb) = %s::jsonb AND sanctions = %s"
        " AND NOT (record_id || '#' || item_key = ANY(%s))",
        (
            version,
            DEFAULT_SITE,
            start,
            end,
            responsible,
            responsible_id,
            check_id,
            policy_id,
            fine,
            rule or "null",
            list(sanctions),
            apart,
        ),
    )
    return list(cur.fetchone()[0])


class PostgresCompletionStore(CompletionStore):
    """``completions`` (UNIQUE identity) and ``facts``; a save and its facts are one transaction."""

    def __init__(self, db: Database, kinds: Iterable[FactKind] = ()):
        self.db = db
        self.fact_kinds = fact_kinds(kinds)
        self._filled: dict[tuple[str, str], int] = {}  # (kind, version) -> complete up to this seq
        self._folded_at = -FOLD_INTERVAL

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
            # COPY into a temporary table, then one INSERT ... ON CONFLICT: a bulk load, still exactly once.
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS incoming_completions (id text, identity text,"
                " idempotency_key text, site text, day date, submitted_at text, target_kind text,"
                " target_name text, inspector text, data jsonb) ON COMMIT DELETE ROWS"
            )
            with cur.copy(f"COPY incoming_completions ({_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                f"INSERT INTO completions ({_COLUMNS}) SELECT {_COLUMNS} FROM incoming_completions"
                " ON CONFLICT (identity) DO NOTHING RETURNING id, seq"
            )
            created = dict(cur.fetchall())
            others = [r for r in records if r["id"] not in created]
            if others:
                cur.execute(
                    "SELECT identity, idempotency_key, data FROM completions WHERE identity = ANY(%s)",
                    ([r["identity"] for r in others],),
                )
                stored = {identity: (key, data) for identity, key, data in cur.fetchall()}
                for r in others:
                    key, data = stored[r["identity"]]
                    if key != r["idempotency_key"]:
                        raise Conflict(data)
            new = [(r, created[r["id"]]) for r in records if r["id"] in created]
            self._write_facts(cur, new, self.fact_kinds.values(), bulk=True)
        return len(created)

    def span(self) -> tuple[dt.date, dt.date] | None:
        with self.db.transaction() as cur:
            cur.execute("SELECT min(day), max(day) FROM completions WHERE site = %s", (DEFAULT_SITE,))
            first, last = cur.fetchone()
        return (first, last) if first else None

    @staticmethod
    def _write_facts(
        cur, records: list[tuple[dict, int]], kinds: Iterable[FactKind], bulk: bool = False
    ) -> None:
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
        _insert(cur, "facts", _FACT_COLUMNS, rows, bulk)
        for kind in kinds:
            if kind.name == aggregates.MISSED:
                _write_missed_rows(
                    cur, kind.version, [(r[-1].obj, r[6], r[4]) for r in rows if r[0] == kind.name], bulk
                )
            if kind.name == aggregates.REPORT:
                _write_report_rows(
                    cur, kind.version, [(row[-1].obj, row[6]) for row in rows if row[0] == kind.name], bulk
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

    def page(
        self, start: dt.date, end: dt.date, where: RecordFilter = ANY, *, offset: int = 0, limit: int = 50
    ) -> RecordPage:
        if start > end:
            return RecordPage([], 0)
        sql, args = _where(start, end, where)
        with self.db.transaction() as cur:
            # One statement, so one snapshot: the page and its count agree while others save.
            cur.execute(
                f"SELECT t.n, p.data FROM (SELECT count(*) AS n FROM completions WHERE {sql}) t"
                f" LEFT JOIN LATERAL (SELECT data FROM completions WHERE {sql}"
                " ORDER BY day DESC, submitted_at DESC, seq LIMIT %s OFFSET %s) p ON true",
                [*args, *args, max(limit, 0), max(offset, 0)],
            )
            rows = cur.fetchall()
        return RecordPage([data for _, data in rows if data is not None], rows[0][0])

    def inspectors(self, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[str]:
        if start > end:
            return []
        sql, args = _where(start, end, where)
        with self.db.transaction() as cur:
            cur.execute(
                f"SELECT DISTINCT inspector FROM completions WHERE {sql} AND inspector IS NOT NULL"
                " AND inspector <> '' ORDER BY inspector",
                args,
            )
            return [row[0] for row in cur.fetchall()]

    def facts(self, kind: str, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        fact_kind = self._kind(kind)
        if start > end:
            return []
        self._fill_in(fact_kind)
        sql, args = _where(start, end, where)
        with self.db.transaction() as cur:
            # One JSON array built by the server: one parse here instead of one per row.
            cur.execute(
                "SELECT coalesce(json_agg(data ORDER BY day, submitted_at, seq), '[]')"
                f" FROM facts WHERE kind = %s AND version = %s AND {sql}",
                [fact_kind.name, fact_kind.version, *args],
            )
            return cur.fetchone()[0]

    # ------------------------------------------------------------ report aggregates, summed by the server

    def _report(self) -> str:
        kind = self._kind(aggregates.REPORT)
        self._fill_in(kind)
        self._fold()
        return kind.version

    def _fold(self) -> None:
        """Add the rows saved since the last fold to the rollups (migration 0009), at most once a second.

        Readers are exact without it (they add the unfolded rows of their range); folding keeps that
        tail small. One fold runs at a time in the cluster; the others return at once.
        """
        now = time.monotonic()
        if now - self._folded_at < FOLD_INTERVAL:
            return
        self._folded_at = now
        self.fold()

    def warm(self) -> None:
        self._folded_at = time.monotonic()
        self.fold()

    def fold(self, batch: int = FOLD_BATCH) -> int:
        """Fold up to ``batch`` unfolded rows of each typed table into the rollups; how many were folded.

        0 also when another fold is running. A bulk load (``storage copy``) calls it until it is 0.
        """
        with self.db.transaction() as cur:
            cur.execute("SELECT fold_report_rollups(%s)", (batch,))
            return cur.fetchone()[0]

    def score_days(self, policy_ids: Collection[str], start: dt.date, end: dt.date) -> list[ScoreDay]:
        if start > end or not policy_ids:
            return []
        version = self._report()
        with self.db.transaction() as cur:
            cur.execute(  # the rollup and the rows not folded into it yet (migration 0013), one snapshot
                "SELECT policy_id, target_kind, target_name, day, sum(total), sum(records)::integer,"
                " CASE WHEN sum(records) = 1 THEN max(record_id) ELSE '' END, bool_or(backfilled > 0)"
                " FROM (SELECT policy_id, target_kind, target_name, day, total, records, record_id,"
                " backfilled FROM score_days WHERE version = %s AND site = %s AND policy_id = ANY(%s)"
                " AND day BETWEEN %s AND %s UNION ALL"
                " SELECT policy_id, target_kind, target_name, day, score::numeric, 1, record_id,"
                " backfill::integer FROM report_scores WHERE NOT folded AND version = %s AND site = %s"
                " AND policy_id = ANY(%s) AND day BETWEEN %s AND %s) AS x"
                " GROUP BY policy_id, target_kind, target_name, day"
                " ORDER BY policy_id, target_kind, target_name, day",
                (version, DEFAULT_SITE, list(policy_ids), start, end) * 2,
            )
            rows = cur.fetchall()
        return [
            ScoreDay(pid, kind, name, day.isoformat(), float(total), records, only, backfilled)
            for pid, kind, name, day, total, records, only, backfilled in rows
        ]

    def day_summaries(self, start: dt.date, end: dt.date) -> list[DaySummary]:
        if start > end:
            return []
        version = self._report()
        with self.db.transaction() as cur:
            cur.execute(  # the rollup and the rows not folded into it yet (migration 0009), one snapshot
                "SELECT target_kind, target_name, day, sum(n)::integer, sum(p)::bigint, sum(a)::bigint,"
                " sum(b)::integer FROM (SELECT target_kind, target_name, day, checklists AS n, passed AS p,"
                " applicable AS a, backfilled AS b FROM day_totals"
                " WHERE version = %s AND site = %s AND day BETWEEN %s AND %s UNION ALL"
                " SELECT target_kind, target_name, day, 1, passed, applicable, backfill::integer"
                " FROM report_records WHERE NOT folded AND version = %s AND site = %s"
                " AND day BETWEEN %s AND %s"
                ") AS x GROUP BY target_kind, target_name, day ORDER BY target_kind, target_name, day",
                (version, DEFAULT_SITE, start, end) * 2,
            )
            rows = cur.fetchall()
        return [
            DaySummary(kind, name, day.isoformat(), int(n), int(passed), int(applicable), int(backfilled))
            for kind, name, day, n, passed, applicable, backfilled in rows
        ]

    def backfilled(self, start: dt.date, end: dt.date) -> int:
        if start > end:
            return 0
        version = self._report()
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT (SELECT coalesce(sum(backfilled), 0) FROM day_totals"
                " WHERE version = %s AND site = %s AND day BETWEEN %s AND %s)"
                " + (SELECT count(*) FROM report_records"
                " WHERE NOT folded AND backfill AND version = %s AND site = %s AND day BETWEEN %s AND %s)",
                (version, DEFAULT_SITE, start, end) * 2,
            )
            return int(cur.fetchone()[0])

    def failed_checks(self, start: dt.date, end: dt.date) -> dict[str, int]:
        if start > end:
            return {}
        version = self._report()
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT check_id, sum(n)::integer FROM (SELECT check_id, times AS n FROM failed_days"
                " WHERE version = %s AND site = %s AND day BETWEEN %s AND %s UNION ALL"
                " SELECT check_id, 1 FROM report_records, unnest(failed) AS check_id"
                " WHERE NOT folded AND version = %s AND site = %s AND day BETWEEN %s AND %s) AS x"
                " GROUP BY check_id",
                (version, DEFAULT_SITE, start, end) * 2,
            )
            return dict(cur.fetchall())

    def penalty_lines(self, start: dt.date, end: dt.date) -> list[PenaltyLine]:
        if start > end:
            return []
        version = self._report()
        with self.db.transaction() as cur:
            # Narrow typed columns (migration 0011); the part a line shares with every line of
            # its check and version (texts, titles, the fine rule) once per distinct part. Sorted
            # here: the day index reads the heap in its order, and Python sorts 7,730 rows in 4 ms
            # where the server took 11 (an index in this order cost 70 ms more with a cold cache).
            cur.execute(
                "SELECT record_id, day::text, kind, target_kind, target_name, inspector, submitted_at,"
                " backfill, item_key, responsible, responsible_id, count, amount, shared, seq, n"
                " FROM report_penalties WHERE version = %s AND site = %s AND day BETWEEN %s AND %s",
                (version, DEFAULT_SITE, start, end),
            )
            rows = cur.fetchall()
            rows.sort(key=_LINE_ORDER)
            cur.execute(
                "SELECT shared, data FROM penalty_shared WHERE shared = ANY(%s)",
                (list({r[13] for r in rows}),),
            )
            parts = {shared: aggregates.penalty_part(data) for shared, data in cur.fetchall()}
        return [PenaltyLine(*row[:13], parts[row[13]]) for row in rows]

    def penalty_tallies(
        self, start: dt.date, end: dt.date, apart: Collection[str] = ()
    ) -> list[PenaltyTally]:
        if start > end:
            return []
        version = self._report()
        apart = sorted(set(apart))
        tallies: list[PenaltyTally] = []
        with self.db.transaction() as cur:
            cur.execute(_SORT_MEMORY)
            whole, partial = self._penalty_months(cur, version, start, end)
            for first, last in partial:
                tallies += self._line_tallies(cur, version, first, last, apart)
            if whole:
                tallies += self._month_tallies(cur, version, whole, apart)
        return sorted(tallies, key=lambda x: x.first)

    @staticmethod
    def _penalty_months(cur, version: str, start: dt.date, end: dt.date):
        """The months of [start, end] the rollup answers, and the day ranges summed from the lines.

        A month's rollup (``penalty_months``, migration 0009) holds all its lines, so it answers a
        month the range covers whole, or one whose days outside the range hold no line (this
        month up to today).
        """
        whole, partial = [], []
        first = start.replace(day=1)
        while first <= end:
            following = (first + dt.timedelta(days=32)).replace(day=1)
            last = following - dt.timedelta(days=1)
            lo, hi = max(first, start), min(last, end)
            covered = (lo, hi) == (first, last)
            if not covered:
                cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM report_penalties WHERE version = %s AND site = %s"
                    " AND (day BETWEEN %s AND %s OR day BETWEEN %s AND %s))",
                    (
                        version,
                        DEFAULT_SITE,
                        first,
                        lo - dt.timedelta(days=1),
                        hi + dt.timedelta(days=1),
                        last,
                    ),
                )
                covered = not cur.fetchone()[0]
            if covered:
                whole.append(first.strftime("%Y-%m"))
            else:
                partial.append((lo, hi))
            first = following
        return whole, partial

    @staticmethod
    def _line_tallies(
        cur, version: str, start: dt.date, end: dt.date, apart: list[str]
    ) -> list[PenaltyTally]:
        """Tallies of the lines of [start, end], grouped now (``apart`` lines alone)."""
        cur.execute(
            "SELECT to_char(day, 'YYYY-MM') AS month, responsible, responsible_id, check_id, policy_id,"
            " fine, fine_rule::text, sanctions, count(*), sum(count), sum(amount),"
            ' min(ARRAY[day::text COLLATE "C", submitted_at, record_id, item_key]),'
            " CASE WHEN record_id || '#' || item_key = ANY(%s) THEN record_id || '#' || item_key ELSE ''"
            " END AS ref FROM report_penalties WHERE version = %s AND site = %s AND day BETWEEN %s AND %s"
            " GROUP BY month, responsible, responsible_id, check_id, policy_id, fine, fine_rule,"
            " sanctions, ref",
            (apart, version, DEFAULT_SITE, start, end),
        )
        return [_tally(*row) for row in _hashable(cur.fetchall())]

    @staticmethod
    def _month_tallies(cur, version: str, months: list[str], apart: list[str]) -> list[PenaltyTally]:
        """Tallies of whole months from the rollup, with the ``apart`` lines taken out of their groups."""
        first = dt.date.fromisoformat(min(months) + "-01")
        last = (dt.date.fromisoformat(max(months) + "-01") + dt.timedelta(days=32)).replace(day=1)
        cur.execute(  # the rollup and the lines not folded into it yet, in one snapshot
            "SELECT month, responsible, responsible_id, check_id, policy_id, fine,"
            " nullif(fine_rule, 'null'::jsonb)::text, sanctions, sum(lines)::integer, sum(count)::bigint,"
            " sum(amount), min(first) FROM (SELECT month, responsible, responsible_id, check_id, policy_id,"
            " fine, fine_rule, sanctions, lines, count, amount, first FROM penalty_months"
            " WHERE version = %s AND site = %s AND month = ANY(%s) UNION ALL"
            " SELECT to_char(day, 'YYYY-MM'), responsible, responsible_id, check_id, policy_id, fine,"
            " coalesce(fine_rule, 'null'::jsonb), sanctions, 1, count, amount,"
            ' ARRAY[day::text COLLATE "C", submitted_at, record_id, item_key] FROM report_penalties'
            " WHERE NOT folded AND version = %s AND site = %s AND day >= %s AND day < %s"
            " AND to_char(day, 'YYYY-MM') = ANY(%s)) AS x"
            " GROUP BY month, responsible, responsible_id, check_id, policy_id, fine, fine_rule, sanctions",
            (version, DEFAULT_SITE, months, version, DEFAULT_SITE, first, last, months),
        )
        groups = {tuple(row[:8]): list(row[8:]) for row in _hashable(cur.fetchall())}
        alone: list[PenaltyTally] = []
        if apart:
            pairs = [ref.split("#", 1) for ref in apart if "#" in ref]
            records, keys = [p[0] for p in pairs], [p[1] for p in pairs]
            cur.execute(
                "SELECT to_char(day, 'YYYY-MM') AS month, responsible, responsible_id, check_id, policy_id,"
                " fine, fine_rule::text, sanctions, 1, count, amount,"
                ' ARRAY[day::text COLLATE "C", submitted_at, record_id, item_key],'
                " record_id || '#' || item_key"
                " FROM report_penalties WHERE version = %s AND site = %s"
                " AND (record_id, item_key) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"
                " AND to_char(day, 'YYYY-MM') = ANY(%s)",
                (version, DEFAULT_SITE, records, keys, months),
            )
            for row in _hashable(cur.fetchall()):
                alone.append(_tally(*row))
                group = groups[tuple(row[:8])]
                group[0] -= 1
                group[1] -= row[9]
                group[2] -= row[10]
                if group[3] == list(row[11]):
                    group[3] = None  # its first line is kept apart: the next one is asked for below
            for key, group in groups.items():
                if group[0] and group[3] is None:
                    group[3] = _first_line(cur, version, key, apart)
        kept = [_tally(*key, *group) for key, group in groups.items() if group[0]]
        return kept + alone

    def reading_facts(self, start: dt.date, end: dt.date) -> list[dict]:
        if start > end:
            return []
        version = self._report()
        with self.db.transaction() as cur:
            cur.execute(  # one row per reading (report_readings, migration 0012)
                "SELECT record_id, day, submitted_at, target_kind, target_name, inspector, reading"
                " FROM report_readings WHERE version = %s AND site = %s AND day BETWEEN %s AND %s"
                " ORDER BY day, submitted_at, seq, n",
                (version, DEFAULT_SITE, start, end),
            )
            rows = cur.fetchall()
        found: dict[str, dict] = {}
        for record_id, day, submitted_at, kind, name, inspector, reading in rows:
            fact = found.get(record_id)
            if fact is None:
                fact = found[record_id] = {
                    "id": record_id,
                    "day": day.isoformat(),
                    "target": [kind, name],
                    "inspector": inspector,
                    "submitted_at": submitted_at,
                    "readings": [],
                }
            fact["readings"].append(reading)
        return list(found.values())

    def done_groups(self, start: dt.date, end: dt.date) -> list[DoneGroup]:
        kind = self._kind(aggregates.MISSED)
        if start > end:
            return []
        self._fill_in(kind)
        self._fold()
        with self.db.transaction() as cur:
            # The groups per day (done_slots, migration 0009) and the records not folded into them
            # yet, in one snapshot; a group whose records lie on several days (or rows) is joined here.
            cur.execute(
                "SELECT kind, period, target_kind, target_name, scope, backfill, first_id, checks, first_key"
                " FROM done_slots WHERE version = %s AND site = %s AND day BETWEEN %s AND %s UNION ALL"
                " SELECT kind, period, target_kind, target_name, scope, backfill, record_id, checks,"
                " (day::text || ' ' || submitted_at || ' ' || lpad(seq::text, 19, '0')) COLLATE \"C\""
                " FROM missed_records WHERE NOT folded AND version = %s AND site = %s"
                " AND day BETWEEN %s AND %s"
                " ORDER BY 9",
                (kind.version, DEFAULT_SITE, start, end) * 2,
            )
            rows = cur.fetchall()
        groups: dict[tuple, tuple[str, set]] = {}
        for *key, first_id, checks, _ in rows:
            groups.setdefault(tuple(key), (first_id, set()))[1].update(checks)
        return [DoneGroup(*key, first, tuple(sorted(checks))) for key, (first, checks) in groups.items()]

    def _fill_in(self, kind: FactKind) -> None:
        """Write the facts of ``kind`` for records saved before its version existed.

        ``fact_versions`` remembers up to which record (``seq``) a version is complete;
        records saved since then carry their facts already, so this is two index lookups
        unless a new fact version (or an older app server) left records without them.
        """
        with self.db.transaction() as cur:
            cur.execute("SELECT coalesce(max(seq), 0) FROM completions")
            last = cur.fetchone()[0]
            if self._filled.get((kind.name, kind.version), -1) >= last:
                return
            cur.execute(
                "SELECT filled_to FROM fact_versions WHERE kind = %s AND version = %s",
                (kind.name, kind.version),
            )
            row = cur.fetchone()
            filled = row[0] if row else 0
            while filled < last:
                upto = min(last, filled + 5000)
                cur.execute(
                    "SELECT c.data, c.seq FROM completions c WHERE c.seq > %s AND c.seq <= %s AND NOT EXISTS"
                    " (SELECT 1 FROM facts f WHERE f.kind = %s AND f.version = %s AND f.record_id = c.id)",
                    (filled, upto, kind.name, kind.version),
                )
                missing = cur.fetchall()
                if missing:
                    self._write_facts(cur, missing, [kind])
                filled = upto
            cur.execute(
                "INSERT INTO fact_versions (kind, version, filled_to) VALUES (%s, %s, %s)"
                " ON CONFLICT (kind, version) DO UPDATE"
                " SET filled_to = greatest(fact_versions.filled_to, excluded.filled_to)",
                (kind.name, kind.version, last),
            )
        self._filled[(kind.name, kind.version)] = last
