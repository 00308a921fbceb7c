"""What the robots say: short Chinese Markdown messages with links back to the app.

Each function returns ``(title, lines)``; notify.platforms turns them into each
platform's format. Links start with ``PUBLIC_BASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

from generator.render import fmt_number

from ..reporting.ledger import PersonTotal
from ..reporting.rankings import Ranking
from ..strings import t

WEEKDAYS = "一二三四五六日"


def link(base: str, path: str, **query) -> str:
    """An absolute link into the app: ``base`` + ``path`` + the query."""
    url = base.rstrip("/") + path
    return url + ("?" + urllib.parse.urlencode(query) if query else "")


def day_label(day: dt.date) -> str:
    """``11月23日（周一）``."""
    return t("notify.msg.day", month=day.month, day=day.day, weekday=WEEKDAYS[day.weekday()])


def _ranking_lines(ranking: Ranking, with_money: bool) -> list[str]:
    lines = []
    for row in ranking.ranked:
        line = t("notify.msg.rank", rank=row.rank, target=row.target, score=fmt_number(row.score))
        if ranking.kind == "weekly":
            line += t("notify.msg.days", n=row.days)
        if with_money and row.reward:
            line += t("notify.msg.reward", amount=fmt_number(row.reward))
        if with_money and row.fine:
            line += t("notify.msg.worst_fine", amount=fmt_number(row.fine))
        lines.append(line)
    missing = [r.target for r in ranking.rows if r.score is None]
    if not ranking.ranked:
        lines.append(t("notify.msg.no_scores"))
    if missing:
        lines.append(t("notify.msg.not_inspected", names="、".join(missing)))
    return lines


def daily(rankings: list[tuple[Ranking, Ranking]], day: dt.date, base: str) -> tuple[str, list[str]]:
    """The 18:00 message: each score sheet's ranking of the day and of the week so far."""
    lines: list[str] = []
    for today, week in rankings:
        lines.append(t("notify.msg.sheet", title=today.title))
        lines += _ranking_lines(today, False)
        lines.append(t("notify.msg.week_to_date"))
        lines += _ranking_lines(week, False)
        url = link(base, "/reports/rankings", policy=today.policy_id, date=day.isoformat())
        lines.append(t("notify.msg.open_rankings", url=url))
    return t("notify.msg.daily.title", day=day_label(day)), lines


def actions_due(waiting: list, day: dt.date, base: str) -> tuple[str, list[str]]:
    """The daily 整改 reminder: corrective actions due today, then overdue ones, oldest first."""
    due = [a for a in waiting if a.due_on == day]
    late = sorted((a for a in waiting if a.due_on < day), key=lambda a: a.due_on)
    lines: list[str] = []
    for heading, group in (("notify.msg.actions.due", due), ("notify.msg.actions.late", late)):
        if not group:
            continue
        lines.append(t(heading, n=len(group)))
        for a in group[:10]:
            where = a.department or a.target["name"]
            days = (day - a.due_on).days
            late_by = t("notify.msg.actions.late_by", n=days) if days > 0 else ""
            lines.append(
                t("notify.msg.actions.line", text=a.text[:40], where=where, owner=a.owner_role, late=late_by)
            )
        if len(group) > 10:
            lines.append(t("notify.msg.actions.more", n=len(group) - 10))
    lines.append(t("notify.msg.actions.open", url=link(base, "/actions", view="overdue" if late else "mine")))
    return t("notify.msg.actions.title", day=day_label(day)), lines


def weekly(rankings: list[Ranking], day: dt.date, base: str) -> tuple[str, list[str]]:
    """Saturday's message: each sheet's average ranking of the week, with the reward and the fine."""
    lines: list[str] = []
    for week in rankings:
        lines.append(t("notify.msg.sheet", title=week.title))
        lines += _ranking_lines(week, True)
        url = link(base, "/reports/rankings", policy=week.policy_id, date=day.isoformat())
        lines.append(t("notify.msg.open_rankings", url=url))
    week_label = t(
        "notify.msg.week", start=day_label(rankings[0].start) if rankings else "", end=day_label(day)
    )
    return t("notify.msg.weekly.title", week=week_label), lines


def fine(digest: dict, department: str | None, base: str) -> tuple[str, list[str]]:
    """A checklist with failures that carry a fine: what failed, who, how much."""
    target = digest["target"][1]
    lines = [t("notify.msg.fine.meta", day=digest["day"], inspector=digest["inspector"])]
    for p in digest["penalties"]:
        if not p.get("amount"):
            continue
        lines.append(
            t(
                "notify.msg.fine.line",
                text=p["text"],
                person=p.get("responsible") or t("notify.msg.nobody"),
                amount=fmt_number(p["amount"]),
            )
        )
    lines.append(t("notify.msg.open_record", url=link(base, f"/history/{digest['id']}")))
    where = f"{department} · {target}" if department and department != target else target
    return t("notify.msg.fine.title", target=where), lines


def repeat(person: PersonTotal, limit: int, year: int, month: str, base: str) -> tuple[str, list[str]]:
    """A person reached the policy's repeat limit of violations this year."""
    line = t(
        "notify.msg.repeat.line",
        person=person.person,
        department=person.department or t("notify.msg.no_department"),
        year=year,
        n=person.year_violations,
        limit=limit,
    )
    url = link(base, "/reports/ledger", month=month)
    return t("notify.msg.repeat.title", person=person.person), [line, t("notify.msg.open_ledger", url=url)]


def test(robot_name: str, base: str) -> tuple[str, list[str]]:
    """The message 发送测试消息 sends."""
    return t("notify.msg.test.title"), [t("notify.msg.test.line", name=robot_name), link(base, "/")]
