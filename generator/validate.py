"""Rules that span files: unique ids, known roles and areas, links that resolve."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import problems as P
from .frequencies import holidays_running_out
from .model import Location, Reference
from .pages import OVERVIEW_PAGE, ROLES_DIR, role_page_path
from .parser import ParsedFile
from .problems import Problem
from .reference import ALL_STAFF
from .safehtml import url_scheme
from .scope import inheritance_warnings
from .search_synonyms import check_synonyms


def validate(
    files: list[ParsedFile],
    reference: Reference,
    root: Path,
    reference_path: str = "reference.yml",
    check_names: bool = True,
    today: dt.date | None = None,
) -> list[Problem]:
    """Return every cross-file problem in ``files``.

    ``check_names`` is False when reference.yml itself could not be read: roles and areas are
    then not checked against it (its own problem says what to fix first).
    """
    found: list[Problem] = []
    found += _duplicates(files, root)
    if check_names:
        found += _references(files, reference)
    found += _links(files, root, _generated_paths(reference), any_role_page=not check_names)
    found += _scoring(files, reference, reference_path)
    if check_names:  # new kinds of staff inheriting many all-staff checks (generator/scope.py)
        checks = [k for parsed in files if parsed.policy for k in parsed.policy.checks]
        found += inheritance_warnings(checks, reference, root, reference_path)
    found += check_synonyms(root, str(Path(reference_path).parent))
    if today is not None:
        found += _holiday_calendar(files, reference, reference_path, today)
    return found


def _holiday_calendar(
    files: list[ParsedFile], reference: Reference, path: str, today: dt.date
) -> list[Problem]:
    """A warning per holiday whose calendar runs out within a year while checks count back from it."""
    freqs = [k.frequency for f in files if f.policy for k in f.policy.checks]
    holidays = {h.name: h for h in reference.holidays}
    return [
        P.holiday_calendar_ends(path, holidays[n].line, n, max(holidays[n].dates, default=None), today)
        for n in holidays_running_out(freqs, reference.holiday_dates, today)
        if n in holidays
    ]


def _scoring(files: list[ParsedFile], reference: Reference, reference_path: str) -> list[Problem]:
    """One declaration of the ledger rules; head counts wherever a score sheet deducts by size."""
    found = []
    first = None
    for parsed in files:
        policy = parsed.policy
        if policy is None or policy.penalties is None:
            continue
        if first is None:
            first = policy.penalties.source
        else:
            found.append(P.duplicate_penalties(policy.source.path, policy.penalties.source.line, first))
    banded = [p for parsed in files if (p := parsed.policy) and p.scoring and p.scoring.size_bands]
    if banded:
        for department in reference.departments:
            if department.headcount is None:
                found.append(
                    P.missing_headcount(reference_path, department.line, department.name, banded[0].id)
                )
    return found


def _generated_paths(reference: Reference) -> set[str]:
    # Pages the site adds from the model (role pages, the overview) are valid link targets.
    return {OVERVIEW_PAGE} | {role_page_path(r.name) for r in reference.roles if r.name != ALL_STAFF}


# The last published model, to tell an id that was already live from the one just written.
PUBLISHED_EXPORTS = ("site/handbook.json", "handbook.json")  # relative to the handbook's parent
MTIME_MARGIN_NS = 2_000_000_000  # files written together (a checkout, a copy) are not "newer"


def _published_ids(root: Path) -> dict[str, set[str]]:
    """Each id in the last published export and the source paths it was published from."""
    for rel in PUBLISHED_EXPORTS:
        try:
            data = json.loads((root.parent / rel).read_text(encoding="utf-8"))
            ids: dict[str, set[str]] = {}
            for policy in data["policies"]:
                where = policy["source"]["path"]
                ids.setdefault(policy["id"], set()).add(where)
                for clause in policy["clauses"]:
                    ids.setdefault(clause["id"], set()).add(where)
                    for check in clause["checks"]:
                        ids.setdefault(check["id"], set()).add(where)
            return ids
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return {}


class _Use:
    """One use of an id, with what is needed to tell whether it is the new one."""

    def __init__(self, what: str, where: Location, parsed: ParsedFile, order: int):
        self.what, self.where, self.parsed, self.order = what, where, parsed, order

    def mtime(self, root: Path) -> int | None:
        try:
            return (root / self.parsed.rel_path).stat().st_mtime_ns
        except OSError:
            return None


def _is_published(value: str, use: _Use, published: dict[str, set[str]]) -> bool:
    paths = published.get(value, ())
    rel = use.parsed.rel_path
    return any(p == rel or p.endswith("/" + rel) for p in paths)


def _original(value: str, uses: list[_Use], root: Path, published: dict) -> tuple[_Use, str]:
    """The use that was there first, and how we know (empty when only the order says so)."""
    live = [u for u in uses if _is_published(value, u, published)]
    if len(live) == 1:
        return live[0], "已发布的手册里就是这一处"
    candidates = live or uses
    stamps = {id(u): u.mtime(root) for u in candidates}
    first = min(candidates, key=lambda u: u.order)
    oldest = min(candidates, key=lambda u: (stamps[id(u)] or 0, u.order))
    newest = max(candidates, key=lambda u: (stamps[id(u)] or 0, -u.order))
    if (
        stamps[id(oldest)] is not None
        and stamps[id(newest)] is not None
        and stamps[id(newest)] - stamps[id(oldest)] > MTIME_MARGIN_NS
    ):
        return oldest, "那个文件的修改时间更早"
    if all(u.parsed is first.parsed for u in candidates):
        return first, "它在同一文件的前面"
    return first, ""


def _duplicates(files: list[ParsedFile], root: Path) -> list[Problem]:
    """Ids used twice, each reported once at the newer use, naming the place that had it first."""
    policies: dict[str, list[_Use]] = {}
    # Clause and check ids share one namespace: both are anchors the app deep-links to.
    anchors: dict[str, list[_Use]] = {}
    order = 0
    for parsed in files:
        policy = parsed.policy
        if policy is None:
            continue
        order += 1
        policies.setdefault(policy.id, []).append(
            _Use("制度编号", Location(policy.source.path, parsed.id_line), parsed, order)
        )
        for clause in policy.clauses:
            items = [("条款编号", clause.id, clause.source)]
            items += [("检查项编号", check.id, check.source) for check in clause.checks]
            for what, value, where in items:
                if value.startswith("_missing-"):
                    continue
                order += 1
                anchors.setdefault(value, []).append(_Use(what, where, parsed, order))
    found = []
    published = None  # read only when an id is used twice
    for table in (policies, anchors):
        for value, uses in table.items():
            if len(uses) < 2:
                continue
            if published is None:
                published = _published_ids(root)
            original, why = _original(value, uses, root, published)
            for use in uses:
                if use is not original:
                    found.append(
                        P.duplicate_id(use.where.path, use.where.line, use.what, value, original.where, why)
                    )
    return found


def _references(files: list[ParsedFile], reference: Reference) -> list[Problem]:
    found = []
    roles = reference.role_names
    areas = frozenset(reference.areas)
    for parsed in files:
        for kind, value, where in parsed.references:
            if kind == "role" and value not in roles:
                found.append(P.unknown_role(where.path, where.line, value, roles))
            elif kind == "area" and value not in areas:
                found.append(P.unknown_area(where.path, where.line, value, areas))
    return found


def _links(
    files: list[ParsedFile], root: Path, generated: set[str], any_role_page: bool = False
) -> list[Problem]:
    found = []
    by_path = {parsed.rel_path: parsed for parsed in files}
    for parsed in files:
        for link in parsed.links:
            parts = urlsplit(link.target)
            if parts.scheme or parts.netloc or link.target.startswith("/") or url_scheme(link.target):
                continue  # external or site-absolute: not ours to resolve (safehtml judges the scheme)
            target_path = unquote(parts.path)
            anchor = unquote(parts.fragment)
            if target_path:
                rel = posixpath.normpath(posixpath.join(posixpath.dirname(parsed.rel_path), target_path))
                if rel.startswith("../"):
                    found.append(
                        P.broken_link(link.source.path, link.source.line, link.target, "指向手册目录之外")
                    )
                    continue
                if not rel.endswith(".md"):
                    if not (root / rel).exists():
                        found.append(
                            P.broken_link(link.source.path, link.source.line, link.target, "文件不存在")
                        )
                    continue
                target = by_path.get(rel)
                if target is None and (
                    rel in generated or (any_role_page and rel.startswith(ROLES_DIR + "/"))
                ):
                    continue  # generated page: MkDocs' strict build checks its anchors
                if target is None:
                    found.append(
                        P.broken_link(
                            link.source.path, link.source.line, link.target, f"手册中没有文件 {rel}"
                        )
                    )
                    continue
            else:
                target = parsed
            if not target.complete:
                continue  # its own problem says why; its anchors are unknown, not missing
            if anchor and anchor not in target.anchors:
                found.append(
                    P.broken_link(
                        link.source.path,
                        link.source.line,
                        link.target,
                        f"{target.rel_path} 中没有锚点 #{anchor}",
                    )
                )
    return found
