"""Sign-in, safe cookies, CSRF on every form, and who may see what."""

from __future__ import annotations

import re

from checklist_app.extensions import storage

from .conftest import PASSWORD


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
