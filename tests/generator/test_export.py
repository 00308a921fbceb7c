"""The JSON export and the command line are stable interfaces for other tools and for owners."""

from __future__ import annotations

import json
import subprocess
import sys

from generator.export import to_dict

from ..conftest import PROJECT


def test_export_has_the_documented_shape(handbook):
    data = to_dict(handbook)
    assert data["schema_version"] == 1
    policy = data["policies"][1]
    for key in ("id", "title", "owner", "version", "effective", "review", "applies_to", "source", "clauses"):
        assert key in policy
    assert policy["effective"] == "2026-03-01"
    clause = policy["clauses"][0]
    for key in ("id", "title", "anchor", "url", "checks", "hash"):
        assert key in clause
    check = clause["checks"][0]
    assert check == {
        "id": "cs-response-avg",
        "text": "抽查前一日聊天记录，客服平均响应时间不超过50秒。",
        "frequency": {
            "kind": "daily",
            "label": "每日",
            "weekday": None,
            "day": None,
            "by": False,
            "workdays": False,
            "time": None,
            "event": None,
            "inferred": False,
            "weekdays": [],
            "times": [],
            "every": 1,
            "anchor": None,
            "nth": None,
            "holiday": None,
            "before": 0,
        },
        "roles": ["售前客服", "售后客服"],
        "checkers": ["客服主管"],
        "area": "客服后台",
        "points": None,
        "deduction": None,
        "fine": 50.0,
        "fine_rule": {
            "unit": "次",
            "period": None,
            "per_policy": False,
            "text": "50元",
            "tiers": [{"nth": 1, "amount": 50.0, "sanctions": [], "up_to": None}],
        },
        "sanctions": [],
        "reading": None,
        "rectify_days": None,
        "photo": None,
        "hash": check["hash"],
        "source": {"path": "tests/handbooks/good/20-客服/service.md", "line": 18},
    }


def test_weekday_and_event_details_are_exported(handbook):
    checks = {k["id"]: k for p in to_dict(handbook)["policies"] for c in p["clauses"] for k in c["checks"]}
    assert checks["wh-stocktake-weekly"]["frequency"]["weekday"] == "fri"
    assert checks["wh-promo-stock"]["frequency"]["kind"] == "event"
    assert checks["wh-promo-stock"]["frequency"]["event"] == "活动上线前"
    assert checks["cs-review-neutral"]["fine"] == 100


def test_export_is_byte_identical_across_loads(good_root):
    from generator import load_handbook
    from generator.export import to_json

    from ..conftest import TODAY

    first = to_json(load_handbook(good_root, today=TODAY))
    second = to_json(load_handbook(good_root, today=TODAY))
    assert first == second


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=PROJECT, capture_output=True, text=True
    )


def test_cli_export_writes_the_model_as_json():
    proc = _cli("export", "--json", "--root", "tests/handbooks/good")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [p["id"] for p in data["policies"]] == ["leave", "cs-service", "wh", "hygiene", "rewards"]


def test_cli_check_passes_a_good_handbook():
    proc = _cli("check", "--root", "tests/handbooks/good")
    assert proc.returncode == 0
    assert "检查通过" in proc.stderr


def test_cli_check_prints_path_line_message_and_exits_1():
    proc = _cli("check", "--root", "tests/handbooks/broken")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert "tests/handbooks/broken/c-checks.md:21: [错误] 频率 '每天两次' 无法识别" in proc.stdout
    assert lines == sorted(lines, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def test_cli_export_refuses_a_broken_handbook():
    proc = _cli("export", "--json", "--root", "tests/handbooks/broken")
    assert proc.returncode == 1
    assert proc.stdout == ""
