"""Whom a check applies to: the roles it names, and 全体员工 limited by the areas a department has.

A department in reference.yml may list the places it works in (``区域: [办公区, 会议室]``).
A check for 全体员工 that names an area then reaches that department and its roles only when
the department has that area; a check without an area reaches everyone. A department that
lists no areas has every area, as before areas could be declared: so a new kind of staff (a
店员, a canteen cook) inherits every all-staff check until its department says where it works,
and ``make check`` warns about such a new role (see ``inheritance_warnings``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from . import problems as P
from .model import CheckItem, Department, Reference
from .problems import Problem
from .reference import ALL_STAFF

# A role new since the last release that inherits more all-staff checks than this is reported.
INHERIT_THRESHOLD = 30
PUBLISHED_EXPORTS = ("site/handbook.json", "handbook.json")  # relative to the handbook's parent


def inherits(check: CheckItem, department: Department | None) -> bool:
    """Whether a 全体员工 check reaches the staff of ``department`` (None: a role of no department)."""
    if ALL_STAFF not in check.roles:
        return False
    areas = department.areas if department is not None else None
    return areas is None or check.area is None or check.area in areas


def covers(check: CheckItem, role: str, department: Department | None) -> bool:
    """Whether ``check`` applies to ``role`` of ``department``: named, or inherited as 全体员工."""
    return role in check.roles or inherits(check, department)


def _published_roles(root: Path) -> set[str] | None:
    """The role names of the last published export, or None when nothing was published yet."""
    for rel in PUBLISHED_EXPORTS:
        path = root.parent / rel
        try:
            stat = path.stat()
        except OSError:
            continue
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in _PUBLISHED_CACHE:
            _PUBLISHED_CACHE.clear()
            _PUBLISHED_CACHE[key] = _read_roles(path)
        if _PUBLISHED_CACHE[key] is not None:
            return _PUBLISHED_CACHE[key]
    return None


_PUBLISHED_CACHE: dict[tuple, set[str] | None] = {}  # the app re-validates on every edit: read once


def _read_roles(path: Path) -> set[str] | None:
    # Only the top-level "reference" object is decoded: at 500 policies the export is megabytes of
    # policies. Inside JSON strings a quote is always escaped, so an unescaped "reference": is a key.
    try:
        text = path.read_text(encoding="utf-8")
        at = text.rindex('"reference":') + len('"reference":')
        reference, _ = json.JSONDecoder().raw_decode(text, at + len(text[at:]) - len(text[at:].lstrip()))
        return {r["name"] for r in reference["roles"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def inheritance_warnings(
    checks: list[CheckItem], reference: Reference, root: Path, reference_path: str
) -> list[Problem]:
    """A warning per role added since the last release that inherits over INHERIT_THRESHOLD all-staff checks.

    Only roles whose department lists no areas (or that have no department) are reported: once a
    department says where it works, the owner has decided its scope.
    """
    departments = {d.name: d for d in reference.departments}
    all_staff = [k for k in checks if ALL_STAFF in k.roles]
    named = Counter(r for k in all_staff for r in set(k.roles))  # an all-staff check naming the role too
    heavy = []
    for role in reference.roles:
        if role.name == ALL_STAFF:
            continue
        department = departments.get(role.department) if role.department else None
        if department is not None and department.areas is not None:
            continue
        # No areas declared: every all-staff check reaches the role (counted without a pass per role).
        if len(all_staff) - named[role.name] > INHERIT_THRESHOLD:
            heavy.append(role)
    if not heavy:
        return []
    published = _published_roles(root)  # read only when some role could be reported
    if published is None:
        return []
    found = []
    for role in heavy:
        if role.name in published:
            continue
        mine = [k for k in all_staff if role.name not in k.roles]
        areas = Counter(k.area or "不限区域" for k in mine).most_common(3)
        found.append(
            P.role_inherits_many(
                reference_path, role.line, role.name, role.department, len(mine), INHERIT_THRESHOLD, areas
            )
        )
    return found
