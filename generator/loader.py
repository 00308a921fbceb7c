"""Load a handbook directory into the model, re-parsing only files that changed."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import problems as P
from .model import Handbook, Reference
from .parser import ParsedFile, parse_file
from .problems import HandbookError, Problem
from .reference import FILENAME as REFERENCE_FILE
from .reference import NAME_PROBLEMS, load_reference
from .reference import UNUSABLE as REFERENCE_UNUSABLE
from .search_synonyms import FILENAME as SYNONYMS_FILE
from .sourcefile import read_source
from .validate import validate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """The outcome of one load: the model (None if there are errors) and every problem."""

    handbook: Handbook | None
    problems: tuple[Problem, ...]
    reparsed: int

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def display_root(root: Path) -> str:
    """How to show ``root`` in messages: relative to the working directory when inside it."""
    try:
        return Path(os.path.relpath(root.resolve(), Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return root.resolve().as_posix()


def markdown_files(root: Path) -> list[str]:
    """Every Markdown file under ``root`` as sorted POSIX paths, skipping hidden folders."""
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                found.append(Path(directory, name).relative_to(root).as_posix())
    return sorted(found)


class HandbookLoader:
    """Keeps parsed files between loads so a re-load only re-parses what changed.

    Safe to share between threads: loads are serialised.
    """

    def __init__(self, root: str | os.PathLike, today: dt.date | Callable[[], dt.date] | None = None):
        self.root = Path(root)
        self.display = display_root(self.root)
        self._today = today
        self._cache: dict[str, tuple[tuple, ParsedFile]] = {}
        self._reference_stamp: tuple | None = None
        self._reference: tuple[Reference, list[Problem]] | None = None
        self._lock = threading.Lock()
        self._last: LoadResult | None = None
        self._synonyms_stamp: tuple | None = None

    def load(self) -> LoadResult:
        """Scan the directory and return the current model and problems."""
        with self._lock:
            return self._load()

    def _load(self) -> LoadResult:
        today = self._today() if callable(self._today) else (self._today or team_today())
        ref_stamp = (_stamp(self.root / REFERENCE_FILE), today)
        if ref_stamp != self._reference_stamp:
            self._reference = load_reference(self.root, self.display)
            self._reference_stamp = ref_stamp
            self._cache.clear()  # events, roles and the date feed every file's parse
        reference, problems = self._reference
        problems = list(problems)
        files: list[ParsedFile] = []
        reparsed = 0
        seen = set()
        for rel in markdown_files(self.root):
            path = self.root / rel
            stamp = _stamp(path)
            cached = self._cache.get(rel)
            if cached is None or cached[0] != stamp:
                parsed = self._parse(rel, path, reference, today)
                if parsed is None:
                    continue  # removed while we were scanning
                self._cache[rel] = (stamp, parsed)
                reparsed += 1
            seen.add(rel)
            files.append(self._cache[rel][1])
        removed = set(self._cache) - seen
        for rel in removed:
            del self._cache[rel]
        # The synonym list is checked with the cross-file validation: an edit to it alone re-runs that.
        synonyms_stamp = _stamp(self.root / SYNONYMS_FILE)
        synonyms_changed, self._synonyms_stamp = synonyms_stamp != self._synonyms_stamp, synonyms_stamp
        if not reparsed and not removed and not synonyms_changed and self._last is not None:
            # Nothing changed on disk: the cross-file validation result still holds.
            return LoadResult(self._last.handbook, self._last.problems, 0)
        # An unusable reference.yml would make every role, area and event look unknown: report it
        # alone, and check names against it once it can be read again.
        names_ok = not any(p.code in REFERENCE_UNUSABLE for p in self._reference[1])
        for parsed in files:
            problems += [p for p in parsed.problems if names_ok or p.code not in NAME_PROBLEMS]
        problems += validate(
            files, reference, self.root, f"{self.display}/{REFERENCE_FILE}", names_ok, today=today
        )
        problems.sort()
        errors = [p for p in problems if p.is_error]
        handbook = None
        if not errors:
            handbook = Handbook(
                policies=tuple(f.policy for f in files if f.policy is not None),
                reference=reference,
                warnings=tuple(problems),
            )
        self._last = LoadResult(handbook, tuple(problems), reparsed)
        return self._last

    def _parse(self, rel: str, path: Path, reference: Reference, today: dt.date) -> ParsedFile | None:
        """Read and parse one file; whatever is wrong with it becomes a problem, never an exception."""
        shown = f"{self.display}/{rel}"
        try:
            source = read_source(path, shown)
        except FileNotFoundError:
            return None
        if source.text is None:
            return ParsedFile(rel, shown, problems=list(source.problems), complete=False)
        try:
            parsed = parse_file(rel, shown, source.text, reference, today)
        except Exception as exc:  # noqa: BLE001 (a parser bug must not take the app or the build down)
            log.debug("parsing %s failed", shown, exc_info=True)  # debug: the CLI prints no traceback
            failed = P.parse_failed(shown, f"{type(exc).__name__}: {exc}")
            return ParsedFile(rel, shown, problems=[*source.problems, failed], complete=False)
        parsed.problems[:0] = source.problems
        if any(p.code == "truncated-file" for p in source.problems):
            parsed.complete = False
        return parsed


def team_today() -> dt.date:
    """Today in the team's time zone (``CHECKLIST_TIMEZONE``, default Asia/Shanghai), not the server's."""
    try:
        tz = ZoneInfo(os.environ.get("CHECKLIST_TIMEZONE") or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("Asia/Shanghai")
    return dt.datetime.now(tz).date()


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (None,)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def load_handbook(root: str | os.PathLike, today: dt.date | None = None) -> Handbook:
    """Parse and validate ``root``; raise HandbookError listing every error if it is invalid."""
    result = HandbookLoader(root, today).load()
    if result.handbook is None:
        raise HandbookError(list(result.problems))
    return result.handbook


def check_handbook(root: str | os.PathLike, today: dt.date | None = None) -> list[Problem]:
    """Every problem (errors and warnings) in ``root``, sorted by file and line."""
    return list(HandbookLoader(root, today).load().problems)
