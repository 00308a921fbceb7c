"""The handbook cannot run code: `make check` rejects script-capable HTML and links; titles are escaped.

The built handbook is served from the app's origin, so anything that runs there runs with a
signed-in admin's session. Each rejected construct is reported at its file and line with a fix;
code shown as code stays allowed; every text that reaches the navigation is escaped in a real
strict site build.
"""

from __future__ import annotations

import re

import markdown
import pytest

from generator import check_handbook, load_handbook
from generator.pages import role_page
from generator.safehtml import SAFE_SCHEMES, SITE_MARKDOWN_EXTENSIONS, check_body

from ..conftest import PROJECT, TODAY, build_site, make_site_project

SERVICE = "20-客服/service.md"
ANCHOR = "客服部的日常工作规范。\n"  # a body line of the sample policy, before the first clause


def _with_body(root, snippet: str, at_end: bool = False) -> int:
    """Insert ``snippet`` into the sample policy's body (or at its end); return the line it starts on."""
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    at = len(text) if at_end else text.index(ANCHOR) + len(ANCHOR)
    path.write_text(text[:at] + "\n" + snippet + "\n" + text[at:], encoding="utf-8")
    return text[:at].count("\n") + 2


def _errors(root):
    return [p for p in check_handbook(root, today=TODAY) if p.is_error]


SAFETY_CODES = {"html-tag", "html-event-handler", "html-attribute", "unsafe-url", "remote-image"}
# Reported at the snippet's last line, except these (0 = its first line)
FIRST_LINE = {"tag-over-two-lines", "admonition-title"}
# (snippet, problem code, text the message must contain)
REJECTED = {
    "script": ("<script>alert(1)</script>", "html-tag", "<script>"),
    "script-uppercase": ("<SCRIPT SRC=x.js></SCRIPT>", "html-tag", "<script>"),
    "style": ("<style>body{display:none}</style>", "html-tag", "<style>"),
    "iframe": ('<iframe src="https://example.com"></iframe>', "html-tag", "<iframe>"),
    "iframe-srcdoc": ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "html-tag", "<iframe>"),
    "object": ('<object data="x.swf"></object>', "html-tag", "<object>"),
    "embed": ('<embed src="x.swf">', "html-tag", "<embed>"),
    "link": ('<link rel="stylesheet" href="https://example.com/x.css">', "html-tag", "<link>"),
    "meta-refresh": ('<meta http-equiv="refresh" content="0;url=https://example.com">', "html-tag", "<meta>"),
    "base": ('<base href="https://example.com/">', "html-tag", "<base>"),
    "form": ('<form action="https://example.com"><button>提交</button></form>', "html-tag", "<form>"),
    "svg": ("<svg><script>alert(1)</script></svg>", "html-tag", "<svg>"),
    "math": ('<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>', "html-tag", "<math>"),
    "template": ("<template><img src=x onerror=alert(1)></template>", "html-tag", "<template>"),
    "onerror": ("<img src=x onerror=alert(1)>", "html-event-handler", "onerror"),
    "onclick-on-span": ('<span onclick="alert(1)">点我</span>', "html-event-handler", "onclick"),
    "handler-after-slash": ("<img src=x /onerror=alert(1)>", "html-event-handler", "onerror"),
    "tag-over-two-lines": (
        '说明 <span class="x"\n  onmouseover="alert(1)">点我</span>',
        "html-event-handler",
        "onmouseover",
    ),
    "style-attribute": (
        '<span style="background:url(https://example.com/t.png)">x</span>',
        "html-attribute",
        "style",
    ),
    "formaction": ('<span formaction="https://example.com">x</span>', "html-attribute", "formaction"),
    "href-javascript": ('<a href="javascript:alert(1)">x</a>', "unsafe-url", "javascript:"),
    "href-entities": ('<a href="&#106;ava&#x73;cript:alert(1)">x</a>', "unsafe-url", "javascript:"),
    "href-tab": ('<a href="java\tscript:alert(1)">x</a>', "unsafe-url", "javascript:"),
    "img-data": ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "unsafe-url", "data:"),
    "markdown-link": ("[点这里](javascript:alert(1))", "unsafe-url", "javascript:"),
    "markdown-link-vbscript": ("[点这里](VBScript:msgbox(1))", "unsafe-url", "vbscript:"),
    "markdown-link-angle": ("[点这里](<javascript:alert(1)>)", "unsafe-url", "javascript:"),
    "markdown-link-entity": ("[点这里](&#106;avascript:alert(1))", "unsafe-url", "javascript:"),
    "markdown-link-next-line": ("[点这里](\njavascript:alert(1))", "unsafe-url", "javascript:"),
    "markdown-image-data": ("![图](data:text/html;base64,PHNjcmlwdD4=)", "unsafe-url", "data:"),
    "remote-image": ("![示意图](https://example.com/a.png)", "remote-image", "https://example.com/a.png"),
    "remote-image-html": ('<img src="//example.com/a.png" alt="x">', "remote-image", "//example.com/a.png"),
    "remote-image-in-link": (
        "[![图](https://example.com/a.png)](https://example.com)",
        "remote-image",
        "https:",
    ),
    "reference-definition": ("[点这里][x]\n\n[x]: javascript:alert(1)", "unsafe-url", "javascript:"),
    "attr-list-handler": ('一段话\n{: onclick="alert(1)" }', "html-event-handler", "onclick"),
    "attr-list-on-link": (
        '[x](https://example.com){: href="javascript:alert(1)"}',
        "unsafe-url",
        "javascript:",
    ),
    "attr-list-style": ('一段话\n{: style="position:fixed" }', "html-attribute", "style"),
    "unclosed-fence": ("```\n<script>alert(1)</script>", "html-tag", "<script>"),
    "escaped-backtick": ("\\`<img src=x onerror=alert(1)>`", "html-event-handler", "onerror"),
    "comment-does-not-hide": ("<!-- 注释没有结束\n<script>alert(1)</script>", "html-tag", "<script>"),
    "admonition-title": (
        '!!! note "<img src=x onerror=alert(1)>"\n    正文',
        "html-event-handler",
        "onerror",
    ),
}


@pytest.mark.parametrize("case", REJECTED)
def test_script_capable_html_and_links_are_rejected_at_their_line(handbook_copy, case):
    snippet, code, text = REJECTED[case]
    # An unclosed fence swallows the rest of the file: put it last, so no clause goes missing.
    first = _with_body(handbook_copy, snippet, at_end=case == "unclosed-fence")
    errors = _errors(handbook_copy)
    assert errors, f"{case} was accepted"
    # A fence never closed is also reported as such (it hides the rest of the page).
    allowed = SAFETY_CODES | ({"fence-unclosed"} if case == "unclosed-fence" else set())
    assert {p.code for p in errors} <= allowed, "\n".join(map(str, errors))
    assert all(p.path.endswith(SERVICE) for p in errors)
    (problem, *_) = [p for p in errors if p.code == code and text in str(p)]
    offset = 0 if case in FIRST_LINE else len(snippet.splitlines()) - 1
    assert problem.line == first + offset
    assert "；" in str(problem)  # with a fix


def test_the_script_message_says_why_and_how_to_fix(handbook_copy):
    line = _with_body(handbook_copy, "<script>alert(1)</script>")
    (problem,) = _errors(handbook_copy)
    assert str(problem) == (
        f"{problem.path}:{line}: [错误] 制度正文里不能写 <script>：手册不允许运行脚本；"
        "请删除这段 HTML；需要强调请用 Markdown 的 **加粗** 或 !!! 提示框"
    )


def test_an_event_handler_message_names_the_attribute_and_the_fix(handbook_copy):
    _with_body(handbook_copy, "<img src=x onerror=alert(1)>")
    (problem,) = _errors(handbook_copy)
    assert "onerror" in problem.message and "运行脚本" in problem.message
    assert "删除 onerror=" in problem.hint


def test_a_link_message_lists_what_is_allowed(handbook_copy):
    _with_body(handbook_copy, "[点这里](javascript:alert(1))")
    (problem,) = _errors(handbook_copy)
    assert "'javascript:alert(1)'" in problem.message
    for scheme in SAFE_SCHEMES:
        assert f"{scheme}:" in problem.hint


ALLOWED = {
    "fenced-code": "```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```",
    "tilde-fence": "~~~\n<iframe src=x></iframe>\n~~~",
    "fence-in-admonition": '!!! note "示例"\n    ```\n    <script>alert(1)</script>\n    ```',
    "inline-code": "不要写 `<script>alert(1)</script>`，也不要写 `[x](javascript:alert(1))`。",
    "double-backtick-code": "``<span onclick=`x`>``",
    "harmless-tags": '第一行<br>第二行，H<sub>2</sub>O，m<sup>2</sup>，<span class="hb-note">备注</span>',
    "details": "<details><summary>展开</summary>内容</details>",
    "table-html": '<table><tr><td colspan="2">合计</td></tr></table>',
    "local-image": '![示意图](../assets/示意图.png) <img src="../assets/a.png" alt="a">',
    "links": "[手册](../10-考勤与请假/leave.md) [官网](https://example.com) "
    "[邮件](mailto:hr@example.com) [电话](tel:400-000)",
    "autolinks": "<https://example.com> <hr@example.com>",
    "angle-destination": "[请假](<../10-考勤与请假/leave.md>)",
    "entities": "&lt;script&gt; 只是文字",
    "less-than": "温度<30度，a < b，<<制度>>",
    "attr-list-anchor": '### 小标题 {#cs-extra .note title="说明"}',
    "braces-in-prose": "金额{单价×数量}按月结算",
}


@pytest.mark.parametrize("case", ALLOWED)
def test_code_shown_as_code_and_harmless_html_are_allowed(handbook_copy, case):
    _with_body(handbook_copy, ALLOWED[case])
    assert _errors(handbook_copy) == []


def test_a_tag_hidden_where_only_markdown_knows_it_is_live_is_still_found():
    # Inside a raw <div> block, backticks are not code: Python-Markdown emits the <img> as is.
    # The source reading skips the backticks; the rendered check catches it at its line.
    lines = ["<div>\n", "\n", "`<img src=x onerror=alert(1)>`\n", "\n", "</div>\n"]
    (problem,) = check_body("x.md", lines, 0)
    assert (problem.code, problem.line) == ("html-event-handler", 3)


def test_check_body_counts_lines_after_the_front_matter():
    lines = ["---\n", "title: x\n", "---\n", "\n", "<script>x</script>\n"]
    (problem,) = check_body("x.md", lines, 3)
    assert problem.line == 5


def test_the_real_handbook_has_no_unsafe_html():
    problems = check_handbook(PROJECT / "handbook", today=TODAY)
    assert [p for p in problems if p.code in SAFETY_CODES] == []


def test_the_checked_extensions_are_the_sites():
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    section = config.split("markdown_extensions:", 1)[1]
    names = re.findall(r"^  - ([\w.]+)", section, re.M)
    assert tuple(names) == SITE_MARKDOWN_EXTENSIONS


# --- titles and everything else that reaches the navigation are escaped ------------------

EVIL_TITLE = "<script>alert(1)</script>客服"
EVIL_FOLDER = "60-<img src=x onerror=alert(2)>"


def _evil_handbook(root):
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: 客服管理制度", f'title: "{EVIL_TITLE}"')
    text = text.replace('version: "2.0"', 'version: "<b>2.0</b>"')
    path.write_text(text, encoding="utf-8")
    folder = root / EVIL_FOLDER
    folder.mkdir()
    # A page titled by its first heading, one titled by its file name, one by a description.
    (folder / "note.md").write_text(
        "# 说明 &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;\n\n正文。\n", encoding="utf-8"
    )
    # A policy there: every role page links to it through the folder's name (and its own).
    (folder / "rule (1).md").write_text(
        '---\nid: evil-rule\ntitle: 规则\nowner: 人事专员\nversion: "1"\neffective: 2026-01-01\n'
        "review: 2099-01-01\napplies_to: [全体员工]\n---\n\n## 第一条 {#evil-rule-1}\n\n内容。\n",
        encoding="utf-8",
    )
    (folder / "plain.md").write_text(
        '---\ndescription: "\\"><script>alert(4)</script>"\n---\n\n正文，没有标题。\n', encoding="utf-8"
    )
    return root


def test_a_title_with_html_is_valid_and_kept_as_typed(handbook_copy):
    policy = load_handbook(_evil_handbook(handbook_copy), today=TODAY).policy("cs-service")
    assert policy.title == EVIL_TITLE


def test_generated_pages_escape_titles_roles_and_versions(handbook_copy):
    handbook = load_handbook(_evil_handbook(handbook_copy), today=TODAY)
    page = role_page(handbook, "售前客服")
    # As the site renders it (the long lists are /// 链接列表 blocks, escaped when written).
    html = markdown.markdown(page.split("\n---\n", 1)[1], extensions=list(SITE_MARKDOWN_EXTENSIONS))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;客服" in html
    assert "&lt;b&gt;2.0&lt;/b&gt;" in html


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory):
    """A strict build of the sample handbook with HTML in a title, a version, a folder and headings."""
    source = tmp_path_factory.mktemp("evil-source") / "handbook"
    import shutil

    shutil.copytree(PROJECT / "tests" / "handbooks" / "good", source)
    _evil_handbook(source)
    project = make_site_project(tmp_path_factory.mktemp("evil"), source)
    proc = build_site(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project / "site"


def _pages(site):
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def test_no_built_page_carries_the_injected_html(evil_site):
    pages = _pages(evil_site)
    assert len(pages) > 10
    for name, html in pages.items():
        for raw in ("<script>alert", "<img src=x onerror", "<b>2.0</b>", "</title><script>"):
            assert raw not in html, f"{raw} in {name}"
        assert '"><script>' not in html, name


def test_the_title_shows_as_text_in_every_pages_navigation_and_its_own_page(evil_site):
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;客服"
    pages = _pages(evil_site)
    for name, html in pages.items():
        if name != "404.html":
            assert escaped in html, f"nav of {name}"
    policy = pages["20-客服/service/index.html"]
    assert f"<title>{escaped} - " in policy
    assert re.search(rf"<h1[^>]*>{re.escape(escaped)}", policy)
    assert "&lt;b&gt;2.0&lt;/b&gt;" in policy  # the information box


def test_folder_names_and_heading_titles_are_escaped_in_the_navigation(evil_site):
    home = (evil_site / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;" in home  # the section, without its 60- prefix
    folder = next(evil_site.glob("60-*"))
    note = (folder / "note" / "index.html").read_text(encoding="utf-8")
    assert "<title>说明 &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt; - " in note
    plain = (folder / "plain" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;">' in plain


def test_role_pages_link_to_a_policy_in_a_folder_with_odd_characters(evil_site):
    # The strict build resolved the link (an unresolved one fails it); the reader can follow it.
    page = (evil_site / "岗位须知" / "售前客服" / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'href="\.\./\.\./60-%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E/rule%20%281%29/#evil-rule-1"', page
    )


def test_the_search_index_carries_escaped_titles(evil_site):
    index = (evil_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script>" not in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
