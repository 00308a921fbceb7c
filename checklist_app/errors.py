"""Domain and HTTP errors become responses in one place: Chinese pages, or JSON for the API."""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .inputs import BadInput
from .services import ServiceError
from .strings import t

_MESSAGES = {
    400: "error.bad_request",
    403: "error.forbidden",
    404: "error.not_found",
    413: "error.too_large",
    500: "error.server",
    503: "error.server",
}


def _respond(status: int, message: str | list[str], record_id: str | None = None, code: str | None = None):
    messages = [message] if isinstance(message, str) else message
    url = url_for("checklists.record", record_id=record_id) if record_id else None
    if request.path.startswith("/api/"):
        body = {"errors": messages}
        if code:
            body["code"] = code  # stable, for clients: e.g. error.key_reused
        if url:
            body.update(url=url, record_id=record_id)
        return jsonify(body), status
    return render_template("errors/error.html", messages=messages, status=status, record_url=url), status


def _is_ours(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def init_app(app) -> None:
    """Register the error handlers."""

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        return _respond(exc.status, exc.messages, exc.data.get("record_id"), exc.code)

    @app.errorhandler(BadInput)
    def bad_input(exc: BadInput):
        return _respond(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _respond(400, t("error.csrf"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        key = _MESSAGES.get(exc.code or 500, "error.server")
        detail = exc.description if exc.code == 400 and isinstance(exc.description, str) else ""
        message = t(key, detail=detail) if key == "error.bad_request" else t(key)
        if exc.code in (403, 404) and isinstance(exc.description, str) and _is_ours(exc.description):
            message = exc.description  # a Chinese message given where the request was refused
        return _respond(exc.code or 500, message)
