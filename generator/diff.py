"""What a new version changes: per clause a character-level diff, per target the checklist items.

Chinese has no spaces, so a word or line diff marks a whole sentence as changed when one number
changed. The clause diff compares characters (``difflib.SequenceMatcher`` without its "junk"
heuristic, which would ignore frequent characters such as 的 and ，), then folds an unchanged run
of one or two characters between two changes into the change (``50秒内回复`` → ``3分钟内答复``
reads as one replacement, not as 内 kept between two edits). Insertions and deletions are marked,
never whole lines.

``python -m generator diff`` prints it against a release; 管理 → 发布 shows it as HTML.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from .attributes import PHOTO_LABELS
from .model import CheckItem, Handbook, Policy
from .reference import ALL_STAFF
from .render import fmt_number
from .scope import covers

SHORT_EQUAL = 1  # an unchanged run this short between two changes is folded into them
# Numbers and Latin words are compared whole (50 → 45, not 5 → 4 with 0 kept); everything else,
# each Han character and punctuation mark, on its own.
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[A-Za-z]+|\s+|.", re.S)


@dataclass(frozen=True)
class Segment:
    """A run of text: ``same``, ``ins`` (only in the new text) or ``del`` (only in the old)."""

    kind: str
    text: str


def char_diff(old: str, new: str) -> list[Segment]:
    """The character-level diff of ``old`` → ``new``, tidied for reading (see the module)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(Segment("ins", "".join(b[j1:j2])))
    return _merge(_fold(raw))


def _fold(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for index, seg in enumerate(segments):
        inner = 0 < index < len(segments) - 1
        if seg.kind == "same" and inner and len(seg.text.strip()) <= SHORT_EQUAL and "\n" not in seg.text:
            before, after = segments[index - 1], segments[index + 1]
            if before.kind != "same" and after.kind != "same":
                out += [Segment("del", seg.text), Segment("ins", seg.text)]
                continue
        out.append(seg)
    return out


def _merge(segments: list[Segment]) -> list[Segment]:
    """Adjacent runs of one kind joined, and within a change all deletions before insertions."""
    out: list[Segment] = []
    change: dict[str, str] = {"del": "", "ins": ""}
    for seg in [*segments, Segment("same", "")]:
        if seg.kind == "same":
            out += [Segment(k, change[k]) for k in ("del", "ins") if change[k]]
            change = {"del": "", "ins": ""}
            if seg.text:
                if out and out[-1].kind == "same":
                    out[-1] = Segment("same", out[-1].text + seg.text)
                else:
                    out.append(seg)
        else:
            change[seg.kind] += seg.text
    return out


def as_text(segments: list[Segment]) -> str:
    """Plain text with ``[-删去-]{+加上+}`` marks (the command line)."""
    marks = {"same": "{}", "del": "[-{}-]", "ins": "{{+{}+}}"}
    return "".join(marks[s.kind].format(s.text) for s in segments)


def as_html(segments: list[Segment]) -> str:
    """Escaped HTML with ``<del>`` and ``<ins>`` (the pages)."""
    tags = {"del": "del", "ins": "ins"}
    return "".join(
        escape(s.text) if s.kind == "same" else f"<{tags[s.kind]}>{escape(s.text)}</{tags[s.kind]}>"
        for s in segments
    )


# --- clauses -------------------------------------------------------------------------------------


_HEADING = re.compile(r"^#{2,3}\s.*$")
_CHECK_OPEN = re.compile(r"^///\s*检查\s*\|.*$")
_BLOCK_CLOSE = re.compile(r"^///\s*$")


def readable(text: str) -> str:
    """A clause's source as staff read it: its heading line dropped (the title is shown above),
    a check block's opening line as 【检查项】 and its closing ``///`` removed."""
    lines = []
    for line in text.splitlines():
        if _HEADING.match(line):
            continue
        if _CHECK_OPEN.match(line):
            lines.append("【检查项】")
        elif not _BLOCK_CLOSE.match(line):
            lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clause_texts(root: Path, policy: Policy) -> dict[str, str]:
    """Each clause's text as staff read it (:func:`readable`), from the policy's file."""
    try:
        lines = (Path(root) / policy.rel_path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    starts = sorted((c.source.line, c.id) for c in policy.clauses)
    texts = {}
    for index, (line, clause_id) in enumerate(starts):
        end = starts[index + 1][0] - 1 if index + 1 < len(starts) else len(lines)
        texts[clause_id] = readable("\n".join(lines[line - 1 : end]))
    return texts


@dataclass(frozen=True)
class ClauseChange:
    policy_id: str
    policy_title: str
    clause_id: str
    title: str
    kind: str  # added, removed, changed
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return as_text(list(self.segments))

    @property
    def html(self) -> str:
        return as_html(list(self.segments))


def clause_changes(
    old: Handbook | None, old_root: Path | None, new: Handbook, new_root: Path
) -> list[ClauseChange]:
    """Every clause added, removed or reworded from ``old`` (a release) to ``new`` (the draft)."""
    found: list[ClauseChange] = []
    before = {p.id: p for p in old.policies} if old else {}
    after = {p.id: p for p in new.policies}
    for policy_id in [*after, *(k for k in before if k not in after)]:
        was, now = before.get(policy_id), after.get(policy_id)
        old_texts = clause_texts(old_root, was) if was is not None and old_root is not None else {}
        new_texts = clause_texts(new_root, now) if now is not None else {}
        old_clauses = {c.id: c for c in was.clauses} if was else {}
        new_clauses = {c.id: c for c in now.clauses} if now else {}
        title = (now or was).title
        order = [*new_clauses, *(k for k in old_clauses if k not in new_clauses)]
        for clause_id in order:
            a, b = old_clauses.get(clause_id), new_clauses.get(clause_id)
            if a is not None and b is not None and a.hash == b.hash:
                continue
            old_text, new_text = old_texts.get(clause_id, ""), new_texts.get(clause_id, "")
            kind = "added" if a is None else "removed" if b is None else "changed"
            found.append(
                ClauseChange(
                    policy_id, title, clause_id, (b or a).title, kind, tuple(char_diff(old_text, new_text))
                )
            )
    return found


# --- checklist items per target --------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    check_id: str
    kind: str  # appears, disappears, changes
    text: str
    fields: tuple[tuple[str, str, str], ...] = ()  # (field label, before, after)
    since: str = ""  # the new version's effective day, when it is later than today

    @property
    def reworded(self) -> tuple[Segment, ...]:
        """The character diff of the item's wording, when it changed."""
        for label, before, after in self.fields:
            if label == "内容":
                return tuple(char_diff(before, after))
        return ()

    @property
    def html(self) -> str:
        return as_html(list(self.reworded)) if self.reworded else escape(self.text)


@dataclass(frozen=True)
class TargetChanges:
    target: str  # 岗位 售前客服 / 区域 仓库
    items: tuple[ItemChange, ...] = field(default_factory=tuple)

    def count(self, kind: str) -> int:
        return sum(1 for i in self.items if i.kind == kind)


def _fine(check: CheckItem) -> str:
    return f"{fmt_number(check.fine)}元" if check.fine is not None else "—"


def _points(check: CheckItem) -> str:
    return fmt_number(check.points) if check.points is not None else "—"


def _deduction(check: CheckItem) -> str:
    return check.deduction.rule if check.deduction is not None else "—"


_FIELDS = (
    ("内容", lambda k: k.text),
    ("频率", lambda k: k.frequency.label),
    ("罚款", _fine),
    ("分值", _points),
    ("扣分", _deduction),
    ("检查人", lambda k: "、".join(k.checkers) or "—"),
    ("照片", lambda k: PHOTO_LABELS.get(k.photo or "", "—")),
)


def _targets(model: Handbook) -> dict[str, list[CheckItem]]:
    found: dict[str, list[CheckItem]] = {}
    checks = model.checks
    for role in model.reference.roles:
        if role.name == ALL_STAFF:
            continue
        department = model.department(role.department) if role.department else None
        found[f"岗位 {role.name}"] = [k for k in checks if covers(k, role.name, department)]
    for area in model.reference.areas:
        found[f"区域 {area}"] = [k for k in checks if k.area == area]
    return found


def item_changes(old: Handbook | None, new: Handbook, today: dt.date | None = None) -> list[TargetChanges]:
    """Per target (role, area), which checklist items appear, disappear or change, in target order.

    With ``today``, a change whose policy takes effect later says from which day (``since``).
    """
    before = _targets(old) if old else {}
    after = _targets(new)
    effective = {p.id: p.effective for p in new.policies}

    def since(check: CheckItem) -> str:
        day = effective.get(check.policy_id)
        return day.isoformat() if day and today and day > today else ""

    result = []
    for target in [*after, *(t for t in before if t not in after)]:
        was = {k.id: k for k in before.get(target, ())}
        now = {k.id: k for k in after.get(target, ())}
        items = []
        for check_id, check in now.items():
            old_check = was.get(check_id)
            if old_check is None:
                items.append(ItemChange(check_id, "appears", check.text, since=since(check)))
                continue
            diffs = tuple(
                (label, get(old_check), get(check)) for label, get in _FIELDS if get(old_check) != get(check)
            )
            if diffs:
                items.append(ItemChange(check_id, "changes", check.text, diffs, since(check)))
        items += [ItemChange(k, "disappears", c.text, since=since(c)) for k, c in was.items() if k not in now]
        if items:
            result.append(TargetChanges(target, tuple(items)))
    return result


KIND_LABELS = {
    "added": "新增",
    "removed": "删除",
    "changed": "修改",
    "appears": "新增",
    "disappears": "取消",
    "changes": "改动",
}


def report(clauses: list[ClauseChange], targets: list[TargetChanges]) -> str:
    """The command line's text: clauses with marked insertions and deletions, then targets."""
    lines = []
    for c in clauses:
        lines.append(f"## {c.policy_title} · {c.title}（{KIND_LABELS[c.kind]}，#{c.clause_id}）")
        lines.append(c.text)
        lines.append("")
    for target in targets:
        counts = "，".join(
            f"{KIND_LABELS[k]} {target.count(k)} 项"
            for k in ("appears", "disappears", "changes")
            if target.count(k)
        )
        lines.append(f"# {target.target}：{counts}")
        for item in target.items:
            detail = "；".join(f"{label} {a} → {b}" for label, a, b in item.fields if label != "内容")
            reworded = any(label == "内容" for label, _, _ in item.fields)
            since = f"自 {item.since} 起" if item.since else ""
            note = "，".join(x for x in ("措辞改动" if reworded else "", detail, since) if x)
            lines.append(
                f"  {KIND_LABELS[item.kind]} {item.check_id} {item.text}" + (f"（{note}）" if note else "")
            )
        lines.append("")
    if not clauses and not targets:
        lines.append("没有改动。")
    return "\n".join(lines).rstrip() + "\n"
