"""Rules for what may enter the app: types, sizes, encodings, dates and ids, checked at the edge.

Every function either returns a clean value or raises :class:`BadInput` with a
Chinese message; nothing here cuts an over-long value short or lets a lone
surrogate or a control character through to storage.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Dates outside these bounds are refused: nothing the team does is dated before
# 2000 or after 2099, and staying far from date.min/date.max keeps every
# "a week before" and "a month after" in range.
MIN_DAY = dt.date(2000, 1, 1)
MAX_DAY = dt.date(2099, 12, 31)
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WEEK_RE = re.compile(r"\d{4}-W\d{2}", re.ASCII)
_MONTH_RE = re.compile(r"\d{4}-\d{2}", re.ASCII)
# Zero-width characters that make two equal-looking names differ (and pass as "a name").
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_KEEP_CONTROLS = {"\n", "\t"}


class BadInput(ValueError):
    """A value sent to the app is not acceptable; ``message`` says why, in Chinese."""

    def __init__(self, message: str, status: int = 400):
        self.message = message
        self.status = status
        super().__init__(message)


def text(
    value,
    field: str,
    max_length: int,
    *,
    multiline: bool = False,
    required: bool = False,
    form: str = "NFC",
) -> str:
    """A clean string: Unicode-normalised (``form``), zero-width characters removed, stripped.

    Free text keeps NFC, so Chinese full-width punctuation stays as typed; names
    use NFKC (see :func:`name`), so full-width and half-width spellings are one.

    Refuses non-strings, lone surrogates, control characters (newlines only when
    ``multiline``) and anything longer than ``max_length`` after cleaning.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(f"{field}应是文字。")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise BadInput(f"{field}含有无法识别的字符（不完整的表情或乱码），请删除后重新输入。")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize(form, value).translate(_INVISIBLE).strip()
    allowed = _KEEP_CONTROLS if multiline else set()
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            raise BadInput(f"{field}含有不可见的控制字符 U+{ord(ch):04X}，请删除后重新输入。")
    if len(value) > max_length:
        raise BadInput(f"{field}最多 {max_length} 个字（现在 {len(value)} 个），请删减后再提交。", status=422)
    if required and not value:
        raise BadInput(f"请填写{field}。", status=422)
    return value


def name(value, field: str = "姓名", max_length: int = 50, required: bool = False) -> str:
    """A person's name: like :func:`text` but NFKC, single line, inner runs of spaces collapsed."""
    return re.sub(r"\s+", " ", text(value, field, max_length, required=required, form="NFKC"))


def day(value, field: str = "日期") -> dt.date:
    """A calendar day written ``YYYY-MM-DD`` between MIN_DAY and MAX_DAY."""
    if not isinstance(value, str) or not _DAY_RE.fullmatch(value):
        raise BadInput(f"{field}格式不对：请写成 2026-11-23 这样的日期。")
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{field} {value} 不存在：请检查月份和日子。") from None
    if not MIN_DAY <= parsed <= MAX_DAY:
        raise BadInput(f"{field}应在 {MIN_DAY.year} 年到 {MAX_DAY.year} 年之间。")
    return parsed


def optional_day(value, default: dt.date, field: str = "日期") -> dt.date:
    """:func:`day`, or ``default`` when the value is absent or blank."""
    if value is None or value == "":
        return default
    return day(value, field)


def week(value, field: str = "周") -> str:
    """An ISO week written ``2026-W48`` whose Monday lies between MIN_DAY and MAX_DAY."""
    if not isinstance(value, str) or not _WEEK_RE.fullmatch(value):
        raise BadInput(f"{field}格式不对：请写成 2026-W48 这样的 ISO 周。")
    try:
        monday = dt.datetime.strptime(value + "-1", "%G-W%V-%u").date()
    except ValueError:
        raise BadInput(f"{field} {value} 不存在。") from None
    if monday.isocalendar()[:2] != (int(value[:4]), int(value[6:])):
        raise BadInput(f"{field} {value} 不存在。")
    if not MIN_DAY <= monday <= MAX_DAY:
        raise BadInput(f"{field}应在 {MIN_DAY.year} 年到 {MAX_DAY.year} 年之间。")
    return value


def month(value, field: str = "月份") -> str:
    """A month written ``2026-11`` between MIN_DAY and MAX_DAY."""
    if not isinstance(value, str) or not _MONTH_RE.fullmatch(value):
        raise BadInput(f"{field}格式不对：请写成 2026-11 这样的月份。")
    year, number = int(value[:4]), int(value[5:])
    if not 1 <= number <= 12:
        raise BadInput(f"{field} {value} 不存在。")
    if not MIN_DAY.year <= year <= MAX_DAY.year:
        raise BadInput(f"{field}应在 {MIN_DAY.year} 年到 {MAX_DAY.year} 年之间。")
    return value


def page(value, field: str = "页码") -> int:
    """A page number: 1 when absent or blank, else a whole number from 1 to 100000."""
    if value is None or value == "":
        return 1
    digits = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 6
    if not digits or not 1 <= int(value) <= 100_000:
        raise BadInput(f"{field}应是 1 到 100000 之间的整数。")
    return int(value)


def date_range(start: dt.date, end: dt.date, max_days: int) -> tuple[dt.date, dt.date]:
    """[start, end] if it is in order and at most ``max_days`` long."""
    if start > end:
        raise BadInput("开始日期晚于结束日期，请调换后再查。")
    if (end - start).days + 1 > max_days:
        raise BadInput(f"一次最多查 {max_days} 天，请缩短日期范围。")
    return start, end


def token(value, pattern: re.Pattern, field: str) -> str:
    """An ASCII identifier matching ``pattern`` in full (no trailing newline slips through ``$``)."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise BadInput(f"{field}无效。")
    return value


_DECIMAL_RE = re.compile(r"[+-]?(?:\d{1,9}(?:\.\d{0,6})?|\.\d{1,6})", re.ASCII)


def decimal(value, field: str) -> float | None:
    """A measured number as typed (``4.5``, ``-18``, full-width ``４．５``); None when blank.

    NFKC makes full-width digits and the full-width point ASCII; a decimal comma
    (``4,5``) is read as a point. Anything else, NaN and infinities included, is refused (422).
    """
    raw = text(value, field, 20, form="NFKC").replace(",", ".").replace("。", ".").replace("−", "-")
    if not raw:
        return None
    if not _DECIMAL_RE.fullmatch(raw):
        raise BadInput(f"{field} “{raw}” 不是一个数：请只填数字，例如 4.5 或 -18。", status=422)
    return float(raw)
