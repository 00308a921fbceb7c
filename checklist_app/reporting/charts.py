"""Chart geometry for the report pages: plain data in, frozen dataclasses out.

Everything is laid out in a viewBox ``WIDTH`` units wide and drawn at ``width:100%``, so on a 360 px phone
one unit is about one CSS pixel and the font sizes below stay readable; on a desktop the chart just scales.
The server cannot measure fonts, so text widths are estimated (CJK 1 em, everything else 0.6 em).
``templates/reports/_charts.html`` turns these objects into inline SVG; this module knows nothing of Flask.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
FONT = 13  # labels of horizontal bars: long Chinese text, the main thing to read
BAR_VALUE_FONT = 11
SMALL_FONT = 10  # axis ticks, column and value labels
MIN_FONT = 8  # below this value labels are left to the tooltip and the data table
PALETTE_SIZE = 8  # CSS classes series-0 … series-7
DOT_RADIUS = 2.5

BAR_ROW = 36  # label line + bar + gap
BAR_HEIGHT = 12
PLOT_HEIGHT = 150  # columns and lines


def text_em(text: str) -> float:
    """Estimated width of ``text`` in em: wide (CJK) characters 1, the rest 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def truncate(text: str, max_em: float) -> str:
    """``text`` cut to fit ``max_em``, ending in "…" (which CJK fonts draw 1 em wide) when cut."""
    if text_em(text) <= max_em:
        return text
    kept, width = [], 1.0
    for ch in text:
        width += text_em(ch)
        if width > max_em:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + "…"


def format_value(value: float, digits: int = 1) -> str:
    """Short label text: at most ``digits`` decimals; from ten thousand up in 万 (12500 → "1.25万")."""
    if abs(value) >= 10_000:
        return format_value(value / 10_000, 2) + "万"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_ticks(max_value: float, count: int = 4) -> list[float]:
    """Round ticks from 0 up to the first tick ≥ ``max_value``, about ``count`` steps apart.

    Steps are 1, 2, 5 (or 2.5 from 25 up) × 10ⁿ; of those giving at most ``count + 2`` steps the one with
    the lowest top tick wins (so columns use the height), then the one closest to ``count`` steps.
    """
    if max_value <= 0:
        return [0, 1]
    magnitude = 10 ** math.floor(math.log10(max_value / count))
    options = []
    for m in (1, 2, 2.5, 5, 10):
        if m == 2.5 and magnitude < 10:
            continue  # steps of 2.5 or 0.25 would put fractions on an axis of counts
        step = m * magnitude
        steps = math.ceil(max_value / step - 1e-9)
        if steps <= count + 2:
            options.append((round(steps * step, 10), abs(steps - count), step, steps))
    _, _, step, steps = min(options)
    # round() drops float noise such as 0.30000000000000004; whole numbers come back as int
    ticks = [round(i * step, 10) for i in range(steps + 1)]
    return [int(v) if float(v).is_integer() else v for v in ticks]


def _r(value: float) -> float:
    """Coordinates with two decimals: plenty for a 320-unit viewBox, short in the HTML."""
    return round(value, 2)


def _check_values(labels: Sequence[str], values: Sequence[float]) -> None:
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    if any(v < 0 for v in values):
        raise ValueError("bar and column charts need values >= 0")


def _spread(count: int, left: float, right: float) -> list[float]:
    """``count`` x positions evenly from ``left`` to ``right`` (one point sits in the middle)."""
    if count == 1:
        return [(left + right) / 2]
    return [left + i * (right - left) / (count - 1) for i in range(count)]


def _label_every(labels: Sequence[str], slot: float) -> int:
    """Show every n-th axis label so neighbours do not overlap when ``slot`` units apart."""
    widest = max((text_em(label) for label in labels), default=0) * SMALL_FONT + 2
    return max(1, math.ceil(widest / slot)) if slot > 0 else 1


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line at ``y`` with its label ``text`` (baseline ``text_y``)."""

    value: float
    text: str
    y: float
    text_y: float


@dataclass(frozen=True)
class AxisLabel:
    """A label under the x axis, centred on ``x``."""

    text: str
    x: float


# --- horizontal bars ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar: ``label`` in full (tooltip, table), ``short`` as drawn above the bar, ``text`` at its end."""

    label: str
    short: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    label_y: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class HBarChart:
    """Horizontal bars, one row each; the longest (or ``max_value``) bar spans ``plot_width``."""

    bars: tuple[Bar, ...]
    unit: str
    width: float
    height: float
    plot_width: float
    font_size: float = FONT
    value_font_size: float = BAR_VALUE_FONT

    @property
    def empty(self) -> bool:
        return not self.bars

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"


def hbar_chart(
    labels: list[str], values: list[float], *, unit: str = "", max_value: float | None = None
) -> HBarChart:
    """Horizontal bars for ranked lists with long labels ("most-failed checks this month").

    Each label sits on its own line above its bar, so it can use the full width before it is cut with "…".
    Bars scale to ``max_value`` if given (e.g. 100 for percentages; larger values are capped), else to the
    largest value. The right-hand gutter is sized so the widest value text fits after the longest bar.
    """
    _check_values(labels, values)
    if max_value is not None and max_value <= 0:
        raise ValueError("max_value must be > 0")
    texts = [format_value(v) + unit for v in values]
    gutter = max((text_em(text) for text in texts), default=0) * BAR_VALUE_FONT + 6
    plot_width = WIDTH - gutter
    scale = max_value if max_value is not None else max(values, default=0)
    max_label_em = WIDTH / FONT - 0.5
    bars = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        top = i * BAR_ROW
        width = plot_width * min(value, scale) / scale if scale > 0 else 0
        bar_y = top + FONT + 4
        bars.append(
            Bar(
                label=label,
                short=truncate(label, max_label_em),
                value=value,
                text=text,
                x=0,
                y=bar_y,
                width=_r(width),
                height=BAR_HEIGHT,
                label_y=top + FONT,
                text_x=_r(width + 4),
                text_y=_r(bar_y + BAR_HEIGHT / 2 + BAR_VALUE_FONT * 0.35),  # optically centred on the bar
            )
        )
    return HBarChart(
        bars=tuple(bars), unit=unit, width=WIDTH, height=len(bars) * BAR_ROW, plot_width=_r(plot_width)
    )


# --- vertical columns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column; its value ``text`` sits above it at ``text_y``, its axis label is in the chart's list."""

    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    center: float
    text_y: float


@dataclass(frozen=True)
class ColumnChart:
    """Columns over a y axis of ``ticks``; ``unit`` is shown once ("单位：元") instead of on every number."""

    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]
    axis_labels: tuple[AxisLabel, ...]
    unit: str
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    tick_x: float
    label_y: float
    value_font_size: float
    show_values: bool
    font_size: float = SMALL_FONT

    @property
    def empty(self) -> bool:
        """No columns, or all of them 0: a row of empty months says less than "no data, and why"."""
        return not any(column.value for column in self.columns)

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"


def column_chart(labels: list[str], values: list[float], *, unit: str = "") -> ColumnChart:
    """Vertical columns for a short series over time ("fines per month", labels like "1月").

    The y axis runs from 0 to the top of ``nice_ticks``. Value labels shrink to fit their column slot and are
    dropped (left to tooltips and the data table) if they would need a font smaller than ``MIN_FONT``.
    """
    _check_values(labels, values)
    ticks = nice_ticks(max(values, default=0))
    tick_texts = [format_value(v, 2) for v in ticks]
    plot_left = max(text_em(text) for text in tick_texts) * SMALL_FONT + 5
    plot_top = SMALL_FONT + 14  # the unit caption, then room for the value label over the tallest column
    plot_bottom = plot_top + PLOT_HEIGHT
    plot_right = WIDTH  # columns are narrower than their slot, so no margin needed; 12 months must fit
    slot = (plot_right - plot_left) / max(len(labels), 1)
    texts = [format_value(v) for v in values]
    widest = max((text_em(text) for text in texts), default=1)
    value_font = min(SMALL_FONT, slot * 0.95 / widest)

    def y_of(value: float) -> float:
        return plot_bottom - PLOT_HEIGHT * value / ticks[-1]

    columns = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        center = plot_left + slot * (i + 0.5)
        top = y_of(value)
        columns.append(
            Column(
                label=label,
                value=value,
                text=text,
                x=_r(center - slot * 0.3),
                y=_r(top),
                width=_r(slot * 0.6),
                height=_r(plot_bottom - top),
                center=_r(center),
                text_y=_r(top - 3),
            )
        )
    every = _label_every(labels, slot)
    return ColumnChart(
        columns=tuple(columns),
        ticks=tuple(
            Tick(v, text, _r(y_of(v)), _r(y_of(v) + SMALL_FONT * 0.35))
            for v, text in zip(ticks, tick_texts, strict=True)
        ),
        axis_labels=tuple(AxisLabel(c.label, c.center) for c in columns[::every]),
        unit=unit,
        width=WIDTH,
        height=plot_bottom + SMALL_FONT + 8,
        plot_left=_r(plot_left),
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        tick_x=_r(plot_left - 4),
        label_y=plot_bottom + SMALL_FONT + 4,
        value_font_size=_r(value_font),
        show_values=value_font >= MIN_FONT,
    )


# --- lines and sparklines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A drawn data point; ``label`` is its x label, ``text`` the formatted value (tooltip)."""

    x: float
    y: float
    value: float
    label: str
    text: str


@dataclass(frozen=True)
class Segment:
    """An unbroken run of points; a run of one is drawn as its dot only."""

    coords: tuple[tuple[float, float], ...]

    @property
    def points(self) -> str:
        """The SVG ``points`` attribute of a polyline."""
        return " ".join(f"{x},{y}" for x, y in self.coords)


@dataclass(frozen=True)
class Series:
    """One line: ``values`` as given (None = no data), ``points``/``segments`` for the drawn ones."""

    name: str
    css_class: str
    values: tuple[float | None, ...]
    points: tuple[Point, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class LineChart:
    """Lines over ``x_labels`` between ``y_min`` and ``y_max``; ``axis_labels`` is the subset drawn."""

    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    ticks: tuple[Tick, ...]
    axis_labels: tuple[AxisLabel, ...]
    unit: str
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    tick_x: float
    label_y: float
    font_size: float = SMALL_FONT
    dot_radius: float = DOT_RADIUS

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _trace(values, xs, labels, y_of, unit) -> tuple[tuple[Point, ...], tuple[Segment, ...]]:
    """Points for the non-None values, and the runs between Nones, so a gap is never drawn through."""
    points, segments, run = [], [], []
    for value, x, label in zip(values, xs, labels, strict=True):
        if value is None:
            if run:
                segments.append(Segment(tuple(run)))
            run = []
            continue
        point = Point(_r(x), _r(y_of(value)), value, label, format_value(value) + unit)
        points.append(point)
        run.append((point.x, point.y))
    if run:
        segments.append(Segment(tuple(run)))
    return tuple(points), tuple(segments)


def _y_scale(y_min: float, y_max: float, top: float, bottom: float):
    """value → y, clamped to the plot so an outlier cannot draw outside the chart."""
    if y_max <= y_min:
        raise ValueError("y_max must be greater than y_min")

    def y_of(value: float) -> float:
        share = (min(max(value, y_min), y_max) - y_min) / (y_max - y_min)
        return bottom - (bottom - top) * share

    return y_of


def line_chart(
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    y_min: float = 0,
    y_max: float = 100,
    unit: str = "%",
) -> LineChart:
    """Lines over time (compliance rate per department by week), one ``(name, values)`` pair per line.

    ``None`` means no data that week: the line breaks there rather than dropping to zero. Series take CSS
    classes ``series-0`` … ``series-7`` in order, cycling. Ticks carry the unit ("75%"); x labels are thinned
    out when they would overlap, the data table lists them all.
    """
    for name, values in series:
        if len(values) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(x_labels)} labels")
    y_of = _y_scale(y_min, y_max, 8, 8 + PLOT_HEIGHT)
    span = y_max - y_min
    ticks = [y_min + v for v in nice_ticks(span) if v <= span + 1e-9]
    tick_texts = [format_value(v, 2) + unit for v in ticks]
    plot_left = max(text_em(text) for text in tick_texts) * SMALL_FONT + 6
    plot_right = WIDTH - 2
    # keep the first and last x labels (and dots) inside the viewBox
    inset = max(DOT_RADIUS + 2, max((text_em(x) for x in x_labels), default=0) * SMALL_FONT / 2)
    xs = _spread(len(x_labels), plot_left + inset, plot_right - inset)
    slot = xs[1] - xs[0] if len(xs) > 1 else WIDTH
    every = _label_every(x_labels, slot)
    drawn = []
    for i, (name, values) in enumerate(series):
        points, segments = _trace(values, xs, x_labels, y_of, unit)
        drawn.append(Series(name, f"series-{i % PALETTE_SIZE}", tuple(values), points, segments))
    plot_bottom = 8 + PLOT_HEIGHT
    return LineChart(
        x_labels=tuple(x_labels),
        series=tuple(drawn),
        ticks=tuple(
            Tick(v, text, _r(y_of(v)), _r(y_of(v) + SMALL_FONT * 0.35))
            for v, text in zip(ticks, tick_texts, strict=True)
        ),
        axis_labels=tuple(AxisLabel(x_labels[i], _r(xs[i])) for i in range(0, len(x_labels), every)),
        unit=unit,
        width=WIDTH,
        height=plot_bottom + SMALL_FONT + 8,
        plot_left=_r(plot_left),
        plot_right=plot_right,
        plot_top=8,
        plot_bottom=plot_bottom,
        tick_x=_r(plot_left - 4),
        label_y=plot_bottom + SMALL_FONT + 4,
    )


def lowest(series: list[tuple[str, list[float | None]]], n: int) -> list[tuple[str, list[float | None]]]:
    """The ``n`` series whose latest value is lowest (ties: lower average), in their given order.

    A line chart stays readable with about ``PALETTE_SIZE`` lines; on a compliance chart the lowest are the
    departments a manager must see, so those are drawn and the page lists every department beside it,
    sorted the same way. None values are ignored; a series with no values at all ranks last.
    """
    if len(series) <= n:
        return list(series)

    def rank(values: list[float | None]) -> tuple[float, float]:
        known = [v for v in values if v is not None]
        return (known[-1], sum(known) / len(known)) if known else (math.inf, math.inf)

    kept = sorted(range(len(series)), key=lambda i: (*rank(series[i][1]), i))[:n]
    return [series[i] for i in sorted(kept)]


SPARK_WIDTH = 100
SPARK_HEIGHT = 24


@dataclass(frozen=True)
class Sparkline:
    """A tiny line without axes; ``last`` is the latest non-None point, marked with a dot."""

    segments: tuple[Segment, ...]
    last: Point | None
    unit: str
    width: float = SPARK_WIDTH
    height: float = SPARK_HEIGHT
    dot_radius: float = 2

    @property
    def empty(self) -> bool:
        return self.last is None

    @property
    def latest(self) -> float | None:
        return self.last.value if self.last else None

    @property
    def latest_text(self) -> str:
        return self.last.text if self.last else ""

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"


def sparkline(
    values: list[float | None], y_min: float = 0, y_max: float = 100, *, unit: str = "%"
) -> Sparkline:
    """A word-sized line for small multiples (one per department); ``None`` breaks the line like in charts."""
    pad = 3  # room for the end dot
    y_of = _y_scale(y_min, y_max, pad, SPARK_HEIGHT - pad)
    xs = _spread(len(values), pad, SPARK_WIDTH - pad) if values else []
    points, segments = _trace(values, xs, [""] * len(values), y_of, unit)
    return Sparkline(segments=segments, last=points[-1] if points else None, unit=unit)
