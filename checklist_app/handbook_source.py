"""The handbook the app serves: the current release, followed across workers; the draft checked on demand.

``handbook/`` is the draft: editing it changes nothing that inspectors or readers see. The app serves
the model and the site of the current release (:mod:`.storage.releases`), and every worker follows
the release pointer: at most once per ``interval`` seconds it ``stat``s the pointer and, when it
moved (a publish or a rollback, from any process or machine sharing the folder), loads that
release's sources with the generator. Releases never change once written, so a release is parsed
once per worker. The draft's problems are what 管理 → 制度状态 and 发布 show; they are re-checked
when those pages ask (``refresh(force=True)``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from generator import Handbook, HandbookLoader, LoadResult, Problem
from generator import problems as P

from . import worker
from .clock import Clock
from .storage.releases import Release, ReleaseStore
from .strings import ZH_CN, t

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandbookState:
    """What the app serves (the current release's model and site) and the draft's problems."""

    handbook: Handbook | None
    problems: tuple[Problem, ...]
    loaded_at: str | None  # when the release being served was published
    release: Release | None = None
    site: Path | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


class HandbookSource:
    """Gives every request the current release's model without re-reading it on every request.

    A release that cannot be loaded (a damaged folder) never replaces the last good model, and
    neither does a failure of the loader itself: the app keeps answering and 制度状态 shows why.
    """

    def __init__(self, releases: ReleaseStore, draft: str, interval: float = 2.0, clock: Clock | None = None):
        self.clock = clock or Clock()
        self.releases = releases
        self.loader = HandbookLoader(draft, self.clock.today)  # the draft, for its problems
        self.interval = interval
        self._lock = threading.Lock()
        self._checked = 0.0
        self._number: int | None = None
        self._release_problems: tuple[Problem, ...] = ()
        self._draft_problems: tuple[Problem, ...] = ()
        self._state = HandbookState(None, (), None)
        self._models: dict[str | None, tuple[Handbook, Path]] = {}
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> HandbookState:
        """Follow the release pointer if the interval passed; ``force`` also re-checks the draft."""
        now = time.monotonic()
        if not force and now - self._checked < self.interval:
            return self._dated(self._state)
        with self._lock:
            if not force and now - self._checked < self.interval:
                return self._dated(self._state)
            if force:
                self._draft_problems = self._check_draft().problems
            self._follow()
            self._checked = time.monotonic()
            return self._dated(self._state)

    def _follow(self) -> None:
        state = self._state
        try:
            pointer = self.releases.pointer()
        except Exception as exc:  # noqa: BLE001 (a damaged pointer: keep serving what we have)
            log.exception("reading the release pointer failed")
            pointer = None
            self._release_problems = (P.parse_failed("releases", f"{type(exc).__name__}: {exc}"),)
        if pointer is not None and pointer.number != self._number:
            release = self.releases.get(pointer.number)
            models, problems = {}, ()
            for day in (None, *(release.schedule if release else ())):
                try:  # a release kept in the database is unpacked here on first use
                    sources = self.releases.sources_dir(pointer.number, day)
                except Exception as exc:  # noqa: BLE001 (keep serving the last good release)
                    log.exception("unpacking release %s failed", pointer.number)
                    problems = (P.parse_failed("releases", _reason(exc)),)
                    break
                result = self._load(sources)
                if result.handbook is None:
                    problems = result.problems
                    break
                models[day] = (result.handbook, self.releases.site_dir(pointer.number, day))
            if release is not None and not problems:
                self._number = pointer.number
                self._release_problems = ()
                self._models = models
                state = HandbookState(result.handbook, (), release.at, release, models[None][1])
                log.info("serving handbook release %s", pointer.number)
                worker.switched(result.handbook)
            else:
                self._release_problems = problems
        problems = self._release_problems + self._draft_problems
        self._state = HandbookState(state.handbook, problems, state.loaded_at, state.release, state.site)

    def _check_draft(self) -> LoadResult:
        try:
            return self.loader.load()
        except Exception as exc:  # noqa: BLE001 (show the failure on 制度状态 rather than a 500)
            log.exception("loading the handbook from %s failed", self.loader.display)
            problem = P.parse_failed(self.loader.display, f"{type(exc).__name__}: {exc}")
            return LoadResult(None, (problem,), 0)

    def _load(self, root: Path) -> LoadResult:
        try:
            loader = HandbookLoader(root, self.clock.today)
            loader.display = self.loader.display  # a policy's source reads handbook/…, as owners know it
            return loader.load()
        except Exception as exc:  # noqa: BLE001 (serve the last good model rather than a 500)
            log.exception("loading the release in %s failed", root)
            return LoadResult(None, (P.parse_failed(str(root), f"{type(exc).__name__}: {exc}"),), 0)

    def _dated(self, state: HandbookState) -> HandbookState:
        """``state`` for today: a release whose new versions take effect later serves, until that
        day, the versions in force (model and site together), then switches by itself."""
        release = state.release
        if release is None or not release.schedule:
            return state
        day = release.as_of(self.clock.today().isoformat())
        model, site = self._models.get(day, (state.handbook, state.site))
        return HandbookState(model, state.problems, state.loaded_at, release, site)

    @property
    def state(self) -> HandbookState:
        return self.refresh()


def _reason(exc: Exception) -> str:
    """Why a release could not be made ready, in Chinese when the store says which problem it is."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in ZH_CN:
        return t(code, **getattr(exc, "data", {}))
    return f"{type(exc).__name__}: {exc}"
