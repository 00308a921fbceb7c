"""CSRF tokens masked afresh in every response, so compressed pages do not leak them (BREACH).

Flask-WTF's token is the same string on every page of a session. A page that is compressed and also
echoes something an attacker chose (a search or filter in the query) lets the attacker guess the token
byte by byte from the compressed length (BREACH). Each token written into a page or a JSON answer here
is ``m.`` + base64url(pad ‖ token XOR pad) with a new random pad, as Django does: never the same bytes
twice, so compression has nothing to match. The server unmasks what a form field or the
``X-CSRFToken`` header carries before Flask-WTF checks it; an unmasked token (a page cached before
masking) is checked as it is.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect, generate_csrf

PREFIX = "m."


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def mask(token: str) -> str:
    """``token`` under a fresh random pad."""
    raw = token.encode("ascii")
    pad = secrets.token_bytes(len(raw))
    return PREFIX + base64.urlsafe_b64encode(pad + _xor(raw, pad)).decode("ascii").rstrip("=")


def unmask(value: str | None) -> str | None:
    """The token a masked value carries; anything else unchanged (Flask-WTF then judges it)."""
    if not value or not value.startswith(PREFIX):
        return value
    body = value[len(PREFIX) :]
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return value
    if not data or len(data) % 2:
        return value
    half = len(data) // 2
    try:
        return _xor(data[half:], data[:half]).decode("ascii")
    except UnicodeDecodeError:
        return value


def masked_csrf() -> str:
    """The session's CSRF token, masked for this response (templates' ``csrf_token()``)."""
    return mask(generate_csrf())


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's protection, reading masked tokens, with templates writing masked ones."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = masked_csrf
        # Flask-WTF's context processor provides csrf_token too; a later processor wins.
        app.context_processor(lambda: {"csrf_token": masked_csrf})

    def _get_csrf_token(self):
        return unmask(super()._get_csrf_token())
