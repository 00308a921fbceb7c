"""Compressed answers (brotli, else gzip) for pages and JSON; static files keep their own copies.
The CSRF token's masking, which makes compressing pages safe (BREACH), is in test_csrf_tokens.py."""

from __future__ import annotations

import gzip
import json

import brotli

from .conftest import DAY, csrf_from, form_answers, form_fields, item_keys, make_test_app

DAILY = f"/checklists/daily/{DAY.isoformat()}/role:售后客服"
BR = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_is_sent_brotli_compressed_to_a_browser_that_accepts_it(client, auth):
    auth.login("zhang")
    response = client.get(DAILY, headers=BR)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = brotli.decompress(response.get_data()).decode("utf-8")
    assert "每日检查" in html and "</html>" in html
    assert len(response.get_data()) < len(html.encode("utf-8")) / 3


def test_gzip_when_brotli_is_not_accepted_and_nothing_when_neither_is(client, auth):
    auth.login("zhang")
    zipped = client.get(DAILY, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "每日检查" in gzip.decompress(zipped.get_data()).decode("utf-8")
    plain = client.get(DAILY, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "每日检查" in plain.get_data(as_text=True)


def test_json_is_compressed_and_small_answers_are_left_alone(client, auth):
    auth.login("zhang")
    small = client.get("/api/csrf", headers=BR)
    assert small.mimetype == "application/json" and "Content-Encoding" not in small.headers
    html = client.get(DAILY).get_data(as_text=True)
    answers = {key: {"result": "pass"} for key in item_keys(html)}
    response = client.post(
        "/api/submissions",
        json={"snapshot_id": form_fields(html)["snapshot_id"], "answers": answers},
        headers={**BR, "X-CSRFToken": csrf_from(html), "Idempotency-Key": "key-compressed-1"},
    )
    assert response.status_code == 201 and response.headers["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(response.get_data()))["record"]["items"]


def test_static_files_keep_their_own_compressed_copy_and_are_not_compressed_twice(client):
    response = client.get("/static/checklist.js", headers=BR)
    assert response.headers["Content-Encoding"] == "br"
    assert "checklist-form" in brotli.decompress(response.get_data()).decode("utf-8")
    response.close()


def test_a_pdf_download_is_sent_as_it_is(client, auth):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    data = {**form_fields(html), **form_answers(item_keys(html))}
    record = client.post("/checklists/submit", data=data, follow_redirects=True).request.path
    response = client.get(record + ".pdf", headers=BR)
    assert response.mimetype == "application/pdf" and "Content-Encoding" not in response.headers
    response.close()


def test_compression_can_be_turned_off_for_a_proxy_that_compresses(
    tmp_path, handbook_dir, sample_site, clock
):
    app = make_test_app(handbook_dir, sample_site, tmp_path / "off", clock, COMPRESS=False)
    response = app.test_client().get("/login", headers=BR)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert "登录" in response.get_data(as_text=True)
