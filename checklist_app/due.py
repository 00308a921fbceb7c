"""When a checklist is due: which days a period covers, and whether now is on time, late or too early.

A daily checklist covers its day, a weekly one its ISO week (Monday to Sunday),
an event checklist the day it was started. While its period lasts a checklist
is *current*: anyone whose checks it holds may open and submit it. One opened
before its period ended may still be submitted for a grace period after it.
After that it is *backfill* (补录): only owners and admins, with a reason, and
the record says so. A period that has not begun is never open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.frequencies import Frequency, on_daily, on_weekly

from . import inputs
from .clock import Clock

CURRENT = "current"
BACKFILL = "backfill"


class NotYetDue(Exception):
    """The period has not begun: nothing can be done for it yet."""


@dataclass(frozen=True)
class Window:
    """The days a checklist period covers, first and last included."""

    kind: str
    period: str
    first: dt.date
    last: dt.date

    def closes_at(self, clock: Clock) -> dt.datetime:
        """Midnight after the period's last day, in the team's zone."""
        return clock.start_of(self.last + dt.timedelta(days=1))


def window(kind: str, period: str) -> Window:
    """The window of a ``daily`` (``2026-11-23``), ``weekly`` (``2026-W48``) or ``event`` period.

    Event periods are ``2026-11-23/活动上线前``. Raises inputs.BadInput if malformed.
    """
    if kind == "daily":
        day = inputs.day(period)
        return Window(kind, period, day, day)
    if kind == "weekly":
        inputs.week(period)
        monday = dt.datetime.strptime(period + "-1", "%G-W%V-%u").date()
        return Window(kind, period, monday, monday + dt.timedelta(days=6))
    if kind == "event":
        day_part, _, event = period.partition("/") if isinstance(period, str) else ("", "", "")
        day = inputs.day(day_part)
        if not event:
            raise inputs.BadInput("事件检查缺少事件名称。")
        return Window(kind, period, day, day)
    raise inputs.BadInput("清单类型应是 daily、weekly 或 event。")


def occurrence_window(freq: Frequency, day: dt.date, holidays=None) -> Window | None:
    """The window of the one checklist holding the occurrence of ``freq`` due on or in the week of ``day``.

    Day-specific kinds (每日, 每周五, 每月第一个周一, 节假日前3天 …) have the day's window,
    week-specific ones (每周, 每两周, 每月第一周) the ISO week's; None when nothing is due then
    (events are started on demand, and have no window until they are).
    """
    if freq.checklist == "daily":
        return window("daily", day.isoformat()) if on_daily(freq, day, holidays) else None
    if freq.checklist == "weekly":
        year, week, _ = day.isocalendar()
        win = window("weekly", f"{year}-W{week:02d}")
        return win if on_weekly(freq, win.first) else None
    return None


def timing(win: Window, clock: Clock, grace: dt.timedelta, opened_at: dt.datetime | None = None) -> str:
    """CURRENT or BACKFILL for acting on ``win`` now; NotYetDue if its first day is still ahead."""
    now = clock.now()
    today = now.date()
    if today < win.first:
        raise NotYetDue(win.period)
    if today <= win.last:
        return CURRENT
    opened_in_time = opened_at is not None and clock.local(opened_at).date() <= win.last
    if opened_in_time and now < win.closes_at(clock) + grace:
        return CURRENT
    return BACKFILL
