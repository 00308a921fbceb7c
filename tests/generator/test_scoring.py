"""Score sheets and ledger rules are declared in front matter; every mistake names its line and fix."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from generator import check_handbook, load_handbook

from ..conftest import TODAY

HEADER = """\
---
id: sheet
title: 评分表
owner: 行政专员
version: "1"
effective: 2026-01-01
review: 2099-01-01
applies_to: [全体员工]
{extra}
---

## 第一条 检查 {{#sheet-items}}

/// 检查 | sheet-desk
桌面整洁。
频率: 每日
对象: 全体员工
检查人: 行政专员
{attrs}
///
"""

BANDS = """\
scoring:
  full_marks: 100
  per: department
  size_bands:
    - {min: 10, points: 1, label: 十人以上部门}
    - {min: 5, max: 9, points: 2, label: 十人以下部门}
    - {max: 4, points: 3, label: 五人以下部门}
  best_reward: 100
  worst_fine: 100"""


@pytest.fixture
def write(tmp_path, good_root):
    """Write one policy file next to the sample reference data; return its problems."""
    root = tmp_path / "handbook"
    root.mkdir()
    shutil.copy(good_root / "reference.yml", root / "reference.yml")

    def _write(extra: str, attrs: str = "扣分: 按人数档", name: str = "sheet.md", policy_id: str = "sheet"):
        text = HEADER.format(extra=textwrap.dedent(extra).strip(), attrs=attrs).replace(
            "id: sheet", f"id: {policy_id}"
        )
        text = text.replace("sheet-items", f"{policy_id}-items").replace("sheet-desk", f"{policy_id}-desk")
        (root / name).write_text(text, encoding="utf-8")
        return root

    return _write


def _codes(root) -> list[tuple[str, int, str]]:
    return [(p.path.rsplit("/", 1)[-1], p.line, p.code) for p in check_handbook(root, today=TODAY)]


def _check_line(root, name: str = "sheet.md") -> int:
    """The line of the check block in a written policy file."""
    return (root / name).read_text(encoding="utf-8").splitlines().index("/// 检查 | sheet-desk") + 1


def test_a_score_sheet_with_size_bands_is_read_into_the_model(write):
    policy = load_handbook(write(BANDS), today=TODAY).policy("sheet")
    scoring = policy.scoring
    assert scoring.full_marks == 100 and scoring.per == "department" and scoring.weekly == "average"
    assert [(b.min, b.max, b.points, b.label) for b in scoring.size_bands] == [
        (0, 4, 3, "五人以下部门"),
        (5, 9, 2, "十人以下部门"),
        (10, None, 1, "十人以上部门"),
    ]
    assert [scoring.band_for(n).points for n in (12, 10, 9, 8, 5, 4, 0)] == [1, 1, 2, 2, 2, 3, 3]
    assert (scoring.best_reward, scoring.worst_fine) == (100, 100)
    assert policy.checks[0].deduction.by_band
    assert policy.scored_checks == policy.checks


@pytest.mark.parametrize(
    ("bands", "line", "message"),
    [  # the list starts on line 13; a gap or overlap is reported at the band after it
        ("- {min: 10, points: 1}\n    - {max: 8, points: 3}", 13, "9–9人不属于任何一档"),
        (
            "- {min: 10, points: 1}\n    - {min: 5, max: 10, points: 2}\n    - {max: 4, points: 3}",
            13,
            "10人同时属于两档",
        ),
        ("- {min: 0, max: 9, points: 2}", 13, "10人以上不属于任何一档"),
        ("- {min: 0, points: 0}", 13, "points 0 应是正数"),
        ("- {min: 0, points: 1, size: 3}", 13, "不认识的键 size"),
    ],
)
def test_size_band_mistakes_name_the_band_line(write, bands, line, message):
    root = write(f"scoring:\n  full_marks: 100\n  per: department\n  size_bands:\n    {bands}")
    problems = check_handbook(root, today=TODAY)
    assert [(p.line, p.code) for p in problems] == [(line, "bad-scoring")]
    assert message in problems[0].message
    assert "首尾相接" in problems[0].hint or "可用" in problems[0].hint


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("scoring:\n  full_marks: 满分", 10, "full_marks '满分' 应是正数"),
        ("scoring:\n  full_marks: 100\n  weekly: sum", 11, "weekly 'sum'"),
        ("scoring:\n  full_marks: 100\n  per: 部门", 11, "per '部门'"),
        ("scoring:\n  full_marks: 100\n  fullmarks: 90", 11, "不认识的键 fullmarks"),
        ("scoring:\n  full_marks: 100\n  size_bands:\n    - {points: 1}", 11, "按人数档扣分要按部门评分"),
        ("scoring: 100", 9, "应是一组"),
        ("penalties:\n  approval_above: 三百", 10, "approval_above '三百'"),
        ("penalties:\n  repeat_limit: 0", 10, "repeat_limit 0"),
    ],
)
def test_scoring_and_penalty_mistakes_name_their_line(write, extra, line, message):
    attrs = "罚款: 50元" if extra.startswith("penalties") else "扣分: 2"
    problems = check_handbook(write(extra, attrs=attrs), today=TODAY)
    assert len(problems) == 1, problems
    assert problems[0].line == line and message in problems[0].message


def test_band_deduction_needs_size_bands(write):
    root = write("scoring:\n  full_marks: 100")
    assert _codes(root) == [("sheet.md", _check_line(root), "deduction-without-bands")]


def test_a_deduction_without_a_number_is_an_error_in_a_scored_policy(write):
    root = write("scoring:\n  full_marks: 100", attrs="扣分: 视情节扣分")
    problems = check_handbook(root, today=TODAY)
    assert [(p.line, p.code) for p in problems] == [(_check_line(root), "bad-deduction")]
    assert "扣分: 按人数档" in problems[0].hint


def test_points_without_a_score_sheet_are_a_warning_not_an_error(write):
    root = write("tags: [卫生]", attrs="分值: 5")
    problems = check_handbook(root, today=TODAY)
    assert [(p.line, p.code, p.is_error) for p in problems] == [
        (_check_line(root), "points-without-scoring", False)
    ]
    load_handbook(root, today=TODAY)  # still loads


def test_penalty_rules_are_declared_once(write):
    root = write("penalties:\n  approval_above: 300\n  repeat_limit: 3", attrs="罚款: 50元")
    write("penalties:\n  approval_above: 500", attrs="罚款: 50元", name="zz.md", policy_id="other")
    problems = check_handbook(root, today=TODAY)
    assert [(p.path.rsplit("/", 1)[-1], p.line, p.code) for p in problems] == [
        ("zz.md", 9, "duplicate-penalties")
    ]
    assert "sheet.md:9" in problems[0].message


def test_handbook_exposes_its_penalty_rules(write):
    handbook = load_handbook(
        write("penalties:\n  approval_above: 300\n  repeat_limit: 3", attrs="罚款: 50元"), today=TODAY
    )
    rules = handbook.penalty_rules
    assert (rules.approval_above, rules.repeat_limit) == (300, 3)


def test_size_bands_need_every_department_head_count(write):
    root = write(BANDS)
    ref = root / "reference.yml"
    ref.write_text(ref.read_text(encoding="utf-8").replace("    人数: 8\n", ""), encoding="utf-8")
    problems = check_handbook(root, today=TODAY)
    assert [(p.path.rsplit("/", 1)[-1], p.code) for p in problems] == [("reference.yml", "missing-headcount")]
    assert "仓储部" in problems[0].message and "人数: 12" in problems[0].hint
    assert problems[0].line == ref.read_text(encoding="utf-8").splitlines().index("  - 名称: 仓储部") + 1
