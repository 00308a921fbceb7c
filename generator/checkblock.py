"""The ``/// 检查 | id`` block: recognising it in Markdown lines and reading its attributes.

Both the handbook parser and the Python-Markdown extension use these functions,
so the site renders exactly what the validator accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import attributes as A
from . import problems as P
from .problems import Problem

BLOCK_START_RE = re.compile(r"^///\s*(检查|check)\b\s*(.*?)\s*$", re.IGNORECASE)
BLOCK_END_RE = re.compile(r"^///\s*$")
FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADER_ID_RE = re.compile(r"^[|｜]\s*([a-z0-9][a-z0-9-]*)$")
_HEADER_TOKEN_RE = re.compile(r"^[|｜]\s*(\S+)$")
# A block header Markdown will not see as one: indented, or inside a list or a quote.
INDENTED_START_RE = re.compile(
    r"^(?P<lead>[ \t>]*(?:(?:[-*+]|\d+[.)、．])[ \t]+)?[ \t>]*)///\s*(检查|check)\b", re.IGNORECASE
)


@dataclass
class CheckDraft:
    """A check block as read from the source, before cross-file validation."""

    id: str
    line: int
    text: str = ""
    raw: dict = field(default_factory=dict)  # canonical key -> (value, line)


def header_id(rest: str) -> str | None:
    """The check id from the part of the header after 检查, or None if malformed."""
    m = _HEADER_ID_RE.match(rest.strip())
    return m.group(1) if m else None


def header_token(rest: str) -> str | None:
    """What was written as the check id (``| CS-Response`` gives ``CS-Response``), valid or not."""
    m = _HEADER_TOKEN_RE.match(rest.strip())
    return m.group(1) if m else None


def indented_header(line: str) -> str | None:
    """How a ``/// 检查`` line is hidden from Markdown (indent, list, quote), or None if it is not."""
    m = INDENTED_START_RE.match(line)
    if not m or not m.group("lead"):
        return None
    lead = m.group("lead")
    if re.search(r"\d", lead):
        return "写在了编号列表里"
    if re.search(r"[-*+]", lead):
        return "写在了项目列表（- …）里"
    if ">" in lead:
        return "写在了引用（>）里"
    if "\t" in lead:
        return "前面有 Tab（制表符）"
    return f"前面有 {len(lead)} 个空格"


def fence_spans(lines: list[str], start: int = 0, unclosed_is_text: bool = False):
    """``(open_index, close_index_or_None)`` of each fenced code block from ``start``.

    As Markdown reads it, a fence never closed runs to the end of the file; with
    ``unclosed_is_text`` such a fence line is taken as plain text and the scan goes on, so
    the validator still sees the checks and clauses after a stray ``` line.
    """
    spans = []
    i, n = start, len(lines)
    while i < n:
        m = FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(1)
        close = None
        for j in range(i + 1, n):
            c = FENCE_RE.match(lines[j])
            if c and c.group(1)[0] == fence[0] and len(c.group(1)) >= len(fence):
                close = j
                break
        spans.append((i, close))
        if close is None:
            if not unclosed_is_text:
                break
            i += 1
        else:
            i = close + 1
    return spans


def code_lines(lines: list[str], spans) -> bytearray:
    """1 for every line index inside a fenced block (fence lines included), 0 elsewhere."""
    inside = bytearray(len(lines))
    for open_, close in spans:
        end = len(lines) - 1 if close is None else close
        inside[open_ : end + 1] = b"\x01" * (end - open_ + 1)
    return inside


def find_blocks(lines: list[str], start: int = 0, unclosed_fence_is_text: bool = False):
    """Yield ``(header_index, end_index_or_None, header_rest)`` for each check block outside code fences.

    Indices are 0-based into ``lines``; ``end`` is the index of the closing ``///``.
    """
    spans = fence_spans(lines, start, unclosed_fence_is_text)
    inside = code_lines(lines, [s for s in spans if s[1] is not None or not unclosed_fence_is_text])
    i = start
    while i < len(lines):
        if inside[i]:
            i += 1
            continue
        line = lines[i].rstrip("\n")
        hm = BLOCK_START_RE.match(line)
        if hm:
            end = None
            for j in range(i + 1, len(lines)):
                text = lines[j].rstrip("\n")
                if BLOCK_END_RE.match(text):
                    end = j
                    break
                if BLOCK_START_RE.match(text) or text.startswith("#"):
                    break
            yield i, end, hm.group(2)
            i = (end + 1) if end is not None else i + 1
            continue
        i += 1


def read_block(
    path: str, check_id: str, header_line: int, body: list[str]
) -> tuple[CheckDraft, list[Problem]]:
    """Read the text and attributes of one block; ``header_line`` is 1-based."""
    draft = CheckDraft(check_id, header_line)
    found: list[Problem] = []
    text_lines: list[str] = []
    for offset, raw in enumerate(body, start=1):
        line_no = header_line + offset
        stripped = raw.strip()
        if not stripped:
            continue
        m = A.ATTRIBUTE_RE.match(stripped)
        # A short unknown key after the text is most likely a misspelt attribute (频度: 每日).
        if m and (m.group(1) in A.ALIASES or draft.raw or (text_lines and len(m.group(1)) <= 4)):
            key = A.ALIASES.get(m.group(1))
            if key is None:
                found.append(P.check_unknown_attr(path, line_no, m.group(1), list(A.ALIASES)))
            elif key in draft.raw:
                found.append(P.check_duplicate_attr(path, line_no, m.group(1)))
            else:
                draft.raw[key] = (m.group(2), line_no)
            continue
        if draft.raw:
            # Prose after the attributes would be silently dropped; make it an error.
            found.append(P.check_unknown_attr(path, line_no, stripped[:12], list(A.ALIASES)))
            continue
        text_lines.append(stripped)
    draft.text = "".join(
        line if not prev or _cjk_join(prev, line) else " " + line
        for prev, line in zip([""] + text_lines, text_lines, strict=False)
    )
    if not draft.text:
        found.append(P.check_no_text(path, header_line, check_id))
    return draft, found


def _cjk_join(prev: str, line: str) -> bool:
    # Chinese lines wrap without a space; Latin ones need one.
    return ord(prev[-1]) > 0x2E80 or ord(line[0]) > 0x2E80
