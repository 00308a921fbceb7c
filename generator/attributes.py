"""The check-item attribute vocabulary: keys (Chinese and English) and value parsers.

Values read naturally in Chinese (罚款50元, 扣2分) and have ASCII equivalents (50) for
people who prefer them; frequencies (每日, 每周五, 每月10日前) are parsed by the registry
in generator/frequencies.py.
"""

from __future__ import annotations

import functools
import re

# Frequencies are their own registry (generator/frequencies.py); these names stay importable from here.
from .frequencies import INFERRED_RE as INFERRED_RE
from .frequencies import parse_frequency as parse_frequency
from .model import Deduction, FineRule, FineTier, Reading

# canonical key -> accepted spellings
ATTRIBUTE_KEYS: dict[str, tuple[str, ...]] = {
    "frequency": ("频率", "frequency"),
    "roles": ("对象", "被检查", "roles"),
    "checkers": ("检查人", "checker", "checkers"),
    "area": ("区域", "area"),
    "points": ("分值", "points"),
    "deduction": ("扣分", "deduction"),
    "fine": ("罚款", "fine"),
    "sanctions": ("处分", "处罚", "sanction", "sanctions"),
    "reading": ("读数", "reading"),
    "rectify": ("整改期限", "rectify"),
    "photo": ("照片", "拍照", "photo"),
}
ALIASES = {alias: key for key, names in ATTRIBUTE_KEYS.items() for alias in names}
KEY_LABELS = {key: names[0] for key, names in ATTRIBUTE_KEYS.items()}
ATTRIBUTE_RE = re.compile(r"^\s*([^\s:：]{1,12})\s*[:：]\s*(.*?)\s*$")


def split_values(value: str) -> tuple[str, ...]:
    """Split a multi-valued attribute on Chinese or ASCII commas and 顿号."""
    return tuple(v.strip() for v in re.split(r"[,，、;；]", value) if v.strip())


_NUMBER = r"(\d+(?:\.\d+)?)"
# The fine is per occurrence: the inspector enters how many (次、处、项、人) and the app multiplies.
_PER = r"(?:[/／每]\s*(?:人次|次|处|项|人|个))"
_FINE_RE = re.compile(rf"^(?:罚款)?\s*{_NUMBER}\s*(?:元|块)?\s*{_PER}?$")


def parse_fine(value: str) -> float | None:
    """Parse 50 / 50元 / 罚款50元 / 50元/次 / 5元/处 / 2元每项 into yuan (the first tier of a tiered fine)."""
    m = _FINE_RE.match(value.strip())
    if m:
        return float(m.group(1))
    try:
        return parse_fine_rule(value).tiers[0].amount
    except FineRuleError:
        return None


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


# Non-money sanctions: canonical name -> spellings. 扣当月工资N% is a pattern (see parse_sanction).
SANCTIONS: dict[str, tuple[str, ...]] = {
    "通报批评": ("通报批评", "批评", "通报"),
    "警告": ("警告",),
    "记过": ("记过",),
    "降职": ("降职",),
    "调岗": ("调岗", "调离岗位", "调离"),
    "开除": ("开除", "辞退", "解雇"),
}
_SANCTION_ALIASES = {alias: name for name, names in SANCTIONS.items() for alias in names}
_PAY_RE = re.compile(r"^扣(?:除)?(?:当月|本月)?(?:工资|薪资)\s*(\d{1,3})\s*[%％]$")
_ALL_PAY = ("工资全部扣除", "扣当月全部工资", "扣除全部工资", "扣全部工资", "当月工资全部扣除")
SANCTION_WORDS = tuple(SANCTIONS) + ("扣当月工资10%",)


def parse_sanction(value: str) -> str | None:
    """One sanction in its canonical form (通报批评, 警告, 扣当月工资10%, 调岗 …); None if unknown."""
    text = re.sub(r"\s+", "", value.strip()).removesuffix("一次")
    if text in _SANCTION_ALIASES:
        return _SANCTION_ALIASES[text]
    if text in _ALL_PAY:
        return "扣当月工资100%"
    m = _PAY_RE.match(text)
    if m and 1 <= int(m.group(1)) <= 100:
        return f"扣当月工资{int(m.group(1))}%"
    return None


def parse_sanctions(value: str) -> tuple[tuple[str, ...], list[str]]:
    """The sanctions of a 处分 value (split on commas, 顿号 and 并/和), and the parts not understood."""
    parts = [p for p in re.split(r"[,，、;；]|并且|并|和|及", value) if p.strip()]
    known, unknown = [], []
    for part in parts:
        name = parse_sanction(part)
        (known if name else unknown).append(name or part.strip())
    return tuple(dict.fromkeys(known)), unknown


_ZH_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_PERIODS = {
    "同月": "month", "当月": "month", "本月": "month", "每月": "month", "同一自然月": "month",
    "一个自然月内": "month", "自然月内": "month", "同年": "year", "当年": "year", "本年": "year",
    "全年": "year", "每年": "year",
}  # fmt: skip
_POLICY_SCOPE = ("本制度", "同一制度")
_PERIOD_ALT = "|".join(sorted(map(re.escape, _PERIODS), key=len, reverse=True))
_UNIT_RE = r"(?:[/／每]\s*(人次|次|处|项|人|个))"
_BASE_RE = re.compile(
    rf"^(?:{_PERIOD_ALT})?(?:内|里)?\s*(?:罚款)?\s*(?:第一次|一次|首次|每次)?\s*(?:罚款)?\s*"
    rf"{_NUMBER}\s*(?:元|块)?\s*{_UNIT_RE}?$"
)
_TIER_RE = re.compile(
    rf"^(?P<scope>本制度|同一制度)?(?P<period>{_PERIOD_ALT})?(?:内|里)?\s*第?\s*(?P<n>\d{{1,2}}|[一二两三四五六七八九十])\s*次"
    r"\s*(?P<on>起|及以上|以上|之后|以后|后)?\s*(?:罚款)?\s*(?P<what>.+)$"
)
# One amount, or a range the manager decides within (视情节 100—300元; the seed texts write 100--300).
_AMOUNT_RE = re.compile(
    rf"^{_NUMBER}\s*(?:元|块)?(?:\s*(?:—|–|-{{1,2}}|~|～|至|到)\s*{_NUMBER}\s*(?:元|块)?)?\s*{_UNIT_RE}?$"
)
FINE_UNITS = {"次": "次数", "人次": "人次", "处": "处数", "项": "项数", "人": "人数", "个": "个数"}


class FineRuleError(ValueError):
    """A 罚款 value that is not one amount and not a valid set of tiers; ``reason`` says which part."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=4096)  # a handbook repeats the same few fines thousands of times
def parse_fine_rule(value: str) -> FineRule:
    """The fine as stated: ``50元/次`` or tiers ``50元；同月第二次100元；第三次起200元``; else FineRuleError.

    A tier may double the one before (第二次翻倍) or be a sanction (第三次起扣当月全部工资).
    Tiers count within a period (同月, 同年) that must be stated once; 本制度 counts the
    person's violations of every check of the policy instead of this check only.
    """
    parts = [p.strip() for p in re.split(r"[；;，,]", value.strip()) if p.strip()]
    if not parts:
        raise FineRuleError("没有写金额")
    m = _BASE_RE.match(parts[0])
    if not m:
        raise FineRuleError(f"第一档 {parts[0]!r} 应是一个金额")
    unit = _canonical_unit(m.group(2))
    tiers = [FineTier(1, float(m.group(1)))]
    head = re.match(_PERIOD_ALT, parts[0])
    period, per_policy = (_PERIODS[head.group(0)] if head else None), False
    for part in parts[1:]:
        t = _TIER_RE.match(part)
        if not t:
            raise FineRuleError(f"{part!r} 不是“第N次…”的一档")
        n = int(t.group("n")) if t.group("n").isdigit() else _ZH_NUM[t.group("n")]
        if n <= tiers[-1].nth:
            raise FineRuleError(f"{part!r}：各档的次数要从小到大，第{n}次不能排在第{tiers[-1].nth}次后面")
        if t.group("period"):
            found = _PERIODS[t.group("period")]
            if period and found != period:
                raise FineRuleError("各档的计次周期不一致（同月还是同年）")
            period = found
        per_policy = per_policy or bool(t.group("scope"))
        what = t.group("what").strip()
        amount: float | None
        sanctions: tuple[str, ...] = ()
        up_to = None
        if what in ("翻倍", "加倍"):
            previous = tiers[-1].amount
            if previous is None:
                raise FineRuleError(f"{part!r}：前一档不是金额，无法翻倍")
            amount = previous * 2
        elif a := _AMOUNT_RE.match(what.removeprefix("视情节").removeprefix("严重").strip()):
            amount = float(a.group(1))
            up_to = float(a.group(2)) if a.group(2) else None
            if up_to is not None and up_to <= amount:
                raise FineRuleError(f"{part!r}：金额范围要从小到大，例如 100–300元")
            if a.group(3) and _canonical_unit(a.group(3)) != unit:
                raise FineRuleError(f"{part!r}：各档要按同一单位计（{unit}）")
        elif sanction := parse_sanction(what):
            amount, sanctions = None, (sanction,)
        else:
            raise FineRuleError(f"{part!r}：应是金额（如 100元、100–300元）、翻倍或处分（如 扣当月全部工资）")
        tiers.append(FineTier(n, amount, sanctions, up_to))
    if len(tiers) > 1 and period is None:
        raise FineRuleError("分档罚款要写明在多长时间内计次")
    return FineRule(tuple(tiers), unit, period, per_policy, value.strip())


def _canonical_unit(unit: str | None) -> str:
    return unit or "次"


_NUM_TOKEN = r"-?\d+(?:\.\d+)?"
_LIMIT_WORDS = {
    "≤": "le", "<=": "le", "不超过": "le", "不高于": "le", "不大于": "le", "最高": "le",
    "<": "lt", "低于": "lt", "小于": "lt",
    "≥": "ge", ">=": "ge", "不低于": "ge", "不少于": "ge", "不小于": "ge", "至少": "ge", "最低": "ge",
    ">": "gt", "高于": "gt", "大于": "gt",
}  # fmt: skip
_OP_ALT = "|".join(sorted(map(re.escape, _LIMIT_WORDS), key=len, reverse=True))
_LIMIT_RE = re.compile(rf"^(?P<op>{_OP_ALT})\s*(?P<x>{_NUM_TOKEN})$")
_RANGE_RE = re.compile(rf"^(?P<lo>{_NUM_TOKEN})\s*(?:–|—|~|～|至|到|-)\s*(?P<hi>{_NUM_TOKEN})$")
_READING_RE = re.compile(
    rf"^(?P<name>[^\s\d<>=≤≥~～–—-]+?)\s*(?P<unit>(?<=\s)[^\s\d<>=≤≥]+|[^\s\d<>=≤≥\u4e00-\u9fff]+)?\s*"
    rf"(?P<limit>(?:{_OP_ALT})\s*{_NUM_TOKEN}|{_NUM_TOKEN}\s*(?:–|—|~|～|至|到|-)\s*{_NUM_TOKEN})$"
)


RECTIFY_MAX_DAYS = 90
_RECTIFY_WORDS = {"当天": 0, "当日": 0, "立即": 0, "立即整改": 0, "次日": 1, "第二天": 1}
_RECTIFY_RE = re.compile(r"^(\d{1,3})\s*(?:天|日|d)?(?:内)?$")


def parse_rectify(value: str) -> int | None:
    """Days after the failure to fix it in (当天 0, 次日 1, 3天 3); None if unreadable."""
    text = value.strip()
    if text in _RECTIFY_WORDS:
        return _RECTIFY_WORDS[text]
    m = _RECTIFY_RE.match(text)
    if m and int(m.group(1)) <= RECTIFY_MAX_DAYS:
        return int(m.group(1))
    return None


# 照片: when the inspector must attach a photo: on every answer but 不适用, or on a failure only.
PHOTO_ALWAYS, PHOTO_ON_FAIL = "always", "fail"
PHOTO_LABELS = {PHOTO_ALWAYS: "必须拍照", PHOTO_ON_FAIL: "不合格时拍照"}
PHOTO_WORDS = {PHOTO_ALWAYS: "必须", PHOTO_ON_FAIL: "不合格时"}
_ALWAYS_WORDS = ("必须", "必须拍照", "每次", "每次拍照", "每次都拍", "必拍", "都要拍照", "always")
_ON_FAIL_WORDS = (
    "不合格时",
    "不合格时拍照",
    "不合格必须拍照",
    "不合格时必须拍照",
    "不合格",
    "不合格必拍",
    "fail",
)
_PHOTO_VALUES = {
    **dict.fromkeys(_ALWAYS_WORDS, PHOTO_ALWAYS),
    **dict.fromkeys(_ON_FAIL_WORDS + ("on-fail",), PHOTO_ON_FAIL),
}


def parse_photo(value: str) -> str | None:
    """``always`` (照片: 必须) or ``fail`` (照片: 不合格时); None if unreadable."""
    return _PHOTO_VALUES.get(re.sub(r"\s+", "", value).lower())


@functools.lru_cache(maxsize=1024)
def parse_reading(value: str) -> Reading | None:
    """A measured value with its limit: ``温度 ℃ ≤ 5``, ``湿度 % 40–70``, ``压力 MPa 1–1.4``; else None."""
    m = _READING_RE.match(value.strip())
    if not m:
        return None
    name, unit = m.group("name").strip(), (m.group("unit") or "").strip()
    limit = m.group("limit")
    if r := _RANGE_RE.match(limit):
        low, high = float(r.group("lo")), float(r.group("hi"))
        return Reading(name, unit, low, high) if low < high else None
    op = _LIMIT_RE.match(limit)
    x = float(op.group("x"))
    kind = _LIMIT_WORDS[op.group("op")]
    if kind in ("le", "lt"):
        return Reading(name, unit, None, x, high_strict=kind == "lt")
    return Reading(name, unit, x, None, low_strict=kind == "gt")
