"""操作记录: back-fills, account and people changes are logged; admins read, filter and export them."""

from __future__ import annotations

import datetime as dt

from checklist_app import audit
from checklist_app.extensions import storage

from .conftest import publish
from .test_due import EARLIER, _record, _submit


def test_a_backfill_is_logged_with_who_when_and_why(app, client, auth):
    auth.login("admin")
    record = _record(app, _submit(client, EARLIER, backfill_reason="纸质表已存档"))
    with app.app_context():
        [entry] = audit.entries(
            storage(), dt.date(2026, 11, 23), dt.date(2026, 11, 23), action="checklist.backfill"
        )
    assert (entry.action, entry.actor, entry.subject) == ("checklist.backfill", "admin", record["id"])
    assert entry.at == "2026-11-23T09:30:00+08:00"
    assert entry.after["reason"] == "纸质表已存档" and entry.after["day"] == "2026-11-20"


def test_admins_read_filter_and_export_the_log(app, client, auth):
    auth.login("admin")
    _submit(client, EARLIER, backfill_reason="纸质表已存档")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "补录清单" in html and "纸质表已存档" in html and "2026-11-23 09:30 (UTC+8)" in html
    filtered = client.get("/admin/audit?action=account.create").get_data(as_text=True)
    assert "纸质表已存档" not in filtered and "这段时间没有操作记录" in filtered
    csv = client.get("/admin/audit.csv").get_data().decode("utf-8-sig")
    assert "补录清单" in csv and "纸质表已存档" in csv
    assert client.get("/admin/audit.xlsx").status_code == 200


def test_an_account_change_reads_in_chinese_on_the_page_and_in_the_export(client, auth):
    auth.login("admin")
    page = client.get("/admin/users/zhang").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/admin/users/zhang", data={"permission": "owner", "csrf_token": token})
    client.post("/admin/users/zhang/disable", data={"csrf_token": token})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<dt>权限</dt><dd><del>巡检员</del> → <ins>制度负责人</ins></dd>" in html
    assert "<dt>已停用</dt><dd><del>否</del> → <ins>是</ins></dd>" in html
    assert "<del>inspector</del>" not in html and "<ins>true</ins>" not in html
    csv = client.get("/admin/audit.csv").get_data().decode("utf-8-sig")
    assert "权限: 巡检员 → 制度负责人" in csv and "已停用: 否 → 是" in csv


def test_only_admins_read_the_log(client, auth):
    auth.login("zhao")
    assert client.get("/admin/audit").status_code == 403


def test_a_bad_filter_is_a_clear_400(client, auth):
    auth.login("admin")
    assert client.get("/admin/audit?action=drop-table").status_code == 400
    assert client.get("/admin/audit?from=2026-11-30&to=2026-11-01").status_code == 400


def test_passwords_never_reach_the_log(app):
    with app.app_context():
        entry = audit.record(
            storage(),
            app.extensions["checklist_clock"],
            None,
            "account.create",
            "new",
            after={"username": "new", "password": "secret-1234", "password_hash": "scrypt:..."},
        )
    assert entry.after == {"username": "new"} and entry.actor == "system"


def test_each_release_is_logged_once_whatever_the_number_of_workers(app, handbook_dir, clock):
    from checklist_app import create_app

    with app.app_context():
        [first] = audit.entries(
            storage(), dt.date(2026, 11, 23), dt.date(2026, 11, 23), action="handbook.publish"
        )
    assert first.after["cs-service"] == "2.0" and first.actor == "system"
    # A second worker on the same data follows the same release: nothing new is logged.
    other = create_app({**app.config, "CLOCK": clock})
    # A policy owner publishes a new version; both workers switch to it, one entry is written.
    path = handbook_dir / "20-客服/service.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"'), encoding="utf-8"
    )
    clock.advance(dt.timedelta(minutes=5))
    publish(app, quick=True, actor={"username": "zhao", "display_name": "Zhao"}, note="响应时间")
    for worker in (app, other):
        assert worker.extensions["checklist_handbook"].refresh().release.number == 2
    with app.app_context():
        found = audit.entries(
            storage(), dt.date(2026, 11, 23), dt.date(2026, 11, 23), action="handbook.publish"
        )
    assert len(found) == 2
    latest = found[0]
    assert latest.changes == [("cs-service", "2.0", "2.1")]
    assert latest.actor == "zhao" and latest.note == "响应时间" and "第 2 版" in latest.subject
