"""The parser turns the sample handbook into the typed model, with sources and hashes."""

from __future__ import annotations

import datetime as dt

from generator.parser import page_url, parse_file, split_heading
from generator.reference import load_reference

from ..conftest import TODAY


def test_every_policy_is_read_in_path_order(handbook):
    assert [p.id for p in handbook.policies] == ["leave", "cs-service", "wh", "hygiene", "rewards"]


def test_policy_front_matter_becomes_typed_fields(handbook):
    policy = handbook.policy("cs-service")
    assert policy.title == "客服管理制度"
    assert policy.owner == "客服主管"
    assert policy.version == "2.0"
    assert policy.effective == dt.date(2026, 3, 1)
    assert policy.review == dt.date(2099, 6, 30)
    assert policy.applies_to == ("售前客服", "售后客服")
    assert policy.sources == ("003_2d16ab885f65d886.txt",)
    assert policy.source.path == "tests/handbooks/good/20-客服/service.md"
    assert policy.source.line == 1


def test_clauses_keep_their_explicit_anchor_title_and_line(handbook):
    clause = handbook.clause("cs-response")
    assert clause.title == "第一条 响应时间"
    assert clause.anchor == "cs-response"
    assert clause.source.line == 14
    assert clause.url == "20-%E5%AE%A2%E6%9C%8D/service/#cs-response"


def test_subclauses_know_their_chapter(handbook):
    assert handbook.clause("wh-lock").parent_id == "wh-safety"
    assert handbook.clause("wh-safety").parent_id is None


def test_check_item_carries_every_attribute(handbook):
    check = handbook.check("cs-response-avg")
    assert check.text == "抽查前一日聊天记录，客服平均响应时间不超过50秒。"
    assert check.frequency.kind == "daily"
    assert check.roles == ("售前客服", "售后客服")
    assert check.checkers == ("客服主管",)
    assert check.area == "客服后台"
    assert check.fine == 50
    assert check.policy_id == "cs-service"
    assert check.clause_id == "cs-response"
    assert check.source.line == 18


def test_checker_defaults_to_the_policy_owner(handbook):
    assert handbook.check("cs-refund-24h").checkers == ("客服主管",)


def test_scoring_attributes_are_parsed(handbook):
    check = handbook.check("wh-stocktake-weekly")
    assert check.points == 10
    assert check.deduction.points == 2
    assert check.deduction.rule == "每处差异扣2分"


def test_checks_belong_to_the_innermost_clause(handbook):
    assert [k.id for k in handbook.clause("wh-stocktake").checks] == [
        "wh-stocktake-weekly",
        "wh-shelf-labels",
        "wh-stocktake-report",
    ]
    assert handbook.clause("wh-safety").checks == ()


def test_rewording_one_clause_changes_only_that_clause_hash(good_root):
    reference, _ = load_reference(good_root, "h")
    path = good_root / "20-客服/service.md"
    text = path.read_text(encoding="utf-8")
    before = parse_file("20-客服/service.md", "s.md", text, reference, TODAY).policy
    edited = text.replace("须在24小时内处理", "须在12小时内处理")
    after = parse_file("20-客服/service.md", "s.md", edited, reference, TODAY).policy
    changed = {c.id for c, d in zip(before.clauses, after.clauses, strict=True) if c.hash != d.hash}
    assert changed == {"cs-refund"}
    assert before.hash != after.hash


def test_whitespace_only_edits_keep_the_clause_hash(good_root):
    reference, _ = load_reference(good_root, "h")
    text = (good_root / "20-客服/service.md").read_text(encoding="utf-8")
    before = parse_file("a.md", "a.md", text, reference, TODAY).policy
    after = parse_file("a.md", "a.md", text.replace("50秒。\n", "50秒。   \n"), reference, TODAY).policy
    assert [c.hash for c in before.clauses] == [c.hash for c in after.clauses]


def test_check_blocks_inside_code_fences_are_examples_not_checks(good_root):
    reference, _ = load_reference(good_root, "h")
    text = (
        "---\nid: x\ntitle: X\nowner: 客服主管\nversion: '1'\neffective: 2026-01-01\n"
        "review: 2099-01-01\napplies_to: [全体员工]\n---\n\n## 一 {#x-1}\n\n```text\n"
        "/// 检查 | not-a-check\n示例\n///\n```\n"
    )
    parsed = parse_file("x.md", "x.md", text, reference, TODAY)
    assert parsed.problems == []
    assert parsed.policy.checks == ()


def test_pages_without_policy_front_matter_are_plain_pages(good_root):
    reference, _ = load_reference(good_root, "h")
    parsed = parse_file("index.md", "index.md", "# 首页\n\n## 没有编号也可以\n", reference, TODAY)
    assert parsed.policy is None and parsed.problems == []


def test_heading_anchor_is_split_from_the_title():
    assert split_heading("第一条 响应时间 {#cs-response}") == ("第一条 响应时间", "cs-response")
    assert split_heading("第一条 { #cs-1 .big }") == ("第一条", "cs-1")
    assert split_heading("没有编号") == ("没有编号", None)


def test_page_urls_match_mkdocs_directory_urls():
    assert page_url("index.md") == ""
    assert page_url("客服/index.md") == "%E5%AE%A2%E6%9C%8D/"
    assert page_url("a/b.md") == "a/b/"
