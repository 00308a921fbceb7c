"""Fines a manager decided within a range (视情节 100–300元): one decision per ledger line.

A decision is ``{"amount", "by", "by_name", "at", "note"}`` kept under the line's reference
``<record id>#<item key>``; a later decision for the same line replaces the earlier one (the
audit log keeps both). The file backend keeps ``<data_dir>/fine-decisions.json``, changed only
under its cross-process lock and replaced atomically.
"""

from __future__ import annotations

import copy
import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from .locking import exclusive_lock
from .people import _JSONFile


class DecisionStore(ABC):
    """Decided amounts of ranged fines, by ledger line reference."""

    @abstractmethod
    def all(self) -> dict[str, dict]:
        """Every decision, by line reference."""

    @abstractmethod
    def decide(self, ref: str, decision: dict) -> dict | None:
        """Store ``decision`` for line ``ref``; return the one it replaced, if any."""


class MemoryDecisionStore(DecisionStore):
    """This process only: for tests and single-process use."""

    def __init__(self):
        self._decisions: dict[str, dict] = {}
        self._lock = threading.Lock()

    def all(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._decisions)

    def decide(self, ref, decision) -> dict | None:
        with self._lock:
            before = self._decisions.get(ref)
            self._decisions[ref] = copy.deepcopy(decision)
            return copy.deepcopy(before)


class FileDecisionStore(DecisionStore):
    """``<data_dir>/fine-decisions.json``, shared by every process."""

    def __init__(self, data_dir: str | os.PathLike):
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self._file = _JSONFile(directory / "fine-decisions.json")

    def all(self) -> dict[str, dict]:
        return copy.deepcopy(self._file.read().get("decisions", {}))

    def decide(self, ref, decision) -> dict | None:
        with exclusive_lock(self._file.path):
            stored = dict(self._file.read().get("decisions", {}))
            before = stored.get(ref)
            stored[ref] = copy.deepcopy(decision)
            self._file.write({"decisions": stored})
            return copy.deepcopy(before)
