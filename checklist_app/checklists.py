"""Today's checklists, filling one in (form and JSON), and the history of completed ones."""

from __future__ import annotations

import datetime as dt
import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from . import actions, actions_views, board, due, inputs, offline, services
from . import records as records_service
from .auth import login_required
from .csrf_tokens import masked_csrf
from .extensions import clock, current_handbook, handbook_state, storage
from .extensions import today as today_date
from .generation import targets
from .strings import t

bp = Blueprint("checklists", __name__)


def _grace() -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config["SUBMIT_GRACE_MINUTES"]))


@bp.get("/")
@login_required
def today():
    """The checklists due today that this user inspects (an earlier ``?date=`` is a back-fill)."""
    day = inputs.optional_day(request.args.get("date"), today_date())
    mode = services.day_view(g.user, day, clock())
    handbook = current_handbook()
    return render_template(
        "checklists/today.html",
        day=day,
        board=board.board(storage(), handbook, g.user, day),
        events=handbook.reference.events,
        all_targets=targets(handbook),
        backfill=mode == due.BACKFILL,
    )


@bp.get("/checklists/start-event")
@login_required
def start_event():
    """The event form's target: redirect to that event checklist's canonical address."""
    handbook = current_handbook()
    event = request.args.get("event", "")
    if event not in handbook.reference.events:
        abort(404, t("error.unknown_event", event=event[:50]))
    day = inputs.optional_day(request.args.get("date"), today_date())
    target = services.resolve_target(handbook, request.args.get("target", ""))
    return redirect(
        url_for("checklists.checklist", kind="event", period=day.isoformat(), target=target.slug, event=event)
    )


@bp.get("/checklists/<kind>/<period>/<path:target>")
@login_required
def checklist(kind: str, period: str, target: str):
    """Fill in one checklist (or see it, if it was already submitted)."""
    opened = services.open_checklist(
        storage(),
        current_handbook(),
        g.user,
        kind,
        period,
        target,
        request.args.get("event"),
        clock=clock(),
        grace=_grace(),
        confirmed=request.args.get("confirm") == "1",
        precache=offline.is_precache(),
    )
    if opened.done is not None:
        flash(t("checklist.already"))
        return redirect(url_for("checklists.record", record_id=opened.done["id"]))
    if opened.snapshot is None:  # someone else started it: say so before anything is ticked
        confirm = url_for(
            "checklists.checklist", kind=kind, period=period, target=target, confirm="1", **_event_arg()
        )
        return render_template("checklists/confirm.html", started=opened.started, confirm=confirm)
    return render_template(
        "checklists/checklist.html",
        snapshot=opened.snapshot,
        is_current=opened.is_current,
        backfill=opened.mode == due.BACKFILL,
        answers={},
        errors=[],
        reason="",
        key=_key_param(),
    )


def _event_arg() -> dict:
    event = request.args.get("event")
    return {"event": event} if isinstance(event, str) and event else {}


def _key_param() -> str:
    key = request.args.get("key", "")
    return key if services.valid_key(key) else ""


def _form_answers(snapshot: dict) -> dict:
    answers = {}
    for item in snapshot["items"]:
        key = item["key"]
        answers[key] = {
            "result": request.form.get(f"result-{key}", ""),
            "note": request.form.get(f"note-{key}", ""),
            "responsible": request.form.get(f"responsible-{key}", ""),
            "responsible_id": request.form.get(f"responsible_id-{key}", ""),
            "count": request.form.get(f"count-{key}", ""),
        }
        if item.get("reading") is not None:
            answers[key]["reading"] = request.form.get(f"reading-{key}", "")
    return answers


def _snapshot_or_error(snapshot_id) -> dict:
    if not isinstance(snapshot_id, str) or not services.SNAPSHOT_ID_RE.fullmatch(snapshot_id):
        raise services.SubmissionError.of("error.bad_snapshot", status=400)
    snapshot = storage().snapshots.get(snapshot_id)
    if snapshot is None or "identity" not in snapshot:
        raise services.SubmissionError.of("error.stale", status=409)
    return snapshot


@bp.post("/checklists/submit")
@login_required
def submit_form():
    """The plain form POST: works without JavaScript."""
    snapshot = _snapshot_or_error(request.form.get("snapshot_id"))
    try:
        record, _created = services.submit(
            storage(),
            snapshot,
            _form_answers(snapshot),
            g.user,
            request.form.get("idempotency_key", ""),
            current_app.config["MAX_NOTE_LENGTH"],
            clock=clock(),
            grace=_grace(),
            backfill_reason=request.form.get("backfill_reason"),
            max_photos=int(current_app.config["PHOTO_MAX_PER_ITEM"]),
        )
    except services.SubmissionError as exc:
        if exc.status in (400, 403, 409) or "record_id" in exc.data:
            raise
        return render_template(
            "checklists/checklist.html",
            snapshot=snapshot,
            is_current=True,
            backfill="backfill_reason" in request.form,
            answers=_form_answers(snapshot),
            errors=exc.messages,
            reason=request.form.get("backfill_reason", ""),
            key=request.form.get("idempotency_key", ""),
        ), exc.status
    actions_views.open_for(record)
    flash(t("checklist.submitted"))
    return redirect(url_for("checklists.record", record_id=record["id"]))


@bp.post("/api/submissions")
@login_required
def submit_json():
    """JSON submission with an ``Idempotency-Key`` header: 201 new, 200 repeat (same body).

    The same key with a different body is refused with 422 and the stored record's address.
    """
    body = read_json()
    if not isinstance(body, dict):
        raise services.SubmissionError.of("error.bad_json", status=400)
    snapshot = _snapshot_or_error(body.get("snapshot_id"))
    record, created = services.submit(
        storage(),
        snapshot,
        body.get("answers"),
        g.user,
        request.headers.get("Idempotency-Key", ""),
        current_app.config["MAX_NOTE_LENGTH"],
        clock=clock(),
        grace=_grace(),
        backfill_reason=body.get("backfill_reason"),
        max_photos=int(current_app.config["PHOTO_MAX_PER_ITEM"]),
        signed=body.get("signatures"),
    )
    actions_views.open_for(record)  # again on a repeat: heals a crash between the save and this
    url = url_for("checklists.record", record_id=record["id"])
    return jsonify(record=record, url=url), (201 if created else 200)


def read_json():
    """The request's JSON body, or SubmissionError 400 (malformed, too deep, not UTF-8)."""
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise services.SubmissionError.of("error.bad_json", status=400) from None


@bp.get("/api/csrf")
@login_required
def csrf_token():
    """A fresh CSRF token for a page that replays a queued submission, and whose session it is."""
    return jsonify(csrf_token=masked_csrf(), user=g.user["username"])


@bp.get("/history")
@login_required
def history():
    """Completed checklists by date range, target and inspector."""
    end = inputs.optional_day(request.args.get("to"), today_date(), "结束日期")
    start = inputs.optional_day(request.args.get("from"), max(end - dt.timedelta(days=30), inputs.MIN_DAY))
    inputs.date_range(start, end, int(current_app.config["HISTORY_MAX_DAYS"]))
    target = inputs.text(request.args.get("target"), "检查对象", 200)
    inspector = inputs.text(request.args.get("inspector"), "检查人", 100)
    page = inputs.page(request.args.get("page"))
    found = records_service.history(
        storage(), g.user, start, end, target=target, inspector=inspector, page=page
    )
    handbook = handbook_state().handbook
    return render_template(
        "checklists/history.html",
        history=found,
        start=start,
        end=end,
        target=target,
        inspector=inspector,
        all_targets=targets(handbook) if handbook else [],
    )


@bp.get("/history/<record_id>")
@login_required
def record(record_id: str):
    """One completed checklist, read-only, against the clause versions it was checked against."""
    found = records_service.visible_record(storage(), g.user, record_id)
    current = records_service.clause_changes(handbook_state().handbook, found)
    item_actions = actions.by_record(storage(), found["id"])
    return render_template(
        "checklists/record.html", record=found, current=current, item_actions=item_actions, today=today_date()
    )
