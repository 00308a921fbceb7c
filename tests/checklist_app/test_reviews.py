"""Review dates have an owner: passed or within 30 days, listed for the owner role on Today and 制度状态."""

from __future__ import annotations

from .conftest import publish
from .test_publishing import SERVICE, text_of


def set_review(handbook_dir, rel, old, new):
    path = handbook_dir / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace(f"review: {old}", f"review: {new}"), encoding="utf-8"
    )


def test_reviews_due_are_listed_for_their_owner_role_and_on_the_status_page(app, client, auth, handbook_dir):
    set_review(handbook_dir, SERVICE, "2099-06-30", "2026-12-10")  # in 17 days; owner 客服主管
    publish(app, quick=True)
    auth.login("zhang")  # 客服主管
    today = text_of(client, "/")
    assert "你负责复审的制度（1 项）" in today
    assert 'data-policy="cs-service"' in today and "2026-12-10（还有 17 天）" in today
    auth.login("wang")  # 仓储主管: not theirs
    assert "你负责复审的制度" not in text_of(client, "/")
    auth.login("zhao")  # an owner: 制度状态, the first page of 管理
    assert client.get("/admin/").headers["Location"].endswith("/admin/handbook")
    status = text_of(client, "/admin/handbook")
    assert "需要复审的制度（1 项" in status and "负责岗位：客服主管" in status


def test_a_passed_review_date_is_overdue_and_one_beyond_30_days_is_not_listed(
    app, client, auth, handbook_dir
):
    set_review(handbook_dir, SERVICE, "2099-06-30", "2026-11-01")
    publish(app, quick=True)
    auth.login("zhang")
    assert "2026-11-01 已过 22 天" in text_of(client, "/")
    set_review(handbook_dir, SERVICE, "2026-11-01", "2026-12-24")  # 31 days
    publish(app, quick=True)
    assert "你负责复审的制度" not in text_of(client, "/")
