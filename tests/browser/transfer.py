"""Count the bytes a page view really moves over the network, as Chromium's DevTools protocol sees them.

``encodedDataLength`` of ``Network.loadingFinished`` is what crossed the wire for a request:
headers plus the body as sent (compressed when it was), 0 for a file served from the browser's
cache. The search worker's fetch of the index is a request of the page's target, so it is counted.
Used by ``tests/browser/test_transfer.py`` and ``bench/bench_transfer.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass
class View:
    """One page view: bytes per request (URL path → bytes), with status and encoding of each."""

    requests: dict[str, int] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    encoding: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def largest(self, n: int = 8) -> list[tuple[str, int]]:
        return sorted(self.requests.items(), key=lambda item: -item[1])[:n]


class TransferMeter:
    """Attach to a Playwright page; ``view(url)`` loads ``url`` and returns what it transferred."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self._urls: dict[str, str] = {}
        self._current: View | None = None
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _response(self, event) -> None:
        response = event["response"]
        if not response["url"].startswith("http"):
            return  # data: URLs (the theme's icons) never cross the network
        name = unquote(urlsplit(response["url"]).path)
        self._urls[event["requestId"]] = name
        if self._current is not None:
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            self._current.status[name] = response["status"]
            self._current.encoding[name] = headers.get("content-encoding", "")

    def _finished(self, event) -> None:
        name = self._urls.get(event["requestId"])
        if self._current is not None and name is not None:
            self._current.requests[name] = self._current.requests.get(name, 0) + int(
                event["encodedDataLength"]
            )

    def view(self, url: str, settle_ms: int = 500) -> View:
        """Open ``url``, wait until the network is idle (the search worker has its index), count."""
        self._current = view = View()
        self.page.goto(url, wait_until="networkidle")
        self.page.wait_for_timeout(settle_ms)
        self._current = None
        return view
