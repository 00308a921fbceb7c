"""Scores from a policy's score sheet: frozen into a checklist when it starts, computed on submit.

The rules come from the handbook (``scoring`` front matter, ``分值``/``扣分`` on checks).
Everything a score needs is stored with the completed checklist (the sheet as it was,
each item's deduction and count), so ``policy_scores(record)`` recomputes exactly the
stored score even after the handbook or a department's head count changes.
"""

from __future__ import annotations

from generator.attributes import FINE_UNITS
from generator.model import CheckItem, FineRule, FineTier, Handbook, Policy, Reading

MAX_COUNT = 999


def sheet_for(handbook: Handbook, policy: Policy, target_kind: str, target_name: str) -> dict | None:
    """The score sheet of ``policy`` as it applies to this target, or None if the target is not scored.

    A sheet ``per: department`` scores department checklists only; its size band is the
    one the department's head count falls in today.
    """
    scoring = policy.scoring
    if scoring is None or (scoring.per and scoring.per != target_kind):
        return None
    band = None
    headcount = None
    if scoring.size_bands:
        department = handbook.department(target_name)
        headcount = department.headcount if department else None
        band = scoring.band_for(headcount)
        if band is None:
            return None  # validation requires head counts; a department missing from reference.yml
    return {
        "policy_id": policy.id,
        "title": policy.title,
        "version": policy.version,
        "full_marks": scoring.full_marks,
        "headcount": headcount,
        "band": band.label if band else None,
        "band_points": band.points if band else None,
    }


def deduction_for(check: CheckItem, sheet: dict | None) -> float | None:
    """Points one occurrence of a failure costs, or None when the item is not scored per occurrence."""
    if sheet is None or check.deduction is None:
        return None
    if check.deduction.by_band:
        return sheet["band_points"]
    return check.deduction.points


def is_scored(check: CheckItem, sheet: dict | None) -> bool:
    """Whether the check counts towards its policy's score on this checklist."""
    return sheet is not None and (check.points is not None or check.deduction is not None)


def item_loss(item: dict) -> float:
    """Points a completed item loses: count × deduction, capped at its 分值; a whole 分值 if no deduction."""
    if not item.get("scored") or item["result"] != "fail":
        return 0.0
    weight, deduct = item.get("points"), item.get("deduct")
    if deduct is None:
        return float(weight or 0)
    loss = (item.get("count") or 1) * deduct
    return float(min(loss, weight) if weight is not None else loss)


def policy_scores(items: list[dict], sheets: list[dict]) -> dict[str, dict]:
    """Each scored policy's score on a completed checklist: full marks minus losses, never below 0."""
    scores = {}
    for sheet in sheets:
        mine = [i for i in items if i.get("scored") and i["policy_id"] == sheet["policy_id"]]
        if not mine:
            continue
        deducted = round(sum(item_loss(i) for i in mine), 2)
        scores[sheet["policy_id"]] = {
            "title": sheet["title"],
            "version": sheet["version"],
            "full_marks": sheet["full_marks"],
            "deducted": deducted,
            "value": round(max(0.0, sheet["full_marks"] - deducted), 2),
            "band": sheet["band"],
            "headcount": sheet["headcount"],
            "failed": sum(1 for i in mine if i["result"] == "fail"),
        }
    return scores


def fine_amount(item: dict) -> float:
    """Yuan a failed item costs: its fine per occurrence times the occurrences."""
    if item["result"] != "fail" or not item.get("fine"):
        return 0.0
    return float(item["fine"]) * (item.get("count") or 1)


def compliance(items: list[dict]) -> dict:
    """Share of applicable items that passed, and the fines; the score of any checklist."""
    items = [i for i in items if not i.get("recheck")]  # a 复查 item re-checks an old failure: no score
    applicable = [i for i in items if i["result"] != "na"]
    passed = sum(1 for i in applicable if i["result"] == "pass")
    failed = len(applicable) - passed
    return {
        "value": round(100 * passed / len(applicable), 1) if applicable else 100.0,
        "max": 100,
        "passed": passed,
        "failed": failed,
        "not_applicable": len(items) - len(applicable),
        "fines": round(sum(fine_amount(i) for i in items), 2),
    }


def needs_count(item: dict) -> bool:
    """Whether the inspector says how many times (人·处) a failed item occurred."""
    return item.get("deduct") is not None or bool(item.get("fine"))


def count_label(item: dict) -> str:
    """What the inspector counts on a failed item: 处数 for 元/处, 人数 for 元/人, else 次数（人·处）."""
    unit = (item.get("fine_rule") or {}).get("unit")
    if item.get("fine") and unit and unit != "次":
        return FINE_UNITS.get(unit, "次数")
    return ""


def fine_rule(item: dict) -> FineRule | None:
    """The stored fine rule of a completed (or frozen) item; a plain fine when stored before tiers."""
    data = item.get("fine_rule")
    if data:
        tiers = tuple(
            FineTier(t["nth"], t["amount"], tuple(t.get("sanctions") or ()), t.get("up_to"))
            for t in data["tiers"]
        )
        return FineRule(tiers, data.get("unit") or "次", data.get("period"), bool(data.get("per_policy")))
    if item.get("fine"):
        return FineRule((FineTier(1, float(item["fine"])),))
    return None


def is_tiered(item: dict) -> bool:
    """Whether a later violation of this item by the same person may cost more than the first."""
    rule = fine_rule(item)
    return rule is not None and len(rule.tiers) > 1


def occurrences(rule: FineRule, earlier: int, count: int) -> tuple[float, tuple[str, ...]]:
    """Yuan and sanctions of ``count`` occurrences after ``earlier`` ones in the period, tier by tier."""
    amount, sanctions = 0.0, []
    for nth in range(earlier + 1, earlier + count + 1):
        tier = rule.tier(nth)
        amount += tier.amount or 0.0
        sanctions += [s for s in tier.sanctions if s not in sanctions]
    return round(amount, 2), tuple(sanctions)


def occurrences_up_to(rule: FineRule, earlier: int, count: int) -> float | None:
    """The most those occurrences may cost when a tier is a range (视情节 100–300元); None if none is."""
    tiers = [rule.tier(nth) for nth in range(earlier + 1, earlier + count + 1)]
    if not any(t.up_to is not None for t in tiers):
        return None
    return round(sum((t.up_to if t.up_to is not None else t.amount) or 0.0 for t in tiers), 2)


def reading_ok(spec: dict, value: float) -> bool:
    """Whether a measured ``value`` meets the limit frozen with the item."""
    reading = Reading(
        spec["name"], spec["unit"], spec["low"], spec["high"], spec["low_strict"], spec["high_strict"]
    )
    return reading.within(value)
