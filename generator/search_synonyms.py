"""The owners' search synonym list (``handbook/synonyms.txt``): parse, check, and look words up.

One line per handbook term: ``罚款：扣钱、罚钱``. The left side is the word the handbook uses, the
right side the everyday words people type for it. The build appends those words to the search
entry of every clause containing the term (:mod:`generator.search_shaping`), and the site's search
worker maps a typed everyday word to the term, so the result opens with the term highlighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import problems as P
from .problems import Problem
from .sourcefile import read_source

FILENAME = "synonyms.txt"
MAX_WORD_LENGTH = 12  # a word or a short phrase someone types, not a sentence
_COLON = re.compile(r"[:：]")
_WORD_SEPARATORS = re.compile(r"[、，,;；\s]+")
# The words end up in the search index and the search worker; keep them plain text.
_FORBIDDEN = re.compile(r"[<>&\"'`\\{}\[\]|*^~+]")


@dataclass(frozen=True)
class Synonym:
    """One line of the list: the handbook's ``term`` and the everyday ``words`` for it."""

    term: str
    words: tuple[str, ...]
    line: int


def parse_synonyms(text: str, shown: str) -> tuple[list[Synonym], list[Problem]]:
    """Every well-formed line as a :class:`Synonym`, and a problem for each line that is not."""
    found: list[Synonym] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = _COLON.split(line, maxsplit=1)
        if len(parts) != 2:
            problems.append(P.synonym_no_colon(shown, number, line))
            continue
        term, rest = parts[0].strip(), parts[1].strip()
        words = [w for w in _WORD_SEPARATORS.split(rest) if w]
        if not term:
            problems.append(P.synonym_no_term(shown, number, line))
            continue
        if not words:
            problems.append(P.synonym_no_words(shown, number, term))
            continue
        bad = [w for w in (term, *words) if _FORBIDDEN.search(w) or _COLON.search(w)]
        if bad:
            problems.append(P.synonym_bad_character(shown, number, bad[0]))
            continue
        long = [w for w in (term, *words) if len(w) > MAX_WORD_LENGTH]
        if long:
            problems.append(P.synonym_too_long(shown, number, long[0], MAX_WORD_LENGTH))
            continue
        if term in words:
            problems.append(P.synonym_same_as_term(shown, number, term))
        unique = tuple(dict.fromkeys(w for w in words if w != term))
        if unique:
            found.append(Synonym(term, unique, number))
    return found, problems


def load_synonyms(root: Path, shown_root: str = "handbook") -> tuple[list[Synonym], list[Problem]]:
    """The list in ``root`` (none when the file does not exist) and the problems of its lines."""
    path = Path(root) / FILENAME
    if not path.is_file():
        return [], []
    shown = f"{shown_root}/{FILENAME}"
    source = read_source(path, shown)
    if source.text is None:
        return [], list(source.problems)
    found, problems = parse_synonyms(source.text, shown)
    return found, [*source.problems, *problems]


def check_synonyms(root: Path, shown_root: str = "handbook") -> list[Problem]:
    """Problems of the list, plus a warning for each term the handbook's pages never use."""
    synonyms, problems = load_synonyms(root, shown_root)
    if synonyms:
        corpus = handbook_text(Path(root))
        shown = f"{shown_root}/{FILENAME}"
        problems += [P.synonym_term_unused(shown, s.line, s.term) for s in synonyms if s.term not in corpus]
    return problems


def handbook_text(root: Path) -> str:
    """The policies and chapter pages under ``root``, for "does the handbook use this word" questions.

    Not the owners' guide: it quotes words as examples.
    """
    texts = []
    for path in sorted(root.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if text.lstrip("\ufeff").startswith("---") or path.name == "index.md":
            texts.append(text)
    return "\n".join(texts)


def words_by_term(synonyms: list[Synonym]) -> dict[str, tuple[str, ...]]:
    """Each term's everyday words, lines for the same term merged in file order."""
    merged: dict[str, dict[str, None]] = {}
    for s in synonyms:
        merged.setdefault(s.term, {}).update(dict.fromkeys(s.words))
    return {term: tuple(words) for term, words in merged.items()}
