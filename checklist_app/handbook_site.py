"""Serve the built handbook under /handbook/, so one address on a phone gives checklists and rules.

The site shares the app's origin, so what it may run is restricted (see :mod:`.security`): an HTML
page may run only the theme's own inline scripts (their hashes go into its CSP), and a JavaScript
file is served only if it is one the installed theme ships, byte for byte.

Compression and caching (the app's own ``/static/`` files too, whose view this module replaces):

* The build writes ``file.br`` and ``file.gz`` beside each text file (:mod:`generator.precompress`,
  published atomically with the site). A request gets the smallest one its ``Accept-Encoding``
  allows, with ``Content-Encoding`` and ``Vary: Accept-Encoding``; a copy is used only if it
  decompresses to the file itself (checked once per file version), so a stale or planted copy is
  never served. The app's static files are few and small: compressed in memory once per version.
* The theme's fingerprinted assets (``bundle.<hash>.min.js``, ``main.<hash>.min.css``,
  ``workers/search.<hash>.min.js`` …) change name when they change: cached for a year, immutable.
  Everything else (pages, the search index, ``handbook.css``, the app's static files) is
  ``no-cache`` with an ETag and Last-Modified, so a repeat view costs a 304 per file.
* Every response, 304s included, still passes through :func:`.security.init_app`'s headers; an HTML
  page's 304 carries the same script hashes as its 200 (a browser updates the cached headers).
"""

from __future__ import annotations

import functools
import io
import mimetypes
import re
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, send_file
from werkzeug.security import safe_join

from generator import precompress

from . import security
from .extensions import handbook_state

bp = Blueprint("handbook_site", __name__, url_prefix="/handbook")


MAX_PATH_BYTES = 1024
MAX_NAME_BYTES = 255  # what the file system allows for one name; longer would be ENAMETOOLONG

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# mkdocs-material's file names carry a hash of their content (8 hex digits).
FINGERPRINTED = re.compile(r"assets/(?:.+/)?[\w-]+\.[0-9a-f]{8}\.min\.(?:js|css)")
# Compressed copies are a representation of their file, not files of the site: never served as such.
_VARIANT_SUFFIXES = (".gz", ".br")


def _plausible(path: str) -> bool:
    """Whether ``path`` could name a file of the site at all (no NUL, no over-long names)."""
    try:
        data = path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if len(data) > MAX_PATH_BYTES or "\x00" in path:
        return False
    return all(len(part.encode("utf-8")) <= MAX_NAME_BYTES for part in path.split("/"))


def cache_control_for(path: str) -> str:
    """The Cache-Control of a site file: a year for fingerprinted theme assets, else revalidate."""
    return IMMUTABLE if FINGERPRINTED.fullmatch(path) else REVALIDATE


def _find(root: Path, path: str) -> Path | None:
    joined = safe_join(str(root), path)  # None for a path that escapes the folder
    if joined is None or not Path(joined).is_file():
        return None
    return Path(joined)


def _resolve(root: Path, path: str) -> Path:
    file = _find(root, path)
    if file is None:
        abort(404)
    return file


def _mimetype(file: Path) -> str:
    # The type of the file itself: never a Content-Encoding guessed from a ".gz" name.
    return mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def accepted(encoding: str) -> bool:
    """Whether the request's Accept-Encoding allows ``encoding`` (``q=0`` refuses it)."""
    return request.accept_encodings.quality(encoding) > 0


@functools.lru_cache(maxsize=4096)
def _same_content(
    variant: str, v_stat: tuple[int, int], original: str, o_stat: tuple[int, int], encoding: str
):
    try:
        return precompress.decoders()[encoding](Path(variant).read_bytes()) == Path(original).read_bytes()
    except Exception:  # a truncated or foreign file: not a copy of this one
        return False


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _precompressed(file: Path) -> tuple[str | None, Path]:
    """The best copy of ``file`` on disk the client accepts: (Content-Encoding or None, path)."""
    if precompress.compressible(file):
        original = _stat_key(file)
        for encoding, suffix in precompress.VARIANTS:
            variant = file.with_name(file.name + suffix)
            if not accepted(encoding):
                continue
            key = _stat_key(variant)
            if key and original and _same_content(str(variant), key, str(file), original, encoding):
                return encoding, variant
    return None, file


def _finish(response: Response, file: Path, encoding: str | None, cache_control: str) -> Response:
    if encoding and response.status_code in (200, 206):
        response.headers["Content-Encoding"] = encoding
    if precompress.compressible(file):
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = cache_control
    response.headers.pop("Expires", None)
    return response


def not_found_page(root: Path) -> Response:
    """The handbook's own 404 page (``overrides/404.html``), sent with status 404.

    It links to the handbook's home and search rather than the app's pages, which a new hire
    without an account cannot open. Without a built 404 page, the app's own 404 is shown.
    """
    file = root / "404.html"
    if not file.is_file():
        abort(404)
    encoding, sent = _precompressed(file)
    response = Response(sent.read_bytes(), status=404, mimetype="text/html")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    security.allow_inline_scripts(response, security.page_script_hashes(file))
    return _finish(response, file, None, REVALIDATE)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    """A file of the built site; directory URLs map to their index.html; else the site's 404 page."""
    site = handbook_state().site  # the current release's site: the same release as the checklists
    if site is None or not (site / "index.html").exists():
        abort(404)
    root = site.resolve()
    if not _plausible(path) or path.endswith(_VARIANT_SUFFIXES):
        return not_found_page(root)
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (root / path).is_dir():
        path += "/index.html"
    file = _find(root, path)
    if file is None:
        return not_found_page(root)
    mimetype = _mimetype(file)
    if mimetype in security.JAVASCRIPT_TYPES and not security.is_theme_script(file):
        current_app.logger.warning("not serving %s: a script the theme does not ship", path)
        return not_found_page(root)
    encoding, sent = _precompressed(file)
    response = send_file(
        sent,
        mimetype=mimetype,
        download_name=file.name,
        conditional=True,
        etag=True,
        last_modified=file.stat().st_mtime,
    )
    if mimetype == "text/html":
        # On a 304 too: the browser keeps the cached page but takes the new response's headers.
        security.allow_inline_scripts(response, security.page_script_hashes(file))
    return _finish(response, file, encoding, cache_control_for(path))


@functools.lru_cache(maxsize=256)
def _packed(path: str, stat: tuple[int, int], encoding: str) -> bytes | None:
    data = Path(path).read_bytes()
    if len(data) < precompress.MIN_SIZE:
        return None
    if encoding == "br":
        packed = precompress.brotli_bytes(data, precompress.BROTLI_ASSETS)
    else:
        packed = precompress.gzip_bytes(data, precompress.GZIP_ASSETS)
    return packed if len(packed) < len(data) * 0.9 else None


def static_file(filename: str) -> Response:
    """The app's ``/static/`` view: Flask's, plus compression and revalidation."""
    app = current_app
    if not _plausible(filename) or app.static_folder is None:
        abort(404)
    file = _resolve(Path(app.static_folder), filename)
    mimetype = _mimetype(file)
    stat = file.stat()
    if precompress.compressible(file):
        for encoding, _ in precompress.VARIANTS:
            if not accepted(encoding):
                continue
            packed = _packed(str(file), (stat.st_mtime_ns, stat.st_size), encoding)
            if packed is None:
                break
            etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}-{encoding}"
            response = send_file(
                io.BytesIO(packed),
                mimetype=mimetype,
                download_name=file.name,
                etag=etag,
                last_modified=stat.st_mtime,
                conditional=True,
            )
            return _finish(response, file, encoding, REVALIDATE)
    response = send_file(file, mimetype=mimetype, conditional=True, etag=True, last_modified=stat.st_mtime)
    return _finish(response, file, None, REVALIDATE)


@bp.record_once
def _replace_static_view(state) -> None:
    app: Flask = state.app
    if "static" in app.view_functions:
        app.view_functions["static"] = static_file
