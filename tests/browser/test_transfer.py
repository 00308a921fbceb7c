"""What a phone downloads for the real handbook through the real server: little, then almost nothing.

Measured with Chromium's DevTools protocol (bytes that crossed the network, headers included),
through gunicorn serving the real handbook's strict build. Before compression, caching and the
leaner search index, the first view was 2,063 KB and the search index alone 1,742 KB.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from ..conftest import PROJECT
from .app_server import AppServer
from .conftest import PHONE
from .test_search import search
from .transfer import TransferMeter

pytestmark = pytest.mark.browser
FIRST_VIEW_MAX = 350 * 1024
REPEAT_VIEW_MAX = 30 * 1024
INDEX = "/handbook/search/search_index.json"


@pytest.fixture(scope="module")
def real_server(tmp_path_factory, real_site):
    workdir = tmp_path_factory.mktemp("transfer")
    shutil.copytree(PROJECT / "handbook", workdir / "handbook")
    server = AppServer(workdir, workdir / "handbook", real_site)
    yield server
    server.stop()


@pytest.fixture
def fresh_phone(browser, real_server):
    """A phone with an empty cache (requested after the server, so it closes first)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True)
    yield context.new_page()
    context.close()


def test_first_and_repeat_view_of_the_handbook_home(fresh_phone, real_server):
    meter = TransferMeter(fresh_phone)
    first = meter.view(real_server.url + "/handbook/")
    detail = f"{first.total} bytes: {first.largest()}"
    assert INDEX in first.requests, detail  # the search worker's index is part of a first view
    assert first.encoding[INDEX] == "br", first.encoding
    assert first.total <= FIRST_VIEW_MAX, detail

    repeat = meter.view(real_server.url + "/handbook/")
    assert repeat.total <= REPEAT_VIEW_MAX, f"{repeat.total} bytes: {repeat.largest()}"
    # Theme assets come from the cache without a request reaching the server.
    bundle = next(name for name in first.requests if "/javascripts/bundle." in name)
    assert repeat.requests.get(bundle, 0) == 0, repeat.requests


def test_search_works_with_the_compressed_index_through_the_app(fresh_phone, real_server):
    results = search(fresh_phone, real_server.url + "/handbook/", "请假")
    expect(results.first).to_contain_text("请假")
    # The answering clause comes first, not a generated page that repeats it.
    first_link = results.first.locator("a").first.get_attribute("href") or ""
    assert "岗位须知" not in first_link and "%E5%B2%97%E4%BD%8D" not in first_link, first_link
