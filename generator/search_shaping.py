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
