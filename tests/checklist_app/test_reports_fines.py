"""The ledger page shows each escalating fine's tier, sanctions without an amount, and the criticism flag."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target

from ..conftest import make_site_project
from .conftest import CS_LEAD, complete
from .reporting.test_ledger_tiers import FINES


@pytest.fixture
def handbook_dir(tmp_path, good_root):
    root = make_site_project(tmp_path / "project", good_root) / "handbook"
    (root / "20-客服" / "fines.md").write_text(FINES, encoding="utf-8")
    rewards = root / "50-奖惩" / "rewards.md"
    text = rewards.read_text(encoding="utf-8")
    rewards.write_text(
        text.replace("  repeat_limit: 3\n", "  repeat_limit: 3\n  criticism_limit: 3\n"), "utf-8"
    )
    return root


def test_the_ledger_page_shows_tiers_sanctions_and_the_criticism_limit(app, client, auth):
    with app.app_context():
        handbook, store = current_handbook(), storage()
        for day, failures in (
            (dt.date(2026, 11, 2), {"fx-late": (1, "小李"), "fx-meeting": (1, "小李")}),
            (dt.date(2026, 11, 3), {"fx-late": (1, "小李"), "fx-meeting": (1, "小李")}),
            (dt.date(2026, 11, 4), {"fx-warning": (1, "小李"), "fx-meeting": (1, "小李")}),
        ):
            complete(handbook, store, Target("role", "售前客服"), failures, day, CS_LEAD)
    auth.login("zhao")
    page = client.get("/reports/ledger?month=2026-11").get_data(as_text=True)
    assert '<span class="badge tier">第1次</span>' in page and '<span class="badge tier">第2次</span>' in page
    assert page.count("处分：通报批评") == 3 and "处分：警告" in page
    assert "全年累计通报批评达到 3 次：按制度调离岗位或开除" in page
    assert "本月罚款合计 300 元" in page  # 50 + 100 for 交接, 3 × 50 for the meetings, 0 for the 警告
