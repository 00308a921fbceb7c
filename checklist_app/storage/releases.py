"""Numbered handbook releases: the only handbook inspectors and readers ever see.

A release is immutable once written: a copy of the handbook sources, the site built from them and
``release.json`` (:class:`Release`). One pointer names the current release; publishing writes a new
release and moves the pointer, rolling back moves the pointer to an earlier one. The embedded
backend (:class:`FileReleaseStore`) keeps ``<root>/<N>/{handbook,site,release.json}``, each written
into a temporary folder and renamed into place, and ``<root>/current`` replaced with ``os.replace``,
so every process sees either the old or the new release, whole. Reading the pointer costs one
``stat`` while it is unchanged: how every worker (or machine sharing the folder) follows it.

The PostgreSQL backend (``pg/releases.py``) keeps the same interface with the records, the pointer
and each release's folders (one archive) in the database; every server unpacks a release into its
own instance folder on first use, since the site is served from files.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .locking import exclusive_lock
from .tinydb_store import filesystem_now, fsync_dir

BUILDING_PREFIX = ".building-"
POINTER = "current"
META = "release.json"


@dataclass(frozen=True)
class PolicyVersion:
    """One policy as released: what a later release is compared with."""

    id: str
    title: str
    version: str
    hash: str
    path: str
    effective: str = ""
    clauses: dict[str, str] = field(default_factory=dict)  # clause id -> hash
    content: str = ""  # the content hash a new version is required for (generator/versions.py)


@dataclass(frozen=True)
class ClauseDiff:
    """One clause a release changed against the one before it, with its character diff."""

    policy_id: str
    policy_title: str
    clause_id: str
    title: str
    kind: str  # added, removed, changed
    segments: tuple[tuple[str, str], ...]  # (same|ins|del, text)


@dataclass(frozen=True)
class Release:
    """One published handbook: number, when, by whom, why, and every policy's version and hashes."""

    number: int
    at: str
    by: str
    by_name: str
    note: str
    policies: tuple[PolicyVersion, ...]
    commit: str = ""  # the handbook's git commit, when it is in a git repository ("+" if edited since)
    based_on: int | None = None  # the release that was current when this one was published
    # Policies whose new version takes effect later: until ``final_from`` the folders
    # ``as-of/<day>/`` (sources and site) apply from each ``day`` in ``schedule``.
    schedule: tuple[str, ...] = ()
    final_from: str = ""
    changes: tuple[ClauseDiff, ...] = ()  # against ``based_on``, written at publish
    new_checks: tuple[str, ...] = ()  # check ids ``based_on`` did not have

    def as_of(self, day: str) -> str | None:
        """Which ``as-of`` day applies on ``day`` (ISO date), or None for the release's main folders."""
        if not self.schedule or day >= self.final_from:
            return None
        earlier = [d for d in self.schedule if d <= day]
        return earlier[-1] if earlier else self.schedule[0]

    def policy(self, policy_id: str) -> PolicyVersion | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Release:
        policies = tuple(PolicyVersion(**p) for p in data.get("policies", ()))
        return cls(
            number=int(data["number"]),
            at=data["at"],
            by=data.get("by", ""),
            by_name=data.get("by_name", ""),
            note=data.get("note", ""),
            policies=policies,
            commit=data.get("commit", ""),
            based_on=data.get("based_on"),
            schedule=tuple(data.get("schedule", ())),
            final_from=data.get("final_from", ""),
            changes=tuple(
                ClauseDiff(**{**c, "segments": tuple(tuple(s) for s in c.get("segments", ()))})
                for c in data.get("changes", ())
            ),
            new_checks=tuple(data.get("new_checks", ())),
        )


@dataclass(frozen=True)
class Pointer:
    """Which release is current, and how it became so."""

    number: int
    at: str
    by: str
    action: str  # "publish" or "rollback"


class ReleaseStore(ABC):
    """Releases and the pointer to the current one."""

    @abstractmethod
    def create(
        self,
        sources: Path,
        site: Path | None,
        release: Release,
        as_of: dict[str, tuple[Path, Path]] | None = None,
    ) -> Release:
        """Store a new release from ``sources`` (and a built ``site``) and make it current.

        ``as_of`` maps each day of ``release.schedule`` to its (sources, site) folders.

        The store gives the next number under its lock, so two publishers never get the same
        one; a non-zero ``release.number`` must be that number (a publisher holding
        :meth:`publishing` knows it in advance). Returns the stored release.
        """

    @abstractmethod
    def pointer(self) -> Pointer | None:
        """The current release's pointer, or None before the first publish (cheap when unchanged)."""

    @abstractmethod
    def set_current(self, number: int, at: str, by: str, action: str = "rollback") -> Pointer:
        """Make an existing release current; KeyError if there is no such release."""

    @abstractmethod
    def get(self, number: int) -> Release | None:
        """A release by number, or None."""

    @abstractmethod
    def next_number(self) -> int:
        """The number the next release will get (stable while :meth:`publishing` is held)."""

    @abstractmethod
    def publishing(self):
        """A context manager held across one whole publish, so two publishers take turns."""

    @abstractmethod
    def numbers(self) -> list[int]:
        """Every release's number, oldest first."""

    @abstractmethod
    def sources_dir(self, number: int, as_of: str | None = None) -> Path:
        """The folder holding that release's copy of the handbook sources (in force from ``as_of``)."""

    @abstractmethod
    def site_dir(self, number: int, as_of: str | None = None) -> Path:
        """The folder holding that release's built site (in force from ``as_of``)."""

    def current(self) -> Release | None:
        pointer = self.pointer()
        return self.get(pointer.number) if pointer else None

    def all(self) -> list[Release]:
        """Every release, newest first."""
        found = (self.get(n) for n in reversed(self.numbers()))
        return [r for r in found if r is not None]


def remove_stale_builds(root: Path, older_than: float = 3600) -> None:
    """Folders and files a killed publisher left half-written (never a fresh one: it may be running).

    "Old" by the file system's clock, as for TinyDB's temporary files: a process whose clock is
    ahead (another machine on a shared folder) must not take a running publisher's folder for a
    dead one's.
    """
    if not root.is_dir():
        return
    limit = filesystem_now(root) - older_than
    for left in root.glob(BUILDING_PREFIX + "*"):
        try:
            if left.stat().st_mtime < limit:
                shutil.rmtree(left) if left.is_dir() else left.unlink()
        except OSError:
            pass


def build_folder(
    building: Path, sources: Path, site: Path | None, as_of: dict[str, tuple[Path, Path]] | None
) -> None:
    """Lay out one release's folders in ``building``: handbook/, site/ and as-of/<day>/ (never .git)."""
    shutil.copytree(sources, building / "handbook", ignore=shutil.ignore_patterns(".git"))
    if site is not None:
        shutil.copytree(site, building / "site")
    else:
        (building / "site").mkdir()
    for day, (day_sources, day_site) in (as_of or {}).items():
        shutil.copytree(day_sources, building / "as-of" / day / "handbook")
        shutil.copytree(day_site, building / "as-of" / day / "site")


class FileReleaseStore(ReleaseStore):
    """Releases as folders under ``root``; the pointer is the file ``root/current``."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._pointer: Pointer | None = None
        self._releases: dict[int, Release] = {}
        remove_stale_builds(self.root)

    def _folder(self, number: int) -> Path:
        return self.root / str(number)

    def _base(self, number: int, as_of: str | None) -> Path:
        return self._folder(number) / "as-of" / as_of if as_of else self._folder(number)

    def sources_dir(self, number: int, as_of: str | None = None) -> Path:
        return self._base(number, as_of) / "handbook"

    def site_dir(self, number: int, as_of: str | None = None) -> Path:
        return self._base(number, as_of) / "site"

    def numbers(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return sorted(int(p.name) for p in self.root.iterdir() if p.name.isdigit() and (p / META).is_file())

    def next_number(self) -> int:
        existing = self.numbers()
        return (existing[-1] if existing else 0) + 1

    def publishing(self):
        """Held by a publisher from validation to the switch, so its release number stays its own."""
        self.root.mkdir(parents=True, exist_ok=True)
        return exclusive_lock(self.root / "publishing")

    def get(self, number: int) -> Release | None:
        if number in self._releases:
            return self._releases[number]
        try:
            data = json.loads((self._folder(number) / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        release = Release.from_dict(data)
        self._releases[number] = release  # immutable once written
        return release

    def pointer(self) -> Pointer | None:
        path = self.root / POINTER
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with self._lock:
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    self._pointer = Pointer(int(data["number"]), data["at"], data["by"], data["action"])
                except FileNotFoundError:
                    return None
                self._stamp = stamp
        return self._pointer

    def _write_pointer(self, pointer: Pointer) -> None:
        tmp = self.root / f"{BUILDING_PREFIX}{POINTER}-{uuid.uuid4().hex}"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(asdict(pointer), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / POINTER)
        fsync_dir(self.root)

    def create(
        self,
        sources: Path,
        site: Path | None,
        release: Release,
        as_of: dict[str, tuple[Path, Path]] | None = None,
    ) -> Release:
        self.root.mkdir(parents=True, exist_ok=True)
        building = self.root / f"{BUILDING_PREFIX}{uuid.uuid4().hex}"
        try:
            build_folder(building, sources, site, as_of)
            with exclusive_lock(self.root / POINTER):
                number = self.next_number()
                if release.number and release.number != number:
                    raise RuntimeError(f"release {release.number} was expected, {number} is next")
                pointer = self.pointer()
                stored = Release.from_dict(
                    {
                        **release.to_dict(),
                        "number": number,
                        "based_on": pointer.number if pointer else None,
                    }
                )
                meta = building / META
                meta.write_text(json.dumps(stored.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
                os.rename(building, self._folder(number))
                fsync_dir(self.root)
                self._write_pointer(Pointer(number, stored.at, stored.by, "publish"))
        finally:
            shutil.rmtree(building, ignore_errors=True)
        return stored

    def set_current(self, number: int, at: str, by: str, action: str = "rollback") -> Pointer:
        with exclusive_lock(self.root / POINTER):
            if self.get(number) is None:
                raise KeyError(number)
            pointer = Pointer(number, at, by, action)
            self._write_pointer(pointer)
        return pointer
