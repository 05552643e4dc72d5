"""Benchmark PyVRP against OR-Tools on the weekly plan itself: same candidates, crews, windows and time.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engines.py [--config data/licvisit.toml] [--week 2025-W41]
        [--budgets 5,same,60] [--factor 3 --candidates 600] [--skip-demo] [--seed 0]
        [--out out/bench/engines.json]

Two comparisons, in one run, for the demo week (and, with ``--factor``, for
the staff sheet ``--factor`` times with ``--candidates`` candidates, as
``bench_plan_scale.py`` builds it):

1. **The whole plan.**  ``plan_week`` as ``licvisit plan`` runs it (OR-Tools,
   work limit), then again with every routing search of the planner (the
   week's search and the re-routes after releasing weak crews) done by
   PyVRP (:mod:`licvisit.core.plan.engine_pyvrp`) from the same greedy start,
   the week's search with the wall time OR-Tools' search took in this run
   (a re-route a quarter of it, as its work limit is a quarter).  Both plans
   go through the same repairs (prune, breaks, inserts, free crews) and the
   independent plan checker; the table gives the plan's value.
2. **The routing problem alone.**  The :class:`RoutingProblem` the planner
   built (captured as it is handed to the search) is solved by both engines
   with the same wall-time budgets, OR-Tools with the planner's strategies
   and greedy start but no work limit.  Every route of both is re-checked
   here independently (windows, shifts, allowed crews, at most one visit
   per premises) and valued with the planner's candidate values.

Times are wall times on a shared machine: the load average is printed and
recorded.  Prints Markdown tables (paste into docs/benchmarks/vrptw.md,
section "The weekly plan: PyVRP against OR-Tools") and writes JSON.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plan_scale import multiplied_team  # noqa: E402
from plan_rows import demo_week, write_rows  # noqa: E402

from licvisit.app.params import plan_params  # noqa: E402
from licvisit.core.plan import repair, week  # noqa: E402
from licvisit.core.plan.checker import check_plan  # noqa: E402
from licvisit.core.plan.engine_pyvrp import solve_routing_pyvrp  # noqa: E402
from licvisit.core.plan.routing import RoutingProblem, RoutingResult, solve_routing  # noqa: E402


def check_routes(problem: RoutingProblem, routes: list[list[int]]) -> list[str]:
    """Every broken rule of ``routes`` in ``problem``, re-timed here from each shift's start.

    Checks: each visit inside its window (earliest start, waiting allowed), back
    at the end node by the shift's end, the vehicle allowed at the node, no node
    twice and at most one node of each visit group, no depot visited.
    """
    out: list[str] = []
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    seen_group: dict[int, int] = {}
    seen: set[int] = set()
    for v, route in enumerate(routes):
        lo, hi = problem.vehicle_windows[v]
        t, prev = int(lo), problem.starts[v]
        for node in route:
            if node not in group_of:
                out.append(f"vehicle {v}: node {node} is a depot or in no group")
                continue
            if node in seen:
                out.append(f"vehicle {v}: node {node} visited twice")
            seen.add(node)
            g = group_of[node]
            if g in seen_group:
                out.append(f"vehicle {v}: group {g} visited twice (node {seen_group[g]} and {node})")
            seen_group[g] = node
            if node in problem.allowed and v not in problem.allowed[node]:
                out.append(f"vehicle {v}: not allowed at node {node}")
            t = max(
                t + int(problem.service[prev]) + int(problem.time[prev, node]), int(problem.windows[node][0])
            )
            if t > problem.windows[node][1]:
                out.append(
                    f"vehicle {v}: node {node} starts at {t}, after its window closes {problem.windows[node][1]}"
                )
            prev = node
        if route:
            end = t + int(problem.service[prev]) + int(problem.time[prev, problem.ends[v]])
            if end > hi:
                out.append(f"vehicle {v}: back at {end}, after its shift ends at {hi}")
    return out


@dataclasses.dataclass
class Captured:
    """The first routing problem of each part as the planner handed it to the search, and its values."""

    problem: RoutingProblem
    kwargs: dict[str, Any]
    node_value: dict[int, float]
    search_s: float = 0.0


def _capture_planner(captured: list[Captured]) -> Any:
    """Wrap the planner's part routing and search so that each part's problem is captured; return an undo."""
    orig_part, orig_solve = week._route_part, week.solve_routing
    current: dict[str, dict[int, float]] = {}

    def route_part(m: Any, *args: Any, **kw: Any) -> Any:
        current["value"] = {
            n: sum(m.candidates[j].value for j in served) for n, served in m.node_purposes.items()
        }
        return orig_part(m, *args, **kw)

    def solve(problem: RoutingProblem, time_limit_s: float, **kw: Any) -> RoutingResult:
        cap = Captured(copy.deepcopy(problem), copy.deepcopy(kw), current.get("value", {}))
        t0 = time.perf_counter()
        res = orig_solve(problem, time_limit_s, **kw)
        cap.search_s = time.perf_counter() - t0
        captured.append(cap)
        return res

    week._route_part, week.solve_routing = route_part, solve

    def undo() -> None:
        week._route_part, week.solve_routing = orig_part, orig_solve

    return undo


def _pyvrp_planner(budgets: list[float], seed: int) -> Any:
    """Make the planner search with PyVRP: part k's search gets ``budgets[k]`` s, a re-route a quarter."""
    orig_week, orig_repair = week.solve_routing, repair.solve_routing
    calls = {"part": 0}

    def week_solve(problem: RoutingProblem, time_limit_s: float, **kw: Any) -> RoutingResult:
        k = calls["part"]
        calls["part"] += 1
        calls["budget"] = budgets[min(k, len(budgets) - 1)]
        return solve_routing_pyvrp(
            problem, calls["budget"], seed=seed, initial_routes=kw.get("initial_routes")
        )

    def repair_solve(problem: RoutingProblem, time_limit_s: float, **kw: Any) -> RoutingResult:
        budget = max(0.5, calls.get("budget", time_limit_s) / 4)
        return solve_routing_pyvrp(problem, budget, seed=seed, initial_routes=kw.get("initial_routes"))

    week.solve_routing, repair.solve_routing = week_solve, repair_solve

    def undo() -> None:
        week.solve_routing, repair.solve_routing = orig_week, orig_repair

    return undo


def _plan(ctx: dict[str, Any], staff: list[Any], params: Any) -> tuple[Any, float, list[str]]:
    t0 = time.perf_counter()
    plan = week.plan_week(
        ctx["ranking"], ctx["inputs"].premises, staff, ctx["week"], params,
        visits=ctx["inputs"].visits, zones=ctx["inputs"].zones,
    )  # fmt: skip
    secs = time.perf_counter() - t0
    problems = check_plan(plan, ctx["inputs"].premises, staff, params, zones=ctx["inputs"].zones)
    return plan, secs, problems


def _plan_row(
    run: str, engine: str, plan: Any, secs: float, problems: list[str], search_s: float
) -> dict[str, Any]:
    m = plan.meta
    return {
        "run": run,
        "engine": engine,
        "visits": len(plan.visits),
        "value": m["value_planned"],
        "upper_bound": m["value_upper_bound"],
        "gap": m["optimality_gap"],
        "dropped": len(plan.dropped),
        "travel_min": m["travel_min"],
        "plan_s": round(secs, 1),
        "search_s": round(search_s, 1),  # the week's search of each part (not the re-routes)
        "checker": "pass" if not problems else f"{len(problems)} problems: {problems[0]}",
        "load_avg": os.getloadavg(),
    }


def _route_row(run: str, engine: str, budget: float, cap: Captured, res: RoutingResult) -> dict[str, Any]:
    problems = check_routes(cap.problem, res.routes)
    served = [n for r in res.routes for n in r]
    return {
        "run": run,
        "engine": engine,
        "budget_s": round(budget, 1),
        "solve_s": round(res.solve_s, 1),
        "value": round(sum(cap.node_value.get(n, 0.0) for n in served), 4),
        "visits": len(served),
        "groups_dropped": len(res.dropped_groups),
        "travel_cost": res.travel_cost,
        "objective": res.objective,
        "work": res.work,  # PyVRP: iterations; OR-Tools: 0 (no work limit here)
        "check": "pass" if not problems else f"{len(problems)} problems: {problems[0]}",
        "load_avg": os.getloadavg(),
    }


def compare(
    ctx: dict[str, Any], run: str, staff: list[Any], params: Any, budgets: list[str], seed: int
) -> list[dict]:
    """Both comparisons (whole plan, routing problem alone) for one team; rows of both tables."""
    captured: list[Captured] = []
    undo = _capture_planner(captured)
    try:
        plan, secs, problems = _plan(ctx, staff, params)
    finally:
        undo()
    same = [c.search_s for c in captured]
    rows = [_plan_row(run, "ortools", plan, secs, problems, sum(same))]
    print(_fmt_plan(rows[-1]), file=sys.stderr, flush=True)
    undo = _pyvrp_planner(same, seed)
    try:
        plan, secs, problems = _plan(ctx, staff, params)
    finally:
        undo()
    rows.append(_plan_row(run, "pyvrp", plan, secs, problems, sum(same)))
    print(_fmt_plan(rows[-1]), file=sys.stderr, flush=True)
    for k, cap in enumerate(captured):
        label = run if len(captured) == 1 else f"{run}, part {k + 1}"
        for b in budgets:
            budget = cap.search_s if b == "same" else float(b)
            init = cap.kwargs.get("initial_routes")
            ort = solve_routing(
                copy.deepcopy(cap.problem),
                budget,
                strategies=cap.kwargs.get("strategies", ()),
                initial_routes=init,
            )
            rows.append(_route_row(label, "ortools", budget, cap, ort))
            print(_fmt_route(rows[-1]), file=sys.stderr, flush=True)
            pyv = solve_routing_pyvrp(copy.deepcopy(cap.problem), budget, seed=seed, initial_routes=init)
            rows.append(_route_row(label, "pyvrp", budget, cap, pyv))
            print(_fmt_route(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _fmt_plan(r: dict[str, Any]) -> str:
    return (
        f"| {r['run']} | {r['engine']} | {r['visits']} | {r['value']:.1f} | {r['upper_bound']:.1f} | "
        f"{100 * r['gap']:.1f} % | {r['travel_min']} | {r['search_s']:.1f} | {r['plan_s']:.1f} | {r['checker']} |"
    )


def _fmt_route(r: dict[str, Any]) -> str:
    return (
        f"| {r['run']} | {r['engine']} | {r['budget_s']:.1f} | {r['solve_s']:.1f} | {r['value']:.1f} | {r['visits']} | "
        f"{r['groups_dropped']} | {r['travel_cost']:,} | {r['objective']:,} | {r['check']} |"
    )


def tables(rows: list[dict[str, Any]]) -> str:
    """The two Markdown tables: whole plans, then routing problems alone."""
    lines = [
        "| run | engine | visits | value | upper bound | gap | travel [min] | search [s] | plan [s] | checker |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *(_fmt_plan(r) for r in rows if "plan_s" in r),
        "",
        "| run | engine | budget [s] | wall [s] | value | visits | premises dropped | travel cost | objective | check |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *(_fmt_route(r) for r in rows if "budget_s" in r),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="data/licvisit.toml")
    ap.add_argument("--week", default="2025-W41")
    ap.add_argument(
        "--budgets", default="5,same,60", help="comma-separated seconds; 'same': OR-Tools' search time"
    )
    ap.add_argument("--factor", type=int, default=0, help="also the staff sheet this many times (0: not)")
    ap.add_argument("--candidates", type=int, default=600)
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="out/bench/engines.json")
    a = ap.parse_args(argv)
    if importlib.util.find_spec("pyvrp") is None:
        print("skipped: PyVRP is not installed (pip install -e '.[bench]')")
        return 0
    wk, cfg, inputs, ranking = demo_week(a.config, a.week)
    ctx = {"ranking": ranking, "inputs": inputs, "week": wk}
    base = plan_params(cfg)
    runs = [] if a.skip_demo else [("demo week", list(inputs.staff), base)]
    if a.factor > 1:
        big = dataclasses.replace(base, max_candidates=a.candidates)
        runs.append(
            (
                f"{a.factor}x team, {a.candidates} candidates",
                multiplied_team(list(inputs.staff), a.factor),
                big,
            )
        )
    rows: list[dict] = []
    for label, staff, params in runs:
        rows += compare(ctx, label, staff, params, a.budgets.split(","), a.seed)
    print(tables(rows))
    print(f"\nload average {os.getloadavg()}")
    write_rows(a.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
