"""The owner's guide (如何编写和修改制度) is checked against the code it documents."""

from __future__ import annotations

import re
import shutil

import pytest

from generator import check_handbook, load_handbook
from generator.attributes import ATTRIBUTE_KEYS
from generator.frontmatter import POLICY_FIELDS

from ..conftest import PROJECT, TODAY

GUIDE = PROJECT / "handbook" / "如何编写和修改制度.md"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _worked_example(guide: str) -> str:
    match = re.search(r"## 完整示例.*?```markdown\n(.*?)\n```", guide, re.S)
    assert match, "the guide has no ```markdown worked example"
    return match.group(1) + "\n"


def test_worked_example_parses_with_zero_problems(guide, tmp_path):
    root = tmp_path / "handbook"
    root.mkdir()
    shutil.copy(PROJECT / "handbook" / "reference.yml", root / "reference.yml")
    (root / "example.md").write_text(_worked_example(guide), encoding="utf-8")
    assert check_handbook(root, today=TODAY) == []
    policy = load_handbook(root, today=TODAY).policies[0]
    assert [c.id for c in policy.clauses] == ["example-weekly-stocktake", "example-monthly-report"]
    assert [k.frequency.label for k in policy.checks] == ["每周五", "每月10日前"]
    assert policy.checks[1].fine == 50


def test_every_front_matter_field_is_documented(guide):
    for field in POLICY_FIELDS:
        assert f"`{field.name}`" in guide


def test_every_check_attribute_and_its_aliases_are_documented(guide):
    for names in ATTRIBUTE_KEYS.values():
        for name in names:
            assert name in guide, name


@pytest.mark.parametrize(
    "word",
    [
        "每日",
        "每天",
        "daily",
        "每个工作日",
        "workdays",
        "每周",
        "weekly",
        "每周五",
        "weekly:mon",
        "每周一 08:00",
        "每月",
        "monthly",
        "每月10日",
        "每月10号",
        "monthly:10",
        "每月10日前",
        "monthly:10-by",
        "每月最后一天",
        "monthly:last",
        "每季度",
        "quarterly",
        "每年",
        "yearly",
        "每班次",
        "shift",
        "活动上线前",
        "event:",
        "（推断）",
    ],
)
def test_every_frequency_spelling_is_documented(guide, word):
    assert word in guide


def test_every_problem_kind_has_a_row_in_the_error_table(guide):
    for heading in (
        "信息区格式错误",
        "缺少必填字段",
        "不是有效日期",
        "复审日期已过",
        "编号重复",
        "频率无法识别",
        "岗位 / 区域不在列表中",
        "检查项不在任何条款之内",
        "链接无效",
        "没有结束标记",
    ):
        assert heading in guide
