"""Build the site strictly into a fresh folder and switch ``site`` to it atomically.

``site`` is a symlink to ``.site-builds/<stamp>``; a failed build leaves the link,
and so the last good site, untouched. Readers (the app, a web server) following
the link see either the old or the new build, never a half-written one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

KEEP = 3  # builds kept for rollback


class BuildFailed(Exception):
    """The strict MkDocs build failed; the published site was not changed."""


def build(config: str | os.PathLike, out: Path, docs: Path | None = None) -> None:
    """Run ``mkdocs build --strict`` of ``config`` into ``out``; raise :class:`BuildFailed`.

    With ``docs``, that folder (a release's copy of the handbook) is built instead of the config's
    ``docs_dir``: a second config beside the first inherits everything else, so the theme's
    ``custom_dir`` and the compression cache stay the project's, and mkdocs runs inside ``docs``'
    parent, where ``search.jieba_dict_user: handbook/search_dict.txt`` finds the copy's dictionary.
    """
    config = Path(config).resolve()
    cwd = None
    child = None
    if docs is not None:
        child = config.with_name(f".{config.stem}.release-{os.getpid()}-{time.monotonic_ns()}.yml")
        child.write_text(
            f"INHERIT: {json.dumps(config.name)}\ndocs_dir: {json.dumps(str(docs.resolve()))}\n",
            encoding="utf-8",
        )
        cwd = docs.resolve().parent
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--config-file",
                str(child or config),
                "--site-dir",
                str(out.resolve()),
            ],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        )
    finally:
        if child is not None:
            child.unlink(missing_ok=True)
    if proc.returncode != 0:
        shutil.rmtree(out, ignore_errors=True)
        raise BuildFailed(proc.stdout + proc.stderr)


def publish(config: str, site: Path) -> Path:
    """Build with ``mkdocs build --strict`` and point ``site`` at the new build."""
    builds = site.parent / ".site-builds"
    builds.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    target = builds / stamp
    try:
        build(config, target)
    except BuildFailed as exc:
        raise BuildFailed(f"{exc}\n构建失败：{site}/ 仍是上一次成功发布的版本。") from None
    if site.exists() and not site.is_symlink():
        # A plain folder from an older layout or `mkdocs build`: keep it as a build.
        site.rename(builds / f"legacy-{stamp}")
    link = site.parent / f".{site.name}.tmp-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target.relative_to(site.parent))
    os.replace(link, site)
    _prune(builds, keep={target.name})
    return target


def _prune(builds: Path, keep: set[str]) -> None:
    olds = sorted((p for p in builds.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in olds[:-KEEP]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
