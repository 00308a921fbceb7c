"""Use cases: open a checklist that is due, submit it once, score it. Views call these; these call storage."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass

from generator import Handbook

from . import audit, due, inputs, signatures
from .clock import Clock, shown
from .generation import (
    CHECKLIST_KINDS,
    Checklist,
    Target,
    daily_checklist,
    event_checklist,
    targets,
    week_start,
    weekly_checklist,
)
from .permissions import can, checker_scope
from .scoring import MAX_COUNT, compliance, needs_count, policy_scores, reading_ok
from .storage import Conflict, Storage
from .storage.photos import valid_photo_id
from .strings import t

RESULTS = ("pass", "fail", "na")
_KEY_RE = re.compile(r"[A-Za-z0-9._:-]{8,100}", re.ASCII)
SNAPSHOT_ID_RE = re.compile(r"[0-9a-f]{16}", re.ASCII)
MAX_REASON = 200
MAX_RESPONSIBLE = 100
MAX_PERSON_ID = 40  # a staff directory id (people.ID_RE); checked against the directory on submit
MAX_PHOTOS_PER_ITEM = 5  # the default of the PHOTO_MAX_PER_ITEM setting
_FULLWIDTH_DIGITS = {ord("０") + i: str(i) for i in range(10)}


class ServiceError(Exception):
    """A use case refused; ``messages`` say why in the UI language, ``status`` is the HTTP status.

    ``data`` carries what a client needs to act on it (e.g. the stored record's address).
    Nothing was stored.
    """

    status = 400
    code = "error"

    def __init__(
        self,
        messages: list[str] | str,
        status: int | None = None,
        data: dict | None = None,
        code: str | None = None,
    ):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.data = data or {}
        super().__init__("; ".join(self.messages))

    @classmethod
    def of(cls, code: str, status: int | None = None, data: dict | None = None, **params):
        """The error named by the string key ``code``; its message is that string with ``params``."""
        return cls(t(code, **params), status, data, code)


class SubmissionError(ServiceError):
    """The submission was refused."""

    status = 422


class Forbidden(ServiceError):
    """The user may not see, open or submit this checklist."""

    status = 403

    code = "error.forbidden"

    def __init__(
        self,
        messages: list[str] | str | None = None,
        status: int | None = None,
        data: dict | None = None,
        code: str | None = None,
    ):
        super().__init__(messages or t("error.forbidden"), 403, data, code)


class NotFound(ServiceError):
    """No such checklist: unknown target, event or kind, or a period not yet due."""

    status = 404


def may_backfill(user: dict) -> bool:
    """Whether ``user`` may fill in a checklist whose period has passed (补录)."""
    return can(user, "checklist.backfill")


@dataclass(frozen=True)
class Opened:
    """A checklist as opened by one user: the frozen snapshot, and how it may be submitted."""

    snapshot: dict | None  # None when the checklist was already submitted
    is_current: bool  # the snapshot still matches today's handbook
    mode: str  # due.CURRENT or due.BACKFILL
    done: dict | None  # the completed record, if this checklist was already submitted
    started: Started | None = None  # who else opened it first; confirm before a snapshot is given


def scope_for(user: dict) -> str:
    """Which checks this user's checklists hold (the permission policy decides)."""
    return checker_scope(user)


def resolve_target(handbook: Handbook, slug) -> Target:
    """The handbook target named by ``role:售前客服``; NotFound unless the reference data declares it."""
    try:
        target = Target.parse(inputs.text(slug, "检查对象", 200))
    except (ValueError, inputs.BadInput):
        raise NotFound.of("error.bad_target") from None
    if target not in targets(handbook):
        raise NotFound.of("error.unknown_target", target=target.slug)
    return target


def started_key(identity: str, username: str) -> str:
    """Where the pointer to the checklist ``username`` opened for ``identity`` is kept."""
    return "s" + hashlib.sha256(f"{identity}|{username}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Started:
    """Who opened a checklist first, and when (from its identity-wide started pointer)."""

    username: str
    name: str
    at: str


def started_by(storage: Storage, identity: str) -> Started | None:
    """Who opened ``identity`` first, if anyone has and it is not yet submitted."""
    pointer = storage.started.get(started_key(identity, "*"))
    if not pointer or not isinstance(pointer.get("username"), str):
        return None
    return Started(
        pointer["username"], pointer.get("name") or pointer["username"], pointer.get("opened_at", "")
    )


def open_checklist(
    storage: Storage,
    handbook: Handbook,
    user: dict,
    kind: str,
    period: str,
    target_slug: str,
    event: str | None,
    *,
    clock: Clock,
    grace: dt.timedelta,
    confirmed: bool = False,
    precache: bool = False,
) -> Opened:
    """The checklist this user opened for this period and target, or a freshly opened one.

    Refuses what is not due: an unknown kind, target or event (NotFound), a period
    not yet begun (NotFound), a past one for anyone who may not back-fill (Forbidden).
    A checklist keeps the items and versions it was opened with even if a policy
    changes before it is submitted. Someone opening a checklist another user
    already started gets ``Opened.started`` and no snapshot until ``confirmed``.
    ``precache``: the phone's service worker is caching it for offline use; nobody has opened it
    yet, so the Today board does not show it as started until the inspector opens it.
    """
    if kind not in CHECKLIST_KINDS:
        raise NotFound.of("error.unknown_kind")
    target = resolve_target(handbook, target_slug)
    if kind == "event" and (not isinstance(event, str) or event not in handbook.reference.events):
        raise NotFound.of("error.unknown_event", event=event if isinstance(event, str) else "")
    try:
        win = due.window(kind, f"{period}/{event}" if kind == "event" else period)
    except inputs.BadInput as exc:
        raise NotFound(exc.message, code="error.bad_period") from None
    current = generate(handbook, kind, period, target, scope_for(user), event)
    # Imported here: actions builds on this module's errors. A 复查 item per action still open.
    from .actions import with_rechecks

    current = with_rechecks(storage, current, win.first)
    key = started_key(current.identity, user["username"])
    pointer = storage.started.get(key)
    try:
        mode = due.timing(win, clock, grace, _opened_at(pointer))
    except due.NotYetDue:
        raise NotFound.of("error.not_yet_due", period=win.period) from None
    if mode == due.BACKFILL and not may_backfill(user):
        raise Forbidden.of("error.backfill_only")
    done = storage.completions.get(current.identity)
    if done is not None:
        return Opened(None, True, mode, done)
    if pointer and (snapshot := storage.snapshots.get(pointer.get("snapshot_id"))):
        if not precache and started_by(storage, current.identity) is None:
            _mark_started(storage, current.identity, snapshot["snapshot_id"], user, clock)
        return Opened(snapshot, snapshot["snapshot_id"] == current.snapshot_id, mode, None)
    first = started_by(storage, current.identity)
    if first is not None and first.username != user["username"] and not confirmed:
        return Opened(None, True, mode, None, first)
    if pointer:  # it pointed at a snapshot that is gone (swept): point at the fresh one
        storage.started.delete(key)
    # The pointer first, then the snapshot: a sweep running meanwhile then keeps (or rewrites) it.
    storage.started.put(
        key,
        {
            "snapshot_id": current.snapshot_id,
            "identity": current.identity,
            "username": user["username"],
            "opened_at": clock.timestamp(),
        },
    )
    snapshot = start(storage, current, clock)
    if not precache:
        _mark_started(storage, current.identity, snapshot["snapshot_id"], user, clock)
    return Opened(snapshot, True, mode, None, first)


def _mark_started(storage: Storage, identity: str, snapshot_id: str, user: dict, clock: Clock) -> None:
    """The first opener, for everyone's Today board (write-once: later openers keep the first)."""
    storage.started.put(
        started_key(identity, "*"),
        {
            "snapshot_id": snapshot_id,
            "identity": identity,
            "username": user["username"],
            "name": user.get("display_name") or user["username"],
            "opened_at": clock.timestamp(),
        },
    )


def _opened_at(pointer: dict | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(pointer["opened_at"]) if pointer else None
    except (KeyError, TypeError, ValueError):
        return None


def day_view(user: dict, day: dt.date, clock: Clock) -> str:
    """Whether ``user`` may list the checklists of ``day``: CURRENT today, BACKFILL before; else refused."""
    today = clock.today()
    if day > today:
        raise NotFound.of("error.not_yet_due", period=day.isoformat())
    if day < today:
        if not may_backfill(user):
            raise Forbidden.of("error.backfill_only")
        return due.BACKFILL
    return due.CURRENT


def generate(
    handbook: Handbook, kind: str, period: str, target: Target, scope: str, event: str | None = None
) -> Checklist:
    """The checklist of ``kind`` for ``period`` (a date, or an ISO week for weekly)."""
    if kind == "daily":
        return daily_checklist(handbook, dt.date.fromisoformat(period), target, scope)
    if kind == "weekly":
        return weekly_checklist(handbook, period, target, scope)
    if kind == "event" and event:
        return event_checklist(handbook, event, dt.date.fromisoformat(period), target, scope)
    raise ValueError(kind)


def day_of(checklist: dict) -> dt.date:
    """The calendar day a checklist belongs to (Monday for weekly ones)."""
    if checklist["kind"] == "weekly":
        return week_start(checklist["period"])
    return dt.date.fromisoformat(checklist["period"][:10])


def start(storage: Storage, checklist: Checklist, clock: Clock) -> dict:
    """Freeze the checklist as given to the inspector; later policy edits do not change it."""
    snapshot = {
        "snapshot_id": checklist.snapshot_id,
        "identity": checklist.identity,
        "kind": checklist.kind,
        "period": checklist.period,
        "target": {"kind": checklist.target.kind, "name": checklist.target.name},
        "scope": checklist.scope,
        "items": [asdict(item) for item in checklist.items],
        "sheets": list(checklist.sheets),
        "created_at": clock.timestamp(),
    }
    storage.snapshots.put(checklist.snapshot_id, snapshot)
    return storage.snapshots.get(checklist.snapshot_id) or snapshot


def may_use(user: dict, snapshot: dict) -> bool:
    """Whether ``user`` may submit or read this checklist."""
    return can(user, "checklist.fill", snapshot)


def clean_answers(
    snapshot: dict, answers, max_note: int, max_photos: int = MAX_PHOTOS_PER_ITEM
) -> dict[str, dict]:
    """The answers as clean strings per frozen item, or SubmissionError: types, sizes and encodings.

    Unknown check ids, answers that are not objects, non-text fields, lone
    surrogates, control characters and over-long notes or names are refused,
    never cut short or stored.
    """
    if not isinstance(answers, dict):
        raise SubmissionError.of("error.bad_answers", status=400)
    by_key = {item["key"]: item for item in snapshot["items"]}
    problems = [t("error.unknown_check", id=str(key)[:100]) for key in answers if key not in by_key]
    clean: dict[str, dict] = {}
    for key, item in by_key.items():
        answer = answers.get(key)
        if answer is None:
            answer = {}
        if not isinstance(answer, dict):
            problems.append(t("error.bad_answer", id=key))
            continue
        short = item["text"][:30]
        try:
            clean[key] = {
                "result": inputs.text(answer.get("result"), f"“{short}”的结果", 10),
                "note": inputs.text(answer.get("note"), f"“{short}”的备注", max_note, multiline=True),
                "responsible": inputs.name(answer.get("responsible"), f"“{short}”的责任人", MAX_RESPONSIBLE),
                "count": _count_text(answer.get("count"), short),
            }
            if item.get("reading") is not None:  # only items that ask for a reading carry one
                clean[key]["reading"] = inputs.text(
                    answer.get("reading"), f"“{short}”的读数", 20, form="NFKC"
                )
            person_id = inputs.text(answer.get("responsible_id"), f"“{short}”的责任人编号", MAX_PERSON_ID)
            if person_id:  # absent when typed (未登记): the answer then looks as it did before the directory
                clean[key]["responsible_id"] = person_id
            photos = _photo_ids(answer.get("photos"), short, max_photos)
            if photos:  # absent without photos: the answer looks as it did before photos existed
                clean[key]["photos"] = photos
        except inputs.BadInput as exc:
            problems.append(exc.message)
    if problems:
        raise SubmissionError(problems, code="error.bad_answers")
    return clean


def _photo_ids(value, short: str, max_photos: int) -> list[str]:
    """The ids of the photos an answer names (uploaded before, see ``photos.upload``)."""
    if value is None or value == []:
        return []
    if not isinstance(value, list) or not all(valid_photo_id(v) for v in value):
        raise inputs.BadInput(t("error.photo_ids", text=short))
    ids = list(dict.fromkeys(value))  # the same photo twice is one photo
    if len(ids) > max_photos:
        raise inputs.BadInput(t("error.photo_count", text=short, max=max_photos))
    return ids


def _count_text(value, short: str) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise inputs.BadInput(t("error.bad_count", text=short, max=MAX_COUNT))
    return inputs.text(value.translate(_FULLWIDTH_DIGITS), f"“{short}”的次数", 10)


def validate_answers(snapshot: dict, answers: dict[str, dict], *, people: dict | None = None) -> list[dict]:
    """Check every clean answer against the frozen items; the completed items or SubmissionError.

    A failure's ``responsible_id`` must be one of ``people`` (the directory's people
    active on the checklist's day, by id) or absent; the stored ``responsible`` is
    then that person's name as the directory spells it.
    """
    problems = []
    completed, unanswered = [], 0
    for item in snapshot["items"]:
        key = item["key"]
        answer = answers.get(key) or {}
        result, note = answer.get("result", ""), answer.get("note", "")
        responsible = answer.get("responsible", "")
        person_id = answer.get("responsible_id", "") if result == "fail" else ""
        if person_id:
            person = (people or {}).get(person_id)
            if person is None:
                problems.append(t("error.unknown_person", text=item["text"][:30]))
            else:
                responsible = person["name"]
        if not result:
            unanswered += 1
            continue
        if result not in RESULTS:
            problems.append(t("error.bad_result", id=key))
            continue
        if result == "fail" and not responsible and not item.get("recheck"):
            problems.append(t("error.missing_responsible", text=item["text"][:30]))
        reading = None
        if item.get("reading") is not None and result in ("pass", "fail"):
            reading, problem = _reading(item, answer.get("reading", ""), result)
            if problem:
                problems.append(problem)
        if photo_required(item, result) and not answer.get("photos"):
            problems.append(t("error.photo_required", text=item["text"][:30]))
        count = None
        if result == "fail" and needs_count(item):
            count = _count(answer.get("count"))
            if count is None:
                problems.append(t("error.bad_count", text=item["text"][:30], max=MAX_COUNT))
        completed.append(
            {
                "key": key,
                "check_id": item["check_id"],
                "policy_id": item["policy_id"],
                "policy_title": item["policy_title"],
                "policy_version": item["policy_version"],
                "clause_id": item["clause_id"],
                "clause_title": item["clause_title"],
                "clause_hash": item["clause_hash"],
                "check_hash": item["check_hash"],
                "clause_url": item["clause_url"],
                "text": item["text"],
                "shift": item.get("shift"),
                "time": item.get("time"),  # which time of a several-times-a-day check (absent in old records)
                "fine": item["fine"],
                "fine_rule": item.get("fine_rule"),
                "sanctions": list(item.get("sanctions") or ()),
                "points": item["points"],
                "deduct": item.get("deduct"),
                "scored": bool(item.get("scored")),
                "count": count,
                "result": result,
                "note": note,
                "responsible": responsible,
                "responsible_id": person_id,
                "rectify_days": item.get("rectify_days"),
            }
        )
        if item.get("recheck"):
            completed[-1]["recheck"] = item["recheck"]["action_id"]
        if reading is not None:
            completed[-1]["reading"] = reading
        if answer.get("photos"):
            completed[-1]["photos"] = list(answer["photos"])
    if unanswered:
        problems.insert(0, t("error.unanswered", n=unanswered))
    if problems:
        raise SubmissionError(problems, code="error.incomplete")
    return completed


def photo_required(item: dict, result: str) -> bool:
    """Whether the answer ``result`` of ``item`` must carry a photo (照片: 必须 / 不合格时; 不适用 never)."""
    rule = item.get("photo")
    return (rule == "always" and result in ("pass", "fail")) or (rule == "fail" and result == "fail")


def locked_until(item: dict, day: dt.date, clock: Clock) -> str | None:
    """``HH:MM`` if ``item`` of ``day``'s checklist cannot be checked yet (每日 17:30 before 17:30)."""
    at = item.get("from_time")
    if not at or day != clock.today():
        return None  # a past day's checklist (on time till midnight + grace, or back-filled) is never locked
    return at if clock.now().strftime("%H:%M") < at else None


def too_early(snapshot: dict, answers: dict[str, dict], clock: Clock) -> list[str]:
    """A problem per item answered before its time of day: a check due at 17:30 is done at 17:30."""
    day = day_of(snapshot)
    now = clock.now().strftime("%H:%M")
    return [
        t("error.too_early", text=item["text"][:30], time=at, now=now)
        for item in snapshot["items"]
        if (answers.get(item["key"]) or {}).get("result") and (at := locked_until(item, day, clock))
    ]


def _reading(item: dict, typed: str, result: str) -> tuple[dict | None, str]:
    """The measured value of a reading item as stored, or the problem with it.

    The limit decides, not the phone: a value outside it can only be a failure.
    """
    spec = item["reading"]
    short = item["text"][:30]
    try:
        value = inputs.decimal(typed, f"“{short}”的读数")
    except inputs.BadInput as exc:
        return None, exc.message
    if value is None:
        return None, t("error.missing_reading", text=short, name=spec["name"], unit=spec["unit"])
    ok = reading_ok(spec, value)
    if not ok and result == "pass":
        return None, t(
            "error.reading_out_of_limit",
            text=short,
            value=f"{value:g}",
            unit=spec["unit"],
            limit=spec["limit"],
        )
    return {"value": value, "ok": ok, "name": spec["name"], "unit": spec["unit"], "limit": spec["limit"]}, ""


_COUNT_RE = re.compile(r"[0-9]{1,3}", re.ASCII)


def _count(value: str | None) -> int | None:
    """How many times a failure occurred: blank means once; otherwise a whole number 1…MAX_COUNT."""
    if not value:
        return 1
    if not _COUNT_RE.fullmatch(value) or not 1 <= int(value) <= MAX_COUNT:
        return None
    return int(value)


def fingerprint(snapshot_id: str, answers: dict[str, dict], reason: str, signed: list | None = None) -> str:
    """What a submission says, so a repeat with the same key can be told apart from a changed one."""
    said = [snapshot_id, answers, reason] + ([signed] if signed else [])  # unsigned: as before signatures
    data = json.dumps(said, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def score(record: dict) -> dict:
    """The compliance score of a completed checklist's items (percent passed, fines)."""
    return compliance(record["items"])


def scores(record: dict) -> dict:
    """The score of each scored policy on a completed checklist, from its stored items and sheets.

    Recomputes exactly what was stored at submission.
    """
    return policy_scores(record["items"], record.get("sheets", []))


def valid_key(key) -> bool:
    """Whether ``key`` is a well-formed idempotency key."""
    return isinstance(key, str) and bool(_KEY_RE.fullmatch(key))


def submit(
    storage: Storage,
    snapshot: dict,
    answers,
    user: dict,
    key,
    max_note: int,
    *,
    clock: Clock,
    grace: dt.timedelta = dt.timedelta(0),
    backfill_reason=None,
    max_photos: int = MAX_PHOTOS_PER_ITEM,
    signed=None,
) -> tuple[dict, bool]:
    """Store a completed checklist exactly once; return (record, created).

    A repeat with the same idempotency key and the same answers returns the stored
    record; the same key with different answers is refused (422, nothing changes,
    ``data["url"]`` names the stored record's id); another key for a checklist
    already completed raises SubmissionError (409). A checklist whose time has
    passed is stored only as a back-fill by an owner or admin, with a reason.
    """
    if not isinstance(key, str) or not key:
        raise SubmissionError.of("error.missing_key", status=400)
    if not valid_key(key):
        raise SubmissionError.of("error.bad_key", status=400)
    if not may_use(user, snapshot):
        raise Forbidden()
    clean = clean_answers(snapshot, answers, max_note, max_photos)
    try:
        reason = inputs.text(backfill_reason, "补录原因", MAX_REASON, multiline=True)
    except inputs.BadInput as exc:
        raise SubmissionError([exc.message], status=exc.status, code="error.bad_reason") from None
    name = user.get("display_name") or user["username"]
    try:
        signed = signatures.clean(signed, name)
    except inputs.BadInput as exc:
        raise SubmissionError([exc.message], status=exc.status, code="error.signature_bad") from None
    print_ = fingerprint(snapshot["snapshot_id"], clean, reason, signed)
    day = day_of(snapshot)
    existing = storage.completions.get(snapshot["identity"])
    if existing is not None:
        return _repeat(existing, key, print_, clock)
    win = due.window(snapshot["kind"], snapshot["period"])
    pointer = storage.started.get(started_key(snapshot["identity"], user["username"]))
    try:
        mode = due.timing(win, clock, grace, _opened_at(pointer))
    except due.NotYetDue:
        raise SubmissionError.of("error.not_yet_due", status=422, period=win.period) from None
    if mode == due.BACKFILL:
        if not may_backfill(user):
            deadline = shown(clock, win.closes_at(clock) + grace)
            raise SubmissionError.of("error.backfill_late", status=403, deadline=deadline)
        if not reason:
            raise SubmissionError.of("error.backfill_reason", status=422)
    early = too_early(snapshot, clean, clock) if mode == due.CURRENT else []
    if early:
        raise SubmissionError(early, status=422, code="error.too_early")
    items = validate_answers(snapshot, clean, people=_people_on(storage, day))
    missing = [
        i["text"][:30] for i in items if any(not storage.photos.exists(p) for p in i.get("photos", ()))
    ]
    missing += [t("signature.photo") for sig in signed if not storage.photos.exists(sig["photo"])]
    if missing:  # the phone uploads every photo and signature before the checklist that names it
        raise SubmissionError(
            [t("error.photo_missing", text=text) for text in missing], code="error.photo_missing"
        )
    now = clock.timestamp()
    record = {
        "identity": snapshot["identity"],
        "idempotency_key": key,
        "fingerprint": print_,
        "snapshot_id": snapshot["snapshot_id"],
        "kind": snapshot["kind"],
        "period": snapshot["period"],
        "day": day.isoformat(),
        "target": snapshot["target"],
        "scope": snapshot["scope"],
        "inspector": user["username"],
        "inspector_name": name,
        "submitted_at": now,
        "items": items,
        "sheets": snapshot.get("sheets", []),
    }
    if mode == due.BACKFILL:
        record["backfill"] = {"reason": reason, "by": user["username"], "by_name": name, "at": now}
    if signed:
        record["signatures"] = signed
    record["score"] = score(record)
    record["scores"] = scores(record)
    try:
        stored, created = storage.completions.save(record)
    except Conflict as exc:
        raise _conflict(exc.existing, clock) from None
    if not created:
        return _repeat(stored, key, print_, clock)
    _retire_snapshot(storage, snapshot, user)
    if mode == due.BACKFILL:
        audit.record(
            storage,
            clock,
            user,
            "checklist.backfill",
            stored["id"],
            after={"day": stored["day"], "target": snapshot["target"], "reason": reason},
        )
    return stored, True


def _people_on(storage: Storage, day: dt.date) -> dict[str, dict]:
    """The staff directory's people who may be responsible on ``day`` (not left before it), by id."""
    first = day.isoformat()
    return {p["id"]: p for p in storage.people.all() if not p.get("left_on") or p["left_on"] >= first}


def _repeat(existing: dict, key: str, print_: str, clock: Clock) -> tuple[dict, bool]:
    """The answer to a second submission of a completed checklist."""
    if existing["idempotency_key"] != key:
        raise _conflict(existing, clock)
    if existing.get("fingerprint", print_) != print_:
        raise SubmissionError.of("error.key_reused", status=422, data={"record_id": existing["id"]})
    return existing, False


def _retire_snapshot(storage: Storage, snapshot: dict, user: dict) -> None:
    """After a submission: keep its snapshot for good, and drop the started pointer (no longer open)."""
    storage.snapshots.pin(snapshot["snapshot_id"])
    storage.started.delete(started_key(snapshot["identity"], user["username"]))
    storage.started.delete(started_key(snapshot["identity"], "*"))


def _conflict(existing: dict, clock: Clock) -> SubmissionError:
    return SubmissionError.of(
        "error.conflict",
        status=409,
        data={"record_id": existing["id"]},
        inspector=existing.get("inspector_name", existing["inspector"]),
        time=shown(clock, existing["submitted_at"]),
    )
