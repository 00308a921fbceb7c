"""The site build does not depend on plugin events: generated pages are files the publish step writes.

Zensical (mkdocs-material's successor) silently skips MkDocs plugins it does not know. If the role
pages and the overview existed only as the plugin's ``on_files`` additions, moving builders would
drop them without a word; so the publish step writes them as plain Markdown (``prepare_docs``) and
this test builds that folder with our plugin switched off.
"""

from __future__ import annotations

import shutil

from generator.pages import OVERVIEW_PAGE, role_page_path
from generator.publish import prepare_docs, write_export

from ..conftest import HANDBOOKS, PROJECT, build_site, make_site_project


def test_a_build_without_the_plugin_still_has_the_generated_pages(tmp_path):
    draft = make_site_project(tmp_path / "draft", HANDBOOKS / "good") / "handbook"
    project = tmp_path / "project"
    project.mkdir()
    model = prepare_docs(draft, project / "handbook")
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - handbook\n" in config
    (project / "mkdocs.yml").write_text(config.replace("\n  - handbook\n", "\n"), encoding="utf-8")
    shutil.copytree(PROJECT / "overrides", project / "overrides")
    proc = build_site(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = project / "site"
    write_export(site, model)
    role = (site / role_page_path("售前客服").removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert "售前客服" in role and 'href="../../20-%E5%AE%A2%E6%9C%8D/service/#cs-response' in role
    overview = (site / OVERVIEW_PAGE.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert 'id="daily"' in overview
    assert (site / "handbook.json").is_file()  # the export is a step of the publish too


def test_the_release_sources_stay_as_owners_wrote_them(tmp_path):
    draft = make_site_project(tmp_path / "draft", HANDBOOKS / "good") / "handbook"
    before = sorted(p.relative_to(draft) for p in draft.rglob("*"))
    prepare_docs(draft, tmp_path / "docs")
    assert sorted(p.relative_to(draft) for p in draft.rglob("*")) == before
    assert (tmp_path / "docs" / OVERVIEW_PAGE).is_file()
