"""Precompressed copies of the built site: ``file.br`` and ``file.gz`` beside each text file.

Written once per build (from the MkDocs plugin's ``on_post_build``, so inside the fresh build folder
that :mod:`generator.publish` switches ``site`` to only after the build succeeded: the compressed
copies are published atomically with the pages). The app picks a copy by the request's
``Accept-Encoding`` (``checklist_app/handbook_site.py``) and serves it only if it decompresses to the
file itself, so a stale or planted copy is never served.

Levels: brotli 11 and gzip 9 for the theme's assets (small, the same every build, cached for a
year by browsers); brotli 6 and gzip 6 for pages and the search index, which are many and change
with every edit (measured on the real handbook's pages: brotli 11 costs about 3 s per MB, and 6
gives files 12% larger at 50× the speed; gzip 6 is 1% larger than 9 at twice the speed).

A build compresses only what changed: copies are kept in a cache folder named by the SHA-256 of
the file, the encoding and the level, and hard-linked (or copied) into the build. Editing one policy
changes that page, the generated pages and the search index; the theme's assets and every other
page are the same bytes as last time. The cache keeps what the last build used and nothing else,
and is only ever an optimisation: a damaged entry is a copy the app refuses to serve, never wrong
content (it checks every copy against its file).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:  # optional at import time: without it the site is served gzip-compressed only
    import brotli
except ImportError:  # pragma: no cover - brotli is a declared dependency
    brotli = None

# What browsers download and compresses well; source maps are fetched only by developer tools.
SUFFIXES = frozenset({".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt"})
MIN_SIZE = 1024  # below this the saving is smaller than the extra headers
GZIP_ASSETS, GZIP_PAGES = 9, 6
BROTLI_ASSETS, BROTLI_PAGES = 11, 6
ASSET_MAX = 256 * 1024


def gzip_bytes(data: bytes, level: int = GZIP_PAGES) -> bytes:
    # mtime=0: the same file gives the same bytes, build after build.
    return gzip.compress(data, level, mtime=0)


def brotli_bytes(data: bytes, quality: int = BROTLI_PAGES) -> bytes:
    return brotli.compress(data, quality=quality)


def decoders() -> dict[str, Callable[[bytes], bytes]]:
    """Content-Encoding → decompress function, for the encodings this machine can handle."""
    found = {"gzip": gzip.decompress}
    if brotli is not None:
        found["br"] = brotli.decompress
    return found


# Content-Encoding → file suffix, in the order of preference (smallest first).
VARIANTS: tuple[tuple[str, str], ...] = (("br", ".br"), ("gzip", ".gz")) if brotli else (("gzip", ".gz"),)


def compressible(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def _level(encoding: str, asset: bool) -> int:
    if encoding == "br":
        return BROTLI_ASSETS if asset else BROTLI_PAGES
    return GZIP_ASSETS if asset else GZIP_PAGES


def _pack(data: bytes, encoding: str, level: int) -> bytes:
    return brotli_bytes(data, level) if encoding == "br" else gzip_bytes(data, level)


class Cache:
    """Compressed copies by content: ``<folder>/<sha256[:2]>/<sha256>.<encoding><level>``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[Path] = set()

    def entry(self, data: bytes, encoding: str, level: int) -> Path:
        digest = hashlib.sha256(data).hexdigest()
        return self.folder / digest[:2] / f"{digest}.{encoding}{level}"

    def put(self, entry: Path, packed: bytes) -> None:
        """Store ``packed`` atomically (a concurrent build reads the old entry or the new one)."""
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(packed)
            os.chmod(tmp, 0o644)  # hard-linked into the site: readable like the files mkdocs writes
            os.replace(tmp, entry)
        except OSError:  # a read-only or full disk: the build goes on without the cache
            return

    def prune(self) -> None:
        """Drop every entry this build did not use, so the cache stays the size of one site."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*/*"):
            if path not in self.used:
                try:
                    path.unlink()
                except OSError:
                    pass


def _place(target: Path, packed: bytes, entry: Path | None) -> None:
    if target.exists():
        target.unlink()
    if entry is not None:
        try:
            os.link(entry, target)  # the cache and the build are usually on one file system
            return
        except OSError:
            pass
    target.write_bytes(packed)


def _compress_one(root: Path, path: Path, cache: Cache | None = None) -> int:
    data = path.read_bytes()
    written = 0
    if len(data) < MIN_SIZE:
        return 0
    rel = path.relative_to(root).as_posix()
    asset = rel.startswith("assets/") and len(data) <= ASSET_MAX
    for encoding, suffix in VARIANTS:
        level = _level(encoding, asset)
        entry = cache.entry(data, encoding, level) if cache else None
        packed = None
        if entry is not None:
            try:
                packed = entry.read_bytes()
            except OSError:
                packed = None
        if packed is None:
            packed = _pack(data, encoding, level)
            if cache is not None and entry is not None:
                cache.put(entry, packed)
        if cache is not None and entry is not None:
            cache.used.add(entry)
        target = path.with_name(path.name + suffix)
        if len(packed) < len(data) * 0.9:
            _place(target, packed, entry if entry is not None and entry.exists() else None)
            written += len(packed)
        elif target.exists():
            target.unlink()  # never leave a copy that is not of this build's file
    return written


def compress_site(root: Path, workers: int | None = None, cache: Path | None = None) -> int:
    """Write the compressed copies of every text file under ``root``; returns the bytes written.

    zlib and brotli release the GIL, so a thread per core compresses in parallel. With ``cache``
    (a folder), copies of files compressed by an earlier build are reused instead of recomputed.
    """
    root = Path(root)
    store = Cache(cache) if cache is not None else None
    files = [p for p in root.rglob("*") if p.is_file() and compressible(p)]
    with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        written = sum(pool.map(lambda p: _compress_one(root, p, store), files))
    if store is not None:
        store.prune()
    return written
