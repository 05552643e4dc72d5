"""Measure the planner's routing code on VRPTW instances with the best-known fleet.

Run from the repository root (instances from ../shared are not in the repo;
C101 and RC208 are copied under tests/data/vrp)::

    .venv/bin/python benchmarks/bench_vrptw.py --time-limit 30 \\
        tests/data/vrp/C101.txt:10:827.3 tests/data/vrp/RC208.vrp:4:776.1 \\
        ../shared/data/vrp/vrplib_tests/C1_2_1.txt:20:2698.6

Each argument is FILE:VEHICLES:BEST_KNOWN.  Prints a Markdown gap table
(paste into docs/benchmarks/vrptw.md) and writes JSON to --out.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from licvisit.core.vrptw import solve_vrptw
from licvisit.io.vrptw import read_vrptw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="+", help="FILE:VEHICLES:BEST_KNOWN")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--out", default="out/bench/vrptw.json")
    a = ap.parse_args(argv)
    rows = []
    for spec in a.instances:
        path, veh, best = spec.rsplit(":", 2)
        inst = read_vrptw(path)
        t0 = time.perf_counter()
        res = solve_vrptw(inst, a.time_limit, int(veh))
        res["wall_s"] = round(time.perf_counter() - t0, 1)
        res["best_known"] = float(best)
        res["fleet"] = int(veh)
        res["gap_pct"] = round(100 * (res["distance"] / float(best) - 1), 2) if res["feasible"] else None
        res.pop("routes")
        rows.append(res)
        print(json.dumps(res), flush=True)
    print(
        "\n| instance | fleet | best known | found | vehicles used | feasible | gap | first solution | time [s] |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---|---:|")
    for r in rows:
        gap = "-" if r["gap_pct"] is None else f"{r['gap_pct']:.2f} %"
        print(
            f"| {r['instance']} | {r['fleet']} | {r['best_known']} | {r['distance']} | {r['vehicles']} | "
            f"{'yes' if r['feasible'] else 'no'} | {gap} | {r['strategy']} | {r['wall_s']} |"
        )
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    if gaps:
        print(f"\nmean gap {sum(gaps) / len(gaps):.2f} % over {len(gaps)} feasible of {len(rows)} instances")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
