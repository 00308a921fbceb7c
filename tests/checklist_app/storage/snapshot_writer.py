"""A separate process that starts checklists (pointer first, then an old snapshot) and prints each one."""

from __future__ import annotations

import sys

from checklist_app.storage.base import POINTER, snapshot_key_kind
from checklist_app.storage.started import FileStartedStore
from checklist_app.storage.tinydb_store import FileSnapshotStore

OPENED_AT = "2026-11-23T10:00:00+08:00"  # after the sweeps' cutoff: the pointer stays
CREATED_AT = "2026-10-01T10:00:00+08:00"  # before it: only the pointer keeps the snapshot
OLD = "2026-10-01T09:00:00+08:00"


class Pair:
    """A snapshot store and a started store used as the app uses them: pointers by their ``s`` keys."""

    def __init__(self, snapshots, started):
        self.snapshots, self.started = snapshots, started
        self.dir, self.kept = getattr(snapshots, "dir", None), getattr(snapshots, "kept", None)

    def of(self, key):
        return self.started if snapshot_key_kind(key) == POINTER else self.snapshots

    def put(self, key, value) -> None:
        self.of(key).put(key, value)

    def get(self, key):
        return self.of(key).get(key)

    def delete(self, key) -> bool:
        return self.of(key).delete(key)

    def pin(self, key) -> bool:
        return self.snapshots.pin(key)

    def sweep(self, cutoff) -> int:
        """As housekeeping sweeps: expired pointers, then the snapshots no pointer names."""
        return self.started.sweep(cutoff) + self.snapshots.sweep(cutoff, self.started.snapshot_ids)


def files(data_dir) -> Pair:
    """The file backend's two stores on ``data_dir``."""
    return Pair(FileSnapshotStore(data_dir), FileStartedStore(data_dir))


def keys(prefix: int, n: int) -> dict[str, str]:
    """The keys of the n-th checklist: a live pointer and its snapshot, an expired pair (garbage)."""
    tail = f"{prefix:02x}{n:06x}"
    return {
        "pointer": "s" + "a" * 16 + tail,
        "snapshot": "b" * 8 + tail,
        "old_pointer": "s" + "c" * 16 + tail,
        "old_snapshot": "d" * 8 + tail,
    }


def at(location: str) -> Pair:
    """The two stores at ``location``: a PostgreSQL URL, or a data folder (the file stores alone)."""
    if location.startswith("postgresql://"):
        from .shared import open_shared

        storage = open_shared(location)
        return Pair(storage.snapshots, storage.started)
    return files(location)


def main() -> None:
    location, prefix, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = at(location)
    for n in range(count):
        k = keys(prefix, n)
        store.put(k["old_pointer"], {"snapshot_id": k["old_snapshot"], "opened_at": OLD})
        store.put(
            k["old_snapshot"], {"snapshot_id": k["old_snapshot"], "created_at": OLD, "items": [n] * 200}
        )
        # As the app does it, but pointer first: a snapshot referenced from the moment it exists.
        store.put(k["pointer"], {"snapshot_id": k["snapshot"], "opened_at": OPENED_AT})
        store.put(k["snapshot"], {"snapshot_id": k["snapshot"], "created_at": CREATED_AT, "items": [n] * 200})
        print(f"ack {n}", flush=True)


if __name__ == "__main__":
    main()
