"""The frequency registry: one declaration per kind, kept equal to the parser, the pages and the guide."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from generator import check_handbook, load_handbook
from generator import frequencies as F
from generator import problems as P
from generator.pages import KIND_TITLES, overview_page

from ..conftest import PROJECT, TODAY

D = dt.date
GUIDE = PROJECT / "handbook" / "如何编写和修改制度.md"
EVENTS = ("活动上线前",)
HOLIDAYS = ("元旦", "春节", "五一", "十一")
# The problems a frequency can cause, and the row of the guide's error table that explains each.
FREQUENCY_PROBLEMS = {
    "unknown-frequency": ("频率 … 无法识别", P.unknown_frequency("x", 1, "每天两次")),
    "holiday-bad-date": ("节假日 … 的日期 … 不是有效日期", P.holiday_bad_date("x", 1, "春节", "2027-2-5")),
    "holiday-no-dates": ("节假日 … 没有写日期", P.holiday_without_dates("x", 1, "春节")),
    "holiday-calendar-ends": (
        "节假日 … 在今后一年里没有日期（提醒）",
        P.holiday_calendar_ends("x", 1, "春节", D(2028, 1, 25), D(2028, 6, 1)),
    ),
}


def parse(text: str, effective: dt.date | None = None):
    return F.parse_frequency(text, EVENTS, holidays=HOLIDAYS, effective=effective)


# --- the registry --------------------------------------------------------------------


def test_every_kind_has_a_title_spellings_and_a_checklist():
    assert F.FREQUENCY_KINDS == tuple(F.KINDS)
    for kind in F.KINDS.values():
        assert kind.title and kind.spellings, kind.name


@pytest.mark.parametrize(
    ("kind", "spelling"),
    [(k.name, s) for k in F.KINDS.values() for zh, _m, en in k.spellings for s in zh + en],
)
def test_every_documented_spelling_parses_to_its_kind(kind, spelling):
    freq = parse(spelling)
    assert freq is not None and freq.kind == kind, spelling
    assert parse(freq.label).label == freq.label  # the label is itself a valid spelling


def test_a_frequency_of_an_unknown_kind_cannot_exist():
    with pytest.raises(ValueError, match="fortnightly"):
        F.Frequency("fortnightly")


def test_the_overview_has_a_section_title_for_every_kind():
    assert set(KIND_TITLES) == set(F.FREQUENCY_KINDS)
    assert len(set(KIND_TITLES.values())) == len(KIND_TITLES)


def test_no_check_of_the_real_handbook_is_missing_from_the_overview():
    handbook = load_handbook(PROJECT / "handbook", today=TODAY)
    page = overview_page(handbook)
    for check in handbook.checks:
        assert f"#{check.id}" in page, check.id  # its link
    kinds = {check.frequency.kind for check in handbook.checks}
    assert {"nweekly", "monthweek"} <= kinds  # the seed texts' 每两周 and 第一周…第四周
    for kind in kinds:
        assert KIND_TITLES[kind] in page


# --- the guide is generated from the registry ----------------------------------------


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_the_guide_holds_the_registrys_frequency_table(guide):
    section = guide.split("{#guide-frequency}", 1)[1]
    assert F.guide_table() in section, "run: python -c 'from generator.frequencies import guide_table'"


def test_every_spelling_is_in_the_guides_frequency_section(guide):
    section = guide.split("{#guide-frequency}", 1)[1].split("\n## ", 1)[0]
    for spelling in F.spellings():
        assert f"`{spelling}`" in section, spelling


def test_the_guide_explains_times_weeks_month_weeks_and_holidays(guide):
    for anchor in (
        "guide-frequency-times",
        "guide-frequency-weeks",
        "guide-frequency-month-weeks",
        "guide-frequency-holidays",
        "guide-holidays",
    ):
        assert "{#" + anchor + "}" in guide, anchor
    assert "effective" in guide.split("{#guide-frequency-weeks}", 1)[1].split("####", 1)[0]
    assert "周四" in guide.split("{#guide-frequency-month-weeks}", 1)[1].split("####", 1)[0]


def _frequency_codes() -> set[str]:
    source = (PROJECT / "generator" / "problems.py").read_text(encoding="utf-8")
    return {c for c in re.findall(r'"([a-z]+(?:-[a-z]+)+)",\n', source) if "frequency" in c or "holiday" in c}


def test_every_frequency_problem_code_has_a_row_in_the_error_table(guide):
    assert _frequency_codes() == set(FREQUENCY_PROBLEMS), "a new frequency problem needs a guide row"
    table = guide.split("{#guide-errors}", 1)[1]
    for code, (heading, problem) in FREQUENCY_PROBLEMS.items():
        assert problem.code == code
        assert f"\n| {heading} |" in table, heading
        assert (problem.severity == "warning") == heading.endswith("（提醒）")
        for part in heading.removesuffix("（提醒）").split("…"):
            assert part.strip() in problem.message, (part, problem.message)
        assert problem.hint


def test_the_unknown_frequency_hint_offers_the_registrys_spellings():
    hint = P.unknown_frequency("x", 1, "每天两次", ["活动上线前"], ["春节"]).hint
    for row in F.summary().split("、"):
        assert row in hint
    assert "活动上线前" in hint and "春节" in hint


# --- spellings of the new kinds --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kind", "details", "label"),
    [
        ("每日 09:00、14:00、17:30", "daily", {"times": ("09:00", "14:00", "17:30"), "time": None}, None),
        ("每日 14:00,9:00", "daily", {"times": ("09:00", "14:00")}, "每日 09:00、14:00"),
        ("每天 8点半和下午5点", "daily", {"times": ("08:30", "17:00")}, "每日 08:30、17:00"),
        ("每日 17:00 前", "daily", {"times": ("17:00",), "by": True, "time": "17:00"}, "每日 17:00前"),
        ("每日17点前", "daily", {"by": True, "time": "17:00"}, "每日 17:00前"),
        ("daily by 17:00", "daily", {"by": True}, "每日 17:00前"),
        ("每周二、五", "weekly", {"weekdays": (1, 4), "weekday": None}, "每周二、五"),
        ("每周五、周二", "weekly", {"weekdays": (1, 4)}, "每周二、五"),
        ("每星期一和星期四", "weekly", {"weekdays": (0, 3)}, "每周一、四"),
        ("weekly:tue,fri", "weekly", {"weekdays": (1, 4)}, "每周二、五"),
        ("每两周", "nweekly", {"every": 2, "weekdays": (), "start": None}, "每两周"),
        ("每隔一周", "nweekly", {"every": 2}, "每两周"),
        ("每3周", "nweekly", {"every": 3}, "每三周"),
        ("每两周五", "nweekly", {"every": 2, "weekday": 4}, "每两周五"),
        ("每两周的周五 10:00", "nweekly", {"weekday": 4, "time": "10:00"}, "每两周五 10:00"),
        ("每两周（从2026-11-02起）", "nweekly", {"start": D(2026, 11, 2)}, "每两周（从2026-11-02起）"),
        ("每两周五，自2026-11-06开始", "nweekly", {"start": D(2026, 11, 6)}, "每两周五（从2026-11-06起）"),
        ("every 2 weeks:fri from 2026-11-06", "nweekly", {"weekday": 4}, "每两周五（从2026-11-06起）"),
        ("每月第一周", "monthweek", {"nth": 1}, "每月第一周"),
        ("每月第4周", "monthweek", {"nth": 4}, "每月第四周"),
        ("每月最后一周", "monthweek", {"nth": -1}, "每月最后一周"),
        ("每月第一个周一", "monthweekday", {"nth": 1, "weekday": 0}, "每月第一个周一"),
        ("每月最后一个星期五", "monthweekday", {"nth": -1, "weekday": 4}, "每月最后一个周五"),
        ("monthly:wed#2", "monthweekday", {"nth": 2, "weekday": 2}, "每月第二个周三"),
        ("节假日前3天", "holiday", {"holiday": F.ANY_HOLIDAY, "before": 3}, "节假日前3天"),
        ("每个节假日前一天", "holiday", {"before": 1}, "节假日前1天"),
        ("春节前3天", "holiday", {"holiday": "春节", "before": 3}, "春节前3天"),
        ("十一前", "holiday", {"holiday": "十一", "before": 1}, "十一前1天"),
        ("before-holiday:元旦:2", "holiday", {"holiday": "元旦", "before": 2}, "元旦前2天"),
        ("每两周（推断）", "nweekly", {"inferred": True}, "每两周"),
    ],
)
def test_new_frequencies_are_understood(written, kind, details, label):
    freq = parse(written)
    assert freq is not None, written
    assert freq.kind == kind
    for name, value in details.items():
        assert getattr(freq, name) == value, name
    assert freq.label == (label or written)


@pytest.mark.parametrize(
    "written",
    [
        "每月第五周",  # not every month has one: 每月最后一周
        "每月第五个周五",
        "每月第0个周一",
        "每两周（从2026-02-30起）",  # no such day
        "每1周",
        "每60周",
        "每日 09:00、09:00",
        "每日 09:00、14:00前",  # a deadline is one time
        "每周五 09:00、14:00",  # several times are for daily checks
        "每周二、二",
        "清明前3天",  # not in the calendar
        "节假日前31天",
        "每日 24:00",
    ],
)
def test_impossible_new_frequencies_are_refused(written):
    assert parse(written) is None


def test_every_n_weeks_is_anchored_to_the_policys_effective_date():
    freq = parse("每两周", effective=D(2026, 1, 1))
    assert freq.anchor == D(2026, 1, 1) and freq.to_dict()["anchor"] == "2026-01-01"
    explicit = parse("每两周（从2026-11-02起）", effective=D(2026, 1, 1))
    assert explicit.to_dict()["anchor"] == "2026-11-02"


# --- when each new kind is due -----------------------------------------------------------


def weeks(first: dt.date, last: dt.date):
    monday = first - dt.timedelta(days=first.weekday())
    while monday <= last:
        yield monday
        monday += dt.timedelta(days=7)


def days(first: dt.date, last: dt.date):
    while first <= last:
        yield first
        first += dt.timedelta(days=1)


def test_every_two_weeks_counts_from_the_week_of_the_effective_date_across_the_year_end():
    freq = parse("每两周", effective=D(2026, 1, 1))  # a Thursday: its week starts 2025-12-29
    due = [m for m in weeks(D(2025, 12, 1), D(2027, 1, 31)) if F.on_weekly(freq, m)]
    assert due[0] == D(2025, 12, 29)  # nothing before the policy took effect
    assert all((b - a).days == 14 for a, b in zip(due, due[1:], strict=False))
    assert D(2026, 12, 28) in due  # ISO week 2026-W53 …
    assert D(2027, 1, 4) not in due and D(2027, 1, 11) in due  # … and on into 2027
    assert not any(F.on_daily(freq, d) for d in days(D(2026, 1, 1), D(2026, 1, 31)))


def test_every_two_weeks_on_friday_from_an_explicit_start_is_on_those_fridays_only():
    freq = parse("每两周五（从2026-11-06起）", effective=D(2026, 1, 1))
    due = [d for d in days(D(2026, 10, 1), D(2027, 1, 31)) if F.on_daily(freq, d)]
    assert due[:5] == [D(2026, 11, 6), D(2026, 11, 20), D(2026, 12, 4), D(2026, 12, 18), D(2027, 1, 1)]
    assert not any(F.on_weekly(freq, m) for m in weeks(D(2026, 10, 1), D(2027, 1, 31)))


def test_every_two_weeks_through_a_leap_february():
    freq = parse("每两周二（从2028-02-01起）")
    due = [d for d in days(D(2028, 2, 1), D(2028, 3, 31)) if F.on_daily(freq, d)]
    assert due == [D(2028, 2, 1), D(2028, 2, 15), D(2028, 2, 29), D(2028, 3, 14), D(2028, 3, 28)]


@pytest.mark.parametrize(
    ("written", "monday", "expected"),
    [
        ("每月第一周", D(2026, 11, 2), True),  # 1 November is a Sunday: the week of the 5th is first
        ("每月第一周", D(2026, 10, 26), False),
        ("每月第一周", D(2026, 11, 30), True),  # its Thursday is 3 December: December's first week
        ("每月最后一周", D(2026, 11, 23), True),  # …so 23–29 November is November's last
        ("每月最后一周", D(2026, 11, 30), False),
        ("每月最后一周", D(2026, 12, 28), True),  # 28 Dec – 3 Jan: Thursday 31 December
        ("每月第一周", D(2027, 1, 4), True),  # and 2027 begins with the week of the 7th
        ("每月第一周", D(2026, 12, 28), False),
        ("每月第四周", D(2028, 2, 21), True),  # leap February 2028 has four Thursdays
        ("每月最后一周", D(2028, 2, 21), True),
        ("每月第一周", D(2028, 2, 28), True),  # 28 Feb – 5 Mar: Thursday 2 March
        ("每月第四周", D(2026, 10, 19), True),  # October 2026 has five weeks …
        ("每月最后一周", D(2026, 10, 26), True),  # … its last is the fifth
    ],
)
def test_the_nth_week_of_a_month_is_the_week_of_its_nth_thursday(written, monday, expected):
    assert F.on_weekly(parse(written), monday) is expected


def test_each_month_has_exactly_one_first_fourth_and_last_week():
    for written in ("每月第一周", "每月第四周", "每月最后一周"):
        freq = parse(written)
        due = [m for m in weeks(D(2026, 1, 1), D(2028, 12, 31)) if F.on_weekly(freq, m)]
        months = [F.month_of_week(m)[:2] for m in due]
        assert len(months) == len(set(months)) == 36, written


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("每月第一个周一", D(2027, 1, 4)),
        ("每月第一个周一", D(2026, 11, 2)),
        ("每月第二个周三", D(2026, 12, 9)),
        ("每月最后一个周五", D(2026, 12, 25)),
        ("每月最后一个周五", D(2028, 2, 25)),
        ("每月最后一个周二", D(2028, 2, 29)),  # leap day
        ("每月最后一个周四", D(2026, 12, 31)),  # the year's last day
    ],
)
def test_the_nth_weekday_of_a_month_is_due_on_that_day_only(written, day):
    freq = parse(written)
    month = [
        d
        for d in days(day.replace(day=1), day.replace(day=28) + dt.timedelta(days=4))
        if d.month == day.month
    ]
    assert [d for d in month if F.on_daily(freq, d)] == [day]


CALENDAR = {
    "元旦": (D(2027, 1, 1), D(2028, 1, 1)),
    "春节": (D(2027, 2, 5), D(2028, 1, 25)),
    "清明": (D(2028, 3, 1),),  # a made-up date, for the leap day before it
}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("春节前3天", [D(2027, 2, 2), D(2028, 1, 22)]),
        ("元旦前", [D(2026, 12, 31), D(2027, 12, 31)]),  # across the year boundary
        ("节假日前1天", [D(2026, 12, 31), D(2027, 2, 4), D(2027, 12, 31), D(2028, 1, 24), D(2028, 2, 29)]),
        ("节假日前7天", [D(2026, 12, 25), D(2027, 1, 29), D(2027, 12, 25), D(2028, 1, 18), D(2028, 2, 23)]),
    ],
)
def test_days_before_holidays_follow_the_calendar(written, expected):
    freq = F.parse_frequency(written, holidays=tuple(CALENDAR))
    assert [d for d in days(D(2026, 12, 1), D(2028, 12, 31)) if F.on_daily(freq, d, CALENDAR)] == expected


def test_twice_a_week_is_on_both_days_and_never_on_the_weekly_list():
    freq = parse("每周二、五")
    assert [d.weekday() for d in days(D(2026, 12, 28), D(2027, 1, 10)) if F.on_daily(freq, d)] == [1, 4, 1, 4]
    assert not F.on_weekly(freq, D(2026, 12, 28))


# --- the holiday calendar in reference.yml ---------------------------------------------------


def _with_holidays(root, block: str) -> int:
    path = root / "reference.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + block, encoding="utf-8")
    return len(text.splitlines()) + 1  # the line the block starts on


def test_holidays_are_read_in_either_spelling(handbook_copy):
    _with_holidays(
        handbook_copy,
        "节假日:\n  - 名称: 元旦\n    日期: 2027-01-01、2028-01-01\n"
        "  - 名称: 春节\n    日期:\n      - 2027-02-05\n      - 2028-01-25\n",
    )
    assert check_handbook(handbook_copy, today=TODAY) == []
    reference = load_handbook(handbook_copy, today=TODAY).reference
    assert reference.holiday_dates == {
        "元旦": (D(2027, 1, 1), D(2028, 1, 1)),
        "春节": (D(2027, 2, 5), D(2028, 1, 25)),
    }


@pytest.mark.parametrize(
    ("block", "offset", "code", "value"),
    [
        ("节假日:\n  - 名称: 春节\n    日期: 2027-02-05、2027-02-30\n", 2, "holiday-bad-date", "2027-02-30"),
        ("节假日:\n  - 名称: 春节\n    日期: 2027/02/05\n", 2, "holiday-bad-date", "2027/02/05"),
        (
            "节假日:\n  - 名称: 春节\n    日期:\n      - 2027-02-05\n      - 2027-2-5\n",
            4,
            "holiday-bad-date",
            "2027-2-5",
        ),
        ("节假日:\n  - 名称: 春节\n", 1, "holiday-no-dates", None),
    ],
)
def test_a_bad_holiday_date_is_reported_at_its_line_in_chinese(handbook_copy, block, offset, code, value):
    first = _with_holidays(handbook_copy, block)
    (problem,) = check_handbook(handbook_copy, today=TODAY)
    assert problem.path.endswith("handbook/reference.yml")
    assert (problem.line, problem.code) == (first + offset, code)
    assert "春节" in problem.message and (value is None or value in problem.message)
    assert "2027-02-06" in problem.hint or "日期:" in problem.hint


def test_a_holiday_not_in_the_calendar_is_an_unknown_frequency_naming_the_calendar(handbook_copy):
    _with_holidays(handbook_copy, "节假日:\n  - 名称: 春节\n    日期: 2027-02-05\n")
    path = handbook_copy / "20-客服/service.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("频率: weekly:mon", "频率: 清明前3天", 1), encoding="utf-8"
    )
    (problem,) = check_handbook(handbook_copy, today=TODAY)
    assert problem.code == "unknown-frequency" and "节假日：春节" in problem.hint


@pytest.mark.parametrize(
    ("written", "reason", "fix"),
    [
        ("每月第五周", "不是每个月都有第五周", "每月最后一周"),
        ("每月第五个周五", "不是每个月都有第五周", "每月最后一个周五"),
        ("每两周（从2026-02-30起）", "日期 2026-02-30 不存在", "从2026-11-02起"),
        ("每日 24:00", "时间 24:00 不存在", "23:59"),
        ("每周五 09:00、14:00", "只能写在每日后面", "每日 09:00、14:00、17:30"),
        ("清明前3天", "“清明”不是 reference.yml 里登记的节假日", "节假日 里登记 清明"),
        ("节假日前3天", "还没有登记节假日，这一项永远不会出现", "节假日 里登记节假日"),
    ],
)
def test_a_known_kind_of_mistake_says_what_is_wrong_and_the_fix(written, reason, fix):
    holidays = () if written == "节假日前3天" else HOLIDAYS  # before every holiday of an empty calendar
    assert F.parse_frequency(written, EVENTS, holidays=holidays) is None
    problem = P.unknown_frequency("x", 1, written, EVENTS, holidays)
    assert problem.message.startswith(f"频率 {written!r} 无法识别：") and reason in problem.message
    assert problem.hint.startswith(fix) or fix in problem.hint.split("；")[0]


def test_a_plain_typo_gets_the_list_of_spellings_only():
    problem = P.unknown_frequency("x", 1, "每天两次", EVENTS, HOLIDAYS)
    assert problem.message == "频率 '每天两次' 无法识别" and problem.hint.startswith("可用：")


def test_a_calendar_running_out_is_a_warning_at_the_holiday_while_checks_count_back_from_it(handbook_copy):
    first = _with_holidays(
        handbook_copy, "节假日:\n  - 名称: 元旦\n    日期: 2026-01-01\n  - 名称: 春节\n    日期: 2027-02-05\n"
    )
    assert check_handbook(handbook_copy, today=TODAY) == []  # nothing counts back from them yet
    path = handbook_copy / "20-客服/service.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("频率: weekly:mon", "频率: 节假日前3天", 1), encoding="utf-8"
    )
    (problem,) = check_handbook(handbook_copy, today=TODAY)  # 2026-11-23: 元旦 2027 is missing
    assert (problem.code, problem.severity, problem.line) == ("holiday-calendar-ends", "warning", first + 1)
    assert "元旦" in problem.message and "2026-01-01" in problem.message and "2027 年" in problem.hint
    assert [p.message for p in check_handbook(handbook_copy, today=D(2027, 2, 10))] == [
        "节假日 元旦 在今后一年里没有日期（最后一个日期是 2026-01-01），按它计算的“元旦前…天”检查不会再出现",
        "节假日 春节 在今后一年里没有日期（最后一个日期是 2027-02-05），按它计算的“春节前…天”检查不会再出现",
    ]


def test_the_real_calendar_covers_the_coming_year():
    handbook = load_handbook(PROJECT / "handbook", today=TODAY)
    assert (
        F.holidays_running_out(
            [F.Frequency("holiday", holiday=F.ANY_HOLIDAY, before=1)], handbook.reference.holiday_dates, TODAY
        )
        == []
    )


REAL_CALENDAR = {
    "元旦": (D(2027, 1, 1), D(2028, 1, 1)),
    "春节": (D(2027, 2, 5),),
    "五一": (D(2027, 5, 1),),
    "十一": (D(2027, 10, 1),),
}


@pytest.mark.parametrize(
    "spelling",
    [s for k in F.KINDS.values() if k.name != "event" for zh, _m, en in k.spellings for s in zh + en],
)
def test_every_documented_spelling_is_due_on_exactly_one_kind_of_checklist_in_a_year(spelling):
    freq = parse(spelling, effective=D(2026, 1, 1))
    year = list(days(D(2027, 1, 1), D(2027, 12, 31)))
    on_days = [d for d in year if F.on_daily(freq, d, REAL_CALENDAR)]
    on_weeks = [m for m in weeks(D(2027, 1, 4), D(2027, 12, 27)) if F.on_weekly(freq, m)]
    assert bool(on_days) != bool(on_weeks), spelling  # never lost, never on both kinds of list
    assert freq.checklist == ("daily" if on_days else "weekly")
