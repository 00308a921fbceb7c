"""Property: no request to any endpoint, however malformed, gets a 5xx; every refusal is in Chinese.

Hypothesis sends random paths, query strings, headers, form fields and JSON bodies
(deep, wrong-typed, with lone surrogates and control characters) as a signed-in
admin and as an inspector, with CSRF checks off so the bodies reach the code
behind them. The seed is fixed (derandomize), so a run finds the same cases on any day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import string
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklist_app.clock import FrozenClock

from ..conftest import HANDBOOKS
from .conftest import DAY, PASSWORD, SHANGHAI, make_test_app

CJK = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARAMS = ("date", "from", "to", "target", "inspector", "month", "policy", "period", "event", "next", "key")

# Text that breaks naive code: lone surrogates, controls, huge numbers, dates at the ends of time.
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\ud83d",
            "\x00",
            "\x0b",
            "²",
            "9999-12-31",
            "0001-01-01",
            "0999-12-31",
            "2026-W99",
            "2026-W48",
            "2026-11-23",
            "2026-02-30",
            "2026-13",
            "9999-12",
            "role:售前客服",
            "department:不存在的部门",
            "x" * 300,
            "/%09/evil.example",
            "//evil.example",
            "\n/x",
            "csv",
            "xlsx",
            "hygiene",
            "活动上线前",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, sample_site, accounts):
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(HANDBOOKS / "good", root / "handbook")
    clock = FrozenClock(dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=SHANGHAI))
    # CSRF off so random bodies reach the code behind the token check.
    return make_test_app(
        root / "handbook",
        sample_site,
        root / "data",
        clock,
        accounts,
        WTF_CSRF_ENABLED=False,
        RELOAD_INTERVAL=3600,
    )


def _client(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture(scope="module")
def admin(fuzz_app):
    return _client(fuzz_app, "admin")


@pytest.fixture(scope="module")
def inspector(fuzz_app):
    return _client(fuzz_app, "zhang")


def _snapshot_id(client) -> str:
    html = client.get("/checklists/daily/2026-11-23/role:售前客服").get_data(as_text=True)
    return re.search(r'name="snapshot_id" value="([^"]+)"', html).group(1)


def assert_clean_refusal(response) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    if response.is_json:
        text = json.dumps(response.get_json(), ensure_ascii=False)
    if response.status_code >= 400 and response.status_code != 405:
        assert CJK.search(text), text[:300]


def _segment(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


PAGES = (
    "/",
    "/history",
    "/history/{x}",
    "/history/{x}/print",
    "/history/{x}.pdf",
    "/history/{x}/photos/{y}",
    "/checklists/{x}/{y}/{z}",
    "/checklists/daily/{x}/role:售前客服",
    "/checklists/weekly/{x}/role:仓库管理员",
    "/checklists/event/2026-11-23/{x}",
    "/checklists/start-event",
    "/reports/",
    "/reports/rankings",
    "/reports/rankings.{x}",
    "/reports/ledger",
    "/reports/ledger.{x}",
    "/admin/handbook",
    "/admin/users",
    "/admin/users/{x}",
    "/account/password",
    "/handbook/{x}",
    "/api/csrf",
    "/login",
    "/admin/publish/",
    "/admin/reading",
    "/reading",
    "/reading/{x}",
    "/changes/{x}",
    "/offline/precache",
    "/offline",
    "/sw.js",
    "/manifest.webmanifest",
    "/tls/ca.crt",
)


@FUZZ
@given(
    page=st.sampled_from(PAGES),
    parts=st.tuples(nasty_text, nasty_text, nasty_text),
    query=st.dictionaries(st.sampled_from(PARAMS), nasty_text, max_size=4),
    who=st.sampled_from(["admin", "inspector"]),
)
def test_no_get_gets_a_server_error(admin, inspector, page, parts, query, who):
    x, y, z = (_segment(p) or "x" for p in parts)
    path = page.format(x=x, y=y, z=z)
    qs = "&".join(f"{_segment(k)}={_segment(v)}" for k, v in query.items())
    client = admin if who == "admin" else inspector
    assert_clean_refusal(client.get(f"{path}?{qs}" if qs else path))


@FUZZ
@given(body=json_values, key=nasty_text, content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_no_json_body_gets_a_server_error(inspector, body, key, content_type):
    data = json.dumps(body, ensure_ascii=True)  # lone surrogates travel as \\ud83d escapes
    headers = {"Idempotency-Key": key.replace("\n", "").replace("\r", "")}
    if content_type:
        headers["Content-Type"] = content_type
    assert_clean_refusal(inspector.post("/api/submissions", data=data, headers=headers))


@FUZZ
@given(
    answers=st.dictionaries(
        st.sampled_from(["cs-response-avg", "cs-refund-24h", "cs-review-neutral", "unknown"]) | nasty_text,
        json_values
        | st.fixed_dictionaries(
            {},
            optional={
                "result": st.sampled_from(["pass", "fail", "na"]) | json_values,
                "note": json_values,
                "responsible": json_values,
                "count": json_values,
            },
        ),
        max_size=5,
    ),
    reason=json_values,
)
def test_no_answers_get_a_server_error(fuzz_app, admin, answers, reason):
    body = {"snapshot_id": _snapshot_id(admin), "answers": answers, "backfill_reason": reason}
    response = admin.post(
        "/api/submissions",
        data=json.dumps(body),
        headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"},
    )
    assert_clean_refusal(response)


@FUZZ
@given(
    endpoint=st.sampled_from(["/checklists/submit", "/login", "/logout", "/admin/users", "/admin/users/li"]),
    form=st.dictionaries(
        st.sampled_from(
            [
                "snapshot_id",
                "idempotency_key",
                "backfill_reason",
                "username",
                "password",
                "permission",
                "role",
            ]
        )
        | st.text(alphabet=string.ascii_lowercase + "-", max_size=30).map(lambda k: "result-" + k),
        nasty_text,
        max_size=6,
    ),
)
def test_no_form_post_gets_a_server_error(fuzz_app, endpoint, form):
    client = _client(fuzz_app, "admin")
    safe = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in form.items()}
    assert_clean_refusal(client.post(endpoint, data=safe))
