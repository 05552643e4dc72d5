"""Read Solomon / VRPLIB VRPTW instances and solve them with the planner's routing code.

Used to measure :mod:`licvisit.core.plan.routing` on standard instances
(``licvisit bench-vrptw``).  Distances are Euclidean, truncated to one
decimal as in the exact-method literature that established the optima
(Kohl et al. 1999; C101 optimum 827.3); travel time equals distance.

Customer numbers in the output follow the instance's solution-file
convention: the depot is 0 and customers are numbered by their position in
the file (for Solomon files this is the CUST NO. column; for VRPLIB files
it is the node id minus one).
"""

from __future__ import annotations

import math

import numpy as np

from licvisit.core.plan.routing import RoutingProblem, VisitGroup, solve_routing
from licvisit.domain import VrptwInstance

# Path cheapest arc first (guided local search does best from it on wide windows); when it cannot
# fit every customer into the fixed fleet, the insertion heuristics and savings take over.
VRPTW_STRATEGIES = ("PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION", "SAVINGS", "LOCAL_CHEAPEST_INSERTION")
SCALE = 1000  # integer units per instance unit; large so guided local search penalties do not round to 0


def route_schedule(inst: VrptwInstance, route: list[int]) -> tuple[float, bool]:
    """Return (distance, feasible) of one route, checked in floating point."""
    d = inst.distance_matrix()
    t, dist, prev, load, ok = float(inst.ready[0]), 0.0, 0, 0.0, True
    for c in route:  # a 0 inside a route is a reload at the depot (multi-trip instances)
        dist += d[prev, c]
        t = max(t + inst.service[prev] + d[prev, c], inst.ready[c])
        ok &= t <= inst.due[c] + 1e-6
        if c == 0:
            ok &= load <= inst.capacity + 1e-9
            load = 0.0
        load += inst.demand[c]
        prev = c
    dist += d[prev, 0]
    t += inst.service[prev] + d[prev, 0]
    ok &= t <= inst.due[0] + 1e-6 and load <= inst.capacity + 1e-9
    return dist, bool(ok)


def solve_vrptw(
    inst: VrptwInstance,
    time_limit_s: float,
    vehicles: int | None = None,
    seed: int = 0,
    strategies: tuple[str, ...] = VRPTW_STRATEGIES,
    mode: str = "fallback",
) -> dict:
    """Solve ``inst`` minimising total distance with at most ``vehicles`` vehicles.

    Multi-trip instances (VRPLIB ``VEHICLES_RELOAD_DEPOT_SECTION``) get
    optional reload nodes at the depot that empty the vehicle; reloads appear
    as 0 inside a route, as in the instances' solution files.

    Returns a dict with ``routes`` (customer numbers, depot 0 left out at
    both ends), ``distance`` (one decimal), ``vehicles`` (routes used),
    ``feasible`` (every customer served and every route feasible, checked
    again in floating point), ``unserved``, ``strategy`` and ``solve_s``.
    ``seed`` is accepted for interface symmetry: the search is
    deterministic apart from where the time limit stops it.  The default
    first-solution strategies and ``mode`` (see :func:`solve_routing`) were
    chosen by measurement (docs/benchmarks/vrptw.md).
    """
    del seed
    fleet = int(vehicles or inst.vehicles)
    if fleet < 1:
        raise ValueError("Expected vehicles >= 1.")
    n = len(inst.x)
    node_of = list(range(n))  # routing node -> instance index
    reloads = 0
    if inst.reload:
        reloads = int(math.ceil(float(inst.demand.sum()) / max(inst.capacity, 1))) + fleet
        node_of += [0] * reloads
    d = inst.distance_matrix()[np.ix_(node_of, node_of)]
    cost = np.round(d * SCALE).astype(np.int64)  # exact: d has one decimal
    windows = [(int(round(inst.ready[i] * SCALE)), int(round(inst.due[i] * SCALE))) for i in node_of]
    demand = [int(round(inst.demand[i])) for i in node_of]
    for k in range(n, n + reloads):
        demand[k] = -int(inst.capacity)
    problem = RoutingProblem(
        cost=cost,
        time=cost,
        service=[int(round(inst.service[i] * SCALE)) for i in node_of],
        windows=windows,
        starts=[0] * fleet,
        ends=[0] * fleet,
        vehicle_windows=[windows[0]] * fleet,
        groups=[VisitGroup((i,), None) for i in range(1, n)]
        + [VisitGroup((k,), 0) for k in range(n, n + reloads)],
        demand=demand,
        capacity=[inst.capacity] * fleet,
        load_slack=int(inst.capacity) if reloads else 0,
    )
    res = solve_routing(problem, time_limit_s, strategies=strategies, mode=mode, probe_share=0.3)
    routes = []
    for r in res.routes:
        rr = [node_of[k] for k in r]
        while rr and rr[-1] == 0:  # a reload just before returning is pointless
            rr.pop()
        while rr and rr[0] == 0:
            rr.pop(0)
        if rr:
            routes.append(rr)
    dist, feasible = 0.0, True
    for r in routes:
        rd, ok = route_schedule(inst, r)
        dist += rd
        feasible &= ok
    unserved = n - 1 - len({c for r in routes for c in r if c != 0})
    return {
        "instance": inst.name,
        "routes": [[int(c) for c in r] for r in routes],
        "distance": round(dist + 1e-9, 1),
        "vehicles": len(routes),
        "feasible": bool(feasible and unserved == 0),
        "unserved": int(unserved),
        "strategy": res.strategy,
        "solve_s": res.solve_s,
    }
