"""Drafts on the phone: a signature drawn on a checklist stays with its draft until it is submitted,
and the photos of drafts left behind (untouched for SNAPSHOT_RETENTION_DAYS, or of a checklist that was
submitted meanwhile) leave the phone's IndexedDB."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from PIL import Image
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer
from .test_checklist_app import PASSWORD, sign_in, stored, tick_all
from .test_new_version import until
from .test_offline import device, eventually_stored, sign  # noqa: F401 (device: a fixture)

pytestmark = pytest.mark.browser

DRAFTS = "() => Object.keys(localStorage).filter(k => k.startsWith('checklist-draft:'))"
PHOTO_IDS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('checklist-offline');
  open.onsuccess = () => {
    const request = open.result.transaction('photos').objectStore('photos').getAllKeys();
    request.onsuccess = () => { open.result.close(); resolve(request.result.sort()); };
    request.onerror = reject;
  };
  open.onerror = reject;
})"""
# Make photos in IndexedDB look taken ``days`` ago (the phone's clock; the test never reads its own).
AGE_PHOTOS = """([ids, days]) => new Promise((resolve, reject) => {
  const open = indexedDB.open('checklist-offline');
  open.onsuccess = () => {
    const tx = open.result.transaction('photos', 'readwrite');
    const store = tx.objectStore('photos');
    store.openCursor().onsuccess = event => {
      const cursor = event.target.result;
      if (!cursor) return;
      const photo = cursor.value;
      if (ids.includes(photo.id)) cursor.update(Object.assign(photo, { added: Date.now() - days * 864e5 }));
      cursor.continue();
    };
    tx.oncomplete = () => { open.result.close(); resolve(); };
    tx.onerror = reject;
  };
})"""


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    TinyDBUserStore(tmp_path / "data").put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site, env={"CHECKLIST_SIGNATURE_REQUIRED": "true"})
    app.data = tmp_path / "data"
    yield app
    app.stop()


def open_daily(page, role: str):
    page.locator(".card", has_text=f"岗位：{role}").get_by_role("link", name="每日清单").click()
    expect(page.locator("#checklist-form")).to_have_attribute("data-ready", "1", timeout=20_000)


def draft(page) -> dict:
    [key] = page.evaluate(DRAFTS)
    return json.loads(page.evaluate("k => localStorage.getItem(k)", key))


def jpeg(colour) -> bytes:
    """A photo of its own colour (the same bytes would be the same photo, stored once)."""
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def fail_with_photo(page, colour="red"):
    first = page.locator(".item").first
    first.get_by_role("radio", name="不合格", exact=True).click()
    first.get_by_label("责任人").fill("小李")
    first.get_by_label("拍照或选照片").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colour)}
    )
    expect(first.locator(".photos img")).to_have_count(1, timeout=15_000)  # shrunk on the phone first


def test_a_signature_stays_with_the_draft_across_a_reload_until_submitted(device, server, artifacts):  # noqa: F811
    page = device.new_page()
    sign_in(page, server)
    open_daily(page, "售前客服")
    tick_all(page)
    sign(page, page.locator(".sign-pad[data-role=inspector] canvas"))
    page.get_by_text("请责任人或部门负责人会签（可选）").click()
    page.get_by_label("会签人姓名").fill("小李")
    sign(page, page.locator(".sign-pad[data-role=countersign] canvas"))
    until(
        page,
        "() => { const d = Object.entries(localStorage).find(([k]) => k.startsWith('checklist-draft:'));"
        " const s = d && JSON.parse(d[1]).signatures; return !!(s && s.inspector && s.countersign); }",
    )
    page.reload()
    expect(page.locator("#checklist-form")).to_have_attribute("data-ready", "1", timeout=20_000)
    inspector = page.locator(".sign-pad[data-role=inspector]")
    expect(inspector).to_have_class("sign-pad is-signed")
    expect(page.locator(".sign-pad[data-role=countersign]")).to_have_class("sign-pad is-signed")
    expect(page.get_by_label("会签人姓名")).to_have_value("小李")
    # Drawn back onto the pad, not just remembered: the canvas holds dark strokes.
    dark = inspector.locator("canvas").evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
        ".filter((v, i) => i % 4 === 0 && v < 100).length"
    )
    assert dark > 50
    page.locator("#signatures").screenshot(path=str(artifacts / "draft-signature-restored.png"))
    page.get_by_role("button", name="提交清单").click()  # no signing again
    [record] = eventually_stored(server, timeout=20)
    signatures = record["signatures"]
    assert [(s["role"], s.get("name")) for s in signatures] == [
        ("inspector", "张主管"),
        ("countersign", "小李"),
    ]
    expect(page.locator(".notice")).to_contain_text("已提交的清单不能修改", timeout=20_000)
    assert page.evaluate(DRAFTS) == []  # submitted: the draft is gone
    until(page, f"() => ({PHOTO_IDS})().then(ids => ids.length === 0)")  # and its JPEGs with it


def test_photos_of_abandoned_drafts_leave_the_phone(device, browser, server):  # noqa: F811
    page = device.new_page()
    sign_in(page, server)
    # Two drafts with a photo each: 售后客服 (to be left untouched too long) and 售前客服.
    open_daily(page, "售后客服")
    fail_with_photo(page)
    old_draft = draft(page)
    page.goto(server.url + "/")
    open_daily(page, "售前客服")
    fail_with_photo(page, "blue")
    page.goto(server.url + "/history")
    photos = page.evaluate(PHOTO_IDS)
    assert len(photos) == 2
    # Fresh photos of live drafts stay, however many pages open.
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-tidied", "0")
    assert page.evaluate(PHOTO_IDS) == photos

    # The 售后客服 draft untouched for longer than the server keeps an opened checklist (30 days).
    [old_photo] = [pid for answer in old_draft["answers"].values() for pid in answer.get("photos", [])]
    page.evaluate(AGE_PHOTOS, [[old_photo], 31])
    page.evaluate(
        "() => { for (const k of Object.keys(localStorage)) if (k.includes('售后客服')) {"
        " const d = JSON.parse(localStorage.getItem(k)); d.saved = Date.now() - 31 * 86400000;"
        " localStorage.setItem(k, JSON.stringify(d)); } }"
    )
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-tidied", "1")
    [kept] = page.evaluate(PHOTO_IDS)
    assert kept != old_photo and kept in photos
    assert all("售后客服" not in k for k in page.evaluate(DRAFTS))

    # Meanwhile 售前客服 is submitted from another phone: Today shows it done, its draft and photo go.
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        second = other.new_page()
        sign_in(second, server)
        open_daily(second, "售前客服")
        tick_all(second)
        sign(second, second.locator(".sign-pad[data-role=inspector] canvas"))
        second.get_by_role("button", name="提交清单").click()
        expect(second.locator(".notice")).to_contain_text("已提交的清单不能修改", timeout=20_000)
    finally:
        other.close()
    assert len(stored(server)) == 1
    page.goto(server.url + "/")
    card = page.locator(".card", has_text="岗位：售前客服")
    expect(card.get_by_role("link", name="每日清单 · 已完成 ✓")).to_be_visible()
    until(page, "() => !Object.keys(localStorage).some(k => k.includes('售前客服'))")
    # Its photo was taken just now: it waits out the hour's grace (a photo may be newer than its draft) …
    assert page.evaluate(PHOTO_IDS) == [kept]
    page.evaluate(AGE_PHOTOS, [[kept], 1])
    page.reload()
    # … and then, named by no draft and no waiting submission, it leaves the phone.
    expect(page.locator("html")).to_have_attribute("data-tidied", "1")
    assert page.evaluate(PHOTO_IDS) == []
