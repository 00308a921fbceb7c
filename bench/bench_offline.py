"""Benchmark: a 40-item checklist page and Today on a throttled phone: bytes and time to interactive,
first and repeat visit, and opened from the offline cache.

Makes the sample handbook plus a policy of 40 daily checks for 售前客服, builds its site strictly,
serves it with the real app under gunicorn and signs in an inspector in Debian's Chromium at
360×740. Throttling is Lighthouse's mobile profile through the DevTools protocol (562.5 ms latency,
1,474.6 kbit/s down, 675 kbit/s up, CPU 4× slower); the same pages unthrottled are the baseline of
the same run. *Bytes* are what crossed the network (``encodedDataLength``: headers plus body as
sent, 0 from the browser cache). *Time to interactive* is the navigation's
``domContentLoadedEventEnd``: every app script is ``defer``, so at that moment the page's script has
run (the form is enhanced, the outbox flushed or queued). A first visit is a fresh, signed-in
browser context with its cache cleared after signing in; the repeat visit opens the page again in
it. The service worker is blocked for these two (its own fetches are outside the page's throttling);
*offline* then allows it, visits Today once online (it caches Today, today's checklists and their
handbook pages) and opens the page with the network off: 0 bytes, served by the worker. Prints
medians over ``--runs`` contexts.

    .venv/bin/python bench/bench_offline.py [--runs 5] [--no-compress]

``--no-compress`` serves pages and JSON uncompressed (``COMPRESS=false``), the figures before
compression; static files and the handbook are compressed either way.
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

from bench.bench_lcp import CPU_SLOWDOWN, SLOW_4G  # noqa: E402
from checklist_app.auth import make_user  # noqa: E402
from checklist_app.storage.tinydb_store import TinyDBUserStore  # noqa: E402
from tests.browser.app_server import TODAY, AppServer  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, chromium_path  # noqa: E402
from tests.browser.transfer import TransferMeter  # noqa: E402
from tests.conftest import HANDBOOKS, build_site, make_site_project  # noqa: E402

PASSWORD = "bench-pass-1234"
ITEMS = 40
PAGES = {
    "Today": "/",
    f"{ITEMS}-item checklist": f"/checklists/daily/{TODAY.isoformat()}/{quote('role:售前客服')}",
}
UNTHROTTLED = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def forty_checks() -> str:
    """A policy with ITEMS daily checks for 售前客服, in four clauses."""
    lines = [
        "---",
        "id: bench-forty",
        "title: 巡检基准制度",
        "owner: 客服主管",
        'version: "1.0"',
        "effective: 2026-01-01",
        "review: 2099-12-31",
        "applies_to: [售前客服]",
        "---",
        "",
    ]
    for clause in range(4):
        lines += [f"## 第{clause + 1}条 基准条款 {{#bench-clause-{clause}}}", "", "本条用于测量。", ""]
        for n in range(10):
            number = clause * 10 + n
            lines += [
                f"/// 检查 | bench-check-{number:02d}",
                f"第 {number + 1} 项：核对售前客服当日第 {number + 1} 类会话的记录，确认回复及时、用语规范。",
                "频率: 每日",
                "对象: 售前客服",
                "检查人: 客服主管",
                "罚款: 20元",
                "///",
                "",
            ]
    return "\n".join(lines)


def prepare(workdir: Path) -> tuple[Path, Path]:
    handbook = workdir / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    (handbook / "60-基准").mkdir()
    (handbook / "60-基准" / "forty.md").write_text(forty_checks(), encoding="utf-8")
    project = make_site_project(workdir / "project", handbook)
    proc = build_site(project)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    TinyDBUserStore(workdir / "data").put(make_user("zhang", PASSWORD, "inspector", "客服主管", "张主管"))
    return handbook, project / "site"


def signed_in(browser, server, service_workers: str):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True, service_workers=service_workers
    )
    page = context.new_page()
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(server.url + "/")
    return context, page


def interactive_ms(page) -> float:
    return page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")


def visit(meter: TransferMeter, url: str) -> tuple[int, float]:
    view = meter.view(url, settle_ms=200)
    return view.total, interactive_ms(meter.page)


def throttle(meter: TransferMeter, network: dict, cpu: float) -> None:
    meter.cdp.send("Network.emulateNetworkConditions", network)
    meter.cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})


def kb(n: float) -> str:
    return f"{n / 1024:7.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-compress", action="store_true", help="pages and JSON uncompressed")
    args = parser.parse_args()
    results: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        handbook, site = prepare(workdir)
        env = {"CHECKLIST_COMPRESS": "false"} if args.no_compress else {}
        server = AppServer(workdir, handbook, site, env=env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
                )
                for _ in range(args.runs):
                    for profile, network, cpu in (
                        ("mobile", SLOW_4G, CPU_SLOWDOWN),
                        ("baseline", UNTHROTTLED, 1),
                    ):
                        for name, path in PAGES.items():
                            context, page = signed_in(browser, server, "block")
                            meter = TransferMeter(page)
                            meter.cdp.send(
                                "Network.clearBrowserCache"
                            )  # what the sign-in page left: not a first visit
                            throttle(meter, network, cpu)
                            results.setdefault((profile, name, "first"), []).append(
                                visit(meter, server.url + path)
                            )
                            results.setdefault((profile, name, "repeat"), []).append(
                                visit(meter, server.url + path)
                            )
                            context.close()
                    for name, path in PAGES.items():
                        context, page = signed_in(browser, server, "allow")
                        page.reload()  # now controlled by the worker, which caches today's pages
                        page.locator("html[data-offline-ready='1']").wait_for(timeout=30_000)
                        meter = TransferMeter(page)
                        throttle(meter, SLOW_4G, CPU_SLOWDOWN)
                        context.set_offline(True)
                        results.setdefault(("mobile", name, "offline"), []).append(
                            visit(meter, server.url + path)
                        )
                        context.close()
                browser.close()
        finally:
            server.stop()
    compressed = "uncompressed" if args.no_compress else "compressed"
    print(
        f"{ITEMS}-item checklist and Today, pages {compressed}, {args.runs} fresh signed-in phones (median)"
    )
    print(f"{'profile':9} {'page':20} {'visit':8} {'bytes':>11} {'interactive':>12}")
    for (profile, name, kind), samples in sorted(
        results.items(), key=lambda item: (item[0][1], item[0][0] != "mobile", item[0][2])
    ):
        size = statistics.median(s[0] for s in samples)
        ready = statistics.median(s[1] for s in samples)
        print(f"{profile:9} {name:20} {kind:8} {kb(size):>11} {ready:9.0f} ms  (n={len(samples)})")


if __name__ == "__main__":
    main()
