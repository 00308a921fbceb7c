"""A separate process that starts checklists (pointer first, then an old snapshot) and prints each one."""

from __future__ import annotations

import sys

from checklist_app.storage.tinydb_store import FileSnapshotStore

OPENED_AT = "2026-11-23T10:00:00+08:00"  # after the sweeps' cutoff: the pointer stays
CREATED_AT = "2026-10-01T10:00:00+08:00"  # before it: only the pointer keeps the snapshot
OLD = "2026-10-01T09:00:00+08:00"


def keys(prefix: int, n: int) -> dict[str, str]:
    """The keys of the n-th checklist: a live pointer and its snapshot, an expired pair (garbage)."""
    tail = f"{prefix:02x}{n:06x}"
    return {
        "pointer": "s" + "a" * 16 + tail,
        "snapshot": "b" * 8 + tail,
        "old_pointer": "s" + "c" * 16 + tail,
        "old_snapshot": "d" * 8 + tail,
    }


def main() -> None:
    data_dir, prefix, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = FileSnapshotStore(data_dir)
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
