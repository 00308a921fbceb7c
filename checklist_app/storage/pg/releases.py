"""Handbook releases in PostgreSQL, so app servers on separate machines serve the same release.

``releases`` holds each release's record (``release.json``) and one tar.gz of its folders
(``handbook/``, ``site/``, ``as-of/<day>/``) with the archive's SHA-256; ``release_pointer`` is the
one row naming the current release. Each server unpacks a release into its own instance folder
(``<root>/from-database/<N>-<hash>/``) the first time it needs it, after checking the hash, and
then serves those files; the folder of the server that published is its build, moved into place.
Reading the pointer is one indexed query, asked at most every ``RELOAD_INTERVAL`` per worker.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import threading
import uuid
from dataclasses import asdict
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from ..locking import exclusive_lock
from ..releases import (
    BUILDING_PREFIX,
    META,
    Pointer,
    Release,
    ReleaseStore,
    build_folder,
    remove_stale_builds,
)
from ..tinydb_store import fsync_dir
from .database import Database

PUBLISH_LOCK = 7_417_018  # held across one whole publish, cluster-wide
NUMBER_LOCK = 7_417_019  # held while a release gets its number and becomes current


class ReleaseUnavailable(Exception):
    """A release this server cannot unpack: ``code`` (a strings.py key) and its ``data``."""

    def __init__(self, code: str, **data):
        self.code, self.data = code, data
        super().__init__(f"{code} {data}")


def pack(folder: Path) -> bytes:
    """``folder``'s files as one tar.gz (paths relative to it, sorted: the same folder packs the same)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(folder.rglob("*")):
            if path.name == META:
                continue
            info = tar.gettarinfo(str(path), arcname=path.relative_to(folder).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if path.is_file():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            elif path.is_dir():
                tar.addfile(info)
    return buffer.getvalue()


class PostgresReleaseStore(ReleaseStore):
    """Releases and the current pointer in the database; their folders unpacked under ``root``."""

    def __init__(self, db: Database, root: str | os.PathLike):
        self.db = db
        self.root = Path(root)
        self.cache = self.root / "from-database"
        self._releases: dict[int, tuple[Release, str]] = {}
        self._lock = threading.Lock()
        remove_stale_builds(self.cache)

    # ------------------------------------------------------------------ records and pointer

    def pointer(self) -> Pointer | None:
        try:
            with self.db.transaction() as cur:
                cur.execute("SELECT number, at, by_user, action FROM release_pointer")
                row = cur.fetchone()
        except psycopg.errors.UndefinedTable:  # `db upgrade` has not run yet: nothing published
            return None
        return Pointer(*row) if row else None

    def get(self, number: int) -> Release | None:
        found = self._record(number)
        return found[0] if found else None

    def _record(self, number: int) -> tuple[Release, str] | None:
        if number in self._releases:
            return self._releases[number]
        with self.db.transaction() as cur:
            cur.execute("SELECT meta, archive_sha256 FROM releases WHERE number = %s", (int(number),))
            row = cur.fetchone()
        if row is None:
            return None
        found = (Release.from_dict(row[0]), row[1])
        self._releases[number] = found  # immutable once written
        return found

    def numbers(self) -> list[int]:
        with self.db.transaction() as cur:
            cur.execute("SELECT number FROM releases ORDER BY number")
            return [row[0] for row in cur.fetchall()]

    def next_number(self) -> int:
        with self.db.transaction() as cur:
            cur.execute("SELECT coalesce(max(number), 0) + 1 FROM releases")
            return cur.fetchone()[0]

    @contextlib.contextmanager
    def publishing(self):
        """A cluster-wide advisory lock on a connection of its own, held across one whole publish."""
        with psycopg.connect(self.db.url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (PUBLISH_LOCK,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (PUBLISH_LOCK,))

    def create(
        self,
        sources: Path,
        site: Path | None,
        release: Release,
        as_of: dict[str, tuple[Path, Path]] | None = None,
    ) -> Release:
        self.cache.mkdir(parents=True, exist_ok=True)
        building = self.cache / f"{BUILDING_PREFIX}{uuid.uuid4().hex}"
        try:
            build_folder(building, sources, site, as_of)
            archive = pack(building)
            digest = hashlib.sha256(archive).hexdigest()
            with self.db.transaction() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (NUMBER_LOCK,))
                cur.execute("SELECT coalesce(max(number), 0) + 1 FROM releases")
                number = cur.fetchone()[0]
                if release.number and release.number != number:
                    raise RuntimeError(f"release {release.number} was expected, {number} is next")
                cur.execute("SELECT number FROM release_pointer")
                current = cur.fetchone()
                stored = Release.from_dict(
                    {**release.to_dict(), "number": number, "based_on": current[0] if current else None}
                )
                cur.execute(
                    "INSERT INTO releases (number, meta, archive, archive_sha256) VALUES (%s, %s, %s, %s)",
                    (number, Jsonb(stored.to_dict()), archive, digest),
                )
                self._write_pointer(cur, Pointer(number, stored.at, stored.by, "publish"))
            self._place(building, number, digest)  # this server needs not unpack what it built
        finally:
            shutil.rmtree(building, ignore_errors=True)
        return stored

    def set_current(self, number: int, at: str, by: str, action: str = "rollback") -> Pointer:
        pointer = Pointer(int(number), at, by, action)
        with self.db.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (NUMBER_LOCK,))
            cur.execute("SELECT 1 FROM releases WHERE number = %s", (pointer.number,))
            if cur.fetchone() is None:
                raise KeyError(number)
            self._write_pointer(cur, pointer)
        return pointer

    @staticmethod
    def _write_pointer(cur, pointer: Pointer) -> None:
        cur.execute(
            "INSERT INTO release_pointer (one, number, at, by_user, action) VALUES (true, %s, %s, %s, %s)"
            " ON CONFLICT (one) DO UPDATE SET number = excluded.number, at = excluded.at,"
            " by_user = excluded.by_user, action = excluded.action, changed_at = now()",
            (pointer.number, pointer.at, pointer.by, pointer.action),
        )

    def adopt(self, files: ReleaseStore) -> int:
        """Store the releases of a releases folder (and its pointer) in an empty database; how many.

        What an existing server's ``instance/releases`` held when it switched to PostgreSQL keeps
        its numbers, history and current release. Nothing happens once the database has a release.
        """
        numbers = files.numbers()
        pointer = files.pointer()
        if not numbers or pointer is None:
            return 0
        with self.db.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (NUMBER_LOCK,))
            cur.execute("SELECT count(*) FROM releases")
            if cur.fetchone()[0]:
                return 0
            for number in numbers:
                release = files.get(number)
                archive = pack(files.sources_dir(number).parent)
                cur.execute(
                    "INSERT INTO releases (number, meta, archive, archive_sha256) VALUES (%s, %s, %s, %s)",
                    (number, Jsonb(release.to_dict()), archive, hashlib.sha256(archive).hexdigest()),
                )
            self._write_pointer(cur, pointer)
        return len(numbers)

    # ------------------------------------------------------------------ folders on this server

    def _folder(self, number: int) -> Path:
        """The unpacked folder of release ``number`` on this server, unpacked now if it is not yet."""
        found = self._record(number)
        if found is None:
            raise ReleaseUnavailable("release.missing", number=number)
        folder = self.cache / f"{number}-{found[1][:16]}"
        if not (folder / META).is_file():
            self._unpack(number, found, folder)
        return folder

    def _unpack(self, number: int, found: tuple[Release, str], folder: Path) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        with self._lock, exclusive_lock(folder):  # one worker unpacks, the others then find it
            if (folder / META).is_file():
                return
            with self.db.transaction() as cur:
                cur.execute("SELECT archive FROM releases WHERE number = %s", (number,))
                archive = bytes(cur.fetchone()[0])
            have = hashlib.sha256(archive).hexdigest()
            if have != found[1]:
                raise ReleaseUnavailable("release.damaged", number=number, want=found[1][:16], have=have[:16])
            building = self.cache / f"{BUILDING_PREFIX}{uuid.uuid4().hex}"
            try:
                with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
                    tar.extractall(building, filter="data")  # never outside the folder, no devices
                self._place(building, number, found[1], found[0])
            finally:
                shutil.rmtree(building, ignore_errors=True)

    def _place(self, building: Path, number: int, digest: str, release: Release | None = None) -> None:
        """Move a complete folder into place (release.json last: its presence means complete)."""
        release = release or self.get(number)
        folder = self.cache / f"{number}-{digest[:16]}"
        (building / META).write_text(
            json.dumps(asdict(release), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        try:
            os.rename(building, folder)
        except OSError:
            if not (folder / META).is_file():  # a folder left without its record: replace it
                shutil.rmtree(folder, ignore_errors=True)
                os.rename(building, folder)
        fsync_dir(self.cache)

    def _base(self, number: int, as_of: str | None) -> Path:
        folder = self._folder(number)
        return folder / "as-of" / as_of if as_of else folder

    def sources_dir(self, number: int, as_of: str | None = None) -> Path:
        return self._base(number, as_of) / "handbook"

    def site_dir(self, number: int, as_of: str | None = None) -> Path:
        return self._base(number, as_of) / "site"
