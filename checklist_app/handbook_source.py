"""The live handbook model: re-read when files change, last good model kept when they break."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from generator import Handbook, HandbookLoader, Problem

from .clock import Clock


@dataclass(frozen=True)
class HandbookState:
    """What the app serves: the last good model, and the problems of the current files if broken."""

    handbook: Handbook | None
    problems: tuple[Problem, ...]
    loaded_at: dt.datetime | None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


class HandbookSource:
    """Gives every request a current model without re-parsing on every request.

    At most once per ``interval`` seconds it asks the loader, which re-parses only
    changed files. An invalid edit never replaces the last good model.
    """

    def __init__(self, root: str, interval: float = 2.0, clock: Clock | None = None):
        self.clock = clock or Clock()
        self.loader = HandbookLoader(root, self.clock.today)
        self.interval = interval
        self._lock = threading.Lock()
        self._checked = 0.0
        self._state = HandbookState(None, (), None)
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> HandbookState:
        """Re-check the files if the interval passed (or ``force``); return the state."""
        now = time.monotonic()
        if not force and now - self._checked < self.interval:
            return self._state
        with self._lock:
            if not force and now - self._checked < self.interval:
                return self._state
            result = self.loader.load()
            self._checked = time.monotonic()
            if result.handbook is not None:
                changed = self._state.handbook is not result.handbook
                loaded_at = self.clock.now() if changed else self._state.loaded_at
                self._state = HandbookState(result.handbook, result.problems, loaded_at)
            else:
                self._state = HandbookState(self._state.handbook, result.problems, self._state.loaded_at)
            return self._state

    @property
    def state(self) -> HandbookState:
        return self.refresh()
