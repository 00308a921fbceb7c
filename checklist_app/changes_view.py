"""改动: the diff of one policy between an earlier version and the current one, and 新/改 marks.

An old record says 该条款已在之后修改 and links here with the version it was checked against; a
checklist item marked 新 or 改 links to its clause's entry in the site's 变更记录. Both read the
releases (never the draft).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, render_template, request, url_for

from generator import HandbookLoader, diff

from . import changelog, inputs
from .auth import login_required
from .extensions import clock, handbook_state
from .strings import t

bp = Blueprint("changes", __name__, url_prefix="/changes")


def _releases():
    return current_app.extensions["checklist_releases"]


def release_with(policy_id: str, version: str):
    """The latest release (up to the current one) in which ``policy_id`` had ``version``."""
    pointer = _releases().pointer()
    for release in _releases().all():
        if pointer and release.number > pointer.number:
            continue
        policy = release.policy(policy_id)
        if policy is not None and policy.version == version:
            return release
    return None


@bp.get("/<policy_id>")
@login_required
def policy(policy_id: str):
    """Per clause, what changed in ``policy_id`` from version ``?from=`` to the version in force."""
    try:
        policy_id = inputs.text(policy_id, t("changes.policy"), 100, required=True)
        version = inputs.text(request.args.get("from", ""), t("changes.version"), 50, required=True)
    except inputs.BadInput as exc:
        abort(exc.status if exc.status != 422 else 400, exc.message)
    state = handbook_state()
    now = state.handbook.policy(policy_id) if state.handbook else None
    old_release = release_with(policy_id, version)
    if now is None or old_release is None or state.release is None:
        abort(404, t("changes.unknown", policy=policy_id, version=version))
    releases = _releases()
    old_root = releases.sources_dir(old_release.number, old_release.as_of(old_release.at[:10]))
    old = HandbookLoader(old_root, clock().today).load().handbook
    new_root = releases.sources_dir(state.release.number, state.release.as_of(clock().today().isoformat()))
    if old is None:
        abort(404, t("changes.unknown", policy=policy_id, version=version))
    changes = [
        c for c in diff.clause_changes(old, old_root, state.handbook, new_root) if c.policy_id == policy_id
    ]
    return render_template(
        "checklists/changes.html",
        policy=now,
        version=version,
        changes=changes,
        kind_labels=diff.KIND_LABELS,
    )


def change_mark(check_id: str):
    """The 新/改 mark of a checklist item (cached per request), or None."""
    marks = g.get("_change_marks")
    if marks is None:
        state = handbook_state()
        marks = {}
        if state.handbook is not None and state.release is not None:
            pointer = _releases().pointer()
            current = pointer.number if pointer else state.release.number
            marks = changelog.marks(_releases().all(), current, state.handbook, clock().today())
        g._change_marks = marks
    return marks.get(check_id)


def mark_url(mark) -> str:
    return url_for("handbook_site.page", path=changelog.PAGE_URL) + "#" + mark.anchor


@bp.record_once
def _register(state) -> None:
    app: Flask = state.app
    app.jinja_env.globals.update(change_mark=change_mark, change_mark_url=mark_url)
