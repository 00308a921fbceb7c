"""The JSON export: a documented, stable interface for other tools (schema_version 1)."""

from __future__ import annotations

import json

from .model import CheckItem, Clause, Handbook, Policy, Scoring

SCHEMA_VERSION = 1


def check_to_dict(check: CheckItem) -> dict:
    """One check item as exported."""
    return {
        "id": check.id,
        "text": check.text,
        "frequency": check.frequency.to_dict(),
        "roles": list(check.roles),
        "checkers": list(check.checkers),
        "area": check.area,
        "points": check.points,
        "deduction": (
            {
                "points": check.deduction.points,
                "rule": check.deduction.rule,
                "by_band": check.deduction.by_band,
            }
            if check.deduction
            else None
        ),
        "fine": check.fine,
        "fine_rule": check.fine_rule.to_dict() if check.fine_rule else None,
        "sanctions": list(check.sanctions),
        "reading": check.reading.to_dict() if check.reading else None,
        "rectify_days": check.rectify_days,
        "photo": check.photo,
        "hash": check.hash,
        "source": {"path": check.source.path, "line": check.source.line},
    }


def clause_to_dict(clause: Clause) -> dict:
    """One clause as exported, with its checks."""
    return {
        "id": clause.id,
        "title": clause.title,
        "anchor": clause.anchor,
        "url": clause.url,
        "level": clause.level,
        "parent": clause.parent_id,
        "hash": clause.hash,
        "source": {"path": clause.source.path, "line": clause.source.line},
        "checks": [check_to_dict(k) for k in clause.checks],
    }


def policy_to_dict(policy: Policy) -> dict:
    """One policy as exported, with its clauses."""
    return {
        "id": policy.id,
        "title": policy.title,
        "owner": policy.owner,
        "version": policy.version,
        "effective": policy.effective.isoformat(),
        "review": policy.review.isoformat(),
        "applies_to": list(policy.applies_to),
        "tags": list(policy.tags),
        "sources": list(policy.sources),
        "url": policy.url,
        "hash": policy.hash,
        "source": {"path": policy.source.path, "line": policy.source.line},
        "clauses": [clause_to_dict(c) for c in policy.clauses],
        "scoring": scoring_to_dict(policy.scoring) if policy.scoring else None,
        "penalties": (
            {
                "approval_above": policy.penalties.approval_above,
                "repeat_limit": policy.penalties.repeat_limit,
                "criticism_limit": policy.penalties.criticism_limit,
            }
            if policy.penalties
            else None
        ),
    }


def scoring_to_dict(scoring: Scoring) -> dict:
    """A policy's score sheet as exported."""
    return {
        "full_marks": scoring.full_marks,
        "per": scoring.per,
        "size_bands": [
            {"min": b.min, "max": b.max, "points": b.points, "label": b.label} for b in scoring.size_bands
        ],
        "weekly": scoring.weekly,
        "best_reward": scoring.best_reward,
        "worst_fine": scoring.worst_fine,
    }


def to_dict(handbook: Handbook) -> dict:
    """The whole model; deterministic for the same source (no timestamps)."""
    ref = handbook.reference
    return {
        "schema_version": SCHEMA_VERSION,
        "policies": [policy_to_dict(p) for p in handbook.policies],
        "reference": {
            "roles": [
                {"name": r.name, "department": r.department, "description": r.description} for r in ref.roles
            ],
            "departments": [
                {
                    "name": d.name,
                    "headcount": d.headcount,
                    "areas": list(d.areas) if d.areas is not None else None,
                }
                for d in ref.departments
            ],
            "areas": list(ref.areas),
            "events": list(ref.events),
            "shifts": list(ref.shifts),
            "holidays": [{"name": h.name, "dates": [d.isoformat() for d in h.dates]} for h in ref.holidays],
        },
    }


def to_json(handbook: Handbook) -> str:
    """The export as UTF-8 JSON text with Chinese kept readable."""
    return json.dumps(to_dict(handbook), ensure_ascii=False, indent=2) + "\n"
