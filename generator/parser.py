"""Parse one handbook Markdown file into a Policy, keeping every source line number.

This module knows a single file; cross-file rules (duplicate ids, links between
pages, reference data) live in ``validate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from pymdownx.slugs import slugify

from . import attributes as A
from . import checkblock, frontmatter, safehtml, scoring
from . import problems as P
from .model import CheckItem, Clause, Location, Policy, Reference
from .problems import Problem

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
ATTR_LIST_RE = re.compile(r"\s*\{:?\s*([^}]*)\}\s*$")
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
CODE_SPAN_RE = re.compile(r"(`+).+?\1")
CLAUSE_LEVELS = (2, 3)
# "##第三条 … {#id}": no space after the hashes, so Markdown sees a paragraph, not a heading.
NO_SPACE_HEADING_RE = re.compile(r"^#{1,6}[^#\s].*\{#[^}]*\}\s*$")
_slug = slugify(case="lower")


@dataclass(frozen=True)
class Link:
    """A Markdown link to another page or anchor, to be resolved across files."""

    target: str
    source: Location


@dataclass
class ParsedFile:
    """Everything one file contributes to the handbook."""

    rel_path: str
    display_path: str
    policy: Policy | None = None
    problems: list[Problem] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    # (kind, value, location) for every role or area named, resolved by validate()
    references: list[tuple[str, str, Location]] = field(default_factory=list)
    id_line: int = 1
    # False when the file could not be read whole (not UTF-8, cut off): its anchors are unknown,
    # so links to it are not reported as broken on top of its own problem.
    complete: bool = True


def page_url(rel_path: str) -> str:
    """The site URL of a Markdown file, as MkDocs builds it with directory URLs."""
    stem = rel_path[:-3] if rel_path.endswith(".md") else rel_path
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:
        stem += "/"
    return quote(stem)


def content_hash(text: str) -> str:
    """A short, whitespace-insensitive fingerprint of a piece of source text."""
    normal = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def split_heading(text: str) -> tuple[str, str | None]:
    """Split a heading's text into its title and explicit ``{#id}``, if any."""
    text = re.sub(r"\s+#+\s*$", "", text)
    m = ATTR_LIST_RE.search(text)
    if not m:
        return text.strip(), None
    ids = [tok[1:] for tok in m.group(1).split() if tok.startswith("#")]
    return text[: m.start()].strip(), (ids[0] if ids else None)


def parse_file(
    rel_path: str, display_path: str, text: str, reference: Reference, today: dt.date
) -> ParsedFile:
    """Parse one file; a policy file yields a Policy, any file yields anchors, links and problems."""
    result = ParsedFile(rel_path, display_path)
    path = display_path
    lines = text.splitlines(keepends=True)
    front, found = frontmatter.split(path, lines)
    result.problems += found
    if any(p.code == "frontmatter-unclosed" for p in found):
        result.complete = False  # most likely cut off: what its body would define is unknown
    body_start = front.body_start if front else 0
    is_policy = frontmatter.is_policy(front) or bool(found)
    fields: dict = {}
    if front is not None and frontmatter.is_policy(front):
        fields, found = frontmatter.validate(path, front, today)
        result.problems += found
        result.id_line = front.key_lines.get("id", 1)
        fields["version_line"] = front.key_lines.get("version", 1)
        if "owner" in fields:
            result.references.append(("role", fields["owner"], Location(path, fields["owner_line"])))
        for role in fields.get("applies_to", ()):
            result.references.append(("role", role, Location(path, fields["applies_to_line"])))
        fields["scoring_declared"] = "scoring" in front.data
        fields["scoring"], found = scoring.parse_scoring(path, front)
        fields["full_marks_line"] = scoring.full_marks_line(front)
        result.problems += found
        fields["penalties"], found = scoring.parse_penalties(path, front)
        result.problems += found

    spans = checkblock.fence_spans(lines, body_start, unclosed_is_text=True)
    result.problems += _fence_problems(path, lines, spans, is_policy)
    in_code = checkblock.code_lines(lines, [span for span in spans if span[1] is not None])
    blocks = {
        i: (end, rest)
        for i, end, rest in checkblock.find_blocks(lines, body_start, unclosed_fence_is_text=True)
    }
    in_block_until = -1
    clauses: list[dict] = []
    for i in range(body_start, len(lines)):
        line_no = i + 1
        if in_code[i] or i <= in_block_until:
            continue
        raw = lines[i].rstrip("\n")
        if i in blocks:
            end, rest = blocks[i]
            in_block_until = end if end is not None else i
            check_id = checkblock.header_id(rest)
            if check_id is None:
                token = checkblock.header_token(rest)
                if token is not None:
                    result.problems.append(P.bad_id(path, line_no, "检查项编号", token))
                else:
                    result.problems.append(P.bad_block_header(path, line_no, raw))
                continue
            if end is None:
                result.problems.append(P.unclosed_block(path, line_no, check_id))
                continue
            draft, found = checkblock.read_block(path, check_id, line_no, lines[i + 1 : end])
            result.problems += found
            result.anchors.add(check_id)
            if not is_policy:
                result.problems.append(P.check_in_plain_page(path, line_no, check_id))
            elif not clauses:
                result.problems.append(P.check_outside_clause(path, line_no, check_id))
            else:
                clauses[-1]["checks"].append(draft)
            continue
        if raw[:1] in " \t>-*+0123456789" and (how := checkblock.indented_header(raw)):
            result.problems.append(P.check_block_indented(path, line_no, how))
            continue
        hm = HEADING_RE.match(raw)
        if hm:
            level = len(hm.group(1))
            title, anchor = split_heading(hm.group(2))
            result.anchors.add(anchor or _slug(title, "-"))
            if is_policy and level == 1 and (anchor or clauses):
                # Not a clause: the checks below it would silently join the clause above.
                result.problems.append(P.heading_level_one(path, line_no, title))
            if is_policy and level in CLAUSE_LEVELS:
                if anchor is None:
                    suggestion = f"{fields.get('id', 'policy')}-{len(clauses) + 1}"
                    result.problems.append(P.clause_without_id(path, line_no, title, suggestion))
                elif not frontmatter.ID_RE.match(anchor):
                    result.problems.append(P.bad_id(path, line_no, "条款编号", anchor))
                clauses.append(
                    {
                        "id": anchor or f"_missing-{line_no}",
                        "title": title,
                        "level": level,
                        "line": line_no,
                        "start": i,
                        "checks": [],
                    }
                )
                if clauses[-1]["level"] == 3:
                    parents = [c for c in clauses[:-1] if c["level"] == 2]
                    clauses[-1]["parent"] = parents[-1]["id"] if parents else None
            continue
        if is_policy and raw.startswith("#") and NO_SPACE_HEADING_RE.match(raw):
            result.problems.append(P.heading_without_space(path, line_no, raw.strip()))
        stripped = CODE_SPAN_RE.sub("", raw)
        for lm in LINK_RE.finditer(stripped):
            result.links.append(Link(lm.group(1), Location(path, line_no)))

    result.problems += safehtml.check_body(path, lines, body_start)
    if is_policy and not any(p.is_error for p in result.problems if p.code in ("yaml-syntax",)):
        result.policy = _build_policy(result, fields, clauses, lines, body_start, reference, text)
    return result


def _build_policy(
    result: ParsedFile,
    fields: dict,
    clauses: list[dict],
    lines: list[str],
    body_start: int,
    reference: Reference,
    text: str,
) -> Policy | None:
    path = result.display_path
    events = frozenset(reference.events)
    url = page_url(result.rel_path)
    built: list[Clause] = []
    bounds = [c["start"] for c in clauses] + [len(lines)]
    for index, c in enumerate(clauses):
        body = "".join(lines[c["start"] : bounds[index + 1]])
        checks = []
        for draft in c["checks"]:
            item, found = _build_check(path, draft, events, fields, c["id"], reference.holiday_dates)
            result.problems += found
            if item is not None:
                result.problems += _scoring_problems(
                    path, item, fields.get("scoring"), fields.get("scoring_declared", False)
                )
            result.references += _check_references(path, draft)
            if item is not None:
                checks.append(item)
        built.append(
            Clause(
                id=c["id"],
                title=c["title"],
                level=c["level"],
                url=f"{url}#{c['id']}",
                source=Location(path, c["line"]),
                hash=content_hash(body),
                checks=tuple(checks),
                parent_id=c.get("parent"),
            )
        )
    required = ("id", "title", "owner", "version", "effective", "review", "applies_to")
    if any(name not in fields for name in required):
        return None
    policy = Policy(
        id=fields["id"],
        title=fields["title"],
        owner=fields["owner"],
        version=fields["version"],
        effective=fields["effective"],
        review=fields["review"],
        applies_to=fields["applies_to"],
        tags=fields.get("tags", ()),
        sources=fields.get("sources", ()),
        rel_path=result.rel_path,
        url=url,
        source=Location(path, 1),
        hash=content_hash(text),
        content_hash=content_hash(
            "".join(lines[body_start:])
            + repr((fields["title"], fields["applies_to"], fields.get("scoring"), fields.get("penalties")))
        ),
        version_line=fields.get("version_line", 1),
        clauses=tuple(built),
        scoring=fields.get("scoring"),
        penalties=fields.get("penalties"),
    )
    result.problems += _points_total(path, policy, fields.get("full_marks_line") or policy.source.line)
    return policy


def _fence_problems(path: str, lines: list[str], spans, is_policy: bool) -> list[Problem]:
    """A ``` never closed: Markdown would show the rest of the page as code, checks and all.

    A closed fence around a check block is an example on a plain page (the guide shows them), or in
    a policy when the fence says so (```text); a bare pair of ``` lines around checks or clauses in a
    policy is two stray lines that silently turn them into code.
    """
    found = []
    for open_, close in spans:
        if close is not None:
            fence = checkblock.FENCE_RE.match(lines[open_])
            info = lines[open_][fence.end() :].strip()
            if is_policy and not info:
                inside = lines[open_ + 1 : close]
                checks = sum(1 for line in inside if checkblock.BLOCK_START_RE.match(line))
                clauses = sum(
                    1 for line in inside if (m := HEADING_RE.match(line)) and len(m.group(1)) in CLAUSE_LEVELS
                )
                if checks or clauses:
                    found.append(
                        P.fence_hides_rules(path, open_ + 1, close + 1, fence.group(1)[:3], checks, clauses)
                    )
            continue
        fence = checkblock.FENCE_RE.match(lines[open_]).group(1)
        rest = lines[open_ + 1 :]
        checks = sum(
            1 for line in rest if checkblock.BLOCK_START_RE.match(line) or checkblock.indented_header(line)
        )
        clauses = sum(
            1 for line in rest if (m := HEADING_RE.match(line)) and len(m.group(1)) in CLAUSE_LEVELS
        )
        found.append(P.unclosed_fence(path, open_ + 1, fence[:3], checks, clauses if is_policy else 0))
    return found


def _points_total(path: str, policy: Policy, line: int) -> list[Problem]:
    """The most a score sheet's items can lose should add up to its full marks.

    Checked when the sheet is a list of weighted items (two or more, every scored one with 分值),
    or when the weights alone exceed the full marks. A single weighted item on a sheet is taken
    as deliberate (one item of a larger paper form).
    """
    scored = policy.scored_checks
    weighted = [k.points for k in scored if k.points is not None]
    if not weighted or policy.scoring is None:
        return []
    total, full = sum(weighted), policy.scoring.full_marks
    sheet = len(weighted) >= 2 and len(weighted) == len(scored)
    if (sheet and abs(total - full) > 1e-9) or total > full + 1e-9:
        return [P.points_total_mismatch(path, line, full, total, len(weighted))]
    return []


def _scoring_problems(path: str, check: CheckItem, sheet, declared: bool) -> list[Problem]:
    """A scored check must say how much it costs, in terms its policy's score sheet defines."""
    if check.points is None and check.deduction is None:
        return []
    if sheet is None:
        # A broken score sheet was reported already; do not pile a warning on top.
        return [] if declared else [P.points_without_scoring(path, check.source.line, check.id)]
    if check.deduction is None:
        return []
    if check.deduction.by_band and not sheet.size_bands:
        return [P.band_without_bands(path, check.source.line, check.id)]
    if not check.deduction.by_band and check.deduction.points is None:
        return [P.bad_deduction(path, check.source.line, check.deduction.rule)]
    return []


def _check_references(path: str, draft: checkblock.CheckDraft) -> list[tuple[str, str, Location]]:
    refs = []
    for key, kind in (("roles", "role"), ("checkers", "role"), ("area", "area")):
        if key in draft.raw:
            value, line = draft.raw[key]
            values = (value.strip(),) if key == "area" else A.split_values(value)
            refs += [(kind, v, Location(path, line)) for v in values if v]
    return refs


def _build_check(
    path: str,
    draft: checkblock.CheckDraft,
    events: frozenset[str],
    fields: dict,
    clause_id: str,
    holidays=(),
) -> tuple[CheckItem | None, list[Problem]]:
    found: list[Problem] = []
    raw = draft.raw
    for key, example in (("frequency", "频率: 每日"), ("roles", "对象: 售前客服")):
        if key not in raw or not raw[key][0]:
            found.append(P.check_missing_attr(path, draft.line, draft.id, A.KEY_LABELS[key], example))
    freq = None
    if "frequency" in raw and raw["frequency"][0]:
        value, line = raw["frequency"]
        freq = A.parse_frequency(value, events, holidays=holidays, effective=fields.get("effective"))
        if freq is None:
            found.append(P.unknown_frequency(path, line, value, sorted(events), tuple(holidays)))
    numbers = {}
    for key, example in (("points", "分值: 5"),):
        if key in raw:
            value, line = raw[key]
            numbers[key] = A.parse_number(value)
            if numbers[key] is None:
                found.append(P.bad_number(path, line, A.KEY_LABELS[key], value, example))
    fine, fine_rule, sanctions, reading = None, None, (), None
    if "fine" in raw:
        value, line = raw["fine"]
        try:
            fine_rule = A.parse_fine_rule(value)
            fine = fine_rule.tiers[0].amount
        except A.FineRuleError as exc:
            found.append(P.bad_fine(path, line, value, exc.reason))
    if "sanctions" in raw:
        value, line = raw["sanctions"]
        sanctions, unknown = A.parse_sanctions(value)
        if unknown or not sanctions:
            found.append(P.bad_sanction(path, line, unknown[0] if unknown else value, A.SANCTION_WORDS))
    if "reading" in raw:
        value, line = raw["reading"]
        reading = A.parse_reading(value)
        if reading is None:
            found.append(P.bad_reading(path, line, value))
    rectify_days = None
    if "rectify" in raw:
        value, line = raw["rectify"]
        rectify_days = A.parse_rectify(value)
        if rectify_days is None:
            found.append(P.bad_rectify(path, line, value))
    photo = None
    if "photo" in raw:
        value, line = raw["photo"]
        photo = A.parse_photo(value)
        if photo is None:
            found.append(P.bad_photo(path, line, value))
    if freq is None or not draft.text or "roles" not in raw:
        return None, found
    checkers = A.split_values(raw["checkers"][0]) if "checkers" in raw else (fields.get("owner", ""),)
    item = CheckItem(
        id=draft.id,
        text=draft.text,
        frequency=freq,
        roles=A.split_values(raw["roles"][0]),
        checkers=tuple(c for c in checkers if c),
        area=raw["area"][0] if "area" in raw and raw["area"][0] else None,
        points=numbers.get("points"),
        deduction=A.parse_deduction(raw["deduction"][0]) if "deduction" in raw else None,
        fine=fine,
        source=Location(path, draft.line),
        hash=content_hash(draft.text + repr(sorted((k, v[0]) for k, v in raw.items()))),
        policy_id=fields.get("id", ""),
        clause_id=clause_id,
        fine_rule=fine_rule,
        sanctions=sanctions,
        reading=reading,
        rectify_days=rectify_days,
        photo=photo,
    )
    return item, found
