"""App fixtures: a real app on the sample handbook with TinyDB in a temp folder, CSRF switched on."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from checklist_app import create_app, services
from checklist_app.auth import make_user
from checklist_app.clock import FrozenClock
from checklist_app.extensions import handbook_state, storage
from checklist_app.generation import Target
from checklist_app.publishing import PublishRefused

from ..conftest import make_site_project

PASSWORD = "correct-horse-1"
USERS = [
    ("admin", "admin", ""),
    ("zhang", "inspector", "客服主管"),  # checks the customer-service rules
    ("wang", "inspector", "仓储主管"),  # checks the warehouse rules
    ("zhao", "owner", "人事专员"),
    ("li", "inspector", "行政专员"),  # scores the hygiene sheet of every department
]


SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 23)  # a Monday; the app's clock stands at 09:30 on it unless a test moves it


def noon(day: dt.date) -> dt.datetime:
    """Midday of ``day`` in the team's zone: a time a checklist of that day is really done."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FrozenClock:
    """The app's clock, frozen at 09:30 Beijing time on Monday 2026-11-23; tests move it with set/advance."""
    return FrozenClock(dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=SHANGHAI))


@pytest.fixture
def handbook_dir(tmp_path, good_root):
    """A writable draft: the sample handbook with the real one's assets, so a publish can build it."""
    return make_site_project(tmp_path / "project", good_root) / "handbook"


def make_test_app(handbook: Path, site: Path, data: Path, clock, users=(), publish_first=True, **config):
    """A real app on ``handbook`` with TinyDB in ``data``, its clock ``clock``, ``users`` stored.

    Its instance has no release yet, so the app publishes ``handbook`` as release 1, with ``site``
    when that is a build of it: what a fresh machine does; else (an edited handbook) it is
    published with a build, unless ``publish_first`` is false. Tests that edit
    ``handbook`` afterwards publish again (:func:`publish`) to see the change.
    """
    app = create_app(
        {
            "TESTING": True,
            "CLOCK": clock,
            "SECRET_KEY": "test-secret",
            "HANDBOOK_DIR": str(handbook),
            "SITE_DIR": str(site),
            "DATA_DIR": str(data),
            "RELOAD_INTERVAL": 0,
            **config,
        }
    )
    with app.app_context():
        for user in users:
            storage().users.put(dict(user))
    if app.extensions["checklist_releases"].pointer() is None and publish_first:
        # ``site`` is not a build of this (edited) handbook: publish it as `make publish` does
        # (a broken one is refused, and the app serves nothing yet, as on a fresh machine).
        with contextlib.suppress(PublishRefused):
            publish(app)
    return app


def publish(app, note: str = "", actor: dict | None = None, quick: bool = False):
    """Publish the app's draft handbook as its next release, as 管理 → 发布 does (builds the site).

    ``quick`` reuses the current release's site instead of building one (4 s): for tests that
    look only at checklists and records, never at the handbook pages.
    """
    from checklist_app import publishing

    with app.app_context():
        site = handbook_state().site if quick else None
        return publishing.publish(
            app.extensions["checklist_releases"],
            storage(),
            app.extensions["checklist_clock"],
            Path(app.config["HANDBOOK_DIR"]),
            Path(app.config["MKDOCS_CONFIG"]),
            actor,
            note,
            site=site,
        )


@pytest.fixture
def app(request, tmp_path, handbook_dir, sample_site, clock, accounts):
    """The app on TinyDB; on PostgreSQL (a fresh schema) with ``CHECKLIST_TEST_BACKEND=postgresql``."""
    if os.environ.get("CHECKLIST_TEST_BACKEND") == "postgresql":
        url = request.getfixturevalue("pg_url")
        app = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts, DATABASE_URL=url)
        yield app
        app.extensions["checklist_storage"].close()
        return
    yield make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts)


@pytest.fixture
def site(app) -> Path:
    """The site of the app's current release (a copy of the built sample), for tests that plant things."""
    with app.app_context():
        return handbook_state().site


@pytest.fixture
def site_app(app, site):
    """The app serving that release's site under /handbook/."""
    return app


@pytest.fixture(scope="session")
def accounts() -> list[dict]:
    """The test accounts, their passwords hashed once per run (scrypt costs ~0.2 s a hash)."""
    return [
        make_user(username, PASSWORD, permission, role, display_name=username.title())
        for username, permission, role in USERS
    ]


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    """The CSRF token a page carries (meta tag or hidden field)."""
    match = re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def form_fields(html: str) -> dict:
    """The hidden fields of a page's checklist form, with its CSRF token."""
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields["csrf_token"] = csrf_from(html)
    return fields


def item_keys(html: str) -> list[str]:
    """The keys of a checklist page's items, in order."""
    return re.findall(r'<li class="item[^"]*" data-key="([^"]+)"', html)


def form_answers(keys, fail=None, **extra) -> dict:
    """A plain form's answers: every item 合格, ``fail`` 不合格 (小李 responsible), then ``extra``."""
    data = {}
    for key in keys:
        data[f"result-{key}"] = "fail" if key == fail else "pass"
        data[f"note-{key}"] = ""
        data[f"responsible-{key}"] = "小李" if key == fail else ""
    data.update(extra)
    return data


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


HYGIENE_INSPECTOR = {"username": "li", "display_name": "李", "permission": "inspector", "role": "行政专员"}
CS_LEAD = {"username": "zhang", "display_name": "张", "permission": "inspector", "role": "客服主管"}


def complete(
    handbook, store, target: Target, failures: dict, day: dt.date, user=HYGIENE_INSPECTOR, kind="daily"
):
    """Start and submit a checklist as the app does.

    ``failures`` maps item keys to a count or (count, responsible person); the rest pass.
    """
    period = day.isoformat()
    at = FrozenClock(noon(day))  # done at midday of its own day: on time
    checklist = services.generate(handbook, kind, period, target, services.scope_for(user))
    snapshot = services.start(store, checklist, at)
    answers = {}
    for item in snapshot["items"]:
        failure = failures.get(item["key"])
        if failure is None:
            answers[item["key"]] = {"result": "pass"}
            continue
        count, person = failure if isinstance(failure, tuple) else (failure, "部门负责人")
        answers[item["key"]] = {"result": "fail", "responsible": person, "count": str(count)}
    missing = set(failures) - {i["key"] for i in snapshot["items"]}
    assert not missing, f"not on the checklist: {missing}"
    record, created = services.submit(store, snapshot, answers, user, uuid.uuid4().hex, 500, clock=at)
    assert created
    return record
