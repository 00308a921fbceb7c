"""Group-chat robots, the outbox of messages for them, and the delivery log.

The outbox is what makes sending safe with several processes: a message is
stored once per ``key`` (robot + message kind + period, e.g.
``r1|daily|2026-11-23``), so four workers or two cron jobs planning the same
18:00 ranking store it once; and a sender *claims* messages before posting
them, under the cross-process lock, so two senders never post the same one.
A claim is a lease: a sender killed mid-send leaves its messages to be taken
again after the lease (a message may then be posted twice, never lost).

The file backend keeps robots (their webhooks and secrets) in
``notify/robots.json`` and the outbox with its log in ``notify/outbox.json``,
each replaced atomically under its lock; both are created mode 600, like the
session secret, and live in the data folder, never in the repository.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from .base import aware_time
from .locking import exclusive_lock
from .tinydb_store import atomic_write

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
LOG_LIMIT = 500  # delivery log entries kept (newest)
KEEP_DAYS = 35  # finished messages (and their keys) kept this long: longer than any period planned


class NotifyStore(ABC):
    """Robots, the outbox and the delivery log; every method is atomic."""

    @abstractmethod
    def _change(self, part: str, change: Callable[[dict], object]) -> object:
        """Run ``change`` on a private copy of ``part`` (robots | outbox | sender) and keep what it leaves."""

    @abstractmethod
    def _read(self, part: str) -> dict:
        """A copy of ``part`` as stored."""

    # ---------------------------------------------------------------- robots

    def robots(self) -> list[dict]:
        """Every robot, in the order they were added."""
        return sorted(self._read("robots").values(), key=lambda r: (r.get("created_at", ""), r["id"]))

    def robot(self, robot_id: str) -> dict | None:
        """The robot with this id, or None."""
        return self._read("robots").get(robot_id)

    def put_robot(self, robot: dict) -> None:
        """Create or replace the robot with ``robot["id"]``."""
        self._change("robots", lambda table: table.__setitem__(robot["id"], copy.deepcopy(robot)))

    def delete_robot(self, robot_id: str) -> bool:
        """Remove a robot; whether there was one. Its messages stay in the log."""
        return bool(self._change("robots", lambda table: table.pop(robot_id, None)))

    # ---------------------------------------------------------------- outbox

    def has(self, key: str) -> bool:
        """Whether a message with this key was ever queued (and not yet forgotten)."""
        return key in self._read("outbox").get("messages", {})

    def enqueue(self, message: dict, now: dt.datetime) -> bool:
        """Queue ``message`` (needs ``key``) unless its key is already there; whether it was queued."""

        def change(box: dict) -> bool:
            messages = box.setdefault("messages", {})
            _forget_old(messages, now)
            if message["key"] in messages:
                return False
            messages[message["key"]] = {
                **copy.deepcopy(message),
                "status": PENDING,
                "attempts": 0,
                "queued_at": now.isoformat(),
                "next_at": now.isoformat(),
            }
            return True

        return bool(self._change("outbox", change))

    def claim(self, now: dt.datetime, owner: str, lease: dt.timedelta, limit: int = 20) -> list[dict]:
        """Take up to ``limit`` messages due at ``now`` for ``owner`` to send, oldest first."""

        def change(box: dict) -> list[dict]:
            messages = box.setdefault("messages", {})
            taken = []
            for msg in sorted(messages.values(), key=lambda m: (m["next_at"], m["queued_at"], m["key"])):
                if len(taken) >= limit:
                    break
                expired = msg["status"] == SENDING and _before(msg.get("lease_until"), now)
                due = msg["status"] == PENDING and _before(msg["next_at"], now, inclusive=True)
                if due or expired:
                    msg.update(status=SENDING, owner=owner, lease_until=(now + lease).isoformat())
                    taken.append(copy.deepcopy(msg))
            return taken

        return list(self._change("outbox", change) or [])

    def finish(
        self, key: str, owner: str, now: dt.datetime, entry: dict, retry_at: dt.datetime | None
    ) -> bool:
        """Record one attempt of a claimed message: sent, retry at ``retry_at``, or failed for good.

        ``entry`` (``ok``, ``status``, ``answer`` …) goes into the delivery log. False (and
        nothing changes) if ``owner`` no longer holds the message.
        """

        def change(box: dict) -> bool:
            msg = box.setdefault("messages", {}).get(key)
            if not msg or msg.get("status") != SENDING or msg.get("owner") != owner:
                return False
            msg["attempts"] = msg.get("attempts", 0) + 1
            msg.pop("lease_until", None)
            msg["last_at"] = now.isoformat()
            msg["answer"] = entry.get("answer", "")
            if entry.get("ok"):
                msg.update(status=SENT, sent_at=now.isoformat())
            elif retry_at is not None:
                msg.update(status=PENDING, next_at=retry_at.isoformat())
            else:
                msg["status"] = FAILED
            log = box.setdefault("log", [])
            log.append(
                {
                    **entry,
                    "key": key,
                    "robot_id": msg.get("robot_id"),
                    "kind": msg.get("kind"),
                    "title": msg.get("title"),
                    "attempt": msg["attempts"],
                    "at": now.isoformat(),
                    "outcome": msg["status"],
                }
            )
            del log[:-LOG_LIMIT]
            return True

        return bool(self._change("outbox", change))

    def messages(self, limit: int = 100) -> list[dict]:
        """The newest queued messages, newest first."""
        found = self._read("outbox").get("messages", {}).values()
        return sorted(found, key=lambda m: (m["queued_at"], m["key"]), reverse=True)[:limit]

    def log(self, limit: int = 100) -> list[dict]:
        """The newest delivery attempts, newest first."""
        return list(reversed(self._read("outbox").get("log", [])))[:limit]

    # ---------------------------------------------------------------- the sender's heartbeat

    def beat(self, owner: str, now: dt.datetime) -> None:
        """The sender ``owner`` is alive at ``now`` (shown on 管理 → 通知); a small file of its own."""
        self._change("sender", lambda part: part.update(owner=owner, at=now.isoformat()))

    def sender(self) -> dict | None:
        """The last heartbeat: ``{"owner", "at"}``, or None if no sender ever ran."""
        return self._read("sender") or None


def _before(stamp: str | None, now: dt.datetime, inclusive: bool = False) -> bool:
    moment = aware_time(stamp)
    if moment is None:
        return True  # an unreadable time never blocks a message for ever
    return moment <= now if inclusive else moment < now


def _forget_old(messages: dict, now: dt.datetime) -> None:
    cutoff = now - dt.timedelta(days=KEEP_DAYS)
    for key in [k for k, m in messages.items() if m["status"] in (SENT, FAILED)]:
        if _before(messages[key].get("last_at") or messages[key]["queued_at"], cutoff):
            del messages[key]


class MemoryNotifyStore(NotifyStore):
    """In this process only: tests and single-process use."""

    def __init__(self):
        self._parts: dict[str, dict] = {"robots": {}, "outbox": {}, "sender": {}}
        self._lock = threading.Lock()

    def _read(self, part):
        with self._lock:
            return copy.deepcopy(self._parts[part])

    def _change(self, part, change):
        with self._lock:
            data = copy.deepcopy(self._parts[part])
            result = change(data)
            self._parts[part] = data
            return result


class FileNotifyStore(NotifyStore):
    """``<data_dir>/notify/robots.json`` and ``outbox.json``, shared by every process of that data dir."""

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "notify"
        self.dir.mkdir(parents=True, exist_ok=True)

    def _path(self, part: str) -> Path:
        return self.dir / f"{part}.json"

    def _read(self, part):
        try:
            data = json.loads(self._path(part).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def _change(self, part, change):
        path = self._path(part)
        with exclusive_lock(path):
            data = self._read(part)
            before = json.dumps(data, ensure_ascii=False, sort_keys=True)
            result = change(data)
            text = json.dumps(data, ensure_ascii=False, sort_keys=True)
            if text != before:
                atomic_write(path, text)  # mkstemp: the file is created mode 600
            return result
