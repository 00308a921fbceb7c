"""A newly started worker loads compiled templates from disk instead of compiling them again."""

from __future__ import annotations

from jinja2 import Environment

from .conftest import make_test_app


def test_templates_compiled_by_one_app_are_loaded_by_the_next(
    app, tmp_path, handbook_dir, sample_site, clock, monkeypatch
):
    first = app.test_client().get("/login")
    folder = tmp_path / "cache" / "templates"  # beside DATA_DIR
    assert first.status_code == 200 and any(folder.iterdir())
    compiled = []
    original = Environment.compile
    monkeypatch.setattr(
        Environment, "compile", lambda self, *a, **k: compiled.append(a) or original(self, *a, **k)
    )
    again = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock).test_client().get("/login")
    assert again.status_code == 200
    assert compiled == []  # every template of the page came from the cache
    assert again.data.count(b"<form") == first.data.count(b"<form")
