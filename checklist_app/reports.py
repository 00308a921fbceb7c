"""Report pages: the dashboard, score-sheet rankings and the penalty ledger, with CSV/Excel exports."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import actions, fine_decisions, inputs
from .auth import login_required, requires
from .clock import shown
from .downloads import attachment
from .extensions import clock, current_handbook, storage, today
from .generation import iso_week, week_start
from .paging import Paging, page_of
from .permissions import can
from .reporting import charts, noticeboard, pdf, trends
from .reporting import missed as missed_report
from .reporting.exports import ledger_tables, ranking_table
from .reporting.ledger import month_bounds, month_ledger
from .reporting.rankings import daily_ranking_of, weekly_ranking_of, with_missed
from .reporting.readings import reading_chart, reading_series, readings_table
from .reporting.tables import to_csv, to_xlsx
from .strings import t

bp = Blueprint("reports", __name__, url_prefix="/reports")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEKS = 12
MONTHS = 12
READING_DAYS = 30  # the dashboard charts each check's readings over this many days
MISSED_DAYS = 7  # the 未完成 page and the dashboard card default to the last week
LEDGER_PAGE = 100  # ledger lines per page (the totals and flags always cover the whole month)


def digests(start: dt.date, end: dt.date) -> list[dict]:
    """The report facts of every completed checklist from ``start`` to ``end``."""
    return storage().completions.facts("report", start, end)


def _day() -> dt.date:
    return inputs.optional_day(request.args.get("date"), today())


def _month(raw=None) -> str:
    raw = request.args.get("month") if raw is None else raw
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
    store = storage().completions  # sums computed by the store (SQL on PostgreSQL)
    series = trends.compliance_of(handbook, store.day_summaries(week_start(weeks[0]), day), weeks)
    labels = [trends.week_label(w) for w in weeks]
    failed = trends.most_failed_of(
        handbook, store.failed_checks(dt.date.fromisoformat(months[-1] + "-01"), day)
    )
    fines = trends.fines_by_month([], months, store.penalty_tallies(start, day))
    week = iso_week(day)
    policies = sorted(handbook.scored_policies, key=lambda p: p.scoring.per != "department")
    scored = store.score_days([p.id for p in policies], week_start(week), day)
    reading_days = [day - dt.timedelta(days=n) for n in range(READING_DAYS - 1, -1, -1)]
    recent = store.reading_facts(reading_days[0], day)
    return render_template(
        "reports/dashboard.html",
        readings=[(s, reading_chart(s, reading_days)) for s in reading_series(handbook, recent)],
        reading_days=READING_DAYS,
        day=day,
        backfilled=store.backfilled(start, day),
        weeks=WEEKS,
        compliance=charts.line_chart(labels, charts.lowest(series, charts.PALETTE_SIZE)),
        sparklines=[(name, charts.sparkline(values)) for name, values in series],
        week_labels=labels,
        failed=charts.hbar_chart([f.text for f in failed], [f.times for f in failed], unit="次"),
        failed_checks=failed,
        fines=charts.column_chart([f"{int(m[5:])}月" for m in months], fines, unit="元"),
        rankings=[weekly_ranking_of(handbook, p, scored, week) for p in policies],
        missed_card=_missed_card(handbook, day),
        actions_card=actions.summary(storage(), today()),
    )


def _missed_card(handbook, day: dt.date) -> dict | None:
    """The dashboard's 未完成 card: missed and late checklists of the last MISSED_DAYS days (managers)."""
    if not can(g.user, "missed.view"):
        return None
    start = day - dt.timedelta(days=MISSED_DAYS - 1)
    found = missed_slots(handbook, start, day)
    worst = Counter(s.department for s in found if s.status == missed_report.MISSED and s.department)
    return {
        "start": start,
        "end": day,
        "days": MISSED_DAYS,
        "worst": worst.most_common(3),
        **missed_report.counts(found),
    }


def _rankings(handbook, policy, day):
    week = iso_week(day)
    found = storage().completions.score_days(
        [policy.id], week_start(week), week_start(week) + dt.timedelta(days=6)
    )
    return daily_ranking_of(handbook, policy, found, day), weekly_ranking_of(handbook, policy, found, week)


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
    # 未完成: days each target's sheet was due and not done (only closed days count).
    found = missed_slots(handbook, weekly.start, min(weekly.end, today()), ("daily",))
    daily = with_missed(
        daily, missed_report.missed_days([s for s in found if s.period == daily.period], policy.id)
    )
    weekly = with_missed(weekly, missed_report.missed_days(found, policy.id))
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
    links = storage().people.links()
    store = storage().completions
    # The month's lines, and the year before it summed by the store (linked lines apart): its tiers and flags.
    lines = store.penalty_lines(start, end)
    earlier = store.penalty_tallies(start.replace(month=1, day=1), start - dt.timedelta(days=1), links)
    return month_ledger(handbook, month, lines, directory, links, storage().decisions.all(), earlier)


@bp.get("/ledger")
@requires("ledger.view")
def ledger():
    """The month's fines: every line with its clause and checklist, totals, and the policy's flags."""
    handbook = current_handbook()
    month = _month()
    ledger = _ledger(handbook, month)
    paging = Paging(inputs.page(request.args.get("page")), LEDGER_PAGE, len(ledger.lines))
    return _ledger_page(ledger, month, paging.checked("ledger.page.none"))


def _ledger_page(ledger, month: str, paging: Paging, **extra):
    """The ledger page showing the lines of ``paging`` (LEDGER_PAGE a page)."""
    shown = paging.of(ledger.lines)
    return render_template(
        "reports/ledger.html",
        ledger=ledger,
        month=month,
        paging=paging,
        page_lines=shown,
        action_ids=actions.existing_ids(storage(), [line.ref for line in shown]),
        **extra,
    )


def _page_with(ledger, ref: str) -> Paging:
    """The page of the ledger that shows the line ``ref`` (the first page if there is none)."""
    index = next((n for n, line in enumerate(ledger.lines) if line.ref == ref), 0)
    return Paging(page_of(index, LEDGER_PAGE), LEDGER_PAGE, len(ledger.lines))


@bp.post("/ledger/decide")
@requires("ledger.decide")
def ledger_decide():
    """An owner or admin decides the amount of a 视情节 line within its range."""
    handbook = current_handbook()
    month = _month(request.form.get("month"))
    ref = request.form.get("ref", "")
    ledger = _ledger(handbook, month)
    try:
        fine_decisions.decide(
            storage(), clock(), g.user, ledger, ref, request.form.get("amount"), request.form.get("note")
        )
    except fine_decisions.DecisionError as exc:
        page = _ledger_page(ledger, month, _page_with(ledger, ref), decision_errors=exc.messages)
        return page, exc.status
    flash(t("decision.done"))
    line = next(x for x in ledger.lines if x.ref == ref)
    number = _page_with(ledger, ref).page
    address = url_for("reports.ledger", month=month, page=number if number > 1 else None)
    return redirect(address + "#line-" + line.anchor)


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


# ---------------------------------------------------------------- 未完成 (missed) and the notice board


def missed_slots(handbook, start: dt.date, end: dt.date, kinds=missed_report.KINDS) -> list:
    """Every checklist due from ``start`` to ``end`` with its status (see reporting.missed)."""
    first = start - dt.timedelta(days=start.weekday())  # a weekly record is filed on its Monday
    last = end + dt.timedelta(days=6 - end.weekday())
    records = [g.as_fact() for g in storage().completions.done_groups(first, last)]  # grouped by the store
    grace = dt.timedelta(minutes=int(current_app.config["SUBMIT_GRACE_MINUTES"]))
    return missed_report.slots(handbook, records, start, end, clock(), grace, kinds)


@bp.get("/missed")
@requires("missed.view")
def missed():
    """未完成: the checklists that were due and not completed, by date range, department and kind."""
    handbook = current_handbook()
    end = inputs.optional_day(request.args.get("to"), today(), "结束日期")
    start = inputs.optional_day(
        request.args.get("from"), end - dt.timedelta(days=MISSED_DAYS - 1), "开始日期"
    )
    inputs.date_range(start, end, int(current_app.config["HISTORY_MAX_DAYS"]))
    kind = request.args.get("kind") or ""
    if kind not in ("", *missed_report.KINDS):
        raise inputs.BadInput(t("missed.bad_kind"))
    departments = missed_report.departments(handbook)
    department = inputs.text(request.args.get("department"), "部门", 50)
    if department and department not in departments:
        raise inputs.BadInput(t("missed.bad_department", name=department))
    late = request.args.get("late") == "1"
    found = missed_slots(handbook, start, end, (kind,) if kind else missed_report.KINDS)
    if department:
        found = [s for s in found if s.department == department]
    listed = [
        s for s in found if s.status == missed_report.MISSED or (late and s.status == missed_report.LATE)
    ]
    listed.sort(
        key=lambda s: (s.first_day, s.kind == "daily", s.department or "", s.target.name), reverse=True
    )
    groups: dict[tuple[str, str], list] = {}
    for s in listed:
        groups.setdefault((s.kind, s.period), []).append(s)
    return render_template(
        "reports/missed.html",
        groups=list(groups.items()),
        slots=listed,
        tally=missed_report.counts(found),
        start=start,
        end=end,
        kind=kind,
        department=department,
        departments=departments,
        late=late,
        grace=int(current_app.config["SUBMIT_GRACE_MINUTES"]),
    )


def _notice():
    handbook = current_handbook()
    day = _day()
    return noticeboard.notice(handbook, digests(week_start(iso_week(day)), day), day)


@bp.get("/noticeboard")
@login_required
def notice_board():
    """公示栏: the day's rankings and failures, to print for the wall."""
    return render_template("reports/noticeboard.html", notice=_notice(), rows=noticeboard.ranking_rows)


@bp.get("/noticeboard.pdf")
@login_required
def notice_board_pdf():
    """The notice board as an A4 PDF."""
    board = _notice()
    try:
        font = pdf.find_font(current_app.config.get("PDF_FONT"))
        data = noticeboard.notice_pdf(board, font, lambda: shown(clock(), clock().now()))
    except pdf.FontUnavailable as exc:
        current_app.logger.error("notice board PDF: %s", exc)
        return render_template("errors/error.html", messages=[t("print.font_missing")], status=503), 503
    return attachment(data, "application/pdf", f"公示栏-{board.day.isoformat()}.pdf")
