"""Two app servers (separate processes and instance folders) on one PostgreSQL database serve the same users.

Sessions signed by one are valid on the other, sign-in throttling counts across both,
the audit log is one, one notification sender leads, a release published (or rolled
back) on one is served by the other, a photo uploaded through one is shown by the
other, and 100 clients spread over both lose, duplicate and fail nothing. Nothing is
shared but the database. ``-s`` prints the load test's figures.
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest

from checklist_app import generation
from checklist_app.storage import open_storage
from tests.browser.app_server import NOW, AppServer

from .conftest import PASSWORD

PROJECT = Path(__file__).resolve().parents[2]
DAYS = [NOW.date().fromordinal(NOW.date().toordinal() - n).isoformat() for n in range(5)]  # today first


class Client:
    """A browser-like HTTP client: its own cookies, CSRF token from the page, no redirects followed."""

    def __init__(self, cookies: http.cookiejar.CookieJar | None = None):
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(
        self, url: str, data: dict | None = None, body: dict | None = None, headers: dict | None = None
    ):
        payload = None
        headers = dict(headers or {})
        if data is not None:
            payload = urllib.parse.urlencode(data).encode()
        elif body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=payload, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers

    def login(self, base: str, username: str, password: str = PASSWORD) -> int:
        _, page, _ = self.request(base + "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _, _ = self.request(
            base + "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        return status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def cluster(tmp_path, handbook_dir, sample_site, pg_url, accounts):
    """Two app servers, two gunicorn workers each, one database (the users stored in it)."""
    store = open_storage("postgresql", "", database_url=pg_url)
    for user in accounts:
        store.users.put(dict(user))
    store.close()
    servers = []
    try:
        for name in ("a", "b"):
            workdir = tmp_path / name
            workdir.mkdir()
            # Nothing shared but the database: each server's releases are unpacked in its own folder.
            env = {"CHECKLIST_DATABASE_URL": pg_url, "CHECKLIST_DATABASE_POOL_SIZE": "4"}
            servers.append(AppServer(workdir, handbook_dir, sample_site, workers=2, env=env))
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_sign_in_on_one_server_is_valid_on_the_other_and_throttling_counts_across_both(cluster, pg_url):
    a, b = cluster
    client = Client()
    assert client.login(a.url, "zhang") == 302
    status, html, _ = client.request(b.url + "/")
    assert status == 200 and "今日" in html  # signed by server a, accepted by server b
    assert (a.url != b.url) and not (Path(a.env["CHECKLIST_INSTANCE_PATH"]) / "secret_key").exists()
    # Five wrong passwords for one account, alternating between the servers, lock it on both.
    for n in range(5):
        Client().login((a, b)[n % 2].url, "wang", "wrong-password")
    assert Client().login(a.url, "wang") != 302
    assert Client().login(b.url, "wang") != 302
    with psycopg.connect(pg_url) as conn:
        publishes = conn.execute("SELECT count(*) FROM audit WHERE action = 'handbook.publish'").fetchone()[0]
    assert publishes == 1  # four workers on two servers noticed the handbook: one audit entry


def test_one_notification_sender_leads_across_servers(cluster, tmp_path, pg_url, handbook_dir):
    # The servers have published the handbook's first release (a sender needs one) into the database.
    procs = []
    env = {
        "CHECKLIST_DATABASE_URL": pg_url,
        "CHECKLIST_HANDBOOK_DIR": str(handbook_dir),
        "CHECKLIST_NOTIFY_POLL_SECONDS": "0.2",
    }
    for name in ("a", "b"):
        instance = tmp_path / name
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "checklist_app", "notify", "run"],
                env={**os.environ, **env, "CHECKLIST_INSTANCE_PATH": str(instance)},
                cwd=PROJECT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    lines: list[list[str]] = [[], []]

    def read(n: int) -> None:
        for line in procs[n].stderr:
            lines[n].append(line)

    readers = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(2)]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + 90  # both have said what they do (a loaded machine starts them slowly)
    while not all(lines) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # a moment more: a second leader would have announced itself by now
    for proc in procs:
        proc.terminate()
        proc.wait(20)
    for reader in readers:
        reader.join(5)
    for proc in procs:
        proc.stderr.close()
    logs = ["".join(found) for found in lines]
    leading = [log for log in logs if "开始工作" in log]
    standing_by = [log for log in logs if "本进程待命" in log]
    assert len(leading) == 1 and len(standing_by) == 1, logs


def _token(client: Client, url: str) -> str:
    _, page, _ = client.request(url)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


SERVICE = "20-客服/service.md"


def test_a_release_published_on_one_server_is_served_by_the_other_and_so_is_a_rollback(
    cluster, handbook_dir, tmp_path
):
    a, b = cluster
    admin = Client()
    assert admin.login(a.url, "admin") == 302
    zhang = Client()
    assert zhang.login(b.url, "zhang") == 302
    checklist = f"/checklists/daily/{DAYS[0]}/{urllib.parse.quote('role:售前客服')}"
    page = f"/handbook/{urllib.parse.quote('20-客服')}/service/"
    assert "不超过50秒" in zhang.request(b.url + page)[1]
    path = handbook_dir / SERVICE  # server a's draft
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace('version: "2.0"', 'version: "2.1"')
        .replace("不超过50秒。\n频率", "不超过45秒。\n频率"),
        encoding="utf-8",
    )
    token = _token(admin, a.url + "/admin/publish/")
    status, _, headers = admin.request(
        a.url + "/admin/publish/", data={"csrf_token": token, "note": "响应时间改为45秒"}
    )
    assert status == 302, headers
    # Server b has no folder in common with a: it unpacks release 2 from the database.
    status, html, _ = zhang.request(b.url + checklist)
    assert status == 200 and "不超过45秒" in html and "不超过50秒" not in html
    assert "不超过45秒" in zhang.request(b.url + page)[1]  # the site a built, served by b
    unpacked = list((tmp_path / "b" / "releases" / "from-database").glob("2-*/release.json"))
    assert len(unpacked) == 1
    token = _token(admin, a.url + "/admin/publish/")
    status, _, _ = admin.request(a.url + "/admin/publish/rollback", data={"csrf_token": token, "number": "1"})
    assert status == 302
    assert "不超过50秒" in zhang.request(b.url + page)[1]
    _, releases, _ = Client(admin.cookies).request(b.url + "/admin/publish/")
    assert "响应时间改为45秒" in releases  # the release history on b, from the database


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), "red").save(out, "JPEG")
    return out.getvalue()


def test_a_photo_uploaded_through_one_server_is_shown_through_the_other(cluster, tmp_path):
    a, b = cluster
    zhang = Client()
    assert zhang.login(a.url, "zhang") == 302
    status, html, _ = zhang.request(
        a.url + f"/checklists/daily/{DAYS[0]}/{urllib.parse.quote('role:售后客服')}"
    )
    assert status == 200
    snapshot = re.search(r'name="snapshot_id" value="([^"]+)"', html).group(1)
    keys = re.findall(r'<li class="item" data-key="([^"]+)"', html)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    req = urllib.request.Request(
        a.url + "/api/photos", data=_jpeg(), headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"}
    )
    with zhang.opener.open(req, timeout=60) as response:
        assert response.status == 201
        photo = json.loads(response.read())["id"]
    answers = {k: {"result": "pass"} for k in keys}
    answers[keys[0]] = {"result": "fail", "responsible": "小王", "note": "超时", "photos": [photo]}
    status, text, _ = zhang.request(
        a.url + "/api/submissions",
        body={"snapshot_id": snapshot, "answers": answers},
        headers={"X-CSRFToken": token, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert status == 201, text
    record = json.loads(text)["record"]["id"]
    on_b = Client(zhang.cookies)
    status, html, _ = on_b.request(b.url + f"/history/{record}")
    assert status == 200 and f"/history/{record}/photos/{photo}" in html
    with on_b.opener.open(b.url + f"/history/{record}/photos/{photo}", timeout=60) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "image/jpeg"
        assert response.read()[:2] == b"\xff\xd8"
    assert not list(tmp_path.rglob(f"{photo}.jpg"))  # in the database, not in either data folder


def _open(client: Client, base: str, day: str, target: str):
    """Open a checklist as admin; (snapshot id, item keys), or None when nothing is due for it."""
    kind_period = f"daily/{day}"
    status, html, _ = client.request(
        f"{base}/checklists/{kind_period}/{urllib.parse.quote(target)}?confirm=1"
    )
    if status != 200 or 'name="snapshot_id"' not in html:
        return None
    snapshot = re.search(r'name="snapshot_id" value="([^"]+)"', html).group(1)
    keys = re.findall(r'<li class="item" data-key="([^"]+)"', html)
    return snapshot, keys


def test_100_clients_over_both_servers_lose_nothing_duplicate_nothing_and_see_no_5xx(
    cluster, pg_url, handbook
):
    a, b = cluster
    admin = Client()
    assert admin.login(a.url, "admin") == 302
    targets = [t.slug for t in generation.targets(handbook)]
    checklists = []
    for day in DAYS:
        for target in targets:
            opened = _open(admin, (a, b)[len(checklists) % 2].url, day, target)
            if opened:
                checklists.append((day, opened))
            if len(checklists) == 50:
                break
        if len(checklists) == 50:
            break
    assert len(checklists) == 50
    _, token_json, _ = admin.request(a.url + "/api/csrf")
    token = json.loads(token_json)["csrf_token"]
    results: list[tuple[int, int, dict | None, float]] = []  # (client, status, record, seconds)
    lock = threading.Lock()
    start = threading.Barrier(100)

    def client(n: int) -> None:
        day, (snapshot, keys) = checklists[n % 50]  # two clients race for each checklist
        mine = Client(admin.cookies)  # the same signed-in admin on 100 phones
        body = {"snapshot_id": snapshot, "answers": {k: {"result": "pass"} for k in keys}}
        if day != DAYS[0]:
            body["backfill_reason"] = "补录：负载测试"
        key = uuid.uuid4().hex
        headers = {"X-CSRFToken": token, "Idempotency-Key": key}
        start.wait()
        for attempt, server in enumerate(((a, b)[n % 2], (b, a)[n % 2])):  # a double tap on the other server
            t0 = time.perf_counter()
            status, text, _ = mine.request(server.url + "/api/submissions", body=body, headers=headers)
            elapsed = time.perf_counter() - t0
            record = json.loads(text).get("record") if status in (200, 201) else None
            with lock:
                results.append((n, status, record, elapsed, attempt))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    wall = time.perf_counter() - t0
    statuses = [r[1] for r in results]
    assert len(results) == 200
    assert not [s for s in statuses if s >= 500], statuses
    created = [r for r in results if r[1] == 201]
    assert len(created) == 50  # one winner per checklist
    assert sorted(s for s in statuses if s not in (200, 201)) == [409] * 100  # the loser, both taps
    assert {r[2]["id"] for r in results if r[1] == 200} == {
        r[2]["id"] for r in created
    }  # replays: same record
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT id, identity FROM completions").fetchall()
    stored_ids = {row[0] for row in rows}
    lost = {r[2]["id"] for r in created} - stored_ids
    duplicated = len(rows) - len({row[1] for row in rows})
    assert lost == set() and duplicated == 0 and len(rows) == 50
    times = sorted(r[3] for r in results)
    p99 = times[int(len(times) * 0.99) - 1]
    print(
        f"\n100 clients over 2 servers x 2 workers: 200 requests in {wall:.2f} s; 50 created, "
        f"{statuses.count(200)} replayed, {statuses.count(409)} refused as already done; "
        f"lost {len(lost)}, duplicated {duplicated}, 5xx 0; "
        f"median {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
