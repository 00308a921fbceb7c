"""Serve the built handbook under /handbook/, so one address on a phone gives checklists and rules.

The site shares the app's origin, so what it may run is restricted (see :mod:`.security`): an HTML
page may run only the theme's own inline scripts (their hashes go into its CSP), and a JavaScript
file is served only if it is one the installed theme ships, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from werkzeug.security import safe_join

from . import security

bp = Blueprint("handbook_site", __name__, url_prefix="/handbook")


MAX_PATH_BYTES = 1024
MAX_NAME_BYTES = 255  # what the file system allows for one name; longer would be ENAMETOOLONG


def _plausible(path: str) -> bool:
    """Whether ``path`` could name a file of the site at all (no NUL, no over-long names)."""
    try:
        data = path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if len(data) > MAX_PATH_BYTES or "\x00" in path:
        return False
    return all(len(part.encode("utf-8")) <= MAX_NAME_BYTES for part in path.split("/"))


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    """A file of the built site; directory URLs map to their index.html."""
    root = Path(current_app.config["SITE_DIR"]).resolve()
    if not (root / "index.html").exists() or not _plausible(path):
        abort(404)
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (root / path).is_dir():
        path += "/index.html"
    # send_from_directory refuses paths that escape the folder (404).
    response = send_from_directory(root, path, max_age=300)
    file = Path(safe_join(str(root), path))
    if response.mimetype in security.JAVASCRIPT_TYPES and not security.is_theme_script(file):
        response.close()
        current_app.logger.warning("not serving %s: a script the theme does not ship", path)
        abort(404)
    if response.mimetype == "text/html":
        security.allow_inline_scripts(response, security.page_script_hashes(file))
    return response
