"""The ``scoring`` (score sheet) and ``penalties`` (ledger rules) front-matter fields.

Both are nested YAML mappings; every mistake is reported at the line of the
offending key inside them, with the fix.
"""

from __future__ import annotations

import yaml

from . import problems as P
from .frontmatter import FrontMatter
from .model import Location, PenaltyRules, Scoring, SizeBand
from .problems import Problem

SCORING_KEYS = ("full_marks", "per", "size_bands", "weekly", "best_reward", "worst_fine")
PENALTY_KEYS = ("approval_above", "repeat_limit", "criticism_limit")
BAND_KEYS = ("min", "max", "points", "label")
PER_VALUES = ("department",)
WEEKLY_VALUES = ("average",)
BAND_HINT = "人数档要从 0 人起、首尾相接，最后一档不写 max，例如 - {min: 10, points: 1, label: 十人以上部门}"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 2  # 0-based inside the block, after the opening ---


def _children(node: yaml.Node) -> dict[str, int]:
    """The line of each key of a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): _line(key) for key, _ in node.value}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _section(path: str, front: FrontMatter, key: str, allowed: tuple[str, ...], problem, example: str):
    """The mapping under ``key`` as (data, line of each inner key, line of ``key``, problems).

    ``data`` is None when the value is not a mapping; unknown inner keys are reported at their line.
    """
    top = front.key_lines.get(key, front.start_line)
    data = front.data[key]
    if not isinstance(data, dict):
        return (
            None,
            {},
            top,
            [problem(path, top, "应是一组“键: 值”", f"{key} 下面每行缩进写一个键，例如 {example}")],
        )
    lines = _children(front.nodes.get(key))
    unknown = [k for k in data if k not in allowed]
    found = [
        problem(path, lines.get(str(k), top), f"不认识的键 {k}", "可用：" + "、".join(allowed))
        for k in unknown
    ]
    return data, lines, top, found


def full_marks_line(front: FrontMatter) -> int | None:
    """The line of ``full_marks`` inside ``scoring``, for messages about the total."""
    if "scoring" not in front.data:
        return None
    return _children(front.nodes.get("scoring")).get("full_marks", front.key_lines.get("scoring"))


def parse_scoring(path: str, front: FrontMatter) -> tuple[Scoring | None, list[Problem]]:
    """The policy's score sheet, or None when it declares none."""
    if "scoring" not in front.data:
        return None, []
    data, lines, top, found = _section(path, front, "scoring", SCORING_KEYS, P.bad_scoring, "full_marks: 100")
    if data is None:
        return None, found
    full = data.get("full_marks")
    if not _is_number(full) or full <= 0:
        found.append(
            P.bad_scoring(
                path,
                lines.get("full_marks", top),
                f"满分 full_marks {full!r} 应是正数",
                "例如 full_marks: 100",
            )
        )
    per = data.get("per")
    if per is not None and per not in PER_VALUES:
        found.append(
            P.bad_scoring(
                path, lines.get("per", top), f"per {per!r} 无法识别", "按部门评分和排名写 per: department"
            )
        )
    weekly = data.get("weekly", "average")
    if weekly not in WEEKLY_VALUES:
        found.append(
            P.bad_scoring(
                path,
                lines.get("weekly", top),
                f"weekly {weekly!r} 无法识别",
                "周排名按每日得分平均写 weekly: average",
            )
        )
    amounts = {}
    for key in ("best_reward", "worst_fine"):
        value = data.get(key)
        if value is not None and (not _is_number(value) or value < 0):
            found.append(
                P.bad_scoring(
                    path, lines.get(key, top), f"{key} {value!r} 应是金额（元）", f"例如 {key}: 100"
                )
            )
            value = None
        amounts[key] = float(value) if value is not None else None
    bands_node = _value_node(front.nodes.get("scoring"), "size_bands")
    bands, band_problems = _bands(path, data.get("size_bands"), bands_node, lines.get("size_bands", top))
    found += band_problems
    if bands and per != "department":
        found.append(
            P.bad_scoring(
                path,
                lines.get("size_bands", top),
                "按人数档扣分要按部门评分",
                "在 scoring 下加 per: department",
            )
        )
    if found:
        return None, found
    return (
        Scoring(
            full_marks=float(full),
            per=per,
            size_bands=bands,
            weekly=weekly,
            best_reward=amounts["best_reward"],
            worst_fine=amounts["worst_fine"],
            source=Location(path, top),
        ),
        [],
    )


def _value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node
    return None


def _bands(path: str, data, node, line: int) -> tuple[tuple[SizeBand, ...], list[Problem]]:
    if data is None:
        return (), []
    if not isinstance(data, list) or not data:
        return (), [P.bad_scoring(path, line, "size_bands 应是人数档列表", BAND_HINT)]
    item_nodes = node.value if isinstance(node, yaml.SequenceNode) else [None] * len(data)
    found: list[Problem] = []
    bands: list[tuple[SizeBand, int]] = []
    for item, item_node in zip(data, item_nodes, strict=False):
        at = _line(item_node) if item_node is not None else line
        if not isinstance(item, dict):
            found.append(P.bad_scoring(path, at, f"人数档 {item!r} 应是“键: 值”", BAND_HINT))
            continue
        unknown = [k for k in item if k not in BAND_KEYS]
        low, high, points = item.get("min", 0), item.get("max"), item.get("points")
        if unknown:
            found.append(
                P.bad_scoring(path, at, f"人数档不认识的键 {unknown[0]}", "可用：" + "、".join(BAND_KEYS))
            )
        elif not isinstance(low, int) or isinstance(low, bool) or low < 0:
            found.append(P.bad_scoring(path, at, f"人数档 min {low!r} 应是不小于 0 的整数", BAND_HINT))
        elif high is not None and (not isinstance(high, int) or isinstance(high, bool) or high < low):
            found.append(P.bad_scoring(path, at, f"人数档 max {high!r} 应是不小于 min 的整数", BAND_HINT))
        elif not _is_number(points) or points <= 0:
            found.append(
                P.bad_scoring(path, at, f"人数档 points {points!r} 应是正数（每人每处扣几分）", BAND_HINT)
            )
        else:
            label = item.get("label") or (f"{low}人以上" if high is None else f"{low}–{high}人")
            bands.append((SizeBand(low, high, float(points), str(label)), at))
    if found:
        return (), found
    bands.sort(key=lambda pair: pair[0].min)
    expected: int | None = 0  # the smallest head count not yet covered; None once unbounded
    for band, at in bands:
        if expected is None or band.min < expected:
            return (), [P.bad_scoring(path, at, f"人数档重叠：{band.min}人同时属于两档", BAND_HINT)]
        if band.min > expected:
            return (), [
                P.bad_scoring(path, at, f"人数档有缺口：{expected}–{band.min - 1}人不属于任何一档", BAND_HINT)
            ]
        expected = None if band.max is None else band.max + 1
    if expected is not None:
        return (), [
            P.bad_scoring(path, bands[-1][1], f"人数档有缺口：{expected}人以上不属于任何一档", BAND_HINT)
        ]
    return tuple(band for band, _ in bands), []


def parse_penalties(path: str, front: FrontMatter) -> tuple[PenaltyRules | None, list[Problem]]:
    """The handbook's ledger rules, or None when this policy declares none."""
    if "penalties" not in front.data:
        return None, []
    data, lines, top, found = _section(
        path, front, "penalties", PENALTY_KEYS, P.bad_penalties, "approval_above: 300"
    )
    if data is None:
        return None, found
    limit, repeat = data.get("approval_above"), data.get("repeat_limit")
    if limit is not None and (not _is_number(limit) or limit < 0):
        found.append(
            P.bad_penalties(
                path,
                lines.get("approval_above", top),
                f"approval_above {limit!r} 应是金额（元）",
                "例如 approval_above: 300",
            )
        )
    criticism = data.get("criticism_limit")
    for key, value in (("repeat_limit", repeat), ("criticism_limit", criticism)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            found.append(
                P.bad_penalties(
                    path, lines.get(key, top), f"{key} {value!r} 应是正整数（次）", f"例如 {key}: 3"
                )
            )
    if found:
        return None, found
    return (
        PenaltyRules(
            approval_above=float(limit) if limit is not None else None,
            repeat_limit=repeat,
            source=Location(path, top),
            criticism_limit=criticism,
        ),
        [],
    )
