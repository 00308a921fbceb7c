"""A handbook address that does not exist: the handbook's own 404 page, not the app's."""

from __future__ import annotations

import brotli
import pytest

from .test_handbook_site import get
from .test_security_headers import assert_secure, directives

UNKNOWN = [
    "no-such-page/",
    "20-客服/no-such-policy/",
    "deep/er/than/any/page/",
    "no-such-file.html",
    "assets/stylesheets/",  # a folder without index.html
    "search/search_index.json.br",  # a compressed copy is not a file of the site
    "a" * 300,  # longer than a file name may be
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_handbook_path_gets_the_handbooks_404_page_with_status_404(client, path):
    response = get(client, f"/handbook/{path}", "")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1>找不到这个页面</h1>" in html
    assert "回到手册首页" in html
    assert "今日清单" not in html  # the app's page, which leads a new hire to a sign-in
    assert_secure(response)


def test_the_404_page_links_to_the_handbook_home_and_searches_it_from_any_depth(client):
    html = get(client, "/handbook/deep/er/than/any/page/", "").get_data(as_text=True)
    assert 'href="/handbook/"' in html
    assert '<form class="hb-404__search" action="/handbook/" method="get" role="search">' in html
    assert 'name="q"' in html  # mkdocs-material opens its search with ?q=
    # The theme's styles and scripts load from where the app serves the site, not from "/".
    assert 'href="/handbook/assets/stylesheets/main.' in html
    assert 'src="/handbook/assets/javascripts/bundle.' in html
    assert 'href="/assets/' not in html and 'src="/assets/' not in html


def test_the_404_page_is_compressed_and_may_run_the_themes_inline_scripts(client):
    response = get(client, "/handbook/no-such-page/", "br")
    assert response.status_code == 404
    assert response.headers["Content-Encoding"] == "br"
    assert "找不到这个页面" in brotli.decompress(response.get_data()).decode("utf-8")
    assert response.headers["Cache-Control"] == "no-cache"
    home = get(client, "/handbook/", "br")
    assert len(directives(response)["script-src"]) > 2  # the theme's own inline script hashes
    assert directives(home)["script-src"][:2] == directives(response)["script-src"][:2]


def test_a_planted_script_gets_the_404_page_too(site_app, site):
    (site / "assets" / "planted.js").write_text("alert(1)", encoding="utf-8")
    response = get(site_app.test_client(), "/handbook/assets/planted.js", "")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_without_a_built_404_page_the_apps_own_404_is_shown(site_app, site):
    (site / "404.html").unlink()
    response = get(site_app.test_client(), "/handbook/no-such-page/", "")
    assert response.status_code == 404
    assert "找不到这个页面" in response.get_data(as_text=True)
    assert_secure(response)
