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
"""

from __future__ import annotations

import gzip
import os
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


def _compress_one(root: Path, path: Path) -> int:
    data = path.read_bytes()
    written = 0
    if len(data) < MIN_SIZE:
        return 0
    rel = path.relative_to(root).as_posix()
    asset = rel.startswith("assets/") and len(data) <= ASSET_MAX
    for encoding, suffix in VARIANTS:
        if encoding == "br":
            packed = brotli_bytes(data, BROTLI_ASSETS if asset else BROTLI_PAGES)
        else:
            packed = gzip_bytes(data, GZIP_ASSETS if asset else GZIP_PAGES)
        target = path.with_name(path.name + suffix)
        if len(packed) < len(data) * 0.9:
            target.write_bytes(packed)
            written += len(packed)
        elif target.exists():
            target.unlink()  # never leave a copy that is not of this build's file
    return written


def compress_site(root: Path, workers: int | None = None) -> int:
    """Write the compressed copies of every text file under ``root``; returns the bytes written.

    zlib and brotli release the GIL, so a thread per core compresses in parallel.
    """
    root = Path(root)
    files = [p for p in root.rglob("*") if p.is_file() and compressible(p)]
    with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        return sum(pool.map(lambda p: _compress_one(root, p), files))
