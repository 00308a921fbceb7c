"""The check-item attribute vocabulary: keys (Chinese and English) and value parsers.

Values read naturally in Chinese (罚款50元, 扣2分) and have ASCII equivalents (50) for
people who prefer them; frequencies (每日, 每周五, 每月10日前) are parsed by the registry
in generator/frequencies.py.
"""

from __future__ import annotations

import re

# Frequencies are their own registry (generator/frequencies.py); these names stay importable from here.
from .frequencies import INFERRED_RE as INFERRED_RE
from .frequencies import parse_frequency as parse_frequency
from .model import Deduction

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


def split_values(value: str) -> tuple[str, ...]:
    """Split a multi-valued attribute on Chinese or ASCII commas and 顿号."""
    return tuple(v.strip() for v in re.split(r"[,，、;；]", value) if v.strip())


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
