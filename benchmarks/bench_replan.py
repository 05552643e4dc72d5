"""Benchmark ``licvisit plan --previous``: a re-plan after one exclusion or one lock against the full plan.

Run from the repository root::

    .venv/bin/python benchmarks/bench_replan.py [--config data/licvisit.toml] [--week 2025-W41]
        [--out out/bench/replan.json]

In one run, each a whole ``licvisit plan`` command in its own process, one
after another: the full plan of the week; a re-plan from it with
``--exclude`` of its most valuable visited premises; a re-plan with a
``--lock`` moving its most valuable licensing visit to another night with a
licensing crew; and the full plan with each of the same edits and no
``--previous`` (the value a re-plan is compared with).  ``licvisit check``
is run on both re-plans.  Wall time and CPU time (user + system of the
command) are recorded with the load average, since the machine is shared.
Prints a Markdown table (``run_all.py`` puts it in docs/benchmarks/plan.md)
and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str]) -> dict:
    """Run ``python -m licvisit ARGS``; return wall and CPU seconds, exit status, load average, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-m", "licvisit", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
    return {
        "args": args,
        "exit": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "output": proc.stdout,
    }


def plan_meta(folder: Path) -> dict:
    d = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return {
        "value": round(sum(v["value"] for v in d["visits"]), 2),
        "visits": len(d["visits"]),
        "nights_replanned": d["meta"].get("nights_replanned"),
        "replan": d["meta"].get("replan", ""),
        "replan_fallback": d["meta"].get("replan_fallback", ""),
        "visits_kept": d["meta"].get("visits_kept"),
        "upper_bound": d["meta"].get("value_upper_bound"),
    }


def pick_edits(config: str, week: str, full: Path) -> tuple[str, str]:
    """The most valuable visited premises (to exclude) and a lock moving the most valuable licensing visit."""
    from licvisit.app.params import plan_params, risk_params
    from licvisit.cli.plan import parse_week
    from licvisit.config import load_config
    from licvisit.core.plan.candidates import build_candidates
    from licvisit.core.risk.rank import rank_premises
    from licvisit.io import load_inputs

    d = json.loads((full / "plan.json").read_text(encoding="utf-8"))
    visits = sorted(d["visits"], key=lambda v: (-v["value"], v["premises_id"]))
    exclude = visits[0]["premises_id"]
    monday = parse_week(week)
    cfg = load_config(config)
    inputs = load_inputs(cfg, kinds=("calls", "premises", "zones", "staff", "visits"), week_start=monday)
    as_of = dt.datetime.combine(monday, dt.time())
    ranking = rank_premises(inputs.calls, inputs.premises, inputs.visits, risk_params(cfg), as_of=as_of).table
    params = plan_params(cfg)
    cands, _ = build_candidates(
        ranking, inputs.premises, monday, params.operation_types(), params, visits=inputs.visits
    )
    windows = {(c.premises_id, c.op_type): c.windows for c in cands}
    lic_nights = sorted({c["night"] for c in d["crews"] if c["op_type"] == "licensing_compliance"})
    for v in visits:
        if v["op_type"] != "licensing_compliance" or v["premises_id"] == exclude:
            continue
        open_on = {n.isoformat() for n in windows.get((v["premises_id"], v["op_type"]), {})}
        other = [n for n in lic_nights if n != v["night"] and n in open_on]
        if other:
            return exclude, f"{v['premises_id']}@{other[0]}:licensing_compliance"
    raise SystemExit("no licensing visit can be moved to another night with a licensing crew")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="data/licvisit.toml")
    ap.add_argument("--week", default="2025-W41")
    ap.add_argument("--out", default="out/bench/replan.json")
    a = ap.parse_args(argv)
    base = ["plan", "--config", a.config, "--week", a.week]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)

        def plan(name: str, *extra: str) -> dict:
            r = run([*base, "--out", str(t / name), "--maps-dir", str(t / f"{name}-maps"), *extra])
            r.update(plan_meta(t / name) if r["exit"] == 0 else {})
            r["check_exit"] = (
                run(["check", str(t / name), "--config", a.config])["exit"] if r["exit"] == 0 else None
            )
            print(f"{name}: {r['wall_s']} s wall, {r['cpu_s']} s CPU, exit {r['exit']}", flush=True)
            return r

        full = plan("full")
        if full["exit"] != 0:
            return 1
        exclude, lock = pick_edits(a.config, a.week, t / "full")
        runs = {
            "full": full,
            "replan_exclude": plan("replan_exclude", "--previous", str(t / "full"), "--exclude", exclude),
            "fresh_exclude": plan("fresh_exclude", "--exclude", exclude),
            "replan_lock": plan("replan_lock", "--previous", str(t / "full"), "--lock", lock),
            "fresh_lock": plan("fresh_lock", "--lock", lock),
        }
    for r in runs.values():
        r.pop("output", None)
    edits = {"exclude": exclude, "lock": lock}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps({"edits": edits, "runs": runs}, indent=2) + "\n", encoding="utf-8")
    print(table(runs, edits, a))
    bad = [k for k, r in runs.items() if r["exit"] != 0 or r["check_exit"] != 0]
    return 1 if bad else 0


def table(runs: dict, edits: dict, a: argparse.Namespace) -> str:
    full = runs["full"]
    lines = [
        f"Re-planning the demo week {a.week} (`--exclude {edits['exclude']}`, `--lock {edits['lock']}`); "
        "each row a whole `licvisit plan` command, maps included, one after another in one run.",
        "",
        "| run | nights re-planned | wall [s] | CPU [s] | x full (wall / CPU) | value | x same edits, full plan | "
        "`licvisit check` | load |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, r in runs.items():
        if r["exit"] != 0:
            lines.append(f"| {name} | failed (exit {r['exit']}) | | | | | | | |")
            continue
        fresh = runs.get(name.replace("replan_", "fresh_")) if name.startswith("replan_") else None
        vs = f"{r['value'] / fresh['value']:.4f}" if fresh and fresh.get("value") else ""
        nights = r.get("nights_replanned")
        said = (
            ", ".join(f"{dt.date.fromisoformat(n):%a}" for n in nights)
            if r.get("replan") == "incremental"
            else ("all (" + r["replan_fallback"] + ")" if r.get("replan") == "full" else "all")
        )
        lines.append(
            f"| {name} | {said} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
            f"{r['wall_s'] / full['wall_s']:.2f} / {r['cpu_s'] / full['cpu_s']:.2f} | {r['value']:.1f} | {vs} | "
            f"{'passed' if r['check_exit'] == 0 else 'FAILED'} | {r['load'][0]:.1f}-{r['load'][1]:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
