"""Benchmark: Largest Contentful Paint of the handbook on a throttled phone, first and repeat view.

Builds the real handbook strictly (or takes ``--site``), serves it with the real app under gunicorn
and opens the handbook home and a policy page in Debian's Chromium at 360×740 under Lighthouse's
mobile profile applied through the DevTools protocol ("devtools" throttling: 562.5 ms request
latency, 1,474.6 kbit/s down, 675 kbit/s up, CPU slowed 4×). LCP is read from the page's own
``PerformanceObserver`` (``largest-contentful-paint``, buffered), after the load event and a settle
time. A first view is a fresh browser context; the repeat view opens the page again in it (the
browser cache and our ETags at work). The same pages without throttling are the baseline of the
same run. Prints medians over ``--runs`` contexts; the target is LCP ≤ 2.5 s (Google's "good").

    .venv/bin/python bench/bench_lcp.py [--runs 5] [--site PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.bench_transfer import build  # noqa: E402
from tests.browser.app_server import AppServer  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, chromium_path  # noqa: E402

# Lighthouse 12's mobile preset with devtools throttling (constants.js: mobileSlow4G, ×3.75 and ×0.9).
SLOW_4G = {
    "offline": False,
    "latency": 150 * 3.75,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
CPU_SLOWDOWN = 4
GOOD_LCP_MS = 2500
PAGES = {
    "home": "/handbook/",
    "policy page": "/handbook/" + quote("30-客服") + "/" + quote("客服管理制度") + "/",
}

LCP_SCRIPT = """() => new Promise(resolve => {
  let last = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) last = entry.startTime;
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(last), 300);
})"""


def measure(page, url: str) -> float:
    """Open ``url`` and return its LCP in milliseconds."""
    page.goto(url, wait_until="load")
    page.wait_for_timeout(500)
    return float(page.evaluate(LCP_SCRIPT))


def run(browser, base: str, path: str, throttled: bool) -> tuple[float, float]:
    """(first view LCP, repeat view LCP) in one fresh phone context."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    if throttled:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    try:
        return measure(page, base + path), measure(page, base + path)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="an already built site (default: build the real handbook)")
    args = parser.parse_args()
    results: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        site = args.site.resolve() if args.site else build(workdir)
        shutil.copytree(ROOT / "handbook", workdir / "app-handbook")
        server = AppServer(workdir, workdir / "app-handbook", site)
        try:
            with sync_playwright() as p:
                chromium = chromium_path()
                browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                for _ in range(args.runs):
                    for name, path in PAGES.items():
                        for throttled in (False, True):
                            results.setdefault((name, throttled), []).append(
                                run(browser, server.url, path, throttled)
                            )
                browser.close()
        finally:
            server.stop()
    runs = args.runs
    print(f"Largest Contentful Paint at 360×740, median of {runs} fresh phones (target ≤ {GOOD_LCP_MS} ms)")
    for name in PAGES:
        base_first = statistics.median(first for first, _ in results[(name, False)])
        for throttled in (False, True):
            firsts = [first for first, _ in results[(name, throttled)]]
            repeats = [repeat for _, repeat in results[(name, throttled)]]
            first, repeat = statistics.median(firsts), statistics.median(repeats)
            label = "slow 4G, CPU ×4" if throttled else "unthrottled    "
            verdict = "" if not throttled else ("  good" if first <= GOOD_LCP_MS else "  OVER TARGET")
            ratio = f"  ×{first / base_first:.1f} of unthrottled" if throttled and base_first else ""
            print(f"{name:12} {label}  first {first:7.0f} ms  repeat {repeat:7.0f} ms{ratio}{verdict}")


if __name__ == "__main__":
    main()
