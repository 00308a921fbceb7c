"""The JSON submission endpoint other clients use: Idempotency-Key, 201 then 200, clear errors."""

from __future__ import annotations

import re

import pytest

DAILY = "/checklists/daily/2026-11-23/role:售后客服"


@pytest.fixture
def opened(client, auth):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    snapshot = re.search(r'name="snapshot_id" value="([^"]+)"', html).group(1)
    keys = re.findall(r'<li class="item" data-key="([^"]+)"', html)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return snapshot, keys, token


def _post(client, token, body, key="key-0001-abcdef"):
    headers = {"X-CSRFToken": token}
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/submissions", json=body, headers=headers)


def _body(snapshot, keys, **changes):
    answers = {k: {"result": "pass", "note": "", "responsible": ""} for k in keys}
    answers.update(changes)
    return {"snapshot_id": snapshot, "answers": answers}


def test_first_submission_is_201_and_a_repeat_is_200_with_the_same_record(client, opened):
    snapshot, keys, token = opened
    first = _post(client, token, _body(snapshot, keys))
    again = _post(client, token, _body(snapshot, keys))
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["record"] == again.json["record"]
    record = first.json["record"]
    assert record["inspector"] == "zhang"
    assert record["target"] == {"kind": "role", "name": "售后客服"}
    item = record["items"][0]
    for field in ("check_id", "policy_id", "policy_version", "clause_hash", "result", "note", "responsible"):
        assert field in item
    assert record["score"] == {
        "value": 100.0,
        "max": 100,
        "passed": len(keys),
        "failed": 0,
        "not_applicable": 0,
        "fines": 0,
    }


def test_score_counts_failures_and_their_fines(client, opened):
    snapshot, keys, token = opened
    body = _body(
        snapshot,
        keys,
        **{
            "cs-refund-24h": {"result": "fail", "note": "2单超时", "responsible": "小王"},
            "cs-review-negative": {"result": "na", "note": "", "responsible": ""},
        },
    )
    record = _post(client, token, body).json["record"]
    assert record["score"]["failed"] == 1 and record["score"]["not_applicable"] == 1
    assert record["score"]["fines"] == 100
    assert record["score"]["value"] == round(100 * 2 / 3, 1)


def test_another_key_for_a_completed_checklist_is_409(client, opened):
    snapshot, keys, token = opened
    _post(client, token, _body(snapshot, keys))
    response = _post(client, token, _body(snapshot, keys), key="key-0002-abcdef")
    assert response.status_code == 409
    assert "不能重复提交" in response.json["errors"][0]
    assert "于 2026-11-23 09:30 (UTC+8) 提交" in response.json["errors"][0]  # the time with its zone
    assert response.json["url"].startswith("/history/")


def test_missing_idempotency_key_is_400(client, opened):
    snapshot, keys, token = opened
    response = _post(client, token, _body(snapshot, keys), key=None)
    assert response.status_code == 400
    assert response.json["errors"] == ["缺少 Idempotency-Key。"]


def test_unknown_check_id_is_named_in_the_error(client, opened):
    snapshot, keys, token = opened
    body = _body(snapshot, keys, **{"made-up-check": {"result": "pass"}})
    response = _post(client, token, body)
    assert response.status_code == 422
    assert "清单里没有检查项 made-up-check" in response.json["errors"][0]


def test_an_invalid_result_is_refused(client, opened):
    snapshot, keys, token = opened
    response = _post(client, token, _body(snapshot, keys, **{keys[0]: {"result": "maybe"}}))
    assert response.status_code == 422


def test_malformed_json_is_400(client, opened):
    _, _, token = opened
    response = client.post(
        "/api/submissions",
        data="not json",
        headers={
            "X-CSRFToken": token,
            "Idempotency-Key": "key-0001-abcdef",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400


def test_a_post_without_csrf_token_is_400_json(client):
    response = client.post("/api/submissions", json={}, headers={"Idempotency-Key": "key-0001-abcdef"})
    assert response.status_code == 400
    assert "表单已失效" in response.json["errors"][0]


def test_signed_out_clients_get_401_json(client, auth):
    token = auth.token("/login")  # a valid token of this (signed-out) session
    response = client.post(
        "/api/submissions", json={}, headers={"X-CSRFToken": token, "Idempotency-Key": "key-0001-abcdef"}
    )
    assert response.status_code == 401
    assert response.json == {"errors": ["请先登录。"]}


def test_another_inspectors_checklist_cannot_be_submitted(client, auth, opened):
    snapshot, keys, _ = opened
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("wang")
    token = auth.token()
    response = _post(client, token, _body(snapshot, keys))
    assert response.status_code == 403


def test_a_fresh_csrf_token_can_be_fetched_for_a_replay(client, opened):
    response = client.get("/api/csrf")
    assert response.status_code == 200 and response.json["csrf_token"]
