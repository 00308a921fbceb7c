"""Today's checklists, filling one in (form and JSON), and the history of completed ones."""

from __future__ import annotations

import datetime as dt
import hashlib

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
from flask_wtf.csrf import generate_csrf

from . import services
from .auth import login_required
from .extensions import clock, current_handbook, handbook_state, storage
from .extensions import today as today_date
from .generation import Target, iso_week, targets
from .strings import t

bp = Blueprint("checklists", __name__)


def _started_key(identity: str, username: str) -> str:
    return "s" + hashlib.sha256(f"{identity}|{username}".encode()).hexdigest()[:24]


def _open(kind: str, period: str, target: Target, event: str | None) -> tuple[dict, bool]:
    """The checklist this user started for this identity, or a freshly started one.

    Returns (snapshot, is_current): a checklist keeps the items and versions it was
    started with even if a policy changes before it is submitted.
    """
    current = services.generate(current_handbook(), kind, period, target, services.scope_for(g.user), event)
    started_key = _started_key(current.identity, g.user["username"])
    pointer = storage().snapshots.get(started_key)
    if pointer and (snapshot := storage().snapshots.get(pointer["snapshot_id"])):
        return snapshot, snapshot["snapshot_id"] == current.snapshot_id
    snapshot = services.start(storage(), current)
    storage().snapshots.put(started_key, {"snapshot_id": snapshot["snapshot_id"]})
    return snapshot, True


@bp.get("/")
@login_required
def today():
    """The checklists due today (or on ``?date=``) that this user inspects."""
    try:
        day = dt.date.fromisoformat(request.args.get("date") or today_date().isoformat())
    except ValueError:
        abort(400, t("error.bad_date"))
    handbook = current_handbook()
    scope = services.scope_for(g.user)
    week = iso_week(day)
    rows = []
    for target in targets(handbook):
        daily = services.generate(handbook, "daily", day.isoformat(), target, scope)
        weekly = services.generate(handbook, "weekly", week, target, scope)
        if not daily.items and not weekly.items:
            continue
        rows.append(
            {
                "target": target,
                "daily": daily,
                "daily_done": storage().completions.get(daily.identity, day),
                "weekly": weekly,
                "weekly_done": storage().completions.get(
                    weekly.identity, services.day_of({"kind": "weekly", "period": week})
                ),
            }
        )
    events = handbook.reference.events
    return render_template(
        "checklists/today.html", day=day, week=week, rows=rows, events=events, all_targets=targets(handbook)
    )


@bp.get("/checklists/start-event")
@login_required
def start_event():
    """The event form's target: redirect to that event checklist's canonical address."""
    event = request.args.get("event", "")
    if event not in current_handbook().reference.events:
        abort(404)
    return redirect(
        url_for(
            "checklists.checklist",
            kind="event",
            period=request.args.get("date", ""),
            target=request.args.get("target", ""),
            event=event,
        )
    )


@bp.get("/checklists/<kind>/<period>/<path:target>")
@login_required
def checklist(kind: str, period: str, target: str):
    """Fill in one checklist (or see it, if it was already submitted)."""
    if kind not in ("daily", "weekly", "event"):
        abort(404)
    try:
        parsed = Target.parse(target)
        snapshot, is_current = _open(kind, period, parsed, request.args.get("event"))
    except ValueError:
        abort(404)
    done = storage().completions.get(snapshot["identity"], services.day_of(snapshot))
    if done is not None:
        flash(t("checklist.already"))
        return redirect(url_for("checklists.record", record_id=done["id"]))
    return render_template(
        "checklists/checklist.html",
        snapshot=snapshot,
        is_current=is_current,
        answers={},
        errors=[],
        key=request.args.get("key", ""),
    )


def _form_answers(snapshot: dict) -> dict:
    answers = {}
    for item in snapshot["items"]:
        key = item["key"]
        answers[key] = {
            "result": request.form.get(f"result-{key}", ""),
            "note": request.form.get(f"note-{key}", ""),
            "responsible": request.form.get(f"responsible-{key}", ""),
            "count": request.form.get(f"count-{key}", ""),
        }
    return answers


def _snapshot_or_error(snapshot_id: str | None) -> dict:
    snapshot = storage().snapshots.get(snapshot_id or "") if snapshot_id else None
    if snapshot is None or "identity" not in snapshot:
        raise services.SubmissionError([t("error.stale")], status=409)
    return snapshot


@bp.post("/checklists/submit")
@login_required
def submit_form():
    """The plain form POST: works without JavaScript."""
    snapshot = None
    try:
        snapshot = _snapshot_or_error(request.form.get("snapshot_id"))
        record, _created = services.submit(
            storage(),
            snapshot,
            _form_answers(snapshot),
            g.user,
            request.form.get("idempotency_key", ""),
            current_app.config["MAX_NOTE_LENGTH"],
            now=clock().now(),
        )
    except services.Forbidden:
        abort(403)
    except services.SubmissionError as exc:
        if snapshot is None:
            return render_template("errors/error.html", messages=exc.messages), exc.status
        answers = _form_answers(snapshot)
        return render_template(
            "checklists/checklist.html",
            snapshot=snapshot,
            is_current=True,
            answers=answers,
            errors=exc.messages,
            key=request.form.get("idempotency_key", ""),
        ), exc.status
    flash(t("checklist.submitted"))
    return redirect(url_for("checklists.record", record_id=record["id"]))


@bp.post("/api/submissions")
@login_required
def submit_json():
    """JSON submission with an ``Idempotency-Key`` header: 201 new, 200 repeat (same body)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return jsonify(errors=[t("error.bad_request", detail="JSON {snapshot_id, answers}")]), 400
    try:
        snapshot = _snapshot_or_error(body.get("snapshot_id"))
        record, created = services.submit(
            storage(),
            snapshot,
            body["answers"],
            g.user,
            request.headers.get("Idempotency-Key", ""),
            current_app.config["MAX_NOTE_LENGTH"],
            now=clock().now(),
        )
    except services.Forbidden:
        return jsonify(errors=[t("error.forbidden")]), 403
    except services.SubmissionError as exc:
        return jsonify(errors=exc.messages), exc.status
    url = url_for("checklists.record", record_id=record["id"])
    return jsonify(record=record, url=url), (201 if created else 200)


@bp.get("/api/csrf")
@login_required
def csrf_token():
    """A fresh CSRF token for a page that replays a queued submission."""
    return jsonify(csrf_token=generate_csrf())


def visible(record: dict) -> bool:
    return g.user["permission"] in ("admin", "owner") or record["inspector"] == g.user["username"]


def visible_record(record_id: str) -> dict:
    """The completed checklist with this id if the signed-in user may see it; 404 or 403 otherwise."""
    found = storage().completions.find(record_id)
    if found is None:
        abort(404)
    if not visible(found):
        abort(403)
    return found


@bp.get("/history")
@login_required
def history():
    """Completed checklists by date range, target and inspector."""
    try:
        end = dt.date.fromisoformat(request.args.get("to") or today_date().isoformat())
        start = dt.date.fromisoformat(request.args.get("from") or (end - dt.timedelta(days=30)).isoformat())
    except ValueError:
        abort(400, t("error.bad_date"))
    target = request.args.get("target", "")
    inspector = request.args.get("inspector", "")
    records = [r for r in storage().completions.list(start, end) if visible(r)]
    if target:
        records = [r for r in records if f"{r['target']['kind']}:{r['target']['name']}" == target]
    if inspector:
        records = [r for r in records if r["inspector"] == inspector]
    inspectors = sorted({r["inspector"] for r in records} | ({inspector} if inspector else set()))
    handbook = handbook_state().handbook
    return render_template(
        "checklists/history.html",
        records=records[:500],
        start=start,
        end=end,
        target=target,
        inspector=inspector,
        inspectors=inspectors,
        all_targets=targets(handbook) if handbook else [],
    )


@bp.get("/history/<record_id>")
@login_required
def record(record_id: str):
    """One completed checklist, read-only, against the clause versions it was checked against."""
    found = visible_record(record_id)
    handbook = handbook_state().handbook
    current = {}
    if handbook is not None:
        for item in found["items"]:
            clause = handbook.clause(item["clause_id"])
            policy = handbook.policy(item["policy_id"])
            current[item["key"]] = {
                "changed": clause is None or clause.hash != item["clause_hash"],
                "version": policy.version if policy else "—",
            }
    return render_template("checklists/record.html", record=found, current=current)
