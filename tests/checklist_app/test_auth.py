"""Sign-in, safe cookies, CSRF on every form, and who may see what."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from flask import redirect, request

from checklist_app import create_app
from checklist_app.auth import _safe_next, make_user
from checklist_app.extensions import storage

from .conftest import PASSWORD, csrf_from


def test_pages_need_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused_with_a_message(client, auth):
    response = auth.login("zhang", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_unknown_user_gets_the_same_message(client, auth):
    response = auth.login("nobody", "whatever-123")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_sign_in_sets_a_safe_session_cookie(client, auth):
    response = auth.login()
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_hashed(app):
    with app.app_context():
        user = storage().users.get("zhang")
    assert PASSWORD not in str(user)
    assert user["password_hash"].startswith(("scrypt:", "pbkdf2:"))


def test_a_forged_post_without_csrf_token_is_refused_and_stores_nothing(client, auth):
    auth.login("zhang")
    html = client.get("/checklists/daily/2026-11-23/role:售前客服").get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields.pop("csrf_token")
    keys = re.findall(r'data-key="([^"]+)"', html)
    response = client.post("/checklists/submit", data={**fields, **{f"result-{k}": "pass" for k in keys}})
    assert response.status_code == 400
    assert "表单已失效" in response.get_data(as_text=True)
    history = client.get("/history?from=2026-11-23&to=2026-11-23").get_data(as_text=True)
    assert "没有符合条件的记录" in history


def test_a_csrf_token_from_another_session_is_refused(app, auth, client):
    other = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "zhang", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 400


def test_logout_needs_post_with_a_token(client, auth):
    auth.login()
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": auth.token()})
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, auth):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "zhang", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_inspector_cannot_read_another_inspectors_record(client, auth):
    auth.login("zhang")
    html = client.get("/checklists/daily/2026-11-23/role:售前客服").get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    keys = re.findall(r'data-key="([^"]+)"', html)
    done = client.post("/checklists/submit", data={**fields, **{f"result-{k}": "pass" for k in keys}})
    record_url = done.headers["Location"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("wang")
    assert client.get(record_url).status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("admin")
    assert client.get(record_url).status_code == 200


def test_output_is_escaped(client, auth):
    auth.login("zhang")
    html = client.get("/checklists/daily/2026-11-23/role:售前客服").get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    keys = re.findall(r'data-key="([^"]+)"', html)
    data = {**fields, **{f"result-{k}": "pass" for k in keys}, f"note-{keys[0]}": "<script>alert(1)</script>"}
    done = client.post("/checklists/submit", data=data)
    record = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in record
    assert "&lt;script&gt;" in record


def test_only_owners_and_admins_see_the_handbook_status(client, auth):
    auth.login("zhang")
    assert client.get("/admin/handbook").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("zhao")
    assert client.get("/admin/handbook").status_code == 200
    assert client.get("/admin/users").status_code == 403


def sign_in(client, username="zhang", password=PASSWORD, next=None, address="127.0.0.1"):
    """POST the sign-in form (``next`` in the query string, from client address ``address``)."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ).get_data(as_text=True)
    return client.post(
        "/login",
        query_string={"next": next} if next is not None else None,
        data={"username": username, "password": password, "csrf_token": csrf_from(page)},
        environ_base=environ,
    )


# Where sign-in may send you: (the decoded value of ?next=, the Location expected). "/" is home.
NEXT_VECTORS = [
    ("/\t/evil.example", "/"),  # browsers drop tab, LF and CR anywhere in a URL
    ("/\n/evil.example", "/"),  # used to be a 500 (newline in the Location header)
    ("/\r\n/evil.example", "/"),
    ("\n//evil", "/"),
    (" //evil", "/"),  # leading spaces and C0 controls are stripped
    ("\x00//evil", "/"),
    ("\x1f /\t/evil", "/"),
    ("//evil.example/x", "/"),
    ("///evil", "/"),
    ("/\\evil", "/"),  # browsers read a backslash as a slash: "//evil"
    ("\\\\evil", "/"),
    ("/\\/evil", "/"),
    ("\\/evil", "/"),
    ("https://evil", "/"),
    ("HTTPS://evil", "/"),
    ("http:/evil", "/"),
    ("https:evil", "/"),
    ("javascript:alert(1)", "/"),
    ("evil.example", "/"),  # relative: not a path of ours
    ("", "/"),
    # Percent-encoded: the browser keeps these on this site, but another hop (a proxy, a later
    # redirect) may decode them; the decoded form must be safe too, so they go home.
    ("/%2F%2Fevil", "/"),
    ("/%2f/evil", "/"),
    ("/%5Cevil", "/"),
    ("/%09/evil", "/"),
    ("/%0A/evil", "/"),
    ("/ok%0D%0ASet-Cookie:x=1", "/"),
    ("/a\x0bb", "/"),  # any other control character
    ("/a\x7fb", "/"),
    # Paths of ours stay (normalised as the browser would read them).
    ("/ok?x=1", "/ok?x=1"),
    ("/", "/"),
    ("/history?from=2026-11-23&to=2026-11-23", "/history?from=2026-11-23&to=2026-11-23"),
    ("/ok#part", "/ok#part"),
    ("/ok?next=//evil", "/ok?next=//evil"),  # "//" later in the URL is just data
    ("/ok\t", "/ok"),
    ("  /ok  ", "/ok"),
    ("/o\nk", "/ok"),
    ("/a\\b", "/a/b"),
    ("/%2e%2e/ok", "/%2e%2e/ok"),  # dot segments stay on this host
    (
        "/checklists/daily/2026-11-23/role:售前客服",
        "/checklists/daily/2026-11-23/role:%E5%94%AE%E5%89%8D%E5%AE%A2%E6%9C%8D",
    ),
]


@pytest.fixture(scope="module")
def redirect_app(good_root, sample_site, tmp_path_factory):
    """One app for the whole table (the redirect check needs no data)."""
    data = tmp_path_factory.mktemp("redirects")
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "STORAGE": "memory", "DATA_DIR": str(data)}
    return create_app({**config, "HANDBOOK_DIR": str(good_root), "SITE_DIR": str(sample_site)})


@pytest.mark.parametrize(("target", "location"), NEXT_VECTORS)
def test_next_after_sign_in_only_goes_to_paths_of_this_site(redirect_app, target, location):
    with redirect_app.test_request_context("/login"):
        response = redirect(_safe_next(target))
        assert response.get_wsgi_headers(request.environ)["Location"] == location


def test_next_is_followed_after_a_real_sign_in(client):
    response = sign_in(client, next="/history?from=2026-11-23&to=2026-11-23")
    assert response.headers["Location"] == "/history?from=2026-11-23&to=2026-11-23"


def test_the_tracker_report_raw_query_string(app):
    for raw in ("next=/%09/evil.example", "next=/%0A/evil.example", "next=%5C%5Cevil", "next=/%5C/evil"):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        form = {"username": "zhang", "password": PASSWORD, "csrf_token": csrf_from(page)}
        response = client.post("/login?" + raw, data=form)
        assert (response.status_code, response.headers["Location"]) == (302, "/"), raw


# Throttling failed sign-ins (defaults: 5 per account / 20 per address within 15 minutes → 15 minutes).

LOCKED = "登录失败次数过多，请 15 分钟后再试。"


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, clock):
    for _ in range(4):
        assert sign_in(client, password="wrong-password").status_code == 401
    fifth = sign_in(client, password="wrong-password")
    assert fifth.status_code == 429
    assert LOCKED in fifth.get_data(as_text=True)
    assert fifth.headers["Retry-After"] == str(15 * 60)
    right = sign_in(client)
    assert right.status_code == 429
    assert LOCKED in right.get_data(as_text=True)
    assert "user" not in _session(client)
    clock.advance(dt.timedelta(minutes=9, seconds=30))
    later = sign_in(client)
    assert later.status_code == 429
    assert "请 6 分钟后再试" in later.get_data(as_text=True)
    clock.advance(dt.timedelta(minutes=5, seconds=30))
    assert sign_in(client).status_code == 302


def _session(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_a_hundred_wrong_passwords_in_ten_seconds_get_four_tries(client, clock):
    statuses = []
    for _ in range(100):
        statuses.append(sign_in(client, password="wrong-password").status_code)
        clock.advance(dt.timedelta(seconds=0.1))
    assert statuses == [401] * 4 + [429] * 96
    assert sign_in(client).status_code == 429


def test_unknown_usernames_are_locked_the_same_way(client):
    known = [sign_in(client, "zhang", "wrong-password") for _ in range(5)]
    unknown = [sign_in(client, "nobody", "wrong-password") for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 4 + [429]
    known_page = known[-1].get_data(as_text=True).replace("zhang", "NAME")
    unknown_page = unknown[-1].get_data(as_text=True).replace("nobody", "NAME")
    strip = re.compile(r'(?:value|content)="[^"]{20,}"')  # the CSRF token differs
    assert strip.sub("", known_page) == strip.sub("", unknown_page)
    assert sign_in(client, "nobody", "whatever-123").status_code == 429


def test_a_success_clears_the_accounts_count(client, auth):
    for _ in range(4):
        sign_in(client, password="wrong-password")
    assert sign_in(client).status_code == 302
    client.post("/logout", data={"csrf_token": auth.token()})
    for _ in range(4):
        assert sign_in(client, password="wrong-password").status_code == 401


def test_failures_older_than_the_window_no_longer_count(client, clock):
    for _ in range(4):
        sign_in(client, password="wrong-password")
    clock.advance(dt.timedelta(minutes=15, seconds=1))
    assert sign_in(client, password="wrong-password").status_code == 401
    assert sign_in(client).status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(app, client, clock):
    names = ["zhang", "wang", "zhao", "li", "nobody"]
    statuses = [sign_in(client, name, "wrong-password", address="10.0.0.7").status_code for name in names * 4]
    assert statuses == [401] * 19 + [429]  # four per account: no account is locked, the address is
    assert sign_in(client, "admin", address="10.0.0.7").status_code == 429
    assert sign_in(app.test_client(), "admin", address="10.0.0.8").status_code == 302
    assert sign_in(app.test_client(), "zhang", address="10.0.0.8").status_code == 302
    clock.advance(dt.timedelta(minutes=15))
    assert sign_in(app.test_client(), "admin", address="10.0.0.7").status_code == 302


def test_a_success_does_not_clear_the_address_count(app, client):
    for name in ["zhang", "wang", "zhao", "li"] * 4 + ["nobody"] * 3:
        sign_in(app.test_client(), name, "wrong-password", address="10.0.0.7")
    assert sign_in(app.test_client(), "admin", address="10.0.0.7").status_code == 302
    assert sign_in(client, "nobody", "wrong-password", address="10.0.0.7").status_code == 429


def test_failures_and_lockouts_are_logged_without_the_password(client, caplog):
    secret = "wrong-password-Zx9"
    with caplog.at_level(logging.WARNING):
        for _ in range(6):
            sign_in(client, "zhang", secret, address="10.0.0.9")
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([m for m in messages if m.startswith("sign-in failed")]) == 5
    assert len([m for m in messages if m.startswith("sign-in locked")]) == 1
    assert len([m for m in messages if m.startswith("sign-in refused while locked")]) == 1
    assert all("'zhang'" in m and "10.0.0.9" in m for m in messages)
    assert not any(secret in m for m in messages)


def test_two_app_instances_on_one_data_dir_see_each_others_failures(app, clock):
    # As two gunicorn workers: create_app twice on the same DATA_DIR.
    keys = (
        "TESTING",
        "SECRET_KEY",
        "HANDBOOK_DIR",
        "SITE_DIR",
        "DATA_DIR",
        "DATABASE_URL",
        "RELOAD_INTERVAL",
    )
    second = create_app({**{key: app.config[key] for key in keys}, "CLOCK": clock})
    first_client, second_client = app.test_client(), second.test_client()
    for n in range(4):
        assert sign_in(first_client if n % 2 else second_client, password="wrong-password").status_code == 401
    assert sign_in(second_client, password="wrong-password").status_code == 429
    assert sign_in(first_client).status_code == 429
    clock.advance(dt.timedelta(minutes=15))
    assert sign_in(first_client).status_code == 302
    for _ in range(4):
        assert sign_in(second_client, password="wrong-password").status_code == 401  # cleared for both


# The absolute session lifetime (PERMANENT_SESSION_LIFETIME, 12 h by default).


def test_a_sign_in_ends_twelve_hours_after_signing_in_however_active(client, auth, clock):
    auth.login()
    for _ in range(11):
        clock.advance(dt.timedelta(hours=1))
        assert client.get("/").status_code == 200
    clock.advance(dt.timedelta(minutes=59, seconds=59))
    assert client.get("/").status_code == 200
    clock.advance(dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "登录已超过有效期" in client.get("/login").get_data(as_text=True)
    assert "user" not in _session(client)


def test_a_copied_cookie_expires_too(app, auth, client, clock):
    auth.login()
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    clock.advance(dt.timedelta(hours=6))
    assert copy.get("/").status_code == 200
    clock.advance(dt.timedelta(hours=6))
    assert copy.get("/").status_code == 302
    response = copy.get("/api/csrf")
    assert response.status_code == 401


def test_an_expired_session_gets_401_from_the_api(auth, client, clock):
    auth.login()
    assert client.get("/api/csrf").status_code == 200
    clock.advance(dt.timedelta(hours=12))
    response = client.get("/api/csrf")
    assert response.status_code == 401
    assert "登录已超过有效期" in response.get_json()["errors"][0]


def test_a_session_without_a_sign_in_time_is_ended(client):
    with client.session_transaction() as session:
        session["user"] = "zhang"  # a cookie issued before sign-in times were stored
    assert client.get("/").status_code == 302


def test_the_lifetime_follows_the_setting(app, auth, client, clock):
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(minutes=30)
    auth.login()
    clock.advance(dt.timedelta(minutes=29))
    assert client.get("/").status_code == 200
    clock.advance(dt.timedelta(minutes=1))
    assert client.get("/").status_code == 302


def test_the_cookie_is_not_reissued_on_every_request(app, auth, client):
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is False
    auth.login()
    client.get("/")
    again = client.get("/")
    assert again.status_code == 200
    assert "Set-Cookie" not in again.headers


def test_an_admin_created_user_signs_in_and_out(app, client, auth):
    with app.app_context():
        storage().users.put(make_user("sun", "another-pass-1", "inspector"))
    assert sign_in(client, "sun", "another-pass-1").status_code == 302
    client.post("/logout", data={"csrf_token": auth.token()})
    assert client.get("/").status_code == 302
