"""CSRF tokens masked afresh in every response (BREACH): never the same bytes twice, each one valid,
a wrong one refused in Chinese, and a token from a page cached before masking still accepted."""

from __future__ import annotations

import brotli
import pytest

from checklist_app.csrf_tokens import mask, unmask

from .conftest import DAY, csrf_from, form_answers, form_fields, item_keys

DAILY = f"/checklists/daily/{DAY.isoformat()}/role:售后客服"
BR = {"Accept-Encoding": "gzip, deflate, br"}


def test_the_csrf_token_is_different_in_every_response_and_each_one_works(client, auth):
    auth.login("zhang")
    first, second = (client.get(DAILY, headers=BR) for _ in range(2))
    tokens = [csrf_from(brotli.decompress(r.get_data()).decode("utf-8")) for r in (first, second)]
    assert tokens[0] != tokens[1]  # never the same bytes twice: nothing for compression to match
    # The same session token underneath (Flask-WTF's ``payload.timestamp.signature``; the time may tick).
    assert unmask(tokens[0]).split(".")[0] == unmask(tokens[1]).split(".")[0]
    api = client.get("/api/csrf").json["csrf_token"]
    assert api not in tokens and unmask(api).split(".")[0] == unmask(tokens[0]).split(".")[0]
    html = brotli.decompress(second.get_data()).decode("utf-8")
    data = {**form_fields(html), **form_answers(item_keys(html)), "csrf_token": tokens[0]}
    response = client.post("/checklists/submit", data=data)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("token", ["m.AAAA", "m.%%%", "m.", mask("not-the-token")])
def test_a_wrong_masked_token_is_refused_in_chinese(client, auth, token):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    data = {**form_fields(html), **form_answers(item_keys(html)), "csrf_token": token}
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 400
    assert "表单已失效（可能停留太久或来自其他网站），请刷新页面后重试。" in response.get_data(as_text=True)


def test_mask_and_unmask_round_trip():
    assert unmask(mask("abc.def-123")) == "abc.def-123"
    assert mask("abc") != mask("abc")
    assert unmask("plain-token") == "plain-token"  # a page cached before masking still works
