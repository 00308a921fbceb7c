"""Corrective actions (整改): one per failed item of a completed checklist, until it is fixed.

An action is a plain dict here (``checklist_app.actions.CorrectiveAction`` is the typed
view); its ``id`` is the failed line's reference, ``<record id>#<item key>``, the same
reference the ledger and the people links use. Two rules hold in every backend:

* ``open_many`` adds only actions whose id is new, so opening the actions of a record
  twice (a retried submission, a repair run) never duplicates or resets one;
* ``update`` changes one action only if its ``rev`` is still the one the caller read
  (``StaleAction`` otherwise, nothing written), like a SQL ``UPDATE … WHERE rev = ?``.

The file backend keeps ``<data_dir>/actions.json``, changed only under its cross-process
lock and replaced atomically, so every worker sees every change and a crash leaves the old
or the new file.

The pages never read every action: the queries (``for_recheck``, ``for_record``,
``existing``, ``ids``, ``counts``, ``due``, ``select``, ``facets``) answer in the store, on
the fields the app writes (``kind``, ``target``, ``scope``, ``status``, ``found_on``,
``due_on``, ``department``, ``policy_id``; days as ISO strings). PostgreSQL keeps those in
typed, indexed columns (migration 0010); the file backend scans the table it parsed once
per version of the file, and keeps the actions not yet verified aside for that version.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import NamedTuple

from .locking import exclusive_lock
from .people import _JSONFile


class StaleAction(Exception):
    """Nothing was written: the action changed since the caller read it, or does not exist."""

    def __init__(self, action_id: str):
        self.action_id = action_id
        super().__init__(action_id)


VERIFIED = "verified"  # the one closed status (checklist_app.actions.VERIFIED)
OPEN = "open"  # waiting for its owner (checklist_app.actions.OPEN)


class ActionCounts(NamedTuple):
    """The dashboard card's numbers: actions not verified, those overdue, and the oldest not verified."""

    waiting: int
    overdue: int  # open and due before today
    oldest: dict | None  # the first found (by found_on, then id)


class Facet(NamedTuple):
    """What the list's permission check and choices look at, for every action that shares it."""

    department: str | None
    owner_role: str | None
    inspector: str | None
    responsible_id: str | None
    policy_id: str | None
    policy_title: str | None


class ActionStore(ABC):
    """Corrective actions by id."""

    @abstractmethod
    def all(self) -> list[dict]:
        """Every action, in the order they were opened (``storage copy``; pages use the queries)."""

    @abstractmethod
    def for_recheck(self, kind: str, target_slug: str, scope: str, before: dt.date) -> list[dict]:
        """Those not verified found on a checklist of ``kind``, ``target_slug`` (``kind:name`` of its
        target) and ``scope`` before the day ``before``, by found_on then id."""

    @abstractmethod
    def for_record(self, record_id: str) -> list[dict]:
        """Those whose id starts with ``<record_id>#`` (a record's failures), in the order opened."""

    @abstractmethod
    def existing(self, ids: Iterable[str]) -> frozenset[str]:
        """Which of ``ids`` are the ids of stored actions."""

    @abstractmethod
    def ids(self) -> frozenset[str]:
        """The id of every action."""

    @abstractmethod
    def counts(self, today: dt.date) -> ActionCounts:
        """How many are not verified, how many of those are open past their due day, and the oldest."""

    @abstractmethod
    def due(self, day: dt.date) -> list[dict]:
        """Those open (waiting for their owner) due on ``day`` or before, in the order opened."""

    @abstractmethod
    def select(
        self,
        statuses: Collection[str] | None = None,
        *,
        waiting: bool = False,
        overdue_on: dt.date | None = None,
        department: str = "",
        policy_id: str = "",
    ) -> list[dict]:
        """Those with one of ``statuses`` (any if None), not verified (if ``waiting``), open past their
        due day on ``overdue_on`` (if given), of ``department`` and ``policy_id`` (if not empty), in
        the order opened."""

    @abstractmethod
    def facets(self) -> set[Facet]:
        """The distinct facets of every action (the list's choices and who may see them)."""

    def get(self, action_id: str) -> dict | None:
        """The action with this id, or None."""
        return next((a for a in self.all() if a["id"] == action_id), None)

    @abstractmethod
    def open_many(self, actions: Iterable[dict]) -> int:
        """Store the actions whose id is new (each gets ``rev`` 1); how many were new."""

    @abstractmethod
    def load(self, actions: Iterable[dict]) -> int:
        """Store actions exactly as given (``rev`` kept) unless their id is stored; how many were new.

        For copying between backends only (``storage copy``).
        """

    @abstractmethod
    def update(self, action_id: str, rev: int, change: Callable[[dict], dict]) -> dict:
        """Replace the action by ``change(copy)`` if its ``rev`` is still ``rev``; return it as stored.

        StaleAction (nothing written) if the action is unknown or changed meanwhile.
        """


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day_of(action: dict, name: str) -> str | None:
    """The action's ``found_on`` or ``due_on`` if it is an ISO day (else None: no query matches it)."""
    value = action.get(name)
    return value if isinstance(value, str) and ISO_DAY.fullmatch(value) else None


def _slug(action: dict) -> str | None:
    target = action.get("target")
    return f"{target.get('kind')}:{target.get('name')}" if isinstance(target, dict) else None


def _facet(action: dict) -> Facet:
    return Facet(
        action.get("department"),
        action.get("owner_role"),
        action.get("inspector"),
        action.get("responsible_id"),
        action.get("policy_id"),
        action.get("policy_title"),
    )


def _recheck(waiting: Iterable[dict], kind: str, target_slug: str, scope: str, before: dt.date) -> list:
    day = before.isoformat()
    found = [
        a
        for a in waiting
        if a.get("kind") == kind
        and a.get("scope") == scope
        and (found_on := day_of(a, "found_on")) is not None
        and found_on < day
        and _slug(a) == target_slug
    ]
    return sorted(found, key=_first_found)


def _first_found(action: dict) -> tuple:
    """Found first, then by id; an action without a day last (as SQL sorts NULL)."""
    found = day_of(action, "found_on")
    return (found is None, found or "", action["id"])


def _late(action: dict, day: str) -> bool:
    """Open after its due day (``day`` an ISO day)."""
    due = day_of(action, "due_on")
    return action.get("status") == OPEN and due is not None and due < day


def _counts(waiting: Iterable[dict], today: dt.date) -> ActionCounts:
    waiting = list(waiting)
    day = today.isoformat()
    overdue = sum(1 for a in waiting if _late(a, day))
    oldest = min(waiting, key=_first_found, default=None)
    return ActionCounts(len(waiting), overdue, copy.deepcopy(oldest))


def _due(waiting: Iterable[dict], day: dt.date) -> list[dict]:
    last = day.isoformat()
    return [
        a
        for a in waiting
        if a.get("status") == OPEN and (due := day_of(a, "due_on")) is not None and due <= last
    ]


def _selected(
    actions: Iterable[dict], statuses, waiting: bool, overdue_on, department: str, policy_id: str
) -> list:
    day = overdue_on.isoformat() if overdue_on else None
    return [
        a
        for a in actions
        if (statuses is None or a.get("status") in statuses)
        and (not waiting or a.get("status") != VERIFIED)
        and (day is None or _late(a, day))
        and (not department or a.get("department") == department)
        and (not policy_id or a.get("policy_id") == policy_id)
    ]


def _waiting_only(statuses, waiting: bool, overdue_on) -> bool:
    """Whether a selection can only find actions not verified (so the short list or index will do)."""
    return waiting or overdue_on is not None or (statuses is not None and VERIFIED not in statuses)


class _Queries:
    """The queries over a table of actions by id (memory and file); ``_read`` gives the table and the
    actions not verified, in the order opened, both to be read, never changed."""

    def _read(self) -> tuple[dict[str, dict], list[dict]]:
        raise NotImplementedError

    def _record_ids(self, record_id: str) -> list[str]:
        prefix = f"{record_id}#"
        return [i for i in self._read()[0] if i.startswith(prefix)]

    def for_recheck(self, kind, target_slug, scope, before) -> list[dict]:
        return copy.deepcopy(_recheck(self._read()[1], kind, target_slug, scope, before))

    def for_record(self, record_id) -> list[dict]:
        table = self._read()[0]
        return copy.deepcopy([table[i] for i in self._record_ids(record_id) if i in table])

    def existing(self, ids) -> frozenset[str]:
        table = self._read()[0]
        return frozenset(i for i in ids if isinstance(i, str) and i in table)

    def ids(self) -> frozenset[str]:
        return frozenset(self._read()[0])

    def counts(self, today) -> ActionCounts:
        return _counts(self._read()[1], today)

    def due(self, day) -> list[dict]:
        return copy.deepcopy(_due(self._read()[1], day))

    def select(
        self, statuses=None, *, waiting=False, overdue_on=None, department="", policy_id=""
    ) -> list[dict]:
        table, not_verified = self._read()
        scanned = not_verified if _waiting_only(statuses, waiting, overdue_on) else table.values()
        return copy.deepcopy(_selected(scanned, statuses, waiting, overdue_on, department, policy_id))

    def facets(self) -> set[Facet]:
        return {_facet(a) for a in self._read()[0].values()}


def _opened(table: dict[str, dict], actions: Iterable[dict]) -> list[dict]:
    new = []
    for action in actions:
        if action["id"] in table or any(a["id"] == action["id"] for a in new):
            continue
        new.append({**copy.deepcopy(action), "rev": 1})
    return new


def _changed(table: dict[str, dict], action_id: str, rev: int, change: Callable[[dict], dict]) -> dict:
    current = table.get(action_id) if isinstance(action_id, str) else None
    if current is None or current.get("rev") != rev:
        raise StaleAction(str(action_id))
    updated = copy.deepcopy(change(copy.deepcopy(current)))
    updated["id"], updated["rev"] = action_id, rev + 1
    return updated


class MemoryActionStore(_Queries, ActionStore):
    """This process only: for tests and single-process use."""

    def __init__(self):
        self._actions: dict[str, dict] = {}
        self._lock = threading.Lock()

    def _read(self) -> tuple[dict[str, dict], list[dict]]:
        with self._lock:  # a snapshot: the stored dicts are replaced on change, never changed in place
            table = dict(self._actions)
        return table, [a for a in table.values() if a.get("status") != VERIFIED]

    def all(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(list(self._actions.values()))

    def get(self, action_id: str) -> dict | None:
        with self._lock:
            found = self._actions.get(action_id) if isinstance(action_id, str) else None
            return copy.deepcopy(found) if found else None

    def open_many(self, actions) -> int:
        with self._lock:
            new = _opened(self._actions, actions)
            self._actions.update((a["id"], a) for a in new)
            return len(new)

    def load(self, actions) -> int:
        with self._lock:
            new = [copy.deepcopy(a) for a in actions if a["id"] not in self._actions]
            self._actions.update((a["id"], a) for a in new)
            return len(new)

    def update(self, action_id, rev, change) -> dict:
        with self._lock:
            updated = _changed(self._actions, action_id, rev, change)
            self._actions[action_id] = updated
            return copy.deepcopy(updated)


def _as_parsed(action: dict) -> dict:
    """``action`` as reading it back from JSON gives it (lists, not tuples; text keys)."""
    return json.loads(json.dumps(action, ensure_ascii=False))


class FileActionStore(_Queries, ActionStore):
    """``<data_dir>/actions.json``, shared by every process.

    Parsed once per version of the file (stat checked on every read, so another process's
    change is seen by the next one), and after this process's own change not at all: what it
    wrote is kept as the parsed file. For that version it keeps the actions not verified and,
    when the record page asks, the action ids by record.
    """

    def __init__(self, data_dir: str | os.PathLike):
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self._file = _JSONFile(directory / "actions.json")
        # (the parsed file, its actions not verified, its action ids by record or None until asked)
        self._derived: tuple[dict, list[dict], dict[str, list[str]] | None] | None = None
        self._derived_lock = threading.Lock()

    def _table(self) -> dict[str, dict]:
        return self._file.read().get("actions", {})

    def _read(self) -> tuple[dict[str, dict], list[dict]]:
        """The table as parsed for the file's current version, and its actions not verified (kept for
        that version: most actions are verified long ago, so the pages' queries scan a short list)."""
        return self._derive()[1:3]

    def _derive(self) -> tuple[dict, dict[str, dict], list[dict], dict[str, list[str]] | None]:
        parsed = self._file.read()  # the same object while the file is unchanged
        table = parsed.get("actions", {})
        with self._derived_lock:
            if self._derived is not None and self._derived[0] is parsed:
                return parsed, table, *self._derived[1:]
        waiting = [a for a in table.values() if a.get("status") != VERIFIED]
        with self._derived_lock:
            self._derived = (parsed, waiting, None)
        return parsed, table, waiting, None

    def _record_ids(self, record_id: str) -> list[str]:
        if "#" in record_id:  # no id new_record_id makes: the ids by record cannot tell
            return super()._record_ids(record_id)
        parsed, table, waiting, by_record = self._derive()
        if by_record is None:
            by_record = {}
            for action_id in table:
                by_record.setdefault(action_id.partition("#")[0], []).append(action_id)
            with self._derived_lock:
                if self._derived is not None and self._derived[0] is parsed:
                    self._derived = (parsed, waiting, by_record)
        # an id starts with "<record_id>#" exactly when its part before the first "#" is record_id
        return by_record.get(record_id, [])

    def _write(self, table: dict[str, dict]) -> None:
        self._file.write({"actions": table}, keep=True)  # under the lock; the table is never changed

    def all(self) -> list[dict]:
        return copy.deepcopy(list(self._table().values()))

    def get(self, action_id: str) -> dict | None:
        found = self._table().get(action_id) if isinstance(action_id, str) else None
        return copy.deepcopy(found) if found else None

    def open_many(self, actions) -> int:
        actions = list(actions)
        if not _opened(self._table(), actions):
            return 0  # all known already (a retried submission): write nothing, take no lock
        with exclusive_lock(self._file.path):
            table = dict(self._table())
            new = _opened(table, actions)
            if new:
                table.update((a["id"], _as_parsed(a)) for a in new)
                self._write(table)
            return len(new)

    def load(self, actions) -> int:
        actions = list(actions)
        with exclusive_lock(self._file.path):
            table = dict(self._table())
            new = [_as_parsed(a) for a in actions if a["id"] not in table]
            if new:
                table.update((a["id"], a) for a in new)
                self._write(table)
            return len(new)

    def update(self, action_id, rev, change) -> dict:
        with exclusive_lock(self._file.path):
            table = dict(self._table())
            updated = _as_parsed(_changed(table, action_id, rev, change))
            table[action_id] = updated
            self._write(table)
            return copy.deepcopy(updated)
