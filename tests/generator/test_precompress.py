"""Compressed copies of the site, and the cache that lets a rebuild compress only what changed."""

from __future__ import annotations

import gzip
import os

import brotli

from generator import precompress

PAGE = ("<p>制度手册</p>" * 400).encode("utf-8")


def site(folder, **pages: bytes):
    """A built site holding ``name.html`` files."""
    folder.mkdir(parents=True)
    for name, data in pages.items():
        (folder / f"{name}.html").write_bytes(data)
    return folder


def test_every_text_file_gets_brotli_and_gzip_copies(tmp_path):
    root = site(tmp_path / "site", index=PAGE)
    precompress.compress_site(root)
    assert brotli.decompress((root / "index.html.br").read_bytes()) == PAGE
    assert gzip.decompress((root / "index.html.gz").read_bytes()) == PAGE


def test_a_rebuild_reuses_the_copies_of_unchanged_files(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    precompress.compress_site(site(tmp_path / "one", a=PAGE), cache=cache)

    calls = []
    monkeypatch.setattr(precompress, "_pack", lambda data, enc, level: calls.append(enc) or b"x")
    # a.html is the same bytes (nothing to compress), b.html changed.
    second = site(tmp_path / "two", a=PAGE, b=PAGE + b"<p>new</p>")
    precompress.compress_site(second, cache=cache)
    assert sorted(calls) == ["br", "gzip"]  # b.html only
    assert brotli.decompress((second / "a.html.br").read_bytes()) == PAGE
    assert (second / "a.html.br").stat().st_mode & 0o777 == 0o644  # readable like the page


def test_the_cache_keeps_only_what_the_last_build_used(tmp_path):
    cache = tmp_path / "cache"
    precompress.compress_site(site(tmp_path / "one", a=PAGE), cache=cache)
    precompress.compress_site(site(tmp_path / "two", b=PAGE + b"!"), cache=cache)
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert len(entries) == 2  # b.html's .br and .gz; a.html's are gone
    assert all(os.stat(p).st_size for p in entries)
