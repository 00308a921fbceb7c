"""Command line: ``python -m generator check | export --json | build``."""

from __future__ import annotations

import argparse
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
    build = sub.add_parser("build", help="strict site build, published atomically")
    build.add_argument("--config", default="mkdocs.yml")
    build.add_argument("--site-dir", default="site")
    build.set_defaults(func=_build)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
