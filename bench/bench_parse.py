"""Benchmark: parse a synthetic handbook (500 policies, 5,000 checks) and build its site.

Prints medians and ratios against baselines measured in the same run:
- full parse vs re-parse after one file changed (the app re-loads on every request);
- strict MkDocs build with the handbook plugin vs the same docs without it: wall time (the builds
  interleaved), the plugin's first build (its compression cache empty, every file compressed), and
  CPU time, which other work on a shared machine does not inflate.

    .venv/bin/python bench/bench_parse.py [--policies 500] [--checks-per-policy 10] [--builds 3] [--profile N]

``--profile N`` also runs one build with the plugin under cProfile and prints its N most expensive
functions (cumulative); the compression threads do not show in it, only the wait for them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import HandbookLoader  # noqa: E402

FREQUENCIES = ["每日", "每周五", "每月10日前", "每季度", "每班次", "活动上线前", "每周一 08:00", "每个工作日"]
ROLES = ["售前客服", "售后客服", "仓库管理员", "运营专员", "全体员工"]


def policy_text(n: int, checks: int) -> str:
    """One synthetic policy with ``checks`` check items spread over clauses."""
    lines = [
        "---",
        f"id: p{n}",
        f"title: 第{n}号制度",
        "owner: 客服主管",
        'version: "1.0"',
        "effective: 2026-01-01",
        "review: 2099-01-01",
        f"applies_to: [{ROLES[n % len(ROLES)]}]",
        "---",
        "",
    ]
    for c in range(checks // 2):
        lines += [
            f"## 第{c + 1}条 规定{c} {{#p{n}-c{c}}}",
            "",
            "客服在线期间，买家咨询的平均响应时间不得超过50秒，违者罚款五十元并通报批评。",
            "",
        ]
        for k in range(2):
            lines += [
                f"/// 检查 | p{n}-c{c}-k{k}",
                f"第{c}条第{k}项：按规定完成并留有记录。",
                f"频率: {FREQUENCIES[(n + c + k) % len(FREQUENCIES)]}",
                f"对象: {ROLES[(c + k) % len(ROLES)]}",
                "区域: 办公区",
                "罚款: 50元",
                "///",
                "",
            ]
    return "\n".join(lines)


def make_handbook(root: Path, policies: int, checks: int) -> None:
    """Write the synthetic handbook with the project's reference data."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "handbook" / "reference.yml", root / "reference.yml")
    shutil.copytree(ROOT / "handbook" / "assets", root / "assets")
    shutil.copy(ROOT / "handbook" / "search_dict.txt", root / "search_dict.txt")
    (root / "index.md").write_text("# 基准手册\n", encoding="utf-8")
    for n in range(policies):
        folder = root / f"section{n // 50:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"p{n}.md").write_text(policy_text(n, checks), encoding="utf-8")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_it(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def bench_parse(root: Path, repeat: int) -> None:
    full = time_it(lambda: HandbookLoader(root).load(), repeat)
    loader = HandbookLoader(root)
    result = loader.load()
    assert result.handbook is not None, result.errors[:5]
    target = next(root.glob("section00/p0.md"))
    counter = [0]

    def edit_and_reload():
        counter[0] += 1
        target.write_text(policy_text(0, 10).replace("50秒", f"{50 + counter[0]}秒"), encoding="utf-8")
        res = loader.load()
        assert res.reparsed == 1

    def reload_unchanged():
        assert loader.load().reparsed == 0

    one = time_it(edit_and_reload, repeat * 4)
    none = time_it(reload_unchanged, repeat * 4)
    hb = result.handbook
    print(f"handbook: {len(hb.policies)} policies, {len(hb.clauses)} clauses, {len(hb.checks)} checks")
    print(f"full parse + validate           median {median_ms(full):8.1f} ms  (n={len(full)})")
    print(
        f"re-parse after one file changed median {median_ms(one):8.1f} ms  (n={len(one)})"
        f"  ratio {median_ms(one) / median_ms(full):.3f} of full"
    )
    print(
        f"re-load with nothing changed    median {median_ms(none):8.1f} ms  (n={len(none)})"
        f"  ratio {median_ms(none) / median_ms(full):.3f} of full"
    )


def bench_build(workdir: Path, builds: int) -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    plain = config.replace("  - handbook\n", "").replace("  - generator.markdown_ext\n", "")
    assert plain != config
    (workdir / "with.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "overrides", workdir / "overrides", dirs_exist_ok=True)  # theme custom_dir
    (workdir / "without.yml").write_text(plain, encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")

    cpu: dict[str, list[float]] = {"without.yml": [], "with.yml": []}

    def build(cfg: str):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "-q",
                "-f",
                cfg,
                "-d",
                str(workdir / f"site-{cfg}"),
            ],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[cfg].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)

    without, with_plugin = [], []
    for _ in range(builds):  # interleaved so machine noise hits both alike
        without += time_it(lambda: build("without.yml"), 1)
        with_plugin += time_it(lambda: build("with.yml"), 1)
    if not builds:
        return
    base, ours = statistics.median(without), statistics.median(with_plugin)
    print(f"strict build without plugin     median {base:8.2f} s   (n={builds})")
    print(f"strict build with plugin        median {ours:8.2f} s   (n={builds})  ratio {ours / base:.2f}x")
    print(
        f"  its first build (empty .cache/precompressed) {with_plugin[0]:.2f} s"
        f"  ratio {with_plugin[0] / base:.2f}x"
    )
    # CPU seconds of the build process: what the build costs, whatever else the machine runs.
    base_cpu, ours_cpu = statistics.median(cpu["without.yml"]), statistics.median(cpu["with.yml"])
    print(f"  CPU time without plugin       median {base_cpu:8.2f} s")
    print(f"  CPU time with plugin          median {ours_cpu:8.2f} s   ratio {ours_cpu / base_cpu:.2f}x")


def profile_build(workdir: Path, top: int) -> None:
    """One strict build with the plugin under cProfile; print the most expensive calls."""
    import pstats

    out = workdir / "build.prof"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "--strict", "-q"]
    command += ["-f", "with.yml", "-d", str(workdir / "site-profile")]
    proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    pstats.Stats(str(out)).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=500)
    parser.add_argument("--checks-per-policy", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--builds", type=int, default=3, help="site builds per variant (0 skips)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile one plugin build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        make_handbook(workdir / "handbook", args.policies, args.checks_per_policy)
        bench_parse(workdir / "handbook", args.repeat)
        if args.builds or args.profile:
            bench_build(workdir, args.builds)
        if args.profile:
            profile_build(workdir, args.profile)


if __name__ == "__main__":
    main()
