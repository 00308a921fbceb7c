"""Run the real app under gunicorn (the production server) for browser tests."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The servers' clock stands still here (a Wednesday, Beijing time), so the tests pass on any date.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


PROJECT = Path(__file__).resolve().parents[2]


def publish_edited(workdir: Path, handbook: Path, site: Path, now: dt.datetime) -> None:
    """Publish a test's edited handbook as release 1 with the prebuilt sample ``site``.

    The app publishes its first release itself only from a site built from exactly its
    handbook; a test that added or changed a policy looks at checklists and records, not
    at the handbook pages, so the sample site stands in for the build (4 s saved per server).
    """
    from checklist_app import publishing
    from checklist_app.clock import FrozenClock
    from checklist_app.storage import open_storage
    from checklist_app.storage.releases import FileReleaseStore

    releases = FileReleaseStore(workdir / "releases")
    clock = FrozenClock(now)
    if releases.pointer() is not None:
        return
    draft = publishing.check_draft(handbook, clock)
    if draft.handbook is None or publishing.site_matches(site, draft.handbook):
        return  # broken (nothing is served, as on a fresh machine), or the app publishes it itself
    storage = open_storage("tinydb", workdir / "data")
    publishing.publish(releases, storage, clock, handbook, PROJECT / "mkdocs.yml", None, "测试", site=site)


class AppServer:
    """gunicorn with several workers on 127.0.0.1, its data in ``workdir``, its clock frozen at ``now``."""

    def __init__(
        self,
        workdir: Path,
        handbook: Path,
        site: Path,
        workers: int = 2,
        now: dt.datetime = NOW,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        port: int | None = None,
        project: Path = PROJECT,
    ):
        """``port`` reuses an address (a new app version on the same origin); ``project`` is where the
        app's code is imported from (gunicorn puts its working directory first on the path)."""
        self.port = port or free_port()
        self.tls = "--certfile" in extra_args
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            CHECKLIST_HANDBOOK_DIR=str(handbook),
            CHECKLIST_SITE_DIR=str(site),
            CHECKLIST_DATA_DIR=str(workdir / "data"),
            CHECKLIST_INSTANCE_PATH=str(workdir / "instance"),
            CHECKLIST_RELOAD_INTERVAL="0",
            CHECKLIST_FROZEN_TIME=now.isoformat(),
            # Browser tests of other features submit without drawing a signature; the offline
            # test (tests/browser/test_offline.py) signs, with the production default.
            CHECKLIST_SIGNATURE_REQUIRED=os.environ.get("CHECKLIST_SIGNATURE_REQUIRED", "false"),
        )
        self.env.update(env or {})
        publish_edited(workdir, handbook, site, now)
        self.log = open(workdir / "server.log", "w+", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",  # the default one in ~ is shared: test servers would take it over
                *extra_args,
                "checklist_app.wsgi:app",
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=project,
        )
        self._wait()

    def _wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/login", timeout=1, context=self._context()).close()
                return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError(f"app server did not start:\n{self.log.read()}")

    def _context(self) -> ssl.SSLContext | None:
        return ssl._create_unverified_context() if self.tls else None  # only to see that it is up

    def stop(self, quick: bool = False) -> None:
        """Stop gunicorn: gracefully, or ``quick`` (SIGQUIT: workers do not wait for a browser's
        kept-alive connections, so the port is free at once for the next server)."""
        if quick:
            self.proc.send_signal(signal.SIGQUIT)
        else:
            self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
