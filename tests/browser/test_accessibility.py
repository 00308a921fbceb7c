"""Every app page and the handbook on a phone pass axe-core with no critical or serious violation.

Also what axe does not measure the way the team needs it: tap targets of at least 44 px, a favicon
that loads, and the page language. Pages are opened as an admin (who sees every page) on a server
seeded like the report tests, so the reports, the print page and the ledger's warnings have data.
"""

from __future__ import annotations

import datetime as dt
import shutil
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from checklist_app import actions, services
from checklist_app.auth import make_user
from checklist_app.clock import FrozenClock
from checklist_app.storage import open_storage
from generator import load_handbook

from ..checklist_app.conftest import HYGIENE_INSPECTOR
from ..conftest import HANDBOOKS
from .app_server import NOW, TODAY, AppServer
from .axe import assert_accessible
from .conftest import PHONE
from .test_reports import month_before, seed
from .test_search import search

pytestmark = pytest.mark.browser

PASSWORD = "a11y-pass-1"
MIN_TARGET = 44  # px, WCAG 2.5.5 / Apple and Material guidance for a finger


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_site):
    root = tmp_path_factory.mktemp("a11y")
    handbook_dir = root / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook_dir)
    data = root / "data"
    seed(handbook_dir, data)
    store = open_storage("tinydb", data)
    store.users.put(make_user("admin", PASSWORD, "admin", "", "王管理"))
    store.users.put(make_user("li", PASSWORD, "inspector", "行政专员", "李专员"))
    # 李 has opened 运营部's hygiene checklist and not submitted it: anyone else gets the confirm page.
    services.open_checklist(
        store,
        load_handbook(handbook_dir, today=TODAY),
        HYGIENE_INSPECTOR,
        "daily",
        TODAY.isoformat(),
        "department:运营部",
        None,
        clock=FrozenClock(NOW),
        grace=dt.timedelta(minutes=120),
    )
    records = store.completions.list(TODAY - dt.timedelta(days=120), TODAY)
    model = load_handbook(handbook_dir, today=TODAY)
    for record in records:  # the failures' corrective actions, as a submission opens them
        actions.open_for_record(store, model, record, 3, FrozenClock(NOW))
    app = AppServer(root, handbook_dir, sample_site)
    app.record_id = next(r["id"] for r in records if r["score"].get("fines"))
    app.action_id = store.actions.all()[0]["id"]
    yield app
    app.stop()


def new_phone(browser, **extra):
    """A phone context that lets axe be injected despite the app's CSP."""
    return browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
        **extra,
    )


@pytest.fixture(scope="module")
def admin(browser, server):
    """One signed-in admin page, reused by every page check of this module."""
    context = new_phone(browser)
    page = context.new_page()
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")
    yield page
    context.close()


def repeat_month() -> str:
    """The month in which the seeded 小王 reaches the repeat limit (3 violations in the year)."""
    return month_before(TODAY, 2).strftime("%Y-%m")


APP_PAGES = {
    "today": "/",
    "checklist": f"/checklists/daily/{TODAY.isoformat()}/role:售前客服",
    "confirm": f"/checklists/daily/{TODAY.isoformat()}/department:运营部",
    "record": "/history/{record}",
    "history": "/history",
    "print": "/history/{record}/print",
    "dashboard": "/reports/",
    "rankings": "/reports/rankings",
    "ledger": "/reports/ledger?month={repeat_month}",
    "ledger-empty": "/reports/ledger?month=2026-01",
    "admin": "/admin/",
    "admin-handbook": "/admin/handbook",
    "admin-users": "/admin/users",
    "admin-user": "/admin/users/li",
    "admin-audit": "/admin/audit",
    "admin-people": "/admin/people",
    "admin-person-new": "/admin/people/new",
    "admin-people-import": "/admin/people/import",
    "admin-people-unlinked": "/admin/people/unlinked",
    "account": "/account/password",
    "error": "/checklists/daily/2026-11-25/role:没有这个岗位",
    "handbook-404": "/handbook/no-such-page/",  # the handbook's own 404 page, served by the app
    "actions": "/actions?view=all",
    "action": "/actions/{action}",
    "admin-publish": "/admin/publish/",
    "admin-reading": "/admin/reading",
    "reading": "/reading",
    "changes": "/changes/cs-service?from=2.0",
}


def app_url(server, path: str) -> str:
    action = quote(server.action_id, safe="")
    return server.url + path.format(record=server.record_id, repeat_month=repeat_month(), action=action)


@pytest.mark.parametrize("name", list(APP_PAGES))
def test_app_page_has_no_serious_accessibility_violation(admin, server, artifacts, name):
    admin.goto(app_url(server, APP_PAGES[name]))
    admin.screenshot(path=str(artifacts / f"a11y-{name}.png"), full_page=True)
    assert_accessible(admin, name)


def test_sign_in_page_has_no_serious_accessibility_violation(browser, server):
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(server.url + "/login")
        assert_accessible(page, "sign-in")
        small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
        assert not small, "sign-in: smaller than 44 px:\n" + "\n".join(small)
    finally:
        context.close()


POLICY = "30-%E5%AE%A2%E6%9C%8D/%E5%AE%A2%E6%9C%8D%E7%AE%A1%E7%90%86%E5%88%B6%E5%BA%A6/"


ROLE_PAGE = "%E5%B2%97%E4%BD%8D%E9%A1%BB%E7%9F%A5/%E5%94%AE%E5%89%8D%E5%AE%A2%E6%9C%8D/"  # 岗位须知/售前客服/


def test_handbook_home_policy_and_role_pages_have_no_serious_accessibility_violation(
    axe_phone, real_site_url
):
    axe_phone.goto(real_site_url)
    assert_accessible(axe_phone, "handbook home")
    axe_phone.goto(real_site_url + POLICY)
    assert_accessible(axe_phone, "handbook policy page")
    axe_phone.goto(real_site_url + ROLE_PAGE)
    expect(axe_phone.locator("h1")).to_contain_text("售前客服")
    assert_accessible(axe_phone, "handbook role page")


def test_handbook_search_results_have_no_serious_accessibility_violation(axe_phone, real_site_url):
    search(axe_phone, real_site_url, "罚款")
    assert_accessible(axe_phone, "handbook search results")


# Every control a finger aims at: links that are not part of a line of text, buttons, fields, summaries.
SMALL_TARGETS = """(min) => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    const style = getComputedStyle(el);
    if (el.type === 'hidden' || style.display === 'inline' || style.visibility === 'hidden') continue;
    if (style.pointerEvents === 'none') continue;  // cannot be tapped (the search's clear button while empty)
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    // A radio or checkbox is as big as the label it fills.
    const target = (el.type === 'radio' || el.type === 'checkbox') && el.closest('label')
      ? el.closest('label').getBoundingClientRect() : box;
    if (target.width < min - 0.5 || target.height < min - 0.5)
      small.push(`${el.outerHTML.slice(0, 90)} ${Math.round(target.width)}×${Math.round(target.height)}`);
  }
  return small;
}"""

TAP_PAGES = [
    "today",
    "checklist",
    "record",
    "history",
    "print",
    "dashboard",
    "rankings",
    "ledger",
    "actions",
    "action",
    "admin-users",
    "admin-people",
    "admin-publish",
    "admin-reading",
    "account",
    "error",
]


@pytest.mark.parametrize("name", TAP_PAGES)
def test_tap_targets_are_at_least_44_px(admin, server, name):
    admin.goto(app_url(server, APP_PAGES[name]))
    small = admin.evaluate(SMALL_TARGETS, MIN_TARGET)
    assert not small, f"{name}: smaller than {MIN_TARGET} px:\n" + "\n".join(small)


@pytest.mark.parametrize("path", ["", POLICY, ROLE_PAGE], ids=["home", "policy", "role"])
def test_handbook_tap_targets_are_at_least_44_px(phone, real_site_url, artifacts, path):
    """Permalinks, the drawer's navigation, the skip link: the theme's own controls too."""
    phone.goto(real_site_url + path)
    small = phone.evaluate(SMALL_TARGETS, MIN_TARGET)
    assert not small, f"handbook {path or 'home'}: smaller than {MIN_TARGET} px:\n" + "\n".join(small[:20])
    if path == POLICY:
        phone.locator("label.md-header__button[for='__search']").click()
        phone.locator("input.md-search__input").fill("罚款")
        clear = phone.locator(".md-search__options > button[type=reset]")
        expect(clear).to_be_visible()
        # The theme scales the button in: measure it once its transition has ended.
        clear.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
        box = clear.bounding_box()
        assert box["width"] >= MIN_TARGET - 0.5 and box["height"] >= MIN_TARGET - 0.5, box
        phone.screenshot(path=str(artifacts / "handbook-search-clear-button.png"))
        phone.keyboard.press("Escape")
        phone.locator("label.md-header__button[for='__drawer']").click()
        phone.wait_for_timeout(400)
        phone.screenshot(path=str(artifacts / "handbook-drawer.png"))


LANG_PAGES = [
    "today",
    "checklist",
    "history",
    "print",
    "dashboard",
    "ledger",
    "admin-users",
    "account",
    "error",
]


def failed_requests(page) -> list[str]:
    """Record every same-page resource that came back 4xx/5xx (the favicon used to be a 404)."""
    failed: list[str] = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    return failed


def assert_icon_loads(page) -> None:
    icon = page.locator("link[rel=icon]")
    expect(icon).to_have_count(1)
    href = icon.evaluate("el => el.href")
    response = page.request.get(href)
    assert response.status == 200, f"{href}: {response.status}"
    assert response.headers["content-type"].startswith("image/"), response.headers["content-type"]


def test_app_pages_say_zh_cn_and_have_a_favicon(admin, server, browser):
    failed = failed_requests(admin)
    for name in LANG_PAGES:
        admin.goto(app_url(server, APP_PAGES[name]))
        assert admin.evaluate("document.documentElement.lang") == "zh-CN", name
        assert_icon_loads(admin)
    context = new_phone(browser)
    try:
        page = context.new_page()
        failed += failed_requests(page)
        page.goto(server.url + "/login")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert_icon_loads(page)
    finally:
        context.close()
    assert not failed, failed


def test_handbook_pages_say_zh_cn_and_have_their_favicon(axe_phone, real_site_url):
    failed = failed_requests(axe_phone)
    for path in ("", POLICY):
        axe_phone.goto(real_site_url + path)
        assert axe_phone.evaluate("document.documentElement.lang") == "zh-CN", path
        assert_icon_loads(axe_phone)
        assert axe_phone.locator("link[rel=icon]").get_attribute("href").endswith("assets/favicon.png")
    assert not failed, failed
