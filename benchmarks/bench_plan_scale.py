"""Benchmark the demo week against a team three times as large, in one run (times as ratios).

Run from the repository root::

    .venv/bin/python benchmarks/bench_plan_scale.py [--config data/licvisit.toml] [--week 2025-W41]
        [--factor 3] [--candidates 600] [--skip-demo] [--out out/bench/plan_scale.json]

The large team is the staff sheet with every officer ``--factor`` times
(new ids, same role, base, LPA and availability) and ``max_candidates``
``--candidates`` (the demo's 200 times three); all other parameters are the
config's.  Both plans are checked by the independent checker.  The time is
``plan_week``'s wall time (the ranking is not included); on a shared machine
compare the ratio, measured in the same run, and give the load average.
Prints a Markdown table (paste into docs/benchmarks/plan.md) and writes JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_rows import demo_week, plan_row, write_rows  # noqa: E402

from licvisit.app.params import plan_params  # noqa: E402
from licvisit.core.plan.checker import check_plan  # noqa: E402
from licvisit.core.plan.week import plan_week  # noqa: E402
from licvisit.domain import Officer  # noqa: E402


def multiplied_team(staff: list[Officer], factor: int) -> list[Officer]:
    """Every officer ``factor`` times: the first copy keeps its id, the others get ``ID-2``, ``ID-3``, ..."""
    return [
        o
        if k == 0
        else dataclasses.replace(o, officer_id=f"{o.officer_id}-{k + 1}", name=f"{o.name} {k + 1}")
        for k in range(factor)
        for o in staff
    ]


def _row(label: str, plan, staff, secs: float, problems: list[str]) -> dict:
    worst = {c.crew_id: 0 for c in plan.crews}
    for v in plan.visits:
        worst[v.crew_id] += 1
    row = {"run": label, **plan_row(plan, staff, secs, problems)}
    row["components"] = row["parts"]
    row["fewest_visits"] = min(worst.values(), default=0)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="data/licvisit.toml")
    ap.add_argument("--week", default="2025-W41")
    ap.add_argument("--factor", type=int, default=3)
    ap.add_argument("--candidates", type=int, default=600)
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--out", default="out/bench/plan_scale.json")
    a = ap.parse_args(argv)
    week, cfg, inputs, ranking = demo_week(a.config, a.week)
    base = plan_params(cfg)
    runs = [] if a.skip_demo else [("demo week", list(inputs.staff), base)]
    big = dataclasses.replace(base, max_candidates=a.candidates)
    runs.append(
        (f"{a.factor}x team, {a.candidates} candidates", multiplied_team(list(inputs.staff), a.factor), big)
    )
    print(
        "| run | staff | candidates | crews | visits | value | upper bound | gap | time [s] | "
        "stopped by | parts | crews_full | checker | plan digest |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|")
    rows = []
    for label, staff, params in runs:
        t0 = time.perf_counter()

        def say(msg: str, t0: float = t0) -> None:
            print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)

        plan = plan_week(
            ranking,
            inputs.premises,
            staff,
            week,
            params,
            visits=inputs.visits,
            zones=inputs.zones,
            progress=say,
        )
        secs = time.perf_counter() - t0
        row = _row(
            label, plan, staff, secs, check_plan(plan, inputs.premises, staff, params, zones=inputs.zones)
        )
        rows.append(row)
        print(
            f"| {label} | {row['staff']} | {row['candidates']} | {row['crews']} | {row['visits']} | "
            f"{row['value']:.1f} | {row['upper_bound']:.1f} | {100 * row['gap']:.1f} % | {row['seconds']} | "
            f"{row['stopped_by']} | {row['components']} | {row['crews_full']} | {row['checker']} | {row['plan_digest']} |",
            flush=True,
        )
    if len(rows) == 2:
        print(f"\ntime ratio {rows[1]['seconds'] / rows[0]['seconds']:.2f}, crews ratio "
              f"{rows[1]['crews'] / max(1, rows[0]['crews']):.2f}; load average {os.getloadavg()}")  # fmt: skip
    write_rows(a.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
