"""The installable offline app: manifest, service worker scope and versions, what gets cached."""

from __future__ import annotations

import json

from checklist_app import offline

from .conftest import DAY


def test_the_service_worker_is_served_at_the_root_so_its_scope_is_the_whole_app(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    names = offline.shell_files(str(client.application.static_folder))
    assert {"app.css", "checklist.js", "offline.js", "outbox-core.js", "photos.js"} <= set(names)
    for name in names:
        assert f'"/static/{name}"' in text, name
    assert '"/offline"' in text


def test_a_new_release_is_a_new_worker_with_new_cache_names(app, tmp_path, client):
    first = client.get("/sw.js").get_data(as_text=True)
    version = offline.app_version(str(app.static_folder))
    assert f"Version {version}" in first
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.css").write_text("a{}")
    before = offline.app_version(str(static))
    (static / "app.css").write_text("b{}")
    offline.app_version.cache_clear()
    assert offline.app_version(str(static)) != before


def test_a_changed_worker_alone_is_a_new_version_too(tmp_path):
    """Same static files, new worker code: new cache names, so the new worker never serves an old shell."""
    package = tmp_path / "checklist_app"
    (package / "static").mkdir(parents=True)
    (package / "static" / "app.css").write_text("a{}")
    (package / "templates" / "offline").mkdir(parents=True)
    worker = package / "templates" / "offline" / "sw.js"
    worker.write_text("// worker A")
    before = offline.app_version(str(package / "static"))
    worker.write_text("// worker B")
    offline.app_version.cache_clear()
    assert offline.app_version(str(package / "static")) != before


def test_the_manifest_opens_today_standalone_with_chinese_name_and_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    assert manifest["name"] == "巡检清单" and manifest["lang"] == "zh-CN"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as served:
            assert served.status_code == 200


def test_every_page_links_the_manifest_and_carries_the_pending_banner(client, auth):
    auth.login()
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'id="pending"' in html and 'data-user="zhang"' in html
    assert "{n} 份待提交" in html
    assert "/static/offline.js" in html and "/static/outbox-core.js" in html


def test_the_handbook_pages_fetch_the_same_banner_with_its_scripts_and_a_way_back_to_today(client, auth):
    anonymous = client.get("/offline/banner")
    assert anonymous.status_code == 200 and anonymous.mimetype == "text/html"
    html = anonymous.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="pending"') and "<html" not in html
    assert 'data-user=""' in html and 'data-login="/login?next=/"' in html  # sign in, then Today
    auth.login()
    html = client.get("/offline/banner").get_data(as_text=True)
    assert 'data-user="zhang"' in html and 'data-login=""' in html
    assert 'data-scripts="/static/outbox-core.js /static/offline.js"' in html
    assert 'data-today-link="/"' in html and "去今日清单" in html and "{n} 份待提交" in html
    page = client.get("/").get_data(as_text=True)
    assert "data-scripts" not in page and "去今日清单" not in page  # app pages load the scripts themselves


def test_the_handbook_site_loads_the_banner_from_the_app(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'app-pending.js" data-mount="/handbook/" data-banner="/offline/banner" defer></script>' in page
    assert (site / "assets" / "javascripts" / "app-pending.js").is_file()
    assert (site / "assets" / "stylesheets" / "app-pending.css").is_file()


def test_the_csp_allows_the_worker_and_manifest_from_this_origin_only(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_precache_lists_today_the_checklists_due_and_their_handbook_pages(client, auth):
    auth.login()
    listing = client.get("/offline/precache").get_json()
    assert listing["pages"][:2] == ["/", "/offline/banner"]  # the banner the handbook's pages fetch
    checklists = listing["pages"][2:]
    assert checklists and all(page.startswith("/checklists/") for page in checklists)
    assert f"/checklists/daily/{DAY.isoformat()}/role:%E5%94%AE%E5%89%8D%E5%AE%A2%E6%9C%8D" in checklists
    assert listing["handbook"] and all(page.startswith("/handbook/") for page in listing["handbook"])
    assert all("#" not in page for page in listing["handbook"])
    for page in checklists:
        assert client.get(page, headers={offline.PRECACHE_HEADER: "1"}).status_code == 200


def test_precache_needs_a_signed_in_user(client):
    response = client.get("/offline/precache")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_caching_a_checklist_for_offline_does_not_mark_it_started_on_the_board(client, auth):
    auth.login()
    page = f"/checklists/daily/{DAY.isoformat()}/role:售前客服"
    client.get(page, headers={offline.PRECACHE_HEADER: "1"})
    assert "Zhang 09:30 开始" not in client.get("/").get_data(as_text=True)
    client.get(page)  # the inspector opens it: now it is started
    assert "Zhang 09:30 开始" in client.get("/").get_data(as_text=True)


def test_the_csrf_endpoint_names_the_signed_in_user_for_the_outbox(client, auth):
    auth.login()
    body = client.get("/api/csrf").get_json()
    assert body["user"] == "zhang" and body["csrf_token"]


def test_the_offline_fallback_page_needs_no_sign_in(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "没有网络" in response.get_data(as_text=True)
