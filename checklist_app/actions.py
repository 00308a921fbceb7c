"""Corrective actions (整改): every failed item must be fixed by its owner and confirmed on the spot.

A failed item of a completed checklist opens one action: what failed (the record, the
clause), who was responsible, who must fix it (by default the role that heads the target's
department, ``负责人`` in reference.yml, else 部门经理), and by when (the check's
``整改期限`` or the app's default). Its life:

    待整改 (open) ──已整改──▶ 已整改 (fixed) ──复查通过──▶ 已复查 (verified)
         ▲                          │
         └──────────退回────────────┘

Until an action is verified, the next checklist of the same kind, target and checker shows
a 复查 item for it; passing that item verifies it, failing it sends it back to 待整改.
Actions are opened from the stored record (idempotently), so a retried submission or a
repair run never duplicates or resets one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace

from generator import Handbook

from . import audit, inputs
from .clock import Clock
from .generation import Checklist, ChecklistItem
from .paging import Paging
from .people import line_ref, of_account
from .permissions import can
from .services import Forbidden, NotFound, ServiceError
from .storage import StaleAction, Storage
from .storage.actions import Facet
from .strings import t

OPEN, FIXED, VERIFIED = "open", "fixed", "verified"
# The statuses in their order (labels in strings.py as action.status.<name>).
STATUSES: tuple[str, ...] = (OPEN, FIXED, VERIFIED)
DEFAULT_HEAD = "部门经理"  # the owner role when reference.yml names no 负责人 for the department
MAX_NOTE = 500
RECHECK_PREFIX = "recheck-"
PHOTO_ID_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Event:
    """One step of an action's life: opened, fixed, verified, returned or a failed re-check."""

    kind: str  # open | fix | verify | return | recheck_fail
    at: str
    by: str
    by_name: str
    note: str = ""
    record_id: str = ""  # the checklist whose 复查 item verified or returned it
    photos: tuple[str, ...] = ()  # photo ids (a fix's evidence)

    @property
    def label(self) -> str:
        return t(f"action.event.{self.kind}")


@dataclass(frozen=True)
class CorrectiveAction:
    """A failed item to be fixed: the typed view of what the action store keeps."""

    id: str  # "<record id>#<item key>", the failed line's reference
    record_id: str
    item_key: str
    kind: str  # the kind of checklist it was found on (daily, weekly, event)
    target: dict  # {"kind", "name"} of that checklist
    scope: str  # its checker scope
    check_id: str
    policy_id: str
    policy_title: str
    clause_id: str
    clause_title: str
    clause_url: str
    text: str
    note: str  # the inspector's note on the failure
    responsible: str
    responsible_id: str
    inspector: str
    inspector_name: str
    department: str | None
    owner_role: str
    found_on: dt.date
    due_on: dt.date
    status: str
    history: tuple[Event, ...] = ()
    rev: int = 0
    photos: tuple[str, ...] = ()  # the failure's photos, from the checklist item

    @classmethod
    def from_dict(cls, data: dict) -> CorrectiveAction:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "history"}
        fields["found_on"] = dt.date.fromisoformat(data["found_on"])
        fields["due_on"] = dt.date.fromisoformat(data["due_on"])
        fields["photos"] = tuple(data.get("photos") or ())
        history = tuple(
            Event(**{**e, "photos": tuple(e.get("photos") or ())}) for e in data.get("history", ())
        )
        return cls(**fields, history=history)

    @property
    def all_photos(self) -> frozenset[str]:
        """Every photo the action shows: the failure's and each fix's."""
        return frozenset(self.photos).union(*(e.photos for e in self.history))

    @property
    def target_slug(self) -> str:
        return f"{self.target['kind']}:{self.target['name']}"

    @property
    def closed(self) -> bool:
        return self.status == VERIFIED

    def overdue(self, today: dt.date) -> bool:
        """Still waiting for its owner after its due day."""
        return self.status == OPEN and today > self.due_on

    def days_open(self, today: dt.date) -> int:
        return (today - self.found_on).days

    @property
    def status_label(self) -> str:
        return t(f"action.status.{self.status}")

    @property
    def last_fix(self) -> Event | None:
        return next((e for e in reversed(self.history) if e.kind == "fix"), None)

    @property
    def last_return(self) -> Event | None:
        return next((e for e in reversed(self.history) if e.kind in ("return", "recheck_fail")), None)


@dataclass(frozen=True)
class Involvement:
    """How a user stands to an action: what the permission policy looks at.

    ``action`` is the action, or a store's ``Facet`` (its department, owner role, inspector and
    responsible person: all the properties below read), for the list's choices.
    """

    action: CorrectiveAction | Facet
    username: str
    role: str
    department: str | None
    person_id: str | None

    @property
    def is_owner(self) -> bool:
        same_department = self.action.department is None or self.department == self.action.department
        return self.role == self.action.owner_role and same_department

    @property
    def is_inspector(self) -> bool:
        return self.username == self.action.inspector

    @property
    def is_responsible(self) -> bool:
        return bool(self.person_id) and self.person_id == self.action.responsible_id

    @property
    def same_department(self) -> bool:
        return self.action.department is not None and self.department == self.action.department


@dataclass(frozen=True)
class Summary:
    """The dashboard's card: how many are open and overdue, and the oldest still open."""

    open: int
    overdue: int
    oldest: CorrectiveAction | None


# --- opening -------------------------------------------------------------------------------


def department_of(
    handbook: Handbook | None, target: dict, responsible_department: str | None = None
) -> str | None:
    """The department a checklist target belongs to; for an area, the responsible person's."""
    if handbook is not None:
        if target.get("kind") == "department" and handbook.department(target.get("name", "")):
            return target["name"]
        if target.get("kind") == "role" and (role := handbook.role(target.get("name", ""))):
            if role.department:
                return role.department
    return responsible_department


def owner_role_of(handbook: Handbook | None, department: str | None) -> str:
    """The role that must fix what failed in ``department``: its 负责人, else 部门经理."""
    found = handbook.department(department) if handbook is not None and department else None
    return (found.head if found else None) or DEFAULT_HEAD


def found_on(record: dict, clock: Clock) -> dt.date:
    """The day a record's failures were found: its day, or for a weekly one the day it was submitted
    (not after the week's Sunday, for a back-filled one)."""
    day = dt.date.fromisoformat(record["day"])
    if record["kind"] != "weekly":
        return day
    return min(clock.local(record["submitted_at"]).date(), day + dt.timedelta(days=6))


def actions_of_record(
    storage: Storage, handbook: Handbook | None, record: dict, default_days: int, clock: Clock
) -> list[dict]:
    """The actions the failed items of ``record`` open (re-check items excepted), as stored dicts."""
    found = found_on(record, clock)
    people = {p["id"]: p for p in storage.people.all()}
    opened = []
    for item in record["items"]:
        if item["result"] != "fail" or item.get("recheck"):
            continue
        person = people.get(item.get("responsible_id") or "")
        department = department_of(handbook, record["target"], person["department"] if person else None)
        days = item.get("rectify_days")
        days = default_days if days is None else days
        opened.append(
            {
                "id": line_ref(record["id"], item["key"]),
                "record_id": record["id"],
                "item_key": item["key"],
                "kind": record["kind"],
                "target": dict(record["target"]),
                "scope": record["scope"],
                "check_id": item["check_id"],
                "policy_id": item["policy_id"],
                "policy_title": item["policy_title"],
                "clause_id": item["clause_id"],
                "clause_title": item["clause_title"],
                "clause_url": item["clause_url"],
                "text": item["text"],
                "note": item.get("note", ""),
                "photos": list(item.get("photos") or ()),
                "responsible": item.get("responsible", ""),
                "responsible_id": item.get("responsible_id", ""),
                "inspector": record["inspector"],
                "inspector_name": record.get("inspector_name", record["inspector"]),
                "department": department,
                "owner_role": owner_role_of(handbook, department),
                "found_on": found.isoformat(),
                "due_on": (found + dt.timedelta(days=days)).isoformat(),
                "status": OPEN,
                "history": [
                    _event(
                        "open", record["submitted_at"], record["inspector"], record.get("inspector_name", "")
                    )
                ],
            }
        )
    return opened


def open_for_record(
    storage: Storage, handbook: Handbook | None, record: dict, default_days: int, clock: Clock
) -> int:
    """Open the actions of a completed checklist's failures, and apply its 复查 answers; how many opened.

    Safe to call again for the same record: nothing is duplicated, reset or applied twice.
    """
    opened = storage.actions.open_many(actions_of_record(storage, handbook, record, default_days, clock))
    for item in record["items"]:
        if item.get("recheck") and item["result"] in ("pass", "fail"):
            _apply_recheck(storage, record, item)
    return opened


def _apply_recheck(storage: Storage, record: dict, item: dict) -> None:
    """A 复查 item answered on a later checklist: passed verifies the action, failed sends it back."""
    for _ in range(5):  # another worker may be changing the same action: re-read and retry
        current = storage.actions.get(item["recheck"])
        if current is None or current["status"] == VERIFIED:
            return
        if any(e.get("record_id") == record["id"] for e in current.get("history", ())):
            return  # this record's answer was applied already
        kind = "verify" if item["result"] == "pass" else "recheck_fail"
        event = _event(
            kind,
            record["submitted_at"],
            record["inspector"],
            record.get("inspector_name", ""),
            item.get("note", ""),
            record["id"],
        )
        status = VERIFIED if kind == "verify" else OPEN
        try:
            storage.actions.update(
                current["id"],
                current["rev"],
                lambda a, event=event, status=status: {
                    **a,
                    "status": status,
                    "history": [*a["history"], event],
                },
            )
            return
        except StaleAction:
            continue


def _event(kind: str, at: str, by: str, by_name: str, note: str = "", record_id: str = "", photos=()) -> dict:
    event = {"kind": kind, "at": at, "by": by, "by_name": by_name or by, "note": note}
    if record_id:
        event["record_id"] = record_id
    if photos:
        event["photos"] = list(photos)
    return event


# --- re-check items ------------------------------------------------------------------------


def recheck_key(action_id: str) -> str:
    """The checklist item key of an action's 复查 item: short, stable, safe in a form field name."""
    return RECHECK_PREFIX + hashlib.sha256(action_id.encode("utf-8")).hexdigest()[:12]


def to_recheck(
    storage: Storage, kind: str, target_slug: str, scope: str, day: dt.date
) -> list[CorrectiveAction]:
    """The actions a checklist of ``kind`` for ``target_slug`` and ``scope`` on ``day`` re-checks.

    Those still open or fixed, found on an earlier checklist of the same kind, target and
    checker, oldest first.
    """
    found = storage.actions.for_recheck(kind, target_slug, scope, day)
    return sorted((CorrectiveAction.from_dict(a) for a in found), key=lambda a: (a.found_on, a.id))


def with_rechecks(storage: Storage, checklist: Checklist, day: dt.date) -> Checklist:
    """``checklist`` with a 复查 item after its own items for each action it re-checks."""
    actions = to_recheck(storage, checklist.kind, checklist.target.slug, checklist.scope, day)
    if not actions:
        return checklist
    return replace(checklist, items=checklist.items + tuple(recheck_item(a) for a in actions))


def recheck_item(action: CorrectiveAction) -> ChecklistItem:
    """The checklist line that re-checks ``action``: no fine, no points, not in the score."""
    return ChecklistItem(
        key=recheck_key(action.id),
        check_id=action.check_id,
        policy_id=action.policy_id,
        policy_title=action.policy_title,
        policy_version="",
        policy_hash="",
        clause_id=action.clause_id,
        clause_title=action.clause_title,
        clause_hash="",
        check_hash="",
        clause_url=action.clause_url,
        text=t("action.recheck.text", text=action.text),
        frequency=t("action.recheck.badge"),
        roles=(),
        area=None,
        fine=None,
        points=None,
        deduction=None,
        recheck={
            "action_id": action.id,
            "found_on": action.found_on.isoformat(),
            "due_on": action.due_on.isoformat(),
            "status": action.status,
            "responsible": action.responsible,
        },
    )


# --- reading -------------------------------------------------------------------------------


def involvement(
    storage: Storage, handbook: Handbook | None, user: dict, action: CorrectiveAction
) -> Involvement:
    """How ``user`` stands to ``action``."""
    return _standing(storage, handbook, user)(action)


def _standing(storage: Storage, handbook: Handbook | None, user: dict):
    """A function action -> Involvement for ``user`` (their person and department looked up once)."""
    person = of_account(storage, user.get("username", ""))
    department = person.department if person else None
    if department is None and handbook is not None and (role := handbook.role(user.get("role") or "")):
        department = role.department
    username, role_name = user.get("username", ""), user.get("role") or ""
    person_id = person.id if person else None
    return lambda action: Involvement(action, username, role_name, department, person_id)


def get(
    storage: Storage, handbook: Handbook | None, user: dict, action_id
) -> tuple[CorrectiveAction, Involvement]:
    """The action with this id if ``user`` may see it; NotFound or Forbidden otherwise."""
    data = storage.actions.get(action_id) if isinstance(action_id, str) and len(action_id) <= 200 else None
    if data is None:
        raise NotFound.of("action.error.not_found")
    action = CorrectiveAction.from_dict(data)
    who = involvement(storage, handbook, user, action)
    if not can(user, "action.view", who):
        raise Forbidden.of("action.error.forbidden")
    return action, who


VIEWS: tuple[str, ...] = ("mine", "department", "overdue", "all")
ACTIONS_PAGE = 50  # actions a list page shows


@dataclass(frozen=True)
class Filters:
    """What the list shows: one of VIEWS, and optional department, policy and status."""

    view: str = "mine"
    department: str = ""
    policy: str = ""
    status: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args) -> Filters:
        view = args.get("view", "mine")
        status = args.get("status", "")
        return cls(
            view if view in VIEWS else "mine",
            inputs.text(args.get("department"), "部门", 50),
            inputs.text(args.get("policy"), "制度", 100),
            status if status in STATUSES else "",
            inputs.page(args.get("page")),
        )

    def args(self) -> dict:
        """The filters as a list address's query (empty ones left out), without the page."""
        chosen = (
            ("view", self.view),
            ("department", self.department),
            ("policy", self.policy),
            ("status", self.status),
        )
        return {name: value or None for name, value in chosen}


@dataclass(frozen=True)
class Listing:
    """The page of actions a list shows, with what the filters can choose from."""

    actions: tuple[CorrectiveAction, ...]  # this page's
    filters: Filters
    departments: tuple[str, ...]
    policies: tuple[tuple[str, str], ...]  # (id, title)
    today: dt.date
    paging: Paging
    involvement: dict = field(default_factory=dict)  # action id -> Involvement


def listing(
    storage: Storage, handbook: Handbook | None, user: dict, filters: Filters, today: dt.date
) -> Listing:
    """The actions ``user`` may see that the filters select: overdue first, then by due day.

    The choices come from the store's facets of every action ``user`` may see; the actions from
    what the store can select (status, overdue, department, policy), then the permission and the
    view, here (one permission policy).
    """
    standing = _standing(storage, handbook, user)
    visible = [f for f in storage.actions.facets() if can(user, "action.view", standing(f))]
    departments = tuple(sorted({f.department for f in visible if f.department}))
    policies = tuple(sorted({(f.policy_id, f.policy_title) for f in visible}, key=lambda p: p[1]))
    found = storage.actions.select(
        (filters.status,) if filters.status else None,
        waiting=filters.view == "mine",
        overdue_on=today if filters.view == "overdue" else None,
        department=filters.department,
        policy_id=filters.policy,
    )
    chosen = []
    for data in found:
        action = CorrectiveAction.from_dict(data)
        who = standing(action)
        if can(user, "action.view", who) and _in_view(filters.view, action, who, today):
            chosen.append((action, who))
    chosen.sort(key=lambda aw: (not aw[0].overdue(today), aw[0].closed, aw[0].due_on, aw[0].id))
    paging = Paging(filters.page, ACTIONS_PAGE, len(chosen)).checked("action.list.page.none")
    shown = paging.of(chosen)
    return Listing(
        tuple(a for a, _ in shown),
        filters,
        departments,
        policies,
        today,
        paging,
        {a.id: w for a, w in shown},
    )


def _in_view(view: str, action: CorrectiveAction, who: Involvement, today: dt.date) -> bool:
    if view == "mine":
        return not action.closed and (
            (who.is_owner and action.status == OPEN)
            or (who.is_inspector and action.status == FIXED)
            or who.is_responsible
        )
    if view == "department":
        return who.same_department or who.is_owner
    if view == "overdue":
        return action.overdue(today)
    return True


def summary(storage: Storage, today: dt.date) -> Summary:
    """Open (not yet verified) and overdue counts, and the oldest open action."""
    counts = storage.actions.counts(today)
    oldest = CorrectiveAction.from_dict(counts.oldest) if counts.oldest else None
    return Summary(counts.waiting, counts.overdue, oldest)


def by_record(storage: Storage, record_id: str) -> dict[str, CorrectiveAction]:
    """The actions a record's failures opened, by item key (for the record page's links)."""
    return {a["item_key"]: CorrectiveAction.from_dict(a) for a in storage.actions.for_record(record_id)}


def existing_ids(storage: Storage, refs) -> frozenset[str]:
    """Which of the ledger lines ``refs`` have an action (the ledger page's links)."""
    return storage.actions.existing(refs)


def due(storage: Storage, day: dt.date) -> list[CorrectiveAction]:
    """The actions still waiting for their owner that are due on ``day`` or were due before it."""
    return [CorrectiveAction.from_dict(d) for d in storage.actions.due(day)]


# --- changing ------------------------------------------------------------------------------


class ActionError(ServiceError):
    """The change was refused; nothing was stored."""

    status = 422


def _change(
    storage: Storage,
    clock: Clock,
    user: dict,
    action: CorrectiveAction,
    rev,
    kind: str,
    status: str,
    note: str,
    photos: tuple[str, ...] = (),
) -> CorrectiveAction:
    if not isinstance(rev, str) or not rev.isdigit() or int(rev) != action.rev:
        raise ActionError.of("action.error.stale", status=409)
    name = user.get("display_name") or user["username"]
    event = _event(kind, clock.timestamp(), user["username"], name, note, photos=photos)
    try:
        stored = storage.actions.update(
            action.id,
            action.rev,
            lambda a: {**a, "status": status, "history": [*a["history"], event]},
        )
    except StaleAction:
        raise ActionError.of("action.error.stale", status=409) from None
    audit.record(
        storage,
        clock,
        user,
        f"action.{kind}",
        action.id,
        before={"status": action.status},
        after={
            "status": status,
            **({"note": note} if note else {}),
            **({"photos": len(photos)} if photos else {}),
        },
    )
    return CorrectiveAction.from_dict(stored)


def _note(value, label: str, required: bool = False) -> str:
    try:
        return inputs.text(value, label, MAX_NOTE, multiline=True, required=required)
    except inputs.BadInput as exc:
        raise ActionError([exc.message], exc.status, None, "action.error.note") from None


def mark_fixed(
    storage: Storage, clock: Clock, user: dict, who: Involvement, rev, note, photos=(), max_photos: int = 5
) -> CorrectiveAction:
    """The owner says it is fixed (with what was done, and photos); it waits for the inspector's 复查.

    ``photos`` are ids of photos uploaded before (``/api/photos``), each stored and at most ``max_photos``.
    """
    if not can(user, "action.fix", who):
        raise Forbidden.of("action.error.not_owner", role=who.action.owner_role)
    if who.action.status != OPEN:
        raise ActionError.of("action.error.not_open", status=409)
    text = _note(note, "整改说明", required=True)
    ids = tuple(dict.fromkeys(p for p in photos if p))
    if len(ids) > max_photos:
        raise ActionError.of("action.error.photos_too_many", max=max_photos)
    if not all(isinstance(p, str) and PHOTO_ID_RE.fullmatch(p) and storage.photos.exists(p) for p in ids):
        raise ActionError.of("action.error.photo")
    return _change(storage, clock, user, who.action, rev, "fix", FIXED, text, ids)


def verify(storage: Storage, clock: Clock, user: dict, who: Involvement, rev, note) -> CorrectiveAction:
    """The inspector (or a manager) confirms on the spot that it is fixed: closed."""
    if not can(user, "action.verify", who):
        raise Forbidden.of("action.error.not_verifier")
    if who.action.closed:
        raise ActionError.of("action.error.closed", status=409)
    return _change(storage, clock, user, who.action, rev, "verify", VERIFIED, _note(note, "复查说明"))


def send_back(storage: Storage, clock: Clock, user: dict, who: Involvement, rev, reason) -> CorrectiveAction:
    """Not fixed after all (退回): back to its owner with the reason."""
    if not can(user, "action.verify", who):
        raise Forbidden.of("action.error.not_verifier")
    if who.action.status != FIXED:
        raise ActionError.of("action.error.not_fixed", status=409)
    return _change(
        storage, clock, user, who.action, rev, "return", OPEN, _note(reason, "退回原因", required=True)
    )
