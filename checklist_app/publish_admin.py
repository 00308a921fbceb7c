"""管理 → 发布: what publishing the draft would change, the publish form, releases and rollback."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from generator.diff import KIND_LABELS

from . import inputs, publishing
from .auth import requires
from .extensions import clock, handbook_source, storage
from .permissions import can
from .strings import t

bp = Blueprint("publish", __name__, url_prefix="/admin/publish")


def _releases():
    return current_app.extensions["checklist_releases"]


def _page(errors: list[str] | None = None, problems=(), note: str = "", status: int = 200):
    releases = _releases()
    state = handbook_source().refresh(force=True)
    current = releases.current()
    draft = publishing.check_draft(Path(current_app.config["HANDBOOK_DIR"]), clock(), current)
    model = draft.handbook or draft.parsed
    changed = publishing.changes(model, current) if model else []
    offers = publishing.needs_version(model, current) if model else []
    draft_root = Path(current_app.config["HANDBOOK_DIR"])
    diffs = publishing.preview(releases, current, draft_root, model, clock()) if model else None
    return render_template(
        "admin/publish.html",
        state=state,
        draft=draft,
        current=current,
        pointer=releases.pointer(),
        changes=changed,
        offers=offers,
        diffs=diffs,
        kind_labels=KIND_LABELS,
        releases=releases.all(),
        errors=errors or [],
        problems=problems,
        note=note,
    ), status


@bp.get("/")
@requires("handbook.publish")
def page():
    """The draft's problems, what it changes against the current release, and every release."""
    return _page()


@bp.post("/")
@requires("handbook.publish")
def publish():
    """Publish the draft as the next release (validated, built, then switched to everywhere)."""
    raw = request.form.get("note", "")
    try:
        note = inputs.text(raw, t("publish.note"), publishing.MAX_NOTE, multiline=True)
    except inputs.BadInput as exc:
        return _page([exc.message], note=raw if isinstance(raw, str) else "", status=exc.status)
    try:
        release = publishing.publish(
            _releases(),
            storage(),
            clock(),
            Path(current_app.config["HANDBOOK_DIR"]),
            Path(current_app.config["MKDOCS_CONFIG"]),
            g.user,
            note,
        )
    except publishing.PublishRefused as exc:
        return _page([exc.message], exc.problems, note, 422)
    handbook_source().refresh(force=True)
    flash(t("publish.done", number=release.number))
    return redirect(url_for("publish.page"))


@bp.post("/version")
@requires("handbook.publish")
def bump():
    """Write the offered next version of one policy into the draft (the owner then publishes)."""
    policy_id = request.form.get("policy", "")
    if not isinstance(policy_id, str) or not policy_id or len(policy_id) > 100:
        abort(400, t("publish.bad_policy"))
    current = _releases().current()
    version = publishing.bump_version(Path(current_app.config["HANDBOOK_DIR"]), clock(), current, policy_id)
    if version is None:
        return _page([t("publish.bump_nothing", policy=policy_id)], status=409)
    flash(t("publish.bumped", policy=policy_id, version=version))
    return redirect(url_for("publish.page"))


@bp.post("/rollback")
@requires("handbook.rollback")
def rollback():
    """Make an earlier release current again (admins)."""
    raw = request.form.get("number", "")
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        abort(400, t("publish.bad_number"))
    number = int(raw)
    pointer = _releases().pointer()
    if pointer is not None and pointer.number == number:
        return _page([t("publish.already_current", number=number)], status=409)
    try:
        publishing.rollback(_releases(), storage(), clock(), number, g.user)
    except KeyError:
        abort(404, t("publish.cli.unknown", number=number))
    handbook_source().refresh(force=True)
    flash(t("publish.rolled_back", number=number))
    return redirect(url_for("publish.page"))


def can_rollback() -> bool:
    return can(g.user, "handbook.rollback")
