"""Benchmark the weekly planner on a synthetic force-wide week at 1x, 2x and 4x the team.

Run from the repository root::

    .venv/bin/python benchmarks/bench_plan_force.py [--lpas 7] [--premises-per-lpa 430]
        [--candidates 1800] [--factors 1,2,4] [--partners-anywhere] [--out out/bench/plan_force.json]

The week (:func:`licvisit.synth.teams.force_week`): ``--lpas`` local
policing areas side by side, each with a base, ``--premises-per-lpa``
premises (pubs, bars, nightclubs, late-night refreshment; door supervisors
at bars on Friday and Saturday, nightclubs whenever open) and its own team
of PALOs, council licensing, SIA, gang spotter and uniformed support
officers (13 at 1x).  Partners crew with PALOs of their own LPA
(``partners_within_lpa``; ``--partners-anywhere`` turns it off), so the
routing splits into one part per LPA.  At factor f the team, the premises,
the candidates (``max_candidates``), the work limit and the time cap are
all f times larger.  Each plan is checked by the independent checker.
Prints a Markdown table (paste into docs/benchmarks/plan.md) and writes
JSON.  Defaults are the issue's force-wide week (7 LPAs, 91 staff, about
3,000 candidates); smaller sizes are for a quick look.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.week import plan_week
from licvisit.synth.teams import force_week

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_rows import plan_row  # noqa: E402

WEEK = dt.date(2025, 10, 6)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lpas", type=int, default=7)
    ap.add_argument(
        "--staff-per-lpa", type=int, default=13, help="informational: the team per LPA is FORCE_TEAM"
    )
    ap.add_argument("--premises-per-lpa", type=int, default=430)
    ap.add_argument(
        "--candidates", type=int, default=1800, help="max_candidates at 1x (premises; 1800 give about 3,000)"
    )
    ap.add_argument(
        "--partners-anywhere",
        action="store_true",
        help="let council, SIA and gang-spotter partners crew with a PALO of any LPA (partners_within_lpa false)",
    )
    ap.add_argument("--factors", default="1,2,4")
    ap.add_argument("--work-limit", type=int, default=PlanParams().work_limit)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--out", default="out/bench/plan_force.json")
    a = ap.parse_args(argv)
    results = []
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    print(
        "| team | staff | candidates | crews | visits | value | upper bound | gap | time [s] | stopped by | parts | "
        "checker | plan digest |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|")
    for f in (int(x) for x in a.factors.split(",")):
        prem, rk, staff = force_week(WEEK, a.lpas, a.premises_per_lpa * f, f)
        params = PlanParams(
            max_candidates=a.candidates * f,
            work_limit=a.work_limit * f,
            time_limit_s=a.time_limit * f,
            partners_within_lpa=not a.partners_anywhere,
        )
        t0 = time.perf_counter()

        def say(msg: str, t0: float = t0, f: int = f) -> None:
            print(f"[{f}x {time.perf_counter() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)

        plan = plan_week(rk, prem, staff, WEEK, params, progress=say)
        secs = time.perf_counter() - t0
        problems = check_plan(plan, prem, staff, params)
        row = {
            "factor": f,
            **plan_row(plan, staff, secs, problems),
            "params": dataclasses.asdict(params) | {"operations": list(params.operations)},
        }
        results.append(row)
        out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")  # after each size
        print(
            f"| {f}x | {row['staff']} | {row['candidates']} | {row['crews']} | {row['visits']} | "
            f"{row['value']:.1f} | {row['upper_bound']:.1f} | {100 * row['gap']:.1f} % | {row['seconds']} | "
            f"{row['stopped_by']} | {row['parts']} | {row['checker']} | {row['plan_digest']} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
