"""Build the site strictly into a fresh folder and switch ``site`` to it atomically.

``site`` is a symlink to ``.site-builds/<stamp>``; a failed build leaves the link,
and so the last good site, untouched. Readers (the app, a web server) following
the link see either the old or the new build, never a half-written one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

KEEP = 3  # builds kept for rollback


class BuildFailed(Exception):
    """The strict MkDocs build failed; the published site was not changed."""


def publish(config: str, site: Path) -> Path:
    """Build with ``mkdocs build --strict`` and point ``site`` at the new build."""
    builds = site.parent / ".site-builds"
    builds.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    target = builds / stamp
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            config,
            "--site-dir",
            str(target.resolve()),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise BuildFailed(proc.stdout + proc.stderr + f"\n构建失败：{site}/ 仍是上一次成功发布的版本。")
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
