"""Copy everything from one storage to another (TinyDB ⇄ PostgreSQL) and prove it arrived intact.

Idempotent and resumable: what the target already holds is skipped (records by
identity, snapshots by key, people by id, audit entries by their number in their
month, notification parts when the target has one, photos by id), so running the same copy
again after an interruption finishes it and copies nothing twice. At the end every
part is counted and hashed on both sides (SHA-256 over each item's canonical JSON,
sorted), and any difference is reported. Failed sign-in counters are not copied:
they only matter for the next few minutes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from . import Storage

BATCH = 500
NOTIFY_PARTS = ("robots", "outbox", "sender")


@dataclass(frozen=True)
class Part:
    """One kind of data after the copy: how many on each side, how many copied now, both hashes."""

    name: str
    source: int
    copied: int
    target: int
    source_hash: str
    target_hash: str

    @property
    def ok(self) -> bool:
        return self.source == self.target and self.source_hash == self.target_hash


def canonical(value) -> bytes:
    """The bytes an item is hashed as: JSON with sorted keys, UTF-8, no spaces."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(items: Iterable) -> tuple[int, str]:
    """How many ``items``, and a SHA-256 of them that does not depend on their order."""
    each = sorted(hashlib.sha256(canonical(item)).digest() for item in items)
    total = hashlib.sha256()
    for item in each:
        total.update(item)
    return len(each), total.hexdigest()[:16]


def months(storage: Storage) -> Iterator[tuple[dt.date, dt.date]]:
    """The calendar months from the first to the last stored checklist, oldest first."""
    span = storage.completions.span()
    if span is None:
        return
    year, month = span[0].year, span[0].month
    while (year, month) <= (span[1].year, span[1].month):
        yield dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


def records(storage: Storage) -> Iterator[dict]:
    """Every completed checklist, month by month (never the whole store in memory), oldest first."""
    for first, last in months(storage):
        found = storage.completions.list(first, last)
        yield from sorted(found, key=lambda r: (r["day"], r["submitted_at"]))  # stable: ties as saved


def _batches(items: Iterable[dict], size: int | None = None) -> Iterator[list[dict]]:
    size = size or BATCH
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _audit(storage: Storage) -> list[dict]:
    return sorted(storage.audit.entries(dt.date.min, dt.date.max), key=lambda e: (e["at"][:7], e["seq"]))


def _notify(storage: Storage) -> dict[str, dict]:
    return {part: storage.notify._read(part) for part in NOTIFY_PARTS}


# Each part: (name, read everything as hashable items, copy what the target lacks -> how many).
Copier = tuple[str, Callable[[Storage], Iterable], Callable[[Storage, Storage], int]]


def _copy_records(source: Storage, target: Storage) -> int:
    copied = sum(target.completions.save_many(b) for b in _batches(records(source)))
    fold = getattr(target.completions, "fold", None)  # PostgreSQL: the report rollups, now, not in a page
    while fold is not None and fold():
        pass
    return copied


def _copy_users(source: Storage, target: Storage) -> int:
    have = {u["username"]: u for u in target.users.all()}
    new = [u for u in source.users.all() if have.get(u["username"]) != u]
    for user in new:
        target.users.put(user)
    return len(new)


def _copy_snapshots(source: Storage, target: Storage) -> int:
    have = {key: pinned for key, _, pinned in target.snapshots.entries()}
    copied = 0
    for key, value, pinned in source.snapshots.entries():
        if key not in have:
            target.snapshots.put(key, value)
            copied += 1
        if pinned and not have.get(key):
            target.snapshots.pin(key)
    return copied


def _copy_started(source: Storage, target: Storage) -> int:
    have = {key for key, _ in target.started.entries()}
    new = [(key, value) for key, value in source.started.entries() if key not in have]
    for key, value in new:
        target.started.put(key, value)
    return len(new)


def _copy_audit(source: Storage, target: Storage) -> int:
    numbered: dict[str, int] = {}
    for entry in _audit(target):
        numbered[entry["at"][:7]] = max(numbered.get(entry["at"][:7], 0), entry["seq"])
    copied = 0
    for entry in _audit(source):
        if entry["seq"] > numbered.get(entry["at"][:7], 0):
            target.audit.append({k: v for k, v in entry.items() if k != "seq"})  # numbered in order again
            copied += 1
    return copied


def _copy_people(source: Storage, target: Storage) -> int:
    return target.people.load(source.people.all())


def _copy_links(source: Storage, target: Storage) -> int:
    return target.people.link(source.people.links())


def _copy_notify(source: Storage, target: Storage) -> int:
    copied = 0
    for part, data in _notify(source).items():
        if data and not target.notify._read(part):
            target.notify._change(part, lambda current, data=data: current.update(data))
            copied += 1
    return copied


def _copy_actions(source: Storage, target: Storage) -> int:
    return target.actions.load(source.actions.all())


def _copy_decisions(source: Storage, target: Storage) -> int:
    have = target.decisions.all()
    new = {ref: d for ref, d in source.decisions.all().items() if ref not in have}
    for ref, decision in new.items():
        target.decisions.decide(ref, decision)
    return len(new)


def _copy_reading(source: Storage, target: Storage) -> int:
    return sum(target.reading.add(ack)[1] for ack in source.reading.all())


def _photos(storage: Storage) -> list[list[str]]:
    """Every photo as (id, SHA-256 of its stored bytes): what both sides must agree on."""
    found = []
    for photo_id in storage.photos.ids():
        data = storage.photos.get(photo_id)
        if data is not None:
            found.append([photo_id, hashlib.sha256(data).hexdigest()])
    return found


def _copy_photos(source: Storage, target: Storage) -> int:
    have = set(target.photos.ids())
    copied = 0
    for photo_id in source.photos.ids():
        if photo_id not in have and (data := source.photos.get(photo_id)) is not None:
            copied += target.photos.put(photo_id, data)
    return copied


PARTS: tuple[Copier, ...] = (
    ("completions", records, _copy_records),
    ("users", lambda s: s.users.all(), _copy_users),
    ("snapshots", lambda s: [list(e) for e in s.snapshots.entries()], _copy_snapshots),
    ("started", lambda s: [list(e) for e in s.started.entries()], _copy_started),
    ("audit", _audit, _copy_audit),
    ("people", lambda s: s.people.all(), _copy_people),
    ("people_links", lambda s: sorted(s.people.links().items()), _copy_links),
    ("notify", lambda s: sorted(_notify(s).items()), _copy_notify),
    ("actions", lambda s: s.actions.all(), _copy_actions),
    ("fine_decisions", lambda s: sorted(s.decisions.all().items()), _copy_decisions),
    ("reading", lambda s: s.reading.all(), _copy_reading),
    ("photos", _photos, _copy_photos),
)


def copy_storage(
    source: Storage, target: Storage, report: Callable[[Part], None] = lambda part: None
) -> list[Part]:
    """Copy every part the target lacks, then count and hash both sides; the parts in order."""
    parts = []
    for name, read, copy in PARTS:
        copied = copy(source, target)
        count, hashed = digest(read(source))
        target_count, target_hash = digest(read(target))
        part = Part(name, count, copied, target_count, hashed, target_hash)
        report(part)
        parts.append(part)
    return parts
