"""The strict site build: Chinese search that works, generated pages, no outside assets, atomic publish."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import pytest

from generator.publish import BuildFailed, publish

from ..conftest import HANDBOOKS, make_site_project
from .search_index import SearchIndex


@pytest.fixture(scope="module")
def index(sample_site):
    return SearchIndex(sample_site)


def test_search_separator_contains_zero_width_space(index):
    # Without U+200B each jieba-segmented phrase becomes one huge token and nothing is found.
    assert "\\u200b" in index.config["separator"]


def test_search_index_is_segmented_by_jieba(index):
    assert any("\u200b" in doc["text"] for doc in index.docs)


@pytest.mark.parametrize("term", ["请假", "罚款", "退款", "响应时间", "盘点", "迟到", "批评"])
def test_search_finds_every_page_containing_the_term(index, term):
    containing = index.pages_containing(term)
    assert containing, f"sample handbook has no page with {term}"
    assert index.pages_found(term) >= containing


def test_generated_role_and_overview_pages_are_built(sample_site):
    assert (sample_site / "岗位须知" / "售前客服" / "index.html").exists()
    overview = (sample_site / "检查项总览" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="weekly">每周检查' in overview
    assert '<a href="#weekly">每周检查</a>：4 项' in overview


def test_a_role_pages_contents_link_to_its_sections(sample_site):
    html = (sample_site / "岗位须知" / "售后客服" / "index.html").read_text(encoding="utf-8")
    for anchor in ("costliest", "policy-cs-service", "policy-leave"):
        assert f'href="#{anchor}"' in html
        assert f'<h2 id="{anchor}">' in html


def test_every_link_on_the_generated_pages_leads_to_its_page_and_anchor(sample_site):
    # Their link lists carry final URLs that MkDocs does not resolve: this test follows each one.
    pages = [*sample_site.glob("岗位须知/*/index.html"), sample_site / "检查项总览" / "index.html"]
    followed = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        article = html[html.index("<article") : html.index("</article>")]
        for href in re.findall(r'<a href="([^"]+)"', article):
            path, _, anchor = unescape(href).partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            target = target / "index.html" if target.is_dir() else target
            assert target.is_file(), f"{page}: {href}"
            if anchor:
                assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), f"{page}: {href}"
            followed += 1
    assert followed > 100


def test_readers_do_not_see_check_ids_on_policy_pages(sample_site, handbook):
    html = (sample_site / "20-客服" / "service" / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    text = re.sub(r"<[^>]+>", " ", article)
    checks = [k.id for p in handbook.policies if p.id == "cs-service" for k in p.checks]
    assert checks
    for check in checks:
        assert f'id="{check}"' in article  # still a permalink target
        assert check not in text


def test_the_404_page_is_the_handbooks_own_with_links_from_where_the_app_serves_it(sample_site):
    html = (sample_site / "404.html").read_text(encoding="utf-8")
    assert "<h1>找不到这个页面</h1>" in html
    assert 'action="/handbook/"' in html and 'href="/handbook/"' in html
    assert 'href="/handbook/assets/handbook.css"' in html


def test_policy_page_shows_owner_version_and_dates(sample_site):
    html = (sample_site / "20-客服" / "service" / "index.html").read_text(encoding="utf-8")
    for text in ("负责岗位", "客服主管", "版本", "2.0", "生效日期", "2026-03-01", "下次复审", "2099-06-30"):
        assert text in html


def test_every_clause_has_a_permalink(sample_site):
    html = (sample_site / "30-仓储物流" / "warehouse" / "index.html").read_text(encoding="utf-8")
    for anchor in ("wh-safety", "wh-lock", "wh-stocktake", "wh-flow"):
        assert f'id="{anchor}"' in html
        assert f'href="#{anchor}"' in html


def test_no_page_loads_anything_from_another_host(sample_site):
    for page in sample_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert external == [], f"{page}: {external}"


def test_chinese_interface(sample_site):
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh' in html  # zh or zh-CN
    assert "搜索" in html


def test_export_json_is_published_with_the_site(sample_site):
    assert '"cs-response-avg"' in (sample_site / "handbook.json").read_text(encoding="utf-8")


@pytest.fixture
def site_project(tmp_path):
    return make_site_project(tmp_path / "proj", HANDBOOKS / "good")


def test_publish_switches_site_to_the_new_build(site_project, monkeypatch):
    monkeypatch.chdir(site_project)
    publish("mkdocs.yml", site_project / "site")
    assert (site_project / "site").is_symlink()
    assert (site_project / "site" / "index.html").exists()


def test_failed_build_keeps_the_last_good_site(site_project, monkeypatch):
    monkeypatch.chdir(site_project)
    publish("mkdocs.yml", site_project / "site")
    good = (site_project / "site").resolve()
    policy = site_project / "handbook" / "20-客服" / "service.md"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("频率: 每日", "频率: 每天两次", 1), encoding="utf-8"
    )
    with pytest.raises(BuildFailed, match="每天两次") as info:
        publish("mkdocs.yml", site_project / "site")
    assert "service.md:" in str(info.value)
    assert (site_project / "site").resolve() == good
    assert (good / "index.html").exists()
    assert len(list((site_project / ".site-builds").iterdir())) == 1


def test_strict_build_fails_on_a_broken_handbook(tmp_path):
    from ..conftest import build_site

    project = make_site_project(tmp_path / "broken", HANDBOOKS / "broken")
    proc = build_site(project)
    assert proc.returncode != 0
    assert "c-checks.md:21" in proc.stdout + proc.stderr
