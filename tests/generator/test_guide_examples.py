"""Every path and link the owner guide shows exists, and its error table matches the messages.

Owners copy the guide's examples as they are: a wrong folder in an example path (20-客服 for
30-客服) fails the moment it is copied.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

import pytest

from generator import problems as P
from generator.parser import parse_file
from generator.reference import load_reference

from ..conftest import PROJECT, TODAY

HANDBOOK = PROJECT / "handbook"
GUIDE = HANDBOOK / "如何编写和修改制度.md"
# The worked example defines its own anchors; its links point inside it.
EXAMPLE_RE = re.compile(r"## 完整示例.*?```markdown\n.*?\n```", re.S)


@pytest.fixture(scope="module")
def guide() -> str:
    return EXAMPLE_RE.sub("", GUIDE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def anchors() -> dict[str, set[str]]:
    """The anchors of every handbook page, by path relative to handbook/."""
    reference, _ = load_reference(HANDBOOK, "handbook")
    found = {}
    for path in HANDBOOK.rglob("*.md"):
        rel = path.relative_to(HANDBOOK).as_posix()
        parsed = parse_file(rel, rel, path.read_text(encoding="utf-8"), reference, TODAY)
        found[rel] = parsed.anchors
    return found


def _paths(guide: str) -> list[str]:
    return sorted(set(re.findall(r"handbook/[^\s`'\"）),，:]+", guide)))


def _links(guide: str) -> list[str]:
    return sorted(set(re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", guide)))


def test_the_guide_shows_example_paths_and_links(guide):
    assert "handbook/30-客服/客服管理制度.md" in _paths(guide)
    assert "../50-仓储物流/仓库管理制度.md#wh-stocktake" in _links(guide)


def test_every_handbook_path_in_the_guide_exists(guide):
    for path in _paths(guide):
        assert (PROJECT / path.rstrip("/")).exists(), f"the guide names {path}, which does not exist"


def test_every_link_in_the_guide_resolves(guide, anchors):
    # Links in examples are written as from a policy one folder down, e.g. handbook/30-客服/x.md.
    for link in _links(guide):
        parts = urlsplit(link)
        if parts.scheme:
            continue
        fragment = unquote(parts.fragment)
        if not parts.path:
            # Same-page links: the guide's own sections, or the clause of the example page it names.
            pages = [p for p, found in anchors.items() if fragment in found]
            assert pages, f"no page has the anchor #{fragment} that the guide links to"
            continue
        rel = posixpath.normpath(posixpath.join("30-客服", unquote(parts.path)))
        assert rel in anchors or (HANDBOOK / rel).exists(), f"{link}: no file handbook/{rel}"
        if fragment and rel in anchors:
            assert fragment in anchors[rel], f"{link}: handbook/{rel} has no anchor #{fragment}"


def test_the_same_page_link_example_points_into_the_page_it_names(guide, anchors):
    match = re.search(r"同一页内（例如在 `handbook/([^`]+)` 里）写 `\[[^\]]*\]\(#([^)]+)\)`", guide)
    assert match, "the guide's same-page link example names its page"
    page, anchor = match.groups()
    assert anchor in anchors[page]


def test_the_colon_rule_says_where_each_colon_is_allowed(guide):
    front = guide.split("{#guide-frontmatter}", 1)[1].split("{#guide-clauses}", 1)[0]
    assert "只能用**英文冒号**" in front
    checks = guide.split("{#guide-checks}", 1)[1].split("{#guide-frequency}", 1)[0]
    assert "只限检查项的属性行" in checks and "只能用英文" in checks


# heading in the guide's error table -> a problem of that kind; "…" stands for the named value
TABLE = [
    ("信息区格式错误", P.yaml_syntax("x", 1, "这一行用了中文冒号“：”", "改")),
    ("信息区里字段 … 写了两次", P.yaml_duplicate_key("x", 3, "owner", 2)),
    ("reference.yml 格式错误", P.reference_yaml("x", 1, "这一行用了 Tab", "改")),
    ("reference.yml 格式错误", P.reference_structure("x", 1, "少了“- ”", "改")),
    ("在 reference.yml 里登记了两次", P.reference_duplicate("x", 9, "岗位", "售前客服", 3)),
    (
        "所属的部门 … 不在 reference.yml 的部门列表中",
        P.reference_unknown_department("x", 9, "售前客服", "客服中心", ["客服部"]),
    ),
    ("编号 … 不合规", P.bad_id("x", 1, "检查项编号", "CS-1")),
    ("节假日 … 的日期 … 不是有效日期", P.holiday_bad_date("x", 1, "春节", "2027-02-30")),
    ("节假日 … 没有写日期", P.holiday_without_dates("x", 1, "春节")),
    ("检查项的开头 /// 检查 … 不会成为检查项", P.check_block_indented("x", 1, "前面有 2 个空格")),
    ("开始了一个代码块，但直到文件末尾都没有结束", P.unclosed_fence("x", 1, "```", 3, 2)),
    ("只用了一个 #", P.heading_level_one("x", 1, "第三条")),
    ("# 后面没有空格", P.heading_without_space("x", 1, "##第三条 {#a}")),
    ("分值加起来是 …（提醒）", P.points_total_mismatch("x", 1, 100, 44, 2)),
]


@pytest.mark.parametrize(("heading", "problem"), TABLE, ids=[p.code for _, p in TABLE])
def test_each_new_kind_of_mistake_has_a_row_worded_like_its_message(heading, problem):
    table = GUIDE.read_text(encoding="utf-8").split("{#guide-errors}", 1)[1]
    assert f"\n| {heading} |" in table, heading
    warning = heading.endswith("（提醒）")
    assert (problem.severity == "warning") == warning
    for part in heading.removesuffix("（提醒）").split("…"):
        assert part.strip() in problem.message, (part, problem.message)
    assert problem.hint, "every problem says how to fix it"
