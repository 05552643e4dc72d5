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
import time

import numpy as np

from licvisit.core.plan.routing import (
    IlsParams,
    RoutingProblem,
    RoutingResult,
    VisitGroup,
    solve_routing,
    solve_routing_ils,
)
from licvisit.core.plan.ruin_recreate import ruin_and_recreate
from licvisit.domain import VrptwInstance

# Modes "fallback", "continue", ...: path cheapest arc first (guided local search does best from it
# on wide windows); when it cannot fit every customer into the fixed fleet, the insertion heuristics
# and savings take over.
VRPTW_STRATEGIES = ("PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION", "SAVINGS", "LOCAL_CHEAPEST_INSERTION")
SCALE = 1000  # integer units per instance unit; large so guided local search penalties do not round to 0
# Mode "ils" (the default): OR-Tools' own iterated local search on ILS_SHARE of the budget, then the
# Python ruin and recreate from its routes on the rest, which also serves a customer the ILS left out
# (docs/benchmarks/vrptw.md).  Temperatures in instance distance units (SCALE per unit).
ILS_SHARE = 0.95
ILS_PARAMS = IlsParams(start_temperature=30.0 * SCALE, end_temperature=0.3 * SCALE)
# Mode "ruin_recreate": guided local search from parallel cheapest insertion on RR_FIRST_SHARE of
# the budget, then ruin and recreate on the rest.
RR_FIRST_STRATEGY = "PARALLEL_CHEAPEST_INSERTION"
RR_FIRST_SHARE = 0.1
# Mandatory penalty in modes "ils" and "ruin_recreate", in largest arcs: the default (larger than any
# set of routes) made guided local search stall on C1 (C103 980.0 against 826.3 at 10 s).
RR_PENALTY_ARCS = 40
MODES = ("ils", "ruin_recreate", "fallback", "continue", "restart", "portfolio")


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
    mode: str = "ils",
    work_limit: int | None = None,
) -> dict:
    """Solve ``inst`` minimising total distance with at most ``vehicles`` vehicles.

    Multi-trip instances (VRPLIB ``VEHICLES_RELOAD_DEPOT_SECTION``) get
    optional reload nodes at the depot that empty the vehicle; reloads appear
    as 0 inside a route, as in the instances' solution files.

    Parameters
    ----------
    inst : the instance.
    time_limit_s : wall-clock budget [s].
    vehicles : fleet (default: the instance's).
    seed : seed of the ruin-and-recreate removals (mode ``"ruin_recreate"``).
    strategies : first-solution strategies of the other modes.
    mode : ``"ils"`` (default: :func:`~licvisit.core.plan.routing.solve_routing_ils`,
        then :func:`~licvisit.core.plan.ruin_recreate.ruin_and_recreate` from its routes),
        ``"ruin_recreate"`` (guided local search from parallel cheapest insertion, then
        ruin and recreate) or one of :func:`~licvisit.core.plan.routing.solve_routing`'s
        modes with ``strategies``.
    work_limit : deterministic budget (same inputs and seed give the same routes);
        ``time_limit_s`` stays a cap.  Counted in solver limit checks, except for the
        iterated local search of mode ``"ils"``, which OR-Tools stops only by its
        solution limit: there ``work_limit // 100`` solutions (each improving move counts).

    Returns
    -------
    dict with ``routes`` (customer numbers, depot 0 left out at both ends),
    ``distance`` (one decimal), ``vehicles`` (routes used), ``feasible``
    (every customer served and every route feasible, checked again in floating
    point), ``unserved``, ``strategy``, ``solve_s`` and ``stopped_by``.
    The defaults were chosen by measurement (docs/benchmarks/vrptw.md).
    """
    if mode not in MODES:
        raise ValueError(f"Expected mode one of {', '.join(MODES)}.")
    fleet = int(vehicles or inst.vehicles)
    if fleet < 1:
        raise ValueError("Expected vehicles >= 1.")
    n = len(inst.x)
    problem, node_of = vrptw_problem(inst, fleet)
    if mode in ("ils", "ruin_recreate"):
        problem.mandatory_penalty = int(problem.cost.max()) * RR_PENALTY_ARCS + 1
    if mode == "ils":
        res = _solve_ils(problem, time_limit_s, seed, work_limit)
    elif mode == "ruin_recreate":
        res = _solve_ruin_recreate(problem, time_limit_s, seed, work_limit)
    else:
        res = solve_routing(
            problem, time_limit_s, strategies=strategies, mode=mode, probe_share=0.3, work_limit=work_limit
        )
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
        "stopped_by": res.stopped_by,
    }


def _solve_ils(
    problem: RoutingProblem, time_limit_s: float, seed: int, work_limit: int | None
) -> RoutingResult:
    """OR-Tools' iterated local search on the first share of the budget, ruin and recreate on the rest.

    The loop starts from the search's routes and keeps the best it sees, so it never returns worse ones.
    """
    t0 = time.perf_counter()
    first = solve_routing_ils(
        problem,
        time_limit_s * ILS_SHARE,
        params=ILS_PARAMS,
        solution_limit=max(1, int(work_limit * ILS_SHARE) // 100) if work_limit else None,
    )
    left_s = max(0.1, time_limit_s - (time.perf_counter() - t0))
    rest_work = max(1, int(work_limit * (1 - ILS_SHARE))) if work_limit else None
    res = ruin_and_recreate(problem, first.routes, left_s, seed=seed, work_limit=rest_work)
    res.strategy = f"{first.strategy}+ruin_recreate"
    res.solve_s = round(time.perf_counter() - t0, 3)
    both = first.stopped_by == "solution_limit" and res.stopped_by == "work_limit"
    res.stopped_by = "work_limit" if work_limit and both else "time_limit"
    return res


def _solve_ruin_recreate(
    problem: RoutingProblem, time_limit_s: float, seed: int, work_limit: int | None
) -> RoutingResult:
    """Guided local search on the first share of the budget, ruin and recreate from its routes on the rest."""
    t0 = time.perf_counter()
    first_work = int(work_limit * RR_FIRST_SHARE) if work_limit else None
    first = solve_routing(
        problem, time_limit_s * RR_FIRST_SHARE, strategies=(RR_FIRST_STRATEGY,), work_limit=first_work
    )
    left_s = max(0.1, time_limit_s - (time.perf_counter() - t0))
    rest_work = max(1, work_limit - first.work) if work_limit else None
    res = ruin_and_recreate(problem, first.routes, left_s, seed=seed, work_limit=rest_work)
    res.strategy = f"{RR_FIRST_STRATEGY}+ruin_recreate"
    res.solve_s = round(time.perf_counter() - t0, 3)
    if work_limit and first.stopped_by == "work_limit" and res.stopped_by == "work_limit":
        res.stopped_by = "work_limit"
    elif work_limit:
        res.stopped_by = "time_limit"
    res.work += first.work
    return res


def vrptw_problem(inst: VrptwInstance, fleet: int) -> tuple[RoutingProblem, list[int]]:
    """The routing model of ``inst`` with ``fleet`` vehicles and the instance index of each routing node.

    Distances in integer thousandths (exact: they have one decimal); multi-trip
    instances get optional reload nodes at the depot (demand minus the capacity).
    """
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
    return problem, node_of
