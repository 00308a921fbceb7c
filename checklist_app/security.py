"""Security headers on every response, and a Content-Security-Policy under which nothing in the handbook runs.

The built handbook is served from the app's own origin (``/handbook/``), so a script that got into a
policy page would run with a signed-in admin's session. The policy below is the defence in depth
that holds even if such HTML reaches the built site:

* ``script-src 'self'`` plus, on a handbook page only, the sha256 hashes of the inline scripts that
  page carries **and that are mkdocs-material's own**. Never ``'unsafe-inline'``, so an injected
  ``<script>``, ``onerror=`` handler or ``javascript:`` URL is blocked, and the hashes do not allow
  handlers either (that would need ``'unsafe-hashes'``).
* Under ``/handbook/`` a JavaScript file is served only if it is byte-identical to one the installed
  theme ships, or to one of the project's own theme folder ``overrides/`` (the search worker;
  :func:`is_theme_script`): ``'self'`` would otherwise allow ``<script src>`` pointing at a ``.js``
  file placed next to the Markdown (MkDocs copies every file of ``docs_dir``, ``handbook/``).

Why hashes computed at serve time rather than a theme override that moves the inline scripts into a
file: the theme emits a handful of tiny inline scripts (``partials/javascripts/*.html``: the
``__md_get``/``__md_set`` helpers the bundle relies on, the tab/anchor fix-up, the palette, banners).
An override would freeze a copy of that code in this repository; when mkdocs-material changes it
(renames a helper, adds a script), the copy silently goes stale and the theme breaks in ways no
header check notices. Deriving the allowed texts from the *installed* theme's templates follows
every theme upgrade with no edit here, and a test fails if the built site ever carries an inline
script that is not matched (a theme that moved its scripts elsewhere).

How "the theme's own" is decided, so that an injected script can never be whitelisted: each
``<script>`` body in the theme's ``partials/javascripts/`` templates becomes a pattern whose
literal text must match exactly; only its ``{{ … }}`` expressions (``base_url``, the storage scope)
become a wildcard restricted to path characters (``[A-Za-z0-9_./-]*``, no quote, so a match cannot
leave the string literal). A page's inline script is hashed only if its whole text matches one of
those patterns. The allowed texts are therefore exactly theme code; parsing the page with a regular
expression can only miss a theme script (it is then blocked, the safe failure), never admit policy
content. Anything in the page that does not match is left out of the header, so the browser blocks
it and reports a ``securitypolicyviolation``; the app also logs it once per file version.

Styles: neither the app's templates nor the theme's HTML carry ``style=`` attributes or ``<style>``
blocks (the theme sets styles through the CSSOM, which CSP does not restrict), so ``style-src`` is
``'self'`` without ``'unsafe-inline'``. Images allow ``data:`` because the theme's stylesheet draws
its icons from ``data:image/svg+xml`` URLs, and ``blob:`` for the previews of photos not yet
uploaded. The search runs in a Web Worker loaded from the site's
own ``assets/javascripts/workers/`` (``worker-src 'self'``), which fetches the index and imports
the lunr language files from the same origin.

If the site was built with a different mkdocs-material than the one installed, its theme scripts
no longer match and are blocked: rebuild (``make build``) after upgrading the theme.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from flask import Flask, Response

log = logging.getLogger(__name__)

# One directive per entry, in this order; script-src gains the page's theme hashes.
POLICY: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    # 'report-sample': a violation report quotes the blocked script's first characters.
    ("script-src", "'self' 'report-sample'"),
    ("style-src", "'self'"),
    # blob: the previews of photos taken on the phone before they are uploaded (photos.js).
    ("img-src", "'self' data: blob:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    # The app's service worker (/sw.js) and web app manifest: deliberately same-origin only.
    ("manifest-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # The app uses none of these; deny them to every page and anything it embeds.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

# The MIME types a browser executes as script (with nosniff, nothing else runs as a script or worker).
JAVASCRIPT_TYPES = frozenset({"text/javascript", "application/javascript", "application/x-javascript"})

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_EXPRESSION = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.DOTALL)
_PLACEHOLDER = r"[A-Za-z0-9_./-]*"
_HASHES_ATTRIBUTE = "csp_script_hashes"


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The policy string; ``script_hashes`` are ``sha256-…`` sources added to script-src."""
    extra = " ".join(f"'{source}'" for source in script_hashes)
    parts = []
    for directive, value in POLICY:
        if directive == "script-src" and extra:
            value = f"{value} {extra}"
        parts.append(f"{directive} {value}")
    return "; ".join(parts)


def allow_inline_scripts(response: Response, script_hashes: Iterable[str]) -> Response:
    """Let ``response`` (a page whose inline scripts were checked) run exactly these hashed scripts."""
    setattr(response, _HASHES_ATTRIBUTE, tuple(script_hashes))
    return response


def init_app(app: Flask) -> None:
    """Set the security headers on every response: pages, static files, error pages, the handbook."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(
            getattr(response, _HASHES_ATTRIBUTE, ())
        )
        for name, value in HEADERS.items():
            response.headers[name] = value
        return response


def sha256_source(text: str) -> str:
    """The CSP hash source of a script's text (without the quotes)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def theme_templates() -> Path | None:
    """The installed mkdocs-material's template folder, or None when the theme is not installed."""
    try:
        folder = resources.files("material") / "templates"
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path if path.is_dir() else None


def _has_src(attributes: str) -> bool:
    return re.search(r"(?:^|\s)src\s*=", attributes, re.IGNORECASE) is not None


def _template_pattern(body: str) -> re.Pattern[str] | None:
    """A template's script body as a pattern: literal text exact, ``{{ … }}`` as path characters."""
    if "{%" in body or "{#" in body:
        return None  # control flow inside a script cannot be modelled safely: not allowed
    pieces, last, strip_next = [], 0, False
    for match in _EXPRESSION.finditer(body):
        literal = body[last : match.start()]
        if strip_next:
            literal = literal.lstrip()
        if match.group(1):
            literal = literal.rstrip()
        pieces.append(re.escape(literal))
        pieces.append(_PLACEHOLDER)
        last, strip_next = match.end(), bool(match.group(3))
    tail = body[last:]
    pieces.append(re.escape(tail.lstrip() if strip_next else tail))
    return re.compile("".join(pieces), re.DOTALL)


@functools.cache
def theme_script_patterns() -> tuple[re.Pattern[str], ...]:
    """Patterns of the inline scripts in the installed theme's ``partials/javascripts/`` templates.

    Only that folder: it holds every inline script material's pages need. Its other inline scripts
    (``integrations/analytics``, which load code from another host, and the redirects plugin's
    ``redirect.html``, whose expression is a URL) are deliberately never allowed.
    """
    root = theme_templates()
    if root is None:
        return ()
    patterns = []
    for template in sorted((root / "partials" / "javascripts").glob("*.html")):
        for attributes, body in _SCRIPT.findall(template.read_text(encoding="utf-8")):
            if _has_src(attributes):
                continue
            pattern = _template_pattern(body)
            if pattern is not None:
                patterns.append(pattern)
    return tuple(patterns)


def inline_scripts(html: str) -> list[tuple[str, str]]:
    """The ``(attributes, text)`` of a page's ``<script>`` elements without ``src``."""
    return [(attributes, body) for attributes, body in _SCRIPT.findall(html) if not _has_src(attributes)]


def _is_data_block(attributes: str) -> bool:
    """A ``<script type="application/json">``: never executed, so CSP does not apply to it."""
    match = re.search(r"""\btype\s*=\s*["']?([^"'\s>]+)""", attributes, re.IGNORECASE)
    return bool(match) and match.group(1).lower() == "application/json"


def theme_script_hashes(html: str, name: str = "page") -> tuple[str, ...]:
    """Hashes of the page's inline scripts whose whole text is the theme's; the others are logged."""
    patterns = theme_script_patterns()
    allowed, refused = [], 0
    for attributes, body in inline_scripts(html):
        if any(pattern.fullmatch(body) for pattern in patterns):
            source = sha256_source(body)
            if source not in allowed:
                allowed.append(source)
        elif not _is_data_block(attributes):
            refused += 1
    if refused:
        log.warning("%s: %d inline script(s) not from the theme will be blocked by the CSP", name, refused)
    return tuple(allowed)


@functools.lru_cache(maxsize=512)
def _page_hashes(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    return theme_script_hashes(Path(path).read_text(encoding="utf-8", errors="replace"), path)


def page_script_hashes(path: Path) -> tuple[str, ...]:
    """:func:`theme_script_hashes` of a built HTML file, cached while the file is unchanged."""
    stat = path.stat()
    return _page_hashes(str(path), stat.st_mtime_ns, stat.st_size)


# The project's own theme folder (mkdocs.yml theme.custom_dir): its scripts (the search worker and
# the page script that starts it) are reviewed code of this repository, not handbook content.
PROJECT_THEME = Path(__file__).resolve().parent.parent / "overrides"


@functools.cache
def _theme_script_digests() -> frozenset[bytes]:
    roots = [root / "assets" for root in (theme_templates(),) if root is not None]
    roots.append(PROJECT_THEME / "assets")
    return frozenset(
        hashlib.sha256(path.read_bytes()).digest()
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and path.suffix in {".js", ".mjs"}
    )


@functools.lru_cache(maxsize=256)
def _is_theme_script(path: str, mtime_ns: int, size: int) -> bool:
    return hashlib.sha256(Path(path).read_bytes()).digest() in _theme_script_digests()


def is_theme_script(path: Path) -> bool:
    """Whether the file is byte-identical to a JavaScript file of the installed theme or of ``overrides/``."""
    stat = path.stat()
    return _is_theme_script(str(path), stat.st_mtime_ns, stat.st_size)
