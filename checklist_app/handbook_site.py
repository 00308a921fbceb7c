"""Serve the built handbook under /handbook/, so one address on a phone gives checklists and rules."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("handbook_site", __name__, url_prefix="/handbook")


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    """A file of the built site; directory URLs map to their index.html."""
    root = Path(current_app.config["SITE_DIR"])
    if not (root / "index.html").exists():
        abort(404)
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (root / path).is_dir():
        path += "/index.html"
    # send_from_directory refuses paths that escape the folder.
    response = send_from_directory(root.resolve(), path, max_age=300)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
