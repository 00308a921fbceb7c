"""The storage interface the app talks to; views and services never import a database."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from . import aggregates
from .aggregates import DaySummary, DoneGroup, PenaltyLine, PenaltyTally, ScoreDay

Digest = Callable[[dict], dict]


def fact_kinds(kinds: Iterable[FactKind]) -> dict[str, FactKind]:
    """The fact kinds by name."""
    return {k.name: k for k in kinds}


class Conflict(Exception):
    """This checklist was already completed by another submission; ``existing`` is the stored record."""

    def __init__(self, existing: dict):
        self.existing = existing
        super().__init__(existing.get("identity"))


@dataclass(frozen=True)
class FactKind:
    """One kind of report facts: small digests of a completed checklist, written when it is saved.

    ``version`` names ``digest`` and must change whenever its output does; a store
    fills in the facts of a new version for the records saved before it.
    """

    name: str
    version: str
    digest: Digest


@dataclass(frozen=True)
class RecordFilter:
    """Which completed checklists a history or report query wants (None: any).

    ``target`` is ``(kind, name)`` of the record's target; ``inspector`` a username.
    """

    target: tuple[str, str] | None = None
    inspector: str | None = None

    def matches(self, record: dict) -> bool:
        if self.target is not None:
            target = record.get("target") or {}
            if (target.get("kind"), target.get("name")) != tuple(self.target):
                return False
        return self.inspector is None or record.get("inspector") == self.inspector


ANY = RecordFilter()


@dataclass(frozen=True)
class RecordPage:
    """One page of a history query: its completed checklists, newest first, and how many match in all."""

    records: list[dict]
    total: int


DEFAULT_SITE = "default"  # the one site for now; records, people and targets carry a site key


def identity_day(identity: object) -> dt.date | None:
    """The day a checklist identity (``kind|period|target|scope``) belongs to; None if it names none.

    Daily and event periods start with their day (``2026-11-23``, ``2026-11-23/活动上线前``),
    weekly ones are ISO weeks (``2026-W48``: its Monday). Stores locate a record by
    its identity alone with this.
    """
    if not isinstance(identity, str):
        return None
    kind, _, rest = identity.partition("|")
    period = rest.partition("|")[0]
    try:
        if kind == "weekly":
            return dt.datetime.strptime(period + "-1", "%G-W%V-%u").date()
        return dt.date.fromisoformat(period[:10])
    except ValueError:
        return None


_ID_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.[0-9a-z]{1,40}")


def new_record_id(day: dt.date) -> str:
    """A record id: its day plus 12 random hex (``2026-11-23.3f9c…``), the same on every backend.

    The day lets a file store find the record from the id alone; ids printed on PDFs
    keep working after the data moves between backends, since ids are copied as they are.
    """
    return f"{day.isoformat()}.{uuid.uuid4().hex[:12]}"


def record_id_day(record_id: object) -> dt.date | None:
    """The day in a record id made by ``new_record_id``; None for anything else."""
    if not isinstance(record_id, str) or len(record_id) > 100:
        return None
    match = _ID_RE.fullmatch(record_id)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match[1])
    except ValueError:
        return None


class CompletionStore(ABC):
    """Completed checklists, stored exactly once per checklist identity.

    ``save`` is atomic check-and-insert: the same idempotency key returns the
    stored record with ``created=False``; a different key for an identity that is
    already stored raises Conflict. A SQL backend maps this to a UNIQUE identity
    plus ``INSERT … ON CONFLICT DO NOTHING``. Each store is given the fact kinds
    the reports read (``FactKind``) and writes every record's facts when it saves it.
    """

    fact_kinds: dict[str, FactKind]

    @abstractmethod
    def save(self, record: dict) -> tuple[dict, bool]:
        """Store ``record`` (needs ``identity``, ``idempotency_key``, ``day``); return (stored, created)."""

    @abstractmethod
    def get(self, identity: str) -> dict | None:
        """The completed checklist with this identity, or None."""

    @abstractmethod
    def find(self, record_id: str) -> dict | None:
        """The completed checklist with this id, or None."""

    @abstractmethod
    def list(self, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        """Completed checklists whose day is in [start, end] and match ``where``, newest first.

        Newest by (day, submitted_at); ties stay in the order they were saved, here and in ``facts``.
        """

    @abstractmethod
    def facts(self, kind: str, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[dict]:
        """The ``kind`` facts of every completed checklist whose day is in [start, end], oldest first.

        Reports read a year of checklists through this, never the full records.
        KeyError for a fact kind the store was not given.
        """

    def page(
        self, start: dt.date, end: dt.date, where: RecordFilter = ANY, *, offset: int = 0, limit: int = 50
    ) -> RecordPage:
        """``limit`` of what ``list`` returns, from ``offset`` on, with the number ``list`` returns.

        A history page reads one page of full records, never the whole range (a SQL backend
        answers with LIMIT/OFFSET and a count over its day index).
        """
        found = self.list(start, end, where)
        return RecordPage(found[max(offset, 0) : max(offset, 0) + max(limit, 0)], len(found))

    def inspectors(self, start: dt.date, end: dt.date, where: RecordFilter = ANY) -> list[str]:
        """The usernames who completed a checklist in [start, end] that matches ``where``, sorted."""
        return sorted({r["inspector"] for r in self.list(start, end, where) if r.get("inspector")})

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day that has a completed checklist; None when there is none."""
        found = self.list(dt.date.min, dt.date.max)
        if not found:
            return None
        return dt.date.fromisoformat(found[-1]["day"]), dt.date.fromisoformat(found[0]["day"])

    def save_many(self, records: Iterable[dict]) -> int:
        """``save`` each record (ids kept as given); how many were new. Conflict as ``save`` raises it.

        For copying between backends: a record already stored under the same key is skipped.
        """
        return sum(self.save(record)[1] for record in records)

    def _kind(self, kind: str) -> FactKind:
        return self.fact_kinds[kind]

    def warm(self) -> None:
        """Do now, once per worker, what its first report page would otherwise pay for (nothing here).

        PostgreSQL folds the report rollups, which also prepares the fold in the connection.
        """
        return None

    # Report aggregates (see storage.aggregates): sums over the ``report`` facts of a period, so a
    # page reads only the rows it shows. These read the facts; a SQL store answers them with GROUP BY.

    def score_days(self, policy_ids: Collection[str], start: dt.date, end: dt.date) -> list[ScoreDay]:
        """Daily checklists' scores per (score sheet, target, day), ordered by those."""
        return aggregates.score_days(self.facts(aggregates.REPORT, start, end), policy_ids)

    def day_summaries(self, start: dt.date, end: dt.date) -> list[DaySummary]:
        """Checklists, items passed and applicable, back-filled, per (target, day), ordered by those."""
        return aggregates.day_summaries(self.facts(aggregates.REPORT, start, end))

    def backfilled(self, start: dt.date, end: dt.date) -> int:
        """How many of the period's checklists are back-filled (补录)."""
        return sum(1 for d in self.facts(aggregates.REPORT, start, end) if d.get("backfill"))

    def failed_checks(self, start: dt.date, end: dt.date) -> dict[str, int]:
        """How often each check failed on the period's checklists."""
        return aggregates.failed_checks(self.facts(aggregates.REPORT, start, end))

    def penalty_lines(self, start: dt.date, end: dt.date) -> list[PenaltyLine]:
        """The period's penalty lines (failed items with a fine or sanction), oldest first."""
        return aggregates.penalty_lines(self.facts(aggregates.REPORT, start, end))

    def penalty_tallies(
        self, start: dt.date, end: dt.date, apart: Collection[str] = ()
    ) -> list[PenaltyTally]:
        """The period's penalty lines summed per month, responsible, check, policy and fine rule.

        A line whose reference (``<record id>#<item key>``) is in ``apart`` is a tally of its own.
        Ordered by each tally's first line.
        """
        return aggregates.penalty_tallies(self.facts(aggregates.REPORT, start, end), frozenset(apart))

    def reading_facts(self, start: dt.date, end: dt.date) -> list[dict]:
        """The period's report facts that carry readings (读数), oldest first."""
        return aggregates.reading_facts(self.facts(aggregates.REPORT, start, end))

    def done_groups(self, start: dt.date, end: dt.date) -> list[DoneGroup]:
        """The period's ``missed`` facts grouped per kind, period, target, scope and back-fill (未完成)."""
        return aggregates.done_groups(self.facts(aggregates.MISSED, start, end))


class UserStore(ABC):
    """Accounts: username, password hash, permission, handbook role."""

    @abstractmethod
    def get(self, username: str) -> dict | None:
        """The user, or None."""

    @abstractmethod
    def put(self, user: dict) -> None:
        """Create or replace the user with ``user["username"]``."""

    @abstractmethod
    def add(self, user: dict) -> bool:
        """Create the user unless the username exists (atomic); False, and nothing stored, if it does.

        A SQL backend maps this to a UNIQUE username plus ``INSERT … ON CONFLICT DO NOTHING``.
        """

    @abstractmethod
    def update(self, username: str, change: Callable[[dict], dict]) -> dict | None:
        """Replace the user with ``change(copy of the stored user)``, atomically; the new user, or None.

        None (and ``change`` not called) if there is no such user. While ``change`` runs no
        other writer can change any user, so it may read the store (``get``, ``all``) to check
        a rule that spans accounts, but must not write to it; an exception it raises leaves
        everything unchanged. A SQL backend runs it in a transaction that locks the table.
        """

    @abstractmethod
    def all(self) -> list[dict]:
        """Every user, sorted by username."""


_HEX = frozenset("0123456789abcdef")
SNAPSHOT, POINTER = "snapshot", "pointer"


def snapshot_key_kind(key: object) -> str | None:
    """``SNAPSHOT`` for 16 lowercase hex, ``POINTER`` (a started pointer's key) for ``s`` + 24, else None."""
    if not isinstance(key, str):
        return None
    if len(key) == 16 and _HEX.issuperset(key):
        return SNAPSHOT
    if len(key) == 25 and key[0] == "s" and _HEX.issuperset(key[1:]):
        return POINTER
    return None


def aware_time(value: object) -> dt.datetime | None:
    """An ISO 8601 timestamp with an offset as an aware datetime; None if missing, naive or invalid."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def check_cutoff(cutoff: object) -> dt.datetime:
    """``cutoff`` if it is an aware datetime; ValueError otherwise (a naive one is ambiguous)."""
    if not isinstance(cutoff, dt.datetime) or cutoff.utcoffset() is None:
        raise ValueError(f"sweep needs an aware datetime, not {cutoff!r}")
    return cutoff


class SnapshotStore(ABC):
    """Started checklists, content-addressed: the exact items and versions an inspector was given.

    Keys are 16 lowercase hex (the checklist's ``snapshot_id``); an entry may carry
    ``created_at`` (ISO 8601 with an offset). Any other key is never found by ``get``
    and refused with ValueError by ``put``, ``pin`` and ``delete``; who opened which
    checklist is the started store's (``storage/started.py``).
    """

    @abstractmethod
    def put(self, key: str, checklist: dict) -> None:
        """Store the snapshot under ``key`` unless one is already there (write-once, idempotent).

        A put never returns before a sweep that is running has finished: a snapshot put
        after the sweep asked ``in_use`` is there afterwards (stored again if it was removed).
        """

    @abstractmethod
    def get(self, key: object) -> dict | None:
        """The snapshot (pinned or not), or None for an unknown, removed or invalid key."""

    @abstractmethod
    def pin(self, snapshot_id: str) -> bool:
        """Keep this snapshot forever (a completed checklist references it); idempotent.

        Returns whether the snapshot is now pinned (False: no such snapshot).
        """

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove one snapshot, pinned or not; idempotent. Returns whether something was removed."""

    @abstractmethod
    def entries(self) -> Iterator[tuple[str, dict, bool]]:
        """Every snapshot as ``(key, value, pinned)``, in no particular order."""

    @abstractmethod
    def sweep(self, cutoff: dt.datetime, in_use: Callable[[], Iterable[str]] = tuple) -> int:
        """Remove every snapshot not pinned, created before ``cutoff`` (aware) and not in ``in_use()``.

        ``created_at``, else when it was stored; an entry that cannot be parsed is judged by
        when it was stored. ``in_use`` (the started pointers' snapshots) is asked while no put
        can complete, so a caller that writes its pointer before putting the snapshot never
        loses the snapshot. How many were removed. Safe while other processes read and write.
        """
