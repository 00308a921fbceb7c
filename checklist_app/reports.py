"""Report pages: the dashboard, score-sheet rankings and the penalty ledger, with CSV/Excel exports."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request

from . import inputs
from .auth import login_required, requires
from .downloads import attachment
from .extensions import current_handbook, storage, today
from .generation import iso_week, week_start
from .reporting import charts, facts, trends
from .reporting.exports import ledger_tables, ranking_table
from .reporting.ledger import month_bounds, month_ledger
from .reporting.rankings import daily_ranking, weekly_ranking
from .reporting.readings import reading_chart, reading_series, readings_table
from .reporting.tables import to_csv, to_xlsx
from .strings import t

bp = Blueprint("reports", __name__, url_prefix="/reports")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEKS = 12
MONTHS = 12
READING_DAYS = 30  # the dashboard charts each check's readings over this many days


def digests(start: dt.date, end: dt.date) -> list[dict]:
    """The report facts of every completed checklist from ``start`` to ``end``."""
    return storage().completions.digests(start, end, facts.digest, facts.VERSION)


def _day() -> dt.date:
    return inputs.optional_day(request.args.get("date"), today())


def _month() -> str:
    raw = request.args.get("month")
    return inputs.month(raw) if raw else today().strftime("%Y-%m")


def _policy(handbook):
    policies = handbook.scored_policies
    wanted = request.args.get("policy")
    if not wanted:
        # Department score sheets are what the rankings are for; show one of those first.
        by_department = [p for p in policies if p.scoring.per == "department"]
        return (by_department or policies or [None])[0]
    policy = handbook.policy(wanted)
    if policy is None or policy.scoring is None:
        abort(404, t("reports.unknown_policy"))
    return policy


@bp.get("/")
@login_required
def dashboard():
    """Charts: compliance per department by week, most-failed checks this month, fines per month."""
    handbook = current_handbook()
    day = _day()
    weeks = trends.last_weeks(day, WEEKS)
    months = trends.last_months(day, MONTHS)
    start = min(dt.date.fromisoformat(months[0] + "-01"), week_start(weeks[0]))
    found = digests(start, day)
    this_month = [d for d in found if d["day"][:7] == months[-1]]
    first_monday = week_start(weeks[0]).isoformat()
    series = trends.compliance_by_department(handbook, [d for d in found if d["day"] >= first_monday], weeks)
    labels = [trends.week_label(w) for w in weeks]
    failed = trends.most_failed(handbook, this_month)
    fines = trends.fines_by_month(found, months)
    week = iso_week(day)
    week_digests = [d for d in found if week_start(week).isoformat() <= d["day"]]
    reading_days = [day - dt.timedelta(days=n) for n in range(READING_DAYS - 1, -1, -1)]
    recent = [d for d in found if d["day"] >= reading_days[0].isoformat() and d.get("readings")]
    return render_template(
        "reports/dashboard.html",
        readings=[(s, reading_chart(s, reading_days)) for s in reading_series(handbook, recent)],
        reading_days=READING_DAYS,
        day=day,
        backfilled=sum(1 for d in found if d.get("backfill")),
        weeks=WEEKS,
        compliance=charts.line_chart(labels, charts.lowest(series, charts.PALETTE_SIZE)),
        sparklines=[(name, charts.sparkline(values)) for name, values in series],
        week_labels=labels,
        failed=charts.hbar_chart([f.text for f in failed], [f.times for f in failed], unit="次"),
        failed_checks=failed,
        fines=charts.column_chart([f"{int(m[5:])}月" for m in months], fines, unit="元"),
        rankings=[
            weekly_ranking(handbook, p, week_digests, week)
            for p in sorted(handbook.scored_policies, key=lambda p: p.scoring.per != "department")
        ],
    )


def _rankings(handbook, policy, day):
    week = iso_week(day)
    found = digests(week_start(week), week_start(week) + dt.timedelta(days=6))
    return daily_ranking(handbook, policy, found, day), weekly_ranking(handbook, policy, found, week)


@bp.get("/rankings")
@login_required
def rankings():
    """The day's ranking and the week's average ranking of one score sheet."""
    handbook = current_handbook()
    policy = _policy(handbook)
    day = _day()
    if policy is None:
        return render_template("reports/rankings.html", policy=None, policies=(), day=day)
    daily, weekly = _rankings(handbook, policy, day)
    return render_template(
        "reports/rankings.html",
        policy=policy,
        policies=handbook.scored_policies,
        day=day,
        daily=daily,
        weekly=weekly,
    )


@bp.get("/rankings.<fmt>")
@login_required
def rankings_export(fmt: str):
    """The rankings as CSV (``period=daily`` or ``weekly``) or as one Excel workbook with both."""
    handbook = current_handbook()
    policy = _policy(handbook)
    if policy is None or fmt not in ("csv", "xlsx"):
        abort(404)
    day = _day()
    daily, weekly = _rankings(handbook, policy, day)
    if fmt == "xlsx":
        data = to_xlsx([ranking_table(daily), ranking_table(weekly)])
        return attachment(data, XLSX, f"排名-{policy.title}-{day.isoformat()}.xlsx")
    chosen = daily if request.args.get("period") == "daily" else weekly
    return attachment(to_csv(ranking_table(chosen)), CSV, f"排名-{policy.title}-{chosen.period}.csv")


def _ledger(handbook, month: str):
    start, end = month_bounds(month)
    directory = {p["id"]: p for p in storage().people.all()}  # count by person, not by spelling
    year = digests(start.replace(month=1, day=1), end)
    return month_ledger(handbook, month, year, directory, storage().people.links())


@bp.get("/ledger")
@requires("ledger.view")
def ledger():
    """The month's fines: every line with its clause and checklist, totals, and the policy's flags."""
    handbook = current_handbook()
    month = _month()
    return render_template("reports/ledger.html", ledger=_ledger(handbook, month), month=month)


@bp.get("/ledger.<fmt>")
@requires("ledger.view")
def ledger_export(fmt: str):
    """The month's ledger as CSV (the lines) or Excel (lines, per person, per department)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    month = _month()
    tables = ledger_tables(_ledger(current_handbook(), month))
    if fmt == "xlsx":
        return attachment(to_xlsx(tables), XLSX, f"罚款台账-{month}.xlsx")
    return attachment(to_csv(tables[0]), CSV, f"罚款台账-{month}.csv")


@bp.get("/readings.<fmt>")
@login_required
def readings_export(fmt: str):
    """Every reading of the last READING_DAYS days up to ``date``, as CSV or Excel."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    end = _day()
    start = end - dt.timedelta(days=READING_DAYS - 1)
    table = readings_table(reading_series(current_handbook(), digests(start, end)), start, end)
    name = f"读数-{start.isoformat()}-{end.isoformat()}"
    if fmt == "xlsx":
        return attachment(to_xlsx([table]), XLSX, name + ".xlsx")
    return attachment(to_csv(table), CSV, name + ".csv")
