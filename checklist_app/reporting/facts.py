"""The digest of a completed checklist: the few facts reports need, small enough to read a year of.

A digest is derived from the stored record only (never from today's handbook), so
reports show what was checked against which version, and a cached digest stays
valid until its record's shard changes. Bump VERSION whenever ``digest`` changes.
"""

from __future__ import annotations

from ..scoring import fine_amount

VERSION = "digest-5"  # 5: sanctions, fine tiers and readings


def digest(record: dict) -> dict:
    """The report facts of one completed checklist."""
    score = record["score"]
    failed = [i for i in record["items"] if i["result"] == "fail"]
    return {
        "id": record["id"],
        "day": record["day"],
        "kind": record["kind"],
        "period": record["period"],
        "target": [record["target"]["kind"], record["target"]["name"]],
        "inspector": record.get("inspector_name") or record["inspector"],
        "submitted_at": record["submitted_at"],
        "backfill": bool(record.get("backfill")),  # 补录: reports show which figures rest on one
        "passed": score["passed"],
        "applicable": score["passed"] + score["failed"],
        "scores": {pid: s["value"] for pid, s in (record.get("scores") or {}).items()},
        # Check ids only: a year of digests stays small; texts come from the handbook when shown.
        "failed": [i["check_id"] for i in failed],
        "penalties": [_penalty(i) for i in failed if fine_amount(i) or i.get("sanctions")],
        # Measured values (读数) for the dashboard's per-check charts.
        "readings": [
            {"key": i["key"], "check_id": i["check_id"], "result": i["result"], **i["reading"]}
            for i in record["items"]
            if i.get("reading")
        ],
        # Who was responsible for each failure: the directory id when chosen, else the typed name.
        "people": [
            {
                "key": i["key"],
                "check_id": i["check_id"],
                "name": i.get("responsible") or "",
                "id": i.get("responsible_id") or "",
            }
            for i in failed
            if i.get("responsible") or i.get("responsible_id")
        ],
    }


def _penalty(item: dict) -> dict:
    return {
        "key": item["key"],
        "check_id": item["check_id"],
        "text": item["text"],
        "policy_id": item["policy_id"],
        "policy_title": item["policy_title"],
        "version": item["policy_version"],
        "clause_id": item["clause_id"],
        "clause_title": item["clause_title"],
        "clause_url": item["clause_url"],
        "responsible": item.get("responsible") or "",
        "responsible_id": item.get("responsible_id") or "",
        "fine": item["fine"],
        "count": item.get("count") or 1,
        "amount": fine_amount(item),
        "fine_rule": item.get("fine_rule"),
        "sanctions": item.get("sanctions") or [],
    }
