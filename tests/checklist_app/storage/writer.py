"""A separate process that saves checklists and prints each identity once the store acknowledged it.

Its first argument is a TinyDB data folder or a PostgreSQL URL."""

from __future__ import annotations

import sys

from checklist_app.storage import FactKind

from .shared import open_shared


def _short(record: dict) -> dict:
    return {"identity": record["identity"], "day": record["day"]}


SHORT = FactKind("short", "t1", _short)  # the facts the storage tests ask for


def record(identity: str, key: str, day: str = "2026-11-23") -> dict:
    """A completed checklist as the app stores it (the fields storage relies on, plus bulk)."""
    return {
        "identity": identity,
        "idempotency_key": key,
        "day": day,
        "submitted_at": "2026-11-23T10:00:00",
        "inspector": "inspector",
        "items": [{"check_id": f"c{i}", "result": "pass", "note": "正常" * 5} for i in range(10)],
    }


def main() -> None:
    location, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shared = sys.argv[4] if len(sys.argv) > 4 else ""
    store = open_shared(location, [SHORT]).completions
    for n in range(count):
        identity = f"{prefix}-{n}"
        _, created = store.save(record(identity, f"key-{identity}"))
        print(f"ack {identity} {int(created)}", flush=True)
        if shared:
            # Every process also submits the same shared checklists with the same key (a retry storm).
            sid = f"{shared}-{n}"
            _, created = store.save(record(sid, f"key-{sid}"))
            print(f"ack {sid} {int(created)}", flush=True)


if __name__ == "__main__":
    main()
