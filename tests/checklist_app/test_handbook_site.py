"""The handbook and the app's static files: compressed by negotiation, cached right, secure always.

The sample site is built by the real plugin, so it carries the build's .br and .gz copies.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from checklist_app import handbook_site

from .test_security_headers import assert_secure, directives

POLICY_PAGE = "20-客服/service/"
INDEX = "search/search_index.json"


def theme_asset(site: Path, pattern: str) -> str:
    (found,) = site.glob(pattern)
    return found.relative_to(site).as_posix()


def get(client, path, encoding="gzip, deflate, br, zstd", **headers):
    return client.get(path, headers={"Accept-Encoding": encoding, **headers}, buffered=True)


def test_the_build_writes_brotli_and_gzip_copies(sample_site):
    raw = (sample_site / INDEX).read_bytes()
    assert brotli.decompress((sample_site / (INDEX + ".br")).read_bytes()) == raw
    assert gzip.decompress((sample_site / (INDEX + ".gz")).read_bytes()) == raw
    bundle = theme_asset(sample_site, "assets/javascripts/bundle.*.min.js")
    assert (sample_site / (bundle + ".br")).exists()
    assert not list(sample_site.rglob("*.map.gz")), "source maps are not compressed"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),  # Chromium
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("", None),
        ("identity", None),
    ],
)
def test_the_search_index_is_served_in_the_best_encoding_the_client_takes(
    client, sample_site, accept, expected
):
    response = get(client, f"/handbook/{INDEX}", accept)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.mimetype == "application/json"
    body = response.get_data()
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[expected](body)
    assert decoded == (sample_site / INDEX).read_bytes()
    assert int(response.headers["Content-Length"]) == len(body)
    assert_secure(response)


def test_pages_and_the_index_are_revalidated_theme_assets_cached_for_a_year(client, sample_site):
    for path in ("", POLICY_PAGE, INDEX, "assets/handbook.css"):
        response = get(client, f"/handbook/{path}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-cache", path
        assert response.headers["ETag"] and response.headers["Last-Modified"], path
        assert "Expires" not in response.headers
    for pattern in (
        "assets/javascripts/bundle.*.min.js",
        "assets/stylesheets/main.*.min.css",
        "assets/javascripts/workers/search.*.min.js",
    ):
        path = theme_asset(sample_site, pattern)
        response = get(client, f"/handbook/{path}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", path
        assert response.headers["Content-Encoding"] == "br", path
        assert_secure(response)


def test_only_hashed_theme_file_names_are_immutable():
    assert (
        handbook_site.cache_control_for("assets/javascripts/bundle.a5f9d56c.min.js")
        == handbook_site.IMMUTABLE
    )
    for path in ("index.html", INDEX, "assets/handbook.css", "assets/javascripts/lunr/min/lunr.zh.min.js"):
        assert handbook_site.cache_control_for(path) == "no-cache", path


@pytest.mark.parametrize("accept", ["br", "gzip", ""])
def test_a_revalidated_page_is_a_304_with_every_security_header(client, accept):
    first = get(client, f"/handbook/{POLICY_PAGE}", accept)
    again = get(client, f"/handbook/{POLICY_PAGE}", accept, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == "no-cache"
    assert "Accept-Encoding" in again.headers["Vary"]
    assert_secure(again)
    # The browser replaces the cached headers with these: the theme's scripts must stay allowed.
    assert directives(again)["script-src"] == directives(first)["script-src"]
    assert len(directives(first)["script-src"]) > 2


def test_an_etag_of_one_encoding_does_not_validate_another(client):
    br = get(client, f"/handbook/{INDEX}", "br")
    assert (
        get(client, f"/handbook/{INDEX}", "gzip", **{"If-None-Match": br.headers["ETag"]}).status_code == 200
    )
    assert get(client, f"/handbook/{INDEX}", "br", **{"If-None-Match": br.headers["ETag"]}).status_code == 304


def test_if_modified_since_gives_a_304(client):
    first = get(client, f"/handbook/{INDEX}", "br")
    again = get(client, f"/handbook/{INDEX}", "br", **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304
    assert_secure(again)


def test_a_stale_or_planted_copy_is_never_served(site_app, site):
    client = site_app.test_client()
    page = site / POLICY_PAGE / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>新版</p></article>"), "utf-8")
    (site / POLICY_PAGE / "index.html.br").write_bytes(b"not brotli")
    response = get(client, f"/handbook/{POLICY_PAGE}", "gzip, br")
    # The .br is garbage and the .gz is of the old page: the page itself is sent.
    assert response.headers.get("Content-Encoding") is None
    assert "新版" in response.get_data(as_text=True)


def test_a_planted_script_is_refused_in_every_encoding(site_app, site):
    client = site_app.test_client()
    script = b"document.title='PWNED';" * 100
    (site / "assets" / "planted.js").write_bytes(script)
    (site / "assets" / "planted.js.gz").write_bytes(gzip.compress(script))
    (site / "assets" / "planted.js.br").write_bytes(brotli.compress(script))
    for accept in ("br", "gzip", ""):
        assert get(client, "/handbook/assets/planted.js", accept).status_code == 404


@pytest.mark.parametrize("path", [f"{INDEX}.gz", f"{INDEX}.br", f"{POLICY_PAGE}index.html.gz"])
def test_compressed_copies_are_not_files_of_the_site(client, path):
    response = get(client, f"/handbook/{path}")
    assert response.status_code == 404
    assert_secure(response)


def test_the_apps_static_files_are_compressed_and_revalidated(client):
    source = Path(client.application.static_folder, "app.css").read_bytes()
    for accept, decode in (("br", brotli.decompress), ("gzip", gzip.decompress), ("", bytes)):
        response = get(client, "/static/app.css", accept)
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == (accept or None)
        assert decode(response.get_data()) == source
        assert response.headers["Cache-Control"] == "no-cache"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert_secure(response)
        again = get(client, "/static/app.css", accept, **{"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert_secure(again)


def test_the_apps_static_folder_still_refuses_what_flask_refused(client):
    for path in ("/static/../secret_key", "/static/no-such.css", "/static/"):
        assert get(client, path).status_code == 404, path
