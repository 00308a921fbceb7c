"""The README documents what the code offers."""

from __future__ import annotations

import re

from checklist_app.config import SETTINGS

from .conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for setting in SETTINGS:
        assert f"`{setting.name}`" in README, setting.name


def test_every_make_target_in_the_readme_exists():
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    for target in set(re.findall(r"`make (\w+)`", README)):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_ci_runs_exactly_the_readme_test_command():
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README
    assert ci.strip().splitlines()[-1] == "make test"
