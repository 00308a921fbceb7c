"""The check-item attribute vocabulary: keys (Chinese and English) and value parsers.

Values read naturally in Chinese (每日, 每周五, 每月10日前, 罚款50元) and have ASCII
equivalents (daily, weekly:fri, monthly:10, 50) for people who prefer them.
"""

from __future__ import annotations

import re

from .model import WEEKDAYS_EN, WEEKDAYS_ZH, Deduction, Frequency

# canonical key -> accepted spellings
ATTRIBUTE_KEYS: dict[str, tuple[str, ...]] = {
    "frequency": ("频率", "frequency"),
    "roles": ("对象", "被检查", "roles"),
    "checkers": ("检查人", "checker", "checkers"),
    "area": ("区域", "area"),
    "points": ("分值", "points"),
    "deduction": ("扣分", "deduction"),
    "fine": ("罚款", "fine"),
}
ALIASES = {alias: key for key, names in ATTRIBUTE_KEYS.items() for alias in names}
KEY_LABELS = {key: names[0] for key, names in ATTRIBUTE_KEYS.items()}
ATTRIBUTE_RE = re.compile(r"^\s*([^\s:：]{1,12})\s*[:：]\s*(.*?)\s*$")

INFERRED_RE = re.compile(r"\s*[（(]\s*推断\s*[)）]\s*$")
_ZH_DAY = "一二三四五六日天"
_TIME_RE = r"(?:\s*(上午|下午|晚上|早上)?\s*(\d{1,2})[:：点](\d{2})?分?)?"
_WEEKLY_RE = re.compile(rf"^每周([{_ZH_DAY}])?{_TIME_RE}$")
# A daily check at a time of day (每日 07:00): the time is kept, like a weekly check's.
_DAILY_TIME_RE = re.compile(rf"^(每日|每天|每个工作日|工作日){_TIME_RE}$")
_DAILY_TIME_EN = re.compile(r"^(daily|workdays)\s+(\d{1,2}):(\d{2})$")
# "At 17:00 at the latest" is a deadline, which a frequency cannot express (see deadline_time).
_DEADLINE_RE = re.compile(rf"^(.*?){_TIME_RE}\s*(?:前|之前|以前)$")
_WEEKLY_EN = re.compile(r"^weekly(?::(mon|tue|wed|thu|fri|sat|sun))?(?:\s+(\d{1,2}):(\d{2}))?$")
_MONTHLY_RE = re.compile(r"^每月(?:(\d{1,2})[日号]|(最后一天|月底|月末))?(前|之前)?$")
_MONTHLY_EN = re.compile(r"^monthly(?::(\d{1,2}|last)(-by)?)?$")
_SIMPLE = {
    "每日": ("daily", False),
    "每天": ("daily", False),
    "daily": ("daily", False),
    "每个工作日": ("daily", True),
    "工作日": ("daily", True),
    "workdays": ("daily", True),
    "每季度": ("quarterly", False),
    "每季": ("quarterly", False),
    "quarterly": ("quarterly", False),
    "每年": ("yearly", False),
    "yearly": ("yearly", False),
    "每班": ("shift", False),
    "每班次": ("shift", False),
    "每个班次": ("shift", False),
    "shift": ("shift", False),
}


def split_values(value: str) -> tuple[str, ...]:
    """Split a multi-valued attribute on Chinese or ASCII commas and 顿号."""
    return tuple(v.strip() for v in re.split(r"[,，、;；]", value) if v.strip())


def _time(period: str | None, hour: str | None, minute: str | None) -> str | None:
    if hour is None:
        return None
    h = int(hour)
    if period in ("下午", "晚上") and h < 12:
        h += 12
    if h > 23 or int(minute or 0) > 59:
        raise ValueError
    return f"{h:02d}:{int(minute or 0):02d}"


def parse_frequency(value: str, events: frozenset[str] | tuple = ()) -> Frequency | None:
    """Parse a frequency such as 每日, 每周五 08:00, 每月10日前 or an event; None if unknown."""
    text = value.strip()
    inferred = bool(INFERRED_RE.search(text))
    text = INFERRED_RE.sub("", text).strip()
    low = text.lower()
    try:
        if low in _SIMPLE:
            kind, workdays = _SIMPLE[low]
            return Frequency(kind, workdays=workdays, inferred=inferred)
        if (m := _DAILY_TIME_RE.match(text)) and m.group(3):
            kind, workdays = _SIMPLE[m.group(1)]
            return Frequency(kind, workdays=workdays, time=_time(*m.group(2, 3, 4)), inferred=inferred)
        if m := _DAILY_TIME_EN.match(low):
            kind, workdays = _SIMPLE[m.group(1)]
            return Frequency(kind, workdays=workdays, time=_time(None, *m.group(2, 3)), inferred=inferred)
        if m := _WEEKLY_RE.match(text):
            day = m.group(1)
            weekday = None if day is None else ("日" if day == "天" else day)
            return Frequency(
                "weekly",
                weekday=None if weekday is None else WEEKDAYS_ZH.index(weekday),
                time=_time(*m.group(2, 3, 4)),
                inferred=inferred,
            )
        if m := _WEEKLY_EN.match(low):
            weekday = WEEKDAYS_EN.index(m.group(1)) if m.group(1) else None
            return Frequency("weekly", weekday=weekday, time=_time(None, *m.group(2, 3)), inferred=inferred)
        if m := _MONTHLY_RE.match(text):
            day = int(m.group(1)) if m.group(1) else (-1 if m.group(2) else None)
            if day is not None and not (day == -1 or 1 <= day <= 31):
                return None
            return Frequency("monthly", day=day, by=bool(m.group(3)) and day is not None, inferred=inferred)
        if m := _MONTHLY_EN.match(low):
            raw = m.group(1)
            day = None if raw is None else (-1 if raw == "last" else int(raw))
            if day is not None and not (day == -1 or 1 <= day <= 31):
                return None
            return Frequency("monthly", day=day, by=bool(m.group(2)), inferred=inferred)
    except ValueError:
        return None
    event = text[6:].strip() if low.startswith("event:") else text
    event = event[2:] if event.startswith("每次") and event[2:] in events else event
    if event in events:
        return Frequency("event", event=event, inferred=inferred)
    return None


def deadline_time(value: str, events: frozenset[str] | tuple = ()) -> str | None:
    """For a frequency with a deadline time (每日 17:00 前), the same frequency at that time; else None."""
    m = _DEADLINE_RE.match(INFERRED_RE.sub("", value.strip()).strip())
    if not m or m.group(3) is None:
        return None
    at = f"{m.group(1).strip()} {m.group(2) or ''}{m.group(3)}:{m.group(4) or '00'}"
    return at if parse_frequency(at, events) is not None else None


_NUMBER = r"(\d+(?:\.\d+)?)"
# The fine is per occurrence: the inspector enters how many (次、处、项、人) and the app multiplies.
_PER = r"(?:[/／每]\s*(?:人次|次|处|项|人|个))"
_FINE_RE = re.compile(rf"^(?:罚款)?\s*{_NUMBER}\s*(?:元|块)?\s*{_PER}?$")


def parse_fine(value: str) -> float | None:
    """Parse 50 / 50元 / 罚款50元 / 50元/次 / 5元/处 / 2元每项 into yuan; None if it is not one amount."""
    m = _FINE_RE.match(value.strip())
    return float(m.group(1)) if m else None


def parse_number(value: str) -> float | None:
    """Parse a plain number of points (5, 2.5, 5分); None otherwise."""
    m = re.match(rf"^{_NUMBER}\s*分?$", value.strip())
    return float(m.group(1)) if m else None


BAND_WORDS = ("按人数档", "按部门人数", "按人数")


def parse_deduction(value: str) -> Deduction:
    """Keep the deduction rule as written and the points per occurrence it states.

    ``按人数档`` means the points come from the policy's department size bands.
    """
    if any(word in value for word in BAND_WORDS):
        return Deduction(points=None, rule=value.strip(), by_band=True)
    m = (
        re.search(rf"扣\s*{_NUMBER}\s*分", value)
        or re.search(rf"{_NUMBER}\s*分", value)
        or re.fullmatch(rf"\s*{_NUMBER}\s*", value)
    )
    return Deduction(points=float(m.group(1)) if m else None, rule=value.strip())
