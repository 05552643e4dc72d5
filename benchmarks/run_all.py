"""Run every benchmark in benchmarks/ with its documented default arguments (``make bench``).

Run from the repository root::

    .venv/bin/python benchmarks/run_all.py            # full run; rewrites docs/benchmarks/*.md
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a smoke test; docs untouched
    .venv/bin/python benchmarks/run_all.py --only vrptw,plan

Each benchmark runs in its own process, one after another (they time
themselves, so they must not compete for the cores).  In a full run:

* ``bench_load.py`` rewrites ``docs/benchmarks/load.md``;
* ``bench_rank.py --scale`` rewrites ``docs/benchmarks/rank.md`` (2 M calls against the naive
  pipeline in two formats, then the whole command at 12 M calls);
* ``bench_vrptw.py`` rewrites the generated block of ``docs/benchmarks/vrptw.md``
  (every shared Solomon instance, and PyVRP beside it when installed);
* ``bench_plan.py`` prints its table; this script puts it in the generated
  block of ``docs/benchmarks/plan.md``;
* ``bench_replan.py`` (``plan --previous`` after one exclusion and one lock
  against the full plan, in one run) likewise, in its own block of
  ``docs/benchmarks/plan.md``;
* ``bench_engines.py --factor 3`` (PyVRP against OR-Tools on the demo week's
  and the 3x team's plans) likewise, in its block at the end of
  ``docs/benchmarks/vrptw.md``.

Finally the list of runs (command, exit status, wall time) replaces the
generated block of ``docs/benchmarks.md``.  A failing benchmark does not stop
the others; the exit status is non-zero when any failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@dataclass(frozen=True)
class Bench:
    """One benchmark script, its arguments for a full and a quick run, and where its figures go."""

    name: str
    script: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    doc: str  # docs/benchmarks/<doc>
    prints_table: bool = False  # the script only prints; run_all writes its output into ``doc``


def benches(tmp: Path) -> list[Bench]:
    """The benchmarks in the order they run (cheapest first)."""
    return [
        Bench("load", "bench_load.py", (), ("--rows", "200000", "--repeats", "1", "--no-write"), "load.md"),
        Bench(
            "rank",
            "bench_rank.py",
            ("--scale",),  # 2 M calls in both formats, then 12 M calls (peak memory) in the same run
            ("--calls", "200000", "--premises", "2000", "--out", str(tmp / "rank.md")),
            "rank.md",
        ),
        Bench(
            "plan",
            "bench_plan.py",
            (),
            ("--skip-long", "--out", str(tmp / "plan.json")),
            "plan.md",
            prints_table=True,
        ),
        Bench(
            "plan_force",
            "bench_plan_force.py",
            ("--out", str(tmp / "plan_force.json")),
            (
                *("--lpas", "2", "--staff-per-lpa", "13", "--premises-per-lpa", "60", "--factors", "1"),
                *("--out", str(tmp / "plan_force.json")),
            ),
            "plan.md",
            prints_table=True,
        ),
        Bench(
            "replan",
            "bench_replan.py",
            ("--out", str(tmp / "replan.json")),
            ("--config", "tests/data/plan/licvisit.toml", "--out", str(tmp / "replan.json")),
            "plan.md",
            prints_table=True,
        ),
        Bench(
            "plan_scale",
            "bench_plan_scale.py",
            ("--out", str(tmp / "plan_scale.json")),
            ("--skip-demo", "--factor", "1", "--candidates", "100", "--out", str(tmp / "plan_scale.json")),
            "plan.md",
            prints_table=True,
        ),
        Bench(
            "vrptw",
            "bench_vrptw.py",
            ("--time-limit", "30", "--jobs", "2"),
            ("--time-limit", "3", "--only", "C101,RC208", "--no-write", "--out", str(tmp / "vrptw.json")),
            "vrptw.md",
        ),
        Bench(
            "engines",
            "bench_engines.py",  # PyVRP against OR-Tools on the weekly plan itself (needs the bench extra)
            ("--factor", "3", "--out", str(tmp / "engines.json")),
            (
                *("--config", "tests/data/plan/licvisit.toml"),
                *("--budgets", "1", "--out", str(tmp / "engines.json")),
            ),
            "vrptw.md",
            prints_table=True,
        ),
    ]


def replace_block(path: Path, tag: str, text: str) -> None:
    """Put ``text`` between ``<!-- tag:begin -->`` and ``<!-- tag:end -->`` in ``path`` (appended if absent)."""
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    block = f"{begin}\n\n{text.strip()}\n\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in old and end in old:
        new = old[: old.index(begin)] + block + old[old.index(end) + len(end) :]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def table_lines(output: str) -> str:
    """The Markdown table lines (and the sentence after them) of a benchmark's printed output."""
    lines = output.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.startswith("|")), None)
    return "" if first is None else "\n".join(lines[first:]).strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, docs left unchanged")
    ap.add_argument("--only", default="", help="comma-separated names: load, rank, plan, vrptw")
    a = ap.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    wanted = {s.strip() for s in a.only.split(",") if s.strip()}
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        todo = [b for b in benches(Path(tmp)) if not wanted or b.name in wanted]
        unknown = wanted - {b.name for b in benches(Path(tmp))}
        if unknown:
            ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        for b in todo:
            args = b.quick if a.quick else b.full
            cmd = [sys.executable, str(ROOT / "benchmarks" / b.script), *args]
            shown = " ".join(["python", f"benchmarks/{b.script}", *args])
            print(f"== {b.name}: {shown}", flush=True)
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            sys.stdout.write(proc.stdout)
            sys.stderr.write(proc.stderr[-4000:])
            print(f"== {b.name}: exit {proc.returncode} in {wall:.0f} s", flush=True)
            runs.append((b, shown, proc.returncode, wall))
            if proc.returncode == 0 and b.prints_table and not a.quick:
                stamp = f"Generated by `{shown}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
                replace_block(
                    DOCS / "benchmarks" / b.doc, f"bench_{b.name}", stamp + "\n\n" + table_lines(proc.stdout)
                )
    if not a.quick:
        lines = [
            f"Last `make bench` (`benchmarks/run_all.py`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC:",
            "",
            "| benchmark | command | exit | wall time | figures |",
            "|---|---|---:|---:|---|",
        ]
        for b, shown, rc, wall in runs:
            lines.append(
                f"| {b.name} | `{shown}` | {rc} | {wall / 60:.1f} min | [{b.doc}](benchmarks/{b.doc}) |"
            )
        replace_block(DOCS / "benchmarks.md", "run_all", "\n".join(lines))
    failed = [b.name for b, _, rc, _ in runs if rc != 0]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
