"""A script planted in a built handbook page never runs in the app, and normal use trips no CSP violation.

The attack this guards against: a policy page's HTML carrying a ``<script>`` that, opened by a
signed-in admin under ``/handbook/``, creates an admin account through ``/admin/users``.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer
from .test_search import search

pytestmark = pytest.mark.browser
ADMIN = "admin"
PASSWORD = "admin-pass-123"
POLICY = "20-客服/service/"  # the sample handbook's customer-service policy

# What an attacker would put into the page: take the admin's CSRF token from the users page and
# create an account with it; plus the other ways HTML runs script.
STEAL = (
    "fetch('/admin/users').then(function(r){return r.text()}).then(function(h){"
    'var t=h.match(/name="csrf_token" value="([^"]+)"/)[1];'
    "return fetch('/admin/users',{method:'POST',body:new URLSearchParams({csrf_token:t,"
    "username:'pwned',password:'pwned-pass-123',permission:'admin',role:'',display_name:'pwned'})})})"
)
PLANTED = f"""
<script>document.title='PWNED';window.__pwned='script';{STEAL}</script>
<img id="planted-img" src="nothing.png" alt="" onerror="document.title='PWNED';window.__pwned='img'">
<p><a id="planted-link" href="javascript:document.title='PWNED';window.__pwned='link'">查看附件</a></p>
<script src="../../assets/planted.js"></script>
"""

# Runs before any page script, outside the page's CSP (Playwright injects it through the DevTools protocol).
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample});
}, true);
"""


def start_server(tmp_path, site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    users = TinyDBUserStore(tmp_path / "data")
    users.put(make_user(ADMIN, PASSWORD, "admin", "", "管理员"))
    server = AppServer(tmp_path, handbook, site)
    server.users = users
    return server


@pytest.fixture
def planted_server(tmp_path, sample_site):
    """The app serving a copy of the sample site whose policy page carries the attacker's HTML."""
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    page = site / POLICY / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "</article>" in html
    page.write_text(html.replace("</article>", PLANTED + "</article>", 1), encoding="utf-8")
    # A script file dropped next to the Markdown (MkDocs copies it into the site).
    (site / "assets" / "planted.js").write_text(
        "document.title='PWNED';window.__pwned='js'", encoding="utf-8"
    )
    server = start_server(tmp_path, site)
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path, sample_site):
    server = start_server(tmp_path, sample_site)
    yield server
    server.stop()


@pytest.fixture
def watched(phone):
    """The phone page, recording console messages, page errors and CSP violation events.

    Request it after the server fixture, so the browser closes its connections before the server
    stops (a sync gunicorn worker waits on an idle pre-connected socket otherwise).
    """
    phone.add_init_script(LISTEN)
    phone.console_log = []
    phone.on("console", lambda message: phone.console_log.append(f"{message.type}: {message.text}"))
    phone.on("pageerror", lambda error: phone.console_log.append(f"pageerror: {error}"))
    return phone


def csp_messages(page) -> list[str]:
    return [line for line in page.console_log if "Content Security Policy" in line]


def violations(page) -> list[dict]:
    return page.evaluate("window.__violations")


def sign_in(page, server):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(ADMIN)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def test_a_script_planted_in_a_policy_page_never_runs(planted_server, watched, artifacts):
    page = watched
    sign_in(page, planted_server)
    page.goto(planted_server.url + "/handbook/" + POLICY)
    expect(page.locator("#cs-response-avg")).to_be_visible()
    page.wait_for_timeout(1_000)  # time for anything asynchronous the planted code would start

    # The theme's own inline scripts ran (their hashes are in the policy) and so did its bundle.
    assert page.evaluate("typeof __md_get") == "function"
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    # None of the planted code did.
    page.locator("#planted-link").click()
    page.wait_for_timeout(500)
    assert "PWNED" not in page.title()
    assert page.evaluate("window.__pwned") is None

    seen = violations(page)
    directives = {v["directive"] for v in seen}
    assert "script-src-elem" in directives, seen  # the inline <script> and the javascript: link
    assert "script-src-attr" in directives, seen  # onerror=
    assert any(v["sample"].startswith("document.title='PWNED'") for v in seen), seen
    assert any(v["blocked"] == "inline" for v in seen), seen
    assert csp_messages(page), page.console_log
    # The dropped .js file is not served at all.
    assert any("404" in line for line in page.console_log), page.console_log
    page.screenshot(path=str(artifacts / "csp-planted-page.png"))

    # The rest of the page still works: the theme's search finds the policy.
    results = search(page, planted_server.url + "/handbook/" + POLICY, "罚款")
    expect(page.locator(".md-search-result")).to_contain_text("客服管理制度")
    expect(results.locator("mark").first).to_be_visible()
    assert "PWNED" not in page.title()
    page.screenshot(path=str(artifacts / "csp-planted-search.png"))

    assert planted_server.users.get("pwned") is None
    assert [user["username"] for user in planted_server.users.all()] == [ADMIN]


def test_normal_use_trips_no_csp_violation(server, watched, artifacts):
    """Home, a checklist, reports, the handbook home, a policy page and search, as an admin."""
    page = watched
    sign_in(page, server)
    seen = violations(page)
    page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
    expect(page.locator("h1")).to_contain_text("每日检查")
    page.locator(".item").first.get_by_role("radio", name="合格", exact=True).click()
    expect(page.locator("#progress-text")).to_contain_text("已完成 1 /")  # checklist.js runs
    seen += violations(page)
    pages = (
        "/history",
        "/reports/",
        "/reports/rankings",
        "/admin/users",
        "/handbook/",
        "/handbook/" + POLICY,
    )
    for path in pages:
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        seen += violations(page)
    expect(page.locator("#cs-response-avg")).to_be_visible()

    results = search(page, server.url + "/handbook/", "请假")
    expect(page.locator(".md-search-result")).to_contain_text("请假流程")
    expect(results.locator("mark").first).to_be_visible()
    page.wait_for_timeout(500)
    seen += violations(page)
    page.screenshot(path=str(artifacts / "csp-handbook-search.png"))

    assert seen == []
    assert csp_messages(page) == []
    assert not [line for line in page.console_log if line.startswith("pageerror")], page.console_log
