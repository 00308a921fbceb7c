"""Rankings and the penalty ledger as tables, with Chinese column names, for CSV and Excel."""

from __future__ import annotations

from generator.render import fmt_number

from ..strings import t
from .ledger import Ledger
from .rankings import Ranking
from .tables import Table


def ranking_table(ranking: Ranking) -> Table:
    """One ranking: rank, target, score, days scored, flags and the reward or fine."""
    rows = tuple(
        (
            row.rank if row.rank is not None else "",
            row.target,
            row.score if row.score is not None else t("rank.not_inspected"),
            row.days,
            t("rank.best") if row.best else (t("rank.worst") if row.worst else ""),
            row.reward,
            row.fine,
        )
        for row in ranking.rows
    )
    columns = tuple(
        t(key)
        for key in (
            "rank.rank",
            "rank.target",
            "rank.score",
            "rank.days",
            "rank.flag",
            "rank.reward",
            "rank.fine",
        )
    )
    title = t("rank.daily_title" if ranking.kind == "daily" else "rank.weekly_title", period=ranking.period)
    return Table(title, columns, rows)


def ledger_tables(ledger: Ledger) -> list[Table]:
    """The month's lines, then totals per person and per department."""
    lines = Table(
        t("ledger.sheet.lines", month=ledger.month),
        tuple(
            t(k)
            for k in (
                "ledger.day",
                "ledger.person",
                "ledger.department",
                "ledger.check",
                "ledger.clause",
                "ledger.version",
                "ledger.fine",
                "ledger.count",
                "ledger.amount",
                "ledger.approval",
                "ledger.tier_column",
                "ledger.sanctions",
                "ledger.up_to",
                "ledger.decided_by",
                "ledger.inspector",
                "ledger.record",
                "backfill.badge",
                "ledger.employee_no",
                "ledger.typed",
            )
        ),
        tuple(
            (
                line.day,
                line.person,
                line.department or "",
                line.text,
                f"{line.policy_title} · {line.clause_title}",
                line.version,
                line.fine,
                line.count,
                line.amount,
                t("ledger.needs_approval", limit=fmt_number(ledger.approval_above))
                if line.needs_approval
                else "",
                line.tier,
                "、".join(line.sanctions),
                line.up_to if line.up_to is not None else "",
                line.decided_by,
                line.inspector,
                line.record_id,
                t("backfill.badge") if line.backfill else "",
                line.employee_no or ("" if line.person_id else t("ledger.unlisted")),
                line.responsible,
            )
            for line in ledger.lines
        ),
    )
    people = Table(
        t("ledger.sheet.people"),
        tuple(
            t(k)
            for k in (
                "ledger.person",
                "ledger.department",
                "ledger.violations",
                "ledger.amount",
                "ledger.year_violations",
                "ledger.repeat",
                "ledger.criticisms",
                "ledger.employee_no",
                "ledger.spellings_column",
            )
        ),
        tuple(
            (
                p.person,
                p.department or "",
                p.violations,
                p.amount,
                p.year_violations,
                t("ledger.repeat_flag", n=ledger.repeat_limit) if p.repeat_flag else "",
                p.year_criticisms,
                p.employee_no or ("" if p.person_id else t("ledger.unlisted")),
                "、".join(p.spellings),
            )
            for p in ledger.people
        ),
    )
    departments = Table(
        t("ledger.sheet.departments"),
        tuple(t(k) for k in ("ledger.department", "ledger.violations", "ledger.amount", "ledger.people")),
        tuple(
            (d.department or t("ledger.no_department"), d.violations, d.amount, d.people)
            for d in ledger.departments
        ),
    )
    return [lines, people, departments]
