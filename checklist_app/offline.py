"""The installable, offline-capable app: web app manifest, service worker and what it caches.

The service worker is served from ``/sw.js`` (not ``/static/``) so that its scope is the whole app.
Its text carries the app version (a hash of the static files and of the worker itself), so every
release is a new worker with new cache names: it takes over at once and deletes the old caches, and
pages are fetched network-first, so a phone never keeps showing a stale shell while it is online.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for

from . import board
from .auth import login_required
from .extensions import current_handbook, storage
from .extensions import today as today_date
from .strings import t

bp = Blueprint("offline", __name__)


# Every static file (about 160 KB, a third of it the icons): the worker caches them all when it installs,
# so a file a page gains later (another branch's script) is never missing offline.
def shell_files(static_folder: str) -> list[str]:
    """The static files' names, relative to the static folder, in a stable order."""
    root = Path(static_folder)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# Enough for a day's work; a board with more targets caches the inspector's own first.
MAX_CHECKLISTS = 30
PRECACHE_HEADER = "X-Offline-Precache"


@functools.cache
def app_version(static_folder: str) -> str:
    """A short hash of every static file and of the worker's template: a new release, a new version.

    A worker whose code changed alone also gets new cache names, so its shell is never an old one.
    """
    digest = hashlib.sha256()
    root = Path(static_folder)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    worker = root.parent / "templates" / "offline" / "sw.js"  # beside static/ in the package
    if worker.is_file():
        digest.update(worker.read_bytes())
    return digest.hexdigest()[:12]


def _version() -> str:
    return app_version(str(current_app.static_folder))


def is_precache() -> bool:
    """Whether this GET comes from the worker filling its cache (not from someone opening the page)."""
    return request.headers.get(PRECACHE_HEADER) == "1"


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, with this version and the shell's addresses, scoped to the whole app."""
    text = render_template(
        "offline/sw.js",
        version=_version(),
        shell=[url_for("static", filename=name) for name in shell_files(str(current_app.static_folder))]
        + [url_for("offline.fallback"), url_for("offline.manifest")],
    )
    response = Response(text, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: installable from the browser's menu, opens on Today, standalone."""
    icon = functools.partial(url_for, "static")
    body = {
        "name": t("app.name"),
        "short_name": t("app.name"),
        "lang": "zh-CN",
        "start_url": url_for("checklists.today"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#bf360c",
        "icons": [
            {"src": icon(filename="icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon(filename="icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": icon(filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def fallback():
    """Shown by the worker for a page that was never cached while the phone is offline."""
    return render_template("offline/fallback.html")


@bp.get("/offline/banner")
def banner():
    """The pending banner for the handbook's pages (static files, so they fetch it; ``handbook-pending.js``).

    The same element as on every app page, for whoever is signed in (or nobody), plus the scripts that
    flush the outbox and a link to Today. Fetched network-first by the worker, so it is there offline.
    """
    response = Response(render_template("offline/pending.html", handbook_page=True), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline/precache")
@login_required
def precache():
    """What the worker caches for this user while online: Today, today's checklists, their handbook pages."""
    handbook = current_handbook()
    day = today_date()
    today = board.board(storage(), handbook, g.user, day)
    expected = [
        slot.checklist
        for row in today.mine + today.others
        for slot in (row.daily, row.weekly)
        if slot.checklist.items and slot.done is None
    ]
    pages, handbook_pages = [url_for("checklists.today"), url_for("offline.banner")], []
    for checklist in expected[:MAX_CHECKLISTS]:
        pages.append(
            url_for(
                "checklists.checklist",
                kind=checklist.kind,
                period=checklist.period,
                target=checklist.target.slug,
            )
        )
        for item in checklist.items:
            page = url_for("handbook_site.page") + item.clause_url.split("#", 1)[0]
            if page not in handbook_pages:
                handbook_pages.append(page)
    return jsonify(version=_version(), pages=pages, handbook=handbook_pages)
