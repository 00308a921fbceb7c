"""Generated pages as Markdown: one page per role and an overview of all checks by frequency.

Both are short indexes into the policy pages: they link to clauses and checks (which are shown,
and indexed for search, once, on their policy page) instead of repeating them. Every heading has
an explicit, stable anchor (a frequency kind, a policy id), so a shared link survives edits: the
counts are in the text under a heading, never in its anchor. The Markdown is plain (no raw HTML),
which Python-Markdown renders several times faster than inline HTML at 500 policies.
"""

from __future__ import annotations

import json
import posixpath
from urllib.parse import quote

from .frequencies import KINDS
from .model import CheckItem, Clause, Department, Handbook, Policy
from .reference import ALL_STAFF
from .render import escape_markdown, fmt_number
from .scope import covers

ROLES_DIR = "岗位须知"
OVERVIEW_PAGE = "检查项总览.md"
# Every kind of the frequency registry, in its reading order (the most frequent duties first);
# the key is also the section's anchor, so no kind can be missing from the overview.
KIND_TITLES = {name: kind.title for name, kind in KINDS.items()}
COSTLIEST_ANCHOR = "costliest"
COSTLIEST_COUNT = 5
_LINK_UNSAFE = frozenset("%()<> \"'\\[]")
_NOTE = '!!! note "本页由手册自动生成"\n    内容来自各项制度原文，随制度更新自动变化；请勿直接编辑本页。\n'

# Every text from the handbook (titles, roles, versions, check texts) is escaped: it is plain text.
_escape_md = escape_markdown


def role_page_path(role: str) -> str:
    """Where the page for ``role`` lives in the site's source tree."""
    return f"{ROLES_DIR}/{role}.md"


def policy_anchor(policy: Policy) -> str:
    """The stable anchor of a policy's section on a role page (policy ids are ``[a-z0-9-]``)."""
    return f"policy-{policy.id}"


def _link(from_page: str, policy: Policy, anchor: str | None = None) -> str:
    rel = _link_path(posixpath.relpath(policy.rel_path, posixpath.dirname(from_page) or "."))
    return f"{rel}#{anchor}" if anchor else rel


def _link_path(path: str) -> str:
    # A folder or file name with ")", "<" or a space must not end the link early: percent-encode
    # those (MkDocs decodes them when it resolves the link); Chinese names stay readable.
    return "".join(quote(ch) if ch in _LINK_UNSAFE or ord(ch) < 0x20 else ch for ch in path)


def _front_matter_title(title: str) -> str:
    # JSON is valid YAML: a role named "a: b" or "[x]" stays one string.
    # `search: exclude`: these pages only point at clauses and checks, which are indexed once on
    # their policy page; indexed again they were 71% of the search index and pushed the answering
    # clause below these pages in the results (mkdocs-material's SearchIndex skips the page).
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsearch:\n  exclude: true\n---\n"


def applies(roles: tuple[str, ...], role: str) -> bool:
    """True when a list of roles covers ``role`` (directly or as 全体员工)."""
    return role in roles or ALL_STAFF in roles


def cost(check: CheckItem) -> tuple[float, float]:
    """What breaking a check costs, for ordering: (fine in yuan, points deducted)."""
    points = check.deduction.points if check.deduction and check.deduction.points else check.points
    return (check.fine or 0.0, points or 0.0)


def cost_label(check: CheckItem) -> str:
    """``罚款 500 元``, ``扣 5 分`` or both; empty when breaking the check costs nothing."""
    fine, points = cost(check)
    parts = [f"罚款 {fmt_number(fine)} 元"] if fine else []
    if points:
        parts.append(f"扣 {fmt_number(points)} 分")
    return "、".join(parts)


def costliest(checks: list[CheckItem], count: int = COSTLIEST_COUNT) -> list[CheckItem]:
    """The ``count`` checks whose breach costs most (fine, then points), in handbook order on ties."""
    costly = [k for k in checks if cost(k) > (0.0, 0.0)]
    return sorted(costly, key=cost, reverse=True)[:count]  # sorted() is stable: ties keep order


def _costliest_title(top: list[CheckItem]) -> str:
    return f"处罚最重的{'一两三四五'[len(top) - 1] if len(top) <= 5 else len(top)}条"


def _clause_line(here: str, policy: Policy, clause: Clause, checks: list[CheckItem]) -> str:
    line = f"- [{_escape_md(clause.title)}]({_link(here, policy, clause.id)})"
    if checks:
        line += f"：检查 {len(checks)} 项"
        fines = [k.fine for k in checks if k.fine]
        if fines:
            line += f"，罚款最高 {fmt_number(max(fines))} 元"
    return line


def _policy_section(
    here: str, policy: Policy, role: str, department: Department | None = None
) -> list[str] | None:
    whole = applies(policy.applies_to, role)  # not `in` a list: that compares whole dataclasses
    listed, others = [], []
    for clause in policy.clauses:
        checks = [k for k in clause.checks if covers(k, role, department)]
        if checks:
            listed.append(_clause_line(here, policy, clause, checks))
        elif whole:
            others.append(f"[{_escape_md(clause.title)}]({_link(here, policy, clause.id)})")
    if not listed and not others:
        return None
    scope = "全文适用" if whole else "部分条款适用"
    lines = [
        f"## {_escape_md(policy.title)} {{#{policy_anchor(policy)}}}\n",
        f"{scope} · 负责岗位：{_escape_md(policy.owner)} · 版本 {_escape_md(policy.version)} · "
        f"[阅读全文]({_link(here, policy)})\n",
    ]
    if listed:
        lines.append("\n".join(listed) + "\n")
    if others:
        label = "其他条款" if listed else "条款"
        lines.append(f"{label}：" + "、".join(others) + "\n")
    return lines


def role_page(handbook: Handbook, role: str) -> str:
    """What ``role`` must follow: its costliest rules first, then each policy's clauses that apply."""
    here = role_page_path(role)
    lines = [_front_matter_title(f"{role}须知"), f"# {_escape_md(role)}须知\n", _NOTE]
    described = next((r.description for r in handbook.reference.roles if r.name == role), "")
    if described:
        lines.append(_escape_md(described) + "\n")
    known = handbook.role(role)
    department = handbook.department(known.department) if known and known.department else None
    checks = [k for p in handbook.policies for k in p.checks if covers(k, role, department)]
    sections = [(p, s) for p in handbook.policies if (s := _policy_section(here, p, role, department))]
    applicable = sum(1 for p in handbook.policies if applies(p.applies_to, role))
    fined = sum(1 for k in checks if k.fine)
    lines.append(
        f"适用制度 **{applicable}** 项，与本岗位有关的检查项 **{len(checks)}** 项，"
        f"其中带罚款的 **{fined}** 项。点条款名称阅读原文。\n"
    )
    if not sections:
        lines.append("目前没有适用于本岗位的条款。\n")
        return "\n".join(lines)
    top = costliest(checks)
    toc = [f"- [{_costliest_title(top)}](#{COSTLIEST_ANCHOR})"] if top else []
    toc += [f"- [{_escape_md(p.title)}](#{policy_anchor(p)})" for p, _ in sections]
    lines += ["**本页目录**\n", "\n".join(toc) + "\n"]
    if top:
        by_policy = {p.id: p for p in handbook.policies}
        lines.append(f"## {_costliest_title(top)} {{#{COSTLIEST_ANCHOR}}}\n")
        items = []
        for n, check in enumerate(top, 1):
            policy = by_policy[check.policy_id]
            where = f"[{_escape_md(policy.title)}]({_link(here, policy, check.id)})"
            items.append(f"{n}. **{cost_label(check)}**：{_escape_md(check.text)}（{where}）")
        lines.append("\n".join(items) + "\n")
    for _policy, section in sections:
        lines += section
    return "\n".join(lines)


def _overview_line(check: CheckItem, policy: Policy, clause: Clause) -> str:
    facts = [f"对象：{_escape_md('、'.join(check.roles))}"]
    if check.area:
        facts.append(f"区域：{_escape_md(check.area)}")
    if check.frequency.label:
        inferred = "（推断）" if check.frequency.inferred else ""
        facts.append(f"频率：{_escape_md(check.frequency.label)}{inferred}")
    if label := cost_label(check):
        facts.append(label)
    title = f"{_escape_md(policy.title)} · {_escape_md(clause.title)}"
    where = f"[{title}]({_link(OVERVIEW_PAGE, policy, check.id)})"
    # The id is what an owner writes in the Markdown and what the checklist app records: shown here only.
    return f"- {_escape_md(check.text)}  \n  {' · '.join(facts)} · {where} · 编号 `{check.id}`"


def overview_page(handbook: Handbook) -> str:
    """All checks of the handbook grouped by frequency, each linking to its clause."""
    lines = [_front_matter_title("检查项总览"), "# 检查项总览\n", _NOTE]
    checks = handbook.checks
    groups = {kind: [k for k in checks if k.frequency.kind == kind] for kind in KIND_TITLES}
    groups = {kind: group for kind, group in groups.items() if group}
    lines.append(f"全手册共 **{len(checks)}** 个检查项。每项后的编号是制度原文里检查项的编号。\n")
    lines.append("\n".join(f"- [{KIND_TITLES[k]}](#{k})：{len(g)} 项" for k, g in groups.items()) + "\n")
    by_policy = {p.id: p for p in handbook.policies}
    clauses = {(p.id, c.id): c for p in handbook.policies for c in p.clauses}
    for kind, group in groups.items():
        lines.append(f"## {KIND_TITLES[kind]} {{#{kind}}}\n")
        lines.append(f"共 **{len(group)}** 项。\n")
        for check in group:
            policy = by_policy[check.policy_id]
            lines.append(_overview_line(check, policy, clauses[(policy.id, check.clause_id)]))
        lines.append("")
    return "\n".join(lines)


def generated_pages(handbook: Handbook) -> dict[str, str]:
    """Source path → Markdown for every generated page."""
    pages = {OVERVIEW_PAGE: overview_page(handbook)}
    for role in handbook.reference.roles:
        if role.name != ALL_STAFF:
            pages[role_page_path(role.name)] = role_page(handbook, role.name)
    return pages
