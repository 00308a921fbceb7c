"""Importing the staff directory from a spreadsheet: read, plan (preview), apply all or nothing.

The file is ``.xlsx`` (first sheet) or ``.csv`` (UTF-8 with or without BOM, GBK/GB18030
as Excel on Chinese Windows saves it, or UTF-16 "Unicode text"). Row 1 names the
columns: 姓名 and 部门 are required, 工号, 岗位 and 手机 optional, in any order; other
columns are ignored. Rows are numbered as the spreadsheet shows them (the header is
row 1). A row updates the person with its 工号 (or, without one, the only person
of that name) and adds a person otherwise; a blank cell never erases what the
directory has. Any bad row refuses the whole import.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from generator.model import Reference

from . import audit
from .clock import Clock
from .people import Person, all_people, clean_fields, conflict_message, new_id, normal_name
from .services import ServiceError
from .storage import Storage
from .storage.people import PeopleConflict, StaleWrite
from .strings import t

# Column headers (and the spellings HR exports use) → field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "员工姓名"),
    "employee_no": ("工号", "员工编号", "员工号", "编号"),
    "department": ("部门", "所属部门"),
    "role": ("岗位", "职位", "职务"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话"),
}
HEADERS = ("姓名", "工号", "部门", "岗位", "手机")
REQUIRED = ("name", "department")
IMPORT_FIELDS = ("name", "employee_no", "department", "role", "phone")
MAX_ROWS = 3000


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (format, encoding, header)."""

    status = 422


@dataclass(frozen=True)
class Row:
    """One data row: its number in the spreadsheet and its cells by field."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class Sheet:
    rows: tuple[Row, ...]
    ignored: tuple[str, ...]  # column headers that are not part of the format


def _cell(value) -> str:
    """A cell as text: Excel's numbers without a spurious ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _header_field(header: str) -> str | None:
    cleaned = normal_name(header).replace(" ", "").rstrip("*＊")
    return next((field for field, names in COLUMNS.items() if cleaned in names), None)


def _sheet(table: Iterable[tuple[int, list]]) -> Sheet:
    """Rows of cells (with their numbers) → Sheet, or ImportFileError for a bad header."""
    table = iter(table)
    first = next(((n, cells) for n, cells in table if any(_cell(c).strip() for c in cells)), None)
    if first is None:
        raise ImportFileError(t("people.import.empty_file"))
    number, header = first
    fields, ignored = [], []
    for cell in header:
        text = _cell(cell).strip()
        field = _header_field(text)
        if field and field in fields:
            raise ImportFileError(t("people.import.duplicate_column", column=text))
        fields.append(field)
        if field is None and text:
            ignored.append(text)
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in fields]
    if missing:
        raise ImportFileError(
            t(
                "people.import.missing_columns",
                missing="、".join(missing),
                row=number,
                columns="、".join(HEADERS),
            )
        )
    rows = []
    for number, cells in table:
        values = {f: _cell(c) for f, c in zip(fields, cells, strict=False) if f}
        if not any(v.strip() for v in values.values()):
            continue  # blank rows are not people
        if len(rows) == MAX_ROWS:
            raise ImportFileError(t("people.import.too_many", max=MAX_ROWS))
        rows.append(Row(number, values))
    if not rows:
        raise ImportFileError(t("people.import.no_rows"))
    return Sheet(tuple(rows), tuple(ignored))


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else GBK/GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(t("people.import.bad_encoding")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK: what Excel on Chinese Windows writes
    except UnicodeDecodeError:
        raise ImportFileError(t("people.import.bad_encoding")) from None


def read_csv(data: bytes) -> Sheet:
    text = decode_csv(data)
    if "\x00" in text:
        raise ImportFileError(t("people.import.bad_encoding"))
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _sheet((number, cells) for number, cells in enumerate(reader, 1))
    except csv.Error as exc:
        raise ImportFileError(t("people.import.bad_csv", detail=str(exc))) from None


def read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                return _sheet(
                    (number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)
                )
            finally:
                book.close()
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise ImportFileError(t("people.import.bad_xlsx")) from None


def read_file(filename: str, data: bytes) -> Sheet:
    """The rows of an uploaded ``.xlsx`` or ``.csv``; ImportFileError for anything else."""
    name = (filename or "").lower()
    if not data:
        raise ImportFileError(t("people.import.empty_file"))
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if name.endswith(".xls"):
        raise ImportFileError(t("people.import.old_xls"))
    if name.endswith((".csv", ".txt")):
        return read_csv(data)
    raise ImportFileError(t("people.import.bad_type"))


# --- Planning ----------------------------------------------------------------------------------------------

ADD, UPDATE, SAME = "add", "update", "same"


@dataclass(frozen=True)
class Change:
    row: int
    kind: str  # ADD, UPDATE or SAME
    person: Person  # as it will be
    before: Person | None
    changed: tuple[str, ...]  # the fields an update changes


@dataclass(frozen=True)
class RowError:
    row: int
    name: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """What an import would do: every row's change, or the rows that refuse it."""

    changes: tuple[Change, ...]
    errors: tuple[RowError, ...]
    rows: tuple[Row, ...]
    ignored: tuple[str, ...] = ()

    def of(self, kind: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    @property
    def fingerprint(self) -> str:
        """Names exactly what would be written (and over which revisions): a preview is confirmed as shown.

        A new person's id is drawn when the import is applied, so it is left out.
        """
        data = []
        for c in self.changes:
            if c.kind != SAME:
                before = c.before.rev if c.before else None
                data.append([c.kind, {**c.person.to_dict(), "id": c.before.id if c.before else ""}, before])
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]

    @property
    def rows_json(self) -> str:
        return json.dumps([[r.number, r.values] for r in self.rows], ensure_ascii=False)


def rows_from_json(text) -> tuple[Row, ...]:
    """The rows a preview page carried back; ImportFileError unless exactly the shape it wrote."""
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        data = None
    rows = []
    if isinstance(data, list) and 0 < len(data) <= MAX_ROWS:
        for entry in data:
            if (
                isinstance(entry, list)
                and len(entry) == 2
                and isinstance(entry[0], int)
                and isinstance(entry[1], dict)
                and set(entry[1]) <= set(IMPORT_FIELDS)
                and all(isinstance(v, str) for v in entry[1].values())
            ):
                rows.append(Row(entry[0], entry[1]))
            else:
                break
        else:
            return tuple(rows)
    raise ImportFileError(t("people.import.bad_preview"))


def plan(rows: Iterable[Row], reference: Reference, people: Iterable[Person], ignored=()) -> Plan:
    """Match every row to the directory and validate it; nothing is written."""
    rows = tuple(rows)
    people = list(people)
    by_number = {p.employee_no.casefold(): p for p in people if p.employee_no}
    by_name: dict[str, list[Person]] = {}
    for person in people:
        by_name.setdefault(normal_name(person.name), []).append(person)
    seen_numbers: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    matched: dict[str, int] = {}
    changes, errors = [], []
    for row in rows:
        fields, problems = clean_fields(row.values, reference)
        fields.pop("username")
        name, number = fields["name"], fields["employee_no"]
        key = normal_name(name)
        if number:
            first = seen_numbers.setdefault(number.casefold(), row.number)
            if first != row.number:
                problems.append(t("people.import.duplicate_no_in_file", value=number, row=first))
        elif key:
            first = seen_names.setdefault(key, row.number)
            if first != row.number:
                problems.append(t("people.import.duplicate_name_in_file", name=name, row=first))
        target = None
        if number and number.casefold() in by_number:
            target = by_number[number.casefold()]
            if key and normal_name(target.name) != key:
                problems.append(t("people.import.number_taken", value=number, name=target.name))
                target = None
        elif key:
            same = [p for p in by_name.get(key, []) if not (number and p.employee_no)]
            if len(same) > 1:
                problems.append(t("people.import.ambiguous_name", name=name, n=len(same)))
            elif same:
                target = same[0]
        if target is not None:
            if target.left_on:
                problems.append(t("people.import.left", name=target.name, day=target.left_on))
            first = matched.setdefault(target.id, row.number)
            if first != row.number:
                problems.append(t("people.import.same_person", name=target.name, row=first))
        if problems:
            errors.append(RowError(row.number, name or row.values.get("name", ""), tuple(problems)))
            continue
        if target is None:
            changes.append(Change(row.number, ADD, Person(id=new_id(), **fields), None, ()))
            continue
        updates = {f: v for f, v in fields.items() if v and f != "name"}  # a blank cell never erases
        after = replace(target, **updates)
        changed = tuple(f for f in IMPORT_FIELDS if getattr(after, f) != getattr(target, f))
        changes.append(Change(row.number, UPDATE if changed else SAME, after, target, changed))
    return Plan(tuple(changes), tuple(errors), rows, tuple(ignored))


def preview(storage: Storage, reference: Reference, filename: str, data: bytes) -> Plan:
    sheet = read_file(filename, data)
    return plan(sheet.rows, reference, all_people(storage), sheet.ignored)


@dataclass(frozen=True)
class Imported:
    added: int
    updated: int
    unchanged: int


def apply(
    storage: Storage,
    clock: Clock,
    actor: dict,
    reference: Reference,
    rows: Iterable[Row],
    fingerprint: str,
    filename: str = "",
) -> Imported:
    """Import the rows exactly as previewed, all or nothing; ServiceError if anything changed meanwhile.

    The rows are planned again against the directory as it is now: a plan with
    errors, or one that differs from the preview (``fingerprint``), writes nothing.
    """
    current = plan(rows, reference, all_people(storage))
    if current.errors:
        raise ServiceError([t("people.import.has_errors", n=len(current.errors))], 422)
    if current.fingerprint != fingerprint:
        raise ServiceError(t("people.import.changed"), 409, data={"plan": current})
    writes = [c for c in current.changes if c.kind != SAME]
    expect: Mapping[str, int | None] = {c.person.id: (c.before.rev if c.before else None) for c in writes}
    try:
        storage.people.put_many([c.person.to_dict() for c in writes], expect=expect)
    except StaleWrite:
        raise ServiceError(t("people.import.changed"), 409) from None
    except PeopleConflict as exc:
        raise ServiceError([conflict_message(exc, storage), t("people.import.nothing")], 409) from None
    result = Imported(len(current.of(ADD)), len(current.of(UPDATE)), len(current.of(SAME)))
    audit.record(
        storage,
        clock,
        actor,
        "people.import",
        filename or t("people.import.subject"),
        after={
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "added_people": [f"{c.person.name}（{c.person.id}）" for c in current.of(ADD)][:300],
            "updated_people": [f"{c.person.name}（{c.person.id}）" for c in current.of(UPDATE)][:300],
        },
    )
    return result


def template_csv() -> bytes:
    """An empty import file with the header row and one example (UTF-8 with BOM, so Excel reads it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerow(t("people.import.example").split(","))
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
