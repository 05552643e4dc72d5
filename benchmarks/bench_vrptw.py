"""Measure the planner's routing code on VRPTW instances with the best-known fleet, beside PyVRP.

Run from the repository root::

    .venv/bin/python benchmarks/bench_vrptw.py [--time-limit 30] [--jobs 2]
        [--engines ortools,pyvrp] [--only R1,RC1] [--no-write] [FILE:VEHICLES:BEST_KNOWN ...]

Without instance arguments it runs every Solomon instance in
``../shared/data/vrp/solomon100/`` (when present; fleet and best-known
distance from its ``bks.json``) and the four instances kept offline (C101,
RC208 and C201R0.25 under ``tests/data/vrp``, C1_2_1 from
``../shared/data/vrp/vrplib_tests`` when present).  ``--only`` keeps the
instances whose name starts with one of the given prefixes.

When PyVRP is installed (``pip install -e '.[bench]'``) each instance is also
solved by PyVRP in the same run, with the same time limit, the same fleet and
the same distances (Euclidean, truncated to one decimal; travel time equals
distance).  Every route of both engines is re-checked independently in
floating point (``licvisit.core.plan.vrptw.route_schedule``) before an instance is
called feasible.  ``--jobs 2`` runs two solves at a time (one per core).

Writes the JSON rows to ``--out`` and rewrites the generated part of
``docs/benchmarks/vrptw.md`` (between the ``bench_vrptw`` markers) unless
``--no-write`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from licvisit.core.plan.vrptw import route_schedule, solve_vrptw  # noqa: E402
from licvisit.domain import VrptwInstance  # noqa: E402
from licvisit.io.vrptw import read_vrptw  # noqa: E402

# ../shared next to the repository (a main checkout) or two levels up (a worktree under wt/).
SHARED = next(
    (p / "shared" / "data" / "vrp" for p in ROOT.parents if (p / "shared" / "data" / "vrp").is_dir()),
    ROOT.parent / "shared" / "data" / "vrp",
)
DOC = ROOT / "docs" / "benchmarks" / "vrptw.md"
BEGIN, END = "<!-- bench_vrptw:begin -->", "<!-- bench_vrptw:end -->"
OFFLINE = [
    (ROOT / "tests" / "data" / "vrp" / "C101.txt", 10, 827.3),
    (SHARED / "vrplib_tests" / "C1_2_1.txt", 20, 2698.6),
    (ROOT / "tests" / "data" / "vrp" / "RC208.vrp", 4, 776.1),
    (ROOT / "tests" / "data" / "vrp" / "C201R0.25.vrp", 6, 1068.7),
]


def default_instances(shared: Path = SHARED) -> list[tuple[Path, int, float]]:
    """The Solomon instances in ``shared/solomon100`` (if present), then the offline four."""
    out: list[tuple[Path, int, float]] = []
    folder = shared / "solomon100"
    if (folder / "bks.json").exists():
        bks = json.loads((folder / "bks.json").read_text(encoding="utf-8"))
        for name in sorted(bks):
            path = folder / f"{name}.txt"
            if path.exists():
                out.append((path, int(bks[name]["vehicles"]), float(bks[name]["distance"])))
    names = {p.stem for p, _, _ in out}  # RC208 is in both places: run it once
    return out + [(p, v, b) for p, v, b in OFFLINE if p.exists() and p.stem not in names]


def pyvrp_available() -> bool:
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return False
    return True


def solve_pyvrp(inst: VrptwInstance, time_limit_s: float, vehicles: int, seed: int = 0) -> dict:
    """Solve ``inst`` with PyVRP on the same data as licvisit: integer tenths, truncated distances.

    Routes come back as customer numbers (depot 0 left out at both ends; a 0
    inside a route is a reload on multi-trip instances) and are re-checked by
    ``route_schedule``, exactly like licvisit's own routes.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    def tenths(v: float) -> int:
        return int(round(float(v) * 10))

    m = pyvrp.Model()
    locs = [m.add_location(float(x), float(y)) for x, y in zip(inst.x, inst.y, strict=True)]
    depot = m.add_depot(locs[0], tw_early=tenths(inst.ready[0]), tw_late=tenths(inst.due[0]))
    m.add_vehicle_type(
        num_available=int(vehicles),
        capacity=int(inst.capacity),
        start_depot=depot,
        end_depot=depot,
        tw_early=tenths(inst.ready[0]),
        tw_late=tenths(inst.due[0]),
        reload_depots=[depot] if inst.reload else [],
    )
    for i in range(1, len(inst.x)):
        m.add_client(
            locs[i],
            delivery=int(round(inst.demand[i])),
            service_duration=tenths(inst.service[i]),
            tw_early=tenths(inst.ready[i]),
            tw_late=tenths(inst.due[i]),
        )
    d = np.round(inst.distance_matrix() * 10).astype(np.int64)  # exact: one decimal
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=int(d[i, j]), duration=int(d[i, j]))
    t0 = time.perf_counter()
    res = m.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    routes = []
    for r in res.best.routes():
        acts = r.schedule()
        rr = [0 if a.is_depot() else int(a.idx) + 1 for a in acts[1:-1]]  # client idx 0 is node 1
        if rr:
            routes.append(rr)
    return _checked(inst, routes, "pyvrp", time.perf_counter() - t0)


def _checked(inst: VrptwInstance, routes: list[list[int]], strategy: str, solve_s: float) -> dict:
    dist, feasible = 0.0, True
    for r in routes:
        rd, ok = route_schedule(inst, r)
        dist += rd
        feasible &= ok
    unserved = inst.n_customers - len({c for r in routes for c in r if c != 0})
    return {
        "instance": inst.name,
        "routes": routes,
        "distance": round(dist + 1e-9, 1),
        "vehicles": len(routes),
        "feasible": bool(feasible and unserved == 0),
        "unserved": int(unserved),
        "strategy": strategy,
        "solve_s": round(solve_s, 1),
    }


def run_one(task: tuple[str, str, int, float, float]) -> dict:
    """Solve one (engine, file, fleet, best known, time limit) task and re-check its routes."""
    engine, path, fleet, best, time_limit = task
    inst = read_vrptw(path)
    t0 = time.perf_counter()
    if engine == "pyvrp":
        res = solve_pyvrp(inst, time_limit, fleet)
    else:
        res = solve_vrptw(inst, time_limit, fleet)
        res = {**res, **_checked(inst, res["routes"], res["strategy"], res["solve_s"])}  # re-check
    res.pop("routes")
    res.update(
        engine=engine,
        wall_s=round(time.perf_counter() - t0, 1),
        best_known=best,
        fleet=fleet,
        customers=inst.n_customers,
        gap_pct=round(100 * (res["distance"] / best - 1), 2) if res["feasible"] else None,
    )
    return res


def summary(rows: list[dict], engine: str) -> dict:
    """Feasible count, mean gap over feasible instances, worst gap, for one engine."""
    mine = [r for r in rows if r["engine"] == engine]
    gaps = [r["gap_pct"] for r in mine if r["gap_pct"] is not None]
    return {
        "engine": engine,
        "instances": len(mine),
        "feasible": len(gaps),
        "mean_gap": round(sum(gaps) / len(gaps), 2) if gaps else None,
        "worst_gap": max(gaps) if gaps else None,
        "at_best_known": sum(1 for g in gaps if g <= 0.0),
    }


def table(rows: list[dict], engines: list[str]) -> list[str]:
    """Markdown table: one line per instance, both engines side by side."""

    def cell(r: dict | None) -> tuple[str, str]:
        if r is None:
            return "-", "-"
        if not r["feasible"]:
            why = f"{r['unserved']} unserved" if r["unserved"] else "route infeasible"
            return f"{r['distance']} ({r['vehicles']} veh.)", f"**no** ({why})"
        return f"{r['distance']}", f"{r['gap_pct']:.2f} %"

    head = "| instance | customers | fleet | best known |"
    rule = "|---|---:|---:|---:|"
    for e in engines:
        head += f" {e} | {e} gap |"
        rule += "---:|---:|"
    lines = [head, rule]
    order: list[str] = []
    for r in rows:
        if r["instance"] not in order:
            order.append(r["instance"])
    for name in order:
        by = {r["engine"]: r for r in rows if r["instance"] == name}
        any_r = next(iter(by.values()))
        line = f"| {name} | {any_r['customers']} | {any_r['fleet']} | {any_r['best_known']} |"
        for e in engines:
            found, gap = cell(by.get(e))
            line += f" {found} | {gap} |"
        lines.append(line)
    return lines


def render(rows: list[dict], engines: list[str], a: argparse.Namespace, wall_s: float) -> str:
    """The generated part of docs/benchmarks/vrptw.md."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    cmd = "python benchmarks/bench_vrptw.py " + " ".join(a.argv_shown)
    out = [
        BEGIN,
        "",
        f"Generated by `{cmd.strip()}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({platform.machine()}, {os.cpu_count()} cores, {a.jobs} solve(s) at a time, "
        f"load average {a.load_start:.1f} at the start and {load[0]:.1f} at the end; "
        f"whole run {wall_s / 60:.1f} min). "
        f"Time limit {a.time_limit:g} s per instance and engine, fleet fixed to the best-known "
        "number of vehicles, every route re-checked by `route_schedule`.",
        "",
        "| engine | instances | feasible with the best-known fleet | mean gap (feasible) | worst gap | at best known |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for e in engines:
        s = summary(rows, e)
        mg = "-" if s["mean_gap"] is None else f"{s['mean_gap']:.2f} %"
        wg = "-" if s["worst_gap"] is None else f"{s['worst_gap']:.2f} %"
        out.append(f"| {e} | {s['instances']} | {s['feasible']} | {mg} | {wg} | {s['at_best_known']} |")
    solomon = [r for r in rows if r["instance"] in _solomon_names()]
    if solomon:
        out += ["", "On the shared Solomon instances only:", ""]
        out += [solomon_line(solomon, e) for e in engines]
    out += ["", *table(rows, engines), "", END]
    return "\n".join(out)


def solomon_line(rows: list[dict], engine: str) -> str:
    """One engine's summary on the shared Solomon instances: feasible count (naming the others), mean and worst gap."""
    s = summary(rows, engine)
    mine = [r for r in rows if r["engine"] == engine]
    bad = [r["instance"] for r in mine if not r["feasible"]]
    text = f"- {engine}: feasible on {s['feasible']} of {s['instances']}"
    if bad:
        text += f" (not: {', '.join(bad)})"
    if s["mean_gap"] is not None:
        worst = max((r for r in mine if r["gap_pct"] is not None), key=lambda r: r["gap_pct"])
        text += f", mean gap {s['mean_gap']:.2f} %, worst {s['worst_gap']:.2f} % ({worst['instance']})"
    return text + f", at best known on {s['at_best_known']}."


def _solomon_names() -> set[str]:
    p = SHARED / "solomon100" / "bks.json"
    return set(json.loads(p.read_text(encoding="utf-8"))) if p.exists() else set()


def write_doc(text: str, doc: Path = DOC) -> None:
    """Replace the generated block of ``doc`` (or append it when the markers are missing)."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Routing on standard VRPTW instances\n"
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + text + old[old.index(END) + len(END) :]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="*", help="FILE:VEHICLES:BEST_KNOWN (default: every shared instance)")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument(
        "--engines", default=None, help="comma-separated: ortools,pyvrp (default: both if PyVRP is installed)"
    )
    ap.add_argument("--only", default="", help="comma-separated instance-name prefixes, e.g. R1,RC1")
    ap.add_argument("--jobs", type=int, default=1, help="solves run at the same time")
    ap.add_argument("--out", default=str(ROOT / "out" / "bench" / "vrptw.json"))
    ap.add_argument("--doc", type=Path, default=DOC)
    ap.add_argument("--no-write", action="store_true", help="do not rewrite docs/benchmarks/vrptw.md")
    argv = sys.argv[1:] if argv is None else argv
    a = ap.parse_args(argv)
    a.argv_shown = argv
    a.load_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if a.engines is None:
        engines = ["ortools", "pyvrp"] if pyvrp_available() else ["ortools"]
    else:
        engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    bad = sorted(set(engines) - {"ortools", "pyvrp"})
    if bad:
        ap.error(f"unknown engine(s) {', '.join(bad)}; expected ortools or pyvrp")
    if "pyvrp" in engines and not pyvrp_available():
        ap.error("PyVRP is not installed: pip install -e '.[bench]'")
    if a.instances:
        specs = []
        for spec in a.instances:
            path, veh, best = spec.rsplit(":", 2)
            specs.append((Path(path), int(veh), float(best)))
    else:
        specs = default_instances()
    prefixes = tuple(p.strip() for p in a.only.split(",") if p.strip())
    if prefixes:
        specs = [s for s in specs if s[0].stem.startswith(prefixes)]
    tasks = [(e, str(p), v, b, a.time_limit) for p, v, b in specs for e in engines]
    t0 = time.perf_counter()
    rows: list[dict] = []
    if a.jobs > 1:
        with ProcessPoolExecutor(max_workers=a.jobs) as pool:
            for res in pool.map(run_one, tasks):
                rows.append(res)
                print(json.dumps(res), flush=True)
    else:
        for t in tasks:
            res = run_one(t)
            rows.append(res)
            print(json.dumps(res), flush=True)
    wall = time.perf_counter() - t0
    text = render(rows, engines, a, wall)
    print("\n" + text)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    if not a.no_write:
        write_doc(text, a.doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
