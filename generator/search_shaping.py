"""Shape the built search index: everyday words on the entries that use a term, summaries demoted.

Runs once on ``search/search_index.json`` after mkdocs-material has written it (the plugin's
``on_post_build``). Two changes, both read by the project's search worker
(``overrides/assets/javascripts/search-worker.js``):

* ``syn``: the everyday words of every synonym-list term an entry's title or text contains, as
  whole words. It is a field of its own, so the words are found but never shown on the page or in
  a result snippet.
* ``config.synonyms``: the list turned around (everyday word -> terms), for the worker's query side.
* ``boost``: pages that only summarise the clauses (the home page, chapter pages, the owners'
  guide) get ``SUMMARY_BOOST``, so the clause that answers a question ranks above a summary
  repeating it. mkdocs-material's own ``search.boost`` front matter uses the same field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

SUMMARY_BOOST = 0.4
_TAG_RE = re.compile(r"<[^>]+>")
_ZWSP = "\u200b"
_TOKEN_SPLIT = re.compile(r"[\s\u200b]+")


def plain_text(doc: dict) -> str:
    """An entry's title and text as a reader sees them (tags and jieba's separators removed)."""
    return _TAG_RE.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}").replace(_ZWSP, "")


def shape_index(data: dict, words_by_term: dict[str, tuple[str, ...]], summary_pages: Iterable[str]) -> dict:
    """Add ``syn`` and ``boost`` to the entries of ``data`` (a parsed search_index.json), in place."""
    summaries = {unquote(page) for page in summary_pages}
    terms = sorted(words_by_term, key=len, reverse=True)
    for doc in data.get("docs", []):
        text = plain_text(doc)
        words: dict[str, None] = {}
        for term in terms:
            if term in text:
                words.update(dict.fromkeys(w for w in words_by_term[term] if w not in text))
        if words:
            doc["syn"] = " ".join(words)
        if unquote(doc.get("location", "").split("#")[0]) in summaries:
            doc["boost"] = round(doc.get("boost", 1) * SUMMARY_BOOST, 3)
    config = data.setdefault("config", {})
    config.setdefault("fields", {}).setdefault("syn", {"boost": 0.7})
    # The worker receives only the index's config and docs: the everyday word -> terms map rides there.
    config["synonyms"] = everyday_to_terms(words_by_term)
    return data


def everyday_to_terms(words_by_term: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The synonym list turned around, for the query side: everyday word -> the handbook's terms."""
    found: dict[str, list[str]] = {}
    for term, words in words_by_term.items():
        for word in words:
            found.setdefault(word.lower(), []).append(term)
    return found


def terms_only_inside_words(data: dict, terms: Iterable[str]) -> dict[str, str]:
    """Terms the index holds only inside a longer word, each with one such word.

    离职 occurs in the handbook only as part of 擅离职守 (jieba keeps that whole): a synonym line
    离职：辞职 would send 辞职 to "leaving one's post". A term spanning whole index words
    (医院证明 = 医院 + 证明) is fine.
    """
    pending = {t for t in terms if t}
    inside: dict[str, str] = {}
    for doc in data.get("docs", []):
        if not pending:
            break
        if doc.get("boost", 1) < 1:
            continue  # a summary page (the guide quotes 离职 as an example): only what clauses say counts
        tokens = [
            t
            for t in _TOKEN_SPLIT.split(_TAG_RE.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}"))
            if t
        ]
        text = "".join(tokens)
        bounds, at = {0}, 0
        for token in tokens:
            at += len(token)
            bounds.add(at)
        for term in list(pending):
            start = text.find(term)
            while start != -1:
                if start in bounds and start + len(term) in bounds:
                    pending.discard(term)
                    inside.pop(term, None)
                    break
                if term not in inside:
                    inside[term] = _word_around(tokens, start, len(term))
                start = text.find(term, start + 1)
    return {term: word for term, word in inside.items() if term in pending}


def _word_around(tokens: list[str], start: int, length: int) -> str:
    at = 0
    pieces = []
    for token in tokens:
        end = at + len(token)
        if end > start and at < start + length:
            pieces.append(token)
        at = end
    return "".join(pieces)
