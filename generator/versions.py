"""Versions that cannot be forgotten: a policy changed since the last release needs a higher version.

The last release records each policy's version and content hash (the whole file but its dates
and the version itself, :attr:`generator.model.Policy.content_hash`). A draft policy whose content
differs but whose version is not higher is an error at its ``version:`` line, naming the next
version (``2.0`` → ``2.1``). ``make check`` and the publish step both ask this module.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import problems as P
from .model import Handbook
from .problems import Problem

_NUMBERS = re.compile(r"\d+(?:\.\d+)*")


@dataclass(frozen=True)
class Released:
    """What a release recorded of one policy."""

    version: str
    content_hash: str
    release: int


def version_key(version: str) -> tuple:
    """A sortable key: numeric parts compare as numbers (``2.10`` > ``2.9``), text after them."""
    match = _NUMBERS.match(version.strip())
    if not match:
        return ((), version)
    return (tuple(int(n) for n in match.group().split(".")), version[match.end() :])


def is_higher(new: str, old: str) -> bool:
    return version_key(new) > version_key(old)


def next_version(old: str) -> str:
    """The version to suggest after ``old``: its last number plus one (``2.0`` → ``2.1``, ``3`` → ``4``)."""
    match = _NUMBERS.match(old.strip())
    if not match:
        return f"{old.strip()}.1" if old.strip() else "1.0"
    parts = match.group().split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts)


def version_problems(handbook: Handbook, released: dict[str, Released]) -> list[Problem]:
    """Every policy changed since its release without a higher version, at its ``version:`` line."""
    found = []
    for policy in handbook.policies:
        old = released.get(policy.id)
        if old is None or not old.content_hash:
            continue  # new since the release, or a release that did not record content
        path, line = policy.source.path, policy.version_line
        if version_key(policy.version) < version_key(old.version):
            suggested = next_version(old.version)
            found.append(
                P.version_lowered(path, line, policy.id, policy.version, old.version, old.release, suggested)
            )
        elif policy.content_hash != old.content_hash and not is_higher(policy.version, old.version):
            suggested = next_version(old.version)
            found.append(P.version_not_bumped(path, line, policy.id, policy.version, old.release, suggested))
    return found


def released_from(data: dict) -> dict[str, Released]:
    """The policies of a ``release.json`` (as written by the app's release store)."""
    number = int(data.get("number", 0))
    return {
        p["id"]: Released(p["version"], p.get("content", ""), number)
        for p in data.get("policies", ())
        if isinstance(p, dict) and "id" in p and "version" in p
    }


def current_release_dir(releases_dir: str | Path) -> Path | None:
    """The current release's copy of the handbook sources in a releases folder, or None."""
    root = Path(releases_dir)
    try:
        number = int(json.loads((root / "current").read_text(encoding="utf-8"))["number"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    folder = root / str(number) / "handbook"
    return folder if folder.is_dir() else None


def current_release(releases_dir: str | Path) -> dict[str, Released]:
    """The current release's policies in a releases folder (``instance/releases``); {} if none."""
    root = Path(releases_dir)
    try:
        number = int(json.loads((root / "current").read_text(encoding="utf-8"))["number"])
        return released_from(json.loads((root / str(number) / "release.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return {}


_VERSION_LINE = re.compile(r"^(\s*version\s*:\s*).*?(\r?\n)?$")


def set_version(file: Path, line: int, version: str) -> bool:
    """Rewrite the ``version:`` line (1-based ``line``) of a policy file to ``version``, atomically.

    Returns False, changing nothing, when that line is not a ``version:`` line (the file changed).
    """
    file = Path(file)
    raw = file.read_bytes()
    lines = raw.decode("utf-8").splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        return False
    match = _VERSION_LINE.match(lines[line - 1])
    if not match:
        return False
    lines[line - 1] = f'{match.group(1)}"{version}"{match.group(2) or ""}'
    tmp = file.with_name(f".{file.name}.version-{os.getpid()}")
    tmp.write_text("".join(lines), encoding="utf-8", newline="")
    os.replace(tmp, file)
    return True
