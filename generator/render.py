"""HTML fragments for the site: a check item card and a policy's information box."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from html import escape

from markdown.util import AtomicString

from . import attributes as A
from .checkblock import CheckDraft
from .model import FineRule, Policy

_MARKDOWN_SYNTAX = frozenset("\\`*_[]{}#!")


def escape_markdown(text: str) -> str:
    """Plain text for a line of generated Markdown: shown as typed, never read as HTML or syntax.

    ``&``, ``<`` and ``>`` become entities (Python-Markdown cannot backslash-escape ``<``);
    emphasis, links, images, headings and ``{: …}`` attribute lists are backslash-escaped.
    """
    return "".join("\\" + ch if ch in _MARKDOWN_SYNTAX else ch for ch in escape(text, quote=False))


def fmt_number(value: float) -> str:
    """2.0 → "2", 2.5 → "2.5"."""
    return str(int(value)) if float(value).is_integer() else str(value)


def badge_element(parent: etree.Element, kind: str, label: str, value: str) -> etree.Element:
    """Append one badge: ``kind`` picks the colour, ``label`` is read by screen readers and search."""
    span = etree.SubElement(parent, "span", {"class": f"hb-badge hb-badge--{kind}"})
    inner = etree.SubElement(span, "span", {"class": "hb-badge__label"})
    inner.text = AtomicString(label)
    inner.tail = AtomicString(value)
    span.tail = AtomicString(" ")  # plain str would go through every inline pattern
    return span


def badge(kind: str, label: str, value: str) -> str:
    """One badge as an HTML string, for generated Markdown pages."""
    holder = etree.Element("div")
    badge_element(holder, kind, label, value)
    return etree.tostring(holder[0], encoding="unicode").strip()


def check_badges(draft: CheckDraft) -> list[tuple[str, str, str]]:
    """The badges of a check block as (kind, label, value), in reading order."""
    raw = {key: value for key, (value, _line) in draft.raw.items()}
    badges = []
    if raw.get("frequency"):
        freq = A.parse_frequency(raw["frequency"])
        text = freq.label if freq else A.INFERRED_RE.sub("", raw["frequency"]).strip()
        if A.INFERRED_RE.search(raw["frequency"]):
            text += "（推断）"
        badges.append(("freq", "频率：", text))
    if raw.get("roles"):
        badges.append(("role", "对象：", "、".join(A.split_values(raw["roles"]))))
    if raw.get("checkers"):
        badges.append(("checker", "检查人：", "、".join(A.split_values(raw["checkers"]))))
    if raw.get("area"):
        badges.append(("area", "区域：", raw["area"]))
    if raw.get("points"):
        badges.append(("points", "分值：", raw["points"]))
    if raw.get("deduction"):
        badges.append(("points", "扣分：", raw["deduction"]))
    if raw.get("fine"):
        badges.append(("fine", "罚款：", _fine_text(raw["fine"])))
    if raw.get("sanctions"):
        known, _ = A.parse_sanctions(raw["sanctions"])
        badges.append(("fine", "处分：", "、".join(known) or raw["sanctions"]))
    if raw.get("reading"):
        reading = A.parse_reading(raw["reading"])
        shown = f"{reading.name} {reading.limit} {reading.unit}".strip() if reading else raw["reading"]
        badges.append(("points", "读数：", shown))
    if raw.get("rectify"):
        days = A.parse_rectify(raw["rectify"])
        badges.append(("checker", "整改期限：", rectify_text(days) if days is not None else raw["rectify"]))
    if raw.get("photo"):
        photo = A.parse_photo(raw["photo"])
        badges.append(("checker", "照片：", A.PHOTO_LABELS[photo] if photo else raw["photo"]))
    return badges


def rectify_text(days: int) -> str:
    """当天 / 次日 / 3天内."""
    return {0: "当天", 1: "次日"}.get(days, f"{days}天内")


def _fine_text(value: str) -> str:
    """The badge text of a ``罚款`` value; the value as written when it does not parse."""
    try:
        return fine_rule_text(A.parse_fine_rule(value))
    except A.FineRuleError:
        return value


def fine_rule_text(rule: FineRule) -> str:
    """50 元; 5 元/处 per spot; 100–300 元 within a range; an escalating fine as its owner wrote it."""
    if len(rule.tiers) > 1:
        return rule.text
    tier = rule.tiers[0]
    if tier.amount is None:
        return "、".join(tier.sanctions) or rule.text
    amount = fmt_number(tier.amount) + (f"–{fmt_number(tier.up_to)}" if tier.up_to else "")
    unit = "" if rule.unit == "次" else f"/{rule.unit}"
    return f"{amount} 元{unit}"


def check_element(parent: etree.Element, draft: CheckDraft) -> etree.Element:
    """Append the card for one check item: a 检查项 label, the rule, its badges and a permalink.

    Built as elements (not an HTML string) so the id is a real anchor that MkDocs'
    link validation and the table of contents can see. The id itself is for owners (it is in the
    Markdown they edit and on the check overview page): readers see only the link, the id is its
    tooltip. Nothing on the card looks like a checkbox: it is a rule to read, not a control.
    """
    card = etree.SubElement(parent, "div", {"class": "hb-check", "id": draft.id, "data-check-id": draft.id})
    text = etree.SubElement(card, "p", {"class": "hb-check__text"})
    kind = etree.SubElement(text, "span", {"class": "hb-check__kind"})
    kind.text = AtomicString("检查项")
    kind.tail = AtomicString(draft.text)
    badges = etree.SubElement(card, "p", {"class": "hb-check__badges"})
    for item in check_badges(draft):
        badge_element(badges, *item)
    link = etree.SubElement(
        card,
        "a",
        {
            "class": "hb-check__link",
            "href": f"#{draft.id}",
            "title": f"检查项编号 {draft.id}",
            "aria-label": "本检查项的链接",
        },
    )
    link.text = AtomicString("¶")
    return card


def policy_meta_html(policy: Policy) -> str:
    """The box under a policy's title: owner, version, effective and review dates, scope."""
    rows = [
        ("负责岗位", policy.owner),
        ("版本", policy.version),
        ("生效日期", policy.effective.isoformat()),
        ("下次复审", policy.review.isoformat()),
        ("适用岗位", "、".join(policy.applies_to)),
        ("检查项", f"{len(policy.checks)} 项"),
    ]
    # The hidden separators keep search-result summaries readable ("负责岗位：客服主管；版本：2.0").
    cells = "".join(
        f'<div class="hb-meta__row"><dt>{escape(k)}<span class="hb-sep">：</span></dt>'
        f'<dd>{escape(v)}<span class="hb-sep">；</span></dd></div>'
        for k, v in rows
    )
    return f'<dl class="hb-meta" data-policy-id="{escape(policy.id)}">{cells}</dl>'
