"""Readings (读数): the inspector types a number; outside its limit the item can only fail, and the
value is stored, shown on the record, the print page and the PDF, exported and charted."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from checklist_app import services
from checklist_app.extensions import storage
from checklist_app.generation import Target
from checklist_app.storage import open_storage
from generator import load_handbook

from ..conftest import TODAY, make_site_project
from .conftest import CS_LEAD, DAY, csrf_from, noon, publish

DAILY = f"/checklists/daily/{DAY.isoformat()}/role:售前客服"
READINGS = """---
id: cs-metrics
title: 客服指标
owner: 客服主管
version: "1"
effective: 2026-01-01
review: 2099-01-01
applies_to: [售前客服]
---

## 第一条 响应时间 {#cm-response}

售前客服每天的平均响应时间不得超过50秒。

/// 检查 | cm-response-avg
查看前一日客服平均响应时间。
频率: 每日
对象: 售前客服
检查人: 客服主管
读数: 平均响应时间 秒 ≤ 50
罚款: 50元
///

/// 检查 | cm-humidity
客服机房湿度在40%到70%之间。
频率: 每日
对象: 售前客服
检查人: 客服主管
读数: 湿度 % 40–70
///
"""


@pytest.fixture
def handbook_dir(tmp_path, good_root):
    root = make_site_project(tmp_path / "project", good_root) / "handbook"
    (root / "20-客服" / "metrics.md").write_text(READINGS, encoding="utf-8")
    return root


@pytest.fixture
def model(handbook_dir):
    return load_handbook(handbook_dir, today=TODAY)


def _snapshot(model, store):
    checklist = services.generate(model, "daily", DAY.isoformat(), Target("role", "售前客服"), "客服主管")
    return services.start(store, checklist, _clock())


def _clock():
    from checklist_app.clock import FrozenClock

    return FrozenClock(noon(DAY))


def _submit(model, answers):
    """Submit the 售前客服 checklist with every item passed except ``answers``; the stored record."""
    store = open_storage("memory", "")
    snapshot = _snapshot(model, store)
    full = {i["key"]: {"result": "pass"} for i in snapshot["items"]}
    full["cm-humidity"] = {"result": "pass", "reading": "55"}
    full["cm-response-avg"] = {"result": "pass", "reading": "45"}
    full.update(answers)
    record, _ = services.submit(store, snapshot, full, CS_LEAD, "key-readings-1", 500, clock=_clock())
    return record


def _item(record, key):
    return next(i for i in record["items"] if i["key"] == key)


def test_the_checklist_asks_for_the_number_with_its_unit_and_limit(model):
    snapshot = _snapshot(model, open_storage("memory", ""))
    item = next(i for i in snapshot["items"] if i["key"] == "cm-response-avg")
    assert item["reading"] == {
        "name": "平均响应时间",
        "unit": "秒",
        "low": None,
        "high": 50.0,
        "low_strict": False,
        "high_strict": False,
        "limit": "≤ 50",
    }


def test_a_value_within_the_limit_is_stored_with_the_pass(model):
    record = _submit(model, {"cm-response-avg": {"result": "pass", "reading": "48.5"}})
    assert _item(record, "cm-response-avg")["reading"] == {
        "value": 48.5,
        "ok": True,
        "name": "平均响应时间",
        "unit": "秒",
        "limit": "≤ 50",
    }


def test_a_value_outside_the_limit_is_a_failure_with_its_responsible_person(model):
    record = _submit(model, {"cm-response-avg": {"result": "fail", "reading": "62", "responsible": "小李"}})
    item = _item(record, "cm-response-avg")
    assert (item["result"], item["reading"]["value"], item["reading"]["ok"]) == ("fail", 62, False)
    assert record["score"]["fines"] == 50


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"result": "pass", "reading": "62"}, "读数 62 秒 超出限值 ≤ 50：这一项应为不合格"),
        ({"result": "pass", "reading": ""}, "请填写“查看前一日客服平均响应时间。”的读数（平均响应时间，秒）"),
        ({"result": "fail", "reading": "", "responsible": "小李"}, "的读数（平均响应时间，秒）"),
        ({"result": "pass", "reading": "五十"}, "的读数 “五十” 不是一个数"),
        ({"result": "pass", "reading": "1e3"}, "不是一个数"),
        ({"result": "pass", "reading": "nan"}, "不是一个数"),
        ({"result": "pass", "reading": 48}, "的读数应是文字"),
    ],
)
def test_the_server_checks_the_reading_itself(model, answer, message):
    with pytest.raises(services.SubmissionError) as caught:
        _submit(model, {"cm-response-avg": answer})
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert caught.value.status == 422


def test_range_limits_include_both_ends_and_refuse_values_outside(model):
    assert _item(_submit(model, {"cm-humidity": {"result": "pass", "reading": "40"}}), "cm-humidity")[
        "reading"
    ]["ok"]
    assert _item(_submit(model, {"cm-humidity": {"result": "pass", "reading": "70"}}), "cm-humidity")[
        "reading"
    ]["ok"]
    with pytest.raises(services.SubmissionError, match="读数 39.9 % 超出限值 40–70"):
        _submit(model, {"cm-humidity": {"result": "pass", "reading": "39.9"}})


def test_full_width_digits_and_a_decimal_comma_are_read_as_typed_on_a_phone(model):
    record = _submit(model, {"cm-response-avg": {"result": "pass", "reading": "４５，５"}})
    assert _item(record, "cm-response-avg")["reading"]["value"] == 45.5


def test_not_applicable_needs_no_reading(model):
    record = _submit(model, {"cm-response-avg": {"result": "na", "reading": ""}})
    assert "reading" not in _item(record, "cm-response-avg")


def _form_submit(client, auth, reading: str, result: str = "fail", count: str = ""):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    data = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data["csrf_token"] = csrf_from(html)
    for key in re.findall(r'<li class="item" data-key="([^"]+)"', html):
        data[f"result-{key}"] = "pass"
    data.update(
        {
            "result-cm-response-avg": result,
            "reading-cm-response-avg": reading,
            "responsible-cm-response-avg": "小李",
            "reading-cm-humidity": "55",
            "count-cm-response-avg": count,
        }
    )
    return html, client.post("/checklists/submit", data=data)


def test_the_form_has_a_labelled_decimal_input(client, auth):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    field = re.search(r'<label class="field reading">(.*?)</label>', html, re.S).group(1)
    assert "平均响应时间（秒）" in field and "限值 ≤ 50，超出自动判为不合格" in field
    assert 'inputmode="decimal"' in field and 'name="reading-cm-response-avg"' in field
    assert 'data-high="50.0"' in field


def test_a_bad_number_in_the_plain_form_is_a_chinese_422(client, auth):
    _, response = _form_submit(client, auth, "abc", result="pass")
    assert response.status_code == 422
    assert "“abc” 不是一个数" in response.get_data(as_text=True)


def test_the_reading_is_on_the_record_print_page_and_pdf(app, client, auth):
    _, response = _form_submit(client, auth, "62")
    assert response.status_code == 302
    url = response.headers["Location"]
    record = client.get(url).get_data(as_text=True)
    assert "平均响应时间 62 秒 · 超出 ≤ 50" in record
    assert "湿度 55 %" in record
    printed = client.get(url + "/print").get_data(as_text=True)
    assert "平均响应时间 62 秒（超出 ≤ 50）" in printed
    with client.get(url + ".pdf") as pdf:
        text = "".join(
            re.sub(r"[\s\x00]+", "", p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages
        )
    assert "平均响应时间62秒（超出≤50）" in text


def test_readings_are_charted_on_the_dashboard_and_exported(app, client, auth):
    _form_submit(client, auth, "62")
    auth.login("admin")
    html = client.get(f"/reports/?date={DAY.isoformat()}").get_data(as_text=True)
    section = html.split('id="reading-cm-response-avg"')[1].split("</section>")[0]
    assert "平均响应时间（秒）· 查看前一日客服平均响应时间：近 30 天" in section
    assert "1 次超出限值" in section
    assert section.count('class="limit"') == 1 and section.count('class="dot-bad"') == 1
    humidity = html.split('id="reading-cm-humidity"')[1].split("</section>")[0]
    assert humidity.count('class="limit"') == 2 and 'class="dot-bad"' not in humidity
    with client.get(f"/reports/readings.csv?date={DAY.isoformat()}") as response:
        csv = response.data.decode("utf-8-sig")
    assert response.status_code == 200
    header, *rows = csv.strip().splitlines()
    assert header.split(",")[:5] == ["日期", "检查对象", "检查项", "读数名称", "读数"]
    assert rows[0].split(",")[:10] == [
        DAY.isoformat(),
        "售前客服",
        "查看前一日客服平均响应时间。",
        "平均响应时间",
        "62",
        "秒",
        "≤ 50",
        "超出限值",
        "不合格",
        "Zhang",
    ]
    assert rows[1].split(",")[4:8] == ["55", "%", "40–70", ""]  # within the limit: no mark
    with app.app_context():
        assert len(storage().completions.list(DAY, DAY)) == 1


def test_a_per_spot_fine_shows_its_spots_on_the_record_and_print_page(app, client, auth, handbook_dir):
    path = handbook_dir / "20-客服" / "metrics.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace('version: "1"', 'version: "2"')  # a changed fine needs a new version to publish
    path.write_text(text.replace("罚款: 50元\n", "罚款: 5元/处\n"), encoding="utf-8")
    publish(app, quick=True)
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    assert "处数 <small>每处罚款 5 元，默认 1</small>" in html
    _, response = _form_submit(client, auth, "62", count="3")
    url = response.headers["Location"]
    record = client.get(url).get_data(as_text=True)
    assert '<span class="badge">3 处</span>' in record and "罚款 15 元" in record
    assert "3 处 · 罚款 15 元" in client.get(url + "/print").get_data(as_text=True)
