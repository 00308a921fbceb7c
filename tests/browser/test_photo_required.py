"""A check that asks for a photo (照片: 必须): on the phone its camera button is there even when the item
passes, the checklist is not sent without the photo, and a submission that reaches the server without
it (a phone with an older page, replayed from the offline outbox) is refused, shown and not retried."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.photos import FilePhotoStore
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer
from .test_checklist_app import PASSWORD, open_checklist, sign_in, stored, tick_all
from .test_offline import camera_jpeg, device, eventually_stored, ready_offline  # noqa: F401 (device: a fixture)

pytestmark = pytest.mark.browser

ITEM = "抽查前一日聊天记录，客服平均响应时间不超过50秒。"
REFUSED = f"“{ITEM[:30]}”要求拍照：请拍照或选照片后再提交。"


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    service = handbook / "20-客服" / "service.md"
    text = service.read_text(encoding="utf-8")
    # cs-response-avg: the chat record it checks is kept as a screenshot.
    service.write_text(text.replace("罚款: 50元\n///", "罚款: 50元\n照片: 必须\n///", 1), encoding="utf-8")
    TinyDBUserStore(tmp_path / "data").put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site)
    app.data = tmp_path / "data"
    yield app
    app.stop()


def _photo_item(page):
    return page.locator(".item", has_text=ITEM)


def test_the_phone_asks_for_the_photo_of_a_passed_item_before_sending(phone, server, artifacts):
    sign_in(phone, server)
    open_checklist(phone)
    item = _photo_item(phone)
    expect(item.locator(".badge.photo")).to_have_text("必须拍照")
    tick_all(phone)
    # Passed, and still the camera button: the policy wants the screenshot either way.
    expect(item.get_by_label("拍照或选照片（本项要求拍照）")).to_be_visible()
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator("#status")).to_have_text(REFUSED)
    expect(item).to_have_class("item wants-photo is-missing")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "photo-required.png"))
    assert stored(server) == []
    item.get_by_label("拍照或选照片").set_input_files(
        {"name": "聊天记录.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}
    )
    expect(item.locator(".photos img")).to_have_count(1, timeout=15_000)  # shrunk on the phone first
    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改", timeout=20_000)
    [record] = stored(server)
    [photographed] = [i for i in record["items"] if i["key"] == "cs-response-avg"]
    assert photographed["result"] == "pass"
    [pid] = photographed["photos"]
    assert FilePhotoStore(server.data).get(pid)


def test_a_replay_without_the_photo_is_refused_shown_and_not_retried(device, server, artifacts):  # noqa: F811
    page = device.new_page()
    ready_offline(page, server)
    device.set_offline(True)
    open_checklist(page)
    tick_all(page)
    # A page from before the rule reached the phone's script: it queues the checklist without the photo.
    page.evaluate(
        "document.querySelectorAll('.item[data-photo]').forEach(li => li.removeAttribute('data-photo'))"
    )
    page.get_by_role("button", name="提交清单").click()
    expect(page.locator("#pending")).to_contain_text("1 份待提交", timeout=15_000)
    page.close()
    device.set_offline(False)
    posts = []
    device.on("request", lambda r: posts.append(r.url) if r.url.endswith("/api/submissions") else None)
    page = device.new_page()
    page.goto(server.url + "/history")
    pending = page.locator("#pending")
    expect(pending).to_contain_text("未能提交", timeout=15_000)
    expect(pending).to_contain_text(REFUSED)
    page.screenshot(path=str(artifacts / "photo-required-refused-replay.png"))
    # Sent once: by this page, or by the service worker's Background Sync when the network came
    # back (the browser fires it as soon as it is online; Playwright does not see its requests).
    sent = len(posts)
    assert sent <= 1, posts
    page.reload()
    expect(pending).to_contain_text(REFUSED)
    page.wait_for_timeout(1000)  # the reloaded page flushed the outbox on load: a resend would show by now
    assert len(posts) == sent, posts  # shown, never sent again by itself
    assert stored(server) == []
    # 打开清单: the answers are back, unlocked, with the reason; add the photo and send it.
    pending.get_by_role("link", name="打开清单").click()
    expect(page.locator("#status")).to_contain_text(REFUSED)
    expect(page.locator("#pending")).to_be_hidden()
    item = _photo_item(page)
    expect(item.get_by_role("radio", name="合格", exact=True)).to_be_checked()
    item.get_by_label("拍照或选照片").set_input_files(
        {"name": "聊天记录.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}
    )
    expect(item.locator(".photos img")).to_have_count(1, timeout=15_000)  # shrunk on the phone first
    page.get_by_role("button", name="提交清单").click()
    [record] = eventually_stored(server, timeout=20)
    assert [i["photos"] for i in record["items"] if i["key"] == "cs-response-avg"][0]
