"""Generated pages as Markdown: one page per role and an overview of all checks by frequency."""

from __future__ import annotations

import json
import posixpath
from urllib.parse import quote

from .frequencies import KINDS
from .model import CheckItem, Handbook, Policy
from .reference import ALL_STAFF
from .render import badge, escape_markdown, fmt_number

ROLES_DIR = "岗位须知"
OVERVIEW_PAGE = "检查项总览.md"
# Every kind of the frequency registry, in its reading order (the most frequent duties first);
# the key is also the section's anchor, so no kind can be missing from the overview.
KIND_TITLES = {name: kind.title for name, kind in KINDS.items()}
_LINK_UNSAFE = frozenset("%()<> \"'\\[]")
_NOTE = '!!! note "本页由手册自动生成"\n    内容来自各项制度原文，随制度更新自动变化；请勿直接编辑本页。\n'


def role_page_path(role: str) -> str:
    """Where the page for ``role`` lives in the site's source tree."""
    return f"{ROLES_DIR}/{role}.md"


def _link(from_page: str, policy: Policy, anchor: str | None = None) -> str:
    rel = _link_path(posixpath.relpath(policy.rel_path, posixpath.dirname(from_page) or "."))
    return f"{rel}#{anchor}" if anchor else rel


def _link_path(path: str) -> str:
    # A folder or file name with ")", "<" or a space must not end the link early: percent-encode
    # those (MkDocs decodes them when it resolves the link); Chinese names stay readable.
    return "".join(quote(ch) if ch in _LINK_UNSAFE or ord(ch) < 0x20 else ch for ch in path)


def _check_line(check: CheckItem, indent: str = "") -> str:
    badges = [
        badge("freq", "频率：", check.frequency.label + ("（推断）" if check.frequency.inferred else ""))
    ]
    badges.append(badge("role", "对象：", "、".join(check.roles)))
    if check.area:
        badges.append(badge("area", "区域：", check.area))
    if check.fine is not None:
        badges.append(badge("fine", "罚款：", f"{fmt_number(check.fine)} 元"))
    if check.points is not None:
        badges.append(badge("points", "分值：", fmt_number(check.points)))
    return f"{indent}- {_escape_md(check.text)} {' '.join(badges)}"


# Every text from the handbook (titles, roles, versions, check texts) is escaped: it is plain text.
_escape_md = escape_markdown


def _front_matter_title(title: str) -> str:
    # JSON is valid YAML: a role named "a: b" or "[x]" stays one string.
    # `search: exclude`: these pages repeat every clause and check, which link to their policy page
    # and are indexed there once; indexed again they were 71% of the search index and pushed the
    # answering clause below these pages in the results (mkdocs-material's SearchIndex skips the page).
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsearch:\n  exclude: true\n---\n"


def applies(roles: tuple[str, ...], role: str) -> bool:
    """True when a list of roles covers ``role`` (directly or as 全体员工)."""
    return role in roles or ALL_STAFF in roles


def role_page(handbook: Handbook, role: str) -> str:
    """Every policy, clause and check that applies to ``role``."""
    here = role_page_path(role)
    lines = [_front_matter_title(f"{role}须知"), f"# {_escape_md(role)}须知\n", _NOTE]
    sections = []
    for policy in handbook.policies:
        whole = applies(policy.applies_to, role)  # not `in` a list: that compares whole dataclasses
        items = []
        for clause in policy.clauses:
            checks = [k for k in clause.checks if applies(k.roles, role)]
            if whole or checks:
                items.append(f"- [{_escape_md(clause.title)}]({_link(here, policy, clause.id)})")
                items += [_check_line(k, "    ") for k in checks]
        if items:
            sections.append((policy, items))
    fines = [k for p in handbook.policies for k in p.checks if applies(k.roles, role) and k.fine]
    count = sum(1 for p in handbook.policies for k in p.checks if applies(k.roles, role))
    applicable = sum(1 for p in handbook.policies if applies(p.applies_to, role))
    lines.append(
        f"适用制度 **{applicable}** 项，与本岗位有关的检查项 **{count}** 项，"
        f"其中带罚款的 **{len(fines)}** 项。\n"
    )
    for policy, items in sections:
        lines.append(f"## [{_escape_md(policy.title)}]({_link(here, policy)})\n")
        lines.append(f"负责岗位：{_escape_md(policy.owner)} · 版本 {_escape_md(policy.version)}\n")
        lines.append("\n".join(items) + "\n")
    if not sections:
        lines.append("目前没有适用于本岗位的条款。\n")
    return "\n".join(lines)


def overview_page(handbook: Handbook) -> str:
    """All checks of the handbook grouped by frequency, each linking to its clause."""
    lines = [_front_matter_title("检查项总览"), "# 检查项总览\n", _NOTE]
    checks = handbook.checks
    lines.append(f"全手册共 **{len(checks)}** 个检查项。\n")
    by_policy = {p.id: p for p in handbook.policies}
    for kind in KIND_TITLES:
        group = [k for k in checks if k.frequency.kind == kind]
        if not group:
            continue
        lines.append(f"## {KIND_TITLES[kind]}（{len(group)} 项）\n")
        for check in group:
            policy = by_policy[check.policy_id]
            clause = next(c for c in policy.clauses if c.id == check.clause_id)
            lines.append(
                _check_line(check) + f" · [{_escape_md(policy.title)} · "
                f"{_escape_md(clause.title)}]({_link(OVERVIEW_PAGE, policy, check.id)})"
            )
        lines.append("")
    return "\n".join(lines)


def generated_pages(handbook: Handbook) -> dict[str, str]:
    """Source path → Markdown for every generated page."""
    pages = {OVERVIEW_PAGE: overview_page(handbook)}
    for role in handbook.reference.roles:
        if role.name != ALL_STAFF:
            pages[role_page_path(role.name)] = role_page(handbook, role.name)
    return pages
