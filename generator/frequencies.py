"""Every frequency kind in one place: its spellings, label, which checklist it lands on and when it is due.

A kind is declared once in KINDS. The parser, the checklist generator, the overview
page, the owner guide and its tests all iterate that registry, so a new kind is added
here and nowhere else, and no page can drop a kind it does not know.

Where each kind lands, so that each due occurrence is on exactly one checklist:

- the daily checklist of the day it is due: 每日 (one item per time of day), 每班次,
  每周五 / 每周二、五, 每两周五, 每月…日, 每月第一个周一, 每季度, 每年, 节假日前N天;
- the weekly checklist of the ISO week it is due in: 每周, 每两周, 每月第N周;
- on demand: events.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")
WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ANY_HOLIDAY = "*"  # 节假日前N天: before every holiday of the calendar
# Every N weeks without a start of its own and without the policy's effective date (never in a
# parsed handbook): count from a fixed Monday so the answer still never depends on the day asked.
_FALLBACK_ANCHOR = dt.date(2001, 1, 1)


@dataclass(frozen=True)
class Frequency:
    """When a check is due; ``kind`` is one of FREQUENCY_KINDS (see KINDS for each kind's fields).

    ``weekdays`` are 0 (Monday) … 6 (Sunday) a check is pinned to; ``day`` is the day of
    month (-1 = last day); ``by`` says the day or time is a deadline (每月10日前, 每日 17:00前);
    ``workdays`` restricts daily checks to Monday–Friday; ``times`` are "HH:MM" in order
    (several mean one checklist item per time); ``every`` is N of every N weeks, counted
    from ``start`` when the text names one, else from ``anchor`` (the policy's effective
    date); ``nth`` is the week or weekday of the month (1…4, -1 = last); ``holiday`` names
    a holiday of reference.yml (ANY_HOLIDAY: all) and ``before`` the days ahead of it;
    ``event`` names the trigger of per-event checks; ``inferred`` marks a frequency the
    source text did not state.
    """

    kind: str
    weekdays: tuple[int, ...] = ()
    day: int | None = None
    by: bool = False
    workdays: bool = False
    times: tuple[str, ...] = ()
    event: str | None = None
    inferred: bool = False
    every: int = 1
    start: dt.date | None = None
    anchor: dt.date | None = None
    nth: int | None = None
    holiday: str | None = None
    before: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown frequency kind {self.kind!r}")

    @property
    def weekday(self) -> int | None:
        """The one weekday the check is pinned to, or None (unpinned, or several days)."""
        return self.weekdays[0] if len(self.weekdays) == 1 else None

    @property
    def time(self) -> str | None:
        """The one time of day, or None (no time, or several)."""
        return self.times[0] if len(self.times) == 1 else None

    @property
    def label(self) -> str:
        """The canonical Chinese wording, e.g. 每周五 08:00, 每月10日前 or 每日 09:00、14:00."""
        text = KINDS[self.kind].label(self)
        if self.times:
            text += " " + "、".join(self.times) + ("前" if self.by and self.kind != "monthly" else "")
        return text

    def label_at(self, time: str) -> str:
        """The label of one occurrence of a several-times-a-day check (每日 09:00)."""
        return f"{KINDS[self.kind].label(self)} {time}"

    @property
    def checklist(self) -> str:
        """Which checklist kind an occurrence lands on: ``daily``, ``weekly`` or ``event``."""
        return KINDS[self.kind].checklist(self)

    def to_dict(self) -> dict:
        """The JSON form used by the export (stable interface; keys after ``inferred`` were added later)."""
        return {
            "kind": self.kind,
            "label": self.label,
            "weekday": WEEKDAYS_EN[self.weekday] if self.weekday is not None else None,
            "day": self.day,
            "by": self.by,
            "workdays": self.workdays,
            "time": self.time,
            "event": self.event,
            "inferred": self.inferred,
            "weekdays": [WEEKDAYS_EN[d] for d in self.weekdays],
            "times": list(self.times),
            "every": self.every,
            "anchor": (self.start or self.anchor).isoformat() if (self.start or self.anchor) else None,
            "nth": self.nth,
            "holiday": self.holiday,
            "before": self.before,
        }


@dataclass(frozen=True)
class Vocabulary:
    """What a frequency may name besides the fixed words: events and holidays, and the anchor date."""

    events: frozenset[str] = frozenset()
    holidays: frozenset[str] = frozenset()
    effective: dt.date | None = None


Holidays = Mapping[str, tuple[dt.date, ...]]  # holiday name -> its dates (first day off) per year


@dataclass(frozen=True)
class Kind:
    """One frequency kind: how it is written, labelled, placed and when it is due.

    ``parse`` returns a Frequency (without ``inferred``) or None; ``on_day`` says whether an
    occurrence is due on that day's daily checklist, ``in_week`` on the weekly checklist of
    the ISO week starting that Monday. ``spellings`` are rows for the owner guide:
    (Chinese spellings, meaning, ASCII spellings); each spelling parses to this kind.
    """

    name: str
    title: str  # the section title on the overview page
    spellings: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...]
    parse: Callable[[str, Vocabulary], Frequency | None]
    label: Callable[[Frequency], str]
    on_day: Callable[[Frequency, dt.date, Holidays], bool] = lambda f, day, holidays: False
    in_week: Callable[[Frequency, dt.date], bool] = lambda f, monday: False
    checklist: Callable[[Frequency], str] = lambda f: "daily"


# --- shared pieces of spelling ---------------------------------------------------

_DAY_ZH = "一二三四五六日天"
_ONE_TIME = r"(?:上午|下午|晚上|早上|中午)?\s*\d{1,2}(?:[:：]\d{2}|点(?:\d{1,2}分?|半)?)"
_TIMES = re.compile(rf"^\s*({_ONE_TIME}(?:\s*[、,，和/]\s*{_ONE_TIME})*)\s*(前|之前|以前)?$")
_TIME_PARTS = re.compile(r"(上午|下午|晚上|早上|中午)?\s*(\d{1,2})(?:[:：](\d{2})|点(?:(\d{1,2})分?|(半))?)")
_NUMBERS = {c: n for n, c in enumerate("一二三四五六七八九十", 1)} | {"两": 2}
_ZH_NUMBERS = {n: zh for zh, n in _NUMBERS.items() if zh != "两"}


def _number(text: str) -> int | None:
    """1…99 written as digits or in Chinese (两, 十二, 二十); None otherwise."""
    if text.isdigit():
        return int(text)
    if text in _NUMBERS:
        return _NUMBERS[text]
    tens, sep, ones = text.partition("十")
    if sep and all(c in _NUMBERS for c in tens + ones) and len(tens) <= 1 and len(ones) <= 1:
        return (_NUMBERS[tens] if tens else 1) * 10 + (_NUMBERS[ones] if ones else 0)
    return None


def _weekday(char: str) -> int:
    return 6 if char == "天" else WEEKDAYS_ZH.index(char)


def _clock(period: str | None, hour: str, minute: str | None) -> str:
    h, m = int(hour), int(minute or 0)
    if period in ("下午", "晚上") and h < 12:
        h += 12
    if period == "中午" and h < 11:
        h += 12
    if h > 23 or m > 59:
        raise ValueError(hour)
    return f"{h:02d}:{m:02d}"


def split_times(rest: str) -> tuple[tuple[str, ...], bool] | None:
    """`` 09:00、14:00、17:30`` → (("09:00", "14:00", "17:30"), False); ``17:00前`` → deadline; else None.

    An empty rest is no time. Several times are put in order and must differ; a deadline is one time.
    """
    if not rest.strip():
        return (), False
    m = _TIMES.match(rest)
    if not m:
        return None
    try:
        times = tuple(
            _clock(p.group(1), p.group(2), p.group(3) or p.group(4) or ("30" if p.group(5) else None))
            for p in _TIME_PARTS.finditer(m.group(1))
        )
    except ValueError:
        return None
    if len(set(times)) != len(times) or (m.group(2) and len(times) != 1):
        return None
    return tuple(sorted(times)), bool(m.group(2))


_EN_TIMES = re.compile(r"^\s*(by\s+)?(\d{1,2}:\d{2}(?:\s*,\s*\d{1,2}:\d{2})*)$")


def _split_en_times(rest: str) -> tuple[tuple[str, ...], bool] | None:
    if not rest.strip():
        return (), False
    m = _EN_TIMES.match(rest)
    if not m:
        return None
    try:
        times = tuple(_clock(None, *t.strip().split(":")) for t in m.group(2).split(","))
    except ValueError:
        return None
    if len(set(times)) != len(times) or (m.group(1) and len(times) != 1):
        return None
    return tuple(sorted(times)), bool(m.group(1))


def _with_times(freq: Frequency | None, parsed, *, several: bool) -> Frequency | None:
    if freq is None or parsed is None:
        return None
    times, by = parsed
    if len(times) > 1 and not several:
        return None
    return replace(freq, times=times, by=by or freq.by)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- daily and per shift -----------------------------------------------------------

_DAILY_WORDS = {"每日": False, "每天": False, "每个工作日": True, "工作日": True}
_DAILY_RE = re.compile(r"^(每日|每天|每个工作日|工作日)(.*)$")
_DAILY_EN = re.compile(r"^(daily|workdays)(\s.*)?$")


def _parse_daily(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _DAILY_RE.match(text):
        base = Frequency("daily", workdays=_DAILY_WORDS[m.group(1)])
        return _with_times(base, split_times(m.group(2)), several=True)
    if m := _DAILY_EN.match(text.lower()):
        base = Frequency("daily", workdays=m.group(1) == "workdays")
        return _with_times(base, _split_en_times(m.group(2) or ""), several=True)
    return None


def _parse_shift(text: str, vocab: Vocabulary) -> Frequency | None:
    return Frequency("shift") if text.lower() in ("每班", "每班次", "每个班次", "shift") else None


# --- weekly and every N weeks --------------------------------------------------------

_DAYS = rf"(?:周|星期)?[{_DAY_ZH}](?:\s*[、,，和及]\s*(?:周|星期)?[{_DAY_ZH}])*"
_WEEKLY_RE = re.compile(rf"^每(?:周|星期)({_DAYS})?(.*)$")
_WEEKLY_EN = re.compile(
    r"^weekly(?::((?:mon|tue|wed|thu|fri|sat|sun)(?:,(?:mon|tue|wed|thu|fri|sat|sun))*))?(\s.*)?$"
)


def _days(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return ()
    days = tuple(_weekday(c) for c in text if c in _DAY_ZH)
    return tuple(sorted(days)) if len(set(days)) == len(days) else None


def _parse_weekly(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _WEEKLY_RE.match(text):
        days = _days(m.group(1))
        base = None if days is None else Frequency("weekly", weekdays=days)
        return _with_times(base, split_times(m.group(2)), several=False)
    if m := _WEEKLY_EN.match(text.lower()):
        days = tuple(WEEKDAYS_EN.index(d) for d in m.group(1).split(",")) if m.group(1) else ()
        if len(set(days)) != len(days):
            return None
        return _with_times(
            Frequency("weekly", weekdays=tuple(sorted(days))),
            _split_en_times(m.group(2) or ""),
            several=False,
        )
    return None


def _weekly_label(f: Frequency) -> str:
    return "每周" + "、".join(WEEKDAYS_ZH[d] for d in f.weekdays)


_START = r"(?:\s*[（(,，]?\s*(?:从|自)\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:起|开始)\s*[)）]?)?"
_NWEEKLY_RE = re.compile(
    rf"^每(?:隔一周|([两二三四五六七八九十\d]{{1,2}})周)(?:的?(?:周|星期)?([{_DAY_ZH}]))?{_START}(.*)$"
)
_NWEEKLY_EN = re.compile(
    r"^every (\d{1,2}) weeks(?::(mon|tue|wed|thu|fri|sat|sun))?(?: from (\d{4}-\d{1,2}-\d{1,2}))?(\s.*)?$"
)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    y, m, d = (int(part) for part in text.split("-"))
    return dt.date(y, m, d)  # ValueError for 2026-02-30: the caller refuses the frequency


def _parse_nweekly(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _NWEEKLY_RE.match(text):
        every = 2 if m.group(1) is None else _number(m.group(1))
        days = () if m.group(2) is None else (_weekday(m.group(2)),)
        start, rest = m.group(3), m.group(4)
        parsed = split_times(rest)
    elif m := _NWEEKLY_EN.match(text.lower()):
        every = int(m.group(1))
        days = () if m.group(2) is None else (WEEKDAYS_EN.index(m.group(2)),)
        start, parsed = m.group(3), _split_en_times(m.group(4) or "")
    else:
        return None
    if every is None or not 2 <= every <= 52:
        return None
    base = Frequency("nweekly", weekdays=days, every=every, start=_date(start), anchor=vocab.effective)
    return _with_times(base, parsed, several=False)


def _nweekly_label(f: Frequency) -> str:
    every = "两" if f.every == 2 else _ZH_NUMBERS.get(f.every, str(f.every))
    text = f"每{every}周" + "".join(WEEKDAYS_ZH[d] for d in f.weekdays)
    return text + (f"（从{f.start.isoformat()}起）" if f.start else "")


def nweekly_due_week(freq: Frequency, monday: dt.date) -> bool:
    """Whether the ISO week starting ``monday`` is one of an every-N-weeks check's weeks."""
    first = _monday(freq.start or freq.anchor or _FALLBACK_ANCHOR)
    weeks = (monday - first).days // 7
    return weeks >= 0 and weeks % freq.every == 0


# --- monthly, the Nth week and the Nth weekday of a month ------------------------

_MONTHLY_RE = re.compile(r"^每月(?:(\d{1,2})[日号]|(最后一天|月底|月末))?(前|之前)?$")
_MONTHLY_EN = re.compile(r"^monthly(?::(\d{1,2}|last)(-by)?)?$")


def _parse_monthly(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _MONTHLY_RE.match(text):
        day = int(m.group(1)) if m.group(1) else (-1 if m.group(2) else None)
        by = bool(m.group(3)) and day is not None
    elif m := _MONTHLY_EN.match(text.lower()):
        raw = m.group(1)
        day = None if raw is None else (-1 if raw == "last" else int(raw))
        by = bool(m.group(2))
    else:
        return None
    if day is not None and not (day == -1 or 1 <= day <= 31):
        return None
    return Frequency("monthly", day=day, by=by)


def _monthly_label(f: Frequency) -> str:
    if f.day is None:
        return "每月"
    return ("每月最后一天" if f.day == -1 else f"每月{f.day}日") + ("前" if f.by else "")


def _monthly_due(f: Frequency, day: dt.date, holidays: Holidays) -> bool:
    last = _last_day(day.year, day.month)
    if f.day is None or f.day == -1:
        return day.day == last
    return day.day == min(f.day, last)


_NTH = r"(?:第([一二三四1-4])|(最后一))"
_MONTHWEEK_RE = re.compile(rf"^每月{_NTH}周$")
_MONTHWEEK_EN = re.compile(r"^monthly:(?:week([1-4])|(lastweek))$")
_MONTHWEEKDAY_RE = re.compile(rf"^每月{_NTH}个(?:周|星期)([{_DAY_ZH}])(.*)$")
_MONTHWEEKDAY_EN = re.compile(r"^monthly:(mon|tue|wed|thu|fri|sat|sun)#([1-4]|last)(\s.*)?$")
_ORDINALS = ("", "一", "二", "三", "四")


def _nth(first: str | None, last: str | None) -> int:
    return -1 if last else (int(first) if first.isdigit() else _ORDINALS.index(first))


def _parse_monthweek(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _MONTHWEEK_RE.match(text):
        return Frequency("monthweek", nth=_nth(m.group(1), m.group(2)))
    if m := _MONTHWEEK_EN.match(text.lower()):
        return Frequency("monthweek", nth=-1 if m.group(2) else int(m.group(1)))
    return None


def _nth_label(n: int) -> str:
    return "最后一" if n == -1 else f"第{_ORDINALS[n]}"


def month_of_week(monday: dt.date) -> tuple[int, int, int]:
    """(year, month, n): a week belongs to the month holding its Thursday, as its n-th week.

    So every ISO week is in exactly one month (the one holding at least four of its days),
    and every month has four or five weeks.
    """
    thursday = monday + dt.timedelta(days=3)
    return thursday.year, thursday.month, (thursday.day - 1) // 7 + 1


def _monthweek_due(f: Frequency, monday: dt.date) -> bool:
    year, month, n = month_of_week(monday)
    if f.nth == -1:
        return (monday + dt.timedelta(days=10)).month != month  # next week's Thursday is in the next month
    return n == f.nth


def _parse_monthweekday(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _MONTHWEEKDAY_RE.match(text):
        base = Frequency("monthweekday", weekdays=(_weekday(m.group(3)),), nth=_nth(m.group(1), m.group(2)))
        return _with_times(base, split_times(m.group(4)), several=False)
    if m := _MONTHWEEKDAY_EN.match(text.lower()):
        nth = -1 if m.group(2) == "last" else int(m.group(2))
        base = Frequency("monthweekday", weekdays=(WEEKDAYS_EN.index(m.group(1)),), nth=nth)
        return _with_times(base, _split_en_times(m.group(3) or ""), several=False)
    return None


def _monthweekday_due(f: Frequency, day: dt.date, holidays: Holidays) -> bool:
    if day.weekday() != f.weekday:
        return False
    if f.nth == -1:
        return day.day + 7 > _last_day(day.year, day.month)
    return (day.day - 1) // 7 + 1 == f.nth


# --- quarterly, yearly ---------------------------------------------------------------


def _fixed(kind: str, words: tuple[str, ...]) -> Callable[[str, Vocabulary], Frequency | None]:
    return lambda text, vocab: Frequency(kind) if text.lower() in words else None


def _month_end(day: dt.date) -> bool:
    return day.day == _last_day(day.year, day.month)


# --- holidays and events -----------------------------------------------------------

_BEFORE = r"前(?:([一二三四五六七八九十两\d]{1,3})天)?"
_HOLIDAY_RE = re.compile(rf"^(?:每个|每逢)?(.+?){_BEFORE}$")
_HOLIDAY_EN = re.compile(r"^before-(?:holidays|holiday:(.+?)):(\d{1,2})$")
_ALL_HOLIDAYS = ("节假日", "法定节假日", "节日")


def _parse_holiday(text: str, vocab: Vocabulary) -> Frequency | None:
    if m := _HOLIDAY_RE.match(text):
        name, days = m.group(1), 1 if m.group(2) is None else _number(m.group(2))
    elif m := _HOLIDAY_EN.match(text):
        name, days = m.group(1) or _ALL_HOLIDAYS[0], int(m.group(2))
    else:
        return None
    holiday = ANY_HOLIDAY if name in _ALL_HOLIDAYS else name
    # Before every holiday of an empty calendar would never be due: refused, not silently dropped.
    known = bool(vocab.holidays) if holiday == ANY_HOLIDAY else holiday in vocab.holidays
    if days is None or not 1 <= days <= 30 or not known:
        return None
    return Frequency("holiday", holiday=holiday, before=days)


def _holiday_label(f: Frequency) -> str:
    return ("节假日" if f.holiday == ANY_HOLIDAY else f.holiday) + f"前{f.before}天"


def _holiday_due(f: Frequency, day: dt.date, holidays: Holidays) -> bool:
    ahead = day + dt.timedelta(days=f.before)
    names = holidays if f.holiday == ANY_HOLIDAY else (f.holiday,)
    return any(ahead in holidays.get(name, ()) for name in names)


def _parse_event(text: str, vocab: Vocabulary) -> Frequency | None:
    event = text[6:].strip() if text.lower().startswith("event:") else text
    event = event[2:] if event.startswith("每次") and event[2:] in vocab.events else event
    return Frequency("event", event=event) if event in vocab.events else None


# --- the registry ---------------------------------------------------------------------

_REGISTRY = (
    Kind(
        "daily",
        "每日检查",
        (
            (("每日", "每天"), "每天都查", ("daily",)),
            (("每个工作日", "工作日"), "周一到周五每天查", ("workdays",)),
            (
                ("每日 07:00", "每日下午5点"),
                "每天在这个时间查，写在“每日清单”上",
                ("daily 07:00",),
            ),
            (
                ("每日 09:00、14:00、17:30",),
                "一天查几次：每个时间在每日清单上各一项，按时间先后排列",
                ("daily 09:00,14:00,17:30",),
            ),
            (
                ("每日 17:00 前", "每个工作日 17:00前"),
                "每天在这个时间之前完成（截止时间）",
                ("daily by 17:00",),
            ),
        ),
        _parse_daily,
        lambda f: "每个工作日" if f.workdays else "每日",
        on_day=lambda f, day, h: not (f.workdays and day.weekday() >= 5),
    ),
    Kind(
        "shift",
        "每班次检查",
        ((("每班次", "每班", "每个班次"), "每个班次都查：每日清单上每个班次各一项", ("shift",)),),
        _parse_shift,
        lambda f: "每班次",
        on_day=lambda f, day, h: True,
    ),
    Kind(
        "weekly",
        "每周检查",
        (
            (("每周",), "每周查一次（哪天都行），在“本周清单”上", ("weekly",)),
            (
                ("每周五", "每周一", "每周日", "每周天", "每周一 08:00", "每周一上午8:00", "每周五 17:00前"),
                "每周固定某天查（每周一…每周日），只在那天的每日清单上；可加时间或截止时间",
                ("weekly:mon", "weekly:fri", "weekly:mon 08:00"),
            ),
            (
                ("每周二、五", "每周二和周五"),
                "每周固定几天查，在这几天的每日清单上各一次",
                ("weekly:tue,fri",),
            ),
        ),
        _parse_weekly,
        _weekly_label,
        on_day=lambda f, day, h: day.weekday() in f.weekdays,
        in_week=lambda f, monday: not f.weekdays,
        checklist=lambda f: "daily" if f.weekdays else "weekly",
    ),
    Kind(
        "nweekly",
        "每隔几周检查",
        (
            (
                ("每两周", "每2周", "每隔一周", "每三周"),
                "每隔几周查一次，在那一周的本周清单上；从制度的 effective 日期所在的那一周算起",
                ("every 2 weeks",),
            ),
            (("每两周五", "每两周周五"), "每两周的周五查，在那天的每日清单上", ("every 2 weeks:fri",)),
            (
                ("每两周（从2026-11-02起）", "每两周五（从2026-11-06起）"),
                "从写明的日期所在的那一周算起",
                ("every 2 weeks from 2026-11-02",),
            ),
        ),
        _parse_nweekly,
        _nweekly_label,
        on_day=lambda f, day, h: day.weekday() in f.weekdays and nweekly_due_week(f, _monday(day)),
        in_week=lambda f, monday: not f.weekdays and nweekly_due_week(f, monday),
        checklist=lambda f: "daily" if f.weekdays else "weekly",
    ),
    Kind(
        "monthweek",
        "每月第几周检查",
        (
            (
                ("每月第一周", "每月第二周", "每月第三周", "每月第四周", "每月最后一周"),
                "每月的第几周查，在那一周的本周清单上；一周算在它的周四所在的月份",
                ("monthly:week1", "monthly:week4", "monthly:lastweek"),
            ),
        ),
        _parse_monthweek,
        lambda f: f"每月{_nth_label(f.nth)}周",
        in_week=_monthweek_due,
        checklist=lambda f: "weekly",
    ),
    Kind(
        "monthly",
        "每月检查",
        (
            (("每月",), "每月查一次，在当月最后一天的每日清单上", ("monthly",)),
            (("每月10日", "每月10号"), "每月10日当天（没有31日的月份算最后一天）", ("monthly:10",)),
            (("每月10日前",), "每月10日之前完成，在10日的每日清单上", ("monthly:10-by",)),
            (("每月最后一天", "每月月底", "每月月末"), "每月最后一天", ("monthly:last",)),
        ),
        _parse_monthly,
        _monthly_label,
        on_day=_monthly_due,
    ),
    Kind(
        "monthweekday",
        "每月固定星期几检查",
        (
            (
                ("每月第一个周一", "每月第二个星期三", "每月最后一个周五"),
                "每月第几个星期几查（第一个到第四个，或最后一个），在那天的每日清单上",
                ("monthly:mon#1", "monthly:fri#last"),
            ),
        ),
        _parse_monthweekday,
        lambda f: f"每月{_nth_label(f.nth)}个周{WEEKDAYS_ZH[f.weekday]}",
        on_day=_monthweekday_due,
    ),
    Kind(
        "quarterly",
        "每季度检查",
        ((("每季度", "每季"), "每季度查一次，在季度最后一天的每日清单上", ("quarterly",)),),
        _fixed("quarterly", ("每季度", "每季", "quarterly")),
        lambda f: "每季度",
        on_day=lambda f, day, h: _month_end(day) and day.month in (3, 6, 9, 12),
    ),
    Kind(
        "yearly",
        "每年检查",
        ((("每年",), "每年查一次，在12月31日的每日清单上", ("yearly",)),),
        _fixed("yearly", ("每年", "yearly")),
        lambda f: "每年",
        on_day=lambda f, day, h: (day.month, day.day) == (12, 31),
    ),
    Kind(
        "holiday",
        "节假日前检查",
        (
            (
                ("节假日前3天", "每个节假日前1天", "节假日前"),
                "reference.yml 里每个节假日的前几天（不写天数是前1天），在那天的每日清单上",
                ("before-holidays:3",),
            ),
            (("春节前3天", "十一前", "元旦前2天"), "某一个节假日的前几天", ("before-holiday:春节:3",)),
        ),
        _parse_holiday,
        _holiday_label,
        on_day=_holiday_due,
    ),
    Kind(
        "event",
        "按事件检查",
        (
            (
                ("活动上线前", "每次活动上线前"),
                "reference.yml 里登记的事件发生时查，由巡检员按需开始",
                ("event:活动上线前",),
            ),
        ),
        _parse_event,
        lambda f: f"{f.event}",
        checklist=lambda f: "event",
    ),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in _REGISTRY}
FREQUENCY_KINDS = tuple(KINDS)

INFERRED_RE = re.compile(r"\s*[（(]\s*推断\s*[)）]\s*$")


def parse_frequency(
    value: str,
    events: frozenset[str] | tuple = (),
    *,
    holidays: frozenset[str] | tuple = (),
    effective: dt.date | None = None,
) -> Frequency | None:
    """Parse a frequency such as 每日, 每周五 08:00, 每两周, 春节前3天 or an event; None if unknown.

    ``effective`` (the policy's) anchors every-N-weeks checks that name no start of their own.
    """
    return _parse(value, frozenset(events), frozenset(holidays), effective)


# A handbook repeats a few dozen spellings thousands of times; a Frequency is immutable, so share it.
@lru_cache(maxsize=4096)
def _parse(
    value: str, events: frozenset[str], holidays: frozenset[str], effective: dt.date | None
) -> Frequency | None:
    text = value.strip()
    inferred = bool(INFERRED_RE.search(text))
    text = INFERRED_RE.sub("", text).strip()
    vocab = Vocabulary(events, holidays, effective)
    for kind in _REGISTRY:
        try:
            freq = kind.parse(text, vocab)
        except ValueError:  # a date or time that does not exist (2026-02-30, 25:00)
            return None
        if freq is not None:
            return replace(freq, inferred=inferred) if inferred else freq
    return None


_DATE_IN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_CLOCK_IN = re.compile(r"(\d{1,2})[:：](\d{2})")


def diagnose(value: str, holidays: frozenset[str] | tuple = ()) -> tuple[str, str] | None:
    """Why a frequency that did not parse is wrong, and its fix, when the mistake is a known one."""
    text = INFERRED_RE.sub("", value.strip()).strip()
    if re.search(r"第(?:五|5)(?:周|个)", text):
        return "不是每个月都有第五周（第五个星期几）", "要每月最后一周，写 每月最后一周 或 每月最后一个周五"
    for written in _DATE_IN.findall(text):
        try:
            _date(written)
        except ValueError:
            return f"日期 {written} 不存在", "写一个真实的日期，例如 每两周（从2026-11-02起）"
    for hour, minute in _CLOCK_IN.findall(text):
        if int(hour) > 23 or int(minute) > 59:
            return f"时间 {hour}:{minute} 不存在", "时间用 00:00 到 23:59，例如 每日 17:30"
    if len(_CLOCK_IN.findall(text)) > 1 and not _DAILY_RE.match(text) and not _DAILY_EN.match(text.lower()):
        return "一天几次的时间只能写在每日后面", "写 每日 09:00、14:00、17:30，或把这项拆成每周几的几个检查项"
    if (m := _HOLIDAY_RE.match(text)) and m.group(1) in _ALL_HOLIDAYS and not holidays:
        return (
            "reference.yml 里还没有登记节假日，这一项永远不会出现在清单上",
            "在 reference.yml 的 节假日 里登记节假日和每年的日期，见手册“如何编写和修改制度”的节假日一节",
        )
    if (m := _HOLIDAY_RE.match(text)) and m.group(1) not in _ALL_HOLIDAYS and m.group(1) not in holidays:
        return (
            f"“{m.group(1)}”不是 reference.yml 里登记的节假日，“{text}”也不是登记的事件",
            f"先在 reference.yml 的 节假日 里登记 {m.group(1)} 和它每年的日期（或把 {text} 登记为事件）",
        )
    return None


def holidays_running_out(freqs, holidays: Holidays, today: dt.date) -> list[str]:
    """The holidays some of ``freqs`` count back from that have no date in the year from ``today``.

    Their checks would silently stop appearing once the calendar in reference.yml runs out.
    """
    horizon = today + dt.timedelta(days=366)
    named = {f.holiday for f in freqs if f.kind == "holiday"}
    names = set(holidays) if ANY_HOLIDAY in named else set()
    names |= named - {ANY_HOLIDAY}
    return sorted(n for n in names if not any(today <= d <= horizon for d in holidays.get(n, ())))


def on_daily(freq: Frequency, day: dt.date, holidays: Holidays | None = None) -> bool:
    """Whether an occurrence of ``freq`` is due on the daily checklist of ``day``."""
    return KINDS[freq.kind].on_day(freq, day, holidays or {})


def on_weekly(freq: Frequency, monday: dt.date) -> bool:
    """Whether an occurrence of ``freq`` is due on the weekly checklist of the ISO week from ``monday``."""
    return KINDS[freq.kind].in_week(freq, monday)


def spellings() -> list[str]:
    """Every documented spelling of every kind, Chinese and ASCII, in registry order."""
    return [s for kind in _REGISTRY for zh, _meaning, en in kind.spellings for s in zh + en]


def summary() -> str:
    """The short list of spellings an unknown-frequency message offers (one per guide row, events aside)."""
    firsts = [zh[0] for kind in _REGISTRY if kind.name != "event" for zh, _m, _en in kind.spellings]
    return "、".join(f"“{s}”" if "、" in s else s for s in firsts)


def guide_table() -> str:
    """The owner guide's frequency table: one row per spelling row of the registry, held verbatim there."""
    rows = ["| 写法 | 含义 | 英文写法 |", "|---|---|---|"]
    for kind in _REGISTRY:
        for zh, meaning, en in kind.spellings:
            rows.append(
                f"| {'、'.join(f'`{s}`' for s in zh)} | {meaning} | {'、'.join(f'`{s}`' for s in en)} |"
            )
    return "\n".join(rows) + "\n"
