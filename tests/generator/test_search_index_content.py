"""What the search index holds: each clause once, no generated page, no repeated front matter, compact."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from generator.search_shaping import terms_only_inside_words
from generator.search_synonyms import load_synonyms

from ..conftest import PROJECT
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


@pytest.fixture(scope="module")
def real_index(real_site):
    return SearchIndex(real_site)


def doc_at(index, anchor: str) -> dict:
    return next(d for d in index.docs if d["location"].endswith("#" + anchor))


def test_everyday_words_are_indexed_on_the_clauses_using_the_term(real_index):
    fines = doc_at(real_index, "cs-bad-review")  # says 罚款, never 扣钱
    assert "扣钱" in fines["syn"].split() and "罚多少钱" in fines["syn"].split()
    assert "扣钱" not in fines["text"]
    sick = doc_at(real_index, "leave-general")  # 医院证明
    assert "病假条" in sick["syn"].split()
    assert "syn" not in doc_at(real_index, "wh-fire") or "扣钱" not in doc_at(real_index, "wh-fire")["syn"]


def test_the_hidden_words_never_reach_the_page(real_site):
    html = (real_site / "30-客服" / "客服管理制度" / "index.html").read_text(encoding="utf-8")
    assert "罚款" in html and "扣钱" not in html and "罚多少钱" not in html


def test_the_query_side_gets_the_list_turned_around(real_index):
    synonyms = real_index.config["synonyms"]
    assert set(synonyms["扣钱"]) == {"罚款", "负激励"}
    assert synonyms["病假条"] == ["医院证明"]


def test_summary_pages_are_demoted_and_policies_are_not(real_index):
    boosts = {unquote(index_page(d)): d.get("boost", 1) for d in real_index.docs if "#" not in d["location"]}
    assert boosts[""] < 1  # the home page
    assert boosts["30-客服/"] < 1 and boosts["如何编写和修改制度/"] < 1
    assert boosts["30-客服/客服管理制度/"] == 1


def index_page(doc: dict) -> str:
    return doc["location"].split("#")[0]


def test_a_term_found_only_inside_a_longer_word_is_named(real_index):
    inside = terms_only_inside_words({"docs": real_index.docs}, ["离职", "医院证明", "罚款"])
    assert inside == {"离职": "擅离职守"}  # 医院证明 spans whole words (医院 + 证明): fine


def test_the_real_list_has_no_term_only_inside_a_longer_word(real_index):
    terms = {s.term for s in load_synonyms(PROJECT / "handbook")[0]}
    assert terms_only_inside_words({"docs": real_index.docs}, terms) == {}
