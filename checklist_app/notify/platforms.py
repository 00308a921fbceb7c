"""The three group-chat robots: the request each expects, how it is signed, and how it answers.

* 企业微信 (WeCom) group robot: ``POST …/cgi-bin/webhook/send?key=…`` with
  ``{"msgtype": "markdown", "markdown": {"content": …}}``; no signature (the key in
  the address is the secret); markdown content at most 4096 bytes.
* 钉钉 (DingTalk) custom robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  with 加签 the address also carries ``timestamp`` (milliseconds) and ``sign`` =
  URL-encoded Base64(HMAC-SHA256(key = secret, msg = timestamp + "\\n" + secret)).
* 飞书 (Feishu/Lark) custom robot: an ``interactive`` card whose text is ``lark_md``;
  with 签名校验 the body also carries ``timestamp`` (seconds, as a string) and
  ``sign`` = Base64(HMAC-SHA256(key = timestamp + "\\n" + secret, msg = b"")); body at most 20 KB.

All three answer HTTP 200 even for errors, with ``errcode`` (WeCom, DingTalk) or
``code`` (Feishu) other than 0: that is a failure too (see TECH-NOTES 6.3).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
from dataclasses import dataclass

WECOM, DINGTALK, FEISHU = "wecom", "dingtalk", "feishu"
PLATFORMS = (WECOM, DINGTALK, FEISHU)
# The platforms' own webhook hosts; anything else must be allowed by NOTIFY_EXTRA_HOSTS.
HOSTS = {
    WECOM: ("qyapi.weixin.qq.com",),
    DINGTALK: ("oapi.dingtalk.com",),
    FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}
SIGNED = (DINGTALK, FEISHU)  # the platforms with a signing secret
WECOM_LIMIT = 4096  # bytes of markdown content
FEISHU_LIMIT = 20 * 1024  # bytes of request body


@dataclass(frozen=True)
class Request:
    """What to POST: the address (with any signature in its query) and the JSON body."""

    url: str
    body: dict

    @property
    def data(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def dingtalk_sign(secret: str, millis: int) -> str:
    """DingTalk's ``sign``, already URL-encoded for the query string."""
    digest = hmac.new(secret.encode(), f"{millis}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, seconds: int) -> str:
    """Feishu's ``sign``: the key is timestamp + newline + secret, the message empty."""
    digest = hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` UTF-8 bytes, ending in … when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def build(
    platform: str, webhook: str, secret: str, title: str, lines: list[str], now: dt.datetime
) -> Request:
    """The request that posts a message (``title`` and Markdown ``lines``) to a robot at ``now``."""
    if platform == WECOM:
        content = _cut("\n".join([f"### {title}", *lines]), WECOM_LIMIT)
        return Request(webhook, {"msgtype": "markdown", "markdown": {"content": content}})
    if platform == DINGTALK:
        url = webhook
        if secret:
            millis = int(now.timestamp() * 1000)
            joiner = "&" if "?" in webhook else "?"
            url = f"{webhook}{joiner}timestamp={millis}&sign={dingtalk_sign(secret, millis)}"
        # DingTalk's markdown needs an empty line to break a line.
        text = "\n\n".join([f"### {title}", *lines])
        return Request(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}})
    if platform == FEISHU:
        card = {
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [
                {"tag": "div", "text": {"tag": "lark_md", "content": _cut("\n".join(lines), 16_000)}}
            ],
        }
        body: dict = {}
        if secret:
            seconds = int(now.timestamp())
            body.update(timestamp=str(seconds), sign=feishu_sign(secret, seconds))
        body.update(msg_type="interactive", card=card)
        return Request(webhook, body)
    raise ValueError(f"unknown platform {platform!r}")


@dataclass(frozen=True)
class Answer:
    """How a platform answered: delivered or not, worth retrying or not, and what it said."""

    ok: bool
    retry: bool
    status: int | None
    text: str


def judge(platform: str, status: int | None, body: str) -> Answer:
    """Read a platform's answer: HTTP status and body (``status`` None: no answer at all)."""
    text = (body or "")[:500]
    if status is None:
        return Answer(False, True, None, text)  # network error or timeout: try again later
    if status >= 500 or status == 429:
        return Answer(False, True, status, text)
    if status >= 400:
        return Answer(
            False, False, status, text
        )  # a wrong address or a removed robot: retrying will not help
    try:
        data = json.loads(body)
    except ValueError:
        return Answer(False, True, status, text)
    code = data.get("code" if platform == FEISHU else "errcode") if isinstance(data, dict) else None
    if code is None and isinstance(data, dict):
        code = data.get("errcode", data.get("code", data.get("StatusCode")))
    # The 200-with-an-error answers (bad signature, keyword, rate limit) may pass once fixed or later.
    return Answer(code == 0, code != 0, status, text)
