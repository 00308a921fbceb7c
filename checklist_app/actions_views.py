"""Corrective actions (整改) on the phone: the lists (mine, department, overdue) and one action's page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from . import actions, downloads
from .auth import login_required
from .extensions import clock, handbook_state, storage
from .extensions import today as today_date
from .strings import t

bp = Blueprint("actions", __name__)


def default_days() -> int:
    return int(current_app.config["ACTION_DAYS"])


def open_for(record: dict) -> None:
    """After a submission (new or repeated): open its failures' actions and apply its 复查 answers."""
    actions.open_for_record(storage(), handbook_state().handbook, record, default_days(), clock())


@bp.get("/actions")
@login_required
def index():
    """The actions the user may see: 我的 (to fix, to re-check), 本部门, 已逾期, 全部."""
    filters = actions.Filters.parse(request.args)
    found = actions.listing(storage(), handbook_state().handbook, g.user, filters, today_date())
    return render_template("actions/list.html", listing=found, views=actions.VIEWS, statuses=actions.STATUSES)


@bp.get("/actions/<path:action_id>")
@login_required
def detail(action_id: str):
    action, who = actions.get(storage(), handbook_state().handbook, g.user, action_id)
    return render_template("actions/detail.html", action=action, who=who, today=today_date(), errors=())


@bp.get("/actions/<path:action_id>/photos/<photo_id>")
@login_required
def photo(action_id: str, photo_id: str):
    """A photo of the failure or of a fix, for whoever may see the action (and nobody else)."""
    action, _who = actions.get(storage(), handbook_state().handbook, g.user, action_id)
    data = storage().photos.get(photo_id) if photo_id in action.all_photos else None
    if data is None:
        abort(404)
    return downloads.photo(data)


@bp.post("/actions/<path:action_id>/<step>")
@login_required
def change(action_id: str, step: str):
    """已整改 (the owner), 复查通过 or 退回 (the inspector or a manager)."""
    if step not in ("fix", "verify", "return"):
        return render_template("errors/error.html", messages=[t("error.not_found")], status=404), 404
    action, who = actions.get(storage(), handbook_state().handbook, g.user, action_id)
    rev, note = request.form.get("rev"), request.form.get("note")
    try:
        if step == "fix":
            photos = request.form.getlist("photo")
            actions.mark_fixed(
                storage(),
                clock(),
                g.user,
                who,
                rev,
                note,
                photos,
                int(current_app.config["PHOTO_MAX_PER_ITEM"]),
            )
        else:
            (actions.verify if step == "verify" else actions.send_back)(
                storage(), clock(), g.user, who, rev, note
            )
    except actions.ActionError as exc:
        page = render_template(
            "actions/detail.html", action=action, who=who, today=today_date(), errors=exc.messages
        )
        return page, exc.status
    flash(t(f"action.done.{step}"))
    return redirect(url_for("actions.detail", action_id=action_id))
