"""Every response carries the security headers; nothing but the theme's own code may run in the handbook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checklist_app import create_app, security

from .conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "checklist_app" / "templates"
POLICY_PAGE = "20-客服/service/"

EXPECTED = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        assert name not in parsed, f"{name} twice in {policy}"
        parsed[name] = values
    return parsed


def assert_secure(response) -> dict[str, list[str]]:
    """The headers every response must carry; returns the parsed CSP."""
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in permissions
    csp = directives(response)
    for name, values in EXPECTED.items():
        assert csp[name] == values, name
    script = csp["script-src"]
    assert script[:2] == ["'self'", "'report-sample'"]
    assert all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", value) for value in script[2:]), script
    for values in csp.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values and "*" not in values
    return csp


@pytest.mark.parametrize(
    ("path", "status", "signed_in"),
    [
        ("/", 200, True),  # an app page
        ("/reports/", 200, True),
        ("/login", 200, False),
        ("/api/csrf", 401, False),  # JSON API, not signed in
        ("/no-such-page", 404, False),  # the app's 404 page
        ("/static/app.css", 200, False),
        ("/static/checklist.js", 200, False),
        ("/handbook/", 200, False),
        (f"/handbook/{POLICY_PAGE}", 200, False),
        ("/handbook/assets/stylesheets/", 404, False),  # a folder without index.html
        ("/handbook/no-such-file.html", 404, False),
        ("/handbook/../secret_key", 404, False),
    ],
)
def test_every_response_carries_the_headers(client, auth, path, status, signed_in):
    if signed_in:
        auth.login("admin")
    response = client.get(path, buffered=True)
    assert response.status_code == status
    assert_secure(response)


def test_a_server_error_page_carries_the_headers(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom", view_func=boom)
    response = client.get("/boom", buffered=True)
    assert response.status_code == 500
    assert_secure(response)


def test_a_post_and_a_redirect_carry_the_headers(client, auth):
    response = auth.login("admin")
    assert response.status_code == 302
    assert_secure(response)
    refused = client.post("/login", data={"username": "admin", "password": PASSWORD})  # no CSRF token
    assert refused.status_code == 400
    assert_secure(refused)


def test_app_pages_allow_no_inline_script(client, auth):
    auth.login("admin")
    for path in ("/", "/history", "/reports/", "/admin/users"):
        script = directives(client.get(path, buffered=True))["script-src"]
        assert script == ["'self'", "'report-sample'"], path


def test_the_theme_scripts_are_found_in_the_installed_theme(sample_site):
    html = (sample_site / POLICY_PAGE / "index.html").read_text(encoding="utf-8")
    helpers = next(body for _, body in security.inline_scripts(html) if body.startswith("__md_scope="))
    patterns = security.theme_script_patterns()
    assert len(patterns) >= 2
    assert any(pattern.fullmatch(helpers) for pattern in patterns)


def page_scripts(html: str) -> list[str]:
    """The executable inline scripts of a page (JSON data blocks are never run)."""
    return [body for attrs, body in security.inline_scripts(html) if "application/json" not in attrs]


def test_a_handbook_page_allows_exactly_its_theme_scripts(client, sample_site):
    response = client.get(f"/handbook/{POLICY_PAGE}", buffered=True)
    html = response.get_data(as_text=True)
    bodies = page_scripts(html)
    assert bodies, "the theme emits inline scripts on every page"
    allowed = [value.strip("'") for value in directives(response)["script-src"][2:]]
    assert sorted(allowed) == sorted({security.sha256_source(body) for body in bodies})
    assert any(body.startswith("__md_scope=") for body in bodies)


def test_every_page_of_the_real_site_runs_only_theme_scripts(real_site):
    """A theme upgrade that moves its inline scripts out of partials/javascripts/ fails here, not silently."""
    pages = sorted(real_site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        allowed = set(security.theme_script_hashes(html, str(page)))
        for body in page_scripts(html):
            assert security.sha256_source(body) in allowed, f"{page}: not a theme script: {body[:80]}"


INJECTED = [
    "document.title='PWNED'",
    # A theme script with its string literal broken out of: the wildcard admits no quote.
    '__md_scope=new URL("",fetch("/admin/users"),"",location),__md_hash=1',
    # A theme script with code appended.
    "var target=document.getElementById(location.hash.slice(1));target&&target.name&&"
    '(target.checked=target.name.startsWith("__tabbed_"));fetch("/admin/users")',
]


@pytest.mark.parametrize("script", INJECTED)
def test_a_script_injected_into_a_page_is_not_allowed(site_app, site, script):
    page = site / POLICY_PAGE / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</article>", f"<script>{script}</script></article>", 1), encoding="utf-8")
    response = site_app.test_client().get(f"/handbook/{POLICY_PAGE}", buffered=True)
    assert script in response.get_data(as_text=True)
    allowed = directives(response)["script-src"]
    assert f"'{security.sha256_source(script)}'" not in allowed
    assert len(allowed) > 2, "the theme's own scripts stay allowed"


def test_handlers_and_javascript_urls_are_never_allowed(site_app, site):
    """Hash sources never cover handlers or javascript: URLs (that needs 'unsafe-hashes', never sent)."""
    page = site / POLICY_PAGE / "index.html"
    html = page.read_text(encoding="utf-8")
    evil = """<img src="x.png" onerror="document.title='X'"><a href="javascript:document.title='X'">x</a>"""
    page.write_text(html.replace("</article>", evil + "</article>", 1), encoding="utf-8")
    csp = directives(site_app.test_client().get(f"/handbook/{POLICY_PAGE}", buffered=True))
    assert "'unsafe-hashes'" not in csp["script-src"]


def test_the_hashes_follow_a_republished_page(site_app, site):
    client = site_app.test_client()
    page = site / POLICY_PAGE / "index.html"
    before = directives(client.get(f"/handbook/{POLICY_PAGE}", buffered=True))["script-src"]
    html = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"<script>var target=.*?</script>", "", html, count=1), encoding="utf-8")
    after = directives(client.get(f"/handbook/{POLICY_PAGE}", buffered=True))["script-src"]
    assert len(after) == len(before) - 1


def test_only_the_theme_javascript_files_are_served(site_app, site):
    client = site_app.test_client()
    bundle = next((site / "assets" / "javascripts").glob("bundle.*.min.js")).name
    response = client.get(f"/handbook/assets/javascripts/{bundle}", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).name
    assert client.get(f"/handbook/assets/javascripts/workers/{worker}", buffered=True).status_code == 200
    # A script dropped next to the Markdown is copied into the site by MkDocs: never served.
    (site / "assets" / "evil.js").write_text("document.title='PWNED'", encoding="utf-8")
    (site / "assets" / "evil.mjs").write_text("document.title='PWNED'", encoding="utf-8")
    assert client.get("/handbook/assets/evil.js", buffered=True).status_code == 404
    assert client.get("/handbook/assets/evil.mjs", buffered=True).status_code == 404
    # Nor a theme file that was changed.
    tampered = site / "assets" / "javascripts" / bundle
    tampered.write_text(tampered.read_text(encoding="utf-8") + ";document.title='PWNED'", encoding="utf-8")
    assert client.get(f"/handbook/assets/javascripts/{bundle}", buffered=True).status_code == 404
    # Other files are served as before.
    assert client.get("/handbook/assets/handbook.css", buffered=True).status_code == 200
    assert client.get("/handbook/search/search_index.json", buffered=True).status_code == 200


def test_the_wsgi_app_gets_the_headers_too(tmp_path, sample_site, handbook_dir):
    """A fresh app (the factory path gunicorn uses), not only the test fixture's."""
    app = create_app(
        {
            "SECRET_KEY": "x",
            "HANDBOOK_DIR": str(handbook_dir),
            "SITE_DIR": str(sample_site),
            "DATA_DIR": str(tmp_path / "data"),
        }
    )
    assert_secure(app.test_client().get("/handbook/", buffered=True))


def test_template_pattern_keeps_literal_text_exact():
    pattern = security._template_pattern('a=new URL("{{ base_url }}",location);b("{{- x -}}")')
    assert pattern.fullmatch('a=new URL("../..",location);b("y")')
    assert not pattern.fullmatch('a=new URL("..",alert(1),"",location);b("y")')
    assert not pattern.fullmatch('a=new URL("..",location);b("y");alert(1)')
    assert security._template_pattern("{% if x %}a{% endif %}") is None


# --- The app's own templates: nothing inline, nothing from another host. ---------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
REMOTE = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert len(found) > 10
    return found


@pytest.mark.parametrize(
    ("rule", "what"),
    [
        (INLINE_SCRIPT, "an inline <script> (put it in a file under checklist_app/static/)"),
        (HANDLER, "an inline event handler (use addEventListener in a static file)"),
        (JAVASCRIPT_URL, "a javascript: URL"),
        (STYLE, "an inline style (style-src has no 'unsafe-inline'; use a class in a stylesheet)"),
        (REMOTE, "an asset or link to another host (everything is served by the app)"),
    ],
)
def test_app_templates_have_nothing_the_policy_would_block(rule, what):
    offenders = []
    for template in templates():
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if rule.search(line):
                offenders.append(f"{template.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert not offenders, f"{what}:\n" + "\n".join(offenders)


def test_app_scripts_use_no_eval():
    for script in (TEMPLATES.parent / "static").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", text), script.name
