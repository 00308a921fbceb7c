"""Everyone sees what changed: 变更记录 on the site, version history, 新/改 marks, old records' diffs."""

from __future__ import annotations

import datetime as dt
import re

from .conftest import form_answers, form_fields, item_keys, publish
from .test_publishing import NEW_TEXT, SERVICE, add_greeting_check, text_of

TODAY_CS = "/checklists/daily/2026-11-23/role:售前客服"


def reword(handbook_dir):
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.1"', 'version: "2.2"')
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("不得超过50秒", "不得超过45秒"),
        encoding="utf-8",
    )


def test_the_site_has_a_change_log_and_each_policy_its_version_history(app, client, handbook_dir):
    add_greeting_check(handbook_dir)  # 2.0 → 2.1, a new check in 第一条
    publish(app, "增加问候语检查")
    log = text_of(client, "/handbook/变更记录/")
    assert 'id="r2"' in log and "第 2 版 · 2026-11-23" in log and "增加问候语检查" in log
    assert 'id="r2-cs-service"' in log and "客服管理制度（2.0 → 2.1）" in log
    assert 'id="r2-cs-response"' in log
    assert "<ins>" in log and NEW_TEXT in log  # the added check, marked as inserted text
    page = text_of(client, "/handbook/20-客服/service/")
    assert "版本历史" in page
    assert re.search(r'href="\.\./\.\./%E5%8F%98%E6%9B%B4%E8%AE%B0%E5%BD%95/#r2-cs-service"', page), page[
        -3000:
    ]


def test_changed_and_new_items_are_marked_for_fourteen_days_with_the_change_one_tap_away(
    app, client, auth, handbook_dir, clock
):
    add_greeting_check(handbook_dir)
    publish(app, quick=True)
    auth.login("zhang")
    html = text_of(client, TODAY_CS)
    new = re.search(r'<a class="badge mark mark-new" href="([^"]+)"[^>]*>新</a>', html)
    assert new and new.group(1) == "/handbook/%E5%8F%98%E6%9B%B4%E8%AE%B0%E5%BD%95/#r2-cs-response"
    assert html.count(">改</a>") == 1  # cs-response-avg: its clause 第一条 changed
    assert html.count(">新</a>") == 1  # cs-greeting
    clock.set(dt.datetime(2026, 12, 7, 9, 0, tzinfo=clock.now().tzinfo))  # day 15
    auth.login("zhang")
    assert "mark-" not in text_of(client, "/checklists/daily/2026-12-07/role:售前客服")


def test_an_old_record_links_to_the_diff_from_its_version_to_the_current(app, client, auth, handbook_dir):
    auth.login("zhang")
    page = text_of(client, "/checklists/daily/2026-11-23/role:售前客服")
    response = client.post("/checklists/submit", data={**form_fields(page), **form_answers(item_keys(page))})
    record_url = response.headers["Location"]
    reword(handbook_dir)
    publish(app, quick=True)
    record = text_of(client, record_url)
    assert "该条款已在之后修改（当时版本 2.0，现行版本 2.1）" in record
    link = re.search(r'<a href="(/changes/cs-service\?from=2\.0)">看改了什么</a>', record)
    assert link
    diff = text_of(client, link.group(1).replace("&amp;", "&"))
    assert "客服管理制度：2.0 版以来的改动" in diff
    assert "不得超过<del>50</del><ins>45</ins>秒" in diff
    assert client.get("/changes/cs-service?from=9.9").status_code == 404
    assert client.get("/changes/cs-service").status_code == 400
