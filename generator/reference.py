"""Load ``reference.yml``: the roles, departments, areas, events, shifts and holidays policies refer to."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from . import problems as P
from .frontmatter import compose, duplicate_keys, yaml_problem
from .model import Department, Holiday, Reference, Role
from .problems import Problem
from .sourcefile import read_source

FILENAME = "reference.yml"
ALL_STAFF = "全体员工"  # always a valid role: the policy or check applies to everyone
# Problems after which reference.yml says nothing usable: names are then not checked against it,
# or every role in every policy would be reported as unknown on top of the one real mistake.
UNUSABLE = frozenset(
    (
        "reference-missing",
        "reference-yaml",
        "reference-structure",
        "yaml-syntax",
        "not-utf8",
        "file-unreadable",
        "truncated-file",
    )
)
# Problems in policy files that only mean "not in reference.yml": hidden while it is unusable.
NAME_PROBLEMS = frozenset(("unknown-role", "unknown-area", "unknown-frequency"))
_KEYS = {
    "角色": "roles",
    "roles": "roles",
    "部门": "departments",
    "departments": "departments",
    "区域": "areas",
    "areas": "areas",
    "事件": "events",
    "events": "events",
    "班次": "shifts",
    "shifts": "shifts",
    "节假日": "holidays",
    "holidays": "holidays",
}
_ITEM_KEYS = {
    "名称": "name",
    "name": "name",
    "部门": "department",
    "department": "department",
    "说明": "description",
    "description": "description",
    "人数": "headcount",
    "headcount": "headcount",
    "日期": "dates",
    "dates": "dates",
    "区域": "areas",
    "areas": "areas",
    "负责人": "head",
    "head": "head",
}


_GROUP_LABELS = {
    "roles": "岗位",
    "departments": "部门",
    "areas": "区域",
    "events": "事件",
    "shifts": "班次",
    "holidays": "节假日",
}
_ITEM_FIELDS = {
    "roles": ("name", "department", "description"),
    "departments": ("name", "headcount", "description", "areas", "head"),
    "holidays": ("name", "dates", "description"),
}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NAMED_ONLY = ("areas", "events", "shifts")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def load_reference(root: Path, display_root: str) -> tuple[Reference, list[Problem]]:
    """Read ``root/reference.yml``; a missing or malformed file is a problem, never a crash.

    A mistake that changes the file's shape (YAML syntax, a wrong indent or a missing ``-`` that
    merges two items, an unknown group) is reported alone, at its line, and the reference comes
    back empty and marked unusable (see UNUSABLE): every name in every policy would otherwise look
    unknown. Mistakes in the data itself (a name declared twice, a role in an unknown department)
    are reported on top of a usable reference.
    """
    path = root / FILENAME
    shown = f"{display_root}/{FILENAME}"
    empty = Reference(roles=(Role(ALL_STAFF),))
    try:
        source = read_source(path, shown)
    except FileNotFoundError:
        return empty, [P.reference_missing(shown)]
    if source.text is None:
        return empty, source.problems
    found: list[Problem] = list(source.problems)
    try:
        node, data = compose(source.text)
    except yaml.YAMLError as exc:
        return empty, found + [yaml_problem(shown, exc, source.text, first_line=1, make=P.reference_yaml)]
    structure = _structure_problems(shown, node, source.text)
    if structure:
        return empty, found + structure
    sections: dict[str, list] = {name: [] for name in _GROUP_LABELS}
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else []:
        sections[_KEYS[str(key_node.value)]] = list(value_node.value)
    roles = [Role(ALL_STAFF, description="本手册中所有岗位")]
    holidays: list[Holiday] = []
    role_lines: list[tuple[Role, int, int]] = []  # role, line of its name, line of its department
    department_areas: list[tuple[str, list[tuple[str, int]]]] = []  # department, (area, line) declared
    departments = []
    department_heads: list[tuple[str, str, int]] = []  # department, head role, line
    names: dict[str, dict[str, int]] = {name: {} for name in _GROUP_LABELS}
    for group in _GROUP_LABELS:
        for item in sections[group]:
            fields = _fields(item)
            name, name_line = fields["name"]
            first = names[group].get(name)
            if first is not None:
                found.append(P.reference_duplicate(shown, name_line, _GROUP_LABELS[group], name, first))
                continue
            names[group][name] = name_line
            if group == "roles" and name != ALL_STAFF:
                department = fields.get("department", (None, name_line))
                role = Role(name, department[0], fields.get("description", ("", 0))[0], line=name_line)
                roles.append(role)
                role_lines.append((role, name_line, department[1]))
            elif group == "departments":
                count, count_line = fields.get("headcount", (None, name_line))
                if count is not None:
                    try:
                        count = int(count)
                        if count < 0:
                            raise ValueError
                    except ValueError:
                        found.append(
                            P.reference_invalid(
                                shown,
                                count_line,
                                f"部门 {name} 的人数 {count!r} 不是整数",
                                "例如 人数: 12",
                            )
                        )
                        count = None
                areas, area_lines = _department_areas(item)
                head, head_line = fields.get("head", (None, name_line))
                departments.append(Department(name, count, line=name_line, areas=areas, head=head or None))
                department_areas.append((name, area_lines))
                if head:
                    department_heads.append((name, head, head_line))
            elif group == "holidays":
                holiday, problems = _holiday(shown, item, name, name_line)
                holidays.append(holiday)
                found += problems
    if any(p.code in UNUSABLE for p in found):
        # Cut off: what follows the cut is unknown, so names missing from it are no mistake.
        return _reference(roles, departments, names, holidays), [p for p in found if p.code in UNUSABLE]
    known = [d.name for d in departments]
    for department, areas in department_areas:
        for area, area_line in areas:
            if area not in names["areas"]:
                found.append(
                    P.reference_unknown_area(shown, area_line, department, area, list(names["areas"]))
                )
    for department, head, head_line in department_heads:
        if head not in names["roles"]:
            found.append(P.reference_unknown_head(shown, head_line, department, head, list(names["roles"])))
    for role, _name_line, department_line in role_lines:
        if role.department is not None and role.department not in names["departments"]:
            found.append(
                P.reference_unknown_department(shown, department_line, role.name, role.department, known)
            )
    return _reference(roles, departments, names, holidays), found


def _reference(
    roles: list[Role], departments: list[Department], names: dict, holidays: list[Holiday]
) -> Reference:
    return Reference(
        roles=tuple(roles),
        departments=tuple(departments),
        areas=tuple(names["areas"]),
        events=tuple(names["events"]),
        shifts=tuple(names["shifts"]),
        holidays=tuple(holidays),
    )


def _department_areas(item: yaml.Node) -> tuple[tuple[str, ...] | None, list[tuple[str, int]]]:
    """The areas a department lists (``区域: [办公区, 会议室]`` or ``区域: 办公区、会议室``), with lines."""
    node = next(
        (v for k, v in getattr(item, "value", ()) if _ITEM_KEYS.get(str(k.value)) == "areas"),
        None,
    )
    if node is None:
        return None, []
    if isinstance(node, yaml.SequenceNode):
        written = [(_scalar_text(v).strip(), _line(v)) for v in node.value]
    else:
        written = [(text.strip(), _line(node)) for text in re.split(r"[,，、;；\s]+", _scalar_text(node))]
    written = [(area, line) for area, line in written if area]
    return tuple(dict.fromkeys(area for area, _ in written)), written


def _holiday(shown: str, item: yaml.Node, name: str, line: int) -> tuple[Holiday, list[Problem]]:
    """A holiday and its dates (``日期: 2027-01-01、2028-01-01`` or one ``- 2027-01-01`` per line)."""
    node = next(
        (v for k, v in getattr(item, "value", ()) if _ITEM_KEYS.get(str(k.value)) == "dates"),
        None,
    )
    if isinstance(node, yaml.SequenceNode):
        written = [(_scalar_text(v), _line(v)) for v in node.value]
    elif node is not None and _scalar_text(node):
        written = [(text.strip(), _line(node)) for text in re.split(r"[,，、;；\s]+", _scalar_text(node))]
    else:
        return Holiday(name, (), line), [P.holiday_without_dates(shown, line, name)]
    dates, found = [], []
    for text, date_line in written:
        if not text:
            continue
        try:
            if not _DATE_RE.fullmatch(text):
                raise ValueError(text)
            dates.append(dt.date.fromisoformat(text))
        except ValueError:
            found.append(P.holiday_bad_date(shown, date_line, name, text))
    return Holiday(name, tuple(sorted(set(dates))), line), found


def _scalar_text(node: yaml.ScalarNode) -> str:
    return str(node.value).strip()


def _fields(item: yaml.Node) -> dict[str, tuple[str, int]]:
    """An item's scalar fields as canonical name -> (text, line); a plain item is just its name."""
    if isinstance(item, yaml.ScalarNode):
        return {"name": (_scalar_text(item), _line(item))}
    return {
        _ITEM_KEYS[str(k.value)]: (_scalar_text(v), _line(v))
        for k, v in item.value
        if isinstance(v, yaml.ScalarNode)
    }


def _structure_problems(shown: str, node: yaml.Node | None, text: str) -> list[Problem]:
    """Mistakes after which the file cannot be read as intended; at most one per group."""
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        return [
            P.reference_structure(
                shown, _line(node), "文件应由“角色:”“部门:”等分组组成", "参考 handbook/reference.yml 的写法"
            )
        ]
    found: list[Problem] = []
    repeated = duplicate_keys(node)
    for key, line, first in repeated:
        found.append(_repeated_key(shown, key, line + 1, first + 1))
    if found:
        return found[:1]
    lines = text.splitlines()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        group = _KEYS.get(key)
        if group is None:
            found.append(
                P.reference_structure(
                    shown,
                    _line(key_node),
                    f"不认识的分组 {key!r}",
                    "可用分组：角色、部门、区域、事件、班次、节假日（分组名顶格写，后面是英文冒号）",
                )
            )
            continue
        if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", None):
            continue  # an empty group
        if not isinstance(value_node, yaml.SequenceNode):
            found.append(
                P.reference_structure(
                    shown,
                    _line(key_node),
                    f"{key} 应是一个列表",
                    f"每项一行，以“- ”开头，比 {key}: 多缩进两个空格，例如 {key}:\\n  - 名称: …",
                )
            )
            continue
        problem = next(
            (p for item in value_node.value if (p := _item_problem(shown, key, group, item, lines))), None
        )
        if problem:
            found.append(problem)
    return found


def _repeated_key(shown: str, key: str, line: int, first: int) -> Problem:
    if key in _ITEM_KEYS and _ITEM_KEYS[key] == "name":
        return P.reference_structure(
            shown,
            line,
            f"第 {first} 行和这一行的 {key} 被读成了同一项（这一项前面缺了“- ”，或缩进和上一项不一样）",
            "每一项都以“- ”开头，并和上一项的“- ”对齐，例如 - 名称: 售前客服",
        )
    return P.reference_structure(
        shown,
        line,
        f"{key} 写了两次（第一次在第 {first} 行）：两行被读成了同一项，只有后一行生效",
        "检查这一行的缩进和上一项的“- ”：每一项都以“- ”开头；同一项的属性比“- ”多缩进两个空格",
    )


def _item_problem(shown: str, key: str, group: str, item: yaml.Node, lines: list[str]) -> Problem | None:
    if isinstance(item, yaml.ScalarNode):
        if not item.style and item.end_mark.line > item.start_mark.line:
            # A plain value that runs on to the next lines: a "- " indented deeper than the first.
            joined = _scalar_text(item)
            shown_value = joined if len(joined) <= 20 else joined[:20] + "…"
            return P.reference_structure(
                shown,
                item.start_mark.line + 2,
                f"这一行和上一行被读成了同一项 {shown_value!r}：这一行的缩进和上一行的“- ”不一样",
                "同一组的每一项左边对齐：每行以同样多的空格加“- ”开头",
            )
        if not _scalar_text(item):
            return P.reference_structure(
                shown, _line(item), f"{key} 里有一项是空的", "删除这一行，或写上名称"
            )
        return None
    if group in _NAMED_ONLY:
        return P.reference_structure(
            shown,
            _line(item),
            f"{key} 的每一项只写名称",
            f"例如 {key}:\\n  - {'仓库' if group == 'areas' else '…'}",
        )
    if not isinstance(item, yaml.MappingNode):
        return P.reference_structure(shown, _line(item), f"{key} 里这一项格式不对", "例如 - 名称: 售前客服")
    allowed = _ITEM_FIELDS[group]
    for k, v in item.value:
        name = _ITEM_KEYS.get(str(k.value))
        if name not in allowed:
            labels = [
                label
                for label, canonical in _ITEM_KEYS.items()
                if canonical in allowed and not label.isascii()
            ]
            return P.reference_structure(
                shown, _line(k), f"{key} 的一项里有不认识的属性 {k.value!r}", "可用：" + "、".join(labels)
            )
        if name in ("dates", "areas") and isinstance(v, yaml.SequenceNode):
            if all(isinstance(d, yaml.ScalarNode) for d in v.value):
                continue  # one date (area) per line, or [a, b]
        if not isinstance(v, yaml.ScalarNode):
            return P.reference_structure(
                shown,
                _line(v),
                f"{k.value} 应是一个值，不是列表",
                f"例如 {k.value}: …（这一行的缩进可能多了）",
            )
        if not v.style and v.end_mark.line > v.start_mark.line:
            return P.reference_structure(
                shown,
                v.start_mark.line + 2,
                f"{k.value} 的值跨了两行：下一行的缩进不对，被当成了 {k.value} 的一部分",
                "每个属性单独一行，同一项的属性左边对齐；新的一项以“- ”开头",
            )
    names = [str(k.value) for k, _ in item.value if _ITEM_KEYS.get(str(k.value)) == "name"]
    if not names or not _scalar_text(next(v for k, v in item.value if str(k.value) in names)):
        return P.reference_structure(
            shown, _line(item), f"{key} 里这一项没有名称", "每一项第一行写 - 名称: …，例如 - 名称: 售前客服"
        )
    return None
