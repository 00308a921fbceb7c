"""A local chat platform: an HTTP receiver on 127.0.0.1 that records every request and answers as told."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from checklist_app.notify.outbox import Settings


class Receiver:
    """Requests received (path, query, JSON body) and the answers still to give, oldest first."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict | str]] = []
        self.default: tuple[int, dict | str] = (200, {"errcode": 0, "errmsg": "ok"})
        self.lock = threading.Lock()
        self.url = ""

    def answer(self, *answers: tuple[int, dict | str]) -> None:
        with self.lock:
            self.answers.extend(answers)

    def next_answer(self) -> tuple[int, dict | str]:
        with self.lock:
            return self.answers.pop(0) if self.answers else self.default


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urllib.parse.urlsplit(self.path)
            with state.lock:
                state.requests.append(
                    {
                        "path": parts.path,
                        "query": urllib.parse.parse_qs(parts.query),
                        "raw_query": parts.query,
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(raw.decode("utf-8")),
                    }
                )
            status, body = state.next_answer()
            data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings() -> Settings:
    return Settings.from_config(
        {
            "PUBLIC_BASE_URL": "https://xunjian.example.cn/",
            "NOTIFY_DAILY_AT": "18:00",
            "NOTIFY_WEEKLY_DAY": 6,
            "NOTIFY_WEEKLY_AT": "18:00",
            "NOTIFY_MAX_ATTEMPTS": 3,
            "NOTIFY_RETRY_SECONDS": 60,
            "NOTIFY_TIMEOUT_SECONDS": 5.0,
            "NOTIFY_EXTRA_HOSTS": "127.0.0.1",
        }
    )
