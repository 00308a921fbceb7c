"""Reading acknowledgement, per clause and per role: who must read what, and who has.

A policy applies to a person when its ``applies_to`` names their handbook role, their role's
department or 全体员工. Of such a policy, the clauses that concern the role are those with no check
(text for everyone it applies to) and those with a check the role is covered by
(:func:`generator.scope.covers`): a clause whose checks are all another role's is not theirs.

Tapping 已阅读并理解 stores the hashes of exactly those clauses. After a release the person is
asked again only if one of *their* clauses changed, and is shown just those clauses' diffs.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from generator import HandbookLoader, diff
from generator.model import Clause, Handbook, Policy
from generator.reference import ALL_STAFF
from generator.scope import covers

from .clock import Clock
from .storage import Storage
from .storage.releases import Release, ReleaseStore

NEW, CHANGED, READ = "new", "changed", "read"


def applies(policy: Policy, handbook: Handbook, role: str) -> bool:
    if not role:
        return False
    known = handbook.role(role)
    department = known.department if known else None
    return bool({role, ALL_STAFF, department} & set(policy.applies_to))


def clauses_for(policy: Policy, handbook: Handbook, role: str) -> tuple[Clause, ...]:
    """The clauses of ``policy`` that concern ``role``."""
    known = handbook.role(role)
    department = handbook.department(known.department) if known and known.department else None
    return tuple(
        c for c in policy.clauses if not c.checks or any(covers(k, role, department) for k in c.checks)
    )


def fingerprint(clauses: tuple[Clause, ...]) -> dict[str, str]:
    return {c.id: c.hash for c in clauses}


@dataclass(frozen=True)
class Task:
    """One policy a person must (re-)read, or has read."""

    policy: Policy
    status: str  # new, changed, read
    clauses: tuple[Clause, ...]  # the clauses that concern them
    changed: tuple[str, ...]  # for CHANGED: the clause ids they read another text of
    since: str  # ISO day from which it was due
    overdue: bool
    ack: dict | None

    @property
    def token(self) -> str:
        """What the form sends back, so a release in between is noticed (the hashes they saw)."""
        return ",".join(f"{c.id}:{c.hash}" for c in self.clauses)


def _changed_on(history: list[Release], clause_ids: set[str], current: int) -> str:
    """The day the latest release up to ``current`` changed one of ``clause_ids`` (or the first release)."""
    days = [
        r.at[:10]
        for r in history
        if r.number <= current and any(c.clause_id in clause_ids for c in r.changes)
    ]
    if days:
        return max(days)
    firsts = [r.at[:10] for r in history if r.number <= current]
    return min(firsts) if firsts else ""


def tasks(
    handbook: Handbook,
    user: dict,
    latest: dict[tuple[str, str], dict],
    history: list[Release],
    current: int,
    today: dt.date,
    overdue_days: int,
) -> list[Task]:
    """Every policy that applies to ``user``'s role, with its reading status (pending first)."""
    role = user.get("role") or ""
    found = []
    joined = (user.get("created_at") or "")[:10]
    for policy in handbook.policies:
        if not applies(policy, handbook, role):
            continue
        clauses = clauses_for(policy, handbook, role)
        if not clauses:
            continue
        now = fingerprint(clauses)
        ack = latest.get((user.get("username", ""), policy.id))
        if ack is None:
            status, changed = NEW, ()
        else:
            read = ack.get("clauses", {})
            changed = tuple(cid for cid, h in now.items() if read.get(cid) != h)
            status = CHANGED if changed else READ
        since = max(_changed_on(history, set(now), current), joined) if status != READ else ""
        overdue = bool(since) and (today - dt.date.fromisoformat(since)).days > overdue_days
        found.append(Task(policy, status, clauses, changed, since, overdue, ack))
    order = {CHANGED: 0, NEW: 1, READ: 2}
    return sorted(found, key=lambda t: (order[t.status], not t.overdue))


def pending(all_tasks: list[Task]) -> list[Task]:
    return [t for t in all_tasks if t.status != READ]


class Stale(Exception):
    """The policy changed since the page was shown: read it again."""


def acknowledge(storage: Storage, clock: Clock, user: dict, task: Task, token: str, release: int) -> dict:
    """Record that ``user`` read ``task``'s clauses at this version; Stale if they changed meanwhile."""
    if token != task.token:
        raise Stale()
    ack = {
        "username": user["username"],
        "display_name": user.get("display_name") or user["username"],
        "role": user.get("role") or "",
        "policy_id": task.policy.id,
        "version": task.policy.version,
        "clauses": fingerprint(task.clauses),
        "at": clock.timestamp(),
        "release": release,
    }
    stored, _ = storage.reading.add(ack)
    return stored


@functools.lru_cache(maxsize=16)
def _release_model(root: str) -> Handbook | None:
    return HandbookLoader(root).load().handbook  # a release never changes: parsed once per process


def changed_diffs(releases: ReleaseStore, task: Task, handbook: Handbook, current_root: Path) -> list:
    """For a re-read: the diffs of just the clauses that changed since the person's acknowledgement."""
    ack = task.ack or {}
    release = releases.get(int(ack.get("release") or 0))
    if release is None:
        return []
    old_root = releases.sources_dir(release.number, release.as_of(str(ack.get("at", ""))[:10]))
    old = _release_model(str(old_root))
    if old is None:
        return []
    wanted = set(task.changed)
    return [
        c
        for c in diff.clause_changes(old, old_root, handbook, current_root)
        if c.policy_id == task.policy.id and c.clause_id in wanted
    ]


# --- status for owners and admins -----------------------------------------------------------


@dataclass(frozen=True)
class PersonStatus:
    username: str
    name: str
    role: str
    department: str
    task: Task


def status(
    handbook: Handbook,
    users: list[dict],
    latest: dict,
    history: list[Release],
    current: int,
    today: dt.date,
    overdue_days: int,
) -> list[PersonStatus]:
    """Every active account's status for every policy that applies to it."""
    rows = []
    for user in sorted(users, key=lambda u: u.get("username", "")):
        if user.get("disabled") or not user.get("role"):
            continue
        role = handbook.role(user["role"])
        department = (role.department if role else "") or ""
        for task in tasks(handbook, user, latest, history, current, today, overdue_days):
            rows.append(
                PersonStatus(
                    user["username"],
                    user.get("display_name") or user["username"],
                    user["role"],
                    department,
                    task,
                )
            )
    return rows
