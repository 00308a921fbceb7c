"""The failed-sign-in store: one contract for every backend, and the file backend across processes."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from zoneinfo import ZoneInfo

import pytest

from checklist_app.storage.attempts import FileAttemptStore

from .shared import open_shared

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def attempts(backend, open_backend):
    return open_backend(backend).attempts


def fail(store, key="account:zhang", at=NOW, limit=5):
    return store.fail(key, at, limit, WINDOW, LOCKOUT)


def test_failures_below_the_limit_are_counted_but_do_not_lock(attempts):
    for n in range(4):
        assert fail(attempts, at=NOW + n * SECOND) is None
    assert attempts.failures("account:zhang", NOW + 4 * SECOND, WINDOW) == 4
    assert attempts.locked_until("account:zhang", NOW + 4 * SECOND) is None


def test_the_limit_th_failure_locks_for_the_lockout(attempts):
    for n in range(4):
        fail(attempts, at=NOW + n * SECOND)
    last = NOW + 4 * SECOND
    until = fail(attempts, at=last)
    assert until == last + LOCKOUT
    assert until.tzinfo is not None
    assert attempts.locked_until("account:zhang", last) == until
    assert attempts.locked_until("account:zhang", until - SECOND) == until
    assert attempts.locked_until("account:zhang", until) is None


def test_a_failure_while_locked_does_not_extend_the_lock(attempts):
    until = None
    for _ in range(5):
        until = fail(attempts)
    assert fail(attempts, at=NOW + dt.timedelta(minutes=10)) == until
    assert attempts.locked_until("account:zhang", until) is None


def test_after_a_lock_the_count_starts_afresh(attempts):
    for _ in range(5):
        until = fail(attempts)
    assert attempts.failures("account:zhang", until, WINDOW) == 0
    assert fail(attempts, at=until) is None
    assert attempts.failures("account:zhang", until, WINDOW) == 1


def test_failures_older_than_the_window_are_forgotten(attempts):
    for _ in range(4):
        fail(attempts)
    later = NOW + WINDOW + SECOND
    assert attempts.failures("account:zhang", later, WINDOW) == 0
    assert fail(attempts, at=later) is None  # a fifth failure, but the first four no longer count
    assert attempts.failures("account:zhang", later, WINDOW) == 1


def test_clear_forgets_failures_and_lock(attempts):
    for _ in range(5):
        fail(attempts)
    attempts.clear("account:zhang")
    assert attempts.locked_until("account:zhang", NOW) is None
    assert attempts.failures("account:zhang", NOW, WINDOW) == 0
    attempts.clear("account:never-seen")  # clearing an unknown key is fine


def test_keys_are_independent(attempts):
    for _ in range(5):
        fail(attempts, "account:zhang")
    fail(attempts, "address:10.0.0.1", limit=20)
    assert attempts.locked_until("account:zhang", NOW) is not None
    assert attempts.locked_until("account:wang", NOW) is None
    assert attempts.locked_until("address:10.0.0.1", NOW) is None
    assert attempts.failures("address:10.0.0.1", NOW, WINDOW) == 1


def test_each_key_has_its_own_limit(attempts):
    for n in range(19):
        assert fail(attempts, "address:10.0.0.1", limit=20, at=NOW + n * SECOND) is None
    assert fail(attempts, "address:10.0.0.1", limit=20, at=NOW + 19 * SECOND) is not None


# The file backend: what several gunicorn workers on one data dir rely on.


def test_two_file_stores_on_one_data_dir_share_counts(tmp_path):
    first, second = FileAttemptStore(tmp_path), FileAttemptStore(tmp_path)
    for _ in range(3):
        fail(first)
    assert second.failures("account:zhang", NOW, WINDOW) == 3
    fail(second)
    assert fail(first) is not None  # the fifth failure, counted across both
    assert second.locked_until("account:zhang", NOW) is not None
    second.clear("account:zhang")
    assert first.locked_until("account:zhang", NOW) is None


def test_stale_keys_are_dropped_so_the_file_stays_small(tmp_path):
    store = FileAttemptStore(tmp_path)
    for n in range(50):
        fail(store, f"account:random-{n}")
    fail(store, "account:zhang", at=NOW + WINDOW + SECOND)
    table = json.loads(store.path.read_text(encoding="utf-8"))
    assert list(table) == ["account:zhang"]


def test_a_torn_file_counts_as_no_failures(tmp_path):
    store = FileAttemptStore(tmp_path)
    store.path.write_text('{"account:zhang": {"fail', encoding="utf-8")
    assert store.failures("account:zhang", NOW, WINDOW) == 0
    assert fail(store) is None
    assert store.failures("account:zhang", NOW, WINDOW) == 1


def _hammer(location: str, count: int, start, failed) -> None:
    store = open_shared(location).attempts
    start.wait()
    for n in range(count):
        store.fail("address:10.0.0.1", NOW + n * SECOND, 10_000, WINDOW, LOCKOUT)
        with failed.get_lock():
            failed.value += 1


def test_concurrent_processes_lose_no_failure(shared_location):
    context = multiprocessing.get_context("fork")
    processes, count = 4, 25
    start, failed = context.Barrier(processes), context.Value("i", 0)
    workers = [
        context.Process(target=_hammer, args=(shared_location, count, start, failed))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert failed.value == processes * count
    late = NOW + count * SECOND
    store = open_shared(shared_location).attempts
    assert store.failures("address:10.0.0.1", late, WINDOW) == processes * count
