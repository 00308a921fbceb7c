"""The notification store: one contract for every backend; the file backend shared across threads."""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
from zoneinfo import ZoneInfo

import pytest

from checklist_app.storage.notify import FileNotifyStore

from .shared import open_shared

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LEASE = dt.timedelta(minutes=5)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def notify(backend, open_backend):
    return open_backend(backend).notify


def message(key="r1|daily|2026-11-23", robot="r1"):
    return {
        "key": key,
        "robot_id": robot,
        "kind": "daily",
        "period": "2026-11-23",
        "title": "排名",
        "lines": ["1."],
    }


def robot(robot_id="r1", **extra):
    return {
        "id": robot_id,
        "name": "客服群",
        "platform": "wecom",
        "webhook": "https://x",
        "created_at": "1",
        **extra,
    }


def test_robots_are_added_replaced_and_removed(notify):
    notify.put_robot(robot("r1"))
    notify.put_robot(robot("r2", created_at="2"))
    notify.put_robot(robot("r1", name="售后群"))
    assert [r["id"] for r in notify.robots()] == ["r1", "r2"]
    assert notify.robot("r1")["name"] == "售后群"
    assert notify.delete_robot("r1") and not notify.delete_robot("r1")
    assert notify.robot("r1") is None


def test_a_message_is_queued_once_per_key(notify):
    assert notify.enqueue(message(), NOW)
    assert not notify.enqueue({**message(), "title": "又一次"}, NOW + MINUTE)
    assert notify.has("r1|daily|2026-11-23")
    [stored] = notify.messages()
    assert stored["title"] == "排名" and stored["status"] == "pending" and stored["attempts"] == 0


def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(notify):
    notify.enqueue(message(), NOW)
    assert [m["key"] for m in notify.claim(NOW, "a", LEASE)] == ["r1|daily|2026-11-23"]
    assert notify.claim(NOW, "b", LEASE) == []
    assert notify.claim(NOW + LEASE - MINUTE, "b", LEASE) == []
    # The sender died: after the lease another one takes the message.
    assert [m["owner"] for m in notify.claim(NOW + LEASE + MINUTE, "b", LEASE)] == ["b"]


def test_a_sent_message_is_logged_and_never_claimed_again(notify):
    notify.enqueue(message(), NOW)
    notify.claim(NOW, "a", LEASE)
    assert notify.finish("r1|daily|2026-11-23", "a", NOW, {"ok": True, "status": 200, "answer": "{}"}, None)
    assert notify.claim(NOW + dt.timedelta(days=1), "a", LEASE) == []
    [entry] = notify.log()
    assert entry["outcome"] == "sent" and entry["attempt"] == 1 and entry["status"] == 200


def test_a_failure_waits_until_its_retry_time(notify):
    notify.enqueue(message(), NOW)
    notify.claim(NOW, "a", LEASE)
    notify.finish(
        "r1|daily|2026-11-23", "a", NOW, {"ok": False, "status": 502, "answer": "bad"}, NOW + MINUTE
    )
    assert notify.claim(NOW + MINUTE / 2, "a", LEASE) == []
    [again] = notify.claim(NOW + MINUTE, "a", LEASE)
    assert again["attempts"] == 1
    notify.finish(again["key"], "a", NOW + MINUTE, {"ok": False, "status": 400, "answer": "no"}, None)
    assert notify.messages()[0]["status"] == "failed"
    assert [e["outcome"] for e in notify.log()] == ["failed", "pending"]


def test_only_the_owner_of_a_claim_may_finish_it(notify):
    notify.enqueue(message(), NOW)
    notify.claim(NOW, "a", LEASE)
    assert not notify.finish("r1|daily|2026-11-23", "b", NOW, {"ok": True}, None)
    assert notify.messages()[0]["status"] == "sending"


def test_the_log_keeps_the_newest_entries(notify, monkeypatch):
    monkeypatch.setattr("checklist_app.storage.notify.LOG_LIMIT", 4)  # 500 in use; 4 keeps the test fast
    for n in range(4 + 5):
        key = f"r1|fine|{n}"
        notify.enqueue(message(key), NOW)
        notify.claim(NOW, "a", LEASE)
        notify.finish(key, "a", NOW, {"ok": True, "answer": str(n)}, None)
    log = notify.log(limit=20)
    assert [e["answer"] for e in log] == ["8", "7", "6", "5"]


def test_finished_messages_are_forgotten_after_35_days(notify):
    notify.enqueue(message(), NOW)
    notify.claim(NOW, "a", LEASE)
    notify.finish("r1|daily|2026-11-23", "a", NOW, {"ok": True}, None)
    notify.enqueue(message("r1|daily|2026-12-30"), NOW + dt.timedelta(days=36))
    assert not notify.has("r1|daily|2026-11-23")


def test_the_heartbeat_says_who_sends_and_when(notify):
    assert notify.sender() is None
    notify.beat("host:1", NOW)
    assert notify.sender() == {"owner": "host:1", "at": NOW.isoformat()}


def test_files_holding_webhooks_and_secrets_are_private(tmp_path):
    store = FileNotifyStore(tmp_path)
    store.put_robot(robot(secret="SECabc"))
    store.enqueue(message(), NOW)
    for name in ("robots.json", "outbox.json"):
        mode = stat.S_IMODE(os.stat(tmp_path / "notify" / name).st_mode)
        assert mode == 0o600, (name, oct(mode))


def test_concurrent_senders_never_claim_the_same_message(shared_location):
    """Eight threads, each with its own store (and pool) on one folder or database, claim 40 messages once."""
    first = open_shared(shared_location).notify
    for n in range(40):
        first.enqueue(message(f"r1|fine|{n}"), NOW)
    taken: list[str] = []
    lock = threading.Lock()

    def sender(name):
        store = open_shared(shared_location).notify
        while got := store.claim(NOW, name, LEASE, limit=3):
            with lock:
                taken.extend(m["key"] for m in got)

    threads = [threading.Thread(target=sender, args=(f"s{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(f"r1|fine|{n}" for n in range(40))
