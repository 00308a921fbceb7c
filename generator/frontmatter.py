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
    empty = FrontMatter({}, {}, {}, {}, end + 1, 1)
    try:
        node, data = compose(text)
    except yaml.YAMLError as exc:
        return empty, [yaml_problem(path, exc, text, first_line=2)]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        for i, line in enumerate(text.splitlines()):
            if cause := _line_cause(line):
                return empty, [P.yaml_syntax(path, i + 2, *cause)]
        return empty, [
            P.yaml_syntax(path, 2, "信息区应是“字段: 值”的列表", "每行写一个字段，例如 title: 客服管理制度")
        ]
    repeated = [
        P.yaml_duplicate_key(path, line + 2, key, first + 2) for key, line, first in duplicate_keys(node)
    ]
    key_lines, raw_values, nodes = {}, {}, {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
            nodes[str(key_node.value)] = value_node
            if isinstance(value_node, yaml.ScalarNode):
                raw_values[str(key_node.value)] = value_node.value
    return FrontMatter(data, key_lines, raw_values, nodes, end + 1, 1), repeated


_INDENT_HINT = "同一级的行左边对齐，下一级比上一级多缩进两个空格；只能用空格缩进，不能用 Tab"
_FULLWIDTH_COLON_RE = re.compile(r"^\s*(?:-\s+)?[^\s:：#'\"\[\]{},]+\s*：")
_NO_SPACE_RE = re.compile(r"^\s*(?:-\s+)?([^\s:：#'\"\[\]{},]+):(?![\s/])(\S.*)$")
_KEY_VALUE_RE = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"\[\]{},][^:#]*?:\s+(.*)$")
_INDENT_PROBLEMS = (
    "mapping values are not allowed",
    "expected <block end>",
    "did not find expected key",
    "did not find expected '-'",
    "violates indentation",
)


def _line_cause(line: str) -> tuple[str, str] | None:
    """The typing mistake on one YAML line an owner can see and fix, as (cause, fix), or None."""
    text = line.rstrip()
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    stripped = text.lstrip(" ")
    if stripped.startswith("\t") or re.search(r":\t", text):
        return "这一行用了 Tab 键（制表符）缩进或分隔，YAML 只认空格", "把 Tab 换成空格：" + _INDENT_HINT
    if _FULLWIDTH_COLON_RE.match(text) and not _KEY_VALUE_RE.match(text):
        return (
            "这一行用了中文冒号“：”",
            "信息区和 reference.yml 里，字段名后面要用英文冒号加一个空格，例如 title: 客服管理制度"
            "（中文冒号只在检查项的属性里可以用，例如 频率：每日）",
        )
    if m := _NO_SPACE_RE.match(text):
        return "冒号后面缺少空格", f"在冒号后面加一个空格，例如 {m.group(1)}: {m.group(2)}"
    value = _KEY_VALUE_RE.match(text)
    value = value.group(1).split(" #", 1)[0].strip() if value else stripped.lstrip("- ").strip()
    if re.search("[“”‘’]", value):
        return (
            "这一行用了中文引号“”或‘’，YAML 只认英文引号",
            '把中文引号换成英文引号 "，例如 title: "注意: 这里"',
        )
    for quote in ('"', "'"):
        if value.startswith(quote) and (value.count(quote) % 2 == 1 or len(value) == 1):
            return "引号没有成对", f"在值的末尾补上 {quote}，例如 version: {quote}1.0{quote}"
    if value.startswith("[") and "]" not in value:
        return "方括号 [ 没有结束", "在列表末尾补上 ]，例如 applies_to: [售前客服, 售后客服]"
    if value.startswith("{") and "}" not in value:
        return "花括号 { 没有结束", "在末尾补上 }，例如 - {min: 10, points: 1}"
    if ": " in value and value[0] not in "\"'[{":
        return "值里有“冒号加空格”", '给整个值加英文引号，例如 title: "注意: 这里"'
    return None


def _column(line: str) -> int:
    """The 1-based column where a line's text starts, after its indent and any "- "."""
    m = re.match(r"^[ ]*(?:-[ ]+)*", line)
    return m.end() + 1


def explain_yaml_error(exc: yaml.YAMLError, text: str) -> tuple[int, str, str]:
    """``(line, cause, fix)`` for a YAML error, ``line`` 0-based in ``text``.

    The parser's mark is often one line late (a full-width colon is noticed on the next line) and
    its wording is English; so the offending lines are inspected for what owners actually type.
    """
    lines = text.splitlines() or [""]
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        at = mark.line
    else:
        position = getattr(exc, "position", None)
        at = text.count("\n", 0, position) if isinstance(position, int) else 0
    at = max(0, min(at, len(lines) - 1))
    context = getattr(exc, "context_mark", None)
    start = context.line if context is not None and context.line <= at else at
    # A tab anywhere above the error is the likeliest cause: no editor shows it.
    for i in range(0, at + 1):
        cause = _line_cause(lines[i])
        if cause and "Tab" in cause[0]:
            return i, *cause
    for i in dict.fromkeys((start, at, at - 1)):
        if 0 <= i < len(lines) and (cause := _line_cause(lines[i])):
            return i, *cause
    if "quoted scalar" in str(getattr(exc, "context", "")):
        return start, "引号没有成对", '在值的末尾补上引号，并用英文引号，例如 version: "1.0"'
    if "flow sequence" in str(getattr(exc, "context", "")):
        return start, "方括号 [ ] 没有成对", "例如 applies_to: [售前客服, 售后客服]"
    if any(words in problem for words in _INDENT_PROBLEMS):
        line = lines[at]
        above = next(
            (
                lines[i]
                for i in range(at - 1, -1, -1)
                if lines[i].strip() and not lines[i].lstrip().startswith("#")
            ),
            "",
        )
        return (
            at,
            f"这一行的缩进不对：文字从第 {_column(line)} 格开始，上一行从第 {_column(above)} 格开始",
            _INDENT_HINT,
        )
    if "cannot start any token" in problem and mark is not None:
        column = min(mark.column, max(len(lines[at]) - 1, 0))
        char = lines[at][column : column + 1] or "?"
        return at, f"值不能以 {char} 开头", f'给整个值加英文引号，例如 title: "{char}…"'
    return (
        at,
        f"这一行附近格式不对（YAML 提示：{problem}）",
        "检查冒号后是否有空格、缩进是否对齐、引号是否成对",
    )


def yaml_problem(path: str, exc: yaml.YAMLError, text: str, first_line: int, make=P.yaml_syntax) -> Problem:
    """A YAML error at its real line, in Chinese; ``first_line`` is the file line of ``text``'s first line."""
    line, cause, fix = explain_yaml_error(exc, text)
    return make(path, line + first_line, cause, fix)


def duplicate_keys(node: yaml.Node | None) -> list[tuple[str, int, int]]:
    """``(key, line, first line)`` (0-based) of the first repeated key of every mapping under ``node``.

    YAML keeps the last of two equal keys without a word: a role merged into the one above it (a
    missing ``-``) or a field written twice would silently lose a value.
    """
    found = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            reported = False
            for key, value in current.value:
                name = str(key.value)
                if name in seen and not reported:
                    found.append((name, key.start_mark.line, seen[name]))
                    reported = True
                seen.setdefault(name, key.start_mark.line)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda item: item[1])


def compose(text: str) -> tuple[yaml.Node | None, object]:
    """The node tree and the data of a YAML document (dates stay text); raises yaml.YAMLError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


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
