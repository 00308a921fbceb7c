"""The MkDocs adapter: validate with the generator, add generated pages, annotate policy pages.

All policy logic lives in the rest of ``generator``; this module is the only one
that imports MkDocs, so moving to another site builder replaces only this file.

Every text that reaches the navigation is escaped here. MkDocs' themes render ``page.title``,
``page.meta.title`` and section titles without escaping (their Jinja environment does not
autoescape), so a policy ``title: <script>…</script>`` or a folder named ``<img onerror=…>``
would otherwise be live HTML in the menu of every page of the site.
"""

from __future__ import annotations

import json
import re
from html import escape, unescape
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section

from . import problems as P
from .export import to_dict
from .loader import HandbookLoader
from .pages import OVERVIEW_PAGE, ROLES_DIR, generated_pages
from .precompress import compress_site
from .render import escape_markdown, policy_meta_html
from .search_shaping import shape_index, terms_only_inside_words
from .search_synonyms import FILENAME as SYNONYMS_FILE
from .search_synonyms import load_synonyms, words_by_term

log = get_plugin_logger(__name__)
_PREFIX_RE = re.compile(r"^\d+[\s_-]+")
_STARTS_WITH_H1 = re.compile(r"\s*<h1[\s>]")


class HandbookConfig(base.Config):
    export = c.Type(str, default="handbook.json")
    # Where the app serves the site (checklist_app/handbook_site.py): the 404 page's links start here.
    served_at = c.Type(str, default="/handbook/")


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Fail the build on any handbook error and publish what the generator derives."""

    def on_config(self, config):
        # One loader per run; `mkdocs serve` rebuilds re-parse only changed files.
        self.loader = HandbookLoader(config.docs_dir)
        return config

    def on_pre_build(self, *, config) -> None:
        result = self.loader.load()
        for problem in result.problems:
            # Warnings (a review date passed) must not fail a strict build: log as info.
            (log.error if problem.is_error else log.info)(str(problem))
        if result.handbook is None:
            raise PluginError(
                f"制度手册有 {len(result.errors)} 个错误（见上），未发布。请先运行 make check 并按提示修改。"
            )
        self.handbook = result.handbook
        self.by_path = {p.rel_path: p for p in self.handbook.policies}
        self.summary_pages: set[str] = set()  # pages that are not policies: demoted in search

    def on_files(self, files: Files, /, *, config) -> Files:
        # A release's build writes them into its docs folder (generator/publish.py: prepare_docs),
        # so that they do not depend on this plugin; a preview build gets them from here.
        for path, content in generated_pages(self.handbook).items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=content))
        return files

    def on_nav(self, nav: Navigation, /, *, config, files) -> Navigation:
        # Folders may carry an ordering prefix ("10-客服"); readers should not see it.
        for item in nav.items:
            if isinstance(item, Section):
                item.title = _PREFIX_RE.sub("", item.title)
        _escape_section_titles(nav.items)
        # Role pages and the overview are what a new hire needs first: put them after home.
        first = [i for i in nav.items if _is_generated(i)]
        rest = [i for i in nav.items if not _is_generated(i)]
        nav.items[:] = rest[:1] + first + rest[1:]
        return nav

    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        # Front-matter text (title, description, subtitle …) is plain text: the theme prints it raw.
        for key, value in page.meta.items():
            if isinstance(value, str):
                page.meta[key] = escape(value)
            elif isinstance(value, list):
                page.meta[key] = [escape(v) if isinstance(v, str) else v for v in value]
        policy = self.by_path.get(page.file.src_uri)
        if policy is None:
            self.summary_pages.add(page.url)
            return markdown
        if re.match(r"\s*# [^\n]*\n", markdown):
            return markdown
        return f"# {escape_markdown(policy.title)}\n\n{markdown}"

    def on_page_content(self, html: str, /, *, page, config, files) -> str:
        if "title" not in page.meta:
            # MkDocs took the title from the first <h1> (HTML: normalise it) or the file name (text).
            title = page.title or ""
            safe = escape(unescape(title)) if _STARTS_WITH_H1.match(html) else escape(title)
            if page.is_homepage:
                page.title = safe
            else:
                # As page.meta.title it is printed as is; material's <title> would otherwise pass
                # page.title through `striptags`, which turns &lt; back into <.
                page.meta["title"] = safe
        policy = self.by_path.get(page.file.src_uri)
        if policy is not None:
            # The information box, under the title. Added to the HTML, not the Markdown: as a raw
            # HTML block, MkDocs and Python-Markdown would each parse it again (html.parser).
            # It only repeats front matter: kept out of the search index (material's search skips
            # an element with data-search-exclude and strips the attribute from the page).
            meta = policy_meta_html(policy).replace("<dl ", '<dl data-search-exclude="meta" ', 1)
            html = html.replace("</h1>", f"</h1>\n{meta}", 1)
        return html

    def on_template_context(self, context, /, *, template_name, config):
        # The 404 page is served at any depth, so MkDocs gives it absolute links, from "/" when
        # site_url is unset; the app serves the site under `served_at`.
        if template_name == "404.html" and not config.site_url:
            context["base_url"] = self.config.served_at.rstrip("/")
        return context

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, *, config) -> None:
        if self.config.export:
            # Compact: json's C encoder (indent= falls back to pure Python: 6x slower at 500
            # policies) and less than half the bytes; `make export` still writes it indented.
            compact = json.dumps(to_dict(self.handbook), ensure_ascii=False, separators=(",", ":"))
            Path(config.site_dir, self.config.export).write_text(compact, encoding="utf-8")
        synonyms, _ = load_synonyms(Path(config.docs_dir))  # its problems were reported in on_pre_build
        data = _rewrite_search_index(
            Path(config.site_dir, "search", "search_index.json"), words_by_term(synonyms), self.summary_pages
        )
        # Only the index knows jieba's words: a term found only inside a longer one is a warning.
        inside = terms_only_inside_words(data, {s.term for s in synonyms})
        for s in synonyms:
            if s.term in inside:
                shown = f"{self.loader.display}/{SYNONYMS_FILE}"
                log.info(str(P.synonym_term_inside_word(shown, s.line, s.term, inside.pop(s.term))))
        # Inside the build folder, so published with it (generator/publish.py switches `site` after).
        # Copies of unchanged files come from the last build's (see generator/precompress.py).
        compress_site(Path(config.site_dir), cache=_cache_dir(config))


def _rewrite_search_index(path: Path, words: dict[str, tuple[str, ...]], summary_pages: set[str]) -> dict:
    """Shape the index (synonyms, summaries demoted) and write it as UTF-8 instead of \\uXXXX
    escapes: each Han character and each U+200B jieba separator costs 3 bytes instead of 6."""
    if path.is_file():
        data = shape_index(json.loads(path.read_text(encoding="utf-8")), words, summary_pages)
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        return data
    return {}


def _escape_section_titles(items) -> None:
    for item in items:
        if isinstance(item, Section):
            item.title = escape(item.title)
            _escape_section_titles(item.children)


def _is_generated(item) -> bool:
    if isinstance(item, Section):
        return item.title == ROLES_DIR
    return getattr(getattr(item, "file", None), "src_uri", None) == OVERVIEW_PAGE


def _cache_dir(config) -> Path | None:
    """The project's compression cache, beside mkdocs.yml (kept out of git)."""
    if not config.config_file_path:
        return None
    return Path(config.config_file_path).parent / ".cache" / "precompressed"
