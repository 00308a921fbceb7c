"""Compressed pages and JSON: brotli (or gzip) for what the app's views render.

A 40-item checklist page is mostly its own HTML, sent again on every visit; over a slow mobile link the
bytes are the wait. Static files and the handbook site are compressed already, from copies made once
(``handbook_site.py``); this covers the rest. Pages carry the CSRF token and may echo what a link put
in the query (filters): the setting BREACH needs to read a secret from compressed lengths. So every
token is masked afresh per response (``csrf_tokens.py``), and no other secret is in a page (the session
is a cookie; webhooks show only their last four characters). Anything already encoded, streamed (a
file download), partial or small is left as it is.
"""

from __future__ import annotations

import gzip

import brotli
from flask import Flask, Response, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
        "text/plain",
    }
)
MIN_BYTES = 1024  # below this the saving does not pay for the headers and the work
PAGE_BROTLI_QUALITY = 5  # fast: about 2 ms for a 100 KB page, within a few % of the best
SKIPPED_BLUEPRINTS = frozenset({"handbook_site"})  # the site and /static/: precompressed copies


def chosen_encoding() -> str | None:
    """``br`` or ``gzip`` as the request accepts them (brotli first), else None."""
    accepted = request.accept_encodings
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def pack(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=PAGE_BROTLI_QUALITY)
    return gzip.compress(data, compresslevel=6, mtime=0)


def compress(response: Response) -> Response:
    """``response`` compressed for this request when that is worth it; else unchanged."""
    if (
        request.method == "HEAD"
        or request.endpoint == "static"
        or request.blueprint in SKIPPED_BLUEPRINTS
        or response.status_code in (204, 206, 304)
        or response.status_code < 200
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE
        or response.is_streamed  # a file or a generator: sent as it comes
    ):
        return response
    response.vary.add("Accept-Encoding")
    encoding = chosen_encoding()
    if encoding is None:
        return response
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    packed = pack(data, encoding)
    if len(packed) >= len(data):
        return response
    response.set_data(packed)
    response.headers["Content-Encoding"] = encoding
    etag, _weak = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)  # the same content in another encoding
    return response


def init_app(app: Flask) -> None:
    """Compress every answer that is worth it, unless ``COMPRESS`` is off (a proxy in front compresses)."""
    if app.config.get("COMPRESS", True):
        app.after_request(compress)
