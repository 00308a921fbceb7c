"""What is sent when: the 18:00 rankings once however many workers run, Saturday's week, fines and repeats."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading

import pytest

from checklist_app import actions
from checklist_app.clock import FrozenClock
from checklist_app.generation import Target
from checklist_app.notify import outbox, sender
from checklist_app.storage import open_storage

from ..conftest import SHANGHAI, complete
from ..reporting.conftest import service_day

MONDAY = dt.date(2026, 11, 23)
SATURDAY = dt.date(2026, 11, 28)
PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def at(day: dt.date, hour: int, minute: int = 0) -> FrozenClock:
    return FrozenClock(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI))


def add_robot(
    store, robot_id, webhook, platform="wecom", kinds=outbox.KINDS, department="", created="2026-11-01"
):
    robot = {
        "id": robot_id,
        "name": f"群{robot_id}",
        "platform": platform,
        "webhook": webhook,
        "secret": "SECs",
    }
    robot.update(
        department=department, kinds=list(kinds), enabled=True, created_at=created + "T00:00:00+08:00"
    )
    store.notify.put_robot(robot)


def hygiene_day(handbook, store, day):
    complete(handbook, store, Target("department", "客服部"), {"hy-desk": 2}, day)  # 98
    complete(handbook, store, Target("department", "仓储部"), {}, day)  # 100


@pytest.fixture
def store():
    return open_storage("memory", "")


def test_nothing_is_planned_before_1800_and_the_day_once_after(handbook, store, settings, receiver):
    add_robot(store, "r1", receiver.url + "/w", kinds=("daily",))
    hygiene_day(handbook, store, MONDAY)
    assert outbox.plan_scheduled(store, handbook, at(MONDAY, 17, 59), settings) == 0
    assert outbox.plan_scheduled(store, handbook, at(MONDAY, 18, 0), settings) == 1
    assert outbox.plan_scheduled(store, handbook, at(MONDAY, 21, 0), settings) == 0
    [msg] = store.notify.messages()
    assert msg["key"] == "r1|daily|2026-11-23"
    assert msg["title"] == "11月23日（周一） 评分排名"
    assert msg["lines"][:3] == ["**办公卫生评分制度**", "1. 仓储部 **100分**", "2. 客服部 **98分**"]
    assert "未检查：运营部、行政部" in msg["lines"]
    assert "本周累计（周平均分）：" in msg["lines"]
    assert (
        "[查看排名](https://xunjian.example.cn/reports/rankings?policy=hygiene&date=2026-11-23)"
        in msg["lines"]
    )


def test_saturday_also_sends_the_weeks_average_with_reward_and_fine(handbook, store, settings, receiver):
    add_robot(store, "r1", receiver.url + "/w", kinds=("daily", "weekly"))
    hygiene_day(handbook, store, MONDAY)
    assert outbox.plan_scheduled(store, handbook, at(SATURDAY - dt.timedelta(days=1), 18), settings) == 1
    assert outbox.plan_scheduled(store, handbook, at(SATURDAY, 18), settings) == 2
    weekly = next(m for m in store.notify.messages() if m["kind"] == "weekly")
    assert weekly["key"] == "r1|weekly|2026-W48"
    assert weekly["title"] == "本周周平均分排名（11月23日（周一）至11月28日（周六））"
    assert "1. 仓储部 **100分**（1天），最高：奖励100元" in weekly["lines"]
    assert "2. 客服部 **98分**（1天），最低：罚款100元" in weekly["lines"]


def test_a_fine_is_announced_once_and_only_to_robots_of_its_department(handbook, store, settings, receiver):
    add_robot(store, "all", receiver.url + "/all", kinds=("fine",))
    add_robot(store, "cs", receiver.url + "/cs", kinds=("fine",), department="客服部")
    add_robot(store, "wh", receiver.url + "/wh", kinds=("fine",), department="仓储部")
    add_robot(store, "late", receiver.url + "/late", kinds=("fine",), created="2026-12-01")
    record = service_day(handbook, store, MONDAY, {"cs-response-avg": (1, "小李")})
    clock = at(MONDAY, 15)
    assert outbox.plan_events(store, handbook, clock, settings) == 2
    assert outbox.plan_events(store, handbook, clock, settings) == 0
    assert outbox.deliver(store, clock, settings, "s1") == 2
    assert sorted(r["path"] for r in receiver.requests) == ["/all", "/cs"]
    content = receiver.requests[0]["body"]["markdown"]["content"]
    assert content.startswith("### 不合格罚款 · 客服部 · 售前客服\n")
    assert "- 抽查前一日聊天记录，客服平均响应时间不超过50秒。：责任人 小李，罚款 **50元**" in content
    assert f"(https://xunjian.example.cn/history/{record['id']})" in content


def test_reaching_the_repeat_limit_is_announced_once(handbook, store, settings, receiver):
    add_robot(store, "r1", receiver.url + "/w", kinds=("repeat",))
    for day in (MONDAY, MONDAY + dt.timedelta(days=1)):
        service_day(handbook, store, day, {"cs-response-avg": (1, "小李")})
    clock = at(MONDAY + dt.timedelta(days=1), 15)
    assert outbox.plan_events(store, handbook, clock, settings) == 0  # two violations: limit is three
    service_day(handbook, store, MONDAY + dt.timedelta(days=2), {"cs-response-avg": (1, "小李")})
    clock = at(MONDAY + dt.timedelta(days=2), 15)
    assert outbox.plan_events(store, handbook, clock, settings) == 1
    assert outbox.plan_events(store, handbook, clock, settings) == 0
    [msg] = store.notify.messages()
    assert msg["title"] == "累计违规提醒 · 小李"
    assert "2026年已违规 **3次**，达到制度规定的3次" in msg["lines"][0]


def test_actions_due_today_and_overdue_are_sent_once_a_day_to_their_departments(
    handbook, store, settings, receiver
):
    add_robot(store, "all", receiver.url + "/all", kinds=("actions",))
    add_robot(store, "wh", receiver.url + "/wh", kinds=("actions",), department="仓储部")
    record = complete(handbook, store, Target("department", "客服部"), {"hy-desk": 1, "hy-floor": 1}, MONDAY)
    actions.open_for_record(store, handbook, record, 3, at(MONDAY, 12))  # hy-floor: 当天; hy-desk: 3 days
    assert outbox.plan_scheduled(store, handbook, at(MONDAY, 17, 59), settings) == 0
    assert outbox.plan_scheduled(store, handbook, at(MONDAY, 18), settings) == 1  # not to 仓储部's group
    assert outbox.plan_scheduled(store, handbook, at(MONDAY, 20), settings) == 0
    thursday = MONDAY + dt.timedelta(days=3)
    assert outbox.plan_scheduled(store, handbook, at(thursday, 18), settings) == 1
    first, second = sorted(store.notify.messages(), key=lambda m: m["period"])
    assert first["title"] == "整改提醒 · 11月23日（周一）"
    assert first["lines"][0] == "**今天到期 1 条**"
    assert second["lines"][:2] == ["**今天到期 1 条**", "- 桌面无杂物、无污渍。（客服部，整改人 客服主管）"]
    assert "- 地面无明显垃圾。（客服部，整改人 客服主管，逾期 3 天）" in second["lines"]
    assert second["lines"][-1] == "[查看整改](https://xunjian.example.cn/actions?view=overdue)"


def test_the_sender_round_beats_plans_and_delivers(handbook, store, settings, receiver):
    add_robot(store, "r1", receiver.url + "/w", kinds=("daily",))
    clock = at(MONDAY, 18, 5)
    assert sender.one_round(store, handbook, clock, settings, "me", events=True) == 1
    assert store.notify.sender()["owner"] == "me"
    assert len(receiver.requests) == 1


def test_a_second_sender_stands_by_while_the_first_leads(tmp_path):
    with sender.leadership(tmp_path) as first:
        with sender.leadership(tmp_path) as second:
            assert first and not second
    with sender.leadership(tmp_path) as again:
        assert again  # the lock is released when its holder stops


def test_the_1800_job_sends_once_with_four_workers(
    tmp_path, good_root, sample_site, handbook, receiver, settings
):
    """Four `notify daily` processes and two senders at 18:00 on one data folder: each robot gets it once."""
    data = tmp_path / "data"
    store = open_storage("tinydb", data)
    hygiene_day(handbook, store, MONDAY)
    add_robot(store, "wecom", receiver.url + "/cgi-bin/webhook/send?key=K", kinds=("daily",))
    add_robot(store, "feishu", receiver.url + "/open-apis/bot/v2/hook/H", platform="feishu", kinds=("daily",))
    receiver.default = (200, {"errcode": 0, "code": 0})
    shutil.copytree(good_root, tmp_path / "handbook")
    env = {
        **os.environ,
        "CHECKLIST_HANDBOOK_DIR": str(tmp_path / "handbook"),
        "CHECKLIST_SITE_DIR": str(sample_site),  # a build of it: the first of them publishes release 1
        "CHECKLIST_DATA_DIR": str(data),
        "CHECKLIST_INSTANCE_PATH": str(tmp_path / "instance"),
        "CHECKLIST_SECRET_KEY": "test",
        "CHECKLIST_FROZEN_TIME": "2026-11-23T18:00:00",
        "CHECKLIST_NOTIFY_EXTRA_HOSTS": "127.0.0.1",
    }
    command = [sys.executable, "-m", "flask", "--app", "checklist_app", "notify", "daily"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    workers = [subprocess.Popen(command, cwd=PROJECT, env=env, **pipes) for _ in range(4)]
    delivered = []

    def one_sender(name):  # a sender process's round, each with its own store on the same folder
        for _ in range(20):
            own = open_storage("tinydb", data)
            delivered.append(sender.one_round(own, handbook, at(MONDAY, 18), settings, name, events=False))

    senders = [threading.Thread(target=one_sender, args=(f"sender{n}",)) for n in range(2)]
    for thread in senders:
        thread.start()
    outputs = [w.communicate(timeout=120) for w in workers]
    for thread in senders:
        thread.join()
    assert all(w.returncode == 0 for w in workers), [e.decode() for _, e in outputs]
    assert sorted(r["path"] for r in receiver.requests) == [
        "/cgi-bin/webhook/send",
        "/open-apis/bot/v2/hook/H",
    ]
    queued = sum(int(out.decode().split("排队 ")[1].split(" ")[0]) for out, _ in outputs)
    sent = sum(int(out.decode().split("发送成功 ")[1].split(" ")[0]) for out, _ in outputs) + sum(delivered)
    assert queued <= 2 and sent == 2  # the senders may have queued some of the two themselves
    # A fifth run later that evening, or the sender process, changes nothing.
    again = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0 and "排队 0 条" in again.stdout.decode()
    assert len(receiver.requests) == 2
