"""Benchmark the weekly planner on a synthetic force-wide week at 1x, 2x and 4x the team.

Run from the repository root::

    .venv/bin/python benchmarks/bench_plan_force.py [--lpas 7] [--staff-per-lpa 13]
        [--premises-per-lpa 430] [--factors 1,2,4] [--out out/bench/plan_force.json]

The week: ``--lpas`` local policing areas side by side, each with a base,
``--premises-per-lpa`` premises (pubs, bars, nightclubs, late-night
refreshment; door supervisors at bars on Friday and Saturday, nightclubs
whenever open) and a team of PALOs, council licensing, SIA, gang spotter
and uniformed support officers (``--staff-per-lpa`` in all, at 1x).  At
factor f the team and the candidates (``max_candidates``) are both f times
larger.  Each plan is checked by the independent checker.  Prints a
Markdown table (paste into docs/benchmarks/plan.md) and writes JSON.
Defaults are the issue's force-wide week (7 LPAs, about 90 staff, about
3,000 candidates); smaller sizes are for a quick look.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.week import plan_week
from licvisit.domain import WEEKDAYS, Availability, Officer

WEEK = dt.date(2025, 10, 6)
TYPES = ("pub", "bar", "nightclub", "late_night_refreshment")
# Per LPA at 1x: role -> count (13 officers, so 7 LPAs give 91).
TEAM = {
    "licensing_staff": 5,
    "council_licensing": 2,
    "sia_enforcement": 2,
    "gang_spotter": 2,
    "uniformed_support": 2,
}


def force_week(lpas: int, premises_per_lpa: int, factor: int, seed: int = 0):
    """Return (premises, ranking, staff) for a synthetic force of ``lpas`` areas, team x ``factor``."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(lpas):
        cx, cy = 400000.0 + 6000.0 * a, 286000.0
        for i in range(premises_per_lpa):
            kind = TYPES[i % 4]
            if kind == "nightclub":
                hours = {d: ("22:00-04:00" if d in ("thu", "fri", "sat") else "closed") for d in WEEKDAYS}
                door = dict(hours)
            elif kind == "bar":
                hours = {d: ("17:00-02:00" if d in ("fri", "sat") else "17:00-00:00") for d in WEEKDAYS}
                door = {d: ("21:00-02:00" if d in ("fri", "sat") else "closed") for d in WEEKDAYS}
            elif kind == "late_night_refreshment":
                hours = {d: "23:00-05:00" for d in WEEKDAYS}
                door = {d: "closed" for d in WEEKDAYS}
            else:
                hours = {d: ("11:00-01:00" if d in ("fri", "sat") else "11:00-23:00") for d in WEEKDAYS}
                door = {d: "closed" for d in WEEKDAYS}
            rows.append(
                {
                    "premises_id": f"A{a}P{i:04d}",
                    "name": f"Premises {a}-{i}",
                    "premises_type": kind,
                    **{f"hours_{d}": h for d, h in hours.items()},
                    **{f"door_hours_{d}": h for d, h in door.items()},
                    "capacity": float(rng.integers(50, 600)),
                    "door_supervision": kind in ("nightclub", "bar"),
                    "door_staff": int(rng.integers(2, 8)) if kind in ("nightclub", "bar") else 0,
                    "intel_flags": "gang" if i % 7 == 3 else "",
                    "lpa": f"LPA {a}",
                    "x": cx + float(rng.normal(0, 1200)),
                    "y": cy + float(rng.normal(0, 1200)),
                }
            )
    prem = pd.DataFrame(rows)
    harm = rng.gamma(2.0, 5.0, len(prem))
    rk = pd.DataFrame({"premises_id": prem["premises_id"], "score": harm, "expected_harm_week": harm})
    rk = rk.sort_values(["score", "premises_id"], ascending=[False, True]).reset_index(drop=True)
    rk["rank"] = np.arange(1, len(rk) + 1)
    nights = [WEEK + dt.timedelta(days=i) for i in range(7)]
    staff = []
    k = 0
    for a in range(lpas):
        bx, by = 400000.0 + 6000.0 * a, 286000.0
        for role, n in TEAM.items():
            for _ in range(n * factor):
                pick = sorted(rng.choice(7, size=int(rng.integers(3, 6)), replace=False))
                start = "18:00" if rng.random() < 0.6 else "20:00"
                av = []
                for d in pick:
                    s = dt.datetime.combine(nights[d], dt.time.fromisoformat(start))
                    av.append(
                        Availability(
                            nights[d], s, dt.datetime.combine(nights[d] + dt.timedelta(days=1), dt.time(4))
                        )
                    )
                staff.append(
                    Officer(f"O{k:03d}", f"Officer {k}", role, f"Base {a}", bx, by, lpa=f"LPA {a}",
                            max_shifts=4, availability=tuple(av))
                )  # fmt: skip
                k += 1
    return prem, rk, staff


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lpas", type=int, default=7)
    ap.add_argument("--staff-per-lpa", type=int, default=13, help="informational: the team per LPA is TEAM")
    ap.add_argument("--premises-per-lpa", type=int, default=430)
    ap.add_argument("--candidates", type=int, default=1000, help="max_candidates at 1x (premises)")
    ap.add_argument("--factors", default="1,2,4")
    ap.add_argument("--work-limit", type=int, default=PlanParams().work_limit)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--out", default="out/bench/plan_force.json")
    a = ap.parse_args(argv)
    results = []
    print(
        "| team | staff | candidates | crews | visits | value | upper bound | gap | time [s] | stopped by | checker |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for f in (int(x) for x in a.factors.split(",")):
        prem, rk, staff = force_week(a.lpas, a.premises_per_lpa * f, f)
        params = PlanParams(
            max_candidates=a.candidates * f, work_limit=a.work_limit * f, time_limit_s=a.time_limit * f
        )
        t0 = time.perf_counter()
        plan = plan_week(rk, prem, staff, WEEK, params)
        secs = time.perf_counter() - t0
        problems = check_plan(plan, prem, staff, params)
        m = plan.meta
        row = {
            "factor": f,
            "staff": len(staff),
            "candidates": m["n_candidates"],
            "crews": len(plan.crews),
            "visits": len(plan.visits),
            "value": m["value_planned"],
            "upper_bound": m["value_upper_bound"],
            "gap": m["optimality_gap"],
            "seconds": round(secs, 1),
            "stopped_by": m["routing_stopped_by"],
            "checker": "pass" if not problems else f"{len(problems)} problems",
            "params": dataclasses.asdict(params) | {"operations": list(params.operations)},
        }
        results.append(row)
        print(
            f"| {f}x | {row['staff']} | {row['candidates']} | {row['crews']} | {row['visits']} | "
            f"{row['value']:.1f} | {row['upper_bound']:.1f} | {100 * row['gap']:.1f} % | {row['seconds']} | "
            f"{row['stopped_by']} | {row['checker']} |",
            flush=True,
        )
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
