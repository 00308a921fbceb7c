"""The handbook cannot run code: find raw HTML and links in a page body that could run script.

The built handbook is served from the checklist app's own origin (``/handbook/``), so a script in a
policy page would run with a signed-in admin's session. Python-Markdown passes raw HTML through
unchanged and does not filter ``javascript:`` links or ``{: onclick=…}`` attribute lists, so the
validator rejects them in the source, at their line, before anything is built.

What is allowed (the owner's guide documents the same lists):

* a few harmless formatting tags, :data:`ALLOWED_TAGS` (``<br>``, ``<sub>``, ``<span>`` …), with
  the attributes in :data:`ALLOWED_ATTRIBUTES` and ``aria-*``; every other tag is rejected
  (``<script>``, ``<style>``, ``<iframe>``, ``<object>``, ``<embed>``, ``<link>``, ``<meta>``,
  ``<base>``, ``<form>``, ``<svg>``, ``<math>`` …), as is every other attribute (``style``,
  ``srcdoc``, ``formaction`` …) and every ``on…`` event handler;
* links (Markdown ``[x](…)``, ``![x](…)``, ``[x]: …``, HTML ``href``/``src``, attribute lists)
  that are relative (a page of the handbook) or start with one of :data:`SAFE_SCHEMES`;
  ``javascript:``, ``vbscript:``, ``data:`` and every other scheme are rejected;
* images (``![x](…)``, ``<img src>``) only from the handbook's own files: the site loads nothing
  from another host (phones in the warehouse may be offline, and a remote image tracks readers).

How: the body is tokenised with the standard library's :class:`html.parser.HTMLParser`, one
candidate tag at a time (every ``<`` followed by a letter is parsed as a browser would, whatever
comes before it, so an unclosed comment or quote cannot hide a tag). Text the site shows as code
is skipped: closed fenced code blocks and inline code spans. Because skipping is the one place
where this reading could differ from Python-Markdown's, a page that has code is also rendered
with the site's Markdown extensions and the output HTML checked; anything found only there is
reported too (at the first source line that mentions it).
"""

from __future__ import annotations

import bisect
import html
import re
from html.parser import HTMLParser

import markdown
from markdown.extensions.attr_list import get_attrs_and_remainder, sanitize_name

from . import problems as P
from .problems import Problem

ALLOWED_TAGS = (
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "wbr",
)
ALLOWED_ATTRIBUTES = (
    "align",
    "alt",
    "class",
    "colspan",
    "dir",
    "height",
    "href",
    "id",
    "lang",
    "markdown",
    "name",
    "open",
    "rel",
    "rowspan",
    "src",
    "target",
    "title",
    "width",
)
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# Attributes a browser follows as a URL (the ones allowed above, plus those rendered HTML might carry).
URL_ATTRIBUTES = frozenset(
    ("href", "src", "action", "formaction", "data", "poster", "background", "cite", "xlink:href", "srcset")
)
# Checked in the rendered HTML, where Markdown's own output (tables' style="text-align: …",
# task lists' <input type="checkbox">) must pass: only what can run script or embed content.
_RENDERED_DANGEROUS_TAGS = frozenset(
    "script noscript style link iframe frame frameset object embed applet portal form button select "
    "textarea meta base svg math template xmp plaintext noembed noframes".split()
)
_RENDERED_DANGEROUS_ATTRIBUTES = frozenset(("srcdoc", "formaction", "action"))
_RENDERED_SAFE_STYLE = re.compile(r"^\s*text-align:\s*(left|right|center)\s*;?\s*$")

# The site's Markdown extensions (mkdocs.yml's markdown_extensions; a test keeps them equal).
SITE_MARKDOWN_EXTENSIONS = (
    "toc",
    "attr_list",
    "admonition",
    "def_list",
    "tables",
    "md_in_html",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tasklist",
    "generator.markdown_ext",
)

_TAG_START = re.compile(r"<[a-zA-Z]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_STRIP = "".join(chr(c) for c in range(0x21))  # leading/trailing C0 controls and space
_URL_INVISIBLE = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines() splits at these
_LINK_OPEN = re.compile(r"\]\(\s*")  # [text](target  and  ![alt](target
# Where a "<" is Markdown syntax, not a tag: autolinks, and a link destination written as <…>.
_AUTOLINK = re.compile(r"<(?:(?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*|[^<> !]+@[^@<> ]+)>")
_ANGLE_DESTINATION = re.compile(r"""<[^<>]*>\s*(?:'[^']*'|"[^"]*")?\s*\)""")
_DESTINATION_OPEN = re.compile(r"\]\(\s*$")
_REF_DEFINITION = re.compile(r"\[[^\]\n]*\]:[ \t]*(?:\n[ \t]*)?")  # [id]: target
_ATTR_LIST = re.compile(r"\{:?[ ]*([^}\n ][^\n]*)\}")  # as Python-Markdown's attr_list reads it
_BRACE = re.compile(r"\{")
_BARE_HANDLER = re.compile(r"(?:^|[\s}])on", re.IGNORECASE)
_FENCE = re.compile(r"^[> \t]*(`{3,}|~{3,})")  # any depth: lists and admonitions nest fences
_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)")
_TAG_WINDOW = 20_000  # characters a single tag may span


class _Stop(Exception):
    pass


class _FirstTag(HTMLParser):
    """Parse just the start tag at the beginning of the input, as a browser would."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, list[tuple[str, str | None]]] | None = None

    def handle_starttag(self, tag, attrs):
        self.found = (tag, attrs)
        raise _Stop

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        raise _Stop


def _tag_at(text: str, pos: int) -> tuple[str, list[tuple[str, str | None]]] | None:
    window = text[pos : pos + _TAG_WINDOW]
    for candidate in (window, window + ">"):  # a tag never closed is judged as if it were
        parser = _FirstTag()
        try:
            parser.feed(candidate)
            parser.close()
        except _Stop:
            pass
        except Exception:  # noqa: BLE001 (a tokenizer hiccup must not hide the rest of the page)
            return None
        if parser.found is not None:
            return parser.found
    return None


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (entities decoded, tabs and newlines dropped)."""
    cleaned = _URL_INVISIBLE.sub("", html.unescape(url)).strip(_URL_STRIP)
    m = _SCHEME.match(cleaned)
    return m.group(1).lower() if m else None


def is_safe_url(url: str) -> bool:
    """True for a relative URL or one with a scheme in :data:`SAFE_SCHEMES`."""
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


class _Body:
    """The body as one string, with code the site shows as text blanked out (line breaks kept)."""

    def __init__(self, lines: list[str], body_start: int):
        self.first_line = body_start + 1
        self.lines = lines[body_start:]
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line)
        self.text = "".join(self.lines)
        self.has_code = False
        if "`" not in self.text and "~" not in self.text:
            self.masked = self.text  # no code to skip (most policies)
            return
        masked = list(self.text)
        for first, last in _closed_fences(self.lines):
            for i in range(first + 1, last):  # the fence lines themselves stay: their {…} counts
                self._blank(masked, self.starts[i], self.starts[i] + len(self.lines[i]))
        for i, start in enumerate(self.starts):
            line = "".join(masked[start : start + len(self.lines[i])])
            for m in _CODE_SPAN.finditer(line.replace("\\\\", "\0\0")):  # \\` is an escaped \ and a `
                self._blank(masked, start + m.start(), start + m.end())
        self.masked = "".join(masked)

    def _blank(self, chars: list[str], start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] not in _LINE_BREAKS:
                self.has_code = self.has_code or not chars[i].isspace()
                chars[i] = " "

    def line_of(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.starts, offset) - 1

    def first_line_mentioning(self, needle: str) -> int:
        needle = needle.lower()
        for i, line in enumerate(self.lines):
            if needle in line.lower():
                return self.first_line + i
        return self.first_line


def _closed_fences(lines: list[str]) -> list[tuple[int, int]]:
    """(opening, closing) indices of fenced code blocks closed by the same fence.

    An unclosed fence is not code for Python-Markdown either: what follows it is checked.
    """
    found = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            fence = m.group(1)
            for j in range(i + 1, len(lines)):
                close = _FENCE.match(lines[j])
                if close and close.group(1) == fence and not lines[j][close.end() :].strip():
                    found.append((i, j))
                    i = j
                    break
        i += 1
    return found


def check_body(path: str, lines: list[str], body_start: int) -> list[Problem]:
    """Every tag, attribute and link in the page body that could run script or load content.

    ``lines`` are the file's lines (``keepends``), the body starting at index ``body_start``.
    """
    body = _Body(lines, body_start)
    found: list[Problem] = []
    keys: set[tuple[str, str]] = set()

    def report(items) -> None:
        for problem, key in items:
            found.append(problem)
            keys.add(key)

    text = body.masked
    for m in _TAG_START.finditer(text):
        if not _is_markdown_syntax(text, m.start()):
            tag = _tag_at(text, m.start())
            if tag is not None:
                report(_tag_problems(path, body.line_of(m.start()), *tag))
    for pattern in (_LINK_OPEN, _REF_DEFINITION):
        for m in pattern.finditer(text):
            image = pattern is _LINK_OPEN and _is_image(text, m.start())
            report(_url_problems(path, body.line_of(m.end()), _link_target(text, m.end()), image))
    for m in _BRACE.finditer(text):
        report(_attr_list_problems(path, body.line_of(m.start()), text, m.start()))
    if body.has_code:
        for key, make in _rendered_findings(body.text):
            if key not in keys:
                report([(make(path, body.first_line_mentioning(_needle(key))), key)])
    return found


def _is_image(text: str, close: int) -> bool:
    """True when the ``]`` at ``close`` ends the alt text of an image ``![alt](…)``."""
    depth = 0
    for i in range(close - 1, max(-1, close - 1000), -1):
        if text[i] == "]":
            depth += 1
        elif text[i] == "[":
            if depth == 0:
                return i > 0 and text[i - 1] == "!"
            depth -= 1
    return False


def _is_markdown_syntax(text: str, pos: int) -> bool:
    """True when the "<" at ``pos`` opens an autolink or a well-formed ``[x](<destination>)``."""
    if _AUTOLINK.match(text, pos):
        return True
    before = text[max(0, pos - 200) : pos]
    return bool(_DESTINATION_OPEN.search(before) and _ANGLE_DESTINATION.match(text, pos))


def _needle(key: tuple[str, str]) -> str:
    """What the source says where a rendered finding came from: <tag, the attribute, scheme:."""
    kind, name = key
    return {"tag": f"<{name}", "url": f"{name}:", "remote": "//"}.get(kind, name)


def _link_target(text: str, start: int) -> str:
    """The destination of a Markdown link starting at ``start``: ``<…>``, or up to a space or the
    ``)`` that closes the link (parentheses nest; tabs and newlines are kept, as Python-Markdown does)."""
    if text.startswith("<", start):
        end = text.find(">", start)
        return text[start + 1 : end if end != -1 else len(text)]
    depth = 0
    for end in range(start, min(len(text), start + 2000)):
        ch = text[end]
        if ch == " " or (ch == ")" and depth == 0):
            return text[start:end]
        depth += {"(": 1, ")": -1}.get(ch, 0)
    return text[start : start + 2000]


def _tag_problems(path: str, line: int, tag: str, attrs) -> list[tuple[Problem, tuple[str, str]]]:
    if tag not in ALLOWED_TAGS:
        return [(P.html_tag(path, line, tag, ALLOWED_TAGS), ("tag", tag))]
    return _attribute_problems(path, line, attrs)


def _attribute_problems(path: str, line: int, attrs) -> list[tuple[Problem, tuple[str, str]]]:
    found = []
    for name, value in attrs:
        name = name.lower()
        if name.startswith("on"):
            found.append((P.html_event_handler(path, line, name), ("handler", name)))
        elif name not in ALLOWED_ATTRIBUTES and not name.startswith("aria-"):
            found.append((P.html_attribute(path, line, name, ALLOWED_ATTRIBUTES), ("attribute", name)))
        elif name in URL_ATTRIBUTES and value:
            found += _url_problems(path, line, value, image=name == "src")
    return found


def _url_problems(path: str, line: int, url: str, image: bool) -> list[tuple[Problem, tuple[str, str]]]:
    """A link must be relative or http(s)/mailto/tel; an image must be a file of the handbook."""
    scheme = url_scheme(url)
    if scheme is not None and scheme not in SAFE_SCHEMES:
        return [(P.unsafe_url(path, line, url, scheme, SAFE_SCHEMES), ("url", scheme))]
    if image and is_remote(url):
        return [(P.remote_image(path, line, url), ("remote", "src"))]
    return []


def is_remote(url: str) -> bool:
    """True when ``url`` points at another host (``https://…``, ``//host/…``)."""
    cleaned = _URL_INVISIBLE.sub("", html.unescape(url)).strip(_URL_STRIP)
    return url_scheme(url) is not None or cleaned.startswith(("//", "\\\\"))


def _attr_list_problems(path: str, line: int, text: str, start: int) -> list[tuple[Problem, tuple[str, str]]]:
    """A ``{: key=value}`` attribute list at ``start``, which Python-Markdown copies onto the element."""
    m = _ATTR_LIST.match(text, start)
    if not m or ("=" not in m.group(1) and not _BARE_HANDLER.search(m.group(1))):
        return []  # nothing but {#id} and {.class} (every clause heading), or no attribute list
    attrs, _rest = get_attrs_and_remainder(m.group(1))
    pairs = []
    for key, value in attrs:
        if key in (".", "id"):
            continue
        name = sanitize_name(key).lower()
        if value is None and not name.startswith("on"):
            continue  # a bare word such as {注} is most likely prose; bare handlers are not
        pairs.append((name, value))
    return _attribute_problems(path, line, pairs)


def _rendered_findings(source: str):
    """(key, problem maker) for everything dangerous in the body as the site renders it."""
    try:
        rendered = markdown.Markdown(extensions=list(SITE_MARKDOWN_EXTENSIONS)).convert(source)
    except Exception:  # noqa: BLE001 (the site build reports what Markdown itself cannot render)
        return []
    collector = _AllTags()
    try:
        collector.feed(rendered)
        collector.close()
    except Exception:  # noqa: BLE001
        pass
    findings = {}
    for tag, attrs in collector.tags:
        if tag in _RENDERED_DANGEROUS_TAGS:
            findings[("tag", tag)] = lambda p, n, t=tag: P.html_tag(p, n, t, ALLOWED_TAGS)
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                findings[("handler", name)] = lambda p, n, a=name: P.html_event_handler(p, n, a)
            elif name in _RENDERED_DANGEROUS_ATTRIBUTES or (
                name == "style" and not _RENDERED_SAFE_STYLE.match(value or "")
            ):
                findings[("attribute", name)] = lambda p, n, a=name: P.html_attribute(
                    p, n, a, ALLOWED_ATTRIBUTES
                )
            elif name in URL_ATTRIBUTES and value and not is_safe_url(value):
                scheme = url_scheme(value)
                findings[("url", scheme)] = lambda p, n, v=value, s=scheme: P.unsafe_url(
                    p, n, v, s, SAFE_SCHEMES
                )
            elif name == "src" and value and is_remote(value):
                findings[("remote", "src")] = lambda p, n, v=value: P.remote_image(p, n, v)
    return list(findings.items())


class _AllTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag
