"""Python-Markdown extension that renders ``/// 检查 | id`` blocks as check item cards.

It is a plain Markdown extension (not MkDocs glue), so it also works under
Zensical or any Python-Markdown pipeline. It renders only blocks the shared
block reader accepts; invalid blocks stay visible as text, and the validator
(run by ``make check`` and the MkDocs plugin) fails the build on them.
"""

from __future__ import annotations

import re
import secrets

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
        self.marker = re.compile(rf"^{token}:(\d+)$")

    def test(self, parent, block) -> bool:
        return bool(self.marker.match(block.strip()))

    def run(self, parent, blocks) -> None:
        index = int(self.marker.match(blocks.pop(0).strip()).group(1))
        check_element(parent, self.drafts[index])


class CheckBlockExtension(Extension):
    """Register the check block preprocessor and block processor."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown API name)
        drafts: list[CheckDraft] = []
        # A random marker cannot collide with anything a policy owner writes.
        token = f"hbcheck{secrets.token_hex(8)}"
        # After whitespace normalisation (30), before raw-HTML block handling (20).
        md.preprocessors.register(CheckBlockPreprocessor(md, drafts, token), "handbook_checks", 27)
        md.parser.blockprocessors.register(
            CheckBlockProcessor(md.parser, drafts, token), "handbook_checks", 105
        )


def makeExtension(**kwargs) -> CheckBlockExtension:  # noqa: N802 (Markdown API name)
    """Entry point used by ``markdown_extensions: [generator.markdown_ext]``."""
    return CheckBlockExtension(**kwargs)
