"""Chart geometry (pure Python) and the SVG macros that draw it."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from checklist_app.reporting.charts import (
    WIDTH,
    column_chart,
    format_value,
    hbar_chart,
    line_chart,
    lowest,
    nice_ticks,
    sparkline,
    text_em,
    truncate,
)

SVG = "{http://www.w3.org/2000/svg}"
LONG = "客服在二十四小时内回复所有买家咨询并记录在系统中，超时需要说明原因并上报主管"
MONTHS = [f"{m}月" for m in range(1, 13)]


# --- helpers -----------------------------------------------------------------------------------------


def test_text_width_counts_cjk_as_one_em():
    assert text_em("客服") == 2
    assert text_em("12") == pytest.approx(1.2)


def test_truncate_keeps_short_text_and_cuts_long_text_with_ellipsis():
    assert truncate("短标签", 10) == "短标签"
    cut = truncate(LONG, 10)
    assert cut.endswith("…") and LONG.startswith(cut[:-1])
    assert text_em(cut) <= 10


@pytest.mark.parametrize(
    ("value", "text"),
    [(5.0, "5"), (2.5, "2.5"), (87.333, "87.3"), (0, "0"), (12500, "1.25万"), (20000, "2万")],
)
def test_format_value(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("max_value", [0.3, 1, 3, 7, 12, 99.9, 100, 101, 450, 1000, 4500, 12345])
def test_nice_ticks_are_round_evenly_spaced_and_cover_the_maximum(max_value):
    ticks = nice_ticks(max_value)
    assert ticks[0] == 0 and ticks[-1] >= max_value
    assert ticks[-2] < max_value  # no wasted step on top
    steps = {round(b - a, 9) for a, b in pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert round(mantissa, 9) in (1, 2, 2.5, 5)
    assert 2 <= len(ticks) - 1 <= 6


def test_nice_ticks_examples():
    assert nice_ticks(450) == [0, 100, 200, 300, 400, 500]
    assert nice_ticks(100) == [0, 25, 50, 75, 100]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]  # counts never get fractional ticks
    assert nice_ticks(0) == [0, 1]


# --- horizontal bars ---------------------------------------------------------------------------------


def test_bar_lengths_are_proportional_and_the_longest_fills_the_plot():
    chart = hbar_chart(["a", "b", "c"], [10, 5, 2.5], unit="次")
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == chart.plot_width
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.01)
    assert widths[2] == pytest.approx(widths[0] / 4, abs=0.01)
    assert [bar.text for bar in chart.bars] == ["10次", "5次", "2.5次"]


def test_bar_values_fit_after_the_longest_bar():
    chart = hbar_chart(["a", "b"], [1234.5, 1], unit="元")
    longest = chart.bars[0]
    assert longest.text_x > longest.width
    assert longest.text_x + text_em(longest.text) * chart.value_font_size <= WIDTH


def test_bars_stack_without_overlapping():
    chart = hbar_chart(["a", "b", "c"], [3, 2, 1])
    for upper, lower in pairwise(chart.bars):
        assert upper.y + upper.height < lower.label_y - chart.font_size * 0.8
    assert chart.height >= chart.bars[-1].y + chart.bars[-1].height


def test_bars_scale_to_max_value_and_cap_above_it():
    chart = hbar_chart(["a", "b"], [50, 150], unit="%", max_value=100)
    assert chart.bars[0].width == pytest.approx(chart.plot_width / 2, abs=0.01)
    assert chart.bars[1].width == chart.plot_width


def test_all_zero_bars_draw_nothing_but_are_not_empty():
    chart = hbar_chart(["a", "b"], [0, 0])
    assert not chart.empty
    assert [bar.width for bar in chart.bars] == [0, 0]


def test_long_labels_are_cut_but_kept_in_full():
    bar = hbar_chart([LONG], [3]).bars[0]
    assert bar.label == LONG
    assert bar.short.endswith("…") and len(bar.short) < len(LONG)
    assert text_em(bar.short) * 13 <= WIDTH


@pytest.mark.parametrize("make", [hbar_chart, column_chart])
def test_negative_values_and_mismatched_lengths_are_rejected(make):
    with pytest.raises(ValueError):
        make(["a"], [-1])
    with pytest.raises(ValueError):
        make(["a", "b"], [1])


def test_empty_bar_and_column_charts():
    assert hbar_chart([], []).empty
    assert column_chart([], []).empty


# --- columns -----------------------------------------------------------------------------------------


def test_columns_grow_from_the_baseline_to_their_value_on_the_tick_scale():
    chart = column_chart(MONTHS, [100, 450, 0, 225] + [0] * 8, unit="元")
    assert [tick.value for tick in chart.ticks] == [0, 100, 200, 300, 400, 500]
    plot_height = chart.plot_bottom - chart.plot_top
    for column in chart.columns:
        assert column.y + column.height == pytest.approx(chart.plot_bottom)
        assert column.height == pytest.approx(plot_height * column.value / 500, abs=0.01)
    top_tick = chart.ticks[-1]
    assert top_tick.y == chart.plot_top and chart.ticks[0].y == chart.plot_bottom


def test_twelve_months_fit_side_by_side_on_a_phone():
    chart = column_chart(MONTHS, [1200.0] * 12, unit="元")
    assert [label.text for label in chart.axis_labels] == MONTHS
    assert chart.show_values
    for left, right in pairwise(chart.columns):
        assert left.x + left.width < right.x
    assert chart.columns[-1].x + chart.columns[-1].width <= WIDTH


def test_value_labels_are_dropped_rather_than_drawn_unreadably_small():
    chart = column_chart([str(i) for i in range(40)], [123456.0] * 40)
    assert not chart.show_values
    assert len(chart.axis_labels) < 40  # thinned out so they do not overlap


# --- lines -------------------------------------------------------------------------------------------


def test_none_breaks_a_line_into_segments():
    chart = line_chart(["W1", "W2", "W3", "W4", "W5"], [("客服部", [90, 80, None, 70, 60])])
    series = chart.series[0]
    assert len(series.segments) == 2
    assert [len(segment.coords) for segment in series.segments] == [2, 2]
    assert [point.value for point in series.points] == [90, 80, 70, 60]
    assert series.values == (90, 80, None, 70, 60)


def test_none_is_not_drawn_as_zero():
    chart = line_chart(["W1", "W2", "W3"], [("a", [50, None, 50])])
    assert all(point.y < chart.plot_bottom for point in chart.series[0].points)
    assert len(chart.series[0].points) == 2


def test_line_points_map_values_onto_the_y_range():
    chart = line_chart(["W1", "W2", "W3"], [("a", [0, 50, 100])])
    ys = [point.y for point in chart.series[0].points]
    assert ys[0] == chart.plot_bottom and ys[2] == chart.plot_top
    assert ys[1] == pytest.approx((chart.plot_top + chart.plot_bottom) / 2)
    assert [tick.text for tick in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_points_stay_inside_the_viewbox():
    chart = line_chart(["第1周", "第2周"], [("a", [-20, 130])])
    for point in chart.series[0].points:
        assert chart.plot_top <= point.y <= chart.plot_bottom
        assert 0 < point.x < WIDTH


def test_series_colours_cycle_through_the_palette():
    chart = line_chart(["W1"], [(f"s{i}", [i]) for i in range(10)])
    assert [s.css_class for s in chart.series] == [f"series-{i % 8}" for i in range(10)]


def test_line_chart_empty_when_no_labels_or_all_none():
    assert line_chart([], []).empty
    assert line_chart(["W1", "W2"], [("a", [None, None]), ("b", [None, None])]).empty
    assert not line_chart(["W1"], [("a", [0])]).empty


def test_line_chart_rejects_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        line_chart(["W1", "W2"], [("a", [1])])


def test_crowded_x_labels_are_thinned_out():
    labels = [f"第{i}周" for i in range(1, 27)]
    chart = line_chart(labels, [("a", [50] * 26)])
    drawn = chart.axis_labels
    assert 1 < len(drawn) < 26 and drawn[0].text == "第1周"
    for left, right in pairwise(drawn):
        assert right.x - left.x >= text_em("第26周") * chart.font_size


def test_sparkline():
    spark = sparkline([80, None, 90, 95, None])
    assert not spark.empty
    assert spark.latest == 95 and spark.latest_text == "95%"
    assert [len(segment.coords) for segment in spark.segments] == [1, 2]
    assert sparkline([None, None]).empty and sparkline([]).empty


# --- rendering ---------------------------------------------------------------------------------------


@pytest.fixture
def macros(app):
    with app.app_context():
        yield app.jinja_env.get_template("reports/_charts.html").module


def svg_of(html: str) -> ET.Element:
    """The one <svg> element in ``html``, parsed as XML (fails on anything malformed)."""
    match = re.search(r"<svg\b.*?</svg>", str(html), re.S)
    assert match, html
    return ET.fromstring(match.group(0))


def test_hbar_renders_valid_svg_with_title_tooltips_and_data_table(macros):
    html = str(macros.hbar(hbar_chart([LONG, "包装破损"], [12, 3.0], unit="次"), "本月不合格最多的检查项"))
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.get("viewBox") == f"0 0 {WIDTH} {2 * 36}"
    title = svg.find(f"{SVG}title")
    assert title.text == "本月不合格最多的检查项" and svg.get("aria-labelledby") == title.get("id")
    assert len(svg.findall(f"{SVG}g/{SVG}rect")) == 2
    tooltips = [t.text for t in svg.findall(f"{SVG}g/{SVG}title")]
    assert tooltips[0] == f"{LONG}：12次"
    assert "<summary>数据</summary>" in html
    assert f'<th scope="row">{LONG}</th><td class="num">12次</td>' in html
    assert '<td class="num">3次</td>' in html


def test_columns_render_unit_ticks_and_values(macros):
    html = str(macros.columns(column_chart(MONTHS, [float(m * 100) for m in range(12)], unit="元"), "罚款"))
    svg = svg_of(html)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "单位：元" in texts and "1月" in texts and "1100" in texts
    assert len(svg.findall(f"{SVG}g/{SVG}rect")) == 12
    assert '<td class="num">1100元</td>' in html


def test_lines_render_segments_dots_legend_and_gaps_in_the_table(macros):
    chart = line_chart(["W1", "W2", "W3"], [("客服部", [90, None, 80]), ("仓储部", [70, 75, 85.5])])
    html = str(macros.lines(chart, "合规率"))
    svg = svg_of(html)
    groups = svg.findall(f"{SVG}g")
    assert [g.get("class") for g in groups] == ["series series-0", "series series-1"]
    assert len(groups[0].findall(f"{SVG}polyline")) == 0  # two lone points, nothing drawn through the gap
    assert len(groups[0].findall(f"{SVG}circle")) == 2
    assert len(groups[1].findall(f"{SVG}polyline")) == 1
    assert '<li class="series-1"><span class="swatch"></span>仓储部</li>' in html
    assert '<td class="num">—</td>' in html and '<td class="num">85.5%</td>' in html


def test_sparkline_renders_with_latest_value_in_its_label(macros):
    svg = svg_of(macros.sparkline(sparkline([80, 85, None, 92]), "客服部"))
    assert svg.get("aria-label") == "客服部：最新 92%"
    assert svg.get("role") == "img"


@pytest.mark.parametrize(
    "render",
    [
        lambda m: m.hbar(hbar_chart([], []), "图"),
        lambda m: m.columns(column_chart([], []), "图"),
        lambda m: m.lines(line_chart(["W1"], [("a", [None])]), "图"),
        lambda m: m.sparkline(sparkline([None]), "部门"),
    ],
)
def test_empty_data_renders_a_message_instead_of_a_chart(macros, render):
    html = str(render(macros))
    assert "暂无数据" in html
    assert "<svg" not in html and "<table" not in html


def test_labels_are_escaped(macros):
    evil = '<script>alert("x")</script>'
    outputs = [
        macros.hbar(hbar_chart([evil], [1]), evil),
        macros.columns(column_chart([evil], [1], unit=evil), evil),
        macros.lines(line_chart([evil], [(evil, [1])]), evil),
        macros.sparkline(sparkline([1]), evil),
    ]
    for html in map(str, outputs):
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        svg = svg_of(html)  # still well-formed XML
        assert evil in "".join(svg.itertext()) + (svg.get("aria-label") or "")


def test_each_chart_gets_its_own_title_id(macros):
    chart = hbar_chart(["a"], [1])
    first, second = svg_of(macros.hbar(chart, "x")), svg_of(macros.hbar(chart, "x"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_lowest_keeps_the_series_with_the_lowest_latest_value_in_their_order():
    series = [("a", [90, 95]), ("b", [100, 60]), ("c", [50, None]), ("d", [None, None]), ("e", [70, 80])]
    assert [name for name, _ in lowest(series, 2)] == ["b", "c"]
    assert [name for name, _ in lowest(series, 3)] == ["b", "c", "e"]
    assert lowest(series, 8) == series  # few enough: every series, untouched


def test_lowest_breaks_ties_by_the_average():
    series = [("steady", [80, 80]), ("falling", [100, 80]), ("rising", [60, 80])]
    assert [name for name, _ in lowest(series, 1)] == ["rising"]
