"""照片: a check may ask for a photo as evidence, always (必须) or on a failure (不合格时); a wrong
value is reported at its line with the fix, and the rule shows on the check card, role pages and overview."""

from __future__ import annotations

import markdown
import pytest

from generator import attributes as A
from generator import check_handbook, load_handbook
from generator.diff import item_changes
from generator.export import check_to_dict
from generator.pages import OVERVIEW_PAGE, generated_pages, role_page_path

from ..conftest import TODAY

SERVICE = "20-客服/service.md"


def _with_attrs(root, *attrs: str) -> int:
    """Put ``attrs`` on the first check of the service policy (cs-response-avg); the line of the first."""
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    old = "罚款: 50元\n///"
    assert old in text
    line = text[: text.index(old)].count("\n") + 2
    path.write_text(text.replace(old, "\n".join(("罚款: 50元", *attrs)) + "\n///", 1), encoding="utf-8")
    return line


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("必须", "always"),
        ("必须拍照", "always"),
        ("每次", "always"),
        ("always", "always"),
        ("ALWAYS", "always"),
        ("不合格时", "fail"),
        ("不合格时 拍照", "fail"),
        ("不合格", "fail"),
        ("fail", "fail"),
    ],
)
def test_a_photo_rule_reads_as_a_policy_owner_writes_it(value, rule):
    assert A.parse_photo(value) == rule


@pytest.mark.parametrize("value", ["", "可选", "是", "合格时", "2张"])
def test_an_unreadable_photo_rule_is_none(value):
    assert A.parse_photo(value) is None


@pytest.mark.parametrize(("key", "value", "rule"), [("照片", "必须", "always"), ("photo", "fail", "fail")])
def test_the_photo_rule_reaches_the_model_and_the_export(handbook_copy, key, value, rule):
    _with_attrs(handbook_copy, f"{key}: {value}")
    assert [p for p in check_handbook(handbook_copy, today=TODAY) if p.is_error] == []
    handbook = load_handbook(handbook_copy, today=TODAY)
    check = next(c for c in handbook.checks if c.id == "cs-response-avg")
    assert check.photo == rule
    assert check_to_dict(check)["photo"] == rule
    assert all(c.photo is None for c in handbook.checks if c.id != "cs-response-avg")


def test_asking_for_a_photo_changes_the_check(handbook_copy, good_root):
    """A check that now needs evidence is a changed rule: its hash (改 on the checklist, the diff) moves."""
    before = next(c for c in load_handbook(good_root, today=TODAY).checks if c.id == "cs-response-avg")
    _with_attrs(handbook_copy, "照片: 必须")
    after = next(c for c in load_handbook(handbook_copy, today=TODAY).checks if c.id == "cs-response-avg")
    assert before.hash != after.hash


def test_a_wrong_photo_rule_is_an_error_at_its_line_with_the_fix(handbook_copy):
    line = _with_attrs(handbook_copy, "照片: 可选")
    (problem,) = [p for p in check_handbook(handbook_copy, today=TODAY) if p.is_error]
    assert (problem.code, problem.path.endswith(SERVICE), problem.line) == ("bad-photo", True, line)
    message = str(problem)
    assert "照片 '可选' 无法识别" in message
    assert "照片: 必须" in message and "照片: 不合格时" in message and "删掉这一行" in message


@pytest.mark.parametrize(("value", "shown"), [("必须", "必须拍照"), ("不合格时", "不合格时拍照")])
def test_the_check_card_shows_when_a_photo_is_required(value, shown):
    source = f"/// 检查 | a-check\n现场整洁。\n频率: 每日\n对象: 售前客服\n照片: {value}\n///\n"
    html = markdown.markdown(source, extensions=["attr_list", "fenced_code", "generator.markdown_ext"])
    assert f"照片：</span>{shown}" in html


def test_role_pages_and_the_overview_say_which_checks_need_a_photo(handbook_copy):
    _with_attrs(handbook_copy, "照片: 不合格时")
    pages = generated_pages(load_handbook(handbook_copy, today=TODAY))
    role = pages[role_page_path("售前客服")].splitlines()
    # The clause row of 第一条 响应时间 (one check, the one asking for a photo), and the others.
    [row] = [line for line in role if "#cs-response\t" in line]
    assert row.endswith("：检查 1 项，罚款最高 50 元，要拍照")
    assert all("拍照" not in line for line in role if line != row)
    [entry] = [line for line in pages[OVERVIEW_PAGE].splitlines() if "cs-response-avg" in line]
    assert "不合格时拍照" in entry


def test_the_release_diff_lists_a_new_photo_rule_per_target(good_root, handbook_copy):
    _with_attrs(handbook_copy, "照片: 必须")
    old, new = load_handbook(good_root, today=TODAY), load_handbook(handbook_copy, today=TODAY)
    targets = {t.target: t for t in item_changes(old, new, TODAY)}
    [item] = targets["岗位 售前客服"].items
    assert ("照片", "—", "必须拍照") in item.fields
