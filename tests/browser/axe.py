"""Run axe-core (installed from the npm registry by the Makefile into .npm-tools/) in a Playwright page.

The app's Content-Security-Policy blocks the inline script that ``add_script_tag`` injects, so pages are
checked in a context opened with ``bypass_csp=True`` (the ``axe_phone`` fixture); CSP itself is tested
elsewhere, in contexts that keep it.
"""

from __future__ import annotations

import json
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
AXE_DIR = PROJECT / ".npm-tools" / "node_modules" / "axe-core"
AXE_JS = AXE_DIR / "axe.min.js"
BLOCKING = ("critical", "serious")


def installed_version() -> str:
    """The axe-core version in .npm-tools (the Makefile pins it); a clear error when it is missing."""
    if not AXE_JS.is_file():
        raise RuntimeError(
            f"axe-core not found at {AXE_JS.relative_to(PROJECT)}: run `make test` (it installs the pinned "
            "version with npm), or `make npm-tools`"
        )
    return json.loads((AXE_DIR / "package.json").read_text(encoding="utf-8"))["version"]


def run_axe(page) -> list[dict]:
    """All axe violations on ``page`` as it is now (each with ``id``, ``impact``, ``help`` and ``nodes``)."""
    installed_version()
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    """The violations that fail a page: impact critical or serious."""
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict], limit: int = 5) -> str:
    """A readable report: rule, impact, help text and the first few offending elements."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
        for node in v["nodes"][:limit]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """Fail with the whole list if axe finds any critical or serious violation on ``page``."""
    found = blocking(run_axe(page))
    assert not found, f"axe-core {installed_version()} on {name} ({page.url}):\n{describe(found)}"
