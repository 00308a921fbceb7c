"""What a new version changes: a character-level diff per clause, checklist items per target."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from generator import load_handbook
from generator.diff import as_html, as_text, char_diff, clause_changes, item_changes

from ..conftest import PROJECT, TODAY

SERVICE = "20-客服/service.md"


def test_a_changed_number_is_marked_alone_not_the_whole_sentence():
    segments = char_diff("买家咨询的平均响应时间不得超过50秒。", "买家咨询的平均响应时间不得超过45秒。")
    assert as_text(segments) == "买家咨询的平均响应时间不得超过[-50-]{+45+}秒。"


def test_words_replaced_in_a_sentence_are_marked_where_they_are():
    segments = char_diff("售后客服须在24小时内处理。", "售后主管须在12小时内完成审核。")
    assert as_text(segments) == "售后[-客服-]{+主管+}须在[-24-]{+12+}小时内[-处理-]{+完成审核+}。"
    assert as_text(char_diff("迟到三次以上通报批评", "迟到两次以上扣款并通报批评")) == (
        "迟到[-三-]{+两+}次以上{+扣款并+}通报批评"
    )


def test_one_kept_character_between_two_changes_is_folded_into_them():
    # 审 kept alone would read 主[-管-]{+任+}审[-批-]{+核+}: one replacement of 管审批 reads better.
    assert as_text(char_diff("主管审批", "主任审核")) == "主[-管审批-]{+任审核+}"


def test_the_html_is_escaped():
    html = as_html(char_diff("<b>旧</b>", "<b>新</b>"))
    assert html == "&lt;b&gt;<del>旧</del><ins>新</ins>&lt;/b&gt;"


def reword(root):
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    text = text.replace("平均响应时间不得超过50秒", "平均响应时间不得超过45秒")
    text = text.replace("客服平均响应时间不超过50秒。", "客服平均响应时间不超过45秒。").replace(
        "罚款: 50元", "罚款: 80元"
    )
    text = text.replace("effective: 2026-03-01", "effective: 2026-12-01")
    path.write_text(text, encoding="utf-8")


def test_a_reworded_clause_and_the_items_it_changes_per_target(good_root, handbook_copy):
    reword(handbook_copy)
    old = load_handbook(good_root, today=TODAY)
    new = load_handbook(handbook_copy, today=TODAY)
    [change] = clause_changes(old, good_root, new, handbook_copy)
    assert (change.policy_id, change.clause_id, change.kind) == ("cs-service", "cs-response", "changed")
    assert "平均响应时间不得超过[-50-]{+45+}秒" in change.text
    assert "罚款: [-50-]{+80+}元" in change.text
    targets = {t.target: t for t in item_changes(old, new, TODAY)}
    assert set(targets) == {"岗位 售前客服", "岗位 售后客服", "区域 客服后台"}
    [item] = targets["岗位 售前客服"].items
    assert item.kind == "changes" and item.since == "2026-12-01"
    assert ("罚款", "50元", "80元") in item.fields
    assert as_text(list(item.reworded)) == "抽查前一日聊天记录，客服平均响应时间不超过[-50-]{+45+}秒。"
    assert targets["岗位 售前客服"].count("changes") == 1


def test_items_that_appear_and_disappear_are_counted(good_root, handbook_copy):
    path = handbook_copy / SERVICE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("/// 检查 | cs-refund-24h", "/// 检查 | cs-refund-12h"), encoding="utf-8")
    old, new = load_handbook(good_root, today=TODAY), load_handbook(handbook_copy, today=TODAY)
    targets = {t.target: t for t in item_changes(old, new, TODAY)}
    after_sales = targets["岗位 售后客服"]
    assert (after_sales.count("appears"), after_sales.count("disappears")) == (1, 1)
    assert "岗位 售前客服" not in targets  # nothing of theirs changed


def test_python_m_generator_diff_prints_both(good_root, handbook_copy):
    reword(handbook_copy)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "diff", "--root", str(handbook_copy), "--against", str(good_root)]
        + ["--today", dt.date(2026, 11, 23).isoformat()],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "## 客服管理制度 · 第一条 响应时间（修改，#cs-response）" in out
    assert "不得超过[-50-]{+45+}秒" in out
    assert "# 岗位 售前客服：改动 1 项" in out
    assert "（措辞改动，罚款 50元 → 80元，自 2026-12-01 起）" in out
