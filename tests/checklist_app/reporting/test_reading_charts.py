"""A reading chart draws a day's last reading; its data table lists exactly the drawn points."""

from __future__ import annotations

import datetime as dt

from checklist_app.reporting.readings import Measurement, ReadingSeries, reading_chart
from generator.model import Reading

DAYS = [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(7)]


def measurement(day: dt.date, value: float, n: int) -> Measurement:
    return Measurement(day.isoformat(), f"r{n}", "仓库", "张", value, value <= 30, "pass", "≤ 30")


def test_the_table_lists_the_drawn_readings_one_a_day_however_many_were_taken():
    many = [measurement(DAYS[n % 3], 20.0 + n, n) for n in range(60)]  # 20 a day on three days
    series = ReadingSeries("wh-temp", "库温", "温度", "℃", Reading("温度", "℃", None, 30.0), tuple(many))
    chart = reading_chart(series, DAYS)
    assert [m.day for m in chart.shown] == [d.isoformat() for d in DAYS[:3]]
    assert [m.value for m in chart.shown] == [77.0, 78.0, 79.0]  # each day's last
    assert len(chart.chart.series[0].points) == 3
    assert len(chart.outside) == 3


def test_a_check_without_readings_in_the_window_draws_nothing():
    series = ReadingSeries("wh-temp", "库温", "温度", "℃", None, ())
    chart = reading_chart(series, DAYS)
    assert chart.empty and chart.shown == ()
