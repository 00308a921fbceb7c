"""Command line: ``python -m generator check | export --json | build``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .export import to_json
from .loader import HandbookLoader
from .versions import current_release, version_problems


def _check(args: argparse.Namespace) -> int:
    result = HandbookLoader(args.root).load()
    problems = list(result.problems)
    if result.handbook is not None and args.published:
        # A policy changed since the current release needs a higher version (generator/versions.py).
        problems = sorted(problems + version_problems(result.handbook, current_release(args.published)))
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if errors:
        print(f"\n发现 {errors} 个错误、{warnings} 个提醒：请按提示修改后再发布。", file=sys.stderr)
        return 1
    handbook = result.handbook
    print(
        f"检查通过：{len(handbook.policies)} 项制度，{len(handbook.clauses)} 个条款，"
        f"{len(handbook.checks)} 个检查项，{warnings} 个提醒。",
        file=sys.stderr,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    result = HandbookLoader(args.root).load()
    if result.handbook is None:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        return 1
    text = to_json(result.handbook)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .diff import clause_changes, item_changes, report
    from .versions import current_release_dir

    result = HandbookLoader(args.root).load()
    if result.handbook is None:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        return 1
    old_root = Path(args.against) if args.against else current_release_dir(args.published)
    old = HandbookLoader(old_root).load().handbook if old_root is not None else None
    if old_root is not None and old is None:
        print(f"{old_root} 无法读取，无法比较。", file=sys.stderr)
        return 1
    clauses = clause_changes(old, old_root, result.handbook, Path(args.root))
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    sys.stdout.write(report(clauses, item_changes(old, result.handbook, today)))
    return 0


def _build(args: argparse.Namespace) -> int:
    from .publish import BuildFailed, publish

    try:
        target = publish(args.config, Path(args.site_dir))
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"手册已发布到 {args.site_dir}/ （{target.name}）", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = argparse.ArgumentParser(prog="python -m generator", description="制度手册：检查、导出、发布")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the handbook; exit 1 on errors")
    check.add_argument("--root", default="handbook")
    check.add_argument(
        "--published",
        default="instance/releases",
        help="the app's releases folder: a policy changed since the current release needs a new version",
    )
    check.set_defaults(func=_check)
    export = sub.add_parser("export", help="write the whole model as JSON")
    export.add_argument("--json", action="store_true", required=True, help="JSON format (the only one)")
    export.add_argument("--root", default="handbook")
    export.add_argument("-o", "--output", help="file to write (default: stdout)")
    export.set_defaults(func=_export)
    diff = sub.add_parser("diff", help="what the draft changes against the current release")
    diff.add_argument("--root", default="handbook")
    diff.add_argument("--published", default="instance/releases", help="the app's releases folder")
    diff.add_argument("--against", help="another handbook folder to compare with (instead of the release)")
    diff.add_argument("--today", help="the day changes are compared from (default: today)")
    diff.set_defaults(func=_diff)
    build = sub.add_parser("build", help="strict site build, published atomically")
    build.add_argument("--config", default="mkdocs.yml")
    build.add_argument("--site-dir", default="site")
    build.set_defaults(func=_build)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
