"""Reports on a phone: dashboard charts, score-sheet rankings, the penalty ledger, and a scored checklist.

The data is seeded through the real service layer into the server's TinyDB before gunicorn starts,
with dates relative to the servers' frozen today (dashboard, rankings and ledger default to today).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from checklist_app.auth import make_user
from checklist_app.generation import Target
from checklist_app.storage import open_storage
from generator import load_handbook

from ..checklist_app.conftest import CS_LEAD, HYGIENE_INSPECTOR, complete
from ..conftest import HANDBOOKS
from .app_server import TODAY, AppServer

pytestmark = pytest.mark.browser

PASSWORD = "reports-pass-1"
WIDTH = 360
CHARTS = ("各部门合格率（近 12 周）", "本月最常不合格的检查项", "每月罚款（元）")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def dept(name: str) -> Target:
    return Target("department", name)


@dataclass
class Seeded:
    """What the fixture stored, so tests can work out what the pages must show."""

    today: dt.date
    ledger_month: str  # the month holding the 400 元 line (this month unless it has no Monday yet)
    fines: list[dict] = field(default_factory=list)  # customer-service records: day, total, fined lines


def month_before(day: dt.date, months: int) -> dt.date:
    """The 10th of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 10)


def seed(handbook_dir: Path, data_dir: Path) -> Seeded:
    """Hygiene scores over the last four weeks and today, customer-service fines over four months."""
    handbook = load_handbook(handbook_dir, today=TODAY)
    store = open_storage("tinydb", data_dir)
    today = TODAY
    monday = today - dt.timedelta(days=today.weekday())

    # Earlier weeks only (Monday and Wednesday), so this ISO week holds nothing but today's scores.
    history = {
        "客服部": [{}, {"hy-chair": 1}, {}, {"hy-desk": 1}],
        "仓储部": [{"hy-desk": 1, "hy-floor": 2}, {"hy-floor": 1}, {"hy-desk": 2}, {"hy-wall": 1}],
        "运营部": [{"hy-wall": 1}, {"hy-desk": 1, "hy-chair": 1, "hy-floor": 1}, {}, {"hy-desk": 2}],
    }
    for name, failures in history.items():
        for weeks_back, failed in enumerate(failures, start=1):
            week = monday - dt.timedelta(weeks=weeks_back)
            complete(handbook, store, dept(name), failed, week, HYGIENE_INSPECTOR)
            wednesday = week + dt.timedelta(days=2)
            complete(
                handbook, store, dept(name), {} if weeks_back % 2 else failed, wednesday, HYGIENE_INSPECTOR
            )
    # Today: two departments with different scores (客服部 98, 仓储部 94); 运营部 is left for test 4.
    complete(handbook, store, dept("客服部"), {"hy-desk": 2}, today, HYGIENE_INSPECTOR)
    complete(handbook, store, dept("仓储部"), {"hy-desk": 2, "hy-floor": 1}, today, HYGIENE_INSPECTOR)

    seeded = Seeded(today=today, ledger_month=monday.strftime("%Y-%m"))
    presales = Target("role", "售前客服")

    def fine(day: dt.date, failures: dict) -> None:
        record = complete(handbook, store, presales, failures, day, CS_LEAD)
        lines = sum(1 for item in record["items"] if item["result"] == "fail" and item.get("fine"))
        seeded.fines.append({"day": day, "total": record["score"]["fines"], "lines": lines})

    # 小赵: 200 元 × 2 = 400 元 on the latest Monday, over the 300 元 a supervisor may approve.
    fine(monday, {"cs-response-avg": (1, "小李"), "cs-review-negative": (2, "小赵")})
    if today != monday:
        fine(today, {"cs-response-avg": (1, "小李")})
    fine(month_before(today, 1), {"cs-response-avg": (1, "小李")})
    fine(month_before(today, 2), {"cs-response-avg": (3, "小王")})
    fine(month_before(today, 3), {"cs-response-avg": (2, "小王")})
    return seeded


@pytest.fixture
def server(tmp_path, sample_site):
    handbook = tmp_path / "handbook"
    shutil.copytree(HANDBOOKS / "good", handbook)
    data = tmp_path / "data"
    seeded = seed(handbook, data)
    users = open_storage("tinydb", data).users
    users.put(make_user("zhao", PASSWORD, "owner", "人事专员", "赵经理"))
    users.put(make_user("li", PASSWORD, "inspector", "行政专员", "李专员"))
    app = AppServer(tmp_path, handbook, sample_site)
    app.seeded = seeded
    yield app
    app.stop()


def sign_in(page, server, username: str) -> None:
    page.goto(server.url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("今日清单")


def open_reports(page) -> None:
    page.locator("nav.nav").get_by_role("link", name="报表", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator("h1")).to_have_text("报表")


def report_tab(page, name: str) -> None:
    page.locator("nav.report-nav").get_by_role("link", name=name, exact=True).click()
    expect(page.locator("nav.report-nav [aria-current=page]")).to_have_text(name)


def page_width(page) -> int:
    """The page's width once its fonts are in (a fallback font's wider glyphs are not the layout)."""
    return page.evaluate("document.fonts.ready.then(() => document.documentElement.scrollWidth)")


def test_dashboard_charts_fit_a_phone_and_load_nothing_from_outside(phone, server, artifacts):
    hosts = []
    phone.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    sign_in(phone, server, "zhao")
    open_reports(phone)
    for caption in CHARTS:
        figure = phone.locator("figure.chart").filter(has=phone.locator("figcaption", has_text=caption))
        expect(figure).to_be_visible()
        svg = figure.locator(":scope > svg")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, caption
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{caption} sticks out: {box}"
    expect(phone.locator("#compliance .chart-legend")).to_contain_text("运营部")
    ranking = phone.locator("#ranking-hygiene")
    expect(ranking.locator("caption")).to_have_text("办公卫生评分制度 · 本周排名")
    expect(ranking.locator("tr.best")).to_contain_text("客服部")
    assert page_width(phone) <= WIDTH
    phone.screenshot(path=str(artifacts / "reports-dashboard.png"), full_page=True)
    outside = sorted({host for host in hosts if host and host not in LOCAL_HOSTS})
    assert not outside, f"requests left the machine: {outside}"
    assert hosts, "no requests were recorded"


def test_weekly_ranking_flags_best_and_worst_with_reward_and_fine(phone, server, artifacts):
    sign_in(phone, server, "zhao")
    open_reports(phone)
    report_tab(phone, "评分排名")
    # The tab opens on the handbook's first score sheet (仓库管理制度); choose the hygiene one.
    phone.locator("select[name=policy]").select_option(label="办公卫生评分制度")
    phone.get_by_role("button", name="查看").click()
    expect(phone.locator("p.muted").first).to_contain_text("办公卫生评分制度 · 满分 100 分")
    weekly = phone.locator(".rank-table").filter(has=phone.locator("caption", has_text="周平均分排名"))
    expect(weekly).to_be_visible()
    best, worst = weekly.locator("tr.best"), weekly.locator("tr.worst")
    expect(best).to_have_count(1)
    expect(best).to_contain_text("客服部")
    expect(best).to_contain_text("最高")
    expect(best).to_contain_text("奖励价值 100 元")
    expect(best.locator("td.num").first).to_have_text("98")
    expect(worst).to_have_count(1)
    expect(worst).to_contain_text("仓储部")
    expect(worst).to_contain_text("最低")
    expect(worst).to_contain_text("罚款 100 元")
    expect(worst.locator("td.num").first).to_have_text("94")
    expect(weekly.locator("tr", has_text="运营部")).to_contain_text("未检查")
    daily = phone.locator(".rank-table").filter(has=phone.locator("caption", has_text="日排名"))
    expect(daily.locator("tr.best")).to_contain_text("客服部")
    expect(daily).not_to_contain_text("奖励价值")  # the reward and fine go with the weekly average only
    assert page_width(phone) <= WIDTH
    phone.screenshot(path=str(artifacts / "reports-rankings.png"), full_page=True)


def test_ledger_shows_the_month_flags_big_fines_links_records_and_exports(phone, server, artifacts, tmp_path):
    seeded = server.seeded
    sign_in(phone, server, "zhao")
    open_reports(phone)
    report_tab(phone, "罚款台账")
    if seeded.ledger_month != seeded.today.strftime("%Y-%m"):  # no Monday yet this month: last month's
        phone.get_by_label("月份").fill(seeded.ledger_month)
        phone.get_by_role("button", name="查看").click()
    expect(phone.locator("h2").first).to_have_text(f"罚款台账 {seeded.ledger_month}")
    in_month = [f for f in seeded.fines if f["day"].strftime("%Y-%m") == seeded.ledger_month]
    total, lines = sum(f["total"] for f in in_month), sum(f["lines"] for f in in_month)
    expect(phone.get_by_text(re.compile(r"本月罚款合计"))).to_have_text(
        f"本月罚款合计 {total:g} 元，{lines} 笔"
    )
    expect(phone.locator(".ledger-line")).to_have_count(lines)
    big = phone.locator(".ledger-line.needs-approval")
    expect(big).to_have_count(1)
    expect(big).to_contain_text("小赵")
    expect(big).to_contain_text("400 元")
    expect(big.locator(".flag-warn")).to_have_text("超过 300 元，须总经理批准")
    assert page_width(phone) <= WIDTH
    phone.screenshot(path=str(artifacts / "reports-ledger.png"), full_page=True)

    with phone.expect_download() as info:
        phone.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename == f"罚款台账-{seeded.ledger_month}.xlsx"
    saved = tmp_path / "ledger.xlsx"
    download.save_as(saved)
    book = load_workbook(saved, read_only=True)
    try:
        assert book.sheetnames[0].startswith("罚款明细"), book.sheetnames
        rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
        assert len(rows) == lines
    finally:
        book.close()

    big.get_by_role("link", name="检查记录").click()
    expect(phone.locator("h1")).to_contain_text("每日检查")
    expect(phone.locator(".item.result-fail", has_text="小赵")).to_contain_text("罚款 400 元")
    assert page_width(phone) <= WIDTH
    phone.screenshot(path=str(artifacts / "reports-ledger-record.png"), full_page=True)


def test_hygiene_inspector_scores_a_small_department(phone, server, artifacts):
    sign_in(phone, server, "li")
    card = phone.locator(".card").filter(has=phone.locator("h2", has_text="部门：运营部"))
    card.get_by_role("link", name="每日清单").click()
    expect(phone.locator("h1")).to_contain_text("每日检查")
    expect(phone.locator("h1")).to_contain_text("部门：运营部")
    expect(phone.locator(".sheet")).to_have_text("办公卫生评分制度：满分 100 分 · 五人以下部门（4 人）")
    items = phone.locator(".item")
    desk = items.filter(has_text="桌面无杂物")
    count = desk.get_by_label("次数（人·处）")
    expect(count).to_be_hidden()
    desk.get_by_role("radio", name="不合格", exact=True).click()
    expect(count).to_be_visible()
    desk.get_by_label("责任人").fill("小周")
    count.fill("2")
    for index in range(items.count()):
        item = items.nth(index)
        if "桌面无杂物" not in item.locator(".item-text").inner_text():
            item.get_by_role("radio", name="合格", exact=True).click()
    expect(phone.locator("#progress-text")).to_have_text(f"已完成 {items.count()} / {items.count()}")
    assert page_width(phone) <= WIDTH
    # The progress bar is sticky: scroll back up (and let it finish growing) so the full-page
    # screenshot shows it where it belongs rather than across an item in the middle.
    phone.evaluate("window.scrollTo(0, 0)")
    phone.wait_for_function(
        "() => { const bar = document.getElementById('progress-bar');"
        " return bar.offsetWidth >= bar.parentElement.clientWidth - 1; }"
    )
    phone.screenshot(path=str(artifacts / "reports-hygiene-checklist.png"), full_page=True)

    phone.get_by_role("button", name="提交清单").click()
    expect(phone.locator(".notice")).to_contain_text("已提交的清单不能修改")
    score = phone.locator(".policy-score")
    expect(score.locator("dt")).to_have_text("办公卫生评分制度")
    expect(score.locator("dd")).to_contain_text(re.compile(r"^94 / 100"))
    failed = phone.locator(".item.result-fail")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("桌面无杂物")
    expect(failed).to_contain_text("扣 6 分")
    expect(failed).to_contain_text("2 人·处")
    expect(failed).to_contain_text("责任人：小周")
    assert page_width(phone) <= WIDTH
    phone.screenshot(path=str(artifacts / "reports-hygiene-record.png"), full_page=True)


# --- phone polish: every department on the dashboard, warnings that look like warnings, empty pages -------

PROJECT = Path(__file__).resolve().parents[2]
# 鹰视未来 comes last in the real handbook's reference.yml: a chart of the first eight hid it.
WORST = "鹰视未来"


@pytest.fixture
def real_server(tmp_path, sample_site):
    """The real handbook (16 departments): every department's hygiene sheet twice a week for 4 weeks."""
    handbook_dir = tmp_path / "handbook"
    shutil.copytree(PROJECT / "handbook", handbook_dir)
    handbook = load_handbook(handbook_dir, today=TODAY)
    store = open_storage("tinydb", tmp_path / "data")
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    departments = [d.name for d in handbook.reference.departments]
    for weeks_back in range(4):
        for weekday in (0, 2):
            day = monday - dt.timedelta(weeks=weeks_back, days=-weekday)
            if day > TODAY:
                continue
            for index, name in enumerate(departments):
                # 0–4 failed items by department, 6 for the worst one every time
                failed = 6 if name == WORST else (index + weeks_back) % 5
                failures = {f"office-hygiene-{n:02d}": 1 for n in range(1, failed + 1)}
                complete(handbook, store, dept(name), failures, day, HYGIENE_INSPECTOR)
    store.users.put(make_user("zhao", PASSWORD, "owner", "人事专员", "赵经理"))
    app = AppServer(tmp_path, handbook_dir, sample_site)
    app.departments = departments
    yield app
    app.stop()


def test_dashboard_shows_every_department_and_draws_the_worst(phone, real_server, artifacts):
    departments = real_server.departments
    assert len(departments) == 16
    sign_in(phone, real_server, "zhao")
    open_reports(phone)
    compliance = phone.locator("#compliance")
    # The table beside the chart lists every department; the chart draws the eight lowest and says so.
    rows = compliance.locator("#compliance-all tbody th")
    expect(rows).to_have_count(16)
    assert sorted(rows.all_inner_texts()) == sorted(departments)
    legend = compliance.locator(".chart-legend li")
    expect(legend).to_have_count(8)
    expect(compliance.locator(".chart-legend")).to_contain_text(WORST)
    expect(compliance.locator(".chart-note")).to_have_text(re.compile(r"合格率最低的 8 个部门（共 16 个"))
    expect(compliance.locator(f"#compliance-all tr.drawn th:text-is('{WORST}')")).to_have_count(1)
    assert page_width(phone) <= WIDTH
    compliance.screenshot(path=str(artifacts / "phone-dashboard-departments.png"))
    phone.screenshot(path=str(artifacts / "phone-dashboard.png"), full_page=True)


def test_repeat_violation_is_a_warning_and_the_ledger_explains_its_units(phone, server, artifacts):
    sign_in(phone, server, "zhao")
    month = month_before(server.seeded.today, 2).strftime("%Y-%m")  # 小王: 3 in this month, 5 in the year
    phone.goto(server.url + f"/reports/ledger?month={month}")
    warning = phone.locator(".repeat-warning")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("小王")
    expect(warning).to_contain_text("调离岗位或开除")
    expect(warning).to_have_attribute("role", "alert")
    assert "flash" not in (warning.get_attribute("class") or "")
    background = warning.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(255, 235, 238)", f"not a warning colour: {background}"  # #ffebee, not green
    units = phone.locator("#ledger-units")
    expect(units).to_contain_text("1 笔 = 一份检查表里的一项罚款")
    expect(units).to_contain_text("次 = 违规次数")
    assert page_width(phone) <= WIDTH
    phone.screenshot(path=str(artifacts / "phone-ledger-repeat.png"), full_page=True)


def test_empty_report_pages_say_what_to_do_next(phone, server, artifacts):
    sign_in(phone, server, "zhao")
    phone.goto(server.url + "/reports/ledger?month=2026-01")
    empty = phone.locator("#ledger-empty")
    expect(empty).to_contain_text("本月没有罚款记录")
    expect(empty).to_contain_text("判为不合格并填写责任人后，罚款会记到这里")
    expect(phone.locator("#ledger-units")).to_have_count(0)
    phone.screenshot(path=str(artifacts / "phone-ledger-empty.png"), full_page=True)

    phone.goto(server.url + "/history?from=2025-01-01&to=2025-01-31")
    expect(phone.locator("#history-empty")).to_contain_text("提交后会出现在这里")

    phone.goto(server.url + "/reports/?date=2025-01-15")  # nothing stored that long ago
    for section, hint in (
        ("#compliance", "各部门的合格率"),
        ("#most-failed", "本月还没有不合格的检查项"),
        ("#fines", "判为不合格并填写责任人后"),
    ):
        box = phone.locator(f"{section} .chart-empty")
        expect(box).to_contain_text("暂无数据")
        expect(box).to_contain_text(hint)
    phone.screenshot(path=str(artifacts / "phone-dashboard-empty.png"), full_page=True)

    phone.goto(server.url + "/reports/")
    expect(phone.locator("#most-failed figcaption")).to_contain_text("次：本月有几份检查表把这一项判为不合格")
    phone.goto(server.url + "/reports/rankings")
    expect(phone.locator("#rank-explain")).to_contain_text("检查天数")
