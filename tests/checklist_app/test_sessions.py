"""Sessions that can be revoked: the session carries the account's session_version, checked on every request.

Disabling an account, resetting its password, changing it and "sign out everywhere"
end every session at once, in every worker process: the tests open the session in
one app instance and revoke it in another on the same DATA_DIR, as two gunicorn
workers would, and replay a copied cookie afterwards.
"""

from __future__ import annotations

import pytest

from checklist_app import audit, create_app
from checklist_app.extensions import storage

from .conftest import DAY, PASSWORD, csrf_from

REVOKED = "你的登录已失效（密码已修改、账号已停用或已在所有设备上退出），请重新登录。"


@pytest.fixture
def worker_b(app, clock):
    """A second worker: another app instance on the same data folder."""
    keys = (
        "TESTING",
        "SECRET_KEY",
        "HANDBOOK_DIR",
        "SITE_DIR",
        "DATA_DIR",
        "DATABASE_URL",
        "RELOAD_INTERVAL",
    )
    return create_app({**{key: app.config[key] for key in keys}, "CLOCK": clock})


def sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def post(client, path: str, data: dict, page: str):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def copy_of(client, app):
    """Another browser that holds a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def assert_ended(client) -> None:
    """The session is gone: a page redirects to sign-in saying why, the API answers 401."""
    page = client.get("/history")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert REVOKED in client.get("/login").get_data(as_text=True)
    api = client.get("/api/csrf")
    assert api.status_code == 401  # the cookie was cleared by the redirect; the copy is refused anew


def assert_api_refused(client) -> None:
    api = client.get("/api/csrf")
    assert api.status_code == 401
    assert api.get_json()["errors"] == [REVOKED]


def admin_in(app):
    admin = app.test_client()
    sign_in(admin, "admin")
    return admin


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/users/zhang/disable", {}),
        ("/admin/users/zhang/reset-password", {"password": "Temp-pass-2026"}),
    ],
)
def test_an_admin_in_one_worker_ends_a_session_open_in_another(app, worker_b, path, data):
    phone = worker_b.test_client()
    sign_in(phone, "zhang")
    stolen = copy_of(phone, worker_b)
    stolen_api = copy_of(phone, app)
    assert phone.get("/").status_code == 200 and stolen.get("/").status_code == 200
    admin = admin_in(app)
    assert post(admin, path, data, page="/admin/users/zhang").status_code == 302
    assert_api_refused(stolen_api)  # a JSON client gets 401 with the reason
    assert_ended(phone)
    assert_ended(stolen)  # a copied cookie replayed afterwards is refused too


def test_sign_out_everywhere_in_one_worker_ends_the_copies_in_another(app, worker_b):
    phone = worker_b.test_client()
    sign_in(phone, "zhang")
    stolen = copy_of(phone, app)
    laptop = app.test_client()
    sign_in(laptop, "zhang")
    assert post(laptop, "/account/sign-out-everywhere", {}, page="/account/password").status_code == 302
    assert_ended(phone)
    assert_ended(stolen)
    sign_in(phone, "zhang")  # signing in again works, with a new session
    assert phone.get("/").status_code == 200


def test_changing_ones_password_ends_copies_in_every_worker_but_keeps_this_device(app, worker_b):
    phone = app.test_client()
    sign_in(phone, "zhang")
    stolen = copy_of(phone, worker_b)
    other_device = worker_b.test_client()
    sign_in(other_device, "zhang")
    data = {
        "current_password": PASSWORD,
        "new_password": "my-own-secret-77",
        "repeat_password": "my-own-secret-77",
    }
    assert post(phone, "/account/password", data, page="/account/password").status_code == 302
    assert phone.get("/").status_code == 200  # the new cookie carries the new version
    assert worker_b.test_client().get("/").status_code == 302
    assert_ended(stolen)  # the old cookie, even of this very device, no longer works
    assert_ended(other_device)
    moved = copy_of(phone, worker_b)
    assert moved.get("/").status_code == 200  # the new cookie is good in every worker


def test_enabling_again_does_not_revive_the_old_sessions(app, worker_b):
    phone = worker_b.test_client()
    sign_in(phone, "zhang")
    stolen = copy_of(phone, worker_b)
    admin = admin_in(app)
    post(admin, "/admin/users/zhang/disable", {}, page="/admin/users/zhang")
    post(admin, "/admin/users/zhang/enable", {}, page="/admin/users/zhang")
    assert_ended(stolen)
    sign_in(phone, "zhang")
    assert phone.get("/").status_code == 200


def test_a_replayed_cookie_of_a_disabled_account_is_logged(app, worker_b):
    phone = worker_b.test_client()
    sign_in(phone, "zhang")
    stolen = copy_of(phone, app)
    post(admin_in(app), "/admin/users/zhang/disable", {}, page="/admin/users/zhang")
    assert stolen.get("/").status_code == 302
    with app.app_context():
        [entry] = [e for e in audit.entries(storage(), DAY, DAY) if e.action == "account.refused"]
    assert entry.subject == "zhang" and "登录会话被结束" in entry.note


def test_an_admin_who_disables_themselves_is_signed_out_too(app):
    with app.app_context():
        storage().users.put({**storage().users.get("zhao"), "permission": "admin"})
    admin = admin_in(app)
    response = post(admin, "/admin/users/admin/disable", {}, page="/admin/users/admin")
    assert response.status_code == 302
    follow = admin.get(response.headers["Location"])
    assert follow.status_code == 302 and follow.headers["Location"].startswith("/login")


def test_editing_an_account_ends_no_session_and_takes_effect_at_once(app, worker_b):
    phone = worker_b.test_client()
    sign_in(phone, "zhao")  # an owner: may see the handbook status
    assert phone.get("/admin/handbook").status_code == 200
    post(admin_in(app), "/admin/users/zhao", {"permission": "inspector"}, page="/admin/users/zhao")
    assert phone.get("/").status_code == 200  # still signed in
    assert phone.get("/admin/handbook").status_code == 403  # with the new permission


def test_a_session_from_before_versions_were_stored_is_ended(app, client, clock):
    with client.session_transaction() as session:
        session.update(user="zhang", signed_in_at=clock.timestamp())  # no "sv"
    assert client.get("/").status_code == 302


def test_a_session_whose_account_was_removed_is_ended(app, client):
    sign_in(client, "zhang")
    with app.app_context():
        users = storage().users
        everyone = [u for u in users.all() if u["username"] != "zhang"]
    store = app.extensions["checklist_storage"].users
    if not hasattr(store, "path"):
        pytest.skip("removes the account from TinyDB's file (a UserStore has no delete)")
    (store.path).write_text('{"users": {}}', encoding="utf-8")
    for user in everyone:
        store.put(user)
    assert client.get("/").status_code == 302


def test_plain_sign_out_still_only_clears_this_browsers_cookie(app, client):
    sign_in(client, "zhang")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302
    with app.app_context():
        assert storage().users.get("zhang")["session_version"] == 0  # nothing revoked: use 在所有设备上退出
