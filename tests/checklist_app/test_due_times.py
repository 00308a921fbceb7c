"""A check due several times a day: one line per time on the form, answered, fined and stored apart."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from checklist_app.extensions import storage

from .conftest import DAY, PASSWORD, SHANGHAI, csrf_from, form_fields, item_keys, make_test_app

DAILY = "/checklists/daily/2026-11-23/role:售前客服"
SERVICE = "20-客服/service.md"


@pytest.fixture
def timed_app(tmp_path, handbook_dir, sample_site, clock, accounts):
    path = handbook_dir / SERVICE
    text = path.read_text(encoding="utf-8")
    assert "频率: 每日\n对象: 售前客服, 售后客服" in text
    path.write_text(
        text.replace(
            "频率: 每日\n对象: 售前客服, 售后客服",
            "频率: 每日 09:00、14:00、17:30\n对象: 售前客服, 售后客服",
            1,
        ),
        encoding="utf-8",
    )
    return make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts)


@pytest.fixture
def page(timed_app, auth_timed):
    return auth_timed.get(DAILY).get_data(as_text=True)


@pytest.fixture
def auth_timed(timed_app):
    client = timed_app.test_client()
    login = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "zhang", "password": PASSWORD, "csrf_token": csrf_from(login)})
    return client


def test_each_time_is_its_own_line_in_time_order(page):
    assert item_keys(page)[:3] == ["cs-response-avg@09:00", "cs-response-avg@14:00", "cs-response-avg@17:30"]
    for time in ("09:00", "14:00", "17:30"):
        assert f'<span class="badge">每日 {time}</span>' in page
        assert f'name="result-cs-response-avg@{time}"' in page


def test_one_missed_time_is_one_failure_fined_once_and_the_record_says_which(auth_timed, page, clock):
    clock.set(dt.datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI))  # every time of the day has come
    data = form_fields(page)
    for key in item_keys(page):
        failed = key == "cs-response-avg@14:00"
        data[f"result-{key}"] = "fail" if failed else "pass"
        data[f"note-{key}"] = ""
        data[f"responsible-{key}"] = "小李" if failed else ""
    response = auth_timed.post("/checklists/submit", data=data)
    assert response.status_code == 302
    record = auth_timed.get(response.headers["Location"]).get_data(as_text=True)
    assert [f"时间：{t}" in record for t in ("09:00", "14:00", "17:30")] == [True, True, True]
    assert record.count("罚款 50 元") == 1  # the 14:00 occurrence only
    with auth_timed.application.app_context():
        (stored,) = storage().completions.list(DAY, DAY)
    items = {i["key"]: i for i in stored["items"]}
    assert {k: (i["check_id"], i["time"], i["result"]) for k, i in items.items() if "@" in k} == {
        "cs-response-avg@09:00": ("cs-response-avg", "09:00", "pass"),
        "cs-response-avg@14:00": ("cs-response-avg", "14:00", "fail"),
        "cs-response-avg@17:30": ("cs-response-avg", "17:30", "pass"),
    }
    assert stored["score"]["fines"] == 50


def _all_pass(page: str) -> dict:
    data = form_fields(page)
    for key in item_keys(page):
        data[f"result-{key}"] = "pass"
        data[f"note-{key}"] = ""
        data[f"responsible-{key}"] = ""
    return data


def test_a_time_that_has_not_come_is_locked_on_the_form(page):
    """At 09:30 the 09:00 check can be done; the 14:00 and 17:30 ones cannot, yet."""
    items = re.findall(r'<li class="item( is-locked)?" data-key="([^"]+)"', page)
    locked = {key for flag, key in items if flag}
    assert locked == {"cs-response-avg@14:00", "cs-response-avg@17:30"}
    assert "14:00 起检查" in page and "17:30 起检查" in page
    assert re.search(r'name="result-cs-response-avg@17:30" value="pass"\s*disabled', page)
    assert not re.search(r'name="result-cs-response-avg@09:00" value="pass"\s*disabled', page)


def test_an_answer_before_its_time_is_refused_and_nothing_is_stored(auth_timed, page, clock):
    clock.set(dt.datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI))
    response = auth_timed.post("/checklists/submit", data=_all_pass(page))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "要到 17:30 才能检查（现在 16:00）" in body and "要到 14:00" not in body
    with auth_timed.application.app_context():
        assert storage().completions.list(DAY, DAY) == []
    clock.set(dt.datetime(2026, 11, 23, 17, 30, tzinfo=SHANGHAI))
    assert auth_timed.post("/checklists/submit", data=_all_pass(page)).status_code == 302


def test_a_past_days_checklist_is_never_locked(auth_timed, clock):
    """After midnight (within the grace period) yesterday's times have all passed."""
    page = auth_timed.get(DAILY).get_data(as_text=True)
    clock.set(dt.datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI))
    assert auth_timed.post("/checklists/submit", data=_all_pass(page)).status_code == 302
