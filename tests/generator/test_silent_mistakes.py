"""Mistakes that used to pass `make check` silently, or were reported badly (tracker issue 14, part 1).

Each test writes one mistake an owner made while writing a policy from the guide alone into a
copy of the sample handbook, and checks that it is now reported at its file and line, in Chinese,
with the fix, and that nothing that merely follows from it is reported on top.
"""

from __future__ import annotations

import json
import os

import pytest

from generator import HandbookLoader, check_handbook, load_handbook

from ..conftest import TODAY

SERVICE = "20-客服/service.md"
LEAVE = "10-考勤与请假/leave.md"
REFERENCE = "reference.yml"

CHECK = """/// 检查 | cs-extra
每日抽查一次快捷回复。
频率: 每日
对象: 售前客服
///
"""


def _problems(root):
    return check_handbook(root, today=TODAY)


def _edit(root, rel, old, new) -> int:
    """Replace ``old`` by ``new`` once in ``root/rel``; return the 1-based line where ``new`` starts."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _append(root, rel, addition) -> int:
    """Append ``addition`` to ``root/rel``; return the 1-based line of its first line."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + addition, encoding="utf-8")
    return text.count("\n") + 1


def _one(problems, code):
    matches = [p for p in problems if p.code == code]
    assert len(matches) == 1, "\n".join(map(str, problems))
    return matches[0]


# --- check blocks Markdown does not see ------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("  ", "2 个空格"), ("    ", "4 个空格"), ("1. ", "编号列表"), ("- ", "项目列表"), ("> ", "引用")],
    ids=["two-spaces", "four-spaces", "numbered-list", "bullet-list", "quote"],
)
def test_an_indented_check_block_is_an_error_at_its_line(handbook_copy, prefix, words):
    block = "\n".join(prefix + line for line in CHECK.splitlines()) + "\n"
    line = _append(handbook_copy, SERVICE, "\n" + block) + 1
    problems = _problems(handbook_copy)
    problem = _one(problems, "check-indented")
    assert problem.is_error and problem.path.endswith(SERVICE) and problem.line == line
    assert words in problem.message and "顶格" in problem.hint
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_a_stray_fence_is_an_error_naming_what_it_swallows(handbook_copy):
    line = _edit(handbook_copy, SERVICE, "## 第二条 退款处理", "```\n\n## 第二条 退款处理")
    problems = _problems(handbook_copy)
    (problem,) = problems  # nothing after the stray line is lost or reported twice
    assert (problem.code, problem.line, problem.is_error) == ("fence-unclosed", line, True)
    assert "2 个条款" in problem.message and "3 个检查项" in problem.message
    assert "删除" in problem.hint


def test_checks_still_validated_after_a_stray_fence(handbook_copy):
    _edit(handbook_copy, SERVICE, "## 第二条 退款处理", "```\n\n## 第二条 退款处理")
    line = _edit(handbook_copy, SERVICE, "频率: weekly:mon", "频率: 每天两次")
    codes = {(p.code, p.line) for p in _problems(handbook_copy)}
    assert ("unknown-frequency", line) in codes


def test_two_stray_fences_around_rules_are_an_error_naming_both_lines(handbook_copy):
    opened = _edit(handbook_copy, SERVICE, "## 第二条 退款处理", "```\n\n## 第二条 退款处理")
    closed = _edit(handbook_copy, SERVICE, "## 第三条 中差评", "```\n\n## 第三条 中差评")
    (problem,) = _problems(handbook_copy)
    assert (problem.code, problem.line, problem.is_error) == ("fence-hides-rules", opened, True)
    assert f"第 {closed} 行" in problem.message and "1 个条款和1 个检查项" in problem.message
    assert "删除它们" in problem.hint and "```text" in problem.hint


def test_a_fence_that_says_it_is_an_example_may_show_a_check_in_a_policy(handbook_copy):
    example = "```text\n/// 检查 | cs-example\n示例。\n频率: 每日\n///\n```\n\n"
    _edit(handbook_copy, SERVICE, "## 第三条 中差评", example + "## 第三条 中差评")
    assert _problems(handbook_copy) == []


def test_a_clause_written_with_one_hash_is_an_error(handbook_copy):
    line = _edit(
        handbook_copy, SERVICE, "## 第三条 中差评 {#cs-bad-review}", "# 第三条 中差评 {#cs-bad-review}"
    )
    problem = _one(_problems(handbook_copy), "clause-level-one")
    assert problem.line == line and problem.is_error
    assert "##" in problem.hint


def test_a_clause_without_a_space_after_the_hashes_is_an_error(handbook_copy):
    line = _edit(
        handbook_copy, SERVICE, "## 第三条 中差评 {#cs-bad-review}", "##第三条 中差评 {#cs-bad-review}"
    )
    problem = _one(_problems(handbook_copy), "heading-no-space")
    assert problem.line == line and "空格" in problem.hint


def test_a_check_in_a_heading_less_section_is_not_filed_silently(handbook_copy):
    # The check under the broken heading used to join the clause above it without a word.
    _edit(handbook_copy, SERVICE, "## 第三条 中差评 {#cs-bad-review}", "# 第三条 中差评 {#cs-bad-review}")
    assert any(p.is_error for p in _problems(handbook_copy))


# --- reference data ----------------------------------------------------------------


def test_a_role_declared_twice_is_an_error_at_the_second(handbook_copy):
    line = _edit(handbook_copy, REFERENCE, "部门:\n", "  - 名称: 售前客服\n    部门: 客服部\n部门:\n")
    problem = _one(_problems(handbook_copy), "reference-duplicate")
    assert problem.line == line and "售前客服" in problem.message and "第 3 行" in problem.message


def test_a_role_in_an_unregistered_department_is_an_error(handbook_copy):
    line = _edit(
        handbook_copy,
        REFERENCE,
        "    部门: 行政部\n  - 名称: 人事专员",
        "    部门: 行政中心\n  - 名称: 人事专员",
    )
    problem = _one(_problems(handbook_copy), "reference-unknown-department")
    assert problem.line == line and "行政中心" in problem.message and "行政部" in problem.hint


def test_a_department_head_that_is_not_a_declared_role_is_an_error(handbook_copy):
    """负责人 names the role that must fix what failed: a person's name there would match nobody."""
    line = _edit(handbook_copy, REFERENCE, "    负责人: 客服主管\n", "    负责人: 王经理\n")
    problem = _one(_problems(handbook_copy), "reference-unknown-head")
    assert problem.line == line and "王经理" in problem.message and "客服主管" in problem.hint


def test_a_department_names_the_role_that_heads_it(handbook_copy):
    reference = load_handbook(handbook_copy, today=TODAY).reference
    heads = {d.name: d.head for d in reference.departments}
    assert heads["客服部"] == "客服主管" and heads["行政部"] is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("区域: [客服后台, 仓库, 办公区, 店铺首页]", "区域: [客服后台, 仓库, 办公区, 店铺首页, 仓库]"),
        ("事件: [活动上线前, 新品上架前]", "事件: [活动上线前, 新品上架前, 活动上线前]"),
        ("  - 名称: 行政部\n", "  - 名称: 仓储部\n    人数: 8\n  - 名称: 行政部\n"),
    ],
    ids=["area", "event", "department"],
)
def test_a_name_declared_twice_in_a_group_is_an_error(handbook_copy, old, new):
    line = _edit(handbook_copy, REFERENCE, old, new)
    problem = _one(_problems(handbook_copy), "reference-duplicate")
    assert problem.line >= line and problem.is_error


@pytest.mark.parametrize(
    ("old", "new", "code", "words"),
    [
        # a missing "- ": the role merges into the one above it (YAML keeps the last 名称)
        ("  - 名称: 售后客服\n", "    名称: 售后客服\n", "reference-structure", "缺了“- ”"),
        # a "- " indented deeper than the first: every area folds into the first one
        (
            "区域: [客服后台, 仓库, 办公区, 店铺首页]",
            "区域:\n- 客服后台\n  - 仓库\n  - 办公区\n  - 店铺首页",
            "reference-structure",
            "同一项",
        ),
        # a group key indented: YAML syntax error
        ("\n部门:\n", "\n  部门:\n", "reference-yaml", "缩进"),
        # an item key over-indented
        (
            "  - 名称: 售前客服\n    部门: 客服部",
            "  - 名称: 售前客服\n      部门: 客服部",
            "reference-yaml",
            "缩进",
        ),
        # a misspelt group
        ("部门:\n", "部们:\n", "reference-structure", "部们"),
    ],
    ids=["missing-dash", "area-indent", "group-indent", "item-indent", "unknown-group"],
)
def test_one_wrong_indent_in_reference_yml_is_one_problem(handbook_copy, old, new, code, words):
    line = _edit(handbook_copy, REFERENCE, old, new)
    problems = _problems(handbook_copy)
    assert len(problems) == 1, "\n".join(map(str, problems))
    (problem,) = problems
    assert problem.code == code and problem.path.endswith(REFERENCE)
    assert "reference.yml 格式错误" in problem.message and "信息区" not in problem.message
    assert words in problem.message
    assert line <= problem.line <= line + new.count("\n") + 1


# --- YAML errors in Chinese, at the line to fix ----------------------------------------


@pytest.mark.parametrize("rel", [SERVICE, REFERENCE])
def test_a_tab_is_named_as_such(handbook_copy, rel):
    old, new, offset = (
        ("sources: [003_2d16ab885f65d886.txt]\n", "sources:\n\t- 003_2d16ab885f65d886.txt\n", 1)
        if rel == SERVICE
        else ("  - 名称: 售后客服\n    部门: 客服部", "  - 名称: 售后客服\n\t部门: 客服部", 1)
    )
    line = _edit(handbook_copy, rel, old, new) + offset
    (problem,) = _problems(handbook_copy)
    assert problem.line == line, problem
    assert "Tab" in problem.message and "空格" in problem.hint
    assert "could not" not in str(problem) and "token" not in str(problem)


@pytest.mark.parametrize("rel", [SERVICE, REFERENCE])
def test_a_full_width_colon_is_named_as_such_at_its_own_line(handbook_copy, rel):
    old, new = (
        ("title: 客服管理制度\n", "title：客服管理制度\n")
        if rel == SERVICE
        else ("    部门: 仓储部\n", "    部门：仓储部\n")
    )
    line = _edit(handbook_copy, rel, old, new)
    (problem,) = _problems(handbook_copy)
    assert problem.line == line, problem  # the parser notices it a line later
    assert "中文冒号“：”" in problem.message and "英文冒号" in problem.hint
    assert "could not find" not in str(problem)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("title: 客服管理制度\n", "title:客服管理制度\n", "冒号后面缺少空格"),
        ('version: "2.0"\n', 'version: "2.0\n', "引号没有成对"),
        ("title: 客服管理制度\n", "title: “客服: 管理制度”\n", "中文引号"),
        ("title: 客服管理制度\n", "title: 客服: 管理制度\n", "冒号加空格"),
        ("owner: 客服主管\n", "owner: 客服主管\n  version: x\n", "缩进"),
    ],
    ids=["no-space", "unmatched-quote", "full-width-quotes", "colon-in-value", "indent"],
)
def test_front_matter_yaml_errors_name_the_likely_cause(handbook_copy, old, new, words):
    line = _edit(handbook_copy, SERVICE, old, new)
    (problem,) = _problems(handbook_copy)
    assert problem.code == "yaml-syntax" and words in problem.message
    assert line <= problem.line <= line + 1


def test_a_front_matter_field_written_twice_is_an_error(handbook_copy):
    line = _edit(handbook_copy, SERVICE, "sources:", "owner: 售前客服\nsources:")
    problem = _one(_problems(handbook_copy), "yaml-duplicate-key")
    assert problem.line == line and "owner" in problem.message and "第 4 行" in problem.message


# --- duplicate ids: blame the new one ---------------------------------------------------


DUPLICATE = """
## 第三条 新条款 {#leave-new}

/// 检查 | cs-refund-24h
新写的检查项，编号和客服制度里的重复了。
频率: 每日
对象: 全体员工
///
"""


def _set_mtime(path, seconds):
    os.utime(path, ns=(seconds * 1_000_000_000, seconds * 1_000_000_000))


def test_a_duplicate_id_is_blamed_on_the_file_changed_last(handbook_copy):
    line = _append(handbook_copy, LEAVE, DUPLICATE) + 3
    _set_mtime(handbook_copy / SERVICE, 1_700_000_000)
    _set_mtime(handbook_copy / LEAVE, 1_700_086_400)  # a day later, though earlier in path order
    (problem,) = _problems(handbook_copy)
    assert (problem.code, problem.path.endswith(LEAVE), problem.line) == ("duplicate-id", True, line)
    assert f"{SERVICE}:31" in problem.message and "新写的" in problem.message


def test_a_duplicate_id_is_blamed_on_the_one_not_yet_published(handbook_copy):
    line = _append(handbook_copy, LEAVE, DUPLICATE) + 3
    for rel in (SERVICE, LEAVE):
        _set_mtime(handbook_copy / rel, 1_700_000_000)
    # The service policy is newer on disk, but its check was already published.
    _set_mtime(handbook_copy / SERVICE, 1_700_086_400)
    site = handbook_copy.parent / "site"
    site.mkdir()
    policies = HandbookLoader(handbook_copy, today=TODAY)
    export = {
        "schema_version": 1,
        "policies": [
            {
                "id": "cs-service",
                "source": {"path": f"handbook/{SERVICE}"},
                "clauses": [{"id": "cs-refund", "checks": [{"id": "cs-refund-24h"}]}],
            }
        ],
    }
    (site / "handbook.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    (problem,) = policies.load().problems
    assert problem.path.endswith(LEAVE) and problem.line == line
    assert "已发布" in problem.message


# --- values owners expect to work ------------------------------------------------------


@pytest.mark.parametrize("fine", ["5元/处", "2元/项", "200元/次", "10元/人", "3元每处"])
def test_per_occurrence_fines_are_accepted(handbook_copy, fine):
    _edit(handbook_copy, SERVICE, "罚款: 50元", f"罚款: {fine}")
    result = HandbookLoader(handbook_copy, today=TODAY).load()
    assert result.problems == ()
    assert result.handbook.check("cs-response-avg").fine == float(fine.split("元")[0])


def test_a_daily_frequency_with_a_time_is_kept_like_a_weekly_one(handbook_copy):
    _edit(
        handbook_copy,
        SERVICE,
        "频率: 每日\n对象: 售前客服, 售后客服",
        "频率: 每日 07:00\n对象: 售前客服, 售后客服",
    )
    result = HandbookLoader(handbook_copy, today=TODAY).load()
    assert result.problems == ()
    frequency = result.handbook.check("cs-response-avg").frequency
    assert (frequency.kind, frequency.time, frequency.label) == ("daily", "07:00", "每日 07:00")


@pytest.mark.parametrize("value", ["每日 17:00 前", "每日17点前", "每周五 17:00前"])
def test_a_deadline_time_is_a_frequency_of_its_own(handbook_copy, value):
    # Once refused with its own message; deadlines are now a frequency (see test_frequencies).
    _edit(handbook_copy, SERVICE, "频率: weekly:mon", f"频率: {value}")
    assert _problems(handbook_copy) == []


@pytest.mark.parametrize(
    ("bad", "words", "suggestion"),
    [("CS-Extra", "大写字母", "cs-extra"), ("客服-1", "汉字", None), ("cs_extra", "下划线", "cs-extra")],
)
def test_a_check_id_breaking_the_rule_says_which_rule(handbook_copy, bad, words, suggestion):
    line = _edit(handbook_copy, SERVICE, "/// 检查 | cs-refund-24h", f"/// 检查 | {bad}")
    problem = _one(_problems(handbook_copy), "bad-id")
    assert problem.line == line and words in problem.message
    assert "小写英文字母" in problem.hint
    if suggestion:
        assert f"可以改成 {suggestion}" in problem.hint


# --- score sheets ------------------------------------------------------------------------

SHEET = """---
id: sheet
title: 评分表
owner: 行政专员
version: "1"
effective: 2026-01-01
review: 2099-01-01
applies_to: [全体员工]
scoring:
  full_marks: 100
---

## 第一条 检查项目 {#sheet-items}

/// 检查 | sheet-desk
桌面整洁。
频率: 每日
对象: 全体员工
分值: 20
///

/// 检查 | sheet-floor
地面干净。
频率: 每日
对象: 全体员工
分值: 24
///
"""


def test_item_points_not_adding_up_to_full_marks_is_a_warning(handbook_copy):
    (handbook_copy / "60-评分").mkdir()
    (handbook_copy / "60-评分/sheet.md").write_text(SHEET, encoding="utf-8")
    (problem,) = _problems(handbook_copy)
    assert (problem.code, problem.severity, problem.line) == ("points-total-mismatch", "warning", 10)
    assert "100" in problem.message and "44" in problem.message and "full_marks 改成 44" in problem.hint


def test_item_points_adding_up_to_full_marks_pass(handbook_copy):
    (handbook_copy / "60-评分").mkdir()
    text = SHEET.replace("full_marks: 100", "full_marks: 44")
    (handbook_copy / "60-评分/sheet.md").write_text(text, encoding="utf-8")
    assert _problems(handbook_copy) == []
