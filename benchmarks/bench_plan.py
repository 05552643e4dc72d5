"""Benchmark the weekly planner on the demo week against the greedy baseline and a 10x longer run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_plan.py [--config data/licvisit.toml] [--week 2025-W41]
        [--time-limit 30] [--long-factor 10] [--out out/bench/plan.json]

Prints a Markdown table (paste into docs/benchmarks/plan.md) and writes the
figures as JSON.  Every plan, the greedy one included, is run through the
independent checker.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from greedy_baseline import greedy_week  # noqa: E402
from plan_rows import demo_week  # noqa: E402

from licvisit.app.params import plan_params
from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.week import plan_week


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="data/licvisit.toml")
    ap.add_argument("--week", default="2025-W41")
    ap.add_argument("--time-limit", type=float, default=None, help="default: PlanParams / [plan]")
    ap.add_argument("--long-factor", type=float, default=10.0)
    ap.add_argument("--skip-long", action="store_true")
    ap.add_argument("--out", default="out/bench/plan.json")
    a = ap.parse_args(argv)

    week, cfg, inputs, ranking = demo_week(a.config, a.week)
    base = plan_params(cfg, time_limit_s=a.time_limit)
    runs = [("optimiser (default)", base)]
    if not a.skip_long:
        runs.append(
            (
                f"optimiser ({a.long_factor:g}x longer)",
                dataclasses.replace(
                    base,
                    time_limit_s=base.time_limit_s * a.long_factor,
                    work_limit=int(base.work_limit * a.long_factor),
                ),
            )
        )
    rows = []
    for method, label in (
        ("by_risk", "greedy baseline (by risk, nearest neighbour)"),
        ("insertion", "greedy insertion (stronger)"),
    ):
        t0 = time.perf_counter()
        g = greedy_week(
            ranking,
            inputs.premises,
            inputs.staff,
            week,
            base,
            visits=inputs.visits,
            zones=inputs.zones,
            method=method,
        )
        rows.append(
            {
                "run": label,
                "seconds": round(time.perf_counter() - t0, 1),
                "visits": len(g.visits),
                "value": round(g.total_value, 1),
                "ops": sorted({v.op_type for v in g.visits}),
                "check": len(check_plan(g, inputs.premises, inputs.staff, base)),
                "stopped_by": "",
            }
        )
    for name, params in runs:
        t0 = time.perf_counter()
        p = plan_week(
            ranking, inputs.premises, inputs.staff, week, params, visits=inputs.visits, zones=inputs.zones
        )
        rows.append(
            {
                "run": name,
                "seconds": round(time.perf_counter() - t0, 1),
                "visits": len(p.visits),
                "value": round(p.total_value, 1),
                "ops": sorted({v.op_type for v in p.visits}),
                "check": len(check_plan(p, inputs.premises, inputs.staff, params)),
                "stopped_by": p.meta.get("routing_stopped_by", ""),
                "time_limit_s": params.time_limit_s,
                "work_limit": params.work_limit,
                "travel_min": p.meta.get("travel_min"),
                "dropped_by_reason": {
                    k: sum(d.reason_code == k for d in p.dropped)
                    for k in sorted({d.reason_code for d in p.dropped})
                },
            }
        )
    greedy_value = rows[0]["value"]
    print("| run | wall time [s] | visits | harm-weighted value | vs greedy | stopped by | checker |")
    print("|---|---:|---:|---:|---:|---|---|")
    for r in rows:
        gain = 100 * (r["value"] / greedy_value - 1) if greedy_value else float("nan")
        check = "pass" if r["check"] == 0 else f"{r['check']} violations"
        print(
            f"| {r['run']} | {r['seconds']} | {r['visits']} | {r['value']} | {gain:+.1f} % | {r['stopped_by']} | {check} |"
        )
    opt = [r for r in rows if r["run"].startswith("optimiser")]
    if len(opt) == 2:
        print(f"\n10x longer run improves value by {100 * (opt[1]['value'] / opt[0]['value'] - 1):+.2f} %")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
