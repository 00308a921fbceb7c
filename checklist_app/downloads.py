"""Files sent to a browser: downloads with Chinese names every browser saves correctly, and photos."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response


def ascii_fallback(name: str) -> str:
    """A plain-ASCII file name for clients that ignore ``filename*`` (non-ASCII becomes ``_``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "download"


def attachment(data: bytes, mimetype: str, name: str, fallback: str | None = None) -> Response:
    """A private download of ``data`` saved as ``name`` (RFC 6266/5987: UTF-8 name plus ASCII fallback)."""
    plain = fallback or ascii_fallback(name)
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "private, no-store",  # signed-in users' data: keep it out of shared caches
        },
    )


def photo(data: bytes) -> Response:
    """A stored photo (JPEG), shown inline to the signed-in user allowed to see it.

    Named by its content hash, so it never changes: cached for a year, but ``private``, never in a
    shared cache.
    """
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
