"""Load ``reference.yml``: the roles, departments, areas and events policies refer to."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import problems as P
from .frontmatter import yaml_problem
from .model import Department, Reference, Role
from .problems import Problem
from .sourcefile import read_source

FILENAME = "reference.yml"
ALL_STAFF = "全体员工"  # always a valid role: the policy or check applies to everyone
# Problems after which reference.yml says nothing usable: names are then not checked against it,
# or every role in every policy would be reported as unknown on top of the one real mistake.
UNUSABLE = frozenset(("reference-missing", "yaml-syntax", "not-utf8", "file-unreadable", "truncated-file"))
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
}


def load_reference(root: Path, display_root: str) -> tuple[Reference, list[Problem]]:
    """Read ``root/reference.yml``; a missing or malformed file is a problem, never a crash."""
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
        data = yaml.safe_load(source.text) or {}
    except yaml.YAMLError as exc:
        return empty, found + [yaml_problem(shown, exc, source.text, first_line=1)]
    lines = _key_lines(source.text)
    sections: dict[str, list] = {"roles": [], "departments": [], "areas": [], "events": [], "shifts": []}
    for key, value in data.items() if isinstance(data, dict) else []:
        name = _KEYS.get(str(key))
        if name is None:
            found.append(
                P.reference_invalid(
                    shown,
                    lines.get(str(key), 1),
                    f"不认识的分组 {key!r}",
                    "可用分组：角色、部门、区域、事件、班次",
                )
            )
        elif not isinstance(value, list):
            found.append(
                P.reference_invalid(
                    shown,
                    lines.get(str(key), 1),
                    f"{key} 应是一个列表",
                    f"每项一行，以 - 开头，例如 {key}:\\n  - 名称: …",
                )
            )
        else:
            sections[name] = value
    roles = [Role(ALL_STAFF, description="本手册中所有岗位")]
    for item in sections["roles"]:
        fields = _item(item)
        if fields.get("name") and fields["name"] != ALL_STAFF:
            roles.append(
                Role(str(fields["name"]), fields.get("department"), str(fields.get("description") or ""))
            )
    departments = []
    for item in sections["departments"]:
        fields = _item(item)
        count = fields.get("headcount")
        if count is not None and (not isinstance(count, int) or count < 0):
            found.append(
                P.reference_invalid(
                    shown,
                    lines.get(str(fields.get("name")), 1),
                    f"部门 {fields.get('name')} 的人数 {count!r} 不是整数",
                    "例如 人数: 12",
                )
            )
            count = None
        if fields.get("name"):
            departments.append(Department(str(fields["name"]), count, line=lines.get(str(fields["name"]), 1)))
    ref = Reference(
        roles=tuple(roles),
        departments=tuple(departments),
        areas=tuple(str(a) for a in sections["areas"]),
        events=tuple(str(e) for e in sections["events"]),
        shifts=tuple(str(s) for s in sections["shifts"]),
    )
    return ref, found


def _item(item) -> dict:
    if isinstance(item, dict):
        return {_ITEM_KEYS.get(str(k), str(k)): v for k, v in item.items()}
    return {"name": item}


def _key_lines(text: str) -> dict[str, int]:
    """Best-effort line of each top-level key and each named item, for messages.

    An item's own ``名称:`` line wins over a mention elsewhere (a role's ``部门: 仓储部``).
    """
    named: dict[str, int] = {}
    other: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        text = line.split("#", 1)[0].rstrip()
        if text and not text[0].isspace() and text.endswith(":"):
            other.setdefault(text[:-1].strip(), number)
        elif ":" in text:
            key, value = (part.strip() for part in text.split(":", 1))
            target = named if key.lstrip("- ").strip() in ("名称", "name") else other
            target.setdefault(value, number)
    return {**other, **named}
