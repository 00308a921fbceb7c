"""Review dates have an owner: policies whose ``review`` date has passed or falls within 30 days.

Listed for the policy's owner role on Today, and for owners and admins on 管理 → 制度状态 (the
first page of 管理). The dates come from the release being served, read by the app's one clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Flask, g

from generator.model import Handbook, Policy

from .extensions import clock, handbook_state

WITHIN_DAYS = 30

bp = Blueprint("reviews", __name__)


@dataclass(frozen=True)
class Review:
    policy: Policy
    days: int  # days until the review date; negative once it has passed

    @property
    def overdue(self) -> bool:
        return self.days < 0


def due(handbook: Handbook, today: dt.date, within: int = WITHIN_DAYS) -> list[Review]:
    """Every policy to review by ``today + within``, the most overdue first."""
    found = [
        Review(p, (p.review - today).days) for p in handbook.policies if (p.review - today).days <= within
    ]
    return sorted(found, key=lambda r: (r.days, r.policy.id))


def for_role(reviews: list[Review], role: str) -> list[Review]:
    return [r for r in reviews if role and r.policy.owner == role]


def reviews_due(mine: bool = False) -> list[Review]:
    """The reviews due (the signed-in person's role's only, with ``mine``), cached per request."""
    state = handbook_state()
    if state.handbook is None:
        return []
    if "_reviews_due" not in g:
        g._reviews_due = due(state.handbook, clock().today())
    if mine:
        user = g.get("user") or {}
        return for_role(g._reviews_due, user.get("role") or "")
    return g._reviews_due


@bp.record_once
def _register(state) -> None:
    app: Flask = state.app
    app.jinja_env.globals.update(reviews_due=reviews_due)
