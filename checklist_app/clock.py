"""The app's one clock: what time it is, in the team's time zone.

Every "today", week and month boundary, the day a record belongs to and every
timestamp stored or shown comes from here, never from the server's local time
(a UTC server is eight hours behind a team in Beijing). Tests replace the clock
with a :class:`FrozenClock` and move it by hand.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; ValueError (in Chinese) if there is none."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(
            f"TIMEZONE 设置的时区“{name}”不存在：请写 IANA 时区名，例如 {DEFAULT_TIMEZONE}"
        ) from None


class Clock:
    """Wall-clock time in ``tz``; every value it returns is timezone-aware."""

    def __init__(self, tz: str | ZoneInfo = DEFAULT_TIMEZONE):
        self.tz = tz if isinstance(tz, ZoneInfo) else zone(tz)

    def _utcnow(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        """The current time in the team's zone, to the second."""
        return self._utcnow().astimezone(self.tz).replace(microsecond=0)

    def today(self) -> dt.date:
        """Today's date in the team's zone."""
        return self.now().date()

    def timestamp(self) -> str:
        """The current time as stored in records: ISO 8601 with its offset (``2026-11-23T09:30:00+08:00``)."""
        return self.now().isoformat(timespec="seconds")

    def local(self, value: str | dt.datetime) -> dt.datetime:
        """A stored timestamp in the team's zone; one stored without an offset is taken as already local."""
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def start_of(self, day: dt.date) -> dt.datetime:
        """Midnight at the start of ``day`` in the team's zone."""
        return dt.datetime.combine(day, dt.time(), tzinfo=self.tz)


class FrozenClock(Clock):
    """A clock that stands still until told otherwise (tests, and the browser tests' servers)."""

    def __init__(self, at: dt.datetime | str, tz: str | ZoneInfo = DEFAULT_TIMEZONE):
        super().__init__(tz)
        self._lock = threading.Lock()
        self.set(at)

    def set(self, at: dt.datetime | str) -> None:
        """Stop the clock at ``at`` (a time without an offset is read in the clock's zone)."""
        moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        with self._lock:
            self._at = moment.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward by ``delta``."""
        with self._lock:
            self._at += delta

    def _utcnow(self) -> dt.datetime:
        with self._lock:
            return self._at


def zone_label(moment: dt.datetime) -> str:
    """``UTC+8`` for a time eight hours ahead of UTC (``UTC+5:30`` where minutes matter)."""
    offset = moment.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def shown(clock: Clock, value: str | dt.datetime | None) -> str:
    """A timestamp as people read it: ``2026-11-23 09:30 (UTC+8)``, in the team's zone."""
    if not value:
        return "—"
    try:
        moment = clock.local(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{moment:%Y-%m-%d %H:%M} ({zone_label(moment)})"


def from_settings(timezone: str, frozen: str | None = None) -> Clock:
    """The clock the settings describe: real time in ``timezone``, or frozen at ``frozen`` (tests only)."""
    if frozen:
        try:
            return FrozenClock(str(frozen), timezone)
        except ValueError as exc:
            if "TIMEZONE" in str(exc):
                raise
            raise ValueError(f"FROZEN_TIME 不是 ISO 8601 时间：{frozen!r}") from None
    return Clock(timezone)
