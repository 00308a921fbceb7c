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


def find_blocks(lines: list[str], start: int = 0):
    """Yield ``(header_index, end_index_or_None, header_rest)`` for each check block outside code fences.

    Indices are 0-based into ``lines``; ``end`` is the index of the closing ``///``.
    """
    fence = None
    i = start
    while i < len(lines):
        line = lines[i].rstrip("\n")
        m = FENCE_RE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            i += 1
            continue
        if m:
            fence = m.group(1)
            i += 1
            continue
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
