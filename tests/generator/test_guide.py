"""The owner's guide (如何编写和修改制度) is checked against the code it documents."""

from __future__ import annotations

import re
import shutil

import pytest

from generator import check_handbook, load_handbook
from generator.attributes import ATTRIBUTE_KEYS
from generator.frontmatter import POLICY_FIELDS
from generator.safehtml import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, SAFE_SCHEMES

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
        "文件不是 UTF-8 编码",
        "文件在最后一个字符的中间断开了",
        "看不见的控制字符",
        "无法读取文件",
        "制度正文里不能写",
        "事件处理程序",
        "HTML 不能带属性",
        "以 javascript: 开头",
        "在其他网站上",
    ):
        assert heading in guide


def test_the_table_headings_are_what_the_messages_say():
    # The error table's first column is what owners search for: it must appear in the messages.
    from generator import problems as P

    messages = [
        P.not_utf8("x", 1, 0xB2, "GBK").message,
        P.truncated_file("x", 1).message,
        P.forbidden_character("x", 1, "\x0b").message,
        P.file_unreadable("x", "Permission denied").message,
        P.html_tag("x", 1, "script", ALLOWED_TAGS).message,
        P.html_event_handler("x", 1, "onclick").message,
        P.html_attribute("x", 1, "style", ALLOWED_ATTRIBUTES).message,
        P.unsafe_url("x", 1, "javascript:alert(1)", "javascript", SAFE_SCHEMES).message,
        P.remote_image("x", 1, "https://example.com/a.png").message,
    ]
    headings = [
        "文件不是 UTF-8 编码",
        "文件在最后一个字符的中间断开了",
        "看不见的控制字符",
        "无法读取文件",
        "制度正文里不能写",
        "事件处理程序",
        "HTML 不能带属性",
        "以 javascript: 开头",
        "在其他网站上",
    ]
    for heading, message in zip(headings, messages, strict=True):
        assert heading in message


def test_the_html_rule_lists_exactly_what_the_check_allows(guide):
    section = guide.split("{#guide-html}", 1)[1].split("\n## ", 1)[0]
    for tag in ALLOWED_TAGS:
        assert f"`<{tag}>`" in section, tag
    for name in ALLOWED_ATTRIBUTES:
        assert f"`{name}`" in section, name
    for scheme in SAFE_SCHEMES:
        assert f"`{scheme}:`" in section, scheme
    for rejected in (
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "link",
        "meta",
        "base",
        "form",
        "svg",
        "math",
    ):
        assert f"`<{rejected}>`" in section, rejected
        assert rejected not in ALLOWED_TAGS
    for prefix in ("javascript:", "vbscript:", "data:"):
        assert f"`{prefix}`" in section


def test_the_encoding_rule_names_the_word_line_break(guide):
    section = guide.split("{#guide-encoding}", 1)[1].split("\n## ", 1)[0]
    for word in ("UTF-8", "GBK", "U+000B", "Shift+Enter", "制度状态"):
        assert word in section
