"""Read a built site's search index the way mkdocs-material's own browser worker does.

The site runs the project's worker (overrides/assets/javascripts/search-worker.js), tested in
Chromium by tests/browser/test_search*.py; this model of the theme's worker checks the index itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_TAG_RE = re.compile(r"<[^>]+>")


class SearchIndex:
    """Tokens per page, split with the index's own separator (as lunr does in the browser)."""

    def __init__(self, site: Path):
        data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
        self.config = data["config"]
        self.docs = data["docs"]
        self.separator = re.compile(self.config["separator"])

    def page_of(self, doc: dict) -> str:
        return doc["location"].split("#")[0]

    def pages_containing(self, term: str) -> set[str]:
        """Pages whose visible text contains ``term`` (what a reader expects to find)."""
        return {
            self.page_of(d)
            for d in self.docs
            if term in _TAG_RE.sub("", d["text"] + d["title"]).replace("\u200b", "")
        }

    def tokens(self, doc: dict) -> list[str]:
        return [t for t in self.separator.split(_TAG_RE.sub(" ", doc["title"] + " " + doc["text"])) if t]

    def segment(self, query: str) -> list[str]:
        """Split a Han query greedily into the index's own words, as the browser worker does."""
        vocabulary = {t for doc in self.docs for t in self.tokens(doc)}
        longest = max(map(len, vocabulary))
        parts, i = [], 0
        while i < len(query):
            for size in range(min(longest, len(query) - i), 0, -1):
                if query[i : i + size] in vocabulary or size == 1:
                    parts.append(query[i : i + size])
                    i += size
                    break
        return parts

    def pages_found(self, query: str) -> set[str]:
        """Pages the worker can match: every query segment is a token or a token's prefix."""
        parts = self.segment(query)
        found = set()
        for doc in self.docs:
            tokens = self.tokens(doc)
            if all(any(t.startswith(part) for t in tokens) for part in parts):
                found.add(self.page_of(doc))
        return found
