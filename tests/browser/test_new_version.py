"""A new app version takes over cleanly: a phone whose pages are controlled by version A's service
worker gets version B on its next visit; B's worker takes over, A's caches are deleted, the page shows
B's shell (online and offline), and neither a draft nor a submission waiting in the outbox is lost."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from checklist_app import offline
from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import PROJECT, AppServer
from .test_checklist_app import PASSWORD, stored, tick_all
from .test_offline import device, eventually_stored, ready_offline  # noqa: F401 (device: a fixture)

pytestmark = pytest.mark.browser

MARK = "--app-build"  # a custom property only version B's stylesheet sets


def version_b(tmp_path):
    """The project with one static file changed, as the next release would ship it: a folder whose
    ``checklist_app`` is a copy with a changed app.css and whose other entries link to the project."""
    root = tmp_path / "release-b"
    root.mkdir()
    for entry in PROJECT.iterdir():
        if entry.name not in ("checklist_app", ".venv", ".git", "test-artifacts"):
            os.symlink(entry, root / entry.name)
    shutil.copytree(
        PROJECT / "checklist_app", root / "checklist_app", ignore=shutil.ignore_patterns("__pycache__")
    )
    css = root / "checklist_app" / "static" / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + f'\n:root {{ {MARK}: "B"; }}\n', encoding="utf-8")
    return root


def until(page, script: str, timeout: float = 20) -> None:
    """Poll ``script`` (a JS function, may return a promise) until it is true; pages may reload meanwhile.

    Not ``wait_for_function``: that evaluates a string, which the app's CSP (no unsafe-eval) forbids.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(script):
                return
        except PlaywrightError:
            pass  # the page was reloading (a new worker took over)
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {script}")
        time.sleep(0.2)


def cache_names(page) -> list[str]:
    return sorted(page.evaluate("caches.keys()"))


def build_mark(page) -> str:
    return page.evaluate(f"getComputedStyle(document.documentElement).getPropertyValue('{MARK}').trim()")


@pytest.fixture
def workdir(tmp_path):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    TinyDBUserStore(tmp_path / "data").put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    return tmp_path, handbook


def test_a_new_version_takes_over_without_losing_a_draft_or_a_pending_submission(
    device,  # noqa: F811
    workdir,
    sample_site,
    artifacts,
):
    tmp_path, handbook = workdir
    server = AppServer(tmp_path, handbook, sample_site)
    server.data = tmp_path / "data"
    old = offline.app_version(str(PROJECT / "checklist_app" / "static"))
    try:
        page = device.new_page()
        ready_offline(page, server)
        page.goto(server.url + "/")  # the first page may load before A's worker controls it
        until(page, "() => !!navigator.serviceWorker.controller")
        assert cache_names(page) == [f"pages-{old}", f"shell-{old}"]
        assert build_mark(page) == ""
        # A draft: the 售后客服 checklist half ticked.
        page.locator(".card", has_text="岗位：售后客服").get_by_role("link", name="每日清单").click()
        expect(page.locator("#checklist-form")).to_have_attribute("data-ready", "1", timeout=20_000)
        page.locator(".item").first.get_by_role("radio", name="合格", exact=True).click()
        draft_url = page.url
        # A submission waiting in the outbox: the 售前客服 checklist, submitted offline.
        device.set_offline(True)
        page.goto(server.url + "/")
        page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
        tick_all(page)
        page.get_by_role("button", name="提交清单").click()
        expect(page.locator("#pending")).to_contain_text("1 份待提交", timeout=15_000)
        page.close()
    finally:
        server.stop(quick=True)

    # The next release, on the same address and data.
    release = version_b(tmp_path)
    new = offline.app_version(str(release / "checklist_app" / "static"))
    assert new != old
    server = AppServer(tmp_path, handbook, sample_site, port=server.port, project=release)
    server.data = tmp_path / "data"
    try:
        device.set_offline(False)
        page = device.new_page()
        page.goto(server.url + "/")
        # The update check of this navigation installs B; it takes over and reloads the page.
        until(page, f"() => caches.keys().then(n => n.sort().join() === 'pages-{new},shell-{new}')")
        expect(page.locator("h1")).to_contain_text("今日清单")
        until(
            page,
            f"() => getComputedStyle(document.documentElement).getPropertyValue('{MARK}').trim() === '\"B\"'",
        )
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
        # The submission that waited under A is sent by B's pages, once.
        [record] = eventually_stored(server, timeout=20)
        assert record["target"] == {"kind": "role", "name": "售前客服"}
        expect(page.locator("#pending")).to_be_hidden()
        card = page.locator(".card", has_text="岗位：售前客服")
        expect(card.get_by_role("link", name="每日清单 · 已完成 ✓")).to_be_visible(timeout=15_000)
        expect(page.locator("html")).to_have_attribute("data-offline-ready", "1", timeout=20_000)
        page.screenshot(path=str(artifacts / "new-version-today.png"), full_page=True)
        # The draft made under A is still on the phone.
        page.goto(draft_url)
        expect(page.locator(".item").first.get_by_role("radio", name="合格", exact=True)).to_be_checked()
        assert build_mark(page) == '"B"'
        # Offline again: B's shell from B's caches, never A's.
        device.set_offline(True)
        page.goto(server.url + "/")
        expect(page.locator("h1")).to_contain_text("今日清单")
        assert build_mark(page) == '"B"'
        assert cache_names(page) == [f"pages-{new}", f"shell-{new}"]
        page.screenshot(path=str(artifacts / "new-version-offline.png"), full_page=True)
        assert len(stored(server)) == 1
    finally:
        server.stop()
