"""视情节 fines: a manager decides the amount of a ranged ledger line within its range.

The policies say "多次出现…视情节严重给予100—300元罚款": the ledger charges the least of the
range until an owner or admin decides, and flags the line. A decision is kept per ledger line
(its reference ``<record id>#<item key>``), replaces an earlier one, and is audited with both.
"""

from __future__ import annotations

from generator.render import fmt_number

from . import audit, inputs
from .clock import Clock
from .permissions import can
from .reporting.ledger import Ledger, LedgerLine
from .services import Forbidden, NotFound, ServiceError
from .storage import Storage

MAX_NOTE = 200


class DecisionError(ServiceError):
    """The amount was refused; nothing was stored."""

    status = 422


def decide(storage: Storage, clock: Clock, user: dict, ledger: Ledger, ref, amount, note) -> LedgerLine:
    """Store ``amount`` (yuan, as typed) for the ranged line ``ref`` of ``ledger``; the line as decided."""
    if not can(user, "ledger.decide"):
        raise Forbidden.of("decision.error.forbidden")
    line = next((x for x in ledger.lines if x.ref and x.ref == ref), None) if isinstance(ref, str) else None
    if line is None:
        raise NotFound.of("decision.error.no_line")
    if line.up_to is None or line.low is None:
        raise DecisionError.of("decision.error.not_ranged")
    try:
        value = inputs.decimal(amount, "金额")
        text = inputs.text(note, "说明", MAX_NOTE, multiline=True)
    except inputs.BadInput as exc:
        raise DecisionError([exc.message], exc.status, None, "decision.error.amount") from None
    if value is None or not line.low <= value <= line.up_to:
        raise DecisionError.of("decision.error.range", low=fmt_number(line.low), high=fmt_number(line.up_to))
    decision = {
        "amount": value,
        "by": user["username"],
        "by_name": user.get("display_name") or user["username"],
        "at": clock.timestamp(),
        "note": text,
    }
    before = storage.decisions.decide(ref, decision)
    audit.record(
        storage,
        clock,
        user,
        "ledger.decide",
        ref,
        before={"amount": before["amount"]} if before else {"amount": line.amount},
        after={"amount": value, "note": text} if text else {"amount": value},
    )
    return line
