"""Explicit scope for new kinds of staff: a department lists the areas it works in, and 全体员工 checks
with an area reach only departments that have it; a new role that would inherit many is reported."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from checklist_app.generation import Target, daily_checklist
from generator import check_handbook, load_handbook
from generator.export import to_dict
from generator.pages import role_page
from generator.scope import INHERIT_THRESHOLD

from ..conftest import PROJECT, TODAY

STORE = """  - 名称: 门店
    人数: 5
    区域: [门店, 办公区]
"""
CLERK = """  - 名称: 店员
    部门: 门店
"""


@pytest.fixture
def root(tmp_path, good_root):
    copy = tmp_path / "handbook"
    shutil.copytree(good_root, copy)
    return copy


def _add_store(root, department: str = STORE, areas: str = "区域: [客服后台, 仓库, 办公区, 店铺首页, 门店]"):
    path = root / "reference.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("部门:\n", CLERK + "部门:\n" + department, 1)
    text = text.replace("区域: [客服后台, 仓库, 办公区, 店铺首页]", areas)
    path.write_text(text, encoding="utf-8")


def _all_staff_checks(root, n: int, area: str | None = "办公区"):
    """A policy with ``n`` daily checks for 全体员工 in ``area`` (None: no area)."""
    where = f"区域: {area}\n" if area else ""
    blocks = "\n".join(
        f"/// 检查 | ex-office-{i}\n第{i}项整洁。\n频率: 每日\n对象: 全体员工\n{where}///\n" for i in range(n)
    )
    (root / "office.md").write_text(
        '---\nid: ex-office\ntitle: 办公区细则\nowner: 行政专员\nversion: "1"\neffective: 2026-01-01\n'
        f"review: 2099-01-01\napplies_to: [全体员工]\n---\n\n## 第一条 整洁 {{#ex-office-clean}}\n\n{blocks}",
        encoding="utf-8",
    )


def test_a_department_lists_the_areas_it_works_in(root):
    _add_store(root)
    handbook = load_handbook(root, today=TODAY)
    assert handbook.department("门店").areas == ("门店", "办公区")
    assert handbook.department("客服部").areas is None  # not declared: every area, as before
    exported = {d["name"]: d["areas"] for d in to_dict(handbook)["reference"]["departments"]}
    assert exported["门店"] == ["门店", "办公区"] and exported["客服部"] is None


def test_an_area_the_reference_does_not_declare_is_an_error_at_its_line(root):
    _add_store(root, areas="区域: [客服后台, 仓库, 办公区, 店铺首页]")  # 门店 not declared as an area
    text = (root / "reference.yml").read_text(encoding="utf-8")
    (problem,) = [p for p in check_handbook(root, today=TODAY) if p.is_error]
    assert problem.code == "reference-unknown-area" and problem.path.endswith("reference.yml")
    assert problem.line == text.splitlines().index("    区域: [门店, 办公区]") + 1
    assert "部门 门店 的区域 '门店' 不在 reference.yml 的区域列表中" in problem.message


def test_all_staff_checks_reach_a_department_only_in_its_areas(root):
    _add_store(root, STORE.replace("[门店, 办公区]", "[门店]"))
    _all_staff_checks(root, 1, area=None)
    handbook = load_handbook(root, today=TODAY)
    day = dt.date(2026, 11, 23)
    clerk = {i.check_id for i in daily_checklist(handbook, day, Target("role", "店员")).items}
    service = {i.check_id for i in daily_checklist(handbook, day, Target("role", "售前客服")).items}
    store = {i.check_id for i in daily_checklist(handbook, day, Target("department", "门店")).items}
    office = {k.id for k in handbook.checks if "全体员工" in k.roles and k.area == "办公区"}
    no_area = {
        k.id
        for k in handbook.checks
        if "全体员工" in k.roles and k.area is None and k.frequency.kind == "daily"
    }
    assert office and no_area
    assert office <= service and not office & clerk and not office & store  # 门店 has no 办公区
    assert no_area <= clerk and no_area <= store  # a check without an area still reaches everyone
    # The role page counts the same checks: no 办公区 hygiene checks for the clerk, all of them for 售前客服.
    reached = sum(1 for k in handbook.checks if "全体员工" in k.roles and k.area in (None, "门店"))
    assert f"与本岗位有关的检查项 **{reached}** 项" in role_page(handbook, "店员")
    assert "办公卫生评分制度" in role_page(handbook, "店员")  # the policy itself still applies to all
    hygiene = "/hygiene/#hy-sheet\t第二条 检查项目\t：检查"  # the clause with checks for the role
    assert hygiene in role_page(handbook, "售前客服") and hygiene not in role_page(handbook, "店员")


def _publish(root, handbook):
    (root.parent / "handbook.json").write_text(json.dumps(to_dict(handbook), ensure_ascii=False), "utf-8")


def test_a_new_role_that_would_inherit_many_all_staff_checks_is_reported(root):
    _all_staff_checks(root, INHERIT_THRESHOLD)
    _publish(root, load_handbook(root, today=TODAY))  # the release before 店员 was added
    _add_store(root, STORE.replace("    区域: [门店, 办公区]\n", ""))
    warnings = [p for p in check_handbook(root, today=TODAY) if p.code == "role-inherits-many"]
    (warning,) = warnings  # only the new role; 售前客服 was published with the same checks
    text = (root / "reference.yml").read_text(encoding="utf-8")
    assert not warning.is_error and warning.path.endswith("reference.yml")
    assert warning.line == text.splitlines().index("  - 名称: 店员") + 1
    # the 30 new checks, the sample's 4 hygiene and 1 clock-in checks (办公区) and 1 without an area
    assert f"新岗位 店员 通过“全体员工”会得到 {INHERIT_THRESHOLD + 6} 个检查项" in warning.message
    assert "办公区 35 项、不限区域 1 项" in warning.message
    assert "在 reference.yml 的部门 门店 下写 区域: [...]" in warning.hint


def test_no_warning_once_the_department_says_where_it_works(root):
    _all_staff_checks(root, INHERIT_THRESHOLD)
    _publish(root, load_handbook(root, today=TODAY))
    _add_store(root)  # 门店 lists its areas (and works in the office too): the owner decided
    assert [p for p in check_handbook(root, today=TODAY) if p.code == "role-inherits-many"] == []


def test_no_warning_before_anything_was_published(root):
    _all_staff_checks(root, INHERIT_THRESHOLD)
    _add_store(root, STORE.replace("    区域: [门店, 办公区]\n", ""))
    assert [p for p in check_handbook(root, today=TODAY) if p.code == "role-inherits-many"] == []


def test_the_real_handbook_warns_about_no_role():
    assert [
        p for p in check_handbook(PROJECT / "handbook", today=TODAY) if p.code == "role-inherits-many"
    ] == []
