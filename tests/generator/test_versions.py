"""Versions that cannot be forgotten: make check compares the draft with the current release."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator import load_handbook
from generator.versions import is_higher, next_version, set_version, version_key

from ..conftest import PROJECT, TODAY


@pytest.mark.parametrize(
    ("old", "new"), [("2.0", "2.1"), ("1.9", "1.10"), ("3", "4"), ("1.0.3", "1.0.4"), ("2.0-草案", "2.1")]
)
def test_the_next_version_is_the_last_number_plus_one(old, new):
    assert next_version(old) == new
    assert is_higher(new, old)


def test_versions_compare_as_numbers():
    assert version_key("2.10") > version_key("2.9") > version_key("2.0") > version_key("1.99")
    assert not is_higher("2.0", "2.0")


def release_of(root, number=3) -> dict:
    """A releases folder's current release.json for ``root`` as the app writes it."""
    model = load_handbook(root, today=TODAY)
    policies = [{"id": p.id, "version": p.version, "content": p.content_hash} for p in model.policies]
    return {"number": number, "policies": policies}


@pytest.fixture
def releases(tmp_path, handbook_copy):
    folder = tmp_path / "releases"
    (folder / "3").mkdir(parents=True)
    (folder / "3" / "release.json").write_text(json.dumps(release_of(handbook_copy)), encoding="utf-8")
    (folder / "current").write_text(json.dumps({"number": 3}), encoding="utf-8")
    return folder


def check(root, releases):
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", "--root", str(root), "--published", str(releases)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )


def test_make_check_names_the_version_line_and_the_next_version(handbook_copy, releases):
    assert check(handbook_copy, releases).returncode == 0
    path = handbook_copy / "20-客服" / "service.md"
    path.write_text(path.read_text(encoding="utf-8").replace("不超过50秒", "不超过45秒"), encoding="utf-8")
    proc = check(handbook_copy, releases)
    assert proc.returncode == 1
    assert (
        "20-客服/service.md:5: [错误] 制度 cs-service 的内容自第 3 版发布后有修改，但 version 仍是 2.0；"
        '请把这一行改为 version: "2.1"'
    ) in proc.stdout
    # The fix as offered, written into the file: the check passes again.
    assert set_version(path, 5, "2.1")
    assert 'version: "2.1"\n' in path.read_text(encoding="utf-8")
    assert check(handbook_copy, releases).returncode == 0


def test_without_a_release_there_is_nothing_to_compare(handbook_copy, tmp_path):
    path = handbook_copy / "20-客服" / "service.md"
    path.write_text(path.read_text(encoding="utf-8").replace("不超过50秒", "不超过45秒"), encoding="utf-8")
    assert check(handbook_copy, tmp_path / "no-releases").returncode == 0


def test_set_version_changes_nothing_when_the_line_is_not_the_version(handbook_copy):
    path = handbook_copy / "20-客服" / "service.md"
    before = path.read_bytes()
    assert not set_version(path, 4, "9.9")
    assert path.read_bytes() == before
