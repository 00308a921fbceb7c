"""Benchmark: bytes a phone downloads for the handbook home, first view and repeat view.

Builds the real handbook strictly (or takes ``--site``), serves it with the real app under gunicorn
and opens ``/handbook/`` in Debian's Chromium at 360×740. Counts what crossed the network with the
DevTools protocol (``Network.loadingFinished.encodedDataLength``: headers plus body as sent,
0 for the browser cache). A first view is a fresh browser context; the repeat view opens the same
page again in it. Prints medians over ``--runs`` contexts and the largest requests of one first
view. ``--identity`` asks for no compression (``Accept-Encoding: identity``), to show its share.

    .venv/bin/python bench/bench_transfer.py [--runs 5] [--site PATH] [--identity]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.app_server import AppServer  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, chromium_path  # noqa: E402
from tests.browser.transfer import TransferMeter  # noqa: E402


def build(project: Path) -> Path:
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", project / "overrides")  # theme custom_dir
    shutil.copytree(ROOT / "handbook", project / "handbook")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "--site-dir", "site"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return project / "site"


def kb(n: float) -> str:
    return f"{n / 1024:8.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="an already built site (default: build the real handbook)")
    parser.add_argument("--identity", action="store_true", help="send Accept-Encoding: identity")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        site = args.site.resolve() if args.site else build(workdir)
        shutil.copytree(ROOT / "handbook", workdir / "app-handbook")
        server = AppServer(workdir, workdir / "app-handbook", site)
        firsts, repeats, sample = [], [], None
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
                )
                headers = {"Accept-Encoding": "identity"} if args.identity else {}
                for _ in range(args.runs):
                    context = browser.new_context(
                        viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True
                    )
                    page = context.new_page()
                    meter = TransferMeter(page)
                    if headers:
                        meter.cdp.send("Network.setExtraHTTPHeaders", {"headers": headers})
                    first = meter.view(server.url + "/handbook/")
                    repeat = meter.view(server.url + "/handbook/")
                    firsts.append(first.total)
                    repeats.append(repeat.total)
                    sample = sample or (first, repeat)
                    context.close()
                browser.close()
        finally:
            server.stop()
    first, repeat = sample
    mode = "identity" if args.identity else "br/gzip as negotiated"
    print(f"handbook home, {args.runs} fresh phones ({mode})")
    for label, totals, view in (("first view ", firsts, first), ("repeat view", repeats, repeat)):
        median = kb(statistics.median(totals))
        print(f"{label}  median {median}  (n={len(totals)}, {len(view.requests)} requests)")
    print("largest requests of a first view:")
    for name, size in first.largest(10):
        print(f"  {kb(size)}  {first.encoding.get(name) or '-':5}  {name}")
    print("repeat view:")
    for name, size in repeat.largest(10):
        print(f"  {kb(size)}  {repeat.status.get(name, '')!s:5}  {name}")


if __name__ == "__main__":
    main()
