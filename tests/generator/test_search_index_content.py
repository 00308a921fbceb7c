"""What the search index holds: each clause once, no generated page, no repeated front matter, compact."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from .search_index import SearchIndex

GENERATED = ("岗位须知/", "检查项总览/")


@pytest.fixture(scope="module")
def index(sample_site):
    return SearchIndex(sample_site)


def test_generated_pages_are_built_but_not_indexed(index, sample_site):
    assert (sample_site / "岗位须知" / "售前客服" / "index.html").exists()
    pages = {unquote(index.page_of(doc)) for doc in index.docs}
    assert not [page for page in pages if page.startswith(GENERATED)]
    assert "20-客服/service/" in pages


def test_a_search_finds_the_clause_not_a_page_repeating_it(index):
    found = {unquote(page) for page in index.pages_found("退款")}
    assert "20-客服/service/" in found
    assert not [page for page in found if page.startswith(GENERATED)]


def test_the_policy_meta_box_is_shown_but_not_indexed(index, sample_site):
    assert not [doc for doc in index.docs if "负责岗位" in doc["text"].replace("\u200b", "")]
    html = (sample_site / "20-客服" / "service" / "index.html").read_text(encoding="utf-8")
    assert "负责岗位" in html and 'class="hb-meta"' in html
    assert "data-search-exclude" not in html


def test_each_clause_is_indexed_once(index):
    locations = [doc["location"] for doc in index.docs]
    assert len(locations) == len(set(locations))


def test_the_index_is_written_as_utf8_without_escapes(sample_site):
    raw = (sample_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "\\u" not in raw.replace("\\\\u", "")  # the separator's own "\\u200b" is a regex escape
    assert "\u200b" in raw and "请假" in raw


def test_the_real_handbooks_index_stays_small(real_site):
    # 1.75 MB before generated pages were excluded and the text written as UTF-8.
    size = (real_site / "search" / "search_index.json").stat().st_size
    assert size < 450_000, size
    assert (real_site / "search" / "search_index.json.br").stat().st_size < 80_000
