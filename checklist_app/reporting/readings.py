"""Measured readings (读数) over time: one series per check, its chart with the limit, and a table.

Values come from the digests of completed checklists (each stores the value, the
limit and whether it was met, as checked then); the chart draws the limit the
check has in today's handbook as dashed lines and marks each value outside it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from generator.model import Handbook, Reading

from ..strings import t
from . import charts
from .tables import Table


@dataclass(frozen=True)
class Measurement:
    """One reading on one completed checklist."""

    day: str
    record_id: str
    target: str
    inspector: str
    value: float
    ok: bool
    result: str
    limit: str


@dataclass(frozen=True)
class ReadingSeries:
    """Every reading of one check in a window of days, oldest first."""

    check_id: str
    text: str
    name: str
    unit: str
    reading: Reading | None  # the limit in today's handbook; None if the check is gone
    measurements: tuple[Measurement, ...]

    @property
    def out_of_limit(self) -> int:
        return sum(1 for m in self.measurements if not m.ok)

    @property
    def title(self) -> str:
        text = self.text.rstrip("。.")  # the title goes on with "：近 30 天"
        return f"{self.name}（{self.unit}）· {text}" if self.unit else f"{self.name} · {text}"


def reading_series(handbook: Handbook, digests: list[dict]) -> list[ReadingSeries]:
    """One series per check that has readings in ``digests``, in handbook order."""
    found: dict[str, list[tuple[dict, dict]]] = {}
    for d in digests:
        for r in d.get("readings", ()):
            found.setdefault(r["check_id"], []).append((d, r))
    order = {k.id: i for i, k in enumerate(handbook.checks)}
    result = []
    for check_id in sorted(found, key=lambda c: (order.get(c, len(order)), c)):
        pairs = sorted(found[check_id], key=lambda p: (p[0]["day"], p[0].get("submitted_at", ""), p[0]["id"]))
        check = handbook.check(check_id)
        last = pairs[-1][1]
        result.append(
            ReadingSeries(
                check_id=check_id,
                text=check.text if check else check_id,
                name=last["name"],
                unit=last["unit"],
                reading=check.reading if check else None,
                measurements=tuple(
                    Measurement(
                        day=d["day"],
                        record_id=d["id"],
                        target=d["target"][1],
                        inspector=d["inspector"],
                        value=r["value"],
                        ok=r["ok"],
                        result=r["result"],
                        limit=r["limit"],
                    )
                    for d, r in pairs
                ),
            )
        )
    return result


@dataclass(frozen=True)
class LimitLine:
    """A dashed horizontal line at a bound of the limit."""

    y: float
    text: str


@dataclass(frozen=True)
class ReadingChart:
    """A points-and-line chart of one check's readings by day, with its limit lines."""

    chart: charts.LineChart
    limits: tuple[LimitLine, ...]
    outside: tuple[charts.Point, ...]  # the drawn points whose value broke the limit
    shown: tuple[Measurement, ...] = ()  # the drawn readings, a day's last one each, by day

    @property
    def empty(self) -> bool:
        return self.chart.empty


def _nice_range(values: list[float]) -> tuple[float, float]:
    """A y range with round ends that holds every value, with a little room above and below."""
    low, high = min(values), max(values)
    span = high - low or abs(high) or 1.0
    low, high = low - span * 0.15, high + span * 0.15
    step = 10 ** math.floor(math.log10((high - low) / 4))
    for factor in (1, 2, 2.5, 5, 10):
        if (high - low) / (step * factor) <= 5:
            step *= factor
            break
    return math.floor(low / step) * step, math.ceil(high / step) * step


def reading_chart(series: ReadingSeries, days: list[dt.date]) -> ReadingChart:
    """The chart of ``series`` over ``days``: a day's last reading is its point (the table lists all)."""
    by_day: dict[str, Measurement] = {}
    for m in series.measurements:
        by_day[m.day] = m  # measurements are in order: the last of a day wins
    labels = [f"{d.month}/{d.day}" for d in days]
    values = [by_day[d.isoformat()].value if d.isoformat() in by_day else None for d in days]
    bounds = [b for b in (series.reading.low, series.reading.high) if b is not None] if series.reading else []
    drawn = [v for v in values if v is not None]
    shown = tuple(by_day[d.isoformat()] for d in days if d.isoformat() in by_day)
    if not drawn:
        return ReadingChart(charts.line_chart(labels, [(series.name, values)], unit=""), (), (), shown)
    y_min, y_max = _nice_range(drawn + bounds)
    chart = charts.line_chart(labels, [(series.name, values)], y_min=y_min, y_max=y_max, unit=series.unit)
    top, bottom = chart.plot_top, chart.plot_bottom

    def y_of(value: float) -> float:
        return round(bottom - (bottom - top) * (value - y_min) / (y_max - y_min), 1)

    limits = tuple(LimitLine(y_of(b), charts.format_value(b, 2) + series.unit) for b in bounds)
    late = {d.isoformat(): by_day[d.isoformat()] for d in days if d.isoformat() in by_day}
    outside = tuple(
        point
        for point, day in zip(chart.series[0].points, [k for k in late], strict=True)
        if not late[day].ok
    )
    return ReadingChart(chart, limits, outside, shown)


def readings_table(series: list[ReadingSeries], start: dt.date, end: dt.date) -> Table:
    """Every reading from ``start`` to ``end``, one row each, for CSV and Excel."""
    columns = tuple(
        t(k)
        for k in (
            "ledger.day",
            "readings.target",
            "ledger.check",
            "readings.name",
            "readings.value",
            "readings.unit",
            "readings.limit",
            "readings.out",
            "readings.result",
            "ledger.inspector",
            "ledger.record",
        )
    )
    rows = tuple(
        (
            m.day,
            m.target,
            s.text,
            s.name,
            m.value,
            s.unit,
            m.limit,
            "" if m.ok else t("readings.out"),
            t("result." + m.result),
            m.inspector,
            m.record_id,
        )
        for s in series
        for m in s.measurements
    )
    return Table(t("readings.sheet", start=start.isoformat(), end=end.isoformat()), columns, rows)
