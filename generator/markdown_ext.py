"""Python-Markdown extension that renders ``/// 检查 | id`` blocks as check item cards.

It is a plain Markdown extension (not MkDocs glue), so it also works under
Zensical or any Python-Markdown pipeline. It renders only blocks the shared
block reader accepts; invalid blocks stay visible as text, and the validator
(run by ``make check`` and the MkDocs plugin) fails the build on them.

It also renders ``/// 链接列表`` blocks, which the generated pages (:mod:`.pages`) use for their
long lists of links: one line per link, ``href<TAB>text[<TAB>after[<TAB>lead]]``, all plain text
(escaped here). The hrefs are final site URLs, and the list is written as HTML directly: no
inline pass, no element tree, and MkDocs does not resolve these links one by one (at 500
policies a role page has some 2,900, which made the 17 role pages cost more than every policy
page together). They are derived from the validated model; a test follows every one of them in a
built site.
"""

from __future__ import annotations

import functools
import re
import secrets
import xml.etree.ElementTree as etree
from html import escape

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor

from . import checkblock
from .checkblock import CheckDraft
from .render import check_element


class CheckBlockPreprocessor(Preprocessor):
    """Read each well-formed check block and leave a one-line marker in its place."""

    def __init__(self, md: Markdown, drafts: list[CheckDraft], token: str):
        super().__init__(md)
        self.drafts, self.token = drafts, token

    def run(self, lines: list[str]) -> list[str]:
        self.drafts.clear()
        out: list[str] = []
        position = 0
        for start, end, rest in checkblock.find_blocks(lines):
            check_id = checkblock.header_id(rest)
            if end is None or check_id is None:
                continue
            draft, _problems = checkblock.read_block("", check_id, start + 1, lines[start + 1 : end])
            out += lines[position:start]
            out += ["", f"{self.token}:{len(self.drafts)}", ""]
            self.drafts.append(draft)
            position = end + 1
        out += lines[position:]
        return out


class CheckBlockProcessor(BlockProcessor):
    """Turn a marker paragraph into the check card element."""

    def __init__(self, parser, drafts: list[CheckDraft], token: str):
        super().__init__(parser)
        self.drafts = drafts
        self.marker = _marker(token)

    def test(self, parent, block) -> bool:
        return bool(self.marker.match(block.strip()))

    def run(self, parent, blocks) -> None:
        index = int(self.marker.match(blocks.pop(0).strip()).group(1))
        check_element(parent, self.drafts[index])


# The label keeps its trailing space ("版本 1.2 · " before the link).
LINK_LIST_START = re.compile(r"^///\s*链接列表\s*(?:[|｜]\s*(.*))?$")
LINK_LIST_SEPARATOR = "、"


class LinkListPreprocessor(Preprocessor):
    """Read each ``/// 链接列表`` block into (label, rows) and leave a marker in its place."""

    def __init__(self, md: Markdown, lists: list, token: str):
        super().__init__(md)
        self.lists, self.token = lists, token

    def run(self, lines: list[str]) -> list[str]:
        self.lists.clear()
        if not any(line.startswith("///") and "链接列表" in line for line in lines):
            return lines  # a policy page: nothing to do, skip the fence scan
        inside = checkblock.code_lines(lines, checkblock.fence_spans(lines, 0, False))
        out: list[str] = []
        i = 0
        while i < len(lines):
            m = None if inside[i] else LINK_LIST_START.match(lines[i])
            end = m and next(
                (j for j in range(i + 1, len(lines)) if checkblock.BLOCK_END_RE.match(lines[j])), None
            )
            if m is None or end is None:
                out.append(lines[i])
                i += 1
                continue
            rows = [line.split("\t") for line in lines[i + 1 : end] if line.strip()]
            out += ["", f"{self.token}:{len(self.lists)}", ""]
            self.lists.append((m.group(1), rows))
            i = end + 1
        return out


def link_list_html(label: str | None, rows: list[list[str]]) -> str:
    """A ``<ul>`` of links (or, with a ``label``, one paragraph of links separated by 、)."""
    parts = []
    for row in rows:
        href, text, after, lead = (row + ["", "", ""])[:4]
        lead_html = f'<span class="hb-links__lead">{escape(lead)}</span>' if lead else ""
        parts.append(f'{lead_html}<a href="{escape(href)}">{escape(text)}</a>{escape(after)}')
    if label is None:
        return '<ul class="hb-links">' + "".join(f"<li>{part}</li>" for part in parts) + "</ul>"
    return f'<p class="hb-links hb-links--inline">{escape(label)}{LINK_LIST_SEPARATOR.join(parts)}</p>'


class LinkListProcessor(BlockProcessor):
    """Turn a link-list marker paragraph into its element."""

    def __init__(self, parser, lists: list, token: str):
        super().__init__(parser)
        self.lists = lists
        self.marker = _marker(token)

    def test(self, parent, block) -> bool:
        return bool(self.marker.match(block.strip()))

    def run(self, parent, blocks) -> None:
        index = int(self.marker.match(blocks.pop(0).strip()).group(1))
        # Stashed as HTML, as a raw HTML block is: no tree to walk, prettify and serialise.
        holder = etree.SubElement(parent, "p")
        holder.text = self.parser.md.htmlStash.store(link_list_html(*self.lists[index]))


# One random marker per process cannot collide with anything a policy owner writes, and its
# patterns are compiled once (a fresh one per Markdown instance cost two re.compile per page).
_TOKEN = f"hbcheck{secrets.token_hex(8)}"


@functools.lru_cache(maxsize=4)
def _marker(token: str) -> re.Pattern:
    return re.compile(rf"^{token}:(\d+)$")


class CheckBlockExtension(Extension):
    """Register the check block preprocessor and block processor."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown API name)
        drafts: list[CheckDraft] = []
        token = _TOKEN
        # After whitespace normalisation (30), before raw-HTML block handling (20).
        md.preprocessors.register(CheckBlockPreprocessor(md, drafts, token), "handbook_checks", 27)
        md.parser.blockprocessors.register(
            CheckBlockProcessor(md.parser, drafts, token), "handbook_checks", 105
        )
        lists: list = []
        # Before whitespace normalisation (30), which would expand the tabs between the fields.
        md.preprocessors.register(LinkListPreprocessor(md, lists, f"{token}l"), "handbook_links", 31)
        md.parser.blockprocessors.register(
            LinkListProcessor(md.parser, lists, f"{token}l"), "handbook_links", 104
        )


def makeExtension(**kwargs) -> CheckBlockExtension:  # noqa: N802 (Markdown API name)
    """Entry point used by ``markdown_extensions: [generator.markdown_ext]``."""
    return CheckBlockExtension(**kwargs)
