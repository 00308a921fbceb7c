"""The owners' search synonym list: each mistake named at its line in Chinese, and the real list clean."""

from __future__ import annotations

import shutil

import pytest

from generator import check_handbook
from generator.search_synonyms import FILENAME, check_synonyms, parse_synonyms, words_by_term

from ..conftest import PROJECT, TODAY

SHOWN = "handbook/synonyms.txt"


def test_a_line_gives_the_term_and_its_everyday_words():
    found, problems = parse_synonyms("# 说明\n\n罚款：扣钱、罚钱, 罚多少钱 扣工资\n病假: 生病\n", SHOWN)
    assert problems == []
    assert [(s.term, s.words, s.line) for s in found] == [
        ("罚款", ("扣钱", "罚钱", "罚多少钱", "扣工资"), 3),
        ("病假", ("生病",), 4),
    ]


def test_lines_for_the_same_term_are_merged_and_a_word_may_serve_two_terms():
    found, _ = parse_synonyms("罚款：扣钱\n负激励：扣钱\n罚款：罚钱、扣钱\n", SHOWN)
    assert words_by_term(found) == {"罚款": ("扣钱", "罚钱"), "负激励": ("扣钱",)}


@pytest.mark.parametrize(
    ("line", "code", "says"),
    [
        ("罚款 扣钱 罚钱", "synonym-no-colon", "没有冒号"),
        ("：扣钱", "synonym-no-term", "冒号前面是空的"),
        ("罚款：", "synonym-no-words", "没有写任何常说的词"),
        ("罚款：扣钱、<b>罚钱</b>", "synonym-bad-character", "含有符号"),
        ("罚款：我想知道迟到一次到底要扣多少钱", "synonym-too-long", "像一句话"),
        ("罚款：扣钱、罚款", "synonym-same-as-term", "又写在了自己的说法里"),
    ],
)
def test_each_mistake_is_named_at_its_line(line, code, says):
    _, problems = parse_synonyms(f"# 说明\n{line}\n", SHOWN)
    assert [(p.code, p.path, p.line) for p in problems] == [(code, SHOWN, 2)]
    assert says in problems[0].message
    assert problems[0].hint  # and says how to fix it
    assert str(problems[0]).startswith(f"{SHOWN}:2: ")


@pytest.fixture
def handbook_with_synonyms(handbook_copy):
    def write(text: str):
        (handbook_copy / FILENAME).write_text(text, encoding="utf-8")
        return handbook_copy

    return write


def test_a_term_the_handbook_never_uses_is_a_warning(handbook_with_synonyms):
    root = handbook_with_synonyms("罚款：扣钱\n离职：辞职\n")
    problems = check_synonyms(root)
    assert [(p.code, p.line, p.is_error) for p in problems] == [("synonym-term-unused", 2, False)]
    assert "离职" in problems[0].message


def test_make_check_reports_the_list_with_the_policies(handbook_with_synonyms):
    root = handbook_with_synonyms("罚款：扣钱\n病假条\n")
    problems = [p for p in check_handbook(root, today=TODAY) if p.code.startswith("synonym-")]
    assert [(p.code, p.path.endswith(FILENAME), p.line, p.is_error) for p in problems] == [
        ("synonym-no-colon", True, 2, True)
    ]


def test_a_list_that_is_not_utf8_is_reported_not_raised(handbook_with_synonyms):
    root = handbook_with_synonyms("")
    (root / FILENAME).write_bytes("罚款：扣钱\n".encode("gbk"))
    problems = check_synonyms(root)
    assert [p.code for p in problems] == ["not-utf8"]


def test_no_list_means_no_synonyms_and_no_problem(handbook_copy):
    assert not (handbook_copy / FILENAME).exists()
    assert check_synonyms(handbook_copy) == []


def test_the_real_list_is_clean_and_every_term_is_used(tmp_path):
    root = tmp_path / "handbook"
    shutil.copytree(PROJECT / "handbook", root)
    assert check_synonyms(root) == []
    found, _ = parse_synonyms((root / FILENAME).read_text(encoding="utf-8"), SHOWN)
    assert len(found) >= 100  # every topic of the handbook has its everyday words
    terms = words_by_term(found)
    assert "扣钱" in terms["罚款"] and "病假条" in terms["医院证明"] and "工资" in terms["薪资"]
