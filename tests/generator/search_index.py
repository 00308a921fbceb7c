"""Read a built site's search index the way mkdocs-material's browser worker does."""

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
        return {self.page_of(d) for d in self.docs
                if term in _TAG_RE.sub("", d["text"] + d["title"]).replace("\u200b", "")}

    def pages_found(self, term: str) -> set[str]:
        """Pages the worker can match: some token equals ``term`` or starts with it."""
        found = set()
        for doc in self.docs:
            tokens = self.separator.split(_TAG_RE.sub(" ", doc["title"] + " " + doc["text"]))
            if any(t.startswith(term) for t in tokens if t):
                found.add(self.page_of(doc))
        return found
