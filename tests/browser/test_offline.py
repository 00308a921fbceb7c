"""Offline on a phone: Today and the day's checklists open from the cache, a submission waits in the
outbox across closed pages and is stored exactly once when any page is opened online again."""

from __future__ import annotations

import io
import shutil
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.storage.photos import FilePhotoStore
from checklist_app.storage.tinydb_store import TinyDBUserStore

from ..conftest import HANDBOOKS
from .app_server import AppServer
from .test_checklist_app import PASSWORD, sign_in, stored, tick_all

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    TinyDBUserStore(tmp_path / "data").put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    app = AppServer(tmp_path, handbook, sample_site, env={"CHECKLIST_SIGNATURE_REQUIRED": "true"})
    app.data = tmp_path / "data"
    yield app
    app.stop()


@pytest.fixture
def device(browser):
    """A phone whose pages come and go (closing a tab) while its storage and worker stay."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
    )
    yield context
    context.close()


def camera_jpeg() -> bytes:
    """A photo as a phone camera makes it: 4000 × 3000 px (the phone scales it down before storing)."""
    image = Image.new("RGB", (4000, 3000), (200, 80, 40))
    for x in range(0, 4000, 400):
        image.paste((30, 30, 30), (x, 0, x + 200, 3000))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def sign(page, canvas) -> None:
    """Write a short stroke on a signature pad, as a finger would."""
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")  # not under the fixed submit bar
    box = canvas.bounding_box()
    assert box
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 20, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 22, y + (12 if step % 2 else -12))
    page.mouse.up()


def eventually_stored(server, timeout: float = 15) -> list[dict]:
    """The stored records once there is one (the page flushes in the background), or fail."""
    deadline = time.monotonic() + timeout
    while not (records := stored(server)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return records


def ready_offline(page, server):
    """Sign in online once and wait until the worker has cached today's pages."""
    sign_in(page, server)
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "1", timeout=20_000)


def submit_offline(device, server, artifacts=None):
    """Offline: open Today and a checklist from the cache, fail one item, submit, close the page."""
    page = device.new_page()
    ready_offline(page, server)
    device.set_offline(True)
    page.goto(server.url + "/")
    expect(page.locator("h1")).to_contain_text("今日清单")
    if artifacts:
        page.screenshot(path=str(artifacts / "offline-today.png"), full_page=True)
    page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
    expect(page.locator("h1")).to_contain_text("每日检查")
    tick_all(page, fail_index=0)
    first = page.locator(".item").first
    photo = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}
    first.get_by_label("拍照或选照片").set_input_files(photo)
    expect(first.locator(".photos img")).to_have_count(1, timeout=15_000)  # shrunk on the phone first
    size = first.locator(".photos img").evaluate(
        "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])"
    )
    assert size == [1600, 1200]  # resized on the phone before it waits in the outbox
    sign(page, page.locator(".sign-pad[data-role=inspector] canvas"))
    page.get_by_text("请责任人或部门负责人会签（可选）").click()
    page.get_by_label("会签人姓名").fill("小李")
    sign(page, page.locator(".sign-pad[data-role=countersign] canvas"))
    if artifacts:
        page.locator("#signatures").screenshot(path=str(artifacts / "offline-signing.png"))
    page.get_by_role("button", name="提交清单").dblclick()
    # Saving the photo and both signatures in IndexedDB comes first; a loaded 2-core machine is slow.
    expect(page.locator("#pending")).to_contain_text("1 份待提交", timeout=15_000)
    expect(page.locator("#outbox-lock")).to_be_visible()
    if artifacts:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / "offline-pending.png"))
    page.goto(server.url + "/")
    card = page.locator(".card", has_text="岗位：售前客服")
    expect(card.get_by_role("link", name="每日清单 · 待提交")).to_be_visible()
    expect(page.locator("#pending")).to_contain_text("1 份待提交")
    if artifacts:
        page.screenshot(path=str(artifacts / "offline-today-pending.png"), full_page=True)
    assert stored(server) == []
    page.close()


def test_a_handbook_page_shows_what_waits_and_sends_it_when_the_network_returns(device, server, artifacts):
    submit_offline(device, server)
    page = device.new_page()
    page.goto(server.url + "/")  # still offline: Today from the cache
    page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单 · 待提交").click()
    page.locator(".item a.clause").first.click()  # the rule behind the first item, cached with the checklist
    expect(page.locator("h1")).to_be_visible()
    assert "/handbook/" in page.url
    banner = page.locator("#pending")
    expect(banner).to_contain_text("1 份待提交", timeout=10_000)
    expect(banner).to_contain_text("没有网络")
    expect(banner.get_by_role("link", name="去今日清单")).to_be_visible()
    page.screenshot(path=str(artifacts / "offline-handbook-pending.png"))
    assert stored(server) == []
    device.set_offline(False)  # the page itself sends it: nothing else is open
    records = eventually_stored(server, timeout=30)
    assert len(records) == 1 and records[0]["score"]["failed"] == 1
    expect(banner).to_be_hidden(timeout=10_000)


def test_a_checklist_done_offline_is_stored_once_when_any_page_opens_online(device, server, artifacts):
    submit_offline(device, server, artifacts)
    device.set_offline(False)
    page = device.new_page()
    page.goto(server.url + "/history")
    records = eventually_stored(server)
    assert len(records) == 1
    assert records[0]["score"]["failed"] == 1
    [failed] = [item for item in records[0]["items"] if item["result"] == "fail"]
    [pid] = failed["photos"]
    assert FilePhotoStore(server.data).get(pid)
    inspector, countersign = records[0]["signatures"]
    assert (inspector["role"], inspector["name"]) == ("inspector", "张主管")
    assert (countersign["by"], countersign["name"]) == ("responsible", "小李")
    assert FilePhotoStore(server.data).get(inspector["photo"]) and FilePhotoStore(server.data).get(
        countersign["photo"]
    )
    page.goto(server.url + f"/history/{records[0]['id']}")
    thumbnail = page.locator(".item.result-fail .photos img")
    expect(thumbnail).to_have_count(1)
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 1600
    expect(page.locator(".record-signatures figcaption")).to_have_text(
        ["检查人 张主管", "会签（责任人）小李"]
    )
    page.screenshot(path=str(artifacts / "offline-record-with-photo.png"), full_page=True)
    page.get_by_role("link", name="打印").click()
    expect(page.locator(".print-items .photos img")).to_have_count(1)
    expect(page.locator(".print-signatures img")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "offline-print-with-photo.png"), full_page=True)
    expect(page.locator("#pending")).to_be_hidden()
    page.goto(server.url + "/")
    card = page.locator(".card", has_text="岗位：售前客服")
    expect(card.get_by_role("link", name="每日清单 · 已完成 ✓")).to_be_visible()
    expect(page.locator("#pending")).to_be_hidden()
    page.screenshot(path=str(artifacts / "offline-synced-today.png"), full_page=True)
    assert len(stored(server)) == 1


def test_a_replay_after_the_session_expired_asks_to_sign_in_then_succeeds(device, server, artifacts):
    submit_offline(device, server)
    device.clear_cookies()  # the session ended while the phone was offline
    device.set_offline(False)
    page = device.new_page()
    page.goto(server.url + "/history")
    expect(page.locator("#pending")).to_contain_text("1 份待提交")
    expect(page.locator("#pending")).to_contain_text("重新登录后自动提交")
    page.screenshot(path=str(artifacts / "offline-relogin.png"))
    assert stored(server) == []
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert len(eventually_stored(server)) == 1
    expect(page.locator("#pending")).to_be_hidden()
    page.goto(server.url + "/")
    card = page.locator(".card", has_text="岗位：售前客服")
    expect(card.get_by_role("link", name="每日清单 · 已完成 ✓")).to_be_visible()
    expect(page.locator("#pending")).to_be_hidden()
    assert len(stored(server)) == 1


def test_a_page_never_cached_says_so_offline(device, server):
    page = device.new_page()
    ready_offline(page, server)
    device.set_offline(True)
    page.goto(server.url + "/reports/")
    expect(page.locator("h1")).to_have_text("没有网络")
    page.get_by_role("link", name="今日清单").last.click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def test_a_refused_replay_is_shown_with_the_record_and_not_retried(device, browser, server, artifacts):
    submit_offline(device, server)
    # Meanwhile the same checklist was submitted from another phone.
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = other.new_page()
        sign_in(page, server)
        page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
        tick_all(page)
        sign(page, page.locator(".sign-pad[data-role=inspector] canvas"))
        page.get_by_role("button", name="提交清单").click()
        expect(page.locator(".notice")).to_contain_text("已提交的清单不能修改")
    finally:
        other.close()
    device.set_offline(False)
    posts = []
    device.on("request", lambda r: posts.append(r.url) if r.url.endswith("/api/submissions") else None)
    page = device.new_page()
    page.goto(server.url + "/history")
    pending = page.locator("#pending")
    expect(pending).to_contain_text("未能提交")
    expect(pending).to_contain_text("不能重复提交")
    page.screenshot(path=str(artifacts / "offline-refused.png"))
    pending.get_by_role("link", name="查看已提交的记录").click()
    expect(page.locator(".notice")).to_contain_text("已提交的清单不能修改")
    page.reload()
    expect(page.locator("#pending")).to_contain_text("未能提交")
    assert len(posts) == 1, posts  # shown, not sent again
    page.locator("#pending").get_by_role("button", name="知道了").click()
    expect(page.locator("#pending")).to_be_hidden()
    page.reload()
    expect(page.locator("#pending")).to_be_hidden()
    assert len(stored(server)) == 1


def test_the_inspector_must_sign_before_the_checklist_is_sent(device, server):
    page = device.new_page()
    sign_in(page, server)
    page.locator(".card", has_text="岗位：售前客服").get_by_role("link", name="每日清单").click()
    tick_all(page)
    page.get_by_role("button", name="提交清单").click()
    expect(page.locator("#status")).to_have_text("请在“检查人签名”处用手指签名后再提交。")
    expect(page.locator("#pending")).to_be_hidden()
    page.get_by_role("button", name="清除").first.click()
    sign(page, page.locator(".sign-pad[data-role=inspector] canvas"))
    page.get_by_role("button", name="提交清单").click()
    # Uploading the signature, queueing and sending: slower than 5 s on a loaded machine.
    expect(page.locator(".notice")).to_contain_text("已提交的清单不能修改", timeout=20_000)
    [record] = stored(server)
    assert [s["role"] for s in record["signatures"]] == ["inspector"]
