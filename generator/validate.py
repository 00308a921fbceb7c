"""Rules that span files: unique ids, known roles and areas, links that resolve."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import problems as P
from .model import Location, Reference
from .pages import OVERVIEW_PAGE, ROLES_DIR, role_page_path
from .parser import ParsedFile
from .problems import Problem
from .reference import ALL_STAFF
from .safehtml import url_scheme


def validate(
    files: list[ParsedFile],
    reference: Reference,
    root: Path,
    reference_path: str = "reference.yml",
    check_names: bool = True,
) -> list[Problem]:
    """Return every cross-file problem in ``files``.

    ``check_names`` is False when reference.yml itself could not be read: roles and areas are
    then not checked against it (its own problem says what to fix first).
    """
    found: list[Problem] = []
    found += _duplicates(files)
    if check_names:
        found += _references(files, reference)
    found += _links(files, root, _generated_paths(reference), any_role_page=not check_names)
    found += _scoring(files, reference, reference_path)
    return found


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


def _duplicates(files: list[ParsedFile]) -> list[Problem]:
    found = []
    policies: dict[str, Location] = {}
    # Clause and check ids share one namespace: both are anchors the app deep-links to.
    anchors: dict[str, Location] = {}
    for parsed in files:
        policy = parsed.policy
        if policy is None:
            continue
        if policy.id in policies:
            found.append(
                P.duplicate_id(policy.source.path, parsed.id_line, "制度编号", policy.id, policies[policy.id])
            )
        else:
            policies[policy.id] = Location(policy.source.path, parsed.id_line)
        for clause in policy.clauses:
            items = [("条款编号", clause.id, clause.source)]
            items += [("检查项编号", check.id, check.source) for check in clause.checks]
            for what, value, where in items:
                if value.startswith("_missing-"):
                    continue
                if value in anchors:
                    found.append(P.duplicate_id(where.path, where.line, what, value, anchors[value]))
                else:
                    anchors[value] = where
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
