"""Each platform gets exactly its JSON body and signature; a 5xx or an error code is retried, with backoff."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

import pytest

from checklist_app import create_app
from checklist_app.clock import FrozenClock
from checklist_app.notify import outbox
from checklist_app.notify.platforms import judge
from checklist_app.storage import open_storage

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MILLIS = 1795428000000  # NOW in milliseconds since 1970
TITLE = "11月23日（周一） 评分排名"
LINES = ["**办公卫生**", "1. 客服部 **98分**", "[查看排名](https://xunjian.example.cn/reports/rankings)"]


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def storage():
    return open_storage("memory", "")


def add_robot(storage, platform, webhook, secret=""):
    robot = {
        "id": f"r{platform}",
        "name": "客服群",
        "platform": platform,
        "webhook": webhook,
        "secret": secret,
        "department": "",
        "kinds": list(outbox.KINDS),
        "enabled": True,
        "created_at": "2026-11-01T00:00:00+08:00",
    }
    storage.notify.put_robot(robot)
    storage.notify.enqueue(
        {"key": f"{robot['id']}|daily|2026-11-23", "robot_id": robot["id"], "kind": "daily",
         "period": "2026-11-23", "title": TITLE, "lines": LINES},
        NOW,
    )  # fmt: skip
    return robot


def test_the_clock_in_these_tests(clock):
    assert int(clock.now().timestamp() * 1000) == MILLIS


def test_wecom_gets_a_markdown_message_and_no_signature(storage, clock, settings, receiver):
    add_robot(storage, "wecom", receiver.url + "/cgi-bin/webhook/send?key=KEY-1234")
    assert outbox.deliver(storage, clock, settings, "s1") == 1
    [got] = receiver.requests
    assert got["path"] == "/cgi-bin/webhook/send" and got["query"] == {"key": ["KEY-1234"]}
    assert got["content_type"].startswith("application/json")
    assert got["body"] == {
        "msgtype": "markdown",
        "markdown": {"content": "### " + TITLE + "\n" + "\n".join(LINES)},
    }


def test_dingtalk_signs_timestamp_newline_secret_in_the_query(storage, clock, settings, receiver):
    secret = "SEC0123456789abcdef"
    add_robot(storage, "dingtalk", receiver.url + "/robot/send?access_token=TOKEN", secret)
    assert outbox.deliver(storage, clock, settings, "s1") == 1
    [got] = receiver.requests
    assert got["query"]["access_token"] == ["TOKEN"]
    assert got["query"]["timestamp"] == [str(MILLIS)]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{MILLIS}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert got["query"]["sign"] == [expected]  # parse_qs decoded it: it was URL-encoded on the way
    raw_sign = got["raw_query"].split("sign=")[1]
    assert "+" not in raw_sign and "/" not in raw_sign and "=" not in raw_sign  # Base64 characters encoded
    text = "\n\n".join(["### " + TITLE, *LINES])
    assert got["body"] == {"msgtype": "markdown", "markdown": {"title": TITLE, "text": text}}


def test_dingtalk_without_a_secret_has_no_signature(storage, clock, settings, receiver):
    add_robot(storage, "dingtalk", receiver.url + "/robot/send?access_token=TOKEN")
    outbox.deliver(storage, clock, settings, "s1")
    assert receiver.requests[0]["query"] == {"access_token": ["TOKEN"]}


def test_feishu_carries_timestamp_and_sign_in_the_body(storage, clock, settings, receiver):
    secret = "feishu-secret-xyz"
    receiver.default = (200, {"code": 0, "msg": "success", "data": {}})
    add_robot(storage, "feishu", receiver.url + "/open-apis/bot/v2/hook/HOOK-ID", secret)
    assert outbox.deliver(storage, clock, settings, "s1") == 1
    [got] = receiver.requests
    seconds = MILLIS // 1000
    sign = base64.b64encode(hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    assert got["path"] == "/open-apis/bot/v2/hook/HOOK-ID"
    assert got["body"] == {
        "timestamp": str(seconds),
        "sign": sign,
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": TITLE}},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(LINES)}}],
        },
    }


@pytest.mark.parametrize(
    "platform, path", [("wecom", "/w"), ("dingtalk", "/d?access_token=T"), ("feishu", "/f")]
)
def test_a_5xx_is_retried_after_the_backoff_and_then_delivered(
    storage, clock, settings, receiver, platform, path
):
    receiver.default = (200, {"code": 0} if platform == "feishu" else {"errcode": 0})
    receiver.answer((503, "Service Unavailable"))
    add_robot(storage, platform, receiver.url + path, "SECret" if platform != "wecom" else "")
    assert outbox.deliver(storage, clock, settings, "s1") == 0
    [entry] = storage.notify.log()
    assert (entry["outcome"], entry["status"], entry["answer"]) == ("pending", 503, "Service Unavailable")
    clock.advance(dt.timedelta(seconds=59))
    assert outbox.deliver(storage, clock, settings, "s1") == 0
    assert len(receiver.requests) == 1  # not before the first backoff (60 s)
    clock.advance(dt.timedelta(seconds=1))
    assert outbox.deliver(storage, clock, settings, "s1") == 1
    assert len(receiver.requests) == 2
    assert [e["outcome"] for e in storage.notify.log()] == ["sent", "pending"]
    assert storage.notify.messages()[0]["status"] == "sent"


def test_an_error_code_in_a_200_answer_is_a_failure_with_the_platforms_words(
    storage, clock, settings, receiver
):
    receiver.default = (200, {"errcode": 310000, "errmsg": "sign not match"})
    add_robot(storage, "dingtalk", receiver.url + "/d?access_token=T", "SECwrong")
    outbox.deliver(storage, clock, settings, "s1")
    [entry] = storage.notify.log()
    assert not entry["ok"] and entry["outcome"] == "pending"
    assert "sign not match" in entry["answer"]


def test_the_backoff_doubles_and_then_gives_up(storage, clock, settings, receiver):
    receiver.default = (500, "oops")
    add_robot(storage, "wecom", receiver.url + "/w")
    waits = []
    for _ in range(settings.max_attempts):
        outbox.deliver(storage, clock, settings, "s1")
        msg = storage.notify.messages()[0]
        if msg["status"] != "pending":
            break
        wait = dt.datetime.fromisoformat(msg["next_at"]) - clock.now()
        waits.append(wait.total_seconds())
        clock.advance(wait)
    assert waits == [60, 120]  # then the third (last) attempt fails for good
    assert storage.notify.messages()[0]["status"] == "failed"
    assert len(receiver.requests) == settings.max_attempts


def test_a_4xx_is_not_retried(storage, clock, settings, receiver):
    receiver.default = (404, "no such robot")
    add_robot(storage, "feishu", receiver.url + "/f")
    outbox.deliver(storage, clock, settings, "s1")
    assert storage.notify.messages()[0]["status"] == "failed"


def test_a_webhook_on_another_host_is_never_posted(storage, clock, settings, receiver):
    add_robot(storage, "wecom", "https://evil.example.com/cgi-bin/webhook/send?key=K")
    outbox.deliver(storage, clock, settings, "s1")
    assert storage.notify.messages()[0]["status"] == "failed"
    assert "不是该平台的地址" in storage.notify.log()[0]["answer"]


def test_no_answer_at_all_is_retried(storage, clock, settings):
    add_robot(storage, "wecom", "http://127.0.0.1:9/w")  # the discard port: connection refused
    outbox.deliver(storage, clock, settings, "s1")
    [entry] = storage.notify.log()
    assert entry["status"] is None and entry["outcome"] == "pending"


@pytest.mark.parametrize(
    "platform, status, body, ok, retry",
    [
        ("wecom", 200, '{"errcode": 0, "errmsg": "ok"}', True, False),
        ("wecom", 200, '{"errcode": 45009, "errmsg": "api freq out of limit"}', False, True),
        ("feishu", 200, '{"code": 19021, "msg": "sign match fail"}', False, True),
        ("feishu", 200, '{"code": 0, "msg": "success"}', True, False),
        ("dingtalk", 200, "not json", False, True),
        ("dingtalk", 429, "", False, True),
        ("dingtalk", 403, "", False, False),
    ],
)
def test_answers_are_read_per_platform(platform, status, body, ok, retry):
    answer = judge(platform, status, body)
    assert (answer.ok, answer.retry) == (ok, retry)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("NOTIFY_DAILY_AT", "6pm", "NOTIFY_DAILY_AT 应是 24 小时制时间"),
        ("NOTIFY_WEEKLY_AT", "25:00", "NOTIFY_WEEKLY_AT 应是 24 小时制时间"),
        ("NOTIFY_WEEKLY_DAY", 0, "NOTIFY_WEEKLY_DAY 应是 1（周一）到 7（周日）"),
    ],
)
def test_a_bad_schedule_setting_is_named_in_chinese(settings, name, value, message):
    config = {
        "PUBLIC_BASE_URL": "",
        "NOTIFY_DAILY_AT": "18:00",
        "NOTIFY_WEEKLY_DAY": 6,
        "NOTIFY_WEEKLY_AT": "18:00",
        "NOTIFY_MAX_ATTEMPTS": 6,
        "NOTIFY_RETRY_SECONDS": 60,
        "NOTIFY_TIMEOUT_SECONDS": 10.0,
        "NOTIFY_EXTRA_HOSTS": "",
        name: value,
    }
    with pytest.raises(ValueError, match=message):
        outbox.Settings.from_config(config)


def test_the_app_does_not_start_with_a_bad_schedule(tmp_path, good_root):
    with pytest.raises(SystemExit, match="NOTIFY_DAILY_AT 应是 24 小时制时间"):
        config = {
            "TESTING": True,
            "SECRET_KEY": "x",
            "HANDBOOK_DIR": str(good_root),
            "DATA_DIR": str(tmp_path),
        }
        create_app({**config, "NOTIFY_DAILY_AT": "18点"})
