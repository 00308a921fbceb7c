"""Everyone sees what changed: the site's 变更记录 page, each policy's version history, 新/改 marks.

Each release stores, when it is published, the clauses it changed against the release before it
(with their character diffs) and the checks that are new (:class:`.storage.releases.Release`).
The publish step writes the change log and the policies' version-history boxes from those
records as plain Markdown into the site's docs (like the role pages, any builder renders them),
and the checklists mark an item 新 or 改 for ``MARK_DAYS`` after a release changed its clause,
linking to that clause's entry in the change log.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from html import escape

from generator.diff import KIND_LABELS
from generator.model import Handbook
from generator.render import escape_markdown

from .storage.releases import Release
from .strings import t

PAGE = "变更记录.md"
PAGE_URL = "变更记录/"
MARK_DAYS = 14


def release_anchor(number: int) -> str:
    return f"r{number}"


def entry_anchor(number: int, item_id: str) -> str:
    """The anchor of a policy's or a clause's entry under a release (ids are unique handbook-wide)."""
    return f"r{number}-{item_id}"


def _day(release: Release) -> str:
    return release.at[:10]


def _versions(release: Release, by_number: dict[int, Release]) -> dict[str, tuple[str, str]]:
    before = by_number.get(release.based_on) if release.based_on else None
    old = {p.id: p.version for p in before.policies} if before else {}
    return {p.id: (old.get(p.id, ""), p.version) for p in release.policies}


def page(history: list[Release]) -> str:
    """The 变更记录 page: each release, newest first, each changed policy and clause with its diff."""
    by_number = {r.number: r for r in history}
    out = [
        "---\ntitle: 变更记录\nsearch:\n  exclude: true\n---\n",
        "# 变更记录\n",
        t("changelog.intro") + "\n",
    ]
    for release in sorted(history, key=lambda r: r.number, reverse=True):
        heading = t("changelog.release", number=release.number, day=_day(release))
        out.append(f"## {heading} {{#{release_anchor(release.number)}}}\n")
        who = escape_markdown(release.by_name or release.by)
        out.append(
            t("changelog.by", who=who)
            + (f" · {escape_markdown(release.note)}" if release.note else "")
            + "\n"
        )
        if release.final_from:
            out.append(t("changelog.later", day=release.final_from) + "\n")
        if not release.changes:
            out.append(t("changelog.no_changes") + "\n")
            continue
        versions = _versions(release, by_number)
        seen: list[str] = []
        for change in release.changes:
            if change.policy_id not in seen:
                seen.append(change.policy_id)
                old, new = versions.get(change.policy_id, ("", ""))
                label = t("changelog.version", old=old, new=new) if old and new else (new or old)
                title = escape_markdown(change.policy_title)
                anchor = entry_anchor(release.number, change.policy_id)
                out.append(f"### {title}（{label}） {{#{anchor}}}\n")
            heading = f"{escape_markdown(change.title)}（{KIND_LABELS[change.kind]}）"
            out.append(f"#### {heading} {{#{entry_anchor(release.number, change.clause_id)}}}\n")
            out.append(f'<div class="hb-diff">{inert_html(change.segments)}</div>\n')
    return "\n".join(out)


# The diff shows policy source (check blocks, links, headings): as character references it is text
# to every reader of the page (Markdown, the generator's checks) and one line, so a blank line in a
# clause cannot end the HTML block.
_INERT = str.maketrans(
    {
        "[": "&#91;",
        "]": "&#93;",
        "/": "&#47;",
        "#": "&#35;",
        "{": "&#123;",
        "}": "&#125;",
        "`": "&#96;",
        "*": "&#42;",
        "_": "&#95;",
        "\n": "&#10;",
        "\\": "&#92;",
        "!": "&#33;",
        "|": "&#124;",
    }
)


def inert_html(segments) -> str:
    """A stored diff as one line of HTML whose text nothing will read as Markdown or markup."""
    parts = []
    for kind, text in segments:
        body = escape(text).translate(_INERT)
        parts.append(body if kind == "same" else f"<{kind}>{body}</{kind}>")
    return "".join(parts)


def history_box(policy_id: str, rel_path: str, history: list[Release]) -> str:
    """The 版本历史 box at the end of a policy page: each release that changed it, with a link."""
    by_number = {r.number: r for r in history}
    here = posixpath.dirname(rel_path)
    link = posixpath.relpath(PAGE, here) if here else PAGE
    lines = []
    for release in sorted(history, key=lambda r: r.number, reverse=True):
        if not any(c.policy_id == policy_id for c in release.changes):
            continue
        old, new = _versions(release, by_number).get(policy_id, ("", ""))
        note = f"：{escape_markdown(release.note)}" if release.note else ""
        text = t("changelog.history_line", version=new, day=_day(release), number=release.number)
        lines.append(f"    - [{text}]({link}#{entry_anchor(release.number, policy_id)}){note}")
    if not lines:
        return ""
    return f'\n\n??? info "{t("changelog.history")}"\n\n' + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Mark:
    """新 or 改 on a checklist item, with the change log entry one tap away."""

    kind: str  # new, changed
    label: str
    anchor: str
    day: str


def marks(history: list[Release], current: int, model: Handbook, today: dt.date) -> dict[str, Mark]:
    """check id → its mark, for releases up to ``current`` published in the last ``MARK_DAYS`` days."""
    since = (today - dt.timedelta(days=MARK_DAYS - 1)).isoformat()
    recent = sorted(
        (r for r in history if r.number <= current and since <= _day(r) <= today.isoformat()),
        key=lambda r: r.number,
    )
    found: dict[str, Mark] = {}
    for release in recent:  # a later release's mark replaces an earlier one
        changed = {c.clause_id for c in release.changes if c.kind != "removed"}
        for check in model.checks:
            if check.id in release.new_checks:
                found[check.id] = Mark(
                    "new",
                    t("changelog.mark.new"),
                    entry_anchor(release.number, check.clause_id),
                    _day(release),
                )
            elif check.clause_id in changed:
                found[check.id] = Mark(
                    "changed",
                    t("changelog.mark.changed"),
                    entry_anchor(release.number, check.clause_id),
                    _day(release),
                )
    return found
