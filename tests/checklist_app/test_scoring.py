"""Scores follow the handbook's score sheet exactly, and are recomputed identically from storage."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app import services
from checklist_app.clock import FrozenClock
from checklist_app.generation import Target
from checklist_app.storage import open_storage

from .conftest import DAY, HYGIENE_INSPECTOR, csrf_from, form_fields, item_keys, noon
from .conftest import complete as complete_checklist

INSPECTOR = HYGIENE_INSPECTOR


@pytest.fixture
def store():
    return open_storage("memory", "")


def complete(handbook, store, target, failures, day=DAY, user=INSPECTOR):
    return complete_checklist(handbook, store, target, failures, day, user)


SAME_PLACES = {"hy-desk": 2, "hy-floor": 1}  # three person-places fail in every department


@pytest.mark.parametrize(
    ("department", "headcount", "band", "per_place"),
    [("客服部", 12, "十人以上部门", 1), ("仓储部", 8, "十人以下部门", 2), ("运营部", 4, "五人以下部门", 3)],
)
def test_hygiene_deducts_per_person_per_place_by_department_size(
    handbook, store, department, headcount, band, per_place
):
    record = complete(handbook, store, Target("department", department), SAME_PLACES)
    score = record["scores"]["hygiene"]
    assert (score["band"], score["headcount"]) == (band, headcount)
    assert score["deducted"] == 3 * per_place
    assert score["value"] == 100 - 3 * per_place
    assert [i["deduct"] for i in record["items"] if i["check_id"] == "hy-desk"] == [per_place]


def test_an_item_with_only_a_weight_loses_its_whole_weight(handbook, store):
    record = complete(handbook, store, Target("department", "客服部"), {"hy-wall": 1})
    assert record["scores"]["hygiene"]["value"] == 90


def test_a_weight_caps_what_repeated_failures_can_cost(handbook, store):
    # 盘点：分值 10，每处差异扣 2 分 — seven discrepancies cost 10, not 14.
    friday = dt.date(2026, 11, 20)
    boss = {"username": "wang", "permission": "inspector", "role": "仓储主管"}
    record = complete(handbook, store, Target("role", "仓库管理员"), {"wh-stocktake-weekly": 7}, friday, boss)
    assert record["scores"]["wh"]["value"] == 90


def test_a_score_never_goes_below_zero(handbook, store):
    record = complete(handbook, store, Target("department", "运营部"), {"hy-desk": 40})
    assert record["scores"]["hygiene"]["value"] == 0


def test_department_score_sheets_do_not_score_role_checklists(handbook, store):
    record = complete(handbook, store, Target("role", "售前客服"), {"hy-desk": 1})
    assert "hygiene" not in record["scores"]
    assert record["score"]["failed"] == 1  # still counted in the compliance rate


def test_fines_count_every_occurrence(handbook, store):
    boss = {"username": "zhang", "permission": "inspector", "role": "客服主管"}
    record = complete(handbook, store, Target("role", "售前客服"), {"cs-response-avg": 3}, user=boss)
    assert record["score"]["fines"] == 150  # 50 元/次 × 3


def test_the_stored_score_is_recomputed_identically_after_the_head_count_changes(
    handbook, store, handbook_copy
):
    record = complete(handbook, store, Target("department", "仓储部"), SAME_PLACES)
    stored = store.completions.find(record["id"])
    assert services.scores(stored) == stored["scores"] == record["scores"]
    assert services.score(stored) == stored["score"]
    # The department grows past ten people: new checklists use the new band, the stored one keeps its own.
    ref = handbook_copy / "reference.yml"
    ref.write_text(ref.read_text(encoding="utf-8").replace("人数: 8", "人数: 11"), encoding="utf-8")
    from generator import load_handbook

    grown = load_handbook(handbook_copy, today=DAY)
    later = complete(
        grown, store, Target("department", "仓储部"), SAME_PLACES, day=DAY + dt.timedelta(days=1)
    )
    assert later["scores"]["hygiene"]["value"] == 97
    assert services.scores(store.completions.find(record["id"]))["hygiene"]["value"] == 94


def test_a_count_must_be_a_whole_number(handbook, store):
    checklist = services.generate(handbook, "daily", "2026-11-23", Target("department", "客服部"), "行政专员")
    snapshot = services.start(store, checklist, FrozenClock(noon(DAY)))
    answers = {i["key"]: {"result": "pass"} for i in snapshot["items"]}
    answers["hy-desk"] = {"result": "fail", "responsible": "小王", "count": "两处"}
    with pytest.raises(services.SubmissionError) as error:
        services.submit(
            store, snapshot, answers, INSPECTOR, "key-bad-count", 500, clock=FrozenClock(noon(DAY))
        )
    assert "次数应是 1 到 999 的整数" in error.value.messages[0]


DEPARTMENT_PAGE = "/checklists/daily/2026-11-23/department:运营部"


def test_the_phone_form_shows_the_sheet_and_asks_how_many_for_failures(client, auth):
    auth.login("li")
    html = client.get(DEPARTMENT_PAGE).get_data(as_text=True)
    assert "办公卫生评分制度：满分 100 分 · 五人以下部门（4 人）" in html
    assert item_keys(html) == ["hy-desk", "hy-chair", "hy-floor", "hy-wall"]
    assert 'name="count-hy-desk"' in html and "每处扣 3 分" in html
    assert 'name="count-hy-wall"' not in html  # a weight-only item costs its weight, whatever the count
    data = {**form_fields(html)}
    for key in item_keys(html):
        data[f"result-{key}"] = "pass"
    data.update({"result-hy-desk": "fail", "responsible-hy-desk": "小周", "count-hy-desk": "2"})
    response = client.post("/checklists/submit", data=data)
    assert response.status_code == 302
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>94</strong> / 100" in record
    assert "2 人·处" in record and "扣 6 分" in record


def test_the_json_api_takes_counts(client, auth):
    auth.login("li")
    html = client.get(DEPARTMENT_PAGE).get_data(as_text=True)
    answers = {key: {"result": "pass"} for key in item_keys(html)}
    answers["hy-chair"] = {"result": "fail", "responsible": "小周", "count": 3}
    response = client.post(
        "/api/submissions",
        json={"snapshot_id": form_fields(html)["snapshot_id"], "answers": answers},
        headers={"X-CSRFToken": csrf_from(html), "Idempotency-Key": "api-count-0001"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["record"]["scores"]["hygiene"]["value"] == 91
