"""The staff directory (人员名册): who a responsible person is, not how an inspector spelled them.

A :class:`Person` belongs to one of the handbook's departments and, optionally,
holds one of its roles (``reference.yml``). The use cases here add, edit and
mark people as left (every change audited), give the checklist page the slice
of the directory its picker searches offline (with pinyin initials computed
here, server-side), and link the responsible names typed before the directory
existed to people, so the ledger counts people rather than spellings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from generator.model import Handbook, Reference

from . import audit, inputs
from .clock import Clock
from .reporting.ledger import department_of
from .services import ServiceError
from .storage import Storage
from .storage.people import PeopleConflict, StaleWrite
from .strings import t

ID_RE = re.compile(r"p[0-9a-f]{12}", re.ASCII)
EMPLOYEE_NO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}", re.ASCII)
# 11-digit mainland mobile numbers (optionally +86), or a landline with its area code.
PHONE_RE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}|0[1-9][0-9]{8,10}", re.ASCII)
_PHONE_NOISE = str.maketrans("", "", " -()（）")
MAX_NAME = 50
FIELDS = ("name", "employee_no", "department", "role", "phone", "username")
UNLISTED = "未登记"


@dataclass(frozen=True)
class Person:
    """One member of staff. ``left_on`` (ISO date) is the last day they worked; None while active."""

    id: str
    name: str
    department: str
    role: str = ""
    employee_no: str = ""
    phone: str = ""
    username: str = ""  # the linked sign-in account, if any
    left_on: str | None = None
    rev: int = 0  # set by the store on every write; edits say which one they started from

    @property
    def active(self) -> bool:
        return self.left_on is None

    def active_on(self, day: dt.date) -> bool:
        """Whether this person may be picked for a checklist of ``day`` (up to and including left_on)."""
        return self.left_on is None or day.isoformat() <= self.left_on

    @property
    def initials(self) -> tuple[str, ...]:
        return pinyin_keys(self.name)[0]

    @property
    def pinyin(self) -> str:
        return pinyin_keys(self.name)[1]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Person:
        return cls(
            id=data["id"],
            name=data.get("name", ""),
            department=data.get("department", ""),
            role=data.get("role") or "",
            employee_no=data.get("employee_no") or "",
            phone=data.get("phone") or "",
            username=data.get("username") or "",
            left_on=data.get("left_on") or None,
            rev=int(data.get("rev") or 0),
        )

    @property
    def audit_view(self) -> dict:
        """What the audit log keeps of a person (everything but the store's revision)."""
        data = self.to_dict()
        data.pop("rev")
        return data


def new_id() -> str:
    return "p" + uuid.uuid4().hex[:12]


def normal_name(value) -> str:
    """A name as compared: NFKC, no zero-width characters, single spaces, case-folded."""
    try:
        return inputs.name(value, max_length=10_000).casefold()
    except inputs.BadInput:
        return ""


# --- Pinyin -----------------------------------------------------------------------------------------

MAX_INITIAL_VARIANTS = 8


@lru_cache(maxsize=8192)
def pinyin_keys(name: str) -> tuple[tuple[str, ...], str]:
    """(initials, full pinyin) of a name: 李明 → (("lm",), "liming").

    Characters with several readings give several initials, the common reading
    first (曾国藩 → "cgf", "zgf"; a surname's reading is often the rarer one), at
    most MAX_INITIAL_VARIANTS. Latin words and digits count by their first character.
    """
    options: list[list[str]] = []
    for chunk in pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="default"):
        if len(chunk) == 1 and len(chunk[0]) > 1:  # a run of non-Han characters kept whole: "Tom"
            options.extend([w[0]] for w in re.findall(r"[^\W_]+", chunk[0].lower()))
            continue
        letters = [c.lower() for c in chunk if c.strip() and c.isalnum()]
        if letters:
            options.append(list(dict.fromkeys(letters)))
    variants = []
    for combo in itertools.product(*options):
        variants.append("".join(combo))
        if len(variants) == MAX_INITIAL_VARIANTS:
            break
    full = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(name)).lower())
    return tuple(variants), full


def matches(person: Person, query: str) -> bool:
    """Whether a search for ``query`` finds ``person``: name, 工号, pinyin initials or full pinyin."""
    q = normal_name(query).replace(" ", "")
    if not q:
        return True
    if q in normal_name(person.name).replace(" ", ""):
        return True
    if person.employee_no and q in person.employee_no.casefold():
        return True
    return any(i.startswith(q) for i in person.initials) or person.pinyin.startswith(q)


# --- Validation ---------------------------------------------------------------------------------------


def departments(reference: Reference) -> tuple[str, ...]:
    return tuple(d.name for d in reference.departments)


def roles_of(reference: Reference, department: str) -> tuple[str, ...]:
    """The roles a person of ``department`` may hold: the department's, and the roles of no department."""
    return tuple(r.name for r in reference.roles if r.department in (department, None))


def clean_fields(
    raw: Mapping, reference: Reference, usernames: Iterable[str] | None = None
) -> tuple[dict, list]:
    """The person fields of a form or an import row as clean values, and what is wrong with them."""
    errors: list[str] = []
    clean: dict[str, str] = {}

    def take(field: str, label: str, max_length: int) -> str:
        try:
            return inputs.name(raw.get(field), label, max_length)
        except inputs.BadInput as exc:
            errors.append(exc.message)
            return ""

    clean["name"] = take("name", "姓名", MAX_NAME)
    if not clean["name"] and not errors:
        errors.append(t("people.error.no_name"))
    number = take("employee_no", "工号", 20)
    if number and not EMPLOYEE_NO_RE.fullmatch(number):
        errors.append(t("people.error.bad_employee_no", value=number))
    clean["employee_no"] = number
    department = take("department", "部门", 50)
    known = departments(reference)
    if not department:
        errors.append(t("people.error.no_department"))
    elif department not in known:
        errors.append(t("people.error.unknown_department", value=department, known="、".join(known)))
    clean["department"] = department
    role = take("role", "岗位", 50)
    if role:
        declared = next((r for r in reference.roles if r.name == role), None)
        if declared is None:
            errors.append(t("people.error.unknown_role", value=role))
        elif declared.department and department in known and declared.department != department:
            errors.append(
                t(
                    "people.error.role_department",
                    value=role,
                    owner=declared.department,
                    department=department,
                )
            )
    clean["role"] = role
    phone = take("phone", "手机", 30).translate(_PHONE_NOISE)
    if phone and not PHONE_RE.fullmatch(phone):
        errors.append(t("people.error.bad_phone", value=phone))
    clean["phone"] = phone
    username = take("username", "账号", 32)
    if username and usernames is not None and username not in set(usernames):
        errors.append(t("people.error.unknown_account", value=username))
    clean["username"] = username
    return clean, errors


def _unique_problems(fields: dict, people: Iterable[Person], self_id: str | None) -> list[str]:
    problems = []
    for person in people:
        if person.id == self_id:
            continue
        if fields.get("employee_no") and person.employee_no.casefold() == fields["employee_no"].casefold():
            problems.append(
                t("people.error.duplicate_employee_no", value=fields["employee_no"], name=person.name)
            )
        if fields.get("username") and person.username == fields["username"]:
            problems.append(t("people.error.duplicate_account", value=fields["username"], name=person.name))
    return problems


def conflict_message(exc: PeopleConflict, storage: Storage) -> str:
    other = storage.people.get(exc.other)
    name = other["name"] if other else exc.other
    if exc.field == "username":
        return t("people.error.duplicate_account", value=exc.value, name=name)
    return t("people.error.duplicate_employee_no", value=exc.value, name=name)


# --- Use cases: the directory ----------------------------------------------------------------------------


def all_people(storage: Storage) -> list[Person]:
    """Everyone, left people included, sorted by department order then pinyin."""
    return sorted((Person.from_dict(p) for p in storage.people.all()), key=lambda p: (p.pinyin, p.name, p.id))


def get(storage: Storage, person_id) -> Person | None:
    if not isinstance(person_id, str) or not ID_RE.fullmatch(person_id):
        return None
    found = storage.people.get(person_id)
    return Person.from_dict(found) if found else None


def of_account(storage: Storage, username: str) -> Person | None:
    """The person whose 账号 is ``username``: the one link between an account and the directory."""
    found = [p for p in storage.people.all() if p.get("username") == username]
    return Person.from_dict(found[0]) if found else None


def accounts_linked(storage: Storage) -> dict[str, Person]:
    """username → the person linked to that account, for a list of accounts."""
    return {p["username"]: Person.from_dict(p) for p in storage.people.all() if p.get("username")}


def search(people: Iterable[Person], query: str, status: str = "active") -> list[Person]:
    """People matching ``query``; ``status`` active, left or all."""
    chosen = []
    for person in people:
        if status == "active" and not person.active or status == "left" and person.active:
            continue
        if matches(person, query):
            chosen.append(person)
    return chosen


def _usernames(storage: Storage) -> list[str]:
    return [u["username"] for u in storage.users.all()]


def create(storage: Storage, clock: Clock, actor: dict, reference: Reference, raw: Mapping) -> Person:
    """Add a person; ServiceError (422) listing every problem, nothing stored."""
    fields, problems = clean_fields(raw, reference, _usernames(storage))
    problems += _unique_problems(fields, all_people(storage), None)
    if problems:
        raise ServiceError(problems, 422)
    person = Person(id=new_id(), **fields)
    try:
        [stored] = storage.people.put_many([person.to_dict()], expect={person.id: None})
    except PeopleConflict as exc:
        raise ServiceError(conflict_message(exc, storage), 422) from None
    person = Person.from_dict(stored)
    audit.record(storage, clock, actor, "person.create", _subject(person), after=person.audit_view)
    return person


def _subject(person: Person) -> str:
    return f"{person.name}（{person.id}）"


def _write(storage: Storage, before: Person, after: Person) -> Person:
    try:
        [stored] = storage.people.put_many([after.to_dict()], expect={before.id: before.rev})
    except StaleWrite:
        raise ServiceError(t("people.error.stale"), 409) from None
    except PeopleConflict as exc:
        raise ServiceError(conflict_message(exc, storage), 422) from None
    return Person.from_dict(stored)


def _current(storage: Storage, person_id, rev) -> Person:
    person = get(storage, person_id)
    if person is None:
        raise ServiceError(t("people.error.unknown"), 404)
    if rev is not None and str(rev) != str(person.rev):
        raise ServiceError(t("people.error.stale"), 409)
    return person


def edit(
    storage: Storage, clock: Clock, actor: dict, reference: Reference, person_id, raw: Mapping, rev=None
) -> Person:
    """Change a person's details; ``rev`` is the revision the form showed (a later edit refuses this one)."""
    before = _current(storage, person_id, rev)
    fields, problems = clean_fields(raw, reference, _usernames(storage))
    problems += _unique_problems(fields, all_people(storage), before.id)
    if problems:
        raise ServiceError(problems, 422)
    after = replace(before, **fields)
    if after == before:
        return before
    stored = _write(storage, before, after)
    audit.record(
        storage,
        clock,
        actor,
        "person.edit",
        _subject(stored),
        before=before.audit_view,
        after=stored.audit_view,
    )
    return stored


def mark_left(storage: Storage, clock: Clock, actor: dict, person_id, day, rev=None) -> Person:
    """Record that a person left on ``day`` (their last day); history keeps them, pickers drop them after."""
    before = _current(storage, person_id, rev)
    try:
        left_on = inputs.day(day, "离职日期")
    except inputs.BadInput as exc:
        raise ServiceError(exc.message, 422) from None
    stored = _write(storage, before, replace(before, left_on=left_on.isoformat()))
    audit.record(
        storage,
        clock,
        actor,
        "person.left",
        _subject(stored),
        before={"left_on": before.left_on},
        after={"left_on": stored.left_on},
    )
    return stored


def reinstate(storage: Storage, clock: Clock, actor: dict, person_id, rev=None) -> Person:
    """Undo a 离职 (marked by mistake, or back at work)."""
    before = _current(storage, person_id, rev)
    if before.left_on is None:
        return before
    stored = _write(storage, before, replace(before, left_on=None))
    audit.record(
        storage,
        clock,
        actor,
        "person.edit",
        _subject(stored),
        before={"left_on": before.left_on},
        after={"left_on": None},
        note=t("people.reinstated"),
    )
    return stored


# --- The picker ---------------------------------------------------------------------------------------------


def picker_data(storage: Storage, handbook: Handbook | None, snapshot: dict, day: dt.date) -> dict:
    """The directory slice a checklist page embeds: people active on ``day``, target's department first."""
    target = snapshot.get("target") or {}
    department = department_of(handbook, target.get("kind"), target.get("name")) if handbook else None
    people = [p for p in all_people(storage) if p.active_on(day)]
    people.sort(key=lambda p: (p.department != department, p.pinyin, p.name))
    return {
        "department": department or "",
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "no": p.employee_no,
                "dept": p.department,
                "role": p.role,
                "ini": list(p.initials),
                "py": p.pinyin,
            }
            for p in people
        ],
    }


# --- Linking typed names to people ----------------------------------------------------------------------


def line_ref(record_id: str, key: str) -> str:
    """How a failed item of a completed checklist is named in the links table."""
    return f"{record_id}#{key}"


@dataclass(frozen=True)
class UnlinkedLine:
    ref: str
    record_id: str
    day: str
    target: str
    check_id: str
    name: str


@dataclass(frozen=True)
class UnlinkedGroup:
    """The failed items whose responsible person was typed the same way and is not linked to anyone."""

    spelling: str
    lines: tuple[UnlinkedLine, ...]
    candidates: tuple[Person, ...]  # people with exactly this name

    @property
    def key(self) -> str:
        return normal_name(self.spelling)


def _unlinked_lines(digests: Iterable[dict], links: Mapping[str, str]) -> list[UnlinkedLine]:
    found = []
    for d in digests:
        for entry in d.get("people", ()):
            ref = line_ref(d["id"], entry["key"])
            if entry.get("id") or ref in links or not normal_name(entry.get("name")):
                continue
            found.append(
                UnlinkedLine(ref, d["id"], d["day"], d["target"][1], entry["check_id"], entry["name"])
            )
    return found


def unlinked(storage: Storage, digests: Iterable[dict]) -> list[UnlinkedGroup]:
    """Failed items with a typed responsible name and no person, grouped by spelling (most lines first)."""
    by_name: dict[str, list[UnlinkedLine]] = defaultdict(list)
    for line in _unlinked_lines(digests, storage.people.links()):
        by_name[normal_name(line.name)].append(line)
    people = all_people(storage)
    groups = []
    for key, lines in by_name.items():
        lines.sort(key=lambda line: (line.day, line.ref))
        same = tuple(p for p in people if normal_name(p.name) == key)
        groups.append(UnlinkedGroup(lines[0].name, tuple(lines), same))
    groups.sort(key=lambda g: (-len(g.lines), g.key))
    return groups


def link_spelling(
    storage: Storage, clock: Clock, actor: dict, digests: Iterable[dict], spelling, person_id
) -> int:
    """Link every unlinked failed item typed as ``spelling`` to the person; how many lines. Audited."""
    person = get(storage, person_id)
    if person is None:
        raise ServiceError(t("people.error.unknown"), 404)
    key = normal_name(spelling)
    if not key:
        raise ServiceError(t("people.error.no_spelling"), 422)
    lines = [
        line for line in _unlinked_lines(digests, storage.people.links()) if normal_name(line.name) == key
    ]
    if not lines:
        raise ServiceError(t("people.error.nothing_to_link", name=spelling), 409)
    count = storage.people.link({line.ref: person.id for line in lines})
    audit.record(
        storage,
        clock,
        actor,
        "responsible.link",
        _subject(person),
        after={"spelling": lines[0].name, "person_id": person.id, "lines": count},
    )
    return count


@dataclass(frozen=True)
class LinkedGroup:
    """The failed items typed one way and linked (on 未登记责任人, or by the migration) to one person."""

    spelling: str
    person: Person | None  # None: the person was removed from the directory since
    person_id: str
    lines: tuple[UnlinkedLine, ...]


def linked(storage: Storage, digests: Iterable[dict]) -> list[LinkedGroup]:
    """Typed names linked afterwards, grouped by spelling and person (a picker choice is not a link)."""
    links = storage.people.links()
    groups: dict[tuple[str, str], list[UnlinkedLine]] = defaultdict(list)
    for d in digests:
        for entry in d.get("people", ()):
            ref = line_ref(d["id"], entry["key"])
            if entry.get("id") or ref not in links:
                continue
            line = UnlinkedLine(ref, d["id"], d["day"], d["target"][1], entry["check_id"], entry["name"])
            groups[(normal_name(entry["name"]), links[ref])].append(line)
    found = []
    for (_, person_id), lines in groups.items():
        lines.sort(key=lambda line: (line.day, line.ref))
        found.append(LinkedGroup(lines[0].name, get(storage, person_id), person_id, tuple(lines)))
    found.sort(key=lambda g: (normal_name(g.spelling), g.person_id))
    return found


def unlink_spelling(
    storage: Storage, clock: Clock, actor: dict, digests: Iterable[dict], spelling, person_id
) -> int:
    """Undo a wrong link: every line typed as ``spelling`` and linked to the person is unlinked again
    (back on 未登记责任人, to be linked to the right person); how many lines. Audited."""
    key = normal_name(spelling)
    if not key or not isinstance(person_id, str) or not ID_RE.fullmatch(person_id):
        raise ServiceError(t("people.error.nothing_to_unlink", name=str(spelling or "")[:40]), 409)
    group = next(
        (g for g in linked(storage, digests) if normal_name(g.spelling) == key and g.person_id == person_id),
        None,
    )
    if group is None:
        raise ServiceError(t("people.error.nothing_to_unlink", name=spelling), 409)
    count = storage.people.unlink({line.ref: person_id for line in group.lines})
    audit.record(
        storage,
        clock,
        actor,
        "responsible.unlink",
        _subject(group.person) if group.person else person_id,
        before={"spelling": group.spelling, "person_id": person_id, "lines": count},
    )
    return count


@dataclass(frozen=True)
class Migration:
    linked: int  # lines linked by this run
    unlinked: int  # lines still without a person (no name in the directory, or several)


def migrate(storage: Storage, clock: Clock, actor: dict | None, digests: Iterable[dict]) -> Migration:
    """Link every typed responsible name that matches exactly one person's name; list the rest.

    Idempotent: linked lines are skipped, so a second run links nothing and logs nothing.
    """
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in all_people(storage):
        by_name[normal_name(person.name)].append(person)
    new, remaining = {}, 0
    for line in _unlinked_lines(digests, storage.people.links()):
        match = by_name.get(normal_name(line.name), [])
        if len(match) == 1:
            new[line.ref] = match[0].id
        else:
            remaining += 1
    linked = storage.people.link(new) if new else 0
    if linked:
        audit.record(
            storage,
            clock,
            actor,
            "responsible.link",
            t("people.migrate.subject"),
            after={"linked": linked, "unlinked": remaining},
            note=t("people.migrate.note"),
        )
    return Migration(linked, remaining)


def all_digests(storage: Storage, until: dt.date) -> list[dict]:
    """The report digests of every completed checklist up to ``until`` (only the day files that exist)."""
    return storage.completions.facts("report", inputs.MIN_DAY, until)
