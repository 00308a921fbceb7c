"""Every malformed request gets a clear 4xx in Chinese and damages nothing (the tracker issue's findings)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from checklist_app import services
from checklist_app.extensions import storage

from .test_api import _body, _post, opened  # noqa: F401 (fixture)


def _stored(app) -> list[dict]:
    with app.app_context():
        return storage().completions.list(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def _raw(client, token, data: bytes | str, key="key-0001-abcdef"):
    headers = {"X-CSRFToken": token, "Idempotency-Key": key, "Content-Type": "application/json"}
    return client.post("/api/submissions", data=data, headers=headers)


@pytest.mark.parametrize(
    ("snapshot_id", "status"),
    [(12345, 400), (["a"], 400), ({"x": 1}, 400), (None, 400), ("a" * 300, 400), ("../../etc/passwd", 400)],
)
def test_a_malformed_snapshot_id_is_400(app, client, opened, snapshot_id, status):  # noqa: F811
    _, keys, token = opened
    response = _post(client, token, {"snapshot_id": snapshot_id, "answers": {}})
    assert response.status_code == status
    assert response.json["errors"] == ["snapshot_id 无效。"]


@pytest.mark.parametrize("answers", ["all pass", 42, ["pass"], None])
def test_answers_that_are_not_an_object_are_400(client, opened, answers):  # noqa: F811
    snapshot, _, token = opened
    response = _post(client, token, {"snapshot_id": snapshot, "answers": answers})
    assert response.status_code == 400
    assert "answers 应是以检查项编号为键的对象" in response.json["errors"][0]


@pytest.mark.parametrize("answer", ["pass", 1, ["pass"], True])
def test_an_answer_that_is_not_an_object_is_named(app, client, opened, answer):  # noqa: F811
    snapshot, keys, token = opened
    response = _post(client, token, _body(snapshot, keys, **{keys[0]: answer}))
    assert response.status_code == 422
    assert f"检查项 {keys[0]} 的答案格式无效" in response.json["errors"][0]
    assert _stored(app) == []


@pytest.mark.parametrize("field", ["result", "note", "responsible"])
@pytest.mark.parametrize("value", [5, ["x"], {"a": 1}, True])
def test_a_field_that_is_not_text_is_refused(client, opened, field, value):  # noqa: F811
    snapshot, keys, token = opened
    answer = {"result": "fail", "note": "", "responsible": "小王", field: value}
    response = _post(client, token, _body(snapshot, keys, **{keys[0]: answer}))
    assert response.status_code == 422 and "应是文字" in response.json["errors"][0]


@pytest.mark.parametrize("count", ["²", "٣", "1e3", "-1", "0", "1000", " ", "两次", 2.5, [1], True])
def test_a_count_that_is_not_a_whole_number_from_1_to_999_is_refused(client, opened, count):  # noqa: F811
    snapshot, keys, token = opened
    answer = {"result": "fail", "note": "", "responsible": "小王", "count": count}
    response = _post(client, token, _body(snapshot, keys, **{"cs-refund-24h": answer}))
    if count == " ":  # blank means once
        assert response.status_code == 201
    else:
        assert response.status_code == 422, count
        assert "次数" in " ".join(response.json["errors"])


def test_full_width_digits_are_read_as_a_count(client, opened):  # noqa: F811
    snapshot, keys, token = opened
    answer = {"result": "fail", "note": "", "responsible": "小王", "count": "３"}
    response = _post(client, token, _body(snapshot, keys, **{"cs-refund-24h": answer}))
    assert response.status_code == 201
    item = next(i for i in response.json["record"]["items"] if i["key"] == "cs-refund-24h")
    assert item["count"] == 3


def test_json_nested_fifty_thousand_deep_is_400(app, client, opened):  # noqa: F811
    _, _, token = opened
    response = _raw(client, token, "[" * 50_000 + "]" * 50_000)
    assert response.status_code == 400
    assert "请求体应是 JSON 对象" in response.json["errors"][0]


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b'{"snapshot_id": "\xc3"}', b"", b"null", b"[]", b'"x"'])
def test_bodies_that_are_not_a_json_object_are_400(client, opened, body):  # noqa: F811
    _, _, token = opened
    assert _raw(client, token, body).status_code == 400


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("\ud83d 少了半个表情", "无法识别的字符"),
        ("响铃\x07", "U+0007"),
        ("Word\x0b换行", "U+000B"),
        ("x" * 501, "最多 500 个字"),
    ],
)
def test_a_note_with_a_lone_surrogate_a_control_character_or_too_long_is_refused(
    app,
    client,
    opened,  # noqa: F811
    note,
    message,
):
    snapshot, keys, token = opened
    answer = {"result": "pass", "note": note, "responsible": ""}
    data = json.dumps(_body(snapshot, keys, **{keys[0]: answer}))  # \ud83d stays an escape: valid JSON
    response = _raw(client, token, data)
    assert response.status_code == 422
    assert message in " ".join(response.json["errors"])
    assert _stored(app) == []


def test_a_name_is_normalised_and_loses_zero_width_characters(client, opened):  # noqa: F811
    snapshot, keys, token = opened
    answer = {"result": "fail", "note": "", "responsible": "\u200b李\u200d明\ufeff", "count": "1"}
    record = _post(client, token, _body(snapshot, keys, **{"cs-refund-24h": answer})).json["record"]
    assert next(i for i in record["items"] if i["key"] == "cs-refund-24h")["responsible"] == "李明"


def test_a_zero_width_space_is_not_a_responsible_person(client, opened):  # noqa: F811
    snapshot, keys, token = opened
    answer = {"result": "fail", "note": "", "responsible": "\u200b", "count": "1"}
    response = _post(client, token, _body(snapshot, keys, **{"cs-refund-24h": answer}))
    assert response.status_code == 422 and "请填写责任人" in response.json["errors"][0]


def test_a_responsible_name_over_100_characters_is_refused_not_cut(client, opened):  # noqa: F811
    snapshot, keys, token = opened
    answer = {"result": "fail", "note": "", "responsible": "李" * 101, "count": "1"}
    response = _post(client, token, _body(snapshot, keys, **{"cs-refund-24h": answer}))
    assert response.status_code == 422 and "最多 100 个字" in response.json["errors"][0]


@pytest.mark.parametrize("key", ["short", "k" * 101, "key 0001 abcdef", "密钥-0001-abcdef"])
def test_a_malformed_idempotency_key_is_400(client, opened, key):  # noqa: F811
    snapshot, keys, token = opened
    response = _post(client, token, _body(snapshot, keys), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key 无效" in response.json["errors"][0]


def test_a_key_ending_in_a_newline_is_not_well_formed():
    # Werkzeug's test client refuses newlines in headers; the rule itself must refuse it too.
    assert not services.valid_key("key-0001-abcdef\n") and services.valid_key("key-0001-abcdef")


def test_the_same_key_with_different_answers_is_422_and_names_the_stored_record(app, client, opened):  # noqa: F811
    snapshot, keys, token = opened
    first = _post(client, token, _body(snapshot, keys))
    changed = _body(snapshot, keys, **{keys[0]: {"result": "na", "note": "改了", "responsible": ""}})
    again = _post(client, token, changed)
    assert first.status_code == 201 and again.status_code == 422
    assert again.json["errors"] == ["这份清单已经提交过，这次的修改没有保存。如需更正请联系管理员。"]
    assert again.json["url"] == first.json["url"]
    assert again.json["code"] == "error.key_reused"  # a stable code for clients, beside the message
    [stored] = _stored(app)
    assert stored["items"][0]["result"] == "pass"  # nothing changed
    assert _post(client, token, _body(snapshot, keys)).status_code == 200  # a true repeat still is 200


@pytest.mark.parametrize(
    "query",
    [
        "/?date=0999-12-31",
        "/?date=9999-12-31",
        "/?date=2026-13-01",
        "/?date=２０２６-11-23",
        "/history?from=0001-01-02&to=9999-12-30",
        "/history?from=2026-11-30&to=2026-11-01",
        "/history?from=2024-01-01&to=2026-11-23",
        "/history?to=9999-12-31",
        "/history?target=%00",
        "/reports/?date=9999-12-31",
        "/reports/?date=0001-01-01",
        "/reports/rankings?date=9999-12-31",
        "/reports/ledger?month=9999-12",
        "/reports/ledger?month=0000-01",
        "/reports/ledger?month=2026-13",
        "/reports/ledger.csv?month=0999-01",
        "/reports/rankings.xlsx?date=0100-01-01",
    ],
)
def test_dates_out_of_range_in_query_strings_are_400(client, auth, query):
    auth.login("admin")
    response = client.get(query)
    assert response.status_code == 400, query
    assert (
        "日期" in response.get_data(as_text=True)
        or "月份" in response.get_data(as_text=True)
        or ("检查对象" in response.get_data(as_text=True))
    )


def test_a_year_of_history_is_allowed(client, auth):
    auth.login("admin")
    assert client.get("/history?from=2025-11-24&to=2026-11-23").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/handbook/" + "a" * 300, "/handbook/" + "页" * 100 + "/", "/handbook/" + "a/" * 600, "/handbook/%00x"],
)
def test_an_impossible_handbook_path_is_404_even_signed_out(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "找不到这个页面" in response.get_data(as_text=True)
