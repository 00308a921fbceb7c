"""Planning messages into the outbox, and delivering them with retries and backoff.

Planning is idempotent: every message has a key (robot | kind | period), and the
store keeps one message per key, so the 18:00 ranking is queued once however many
workers, senders or cron jobs plan it. Delivery claims messages first (a lease in
the store), so two senders never post the same message. Nothing here runs in a
request: submitting a checklist only writes the record; the sender reads the
records afterwards (``plan_events``).
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from generator.model import Handbook

from ..clock import Clock
from ..generation import iso_week, week_start
from ..reporting.ledger import department_of, month_ledger, person_key
from ..reporting.rankings import daily_ranking, weekly_ranking
from ..storage import Storage
from ..strings import t
from . import messages, platforms

DAILY, WEEKLY, FINE, REPEAT, ACTIONS, TEST = "daily", "weekly", "fine", "repeat", "actions", "test"
KINDS = (DAILY, WEEKLY, FINE, REPEAT, ACTIONS)  # what a robot may be set to receive
EVENT_DAYS = 7  # fines and repeats are looked for in records of the last week
LEASE = dt.timedelta(minutes=5)  # longer than any send (timeout 10 s): a lease ends only if a sender died


@dataclass(frozen=True)
class Settings:
    """The notification settings, read once from the app's config."""

    base_url: str
    daily_at: dt.time
    weekly_day: int
    weekly_at: dt.time
    max_attempts: int
    retry_seconds: int
    timeout: float
    extra_hosts: tuple[str, ...]

    @classmethod
    def from_config(cls, config) -> Settings:
        """ValueError (Chinese) naming a setting that cannot be used."""
        weekly_day = int(config["NOTIFY_WEEKLY_DAY"])
        if not 1 <= weekly_day <= 7:
            raise ValueError(t("notify.setting.weekly_day", value=weekly_day))
        return cls(
            base_url=str(config["PUBLIC_BASE_URL"] or "").rstrip("/"),
            daily_at=_time("NOTIFY_DAILY_AT", config["NOTIFY_DAILY_AT"]),
            weekly_day=weekly_day,
            weekly_at=_time("NOTIFY_WEEKLY_AT", config["NOTIFY_WEEKLY_AT"]),
            max_attempts=max(1, int(config["NOTIFY_MAX_ATTEMPTS"])),
            retry_seconds=max(1, int(config["NOTIFY_RETRY_SECONDS"])),
            timeout=float(config["NOTIFY_TIMEOUT_SECONDS"]),
            extra_hosts=tuple(
                h.strip().lower() for h in str(config["NOTIFY_EXTRA_HOSTS"]).split(",") if h.strip()
            ),
        )


def _time(name: str, value) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(t("notify.setting.time", name=name, value=repr(value))) from None


def _robots(storage: Storage, kind: str) -> list[dict]:
    return [r for r in storage.notify.robots() if r.get("enabled", True) and kind in r.get("kinds", ())]


def _queue(storage: Storage, robot: dict, kind: str, period: str, title: str, lines: list[str], now) -> bool:
    message = {
        "key": f"{robot['id']}|{kind}|{period}",
        "robot_id": robot["id"],
        "kind": kind,
        "period": period,
        "title": title,
        "lines": lines,
    }
    return storage.notify.enqueue(message, now)


def _digests(storage: Storage, start: dt.date, end: dt.date) -> list[dict]:
    return storage.completions.facts("report", start, end)


def _sheets(handbook: Handbook):
    return sorted(handbook.scored_policies, key=lambda p: p.scoring.per != "department")


def plan_daily(storage: Storage, handbook: Handbook, clock: Clock, settings: Settings, day: dt.date) -> int:
    """Queue the day's ranking and the week-to-date ranking for every robot that takes them."""
    robots = [r for r in _robots(storage, DAILY) if not storage.notify.has(f"{r['id']}|{DAILY}|{day}")]
    if not robots or not handbook.scored_policies:
        return 0
    week = iso_week(day)
    found = _digests(storage, week_start(week), day)
    rankings = [
        (daily_ranking(handbook, p, found, day), weekly_ranking(handbook, p, found, week))
        for p in _sheets(handbook)
    ]
    title, lines = messages.daily(rankings, day, settings.base_url)
    return sum(_queue(storage, r, DAILY, day.isoformat(), title, lines, clock.now()) for r in robots)


def plan_weekly(storage: Storage, handbook: Handbook, clock: Clock, settings: Settings, day: dt.date) -> int:
    """Queue the week's average ranking, with the reward and the fine, for every robot that takes it."""
    week = iso_week(day)
    robots = [r for r in _robots(storage, WEEKLY) if not storage.notify.has(f"{r['id']}|{WEEKLY}|{week}")]
    if not robots or not handbook.scored_policies:
        return 0
    found = _digests(storage, week_start(week), day)
    title, lines = messages.weekly(
        [weekly_ranking(handbook, p, found, week) for p in _sheets(handbook)], day, settings.base_url
    )
    return sum(_queue(storage, r, WEEKLY, week, title, lines, clock.now()) for r in robots)


def plan_actions(storage: Storage, clock: Clock, settings: Settings, day: dt.date) -> int:
    """Queue, once a day, the corrective actions due that day and those overdue, per robot's scope."""
    from .. import actions  # the actions build on the services; imported where they are needed

    robots = [r for r in _robots(storage, ACTIONS) if not storage.notify.has(f"{r['id']}|{ACTIONS}|{day}")]
    if not robots:
        return 0
    waiting = actions.due(storage, day)
    queued = 0
    for robot in robots:
        mine = [a for a in waiting if _in_scope(robot, a.department)]
        if mine:
            title, lines = messages.actions_due(mine, day, settings.base_url)
            queued += _queue(storage, robot, ACTIONS, day.isoformat(), title, lines, clock.now())
    return queued


def plan_scheduled(storage: Storage, handbook: Handbook, clock: Clock, settings: Settings) -> int:
    """Queue what is due by now: the daily ranking and the 整改 reminder after NOTIFY_DAILY_AT, the
    weekly ranking on its day."""
    now = clock.now()
    queued = 0
    if now.time() >= settings.daily_at:
        queued += plan_daily(storage, handbook, clock, settings, now.date())
        queued += plan_actions(storage, clock, settings, now.date())
    if now.isoweekday() == settings.weekly_day and now.time() >= settings.weekly_at:
        queued += plan_weekly(storage, handbook, clock, settings, now.date())
    return queued


def _in_scope(robot: dict, department: str | None) -> bool:
    return not robot.get("department") or robot["department"] == department


def plan_events(storage: Storage, handbook: Handbook, clock: Clock, settings: Settings) -> int:
    """Queue a message per new record with a fine, and per person who reached the repeat limit.

    Only records submitted after a robot was added count for it, so adding a robot does
    not replay the past week.
    """
    fine_robots, repeat_robots = _robots(storage, FINE), _robots(storage, REPEAT)
    if not fine_robots and not repeat_robots:
        return 0
    today = clock.today()
    recent = _digests(storage, today - dt.timedelta(days=EVENT_DAYS), today)
    queued = 0
    for d in recent:
        if not any(p.get("amount") for p in d["penalties"]):
            continue
        department = department_of(handbook, *d["target"])
        for robot in fine_robots:
            if d["submitted_at"] < robot.get("created_at", "") or not _in_scope(robot, department):
                continue
            if storage.notify.has(f"{robot['id']}|{FINE}|{d['id']}"):
                continue
            title, lines = messages.fine(d, department, settings.base_url)
            queued += _queue(storage, robot, FINE, d["id"], title, lines, clock.now())
    if repeat_robots:
        queued += _plan_repeats(storage, handbook, clock, settings, repeat_robots)
    return queued


def _plan_repeats(storage: Storage, handbook: Handbook, clock: Clock, settings: Settings, robots) -> int:
    today = clock.today()
    month = today.strftime("%Y-%m")
    year = storage.completions.penalty_lines(today.replace(month=1, day=1), today)
    ledger = month_ledger(
        handbook, month, year, {p["id"]: p for p in storage.people.all()}, storage.people.links()
    )
    if not ledger.repeat_limit or not ledger.repeat_offenders:
        return 0
    queued = 0
    for person in ledger.repeat_offenders:
        key = person.person_id or person.person
        latest = max(  # when the person's latest fined checklist was submitted
            (line.order[1] for line in ledger.lines if line.person_key == _key(person)), default=""
        )
        for robot in robots:
            if latest < robot.get("created_at", "") or not _in_scope(robot, person.department):
                continue
            period = f"{today.year}/{key}"
            title, lines = messages.repeat(person, ledger.repeat_limit, today.year, month, settings.base_url)
            queued += _queue(storage, robot, REPEAT, period, title, lines, clock.now())
    return queued


def _key(person) -> str:
    return person_key(person.person_id, person.person)


def plan_test(storage: Storage, robot: dict, clock: Clock, settings: Settings) -> bool:
    """Queue a test message for one robot (管理 → 通知 → 发送测试消息)."""
    title, lines = messages.test(robot["name"], settings.base_url)
    return _queue(storage, robot, TEST, clock.timestamp(), title, lines, clock.now())


# ---------------------------------------------------------------- delivery

Post = Callable[[platforms.Request, float], tuple[int | None, str]]


def post(request: platforms.Request, timeout: float) -> tuple[int | None, str]:
    """POST the request with the standard library; (HTTP status or None, body text)."""
    req = urllib.request.Request(
        request.url,
        data=request.data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310 (the host is checked)
            return answer.status, answer.read(64 * 1024).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(64 * 1024).decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def allowed(url: str, platform: str, extra_hosts: tuple[str, ...]) -> bool:
    """Whether a webhook may be posted to: https on the platform's own host, or an allowed extra host."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host in platforms.HOSTS.get(platform, ()):
        return True
    return host in extra_hosts and parts.scheme in ("http", "https")


def deliver(storage: Storage, clock: Clock, settings: Settings, owner: str, send: Post = post) -> int:
    """Send every message due now that this sender can claim; how many were delivered."""
    delivered = 0
    for msg in storage.notify.claim(clock.now(), owner, LEASE):
        robot = storage.notify.robot(msg["robot_id"])
        now = clock.now()
        if robot is None or not robot.get("enabled", True):
            entry = {"ok": False, "status": None, "answer": t("notify.answer.gone")}
            storage.notify.finish(msg["key"], owner, now, entry, None)
            continue
        if not allowed(robot["webhook"], robot["platform"], settings.extra_hosts):
            entry = {"ok": False, "status": None, "answer": t("notify.answer.bad_host")}
            storage.notify.finish(msg["key"], owner, now, entry, None)
            continue
        request = platforms.build(
            robot["platform"], robot["webhook"], robot.get("secret", ""), msg["title"], msg["lines"], now
        )
        status, body = send(request, settings.timeout)
        answer = platforms.judge(robot["platform"], status, body)
        attempts = msg.get("attempts", 0) + 1
        retry_at = None
        if not answer.ok and answer.retry and attempts < settings.max_attempts:
            retry_at = clock.now() + dt.timedelta(seconds=settings.retry_seconds * 2 ** (attempts - 1))
        entry = {"ok": answer.ok, "status": answer.status, "answer": answer.text, "robot_name": robot["name"]}
        storage.notify.finish(msg["key"], owner, clock.now(), entry, retry_at)
        delivered += answer.ok
    return delivered
