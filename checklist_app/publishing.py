"""Publish the draft handbook as a numbered release, or roll back to an earlier one.

``handbook/`` is the draft. Publishing copies it, validates the copy with the generator (the one
parser), builds the site from that same copy and stores sources, site and ``release.json``
together as the next release (:mod:`.storage.releases`), which every app instance then serves.
What was validated is exactly what was built and what the checklists come from, even if an owner
saves a file halfway through.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator import Handbook, HandbookLoader, Policy, Problem, diff, versions
from generator.loader import display_root
from generator.publish import BuildFailed, build, prepare_docs, write_export
from generator.render import escape_markdown

from . import audit, changelog
from .clock import Clock
from .storage import Storage
from .storage.locking import exclusive_lock
from .storage.releases import ClauseDiff, PolicyVersion, Release, ReleaseStore
from .strings import t

log = logging.getLogger(__name__)
MAX_NOTE = 500


class PublishRefused(Exception):
    """The draft cannot be published: its problems (file:line, in Chinese) or the build's output."""

    def __init__(self, problems: tuple[Problem, ...] = (), message: str = ""):
        self.problems = problems
        self.message = message or t("publish.refused", n=len([p for p in problems if p.is_error]))
        super().__init__(self.message)


@dataclass(frozen=True)
class Draft:
    """The draft handbook as it would be published now: its model (None if broken) and problems."""

    handbook: Handbook | None
    problems: tuple[Problem, ...]
    parsed: Handbook | None = None  # the model even when only versions are refused (for the page)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


@dataclass(frozen=True)
class PolicyChange:
    """How one policy of the draft differs from the current release."""

    id: str
    title: str
    kind: str  # "added", "removed" or "changed"
    version_before: str
    version_after: str
    clauses_changed: int

    @property
    def bumped(self) -> bool:
        return self.version_before != self.version_after


def changes(handbook: Handbook, release: Release | None) -> list[PolicyChange]:
    """Every policy the draft adds, removes or changes against ``release`` (all added if None)."""
    found = []
    now = {p.id: p for p in policy_versions(handbook)}
    before = {p.id: p for p in release.policies} if release else {}
    for pid, p in now.items():
        old = before.get(pid)
        if old is None:
            found.append(PolicyChange(pid, p.title, "added", "", p.version, len(p.clauses)))
        elif old.hash != p.hash or old.version != p.version:
            differing = {
                c for c in set(p.clauses) | set(old.clauses) if p.clauses.get(c) != old.clauses.get(c)
            }
            found.append(PolicyChange(pid, p.title, "changed", old.version, p.version, len(differing)))
    for pid, old in before.items():
        if pid not in now:
            found.append(PolicyChange(pid, old.title, "removed", old.version, "", len(old.clauses)))
    return found


@dataclass(frozen=True)
class Preview:
    """What publishing the draft would change: per clause the text, per target the checklist items."""

    clauses: tuple
    targets: tuple


def preview(
    releases: ReleaseStore, release: Release | None, draft: Path, model: Handbook, clock: Clock
) -> Preview:
    """The diff of the draft ``model`` against ``release``'s own sources (generator/diff.py)."""
    old_root = releases.sources_dir(release.number) if release else None
    old = HandbookLoader(old_root, clock.today).load().handbook if old_root is not None else None
    return Preview(
        tuple(diff.clause_changes(old, old_root, model, Path(draft))),
        tuple(diff.item_changes(old, model, clock.today())),
    )


def policy_versions(handbook: Handbook) -> tuple[PolicyVersion, ...]:
    """What a release records of each policy: id, title, version, effective date and hashes."""
    return tuple(
        PolicyVersion(
            id=p.id,
            title=p.title,
            version=p.version,
            hash=p.hash,
            path=p.rel_path,
            effective=p.effective.isoformat(),
            clauses={c.id: c.hash for c in p.clauses},
            content=p.content_hash,
        )
        for p in handbook.policies
    )


def git_commit(root: Path) -> str:
    """The commit of the git repository holding ``root`` (``+`` appended when it has unsaved edits)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return ""
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def _load(root: Path, clock: Clock, shown_as: Path) -> Draft:
    loader = HandbookLoader(root, clock.today)
    loader.display = display_root(shown_as)  # messages name the owner's file, not the copy
    result = loader.load()
    return Draft(result.handbook, result.problems)


def released(release: Release | None) -> dict[str, versions.Released]:
    """What ``release`` recorded of each policy, for the version check."""
    if release is None:
        return {}
    return {p.id: versions.Released(p.version, p.content, release.number) for p in release.policies}


def needs_version(handbook: Handbook, release: Release | None) -> list[tuple[Policy, str]]:
    """Each draft policy refused for its version, with the version to offer instead."""
    before = released(release)
    refused = {p.line: p for p in versions.version_problems(handbook, before)}
    return [
        (policy, versions.next_version(before[policy.id].version))
        for policy in handbook.policies
        if policy.id in before
        and policy.version_line in refused
        and refused[policy.version_line].path == policy.source.path
    ]


def bump_version(draft: Path, clock: Clock, release: Release | None, policy_id: str) -> str | None:
    """Write the offered next version into the draft file of ``policy_id``; the new version or None."""
    loaded = _load(Path(draft), clock, Path(draft))
    if loaded.handbook is None:
        return None
    for policy, suggested in needs_version(loaded.handbook, release):
        if policy.id == policy_id:
            file = Path(draft) / policy.rel_path
            return suggested if versions.set_version(file, policy.version_line, suggested) else None
    return None


def check_draft(draft: Path, clock: Clock, release: Release | None = None) -> Draft:
    """Validate the draft as it is on disk now (what 管理 → 发布 shows before publishing).

    With ``release``, a policy changed since it without a higher version is an error too.
    """
    loaded = _load(Path(draft), clock, Path(draft))
    if loaded.handbook is None or release is None:
        return loaded
    unbumped = tuple(versions.version_problems(loaded.handbook, released(release)))
    if not unbumped:
        return loaded
    return Draft(None, tuple(sorted(loaded.problems + unbumped)), loaded.handbook)


def publish(
    releases: ReleaseStore,
    storage: Storage,
    clock: Clock,
    draft: Path,
    config: Path,
    actor: dict | None,
    note: str = "",
    site: Path | None = None,
    only_first: bool = False,
) -> Release | None:
    """Validate, build and store the draft as the next release, make it current, audit it.

    ``site`` is an already built site of exactly these sources (the app's first release, tests);
    without it the site is built here with ``mkdocs build --strict``. Raises :class:`PublishRefused`.
    ``only_first``: None, and nothing published, if a release exists once the publishing lock is
    held (servers on separate machines starting at once publish the first release once).
    """
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise PublishRefused(message=t("publish.note_too_long", n=MAX_NOTE))
    draft = Path(draft)
    with releases.publishing(), tempfile.TemporaryDirectory(prefix="handbook-release-") as tmp:
        if only_first and releases.pointer() is not None:
            return None
        sources = Path(tmp) / "handbook"
        shutil.copytree(draft, sources, ignore=shutil.ignore_patterns(".git"))
        checked = _load(sources, clock, draft)
        if checked.handbook is None:
            raise PublishRefused(checked.problems)
        previous = releases.current()
        unbumped = versions.version_problems(checked.handbook, released(previous))
        if unbumped:
            raise PublishRefused(tuple(unbumped))
        schedule, final_from = _schedule(checked.handbook, clock.today())
        changes, new_checks = _changes(releases, previous, checked.handbook, sources, clock)
        who = actor or audit.SYSTEM
        release = Release(
            number=releases.next_number(),
            at=clock.timestamp(),
            by=who.get("username", ""),
            by_name=who.get("display_name") or who.get("username", ""),
            note=note,
            policies=policy_versions(checked.handbook),
            commit=git_commit(draft),
            based_on=previous.number if previous else None,
            schedule=tuple(schedule),
            final_from=final_from,
            changes=changes,
            new_checks=new_checks,
        )
        history = [release, *releases.all()]
        as_of = {}
        for day in schedule:
            day_sources = Path(tmp) / "as-of" / day / "handbook"
            in_force = _in_force_copy(releases, previous, checked.handbook, sources, day_sources, day)
            loaded = _load(day_sources, clock, draft)
            if loaded.handbook is None:
                raise PublishRefused(tuple(p for p in loaded.problems if p.is_error))
            into = Path(tmp) / "as-of" / day
            day_site = _site(config, day_sources, site, into, in_force, history, loaded.handbook)
            as_of[day] = (day_sources, day_site)
        site = _site(config, sources, site, Path(tmp), {}, history, checked.handbook)
        release = releases.create(sources, site, release, as_of)
    audit.record(
        storage,
        clock,
        actor,
        "handbook.publish",
        t("publish.audit.subject", number=release.number, n=len(release.policies)),
        before=_versions(previous),
        after=_versions(release),
        note=note,
    )
    log.info("published handbook release %s", release.number)
    return release


def _schedule(handbook: Handbook, today) -> tuple[list[str], str]:
    """The days from which an earlier set of versions is in force, and the day the release's own is.

    No policy takes effect after ``today``: ``([], "")``. Otherwise the first entry is today and
    each later one a day some of the new versions take effect, the last of which is ``final_from``.
    """
    dates = sorted({p.effective for p in handbook.policies if p.effective > today})
    if not dates:
        return [], ""
    return [today.isoformat()] + [d.isoformat() for d in dates[:-1]], dates[-1].isoformat()


def _in_force_copy(releases, previous, handbook, sources: Path, dest: Path, day: str) -> dict:
    """Copy ``sources`` to ``dest`` with each policy not yet effective on ``day`` put back as it is
    in force in ``previous`` (or left out if it is new). Returns {policy id: the newer Policy}."""
    shutil.copytree(sources, dest)
    pending = {p.id: p for p in handbook.policies if p.effective.isoformat() > day}
    older = _previous_files(releases, previous, day)
    for policy_id, policy in pending.items():
        (dest / policy.rel_path).unlink()
        if policy_id in older:
            rel, file = older[policy_id]
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, dest / rel)
    return pending


def _previous_files(releases, previous, day: str) -> dict[str, tuple[str, Path]]:
    """Each policy of ``previous`` as in force on ``day``: {id: (relative path, file)}."""
    if previous is None:
        return {}
    root = releases.sources_dir(previous.number, previous.as_of(day))
    model = HandbookLoader(root).load().handbook
    if model is None:
        return {}
    return {p.id: (p.rel_path, root / p.rel_path) for p in model.policies}


def _changes(releases, previous, model: Handbook, sources: Path, clock: Clock) -> tuple[tuple, tuple]:
    """The clauses ``model`` changes against ``previous`` (with diffs) and the checks it adds.

    The first release changes nothing: it is where the record starts (no 新 on every item).
    """
    if previous is None:
        return (), ()
    old_root = releases.sources_dir(previous.number) if previous else None
    old = HandbookLoader(old_root, clock.today).load().handbook if old_root is not None else None
    clauses = tuple(
        ClauseDiff(
            c.policy_id,
            c.policy_title,
            c.clause_id,
            c.title,
            c.kind,
            tuple((s.kind, s.text) for s in c.segments),
        )
        for c in diff.clause_changes(old, old_root, model, sources)
    )
    before = {k.id for k in old.checks} if old else set()
    return clauses, tuple(k.id for k in model.checks if k.id not in before)


def _site(
    config: Path,
    sources: Path,
    prebuilt: Path | None,
    into: Path,
    upcoming: dict,
    history: list[Release],
    model: Handbook,
) -> Path:
    """Build the site of ``sources`` into ``into/site`` (or reuse ``prebuilt``).

    ``upcoming`` ({policy id: newer Policy}) adds to each such page the box 将于…生效 with the
    new version and its changed clauses, on a copy: the release's sources stay as owners wrote them.
    """
    if prebuilt is not None:
        return prebuilt
    # The generated pages are written by this step as Markdown (not by the MkDocs plugin), into a
    # copy: the release's sources stay as owners wrote them.
    docs = into / "site-sources" / "handbook"
    prepare_docs(sources, docs, model)  # the model of these very sources, validated above
    (docs / changelog.PAGE).write_text(changelog.page(history), encoding="utf-8")
    for policy in model.policies:
        newer = upcoming.get(policy.id)
        if newer is not None:
            _add_upcoming_box(docs / policy.rel_path, policy, newer)
        box = changelog.history_box(policy.id, policy.rel_path, history)
        if box:
            with open(docs / policy.rel_path, "a", encoding="utf-8") as handle:
                handle.write(box)
    site = into / "site"
    try:
        build(config, site, docs=docs)
    except BuildFailed as exc:
        raise PublishRefused(message=t("publish.build_failed", output=str(exc)[-4000:])) from None
    write_export(site, model)
    return site


def _add_upcoming_box(file: Path, current: Policy, newer: Policy) -> None:
    """Put the 将于…生效 admonition right after the front matter of a policy page's copy."""
    old = {c.id: c for c in current.clauses}
    new = {c.id: c for c in newer.clauses}
    changed = [
        t("publish.upcoming.clause", title=escape_markdown(c.title), how=t("publish.kind.changed"))
        for c in newer.clauses
        if c.id in old and old[c.id].hash != c.hash
    ]
    changed += [
        t("publish.upcoming.clause", title=escape_markdown(c.title), how=t("publish.kind.added"))
        for c in newer.clauses
        if c.id not in old
    ]
    changed += [
        t("publish.upcoming.clause", title=escape_markdown(c.title), how=t("publish.kind.removed"))
        for c in current.clauses
        if c.id not in new
    ]
    day = newer.effective.isoformat()
    title = t("publish.upcoming.title", day=day, version=escape_markdown(newer.version))
    body = t("publish.upcoming.body", day=day, version=escape_markdown(newer.version), old=current.version)
    if changed:
        body += t("publish.upcoming.changed", clauses="、".join(changed))
    text = file.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    box = f'\n!!! warning "{title}"\n    {body}\n\n'
    file.write_text("".join(lines[: end + 1]) + box + "".join(lines[end + 1 :]), encoding="utf-8")


def site_matches(site: Path, handbook: Handbook) -> bool:
    """Whether ``site`` is a build of exactly ``handbook`` (by its ``handbook.json``'s policy hashes)."""
    try:
        data = json.loads((site / "handbook.json").read_text(encoding="utf-8"))
        built = {(p["id"], p["version"], p["hash"]) for p in data["policies"]}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (site / "index.html").is_file() and built == {(p.id, p.version, p.hash) for p in handbook.policies}


def publish_first(
    releases: ReleaseStore,
    storage: Storage,
    clock: Clock,
    draft: Path,
    config: Path,
    site: Path | None,
    build_site: bool = False,
) -> Release | None:
    """On a fresh machine, publish the draft as release 1 (once, however many workers start).

    ``site`` is used when it is a build of exactly this draft (``make build``'s ``site/``, the
    tests' built sample); otherwise the site is built if ``build_site`` (``make run`` does that
    before starting gunicorn), else nothing is published: a worker does not build a site while it
    starts. Returns None when a release already exists, nothing was published or the draft has
    errors (then nothing is served until ``make publish``); never raises.
    """
    root = Path(getattr(releases, "root", tempfile.gettempdir()))
    root.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(root / "first"):
        if releases.pointer() is not None:
            return None
        draft_state = check_draft(draft, clock)
        if draft_state.handbook is None:
            log.warning(t("publish.first_broken", draft=display_root(Path(draft))))
            return None
        prebuilt = site if site is not None and site_matches(Path(site), draft_state.handbook) else None
        if prebuilt is None and not build_site:
            log.warning(t("publish.none", draft=display_root(Path(draft))))
            return None
        try:
            release = publish(
                releases,
                storage,
                clock,
                draft,
                config,
                None,
                t("publish.first_note"),
                site=prebuilt,
                only_first=True,  # the lock above is this machine's; another may have published
            )
        except PublishRefused as exc:
            log.warning("%s %s", exc.message, "; ".join(str(p) for p in exc.problems))
            return None
        if release is None:
            return None
    log.warning(t("publish.first", number=release.number, draft=display_root(Path(draft))))
    return release


def rollback(
    releases: ReleaseStore, storage: Storage, clock: Clock, number: int, actor: dict | None
) -> Release:
    """Make an earlier release current again (its site and checklists); audit it. KeyError if unknown."""
    previous = releases.current()
    target = releases.get(number)
    if target is None:
        raise KeyError(number)
    who = actor or audit.SYSTEM
    releases.set_current(number, clock.timestamp(), who.get("username", ""), "rollback")
    audit.record(
        storage,
        clock,
        actor,
        "handbook.rollback",
        t("publish.audit.rollback", number=number, current=previous.number if previous else "—"),
        before=_versions(previous),
        after=_versions(target),
    )
    return target


def _versions(release: Release | None) -> dict | None:
    if release is None:
        return None
    return {p.id: p.version for p in release.policies}
