"""Every kind of mistake is reported together, sorted, naming the file, the line, the value and the fix."""

from __future__ import annotations

import pytest

from generator import HandbookError, check_handbook, load_handbook

from ..conftest import TODAY

BROKEN = "tests/handbooks/broken/"

# (file, line, code, text the message must contain) — one row per mistake in tests/handbooks/broken/
EXPECTED = [
    ("a-yaml.md", 4, "yaml-syntax", "方括号"),
    ("b-fields.md", 1, "missing-field", "owner"),
    ("b-fields.md", 2, "bad-id", "Broken_Fields"),
    ("b-fields.md", 4, "wrong-type", "'2.10'"),
    ("b-fields.md", 5, "bad-date", "2026-13-01"),
    ("b-fields.md", 6, "review-overdue", "2020-01-01"),
    ("b-fields.md", 7, "unknown-role", "保洁阿姨"),
    ("b-fields.md", 8, "unknown-field", "reveiw"),
    ("c-checks.md", 11, "check-outside-clause", "chk-before-clause"),
    ("c-checks.md", 21, "unknown-frequency", "每天两次"),
    ("c-checks.md", 22, "unknown-role", "快递员"),
    ("c-checks.md", 23, "unknown-area", "天台"),
    ("c-checks.md", 24, "bad-fine", "中评100元差评200元"),
    ("c-checks.md", 25, "bad-number", "很多"),
    ("c-checks.md", 28, "check-missing-field", "频率"),
    ("c-checks.md", 31, "check-unknown-field", "频度"),
    ("c-checks.md", 34, "clause-missing-id", "{#broken-checks-2}"),
    ("c-checks.md", 36, "broken-link", "#chk-nowhere"),
    ("c-checks.md", 36, "broken-link", "../nowhere.md"),
    ("c-checks.md", 36, "broken-link", "#no-such-anchor"),
    ("c-checks.md", 38, "check-unclosed", "chk-unclosed"),
    ("e-dup-b.md", 2, "duplicate-id", "d-dup-a.md:2"),
    ("e-dup-b.md", 11, "duplicate-id", "d-dup-a.md:11"),
    ("e-dup-b.md", 13, "duplicate-id", "d-dup-a.md:13"),
]


@pytest.fixture(scope="module")
def problems(broken_root):
    return check_handbook(broken_root, today=TODAY)


@pytest.mark.parametrize(
    ("file", "line", "code", "text"), EXPECTED, ids=[f"{r[2]}@{r[0]}:{r[1]}" for r in EXPECTED]
)
def test_mistake_is_reported_at_its_file_and_line(problems, file, line, code, text):
    matches = [p for p in problems if p.path == BROKEN + file and p.line == line and p.code == code]
    assert matches, f"no {code} at {file}:{line}; got:\n" + "\n".join(map(str, problems))
    assert any(text in str(p) for p in matches)


def test_all_problems_are_reported_together_and_sorted(problems):
    assert len(problems) == len(EXPECTED)
    assert problems == sorted(problems)


def test_every_message_is_printed_as_path_line_message_and_fix(problems):
    for problem in problems:
        text = str(problem)
        assert text.startswith(f"{problem.path}:{problem.line}: [")
        assert "；" in text, f"no fix given: {text}"


def test_past_review_date_is_a_warning_not_an_error(problems):
    overdue = [p for p in problems if p.code == "review-overdue"]
    assert [p.severity for p in overdue] == ["warning"]


def test_unknown_frequency_message_lists_what_is_accepted(problems):
    (problem,) = [p for p in problems if p.code == "unknown-frequency"]
    for word in ("每日", "每周五", "每月10日前", "每季度", "每班次", "活动上线前"):
        assert word in problem.hint


def test_loading_a_broken_handbook_raises_with_every_error(broken_root):
    with pytest.raises(HandbookError, match="23 个错误") as info:
        load_handbook(broken_root, today=TODAY)
    assert len([p for p in info.value.problems if p.is_error]) == 23


def test_missing_reference_file_is_reported(handbook_copy):
    (handbook_copy / "reference.yml").unlink()
    codes = {p.code for p in check_handbook(handbook_copy, today=TODAY)}
    assert "reference-missing" in codes


def test_the_sample_handbook_is_clean(good_root):
    assert check_handbook(good_root, today=TODAY) == []
