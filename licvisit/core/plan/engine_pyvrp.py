"""Solve a RoutingProblem with PyVRP (0.14), returning the RoutingResult OR-Tools' solver returns.

This is a second routing engine behind the one :class:`RoutingProblem`
interface, used by ``benchmarks/bench_engines.py`` to compare PyVRP with
OR-Tools on the weekly plan itself (same candidates, crews and windows).
PyVRP is an optional dependency (the ``bench`` extra) and is imported only
inside :func:`solve_routing_pyvrp`.

How the model maps onto PyVRP:

- each vehicle (crew-night) is its own vehicle type with its start and end
  depot and its shift as the type's time window (leave after its start,
  back by its end);
- every non-depot node is an optional client with its service time and
  window; a visit group of several nodes is a PyVRP mutually exclusive
  client group (at most one visited).  Each node's prize is its group's
  penalty (a mandatory group's is larger than any set of routes, as in
  :mod:`licvisit.core.plan.routing`), so PyVRP's "uncollected prizes" differ
  from OR-Tools' dropped-group penalties by a constant only;
- ``allowed`` (node -> vehicles) becomes routing profiles: in a vehicle's
  profile every arc into a node it may not visit takes longer than the
  horizon, so no feasible route reaches it.  Vehicles whose forbidden nodes
  do not conflict within their shifts (crews of different nights) share a
  profile, which keeps the number of matrices near the crews of one night;
- the arc cost (``cost``, which carries the planner's extra charge for a
  lesser alternative of a premises) is PyVRP's distance, ``time`` its
  duration.

PyVRP 0.14 has no vehicle breaks (a pause placed anywhere between visits)
and no reload slack: problems that use them are refused.  The weekly
planner places breaks after the search (``_place_breaks``), so its problems
have none.

Service start times are not taken from PyVRP's schedule: they are
recomputed by an earliest-start pass from each crew's shift start, exactly
the schedule OR-Tools' solution reports, and any visit that pass finds out
of its window is left out (counted in ``attempts["pyvrp_repaired"]``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from licvisit.core.plan.routing import RoutingProblem, RoutingResult, penalty_for_mandatory, travel_cost

PYVRP_MISSING = (
    "The PyVRP routing engine needs the pyvrp package, which is not installed. "
    "Fix: pip install -e '.[bench]' (or pip install 'pyvrp>=0.14'), or use engine = \"ortools\"."
)


def solve_routing_pyvrp(
    problem: RoutingProblem,
    time_limit_s: float,
    *,
    seed: int = 0,
    max_iterations: int | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
) -> RoutingResult:
    """Solve ``problem`` with PyVRP's iterated local search within ``time_limit_s`` seconds.

    Parameters
    ----------
    problem : the routing model (no breaks, no reload slack).
    time_limit_s : wall-time limit of the search [s].
    seed : PyVRP's random seed.
    max_iterations : stop after this many iterations as well (the same routes on any
        machine for one seed, unlike the time limit); ``stopped_by`` says which stopped it.
    initial_routes : per vehicle, nodes to start the search from (e.g. greedy routes).

    Returns
    -------
    RoutingResult with ``strategy`` "pyvrp" and times by an earliest-start pass.

    Raises
    ------
    ValueError
        When the problem has breaks or reload slack, or ``time_limit_s <= 0``.
    ImportError
        When pyvrp is not installed (the message names the fix).
    """
    if time_limit_s <= 0:
        raise ValueError("Expected time_limit_s > 0.")
    if problem.breaks is not None and any(b is not None for b in problem.breaks):
        raise ValueError("PyVRP 0.14 cannot model a vehicle break; place breaks after the search.")
    if problem.load_slack:
        raise ValueError("PyVRP 0.14 engine: reload slack (load_slack > 0) is not supported.")
    try:
        import pyvrp
        from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(PYVRP_MISSING) from exc
    t0 = time.perf_counter()
    data, order = _problem_data(pyvrp, problem)
    stop: Any = MaxRuntime(float(time_limit_s))
    if max_iterations is not None:
        stop = MultipleCriteria([MaxIterations(int(max_iterations)), stop])
    clients = order[data.num_depots :]  # PyVRP numbers clients from 0, after the depots' locations
    initial = None
    if initial_routes is not None and any(initial_routes):
        index = {node: k for k, node in enumerate(clients)}
        initial = pyvrp.Solution(
            data, [pyvrp.Route(data, [index[n] for n in r], v) for v, r in enumerate(initial_routes) if r]
        )
    res = pyvrp.solve(data, stop, seed=int(seed), display=False, initial_solution=initial)
    routes: list[list[int]] = [[] for _ in range(problem.n_vehicles)]
    for r in res.best.routes():
        routes[int(r.vehicle_type())] = [clients[int(a.idx)] for a in r.schedule() if a.is_client()]
    result = result_from_routes(problem, routes, "pyvrp", t0)
    result.attempts["pyvrp_cost"] = int(res.cost()) if res.best.is_feasible() else None
    stopped_early = max_iterations is not None and res.num_iterations >= int(max_iterations)
    result.stopped_by = "work_limit" if stopped_early else "time_limit"
    result.work = int(res.num_iterations)
    return result


def _problem_data(pyvrp: Any, problem: RoutingProblem) -> tuple[Any, list[int]]:
    """PyVRP's ProblemData of ``problem`` and its locations as problem nodes (depots first)."""
    depots = sorted(set(problem.starts) | set(problem.ends))
    dset = set(depots)
    clients = [n for n in range(problem.n_nodes) if n not in dset]
    order = depots + clients
    pos = {node: k for k, node in enumerate(order)}
    horizon = _horizon(problem)
    big = penalty_for_mandatory(problem)
    group_of: dict[int, int] = {}
    pv_groups: list[Any] = []
    for g in problem.groups:
        if len(g.nodes) > 1:
            group_of.update({n: len(pv_groups) for n in g.nodes})
            pv_groups.append(pyvrp.ClientGroup([pos[n] - len(depots) for n in g.nodes], required=False))
    prize = {
        n: (big if g.penalty is None else max(0, int(g.penalty))) for g in problem.groups for n in g.nodes
    }
    has_load = problem.demand is not None and problem.capacity is not None
    demand = [int(d) for d in problem.demand] if has_load and problem.demand is not None else []
    locations = [pyvrp.Location(0, 0) for _ in order]
    pv_depots = [pyvrp.Depot(k, 0, horizon) for k in range(len(depots))]
    pv_clients = [
        pyvrp.Client(
            pos[n],
            delivery=[demand[n]] if has_load else [],
            service_duration=int(problem.service[n]),
            tw_early=int(problem.windows[n][0]),
            tw_late=int(problem.windows[n][1]),
            prize=prize.get(n, 0),
            required=False,
            group=group_of.get(n),
        )
        for n in clients
    ]
    dist = problem.cost[np.ix_(order, order)].astype(np.int64)
    dur = problem.time[np.ix_(order, order)].astype(np.int64)
    # PyVRP wants no self loops; the planner's extra charge for a lesser alternative is on the diagonal too.
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    # Service is PyVRP's own (at the client), so durations are travel only, as in the problem.
    profile_of, forbidden = vehicle_profiles(problem)
    dists, durs = [], []
    never = max(1, int(problem.cost.max())) * (problem.n_nodes + 1)
    for nodes in forbidden:
        d, t = dist.copy(), dur.copy()
        cols = [pos[n] for n in sorted(nodes)]
        if cols:
            d[:, cols] = never
            t[:, cols] = horizon + 1
            np.fill_diagonal(d, 0)
            np.fill_diagonal(t, 0)
        dists.append(d)
        durs.append(t)
    capacity = [int(c) for c in problem.capacity] if has_load and problem.capacity is not None else None
    vtypes = [
        pyvrp.VehicleType(
            1,
            capacity=[capacity[v]] if capacity is not None else [],
            start_depot=pos[problem.starts[v]],
            end_depot=pos[problem.ends[v]],
            tw_early=int(problem.vehicle_windows[v][0]),
            tw_late=int(problem.vehicle_windows[v][1]),
            profile=profile_of[v],
            name=str(v),
        )
        for v in range(problem.n_vehicles)
    ]
    data = pyvrp.ProblemData(locations, pv_clients, pv_depots, vtypes, dists, durs, pv_groups)
    return data, order


def _horizon(problem: RoutingProblem) -> int:
    if problem.horizon is not None:
        return int(problem.horizon)
    return int(max(max(w[1] for w in problem.windows), max(w[1] for w in problem.vehicle_windows))) + 1


def vehicle_profiles(problem: RoutingProblem) -> tuple[list[int], list[set[int]]]:
    """Share routing profiles between vehicles whose forbidden nodes do not conflict.

    A vehicle's forbidden nodes are those ``allowed`` keeps from it whose window
    meets its shift (the others are out of its reach anyway).  Vehicles join
    the first profile where no member may visit a node the newcomer may not,
    within the newcomer's shift, and the other way round; the profile forbids
    the union of its members' nodes.

    Returns
    -------
    (profile per vehicle, forbidden nodes per profile)
    """
    reach: list[set[int]] = []
    forbid: list[set[int]] = []
    nodes = list(problem.allowed)
    for v in range(problem.n_vehicles):
        lo, hi = problem.vehicle_windows[v]
        r = {n for n in nodes if problem.windows[n][1] >= lo and problem.windows[n][0] <= hi}
        reach.append(r)
        forbid.append({n for n in r if v not in problem.allowed[n]})
    profile_of: list[int] = []
    members: list[list[int]] = []
    forbidden: list[set[int]] = []
    for v in range(problem.n_vehicles):
        for p, ms in enumerate(members):
            if all(forbidden[p] & reach[v] <= forbid[v] and forbid[v] & reach[u] <= forbid[u] for u in ms):
                ms.append(v)
                forbidden[p] |= forbid[v]
                profile_of.append(p)
                break
        else:
            members.append([v])
            forbidden.append(set(forbid[v]))
            profile_of.append(len(members) - 1)
    return profile_of, forbidden


def result_from_routes(
    problem: RoutingProblem, routes: list[list[int]], strategy: str, t0: float
) -> RoutingResult:
    """A RoutingResult of ``routes`` with earliest service starts; visits that do not fit are left out.

    Each route is timed from its vehicle's earliest departure; a visit whose
    window has closed on arrival, or after which the crew could not be back
    by its shift's end, is removed (counted in ``attempts["pyvrp_repaired"]``)
    -- a feasible route from the solver never has one.
    """
    starts: list[list[int]] = []
    depart: list[int] = []
    back: list[int] = []
    repaired = 0
    for v, route in enumerate(routes):
        lo = int(problem.vehicle_windows[v][0])
        while True:
            st, late = _earliest_starts(problem, v, route)
            if late is None:
                break
            route.pop(late)
            repaired += 1
        starts.append(st)
        depart.append(lo)
        back.append(_back(problem, v, route, st) if route else lo)
    travel = travel_cost(problem, routes)
    served = {n for r in routes for n in r}
    big = penalty_for_mandatory(problem)
    dropped = [k for k, g in enumerate(problem.groups) if not served.intersection(g.nodes)]
    penalty = sum(
        big if problem.groups[k].penalty is None else int(problem.groups[k].penalty or 0) for k in dropped
    )
    return RoutingResult(
        routes=routes,
        starts=starts,
        depart=depart,
        back=back,
        objective=travel + penalty,
        travel_cost=travel,
        penalty_cost=penalty,
        dropped_groups=dropped,
        status="feasible",
        strategy=strategy,
        solve_s=round(time.perf_counter() - t0, 3),
        attempts={"pyvrp_repaired": repaired},
    )


def _earliest_starts(problem: RoutingProblem, v: int, route: list[int]) -> tuple[list[int], int | None]:
    """Service starts of ``route`` from the shift start, and the first visit that does not fit (or None)."""
    lo, hi = (int(x) for x in problem.vehicle_windows[v])
    t, prev = lo, problem.starts[v]
    st: list[int] = []
    for k, node in enumerate(route):
        t = max(t + int(problem.service[prev]) + int(problem.time[prev, node]), int(problem.windows[node][0]))
        if t > int(problem.windows[node][1]):
            return st, k
        st.append(t)
        prev = node
    if route and _back(problem, v, route, st) > hi:
        return st, len(route) - 1
    return st, None


def _back(problem: RoutingProblem, v: int, route: list[int], st: list[int]) -> int:
    last = route[-1]
    return st[-1] + int(problem.service[last]) + int(problem.time[last, problem.ends[v]])
