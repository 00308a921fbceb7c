"""Publish once: the draft reaches the site and the checklists together, only when published.

``handbook/`` is the draft. These tests save files as an owner would and check that neither the
handbook site nor the checklists change until 管理 → 发布 (or ``make publish``), that one publish
switches both, that a rollback returns both, and that every app instance follows.
"""

from __future__ import annotations

import datetime as dt

from checklist_app import audit, create_app
from checklist_app.extensions import storage

from .conftest import publish

SERVICE = "20-客服/service.md"
DAILY = "/checklists/daily/2026-11-24/role:售前客服"  # tomorrow's: never opened, so never frozen
PAGE = "/handbook/20-客服/service/"
NEW_CHECK = """
/// 检查 | cs-greeting
首次回复买家时使用标准问候语并报工号。
频率: 每日
对象: 售前客服
检查人: 客服主管
区域: 客服后台
罚款: 10元
///
"""
NEW_TEXT = "首次回复买家时使用标准问候语并报工号"


def add_greeting_check(handbook_dir):
    path = handbook_dir / SERVICE
    text = path.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"')
    marker = "## 第二条 退款处理"
    path.write_text(text.replace(marker, NEW_CHECK.lstrip() + "\n" + marker), encoding="utf-8")


def text_of(client, path) -> str:
    with client.get(path) as response:
        assert response.status_code == 200, path
        return response.get_data(as_text=True)


def rollback(client, token, number):
    return client.post("/admin/publish/rollback", data={"csrf_token": token, "number": number})


def publish_form(client, auth, note=""):
    return client.post("/admin/publish/", data={"csrf_token": auth.token("/admin/publish/"), "note": note})


def test_the_first_release_is_published_by_itself_on_a_fresh_instance(app):
    releases = app.extensions["checklist_releases"]
    first = releases.current()
    assert first.number == 1 and first.note == "首次发布（自动）" and first.by == "system"
    assert {p.id for p in first.policies} >= {"cs-service"}
    assert first.policy("cs-service").version == "2.0"
    assert first.policy("cs-service").clauses["cs-response"]  # every clause's hash is recorded


def test_saving_changes_nothing_until_publish_and_one_publish_switches_site_and_checklists(
    app, client, auth, handbook_dir, clock
):
    clock.advance(dt.timedelta(hours=12))  # 21:30, still Monday: tomorrow's checklist is not open
    auth.login("zhao")  # a policy owner
    add_greeting_check(handbook_dir)
    # Saved: nothing served changes, not the checklist, not the site page.
    assert NEW_TEXT not in text_of(client, "/checklists/daily/2026-11-23/role:售前客服")
    assert NEW_TEXT not in text_of(client, PAGE)
    # 管理 → 发布 lists what the draft changes against the current release.
    page = text_of(client, "/admin/publish/")
    assert "客服管理制度" in page and "版本 2.0 → 2.1" in page and "1 个条款有改动" in page
    response = publish_form(client, auth, "增加问候语检查")
    assert response.status_code == 302
    assert "已发布第 2 版" in text_of(client, "/admin/publish/")
    # One publish: the new item on the checklist and the new text on the site, together.
    assert NEW_TEXT in text_of(client, PAGE)
    clock.advance(dt.timedelta(hours=3))  # Tuesday 00:30
    auth.login("zhang")
    assert NEW_TEXT in text_of(client, DAILY)
    release = app.extensions["checklist_releases"].current()
    assert (release.number, release.by, release.note) == (2, "zhao", "增加问候语检查")
    assert release.policy("cs-service").version == "2.1"


def test_a_broken_draft_is_refused_with_its_problems_and_nothing_changes(app, client, auth, handbook_dir):
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8").replace("频率: 每日\n对象: 售前", "频率: 每天两次\n对象: 售前"),
        encoding="utf-8",
    )
    auth.login("zhao")
    response = publish_form(client, auth)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "草稿有 1 个错误，没有发布" in html
    assert "20-客服/service.md:20</code>" in html and "每天两次" in html
    assert app.extensions["checklist_releases"].pointer().number == 1


def test_an_admin_rolls_back_both_and_an_owner_may_not(app, client, auth, handbook_dir, clock):
    add_greeting_check(handbook_dir)
    publish(app)  # release 2, with the greeting check and its site page
    auth.login("zhao")
    token = auth.token("/admin/publish/")
    assert rollback(client, token, "1").status_code == 403
    assert "回滚到第 1 版" not in text_of(client, "/admin/publish/")
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("admin")
    page = text_of(client, "/admin/publish/")
    assert "回滚到第 1 版" in page
    token = auth.token("/admin/publish/")
    response = rollback(client, token, "1")
    assert response.status_code == 302
    assert NEW_TEXT not in text_of(client, PAGE)
    assert NEW_TEXT not in text_of(client, "/checklists/daily/2026-11-23/role:售前客服")
    # Bad or pointless requests are 4xx in Chinese, never a 500.
    assert rollback(client, token, "x").status_code == 400
    assert rollback(client, token, "9").status_code == 404
    assert rollback(client, token, "1").status_code == 409
    with app.app_context():
        [entry] = audit.entries(
            storage(), dt.date(2026, 11, 23), dt.date(2026, 11, 23), action="handbook.rollback"
        )
    assert entry.actor == "admin" and entry.changes == [("cs-service", "2.1", "2.0")]


def test_a_second_instance_follows_a_publish_and_a_rollback(app, handbook_dir, clock):
    other = create_app({**app.config, "CLOCK": clock, "RELOAD_INTERVAL": 0})
    follower = other.extensions["checklist_handbook"]
    assert follower.state.release.number == 1
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("不超过50秒。\n频率", "不超过45秒。\n频率"),
        encoding="utf-8",
    )
    publish(app, quick=True)
    state = follower.state
    assert state.release.number == 2 and "不超过45秒" in state.handbook.check("cs-response-avg").text
    assert state.site == follower.releases.site_dir(2)  # its site is the same release's
    with app.app_context():
        from checklist_app import publishing

        publishing.rollback(app.extensions["checklist_releases"], storage(), clock, 1, None)
    assert follower.state.release.number == 1


def test_an_instance_checks_the_pointer_only_every_interval(app, handbook_dir, clock):
    other = create_app({**app.config, "CLOCK": clock, "RELOAD_INTERVAL": 3600})
    publish(app, quick=True)
    assert other.extensions["checklist_handbook"].state.release.number == 1  # not yet looked
    assert other.extensions["checklist_handbook"].refresh(force=True).release.number == 2


def test_make_publish_and_make_rollback_on_the_command_line(app, handbook_dir):
    runner = app.test_cli_runner()
    path = handbook_dir / SERVICE
    path.write_text(path.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"'), "utf-8")
    result = runner.invoke(args=["publish", "--note", "命令行发布", "--by", "zhao"])
    assert result.exit_code == 0, result.output
    assert "已发布第 2 版" in result.output
    releases = app.extensions["checklist_releases"]
    assert releases.current().by == "zhao" and (releases.site_dir(2) / "index.html").is_file()
    result = runner.invoke(args=["rollback"])
    assert result.exit_code == 0 and "已回滚到第 1 版" in result.output
    assert releases.pointer().number == 1
    result = runner.invoke(args=["rollback"])
    assert result.exit_code == 1 and "第 1 版之前没有更早的版本" in result.output
    path.write_text(
        path.read_text(encoding="utf-8").replace("频率: 每日\n对象: 售前", "频率: 每天两次\n对象: 售前"),
        "utf-8",
    )
    result = runner.invoke(args=["publish"])
    assert result.exit_code == 1 and "service.md:20" in result.output and "没有发布" in result.output


def test_a_changed_policy_without_a_new_version_is_refused_and_the_page_offers_the_next(
    app, client, auth, handbook_dir
):
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8").replace("不超过50秒。\n频率", "不超过45秒。\n频率"), encoding="utf-8"
    )
    auth.login("zhao")
    page = text_of(client, "/admin/publish/")
    assert (
        "20-客服/service.md:5</code> 制度 cs-service 的内容自第 1 版发布后有修改，但 version 仍是 2.0" in page
    )
    assert "把版本改为 2.1" in page
    response = publish_form(client, auth, "忘了改版本")
    assert response.status_code == 422
    assert "version: &#34;2.1&#34;" in response.get_data(as_text=True)  # the fix, in the hint
    assert app.extensions["checklist_releases"].pointer().number == 1
    # The offered version is written into the draft file, on its own line, nothing else touched.
    before = path.read_text(encoding="utf-8")
    token = auth.token("/admin/publish/")
    assert (
        client.post("/admin/publish/version", data={"csrf_token": token, "policy": "cs-service"}).status_code
        == 302
    )
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('version: "2.0"', 'version: "2.1"')
    assert "把版本改为" not in text_of(client, "/admin/publish/")
    assert (
        client.post("/admin/publish/version", data={"csrf_token": token, "policy": "cs-service"}).status_code
        == 409
    )
    assert publish_form(client, auth, "响应时间改为45秒").status_code == 302
    assert app.extensions["checklist_releases"].current().policy("cs-service").version == "2.1"


def test_a_lower_version_is_refused_and_only_dates_may_change_without_one(app, handbook_dir):
    from checklist_app.publishing import PublishRefused

    path = handbook_dir / SERVICE
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("review: 2099-06-30", "review: 2099-12-31"), encoding="utf-8")
    assert publish(app, quick=True).number == 2  # a new review date alone needs no new version
    path.write_text(good.replace('version: "2.0"', 'version: "1.9"'), encoding="utf-8")
    try:
        publish(app, quick=True)
    except PublishRefused as exc:
        [problem] = exc.problems
        assert problem.code == "version-lowered" and "低于第 2 版已发布的 2.0" in problem.message
    else:
        raise AssertionError("a lower version was published")


def test_a_version_effective_later_is_announced_on_the_site_and_the_checklists_switch_that_day(
    app, client, auth, handbook_dir, clock
):
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("effective: 2026-03-01", "effective: 2026-12-01")
        .replace("不超过50秒。\n频率", "不超过45秒。\n频率"),
        encoding="utf-8",
    )
    release = publish(app, "12月起45秒")
    assert (release.schedule, release.final_from) == (("2026-11-23",), "2026-12-01")
    # Until 1 December: the rules in force, with the new version announced beside them.
    site = text_of(client, PAGE)
    assert "将于 2026-12-01 生效：第 2.1 版" in site and "第一条 响应时间（修改）" in site
    assert "不超过50秒" in site and "不超过45秒" not in site
    clock.set(dt.datetime(2026, 11, 30, 9, 0, tzinfo=clock.now().tzinfo))
    auth.login("zhang")
    day_before = text_of(client, "/checklists/daily/2026-11-30/role:售前客服")
    assert "不超过50秒" in day_before and "不超过45秒" not in day_before
    # On the day: the new version, on the checklists and the site at once, with no publish.
    clock.set(dt.datetime(2026, 12, 1, 0, 5, tzinfo=clock.now().tzinfo))
    auth.login("zhang")
    on_the_day = text_of(client, "/checklists/daily/2026-12-01/role:售前客服")
    assert "不超过45秒" in on_the_day and "版本 2.1" in on_the_day
    site = text_of(client, PAGE)
    assert "不超过45秒" in site and "将于 2026-12-01 生效" not in site


def test_the_publish_page_shows_the_reworded_clause_and_the_items_per_target(client, auth, handbook_dir):
    path = handbook_dir / SERVICE
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("不得超过50秒", "不得超过45秒")
        .replace("不超过50秒。\n频率", "不超过45秒。\n频率"),
        encoding="utf-8",
    )
    auth.login("zhao")
    page = text_of(client, "/admin/publish/")
    assert "条款改动（1 条）" in page
    assert "平均响应时间不得超过<del>50</del><ins>45</ins>秒" in page
    assert "岗位 售前客服" in page and "改动 1 项" in page
    assert "客服平均响应时间不超过<del>50</del><ins>45</ins>秒" in page  # the item's wording


def test_servers_on_separate_machines_starting_at_once_publish_the_first_release_once(
    tmp_path, handbook_dir, sample_site, clock, pg_url
):
    import threading

    from checklist_app import publishing
    from checklist_app.config import PROJECT
    from checklist_app.storage import open_storage
    from checklist_app.storage.pg.releases import PostgresReleaseStore

    shared = open_storage("postgresql", "", database_url=pg_url)
    try:
        # Two instance folders: the file lock publish_first takes is each machine's own.
        servers = [PostgresReleaseStore(shared.database, tmp_path / name / "releases") for name in "ab"]
        start, results = threading.Barrier(2), []

        def first(releases):
            start.wait()
            results.append(
                publishing.publish_first(
                    releases, shared, clock, handbook_dir, PROJECT / "mkdocs.yml", sample_site
                )
            )

        threads = [threading.Thread(target=first, args=(r,)) for r in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert sorted(r is None for r in results) == [False, True]
        assert servers[0].numbers() == [1] and servers[1].pointer().number == 1
        assert len(audit.entries(shared, dt.date.min, dt.date.max, action="handbook.publish")) == 1
    finally:
        shared.close()


def test_a_release_whose_archive_is_damaged_is_refused_on_the_status_page_and_the_last_one_served(
    tmp_path, handbook_dir, sample_site, clock, accounts, pg_url
):
    from .conftest import Auth, make_test_app

    a = make_test_app(
        handbook_dir, sample_site, tmp_path / "a" / "data", clock, accounts, DATABASE_URL=pg_url
    )
    b = make_test_app(handbook_dir, sample_site, tmp_path / "b" / "data", clock, DATABASE_URL=pg_url)
    try:
        assert b.extensions["checklist_handbook"].state.release.number == 1
        path = handbook_dir / SERVICE
        path.write_text(
            path.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"'), encoding="utf-8"
        )
        publish(a, quick=True)
        with a.extensions["checklist_storage"].database.transaction() as cur:
            cur.execute("UPDATE releases SET archive = %s WHERE number = 2", (b"cut off",))
        state = b.extensions["checklist_handbook"].refresh(force=True)
        assert state.release.number == 1  # b keeps serving what it has
        client = b.test_client()
        Auth(client).login("admin")
        page = client.get("/admin/handbook").get_data(as_text=True)
        assert "第 2 版制度包已损坏" in page and "重新发布" in page
    finally:
        a.extensions["checklist_storage"].close()
        b.extensions["checklist_storage"].close()
