"""The live handbook model: re-read when files change, last good model kept when they break."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from generator import Handbook, HandbookLoader, LoadResult, Problem
from generator import problems as P

from .clock import Clock

log = logging.getLogger(__name__)


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
    changed files. An invalid edit never replaces the last good model, and neither does a
    failure of the loader itself: a broken file is the loader's problem to report (it never
    raises for one), but should anything still raise, the app keeps answering with the last good
    model and 制度状态 shows the error instead of every page returning 500.
    """

    def __init__(self, root: str, interval: float = 2.0, clock: Clock | None = None):
        self.clock = clock or Clock()
        self.loader = HandbookLoader(root, self.clock.today)
        self.interval = interval
        self._lock = threading.Lock()
        self._checked = 0.0
        self._state = HandbookState(None, (), None)
        # Called with each newly served model (the app logs the publish); set after construction.
        self.on_change: Callable[[Handbook], None] | None = None
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> HandbookState:
        """Re-check the files if the interval passed (or ``force``); return the state."""
        now = time.monotonic()
        if not force and now - self._checked < self.interval:
            return self._state
        with self._lock:
            if not force and now - self._checked < self.interval:
                return self._state
            result = self._load()
            self._checked = time.monotonic()
            if result.handbook is not None:
                changed = self._state.handbook is not result.handbook
                loaded_at = self.clock.now() if changed else self._state.loaded_at
                self._state = HandbookState(result.handbook, result.problems, loaded_at)
                if changed and self.on_change is not None:
                    self.notify(result.handbook)
            else:
                self._state = HandbookState(self._state.handbook, result.problems, self._state.loaded_at)
            return self._state

    def notify(self, handbook: Handbook) -> None:
        """Tell ``on_change`` about ``handbook``; a failure is logged, never raised."""
        try:
            self.on_change(handbook)
        except Exception:  # noqa: BLE001 (a failed log entry must not stop the new model being served)
            log.exception("recording the handbook publish failed")

    def _load(self) -> LoadResult:
        try:
            return self.loader.load()
        except Exception as exc:  # noqa: BLE001 (serve the last good model rather than a 500)
            log.exception("loading the handbook from %s failed", self.loader.display)
            problem = P.parse_failed(self.loader.display, f"{type(exc).__name__}: {exc}")
            return LoadResult(None, (problem,), 0)

    @property
    def state(self) -> HandbookState:
        return self.refresh()
