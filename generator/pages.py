"""Generated pages as Markdown: one page per role and an overview of all checks by frequency.

Both are short indexes into the policy pages: they link to clauses and checks (which are shown,
and indexed for search, once, on their policy page) instead of repeating them. Every heading has
an explicit, stable anchor (a frequency kind, a policy id), so a shared link survives edits: the
counts are in the text under a heading, never in its anchor. The long lists are ``/// 链接列表``
blocks (see :mod:`.markdown_ext`), which skip Python-Markdown's inline pass: at 500 policies a
role page links some 1,500 clauses.
"""

from __future__ import annotations

import functools
import json
import posixpath
from urllib.parse import quote

from .attributes import PHOTO_LABELS
from .frequencies import KINDS
from .model import CheckItem, Clause, Department, Handbook, Policy
from .parser import page_url
from .reference import ALL_STAFF
from .render import escape_markdown, fine_rule_text, fmt_number
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
# The same titles appear on every role page: escaped once.
_escape_md = functools.lru_cache(maxsize=16384)(escape_markdown)


def role_page_path(role: str) -> str:
    """Where the page for ``role`` lives in the site's source tree."""
    return f"{ROLES_DIR}/{role}.md"


def policy_anchor(policy: Policy) -> str:
    """The stable anchor of a policy's section on a role page (policy ids are ``[a-z0-9-]``)."""
    return f"policy-{policy.id}"


def _link(from_page: str, policy: Policy, anchor: str | None = None) -> str:
    rel = _href(posixpath.dirname(from_page) or ".", policy.rel_path)
    return f"{rel}#{anchor}" if anchor else rel


@functools.lru_cache(maxsize=4096)
def _href(from_dir: str, rel_path: str) -> str:
    # Once per page folder and policy: every page links each policy many times (relpath is slow).
    return _link_path(posixpath.relpath(rel_path, from_dir))


def _url(from_page: str, policy: Policy, anchor: str | None = None) -> str:
    """The site URL of ``policy`` relative to the built ``from_page``, for a ``/// 链接列表`` row."""
    rel = _relative_url(page_url(from_page), policy.url)
    return f"{rel}#{anchor}" if anchor else rel


@functools.lru_cache(maxsize=4096)
def _relative_url(from_url: str, to_url: str) -> str:
    # Directory URLs (use_directory_urls): a page's links are relative to its own folder URL.
    rel = posixpath.relpath(to_url.rstrip("/") or ".", from_url.rstrip("/") or ".")
    return "./" if rel == "." else rel + "/"


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
    """``罚款 500 元``, ``扣 5 分``, sanctions (通报批评); empty when breaking the check costs nothing.

    An escalating fine reads as its owner wrote it, a range as 100–300 元, a fine per spot as 5 元/处.
    """
    fine, points = cost(check)
    if check.fine_rule:
        text = fine_rule_text(check.fine_rule)
        parts = [text if "罚" in text else f"罚款 {text}"]
    else:
        parts = [f"罚款 {fmt_number(fine)} 元"] if fine else []
    parts += [s for s in check.sanctions if s not in "".join(parts)]
    if points:
        parts.append(f"扣 {fmt_number(points)} 分")
    return "、".join(parts)


def costliest(checks: list[CheckItem], count: int = COSTLIEST_COUNT) -> list[CheckItem]:
    """The ``count`` checks whose breach costs most (fine, then points), in handbook order on ties."""
    costly = [k for k in checks if cost(k) > (0.0, 0.0)]
    return sorted(costly, key=cost, reverse=True)[:count]  # sorted() is stable: ties keep order


def _costliest_title(top: list[CheckItem]) -> str:
    return f"处罚最重的{'一两三四五'[len(top) - 1] if len(top) <= 5 else len(top)}条"


def link_list(rows: list[tuple[str, ...]], label: str | None = None) -> str:
    """A ``/// 链接列表`` block (rendered by :mod:`.markdown_ext`): rows of (href, text, after, lead).

    The fields are plain text (escaped when the page is written); a ``label`` makes the links one
    paragraph after it instead of a list.
    """
    header = f"/// 链接列表 | {_one_line(label)}" if label else "/// 链接列表"
    body = "\n".join("\t".join(_one_line(field) for field in row) for row in rows)
    return f"{header}\n{body}\n///\n"


def _one_line(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _clause_row(here: str, policy: Policy, clause: Clause, checks: list[CheckItem]) -> tuple[str, ...]:
    after = f"：检查 {len(checks)} 项"
    fines = [k.fine for k in checks if k.fine]
    if fines:
        after += f"，罚款最高 {fmt_number(max(fines))} 元"
    photos = [k for k in checks if k.photo]
    if photos:
        after += f"，{len(photos)} 项要拍照" if len(photos) < len(checks) else "，要拍照"
    return (_url(here, policy, clause.id), clause.title, after)


def _policy_section(
    here: str, policy: Policy, role: str, department: Department | None = None
) -> list[str] | None:
    whole = applies(policy.applies_to, role)  # not `in` a list: that compares whole dataclasses
    listed, others = [], []
    for clause in policy.clauses:
        checks = [k for k in clause.checks if covers(k, role, department)]
        if checks:
            listed.append(_clause_row(here, policy, clause, checks))
        elif whole:
            others.append((_url(here, policy, clause.id), clause.title))
    if not listed and not others:
        return None
    scope = "全文适用" if whole else "部分条款适用"
    about = f"（{scope} · 负责岗位：{policy.owner} · 版本 {policy.version}）"
    # One list: the whole policy first, then its clauses (a block less per policy to render).
    lines = [
        f"## {_escape_md(policy.title)} {{#{policy_anchor(policy)}}}\n",
        link_list([(_url(here, policy), "阅读全文", about), *listed]),
    ]
    if others:
        lines.append(link_list(others, "其他条款：" if listed else "条款："))
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
    toc = [(f"#{COSTLIEST_ANCHOR}", _costliest_title(top))] if top else []
    toc += [(f"#{policy_anchor(p)}", p.title) for p, _ in sections]
    lines += ["**本页目录**\n", link_list(toc)]
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


def _overview_row(check: CheckItem, policy: Policy, clause: Clause) -> tuple[str, ...]:
    facts = [f"对象：{'、'.join(check.roles)}"]
    if check.area:
        facts.append(f"区域：{check.area}")
    if check.frequency.label:
        facts.append(f"频率：{check.frequency.label}" + ("（推断）" if check.frequency.inferred else ""))
    if label := cost_label(check):
        facts.append(label)
    if check.photo:
        facts.append(PHOTO_LABELS[check.photo])
    # The id is what an owner writes in the Markdown and what the checklist app records: shown here only.
    facts.append(f"编号 {check.id}")
    where = f"{policy.title} · {clause.title}"
    return (_url(OVERVIEW_PAGE, policy, check.id), where, " · " + " · ".join(facts), check.text)


def overview_page(handbook: Handbook) -> str:
    """All checks of the handbook grouped by frequency, each linking to its clause."""
    lines = [_front_matter_title("检查项总览"), "# 检查项总览\n", _NOTE]
    checks = handbook.checks
    groups = {kind: [k for k in checks if k.frequency.kind == kind] for kind in KIND_TITLES}
    groups = {kind: group for kind, group in groups.items() if group}
    lines.append(f"全手册共 **{len(checks)}** 个检查项。每项最后是它在制度原文里的编号。\n")
    lines.append(link_list([(f"#{k}", KIND_TITLES[k], f"：{len(g)} 项") for k, g in groups.items()]))
    by_policy = {p.id: p for p in handbook.policies}
    clauses = {(p.id, c.id): c for p in handbook.policies for c in p.clauses}
    for kind, group in groups.items():
        lines.append(f"## {KIND_TITLES[kind]} {{#{kind}}}\n")
        lines.append(f"共 **{len(group)}** 项。\n")
        rows = []
        for check in group:
            policy = by_policy[check.policy_id]
            rows.append(_overview_row(check, policy, clauses[(policy.id, check.clause_id)]))
        lines.append(link_list(rows))
    return "\n".join(lines)


def generated_pages(handbook: Handbook) -> dict[str, str]:
    """Source path → Markdown for every generated page."""
    pages = {OVERVIEW_PAGE: overview_page(handbook)}
    for role in handbook.reference.roles:
        if role.name != ALL_STAFF:
            pages[role_page_path(role.name)] = role_page(handbook, role.name)
    return pages
