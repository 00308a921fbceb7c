"""A broken file is a problem at its line, never an exception: encodings, cut files, invisible characters.

Each test writes one fault into a copy of the sample handbook, the way an editor or a sync would
leave it, and checks the problem (code, line, message, fix) and that every other file still loads.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator import HandbookLoader, check_handbook
from generator.sourcefile import MAX_CHARACTER_PROBLEMS, read_source

from ..conftest import TODAY, build_site, make_site_project

SERVICE = "20-客服/service.md"  # leave.md links to its #cs-response: a cascade would show there


def _text(root, rel=SERVICE) -> str:
    return (root / rel).read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _only(problems, path_end: str):
    """The problems, asserting every one of them is in the file ending with ``path_end``."""
    assert problems, "expected a problem"
    assert all(p.path.endswith(path_end) for p in problems), "\n".join(map(str, problems))
    return problems


def _problems(root):
    return check_handbook(root, today=TODAY)


# --- encodings ----------------------------------------------------------------


def test_a_gbk_file_is_reported_at_its_first_non_utf8_byte(handbook_copy):
    text = _text(handbook_copy)
    (handbook_copy / SERVICE).write_bytes(text.encode("gbk"))
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert problem.code == "not-utf8" and problem.is_error
    assert problem.line == _line_of(text, "客服管理制度")  # the title: the first Chinese character
    assert "文件不是 UTF-8 编码" in problem.message and "GBK" in problem.message
    assert problem.hint.startswith("请用 UTF-8 另存为")


def test_a_utf16_file_is_named_as_such(handbook_copy):
    (handbook_copy / SERVICE).write_bytes(_text(handbook_copy).encode("utf-16"))
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert (problem.code, problem.line) == ("not-utf8", 1)
    assert "UTF-16" in problem.message


def test_one_bad_byte_in_a_utf8_file_is_reported_at_its_line(handbook_copy):
    text = _text(handbook_copy)
    data = text.encode("utf-8")
    at = data.index("买家申请退款".encode())
    (handbook_copy / SERVICE).write_bytes(data[:at] + b"\xff" + data[at:])
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert (problem.code, problem.line) == ("not-utf8", _line_of(text, "买家申请退款"))
    assert "0xFF" in problem.message


def test_a_utf8_bom_is_accepted_silently(handbook_copy):
    (handbook_copy / SERVICE).write_bytes(b"\xef\xbb\xbf" + _text(handbook_copy).encode("utf-8"))
    result = HandbookLoader(handbook_copy, today=TODAY).load()
    assert result.problems == ()
    assert result.handbook.policy("cs-service").title == "客服管理制度"


# --- cut-off files ------------------------------------------------------------


def test_a_file_cut_in_the_middle_of_a_character_is_reported_at_the_last_line(handbook_copy):
    text = _text(handbook_copy)
    data = text.encode("utf-8")
    cut = data.index("不得超过50秒".encode()) + 1  # one byte into 不
    (handbook_copy / SERVICE).write_bytes(data[:cut])
    problems = _only(_problems(handbook_copy), SERVICE)
    (cut_off,) = [p for p in problems if p.code == "truncated-file"]
    assert cut_off.line == _line_of(text, "不得超过50秒")
    assert "断开" in cut_off.message and "备份" in cut_off.hint
    # leave.md's link to #cs-response (which is cut off) is not reported on top of it
    assert not [p for p in problems if p.code == "broken-link"]


def test_a_file_cut_inside_its_front_matter_is_an_unclosed_front_matter(handbook_copy):
    text = _text(handbook_copy)
    (handbook_copy / SERVICE).write_text(text[: text.index("review:")], encoding="utf-8")
    problems = _only(_problems(handbook_copy), SERVICE)
    assert [(p.code, p.line) for p in problems] == [("frontmatter-unclosed", 1)]


def test_a_file_cut_mid_character_inside_its_front_matter_reports_both(handbook_copy):
    text = _text(handbook_copy)
    data = text.encode("utf-8")
    (handbook_copy / SERVICE).write_bytes(data[: data.index("客服主管".encode()) + 4])  # 客 + 1 byte of 服
    problems = _only(_problems(handbook_copy), SERVICE)
    assert {(p.code, p.line) for p in problems} == {
        ("frontmatter-unclosed", 1),
        ("truncated-file", _line_of(text, "owner:")),
    }


# --- invisible characters -----------------------------------------------------


def _insert(root, before: str, chars: str, rel=SERVICE) -> int:
    text = _text(root, rel)
    (root / rel).write_text(text.replace(before, chars + before, 1), encoding="utf-8", newline="")
    return _line_of(text, before)


def test_words_manual_line_break_in_the_body_is_named_with_its_origin_and_fix(handbook_copy):
    line = _insert(handbook_copy, "聊天记录", "\x0b")
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert (problem.code, problem.line) == ("control-character", line)
    assert "U+000B" in problem.message and "Word 的手动换行符" in problem.message
    assert "删除" in problem.hint and "^l" in problem.hint


def test_a_control_character_in_the_front_matter_is_a_problem_not_a_yaml_crash(handbook_copy):
    line = _insert(handbook_copy, "管理制度", "\x0b")
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert (problem.code, problem.line) == ("control-character", line)


def test_a_control_character_in_a_check_block_keeps_the_block_readable(handbook_copy):
    line = _insert(handbook_copy, "频率: 每周一 09:00", "\x0c")
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert (problem.code, problem.line) == ("control-character", line)
    assert "U+000C" in problem.message and "分页符" in problem.message


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\x07", "U+0007"),
        ("\x00", "U+0000"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\ufffe", "U+FFFE"),
        ("\U0001ffff", "U+1FFFF"),
        ("\u2028", "U+2028"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.startswith("U+") else None,
)
def test_every_forbidden_character_is_named(handbook_copy, char, named):
    line = _insert(handbook_copy, "客服部的日常", char)
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert (problem.code, problem.line) == ("control-character", line)
    assert named in problem.message


def test_tabs_and_windows_line_endings_are_fine(handbook_copy):
    text = _text(handbook_copy).replace("客服部的日常工作规范。", "客服部的\t日常工作规范。")
    (handbook_copy / SERVICE).write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert _problems(handbook_copy) == []


def test_a_pasted_document_full_of_line_breaks_is_reported_without_a_flood(handbook_copy):
    text = _text(handbook_copy)
    pasted = "\n".join(f"第{i}段\x0b续行" for i in range(30))
    (handbook_copy / SERVICE).write_text(text + "\n" + pasted + "\n", encoding="utf-8")
    problems = _only(_problems(handbook_copy), SERVICE)
    assert len(problems) == MAX_CHARACTER_PROBLEMS
    assert f"还有 {30 - MAX_CHARACTER_PROBLEMS} 行" in problems[-1].message


# --- the rest of the handbook keeps loading ------------------------------------


def test_other_files_still_load_and_a_fixed_file_is_picked_up(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    good = _text(handbook_copy)
    (handbook_copy / SERVICE).write_bytes(good.encode("gbk"))
    broken = loader.load()
    assert broken.handbook is None and [p.code for p in broken.problems] == ["not-utf8"]
    (handbook_copy / SERVICE).write_text(good, encoding="utf-8")
    fixed = loader.load()
    assert fixed.reparsed == 1 and fixed.problems == ()
    assert fixed.handbook.policy("cs-service") is not None


def test_an_unreadable_path_is_a_problem(tmp_path):
    # A directory stands in for a file the system refuses to read (root can read anything else).
    source = read_source(tmp_path, "handbook/x.md")
    assert source.text is None
    assert [(p.code, p.path, p.line) for p in source.problems] == [("file-unreadable", "handbook/x.md", 1)]


def test_a_parser_crash_is_a_problem_in_that_file_only(handbook_copy, monkeypatch):
    import generator.loader

    real = generator.loader.parse_file

    def crash(rel, *args):
        if rel == SERVICE:
            raise RuntimeError("boom")
        return real(rel, *args)

    monkeypatch.setattr(generator.loader, "parse_file", crash)
    (problem,) = _only(_problems(handbook_copy), SERVICE)
    assert problem.code == "parse-failed" and "RuntimeError: boom" in problem.message


# --- reference.yml --------------------------------------------------------------


def test_a_gbk_reference_file_is_reported_alone(handbook_copy):
    ref = handbook_copy / "reference.yml"
    text = ref.read_text(encoding="utf-8")
    ref.write_bytes(text.encode("gbk"))
    # One problem: not every role of every policy reported as unknown on top of it.
    (problem,) = _only(_problems(handbook_copy), "reference.yml")
    assert (problem.code, problem.line) == ("not-utf8", 1)  # the comment on line 1 is Chinese


def test_a_control_character_in_the_reference_file_is_reported_at_its_line(handbook_copy):
    line = _insert(handbook_copy, "售后客服", "\x0b", rel="reference.yml")
    (problem,) = _only(_problems(handbook_copy), "reference.yml")
    assert (problem.code, problem.line) == ("control-character", line)


def test_a_noncharacter_yaml_refuses_is_reported_not_raised(handbook_copy):
    line = _insert(handbook_copy, "仓库管理员", "\uffff", rel="reference.yml")
    (problem,) = _only(_problems(handbook_copy), "reference.yml")
    assert (problem.code, problem.line) == ("control-character", line)


def test_a_reference_file_cut_mid_character_is_reported_alone(handbook_copy):
    ref = handbook_copy / "reference.yml"
    text = ref.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    ref.write_bytes(data[: data.index("仓储部".encode()) + 1])
    (problem,) = _only(_problems(handbook_copy), "reference.yml")
    assert (problem.code, problem.line) == ("truncated-file", _line_of(text, "仓储部"))


# --- the command line never prints a traceback -----------------------------------


def _gbk(root):
    (root / SERVICE).write_bytes(_text(root).encode("gbk"))
    return "文件不是 UTF-8 编码"


def _cut(root):
    data = _text(root).encode("utf-8")
    (root / SERVICE).write_bytes(data[: data.index("不得超过".encode()) + 1])
    return "文件在最后一个字符的中间断开了"


def _word_break(root):
    _insert(root, "聊天记录", "\x0b")
    return "U+000B"


def _reference_gbk(root):
    ref = root / "reference.yml"
    ref.write_bytes(ref.read_text(encoding="utf-8").encode("gbk"))
    return "reference.yml:1:"


def _reference_noncharacter(root):
    _insert(root, "仓库管理员", "\ufffe", rel="reference.yml")
    return "U+FFFE"


FAULTS = {
    "gbk": _gbk,
    "cut": _cut,
    "word-break": _word_break,
    "reference-gbk": _reference_gbk,
    "reference-noncharacter": _reference_noncharacter,
}


def _run(args, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize("fault", FAULTS)
def test_check_lists_the_problem_and_prints_no_traceback(handbook_copy, fault):
    expected = FAULTS[fault](handbook_copy)
    proc = _run(["check", "--root", str(handbook_copy)], cwd=handbook_copy.parent)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert expected in proc.stdout
    assert "发现 1 个错误" in proc.stderr


@pytest.mark.parametrize("fault", ["gbk", "word-break", "reference-gbk"])
def test_build_lists_the_problem_and_prints_no_traceback(tmp_path, handbook_copy, fault):
    expected = FAULTS[fault](handbook_copy)
    project = make_site_project(tmp_path / "proj", handbook_copy)
    proc = _run(["build"], cwd=project)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert expected in output
    assert "仍是上一次成功发布的版本" in output
    assert not (project / "site").exists()


def test_a_strict_mkdocs_build_of_a_broken_file_prints_no_traceback(tmp_path, handbook_copy):
    _gbk(handbook_copy)
    proc = build_site(make_site_project(tmp_path / "proj", handbook_copy))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "service.md:3: [错误] 文件不是 UTF-8 编码" in proc.stdout + proc.stderr


def test_the_fast_scan_agrees_with_the_documented_rule():
    from generator.sourcefile import _FORBIDDEN, is_forbidden_character

    points = list(range(0x30000)) + [
        plane << 16 | low for plane in range(3, 17) for low in (0, 0xFFFE, 0xFFFF)
    ]
    for code in points:
        ch = chr(code)
        assert bool(_FORBIDDEN.match(ch)) == is_forbidden_character(ch), f"U+{code:04X}"
