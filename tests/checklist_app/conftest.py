"""App fixtures: a real app on the sample handbook with TinyDB in a temp folder, CSRF switched on."""

from __future__ import annotations

import re
import shutil

import pytest

from checklist_app import create_app
from checklist_app.auth import make_user
from checklist_app.extensions import storage

PASSWORD = "correct-horse-1"
USERS = [
    ("admin", "admin", ""),
    ("zhang", "inspector", "客服主管"),  # checks the customer-service rules
    ("wang", "inspector", "仓储主管"),  # checks the warehouse rules
    ("zhao", "owner", "人事专员"),
    ("li", "inspector", "行政专员"),  # scores the hygiene sheet of every department
]


@pytest.fixture
def handbook_dir(tmp_path, good_root):
    root = tmp_path / "handbook"
    shutil.copytree(good_root, root)
    return root


@pytest.fixture
def app(tmp_path, handbook_dir, sample_site):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "HANDBOOK_DIR": str(handbook_dir),
            "SITE_DIR": str(sample_site),
            "DATA_DIR": str(tmp_path / "data"),
            "RELOAD_INTERVAL": 0,
        }
    )
    with app.app_context():
        for username, permission, role in USERS:
            storage().users.put(
                make_user(username, PASSWORD, permission, role, display_name=username.title())
            )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    """The CSRF token a page carries (meta tag or hidden field)."""
    match = re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """Sign in and out the way a browser does, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, username="zhang", password=PASSWORD):
        page = self.client.get("/login").get_data(as_text=True)
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)}
        )

    def token(self, path="/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(client):
    return Auth(client)
