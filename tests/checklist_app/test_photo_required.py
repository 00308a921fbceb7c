"""A check that asks for a photo (照片: 必须 / 不合格时): the checklist item and its snapshot carry the
rule, the page asks for the photo, and the server refuses a submission without it (422, naming the item)."""

from __future__ import annotations

import re

import pytest

from checklist_app import services
from checklist_app.clock import FrozenClock
from checklist_app.generation import Target
from checklist_app.photos import photo_id
from checklist_app.storage import open_storage
from generator import load_handbook

from ..conftest import TODAY, make_site_project
from .conftest import CS_LEAD, DAY, item_keys, noon
from .test_photos import jpeg, upload

DAILY = f"/checklists/daily/{DAY.isoformat()}/role:售前客服"
EVIDENCE = """---
id: cs-evidence
title: 客服现场
owner: 客服主管
version: "1"
effective: 2026-01-01
review: 2099-01-01
applies_to: [售前客服]
---

## 第一条 工位 {#ce-desk}

工位每天下班前整理干净，拍照存档；发现杂乱的拍照留证。

/// 检查 | ce-desk-photo
下班前工位已整理干净并拍照存档。
频率: 每日
对象: 售前客服
检查人: 客服主管
照片: 必须
///

/// 检查 | ce-desk-mess
工位无杂物、无食品。
频率: 每日
对象: 售前客服
检查人: 客服主管
照片: 不合格时
///
"""
ALWAYS, ON_FAIL = "ce-desk-photo", "ce-desk-mess"


@pytest.fixture
def handbook_dir(tmp_path, good_root):
    root = make_site_project(tmp_path / "project", good_root) / "handbook"
    (root / "20-客服" / "evidence.md").write_text(EVIDENCE, encoding="utf-8")
    return root


@pytest.fixture
def model(handbook_dir):
    return load_handbook(handbook_dir, today=TODAY)


def _clock():
    return FrozenClock(noon(DAY))


def _started(model, store):
    checklist = services.generate(model, "daily", DAY.isoformat(), Target("role", "售前客服"), "客服主管")
    return services.start(store, checklist, _clock())


def _submit(model, answers, photos=()):
    """Submit the 售前客服 checklist, every item passed except ``answers``; ``photos`` are stored first."""
    store = open_storage("memory", "")
    for data in photos:
        store.photos.put(photo_id(data), data)
    snapshot = _started(model, store)
    full = {i["key"]: {"result": "pass"} for i in snapshot["items"]}
    full[ALWAYS] = {"result": "pass", "photos": [photo_id(p) for p in photos[:1]]}
    full.update(answers)
    record, _ = services.submit(store, snapshot, full, CS_LEAD, "key-evidence-1", 500, clock=_clock())
    return record


def test_the_checklist_item_and_its_snapshot_carry_the_photo_rule(model):
    snapshot = _started(model, open_storage("memory", ""))
    rules = {i["key"]: i.get("photo") for i in snapshot["items"]}
    assert (rules[ALWAYS], rules[ON_FAIL]) == ("always", "fail")
    assert {rule for key, rule in rules.items() if key not in (ALWAYS, ON_FAIL)} == {None}


def test_a_required_photo_makes_a_pass_without_one_a_422_naming_the_item(model):
    with pytest.raises(services.SubmissionError) as caught:
        _submit(model, {ALWAYS: {"result": "pass"}})
    assert caught.value.status == 422
    assert caught.value.messages == ["“下班前工位已整理干净并拍照存档。”要求拍照：请拍照或选照片后再提交。"]


def test_a_required_photo_is_stored_with_the_pass(model):
    data = jpeg(gps=False)
    record = _submit(model, {}, photos=(data,))
    item = next(i for i in record["items"] if i["key"] == ALWAYS)
    assert (item["result"], item["photos"]) == ("pass", [photo_id(data)])


def test_not_applicable_needs_no_photo(model):
    record = _submit(model, {ALWAYS: {"result": "na"}})
    assert next(i for i in record["items"] if i["key"] == ALWAYS)["result"] == "na"


def test_a_photo_on_failure_is_needed_only_when_the_item_fails(model):
    data = jpeg(gps=False)
    assert _submit(model, {ON_FAIL: {"result": "pass"}}, photos=(data,))  # passed: no photo needed
    with pytest.raises(services.SubmissionError) as caught:
        _submit(model, {ON_FAIL: {"result": "fail", "responsible": "小王"}}, photos=(data,))
    assert caught.value.messages == ["“工位无杂物、无食品。”要求拍照：请拍照或选照片后再提交。"]
    failed = {"result": "fail", "responsible": "小王", "photos": [photo_id(data)]}
    record = _submit(model, {ON_FAIL: failed}, photos=(data,))
    assert next(i for i in record["items"] if i["key"] == ON_FAIL)["photos"] == [photo_id(data)]


def _opened(client, auth):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    snapshot = re.search(r'name="snapshot_id" value="([^"]+)"', html).group(1)
    keys = item_keys(html)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return html, snapshot, keys, token


def _post(client, token, snapshot, answers, key="key-evidence-http"):
    return client.post(
        "/api/submissions",
        json={"snapshot_id": snapshot, "answers": answers},
        headers={"X-CSRFToken": token, "Idempotency-Key": key},
    )


def test_the_page_asks_for_the_photo_on_the_item_even_when_it_passes(client, auth):
    html, *_ = _opened(client, auth)
    always = re.search(
        rf'<li class="item wants-photo" data-key="{ALWAYS}" data-photo="always">(.*?)</li>', html, re.S
    )
    on_fail = re.search(rf'<li class="item" data-key="{ON_FAIL}" data-photo="fail">(.*?)</li>', html, re.S)
    assert always and on_fail
    assert '<span class="badge photo">必须拍照</span>' in always.group(1)
    assert "拍照或选照片（本项要求拍照）" in always.group(1)
    assert '<span class="badge photo">不合格时拍照</span>' in on_fail.group(1)
    assert "拍照或选照片（不合格时要求拍照）" in on_fail.group(1)


def test_the_json_endpoint_refuses_a_checklist_without_its_photo_then_takes_it_with_one(app, client, auth):
    _, snapshot, keys, token = _opened(client, auth)
    answers = {k: {"result": "pass"} for k in keys}
    refused = _post(client, token, snapshot, answers)
    assert refused.status_code == 422
    assert refused.json["errors"] == ["“下班前工位已整理干净并拍照存档。”要求拍照：请拍照或选照片后再提交。"]
    pid = upload(client, token, jpeg()).json["id"]
    answers[ALWAYS] = {"result": "pass", "photos": [pid]}
    stored = _post(client, token, snapshot, answers)
    assert stored.status_code == 201
    record = client.get(stored.json["url"]).get_data(as_text=True)
    assert f"/photos/{pid}" in record
