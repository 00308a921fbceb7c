"""The audit log: an append-only list of who did what, when, from what to what.

Nothing in the app edits or deletes an entry: the interface has no method for
it. The file backend appends one JSON line per entry to a file per month
(``<data_dir>/audit/<YYYY-MM>.jsonl``) under the cross-process lock, and fsyncs
it, so two workers never interleave half lines and a crash loses at most the
entry being written; a torn last line (a kill mid-write) is skipped on read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from .locking import exclusive_lock

_MONTH_FILE = re.compile(r"(\d{4}-\d{2})\.jsonl")


class AuditStore(ABC):
    """Append and read audit entries; every entry has ``at`` (ISO 8601 with offset)."""

    @abstractmethod
    def append(self, entry: dict) -> dict:
        """Store ``entry`` (needs ``at``); return it with its ``seq`` (its order in its month)."""

    @abstractmethod
    def entries(self, start: dt.date, end: dt.date) -> list[dict]:
        """Every entry whose ``at`` falls on a day in [start, end] (its own date), newest first."""

    @abstractmethod
    def append_if_changed(self, entry: dict, field: str) -> dict | None:
        """Append ``entry`` unless the latest entry of the same action has the same ``field`` value.

        Atomic across processes: several workers noticing the same change append it once.
        Returns the stored entry, or None when nothing changed. The stored entry's ``before``
        is completed from that latest entry's ``after`` when the caller did not know it.
        """


def _month(entry: dict) -> str:
    return entry["at"][:7]


def _with_before(entry: dict, latest: dict | None) -> dict:
    if entry.get("before") is None and latest is not None:
        return dict(entry, before=latest.get("after"))
    return entry


class MemoryAuditStore(AuditStore):
    def __init__(self):
        self._entries: list[dict] = []
        self._lock = threading.Lock()

    def append(self, entry: dict) -> dict:
        with self._lock:
            stored = json.loads(json.dumps(entry, ensure_ascii=False))
            stored["seq"] = sum(1 for e in self._entries if _month(e) == _month(entry)) + 1
            self._entries.append(stored)
            return dict(stored)

    def entries(self, start: dt.date, end: dt.date) -> list[dict]:
        first, last = start.isoformat(), end.isoformat()
        with self._lock:
            found = [dict(e) for e in self._entries if first <= e["at"][:10] <= last]
        return list(reversed(found))

    def append_if_changed(self, entry: dict, field: str) -> dict | None:
        with self._lock:
            latest = next((e for e in reversed(self._entries) if e.get("action") == entry["action"]), None)
        if latest is not None and latest.get(field) == entry.get(field):
            return None
        return self.append(_with_before(entry, latest))


class FileAuditStore(AuditStore):
    """``<data_dir>/audit/<YYYY-MM>.jsonl``, appended under a lock and fsynced."""

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "audit"
        self.dir.mkdir(parents=True, exist_ok=True)

    def append(self, entry: dict) -> dict:
        path = self.dir / f"{_month(entry)}.jsonl"
        with exclusive_lock(path):
            seq = len(self._read(path)) + 1
            stored = dict(entry, seq=seq)
            line = json.dumps(stored, ensure_ascii=False, separators=(",", ":")) + "\n"
            with open(path, "a", encoding="utf-8") as handle:
                if handle.tell() and not self._ends_with_newline(path):
                    handle.write("\n")  # a torn line from a killed writer stays its own line
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        return stored

    @staticmethod
    def _ends_with_newline(path: Path) -> bool:
        with open(path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    @staticmethod
    def _read(path: Path) -> list[dict]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn line
            if isinstance(entry, dict) and isinstance(entry.get("at"), str):
                found.append(entry)
        return found

    def append_if_changed(self, entry: dict, field: str) -> dict | None:
        with exclusive_lock(self.dir / "latest"):
            latest = self._latest(entry["action"])
            if latest is not None and latest.get(field) == entry.get(field):
                return None
            return self.append(_with_before(entry, latest))

    def _latest(self, action: str) -> dict | None:
        months = sorted((p.name for p in self.dir.iterdir() if _MONTH_FILE.fullmatch(p.name)), reverse=True)
        for name in months:
            found = [e for e in self._read(self.dir / name) if e.get("action") == action]
            if found:
                return found[-1]
        return None

    def entries(self, start: dt.date, end: dt.date) -> list[dict]:
        first, last = start.isoformat(), end.isoformat()
        months = sorted(
            m.group(1)
            for p in self.dir.iterdir()
            if (m := _MONTH_FILE.fullmatch(p.name)) and first[:7] <= m.group(1) <= last[:7]
        )
        found = []
        for month in months:
            found += [e for e in self._read(self.dir / f"{month}.jsonl") if first <= e["at"][:10] <= last]
        found.sort(key=lambda e: (e["at"], e.get("seq", 0)))
        return list(reversed(found))
