"""Read a handbook source file as text: a broken file is a problem at its line, never an exception.

Policy owners save files from Notepad, WPS or Word. Such a file may be GBK instead of UTF-8,
cut off in the middle of a character (a sync or copy that did not finish), or hold characters
nobody can see: Word's manual line break (U+000B), a page break (U+000C), a NUL. Every reader of
the handbook (the validator, the app, the site build) goes through :func:`read_source`, so each of
these becomes a :class:`~generator.problems.Problem` with the line of the first bad byte or
character, and the rest of the handbook still loads.
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import problems as P
from .problems import Problem

MAX_CHARACTER_PROBLEMS = 20  # per file: a pasted Word document can hold hundreds of line breaks
_ALLOWED_CONTROLS = frozenset("\t\n\r")
# is_forbidden_character() as one character class, so a clean file costs one regex scan.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass
class SourceText:
    """A file's text (None when it could not be decoded at all) and the problems found reading it.

    When characters had to be dropped or blanked, ``text`` is still usable: it keeps every line
    where it was, so the file's other mistakes are reported at their real lines too.
    """

    text: str | None
    problems: list[Problem] = field(default_factory=list)


def is_forbidden_character(ch: str) -> bool:
    """True for a character a handbook file must not contain.

    Control characters (Unicode category Cc) other than tab, line feed and carriage return;
    surrogates; noncharacters (U+FDD0–U+FDEF and every code point ending in FFFE or FFFF); and the
    Unicode line and paragraph separators, which YAML and Python treat as line breaks although no
    editor shows one (so every later line number would be off).
    """
    if ch in _ALLOWED_CONTROLS:
        return False
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029):
        return True
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return True
    return unicodedata.category(ch) == "Cs"


def read_source(path: Path, shown: str) -> SourceText:
    """Read ``path`` (displayed as ``shown``) as UTF-8; a UTF-8 byte-order mark is accepted silently."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise  # removed while we were scanning: the caller treats it as gone
    except OSError as exc:
        return SourceText(None, [P.file_unreadable(shown, exc.strerror or type(exc).__name__)])
    return decode_source(data, shown)


def decode_source(data: bytes, shown: str) -> SourceText:
    """Decode the bytes of a source file; see :func:`read_source`."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    found: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if exc.end >= len(data) and _is_cut_character(data[exc.start :]):
            # The last character was cut in half: keep what came before it and go on.
            found.append(P.truncated_file(shown, line))
            text = data[: exc.start].decode("utf-8", errors="replace")
        else:
            return SourceText(None, [P.not_utf8(shown, line, data[exc.start], _guess_encoding(data))])
    text, more = _blank_forbidden_characters(text, shown)
    return SourceText(text, found + more)


def _is_cut_character(tail: bytes) -> bool:
    """True when ``tail`` is the start of a valid multi-byte UTF-8 sequence that ends too early."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(tail, final=False) == "" and len(tail) < 4
    except UnicodeDecodeError:
        return False


def _guess_encoding(data: bytes) -> str | None:
    """The encoding a non-UTF-8 file was most likely saved in, to name it in the message."""
    if data.startswith(_UTF16_BOMS):
        return "UTF-16"
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GBK"


def _blank_forbidden_characters(text: str, shown: str) -> tuple[str, list[Problem]]:
    """Report forbidden characters by line and replace each with a space (line numbers stay put)."""
    bad = [m.start() for m in _FORBIDDEN.finditer(text)]
    if not bad:
        return text, []
    chars = list(text)
    for i in bad:
        chars[i] = " "
    clean = "".join(chars)
    # Lines as the parser counts them: after blanking, splitlines() agrees with every editor.
    starts, offset = [], 0
    for line in clean.splitlines(keepends=True):
        starts.append(offset)
        offset += len(line)
    by_line: dict[int, list[str]] = {}
    for i in bad:
        line = bisect.bisect_right(starts, i)
        if text[i] not in by_line.setdefault(line, []):
            by_line[line].append(text[i])
    found = []
    lines = sorted(by_line)
    for number in lines[:MAX_CHARACTER_PROBLEMS]:
        found.append(P.forbidden_character(shown, number, by_line[number]))
    if len(lines) > MAX_CHARACTER_PROBLEMS:
        last = found[-1]
        found[-1] = P.forbidden_character(
            shown, last.line, by_line[last.line], more_lines=len(lines) - MAX_CHARACTER_PROBLEMS
        )
    return clean, found
