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
"""

from __future__ import annotations

import copy
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path

from .locking import exclusive_lock
from .people import _JSONFile


class StaleAction(Exception):
    """Nothing was written: the action changed since the caller read it, or does not exist."""

    def __init__(self, action_id: str):
        self.action_id = action_id
        super().__init__(action_id)


class ActionStore(ABC):
    """Corrective actions by id."""

    @abstractmethod
    def all(self) -> list[dict]:
        """Every action, in the order they were opened."""

    def get(self, action_id: str) -> dict | None:
        """The action with this id, or None."""
        return next((a for a in self.all() if a["id"] == action_id), None)

    @abstractmethod
    def open_many(self, actions: Iterable[dict]) -> int:
        """Store the actions whose id is new (each gets ``rev`` 1); how many were new."""

    @abstractmethod
    def update(self, action_id: str, rev: int, change: Callable[[dict], dict]) -> dict:
        """Replace the action by ``change(copy)`` if its ``rev`` is still ``rev``; return it as stored.

        StaleAction (nothing written) if the action is unknown or changed meanwhile.
        """


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


class MemoryActionStore(ActionStore):
    """This process only: for tests and single-process use."""

    def __init__(self):
        self._actions: dict[str, dict] = {}
        self._lock = threading.Lock()

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

    def update(self, action_id, rev, change) -> dict:
        with self._lock:
            updated = _changed(self._actions, action_id, rev, change)
            self._actions[action_id] = updated
            return copy.deepcopy(updated)


class FileActionStore(ActionStore):
    """``<data_dir>/actions.json``, shared by every process."""

    def __init__(self, data_dir: str | os.PathLike):
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self._file = _JSONFile(directory / "actions.json")

    def _table(self) -> dict[str, dict]:
        return self._file.read().get("actions", {})

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
                table.update((a["id"], a) for a in new)
                self._file.write({"actions": table})
            return len(new)

    def update(self, action_id, rev, change) -> dict:
        with exclusive_lock(self._file.path):
            table = dict(self._table())
            updated = _changed(table, action_id, rev, change)
            table[action_id] = updated
            self._file.write({"actions": table})
            return copy.deepcopy(updated)
