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

from .export import to_dict
from .loader import HandbookLoader
from .model import Handbook
from .pages import generated_pages
from .problems import HandbookError

KEEP = 3  # builds kept for rollback


class BuildFailed(Exception):
    """The strict MkDocs build failed; the published site was not changed."""


def prepare_docs(sources: Path, dest: Path, handbook: Handbook | None = None) -> Handbook:
    """Copy ``sources`` to ``dest`` and write the generated pages there as plain Markdown.

    The role pages and the overview (:mod:`.pages`) are files of the docs folder, so any builder
    renders them, with or without our MkDocs plugin (Zensical skips plugins it does not know):
    the plugin only adds them itself when they are not there (``make serve``, ``make build``).
    Raises :class:`HandbookError` if the sources do not load.
    """
    shutil.copytree(sources, dest)
    if handbook is None:
        result = HandbookLoader(dest).load()
        if result.handbook is None:
            raise HandbookError(list(result.problems))
        handbook = result.handbook
    for path, content in generated_pages(handbook).items():
        file = dest / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(content, encoding="utf-8")
    return handbook


def write_export(site: Path, handbook: Handbook) -> None:
    """``handbook.json`` in the built site, if the builder did not write it (no plugin)."""
    file = site / "handbook.json"
    if not file.exists():
        compact = json.dumps(to_dict(handbook), ensure_ascii=False, separators=(",", ":"))
        file.write_text(compact, encoding="utf-8")


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
