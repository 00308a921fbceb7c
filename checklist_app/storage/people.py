"""The staff directory (人员名册) and the links from typed responsible names to people.

A person is a plain dict here (``checklist_app.people.Person`` is the typed view):
``id``, ``name``, ``employee_no``, ``department``, ``role``, ``phone``,
``username``, ``left_on``, plus ``rev``, which the store sets. Two rules hold
in every backend, like a SQL table's UNIQUE index and a ``WHERE rev = ?``:

* an employee number (工号, compared case-insensitively) and a linked account
  belong to one person at most;
* ``put_many`` writes all of its people or none: a clash, or a person whose
  ``rev`` moved on since the caller read it, refuses the whole batch.

Links map one failed item of a completed checklist (``<record id>#<item key>``)
to a person id. Completed checklists are never rewritten: the ledger reads the
links beside them.

The file backend keeps ``<data_dir>/people.json`` and ``<data_dir>/people-links.json``,
each changed only under its cross-process lock and replaced atomically (fsynced),
so every gunicorn worker sees every change and a crash leaves the old or the new file.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path

from .locking import exclusive_lock
from .tinydb_store import atomic_write

UNIQUE_FIELDS = ("employee_no", "username")


class PeopleConflict(Exception):
    """Nothing was written: ``field`` value ``value`` already belongs to person ``other``."""

    def __init__(self, field: str, value: str, other: str):
        self.field, self.value, self.other = field, value, other
        super().__init__(f"{field} {value!r} already belongs to {other}")


class StaleWrite(Exception):
    """Nothing was written: person ``person_id`` changed since the caller read it (or is new/unknown)."""

    def __init__(self, person_id: str):
        self.person_id = person_id
        super().__init__(person_id)


class PeopleStore(ABC):
    """People by id, and links from failed items to people."""

    @abstractmethod
    def all(self) -> list[dict]:
        """Every person, left ones included, in the order they were added."""

    def get(self, person_id: str) -> dict | None:
        """The person with this id, or None."""
        return next((p for p in self.all() if p["id"] == person_id), None)

    @abstractmethod
    def put_many(self, people: Iterable[dict], expect: Mapping[str, int | None] | None = None) -> list[dict]:
        """Create or replace all of ``people`` at once; return them as stored (with their new ``rev``).

        ``expect`` maps a person id to the ``rev`` the caller read (None: must not
        exist yet); a mismatch raises StaleWrite. An employee number or account that
        would belong to two people raises PeopleConflict. Either way nothing is written.
        """

    @abstractmethod
    def load(self, people: Iterable[dict]) -> int:
        """Store people exactly as given (``rev`` kept) unless their id is stored; how many were new.

        For copying between backends only; the unique rules still hold (PeopleConflict).
        """

    @abstractmethod
    def links(self) -> dict[str, str]:
        """Every stored link: ``<record id>#<item key>`` → person id."""

    @abstractmethod
    def link(self, links: Mapping[str, str]) -> int:
        """Store the links for lines not linked yet (a linked line keeps its person); how many were new."""

    @abstractmethod
    def unlink(self, links: Mapping[str, str]) -> int:
        """Remove each link ``ref`` → person that is still to that person (a line relinked meanwhile
        is left alone); how many were removed. The line is then unlinked again, to be linked right."""


def _key(value) -> str:
    return value.casefold() if isinstance(value, str) else ""


def _merge(
    current: dict[str, dict], people: Iterable[dict], expect: Mapping[str, int | None] | None
) -> tuple[dict[str, dict], list[dict]]:
    """The table after writing ``people`` (a copy), or PeopleConflict / StaleWrite."""
    table = dict(current)
    written = []
    for person in people:
        person = copy.deepcopy(dict(person))
        pid = person["id"]
        if expect is not None and pid in expect:
            had = table.get(pid)
            if (had["rev"] if had else None) != expect[pid]:
                raise StaleWrite(pid)
        person["rev"] = (table[pid]["rev"] if pid in table else 0) + 1
        table[pid] = person
        written.append(person)
    for field in UNIQUE_FIELDS:
        owner: dict[str, str] = {}
        for pid, person in table.items():
            value = _key(person.get(field))
            if not value:
                continue
            if value in owner:
                clash = pid if any(p["id"] == pid for p in written) else owner[value]
                other = owner[value] if clash == pid else pid
                raise PeopleConflict(field, person.get(field), other)
            owner[value] = pid
    return table, written


def _loaded(current: dict[str, dict], people: Iterable[dict]) -> tuple[dict[str, dict], int]:
    """The table with the people it lacks added as given, checked like ``_merge``; how many were new."""
    table = dict(current)
    new = 0
    for person in people:
        if person["id"] not in table:
            table[person["id"]] = copy.deepcopy(dict(person))
            new += 1
    _merge(table, [], None)  # the unique rules over the whole table
    return table, new


class MemoryPeopleStore(PeopleStore):
    """This process only: for tests and single-process use."""

    def __init__(self):
        self._people: dict[str, dict] = {}
        self._links: dict[str, str] = {}
        self._lock = threading.Lock()

    def all(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(list(self._people.values()))

    def get(self, person_id: str) -> dict | None:
        with self._lock:
            found = self._people.get(person_id)
            return copy.deepcopy(found) if found else None

    def put_many(self, people, expect=None) -> list[dict]:
        with self._lock:
            self._people, written = _merge(self._people, people, expect)
            return copy.deepcopy(written)

    def load(self, people) -> int:
        with self._lock:
            self._people, new = _loaded(self._people, people)
            return new

    def links(self) -> dict[str, str]:
        with self._lock:
            return dict(self._links)

    def link(self, links) -> int:
        with self._lock:
            new = {ref: pid for ref, pid in links.items() if ref not in self._links}
            self._links.update(new)
            return len(new)

    def unlink(self, links) -> int:
        with self._lock:
            gone = [ref for ref, pid in links.items() if self._links.get(ref) == pid]
            for ref in gone:
                del self._links[ref]
            return len(gone)


class _JSONFile:
    """One JSON object in a file, read without the lock (files are replaced whole), parsed once a version."""

    def __init__(self, path: Path):
        self.path = path
        self._cached: tuple[tuple, dict] | None = None
        self._lock = threading.Lock()

    def _stamp(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def read(self) -> dict:
        stamp = self._stamp()
        if stamp is None:
            return {}
        with self._lock:
            if self._cached and self._cached[0] == stamp:
                return self._cached[1]
        data = json.loads(self.path.read_text(encoding="utf-8"))  # a torn file cannot exist: never caught
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: not a JSON object")
        with self._lock:
            self._cached = (stamp, data)
        return data

    def write(self, data: dict, keep: bool = False) -> None:
        """Replace the file by ``data``. ``keep``: the caller holds the file's lock (no other process
        can replace it meanwhile) and never changes ``data`` again, so it is kept as the parsed
        version of the file just written, and this process's next read parses nothing."""
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        if keep:
            stamp = self._stamp()
            with self._lock:
                self._cached = (stamp, data) if stamp else None


class FilePeopleStore(PeopleStore):
    """``<data_dir>/people.json`` and ``<data_dir>/people-links.json``, shared by every process."""

    def __init__(self, data_dir: str | os.PathLike):
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self._people = _JSONFile(directory / "people.json")
        self._links = _JSONFile(directory / "people-links.json")

    def _table(self) -> dict[str, dict]:
        return self._people.read().get("people", {})

    def all(self) -> list[dict]:
        return copy.deepcopy(list(self._table().values()))

    def get(self, person_id: str) -> dict | None:
        found = self._table().get(person_id) if isinstance(person_id, str) else None
        return copy.deepcopy(found) if found else None

    def put_many(self, people, expect=None) -> list[dict]:
        people = list(people)
        with exclusive_lock(self._people.path):
            table, written = _merge(self._table(), people, expect)
            self._people.write({"people": table})
        return copy.deepcopy(written)

    def load(self, people) -> int:
        people = list(people)
        with exclusive_lock(self._people.path):
            table, new = _loaded(self._table(), people)
            if new:
                self._people.write({"people": table})
            return new

    def links(self) -> dict[str, str]:
        return dict(self._links.read().get("links", {}))

    def link(self, links) -> int:
        if all(ref in self.links() for ref in links):
            return 0  # nothing new (a second migration run): write nothing
        with exclusive_lock(self._links.path):
            stored = dict(self._links.read().get("links", {}))
            new = {ref: pid for ref, pid in links.items() if ref not in stored}
            if new:
                stored.update(new)
                self._links.write({"links": stored})
            return len(new)

    def unlink(self, links) -> int:
        with exclusive_lock(self._links.path):
            stored = dict(self._links.read().get("links", {}))
            gone = [ref for ref, pid in links.items() if stored.get(ref) == pid]
            for ref in gone:
                del stored[ref]
            if gone:
                self._links.write({"links": stored})
            return len(gone)
