"""The one sender process: plans what is due, delivers the outbox, retries with backoff.

``make run`` starts it beside gunicorn (``flask --app checklist_app notify run``).
Only one sender works at a time: each holds a non-blocking ``flock`` on
``DATA_DIR/notify/sender.lock`` while it works; a second one started by mistake
waits on stand-by and takes over if the first one stops (the kernel releases the
lock of a process that died). Even without that lock no message is sent twice:
a message is claimed in the store before it is posted.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no election, the claims alone keep messages single
    fcntl = None

from generator.model import Handbook

from ..clock import Clock
from ..storage import Storage
from ..strings import t
from . import outbox

EVENTS_EVERY = 6  # look for new fines every 6th round (a minute at the default 10 s)


def owner_name() -> str:
    """Who is sending: host, process and a random part (a restarted process is a new owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


SENDER_LOCK = 7_417_019  # the cluster-wide advisory lock of the one sender on PostgreSQL


@contextlib.contextmanager
def leadership(data_dir: str | os.PathLike, storage: Storage | None = None):
    """Yield True while this process holds the sender lock, False if another sender holds it.

    On PostgreSQL the lock is the database's, so one sender leads across every machine.
    """
    database = getattr(storage, "database", None)
    if database is not None:
        with database.leadership(SENDER_LOCK) as leading:
            yield leading
        return
    path = Path(data_dir) / "notify" / "sender.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def one_round(
    storage: Storage,
    handbook: Handbook | None,
    clock: Clock,
    settings: outbox.Settings,
    owner: str,
    events: bool,
) -> int:
    """Plan what is due and deliver the outbox once; how many messages were delivered."""
    storage.notify.beat(owner, clock.now())
    if handbook is not None:
        outbox.plan_scheduled(storage, handbook, clock, settings)
        if events:
            outbox.plan_events(storage, handbook, clock, settings)
    return outbox.deliver(storage, clock, settings, owner)


def run(
    storage: Storage, load_handbook, clock: Clock, settings: outbox.Settings, data_dir, poll: float, log
) -> None:
    """Work for ever: lead when the lock is free, otherwise stand by and try again each ``poll``."""
    owner = owner_name()
    rounds = 0
    while True:
        with leadership(data_dir, storage) as leading:
            if not leading:
                if rounds == 0:
                    log(t("notify.sender.standby"))
                rounds = -1
                time.sleep(poll)
                continue
            log(t("notify.sender.leading", owner=owner))
            while True:
                rounds += 1
                try:
                    sent = one_round(
                        storage, load_handbook(), clock, settings, owner, rounds % EVENTS_EVERY == 1
                    )
                    if sent:
                        log(t("notify.sender.sent", n=sent))
                except Exception as exc:  # noqa: BLE001 - one bad round must not stop the sender
                    log(t("notify.sender.error", error=f"{type(exc).__name__}: {exc}"))
                time.sleep(poll)
