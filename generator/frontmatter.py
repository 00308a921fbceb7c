"""Split a policy file's YAML front matter and validate it against the policy schema."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from . import problems as P
from .problems import Problem

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Field:
    """One front-matter field: its name, Chinese label, whether required, and an example."""

    name: str
    label: str
    required: bool
    example: str


# The policy front-matter schema, declared once; the guide page documents every field.
POLICY_FIELDS: tuple[Field, ...] = (
    Field("id", "制度编号（英文小写、数字、连字符，发布后不再改）", True, "id: cs-service"),
    Field("title", "制度名称", True, "title: 客服管理制度"),
    Field("owner", "负责维护本制度的岗位", True, "owner: 客服主管"),
    Field("version", "版本号", True, 'version: "1.0"'),
    Field("effective", "生效日期", True, "effective: 2026-01-01"),
    Field("review", "下次复审日期", True, "review: 2027-01-01"),
    Field("applies_to", "适用岗位", True, "applies_to: [售前客服, 售后客服]"),
    Field("tags", "标签（可选）", False, "tags: [客服, 罚款]"),
    Field("sources", "来源文件（可选）", False, "sources: [003_2d16ab885f65d886.txt]"),
    Field(
        "scoring", "评分规则（可选；评分表类制度用，见“评分规则”一节）", False, "scoring:\n  full_marks: 100"
    ),
    Field(
        "penalties",
        "处罚规则（可选；全手册只在奖惩制度中写一次）",
        False,
        "penalties:\n  approval_above: 300",
    ),
)
# Nested fields with their own parser (generator.scoring); validate() leaves them alone.
STRUCTURED_FIELDS = ("scoring", "penalties")
# Page options MkDocs and mkdocs-material understand; allowed alongside policy fields.
PAGE_FIELDS = ("hide", "search", "description", "icon", "status", "template", "subtitle")
POLICY_MARKERS = frozenset(f.name for f in POLICY_FIELDS) - {"title", "tags"}


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~5x faster


class _Loader(_Base):
    """SafeLoader that leaves dates as text: we parse them ourselves, with a message on error."""


# YAML would turn 2026-13-01 into a ValueError deep inside the loader; keep it a string.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class FrontMatter:
    """Raw front matter: the mapping, the line of each key, and where the body starts."""

    data: dict
    key_lines: dict
    raw_values: dict  # key -> the value exactly as typed (2.10 stays "2.10")
    nodes: dict  # key -> the YAML node of its value, for line numbers inside nested fields
    body_start: int  # 0-based index of the first body line
    start_line: int  # 1-based line of the opening ---


def split(path: str, lines: list[str]) -> tuple[FrontMatter | None, list[Problem]]:
    """Parse the leading ``---`` block of ``lines``; YAML errors are reported at their real line."""
    if not lines or lines[0].strip() != "---":
        return None, []
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return None, [P.frontmatter_unclosed(path, 1)]
    text = "".join(lines[1:end])
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return FrontMatter({}, {}, {}, {}, end + 1, 1), [yaml_problem(path, exc, text, first_line=2)]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return FrontMatter({}, {}, {}, {}, end + 1, 1), [P.yaml_syntax(path, 2, "信息区应是“字段: 值”的列表")]
    key_lines, raw_values, nodes = {}, {}, {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
            nodes[str(key_node.value)] = value_node
            if isinstance(value_node, yaml.ScalarNode):
                raw_values[str(key_node.value)] = value_node.value
    return FrontMatter(data, key_lines, raw_values, nodes, end + 1, 1), []


def yaml_problem(path: str, exc: yaml.YAMLError, text: str, first_line: int) -> Problem:
    """A YAML error at its real line; ``first_line`` is the file line of ``text``'s first line.

    Most errors carry a mark; a reader error (a character YAML refuses) carries only an offset.
    """
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        detail = exc.problem or str(exc)
        if exc.context_mark and exc.context and exc.context_mark.line + first_line != line:
            detail += f"（问题从第 {exc.context_mark.line + first_line} 行开始）"
        return P.yaml_syntax(path, line, detail)
    position = getattr(exc, "position", None)
    line = first_line + (text.count("\n", 0, position) if isinstance(position, int) else 0)
    return P.yaml_syntax(path, line, getattr(exc, "reason", None) or str(exc).splitlines()[0])


def is_policy(front: FrontMatter | None) -> bool:
    """A file is a policy when its front matter carries any policy field."""
    return front is not None and bool(POLICY_MARKERS & set(front.data))


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_list(value) -> list | None:
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,，、]", value) if v.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v).strip() for v in value]
    return None


def validate(path: str, front: FrontMatter, today: dt.date) -> tuple[dict, list[Problem]]:
    """Check the policy schema; return the cleaned values and every problem found."""
    found: list[Problem] = []
    data, lines = front.data, front.key_lines
    clean: dict = {}
    known = [f.name for f in POLICY_FIELDS] + ["title"]
    for key in data:
        if str(key) not in known and str(key) not in PAGE_FIELDS:
            found.append(P.unknown_field(path, lines.get(str(key), 1), key, [f.name for f in POLICY_FIELDS]))
    for f in POLICY_FIELDS:
        line = lines.get(f.name, front.start_line)
        if f.name not in data or data[f.name] in (None, "", []):
            if f.required:
                found.append(P.missing_field(path, front.start_line, f.name, f.example))
            continue
        value = data[f.name]
        if f.name in STRUCTURED_FIELDS:
            continue
        if f.name == "id":
            if not isinstance(value, str) or not ID_RE.match(value):
                found.append(P.bad_id(path, line, "制度编号 id", value))
            else:
                clean["id"] = value
        elif f.name in ("title", "owner"):
            if not isinstance(value, str):
                found.append(P.wrong_type(path, line, f.name, value, "一段文字", f.example))
            else:
                clean[f.name] = value.strip()
        elif f.name == "version":
            # A float such as 2.10 would silently become "2.1"; insist on quotes.
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                found.append(
                    P.wrong_type(
                        path,
                        line,
                        "version",
                        front.raw_values.get("version", value),
                        "加引号的版本号",
                        'version: "2.10"',
                    )
                )
            else:
                clean["version"] = str(value)
        elif f.name in ("effective", "review"):
            date = _as_date(value)
            if date is None:
                found.append(P.bad_date(path, line, f.name, value))
            else:
                clean[f.name] = date
        else:
            items = _as_list(value)
            if items is None:
                found.append(P.wrong_type(path, line, f.name, value, "一个列表", f.example))
            else:
                clean[f.name] = tuple(items)
                clean[f.name + "_line"] = line
    if "review" in clean and clean["review"] < today:
        found.append(P.review_overdue(path, lines["review"], clean["review"], today))
    clean["owner_line"] = lines.get("owner", front.start_line)
    return clean, found
