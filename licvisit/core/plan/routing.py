"""Solve vehicle routing with time windows and optional visits using OR-Tools.

This is the one routing module: the weekly planner (vehicles = crew-nights)
and the Solomon VRPTW benchmark both build a :class:`RoutingProblem` and call
:func:`solve_routing`.  OR-Tools 9.15 exposes routing as
``ortools.constraint_solver.pywrapcp``; keeping it behind this module keeps
API churn in one place.

OR-Tools' weakness on fixed-fleet VRPTW is the *first* solution (see
FIELD_NOTES.md): with every visit mandatory, insertion heuristics often fail
outright.  So every visit is put in a disjunction - mandatory ones with a
penalty larger than any possible route - which makes a first solution always
exist; guided local search then drives the unserved count to zero.  Several
first-solution strategies are tried and the best continued.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_ils_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE

FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic

DEFAULT_STRATEGIES = (
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "PATH_CHEAPEST_ARC",
)


@dataclass(frozen=True)
class VisitGroup:
    """Alternative nodes of which at most one is visited (e.g. one premises on several nights).

    ``penalty`` is the cost of visiting none of them; ``None`` means mandatory
    (modelled as a penalty larger than any route, see module docstring).
    """

    nodes: tuple[int, ...]
    penalty: int | None


@dataclass
class RoutingProblem:
    """A routing model over nodes 0..n-1 in integer units.

    Parameters
    ----------
    cost : (n, n) int array
        Arc cost (objective) between nodes.
    time : (n, n) int array
        Travel time between nodes (service not included).
    service : per-node service time.
    windows : per-node (earliest start, latest start) of service.
    starts, ends : per-vehicle start and end node.
    vehicle_windows : per-vehicle (earliest departure, latest return).
    groups : visit groups (every non-depot node must be in exactly one).
    allowed : node -> vehicles allowed to visit it (all if absent).
    demand, capacity : optional load dimension.
    breaks : optional per-vehicle break (earliest start, latest start, duration); the
        break is placed where the vehicle is not serving a node (OR-Tools vehicle
        break intervals), and read back into ``RoutingResult.breaks``.
    """

    cost: np.ndarray
    time: np.ndarray
    service: Sequence[int]
    windows: Sequence[tuple[int, int]]
    starts: Sequence[int]
    ends: Sequence[int]
    vehicle_windows: Sequence[tuple[int, int]]
    groups: Sequence[VisitGroup]
    allowed: dict[int, list[int]] = field(default_factory=dict)
    demand: Sequence[int] | None = None
    capacity: Sequence[int] | None = None
    load_slack: int = 0  # > 0 lets a node with negative demand (a reload at the depot) empty the vehicle
    horizon: int | None = None
    # Per vehicle: (earliest start, latest start, duration) of one break with no visit in it, or None.
    breaks: Sequence[tuple[int, int, int] | None] | None = None
    # Cost of leaving a mandatory visit out; None: larger than any set of routes (the default, which
    # mode "fallback" relies on to tell an unserved mandatory visit from the objective).  A smaller
    # one (a few times the largest arc) lets guided local search work on distance (Solomon C1).
    mandatory_penalty: int | None = None

    @property
    def n_nodes(self) -> int:
        return int(self.cost.shape[0])

    @property
    def n_vehicles(self) -> int:
        return len(self.starts)


@dataclass
class RoutingResult:
    """Routes found: per vehicle the visited nodes and their service start times."""

    routes: list[list[int]]
    starts: list[list[int]]  # service start per visited node, same shape as routes
    depart: list[int]  # per vehicle: time leaving the start node
    back: list[int]  # per vehicle: time at the end node
    objective: int
    travel_cost: int
    penalty_cost: int
    dropped_groups: list[int]
    status: str
    strategy: str
    solve_s: float
    attempts: dict[str, int | None] = field(default_factory=dict)
    stopped_by: str = ""
    work: int = 0  # limit checks counted (only when a work limit is set)
    breaks: dict[int, tuple[int, int]] = field(default_factory=dict)  # vehicle -> (break start, end)


def penalty_for_mandatory(problem: RoutingProblem) -> int:
    if problem.mandatory_penalty is not None:
        return int(problem.mandatory_penalty)
    # Larger than the cost of any set of routes: every arc at its maximum.
    return int(max(1, problem.cost.max()) * (problem.n_nodes + problem.n_vehicles) * 2 + 1)


def travel_cost(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> int:
    """The arc cost of ``routes`` (per vehicle, its nodes), each from its start to its end depot."""
    total = 0
    for v, r in enumerate(routes):
        if r:
            seq = [problem.starts[v], *r, problem.ends[v]]
            total += int(sum(int(problem.cost[a, b]) for a, b in zip(seq, seq[1:], strict=False)))
    return total


def build_model(problem: RoutingProblem) -> tuple[Any, Any, Any]:
    """The OR-Tools index manager, routing model and time dimension of ``problem`` (not yet closed).

    Public for the searches built around this module's model
    (:mod:`licvisit.core.plan.ruin_recreate`); everything else calls a ``solve_*`` function.
    """
    n = problem.n_nodes
    manager = pywrapcp.RoutingIndexManager(n, problem.n_vehicles, list(problem.starts), list(problem.ends))
    model = pywrapcp.RoutingModel(manager)
    cost_cb = model.RegisterTransitMatrix(problem.cost.astype(np.int64).tolist())
    model.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    service = np.asarray(problem.service, dtype=np.int64)
    transit = problem.time.astype(np.int64) + service[:, None]
    time_cb = model.RegisterTransitMatrix(transit.tolist())
    horizon = problem.horizon
    if horizon is None:
        horizon = int(max(max(w[1] for w in problem.windows), max(w[1] for w in problem.vehicle_windows))) + 1
    model.AddDimension(time_cb, horizon, horizon, False, "time")
    tdim = model.GetDimensionOrDie("time")
    depots = set(problem.starts) | set(problem.ends)
    for node in range(n):
        if node in depots:
            continue
        lo, hi = problem.windows[node]
        tdim.CumulVar(manager.NodeToIndex(node)).SetRange(int(lo), int(hi))
    for v in range(problem.n_vehicles):
        lo, hi = problem.vehicle_windows[v]
        tdim.CumulVar(model.Start(v)).SetRange(int(lo), int(hi))
        tdim.CumulVar(model.End(v)).SetRange(int(lo), int(hi))
        model.AddVariableMinimizedByFinalizer(tdim.CumulVar(model.Start(v)))
        model.AddVariableMinimizedByFinalizer(tdim.CumulVar(model.End(v)))
    if problem.demand is not None and problem.capacity is not None:
        dem = [int(d) for d in problem.demand]
        dem_cb = model.RegisterUnaryTransitVector(dem)
        model.AddDimensionWithVehicleCapacity(
            dem_cb, int(problem.load_slack), [int(c) for c in problem.capacity], True, "load"
        )
    if problem.breaks is not None:
        solver = model.solver()
        visit_transit = [int(service[manager.IndexToNode(i)]) for i in range(model.Size())]
        for v, brk in enumerate(problem.breaks):
            if brk is None:
                continue
            lo, hi, dur = (int(x) for x in brk)
            interval = solver.FixedDurationIntervalVar(lo, hi, dur, False, f"break_{v}")
            tdim.SetBreakIntervalsOfVehicle([interval], v, visit_transit)
    big = penalty_for_mandatory(problem)
    for g in problem.groups:
        idx = [manager.NodeToIndex(i) for i in g.nodes]
        pen = big if g.penalty is None else max(0, int(g.penalty))
        model.AddDisjunction(idx, pen, 1)
    for node, vehicles in problem.allowed.items():
        # -1 keeps the node droppable (its disjunction decides whether it is visited).
        model.VehicleVar(manager.NodeToIndex(node)).SetValues([-1, *sorted(int(v) for v in vehicles)])
    return manager, model, tdim


def search_parameters(
    strategy: str,
    time_limit_s: float,
    solution_limit: int | None,
    metaheuristic: bool,
    improvement: tuple[float, int] | None = None,
) -> Any:
    """OR-Tools search parameters: ``strategy`` first, then guided local search (or greedy descent).

    ``improvement`` is (rate coefficient, solutions distance) of OR-Tools' improvement limit.
    """
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = getattr(FSS, strategy)
    if metaheuristic:
        p.local_search_metaheuristic = LSM.GUIDED_LOCAL_SEARCH
    else:
        p.local_search_metaheuristic = LSM.GREEDY_DESCENT
    if improvement is not None:
        p.improvement_limit_parameters.improvement_rate_coefficient = float(improvement[0])
        p.improvement_limit_parameters.improvement_rate_solutions_distance = int(improvement[1])
    p.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit is not None:
        p.solution_limit = int(solution_limit)
    return p


def extract_result(
    problem: RoutingProblem,
    manager: Any,
    model: Any,
    tdim: Any,
    solution: Any,
    strategy: str,
    t0: float,
    attempts: dict[str, int | None],
) -> RoutingResult:
    """Read the routes, service starts, breaks and costs of ``solution`` into a :class:`RoutingResult`."""
    routes, starts, depart, back = [], [], [], []
    travel = 0
    for v in range(problem.n_vehicles):
        idx = model.Start(v)
        depart.append(int(solution.Min(tdim.CumulVar(idx))))
        route, st = [], []
        prev = manager.IndexToNode(idx)
        idx = solution.Value(model.NextVar(idx))
        while not model.IsEnd(idx):
            node = manager.IndexToNode(idx)
            route.append(node)
            st.append(int(solution.Min(tdim.CumulVar(idx))))
            travel += int(problem.cost[prev, node])
            prev = node
            idx = solution.Value(model.NextVar(idx))
        end_node = manager.IndexToNode(idx)
        if route:
            travel += int(problem.cost[prev, end_node])
        back.append(int(solution.Min(tdim.CumulVar(idx))))
        routes.append(route)
        starts.append(st)
    served = {n for r in routes for n in r}
    dropped = [k for k, g in enumerate(problem.groups) if not served.intersection(g.nodes)]
    breaks: dict[int, tuple[int, int]] = {}
    if problem.breaks is not None:
        intervals = solution.IntervalVarContainer()
        for i in range(intervals.Size()):
            el = intervals.Element(i)
            name = el.Var().Name()
            if name.startswith("break_") and el.PerformedValue():
                breaks[int(name[6:])] = (int(el.StartValue()), int(el.StartValue() + el.DurationValue()))
    objective = int(solution.ObjectiveValue())
    return RoutingResult(
        routes=routes,
        starts=starts,
        depart=depart,
        back=back,
        objective=objective,
        travel_cost=travel,
        penalty_cost=objective - travel,
        dropped_groups=dropped,
        status="feasible",
        strategy=strategy,
        solve_s=round(time.perf_counter() - t0, 3),
        attempts=attempts,
        breaks=breaks,
    )


def solve_routing(
    problem: RoutingProblem,
    time_limit_s: float,
    *,
    strategies: Sequence[str] = DEFAULT_STRATEGIES,
    probe_share: float = 0.25,
    initial_routes: Sequence[Sequence[int]] | None = None,
    work_limit: int | None = None,
    mode: str = "continue",
) -> RoutingResult:
    """Solve ``problem`` within ``time_limit_s`` seconds.

    ``mode`` says how the first-solution strategies are used:

    - ``"continue"``: each strategy gets a short probe (``probe_share`` of the
      budget, split between them) with guided local search; the best probe
      solution is then improved by guided local search for the rest.
    - ``"restart"``: probes stop at the first local optimum (greedy descent);
      the best strategy is rerun with guided local search for the rest.
    - ``"portfolio"``: the budget is split evenly; each strategy runs guided
      local search on its share and the best result is kept.
    - ``"fallback"``: the first strategy runs guided local search on
      ``probe_share`` of the budget; when it serves every mandatory visit it
      is continued for the rest; otherwise the other strategies get a short
      probe each (``probe_share`` of the budget between them) and the best of
      all is continued.  A strategy that starts poorly but leads guided local search
      to good routes (path cheapest arc on wide time windows) keeps its lead,
      and a fixed fleet it cannot fit falls back to the insertion heuristics.
      If a mandatory visit is still unserved, half the rest is spent with
      route duration added to the cost (``time`` and ``cost`` must be in the
      same units), which packs the routes and makes room for it, and the
      distance search continues from there.

    ``work_limit`` caps the search effort, counted in the solver's limit
    checks (each phase gets its share): unlike a time limit it stops at the
    same point on any machine, so the same inputs give the same routes; the
    time limit stays as a safety cap and ``RoutingResult.stopped_by`` says
    which limit ended the search.  ``initial_routes`` (lists of nodes per
    vehicle) seed the search, e.g. to keep a previous plan.

    Returns
    -------
    RoutingResult (a solution always exists because every visit is optional).
    """
    if time_limit_s <= 0:
        raise ValueError("Expected time_limit_s > 0.")
    if mode not in ("continue", "restart", "portfolio", "fallback"):
        raise ValueError("Expected mode 'continue', 'restart', 'portfolio' or 'fallback'.")
    t0 = time.perf_counter()
    strategies = list(strategies) or ["PARALLEL_CHEAPEST_INSERTION"]
    search = _Search(problem, time_limit_s, work_limit, t0)
    if initial_routes is not None:
        from_routes = _solve_from_routes(search, initial_routes)
        if from_routes is not None:
            return from_routes
    best = _probe(search, strategies, mode, probe_share)
    if best is None:  # pragma: no cover - every node is optional, so this should not happen
        raise RuntimeError("OR-Tools found no routing solution")
    _, name, manager, model, tdim, sol, _ = best
    start_routes = None
    if mode == "fallback" and len(strategies) > 1 and best[0] >= penalty_for_mandatory(problem):
        start_routes, name = _route_duration_repair(search, name, manager, model, sol)
    if mode != "portfolio" and len(strategies) > 1:
        manager, model, tdim, sol = _improve(
            search, mode, probe_share, name, start_routes, (manager, model, tdim, sol)
        )
    res = extract_result(problem, manager, model, tdim, sol, name, t0, search.attempts)
    res.stopped_by = "work_limit" if work_limit and all(search.stopped) else "time_limit"
    res.work = search.total_work
    return res


@dataclass(frozen=True)
class IlsParams:
    """Knobs of OR-Tools' own iterated local search (:func:`solve_routing_ils`).

    Each iteration removes strings of visits around a random visit (SISR: slack
    induction by string removals, Christiaens & Vanden Berghe 2020), puts them
    back by local cheapest insertion, improves the result by greedy descent and
    accepts it by simulated annealing; the best solution seen is kept.  All of
    it runs inside OR-Tools (thousands of iterations in 30 s on Solomon instances
    against the 20-50 of the Python loop in :mod:`licvisit.core.plan.ruin_recreate`).

    Parameters
    ----------
    first_strategy : first-solution strategy (an OR-Tools ``FirstSolutionStrategy`` name).
    removed_visits : average number of visits an SISR ruin removes.
    max_sequence : longest string of consecutive visits removed from one route.
    bypass_factor : SISR's chance of keeping a visit inside a removed string.
    start_temperature, end_temperature : simulated-annealing temperatures in objective
        units; the temperature falls exponentially from the first to the second over the budget.
    operators_off : OR-Tools local search operators switched off in the descent
        (``local_search_operators`` field names, e.g. ``"use_lin_kernighan"``).
    """

    first_strategy: str = "PARALLEL_CHEAPEST_INSERTION"
    removed_visits: int = 30
    max_sequence: int = 20
    bypass_factor: float = 0.01
    start_temperature: float = 30000.0
    end_temperature: float = 300.0
    operators_off: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not hasattr(FSS, self.first_strategy):
            raise ValueError(
                f"Expected first_strategy an OR-Tools first-solution strategy, not {self.first_strategy!r}."
            )
        if self.removed_visits < 1 or self.max_sequence < 1:
            raise ValueError("Expected removed_visits >= 1 and max_sequence >= 1.")
        if not 0 <= self.bypass_factor <= 1:
            raise ValueError("Expected 0 <= bypass_factor <= 1.")
        if not self.start_temperature >= self.end_temperature > 0:
            raise ValueError("Expected start_temperature >= end_temperature > 0.")
        known = set(
            pywrapcp.DefaultRoutingSearchParameters().local_search_operators.DESCRIPTOR.fields_by_name
        )
        unknown = sorted(set(self.operators_off) - known)
        if unknown:
            raise ValueError(
                f"Expected operators_off among OR-Tools' local search operators, not {', '.join(unknown)}."
            )


def ils_search_parameters(params: IlsParams, time_limit_s: float) -> Any:
    """OR-Tools search parameters of an iterated local search with ``params`` and ``time_limit_s``."""
    p = search_parameters(params.first_strategy, time_limit_s, None, False)
    p.use_iterated_local_search = True
    ils = p.iterated_local_search_parameters
    ils.perturbation_strategy = routing_ils_pb2.PerturbationStrategy.RUIN_AND_RECREATE
    ils.improve_perturbed_solution = True
    rr = ils.ruin_recreate_parameters
    sisr = rr.ruin_strategies.add().sisr
    sisr.avg_num_removed_visits = int(params.removed_visits)
    sisr.max_removed_sequence_size = int(params.max_sequence)
    sisr.bypass_factor = float(params.bypass_factor)
    rr.recreate_strategy.heuristic = FSS.LOCAL_CHEAPEST_INSERTION
    sa = ils.reference_solution_acceptance_strategy.simulated_annealing
    sa.cooling_schedule_strategy = routing_ils_pb2.CoolingScheduleStrategy.EXPONENTIAL
    sa.initial_temperature = float(params.start_temperature)
    sa.final_temperature = float(params.end_temperature)
    ils.best_solution_acceptance_strategy.greedy_descent.SetInParent()
    for name in params.operators_off:
        setattr(p.local_search_operators, name, BOOL_FALSE)
    return p


def solve_routing_ils(
    problem: RoutingProblem,
    time_limit_s: float,
    *,
    params: IlsParams | None = None,
    solution_limit: int | None = None,
) -> RoutingResult:
    """Solve ``problem`` by OR-Tools' iterated local search (``SolveWithIteratedLocalSearch``).

    Not used by the weekly plan (which calls :func:`solve_routing`).  OR-Tools
    9.15 runs its iterated local search only through this entry point:
    ``use_iterated_local_search`` in the parameters of ``SolveWithParameters``
    stops after the first local optimum (docs/benchmarks/vrptw.md).  Its loop
    does not stop on a custom limit (the work limit of :func:`solve_routing`),
    only on the time limit or on the number of solutions found.

    Parameters
    ----------
    problem : the routing model (every visit in a disjunction, so a first solution always exists).
    time_limit_s : wall-clock budget [s]; always a cap.
    params : search knobs (defaults measured on Solomon instances).
    solution_limit : deterministic budget: solutions OR-Tools may find (each improving move of
        the descents counts); the same inputs give the same routes.

    Returns
    -------
    RoutingResult of the best solution (``strategy`` is the first-solution strategy plus ``"+ils"``,
    ``stopped_by`` ``"solution_limit"`` when the search ended before the time limit).
    """
    if time_limit_s <= 0:
        raise ValueError("Expected time_limit_s > 0.")
    prm = params or IlsParams()
    t0 = time.perf_counter()
    manager, model, tdim = build_model(problem)
    search = ils_search_parameters(prm, time_limit_s)
    if solution_limit is not None:
        search.solution_limit = max(1, int(solution_limit))
    sol = model.SolveWithIteratedLocalSearch(search)
    if sol is None:  # pragma: no cover - every node is optional, so a first solution always exists
        raise RuntimeError("OR-Tools found no routing solution")
    res = extract_result(problem, manager, model, tdim, sol, f"{prm.first_strategy}+ils", t0, {})
    ended_early = time.perf_counter() - t0 < 0.99 * time_limit_s
    res.stopped_by = "solution_limit" if solution_limit is not None and ended_early else "time_limit"
    return res


@dataclass
class _Search:
    """One call's budget and record: limits, start time, objective per strategy, phases stopped by work."""

    problem: RoutingProblem
    time_limit_s: float
    work_limit: int | None
    t0: float
    attempts: dict[str, int | None] = field(default_factory=dict)
    stopped: list[bool] = field(default_factory=list)  # per phase: did the work limit stop it
    total_work: int = 0
    used_share: float = 0.0  # of the budget, by the probes and the repair


# (objective, strategy, manager, model, time dimension, solution, work limit) of a probe
_Probe = tuple[float, str, Any, Any, Any, Any, "_WorkLimit"]
# (manager, model, time dimension, solution) of a search phase
_Phase = tuple[Any, Any, Any, Any]


def _solve_from_routes(search: _Search, initial_routes: Sequence[Sequence[int]]) -> RoutingResult | None:
    """Guided local search from ``initial_routes``; None when OR-Tools cannot read them as a solution."""
    problem, time_limit_s = search.problem, search.time_limit_s
    manager, model, tdim = build_model(problem)
    work = _WorkLimit(model, search.work_limit)
    params = search_parameters("PARALLEL_CHEAPEST_INSERTION", time_limit_s, None, True)
    model.CloseModelWithParameters(params)
    start = model.ReadAssignmentFromRoutes([list(r) for r in initial_routes], True)
    if start is None:
        return None
    sol = model.SolveFromAssignmentWithParameters(start, params) or start
    res = extract_result(problem, manager, model, tdim, sol, "previous_plan", search.t0, search.attempts)
    res.stopped_by = "work_limit" if work.reached() else "time_limit"
    res.work = work.count
    return res


def _probe(search: _Search, strategies: list[str], mode: str, probe_share: float) -> _Probe | None:
    """Run the first-solution strategies on their shares of the budget; return the best solution."""
    problem, time_limit_s, work_limit, t0 = search.problem, search.time_limit_s, search.work_limit, search.t0
    share = 1.0 / len(strategies) if mode == "portfolio" else probe_share / len(strategies)
    if len(strategies) == 1:
        share = 1.0
    plan = [(name, share) for name in strategies]  # (strategy, share of the budget)
    if mode == "fallback" and len(strategies) > 1:
        plan = [(strategies[0], probe_share)]
    best: _Probe | None = None
    k = 0
    while k < len(plan):
        name, share_k = plan[k]
        k += 1
        search.used_share += share_k
        manager, model, tdim = build_model(problem)
        work = _WorkLimit(model, work_limit * share_k if work_limit else None)
        gls = mode != "restart" or len(strategies) == 1
        # With a work limit the effort is shared out by work; time is only the overall safety cap.
        phase_s = time_limit_s - (time.perf_counter() - t0) if work_limit else time_limit_s * share_k
        sol = model.SolveWithParameters(search_parameters(name, max(0.1, phase_s), None, gls))
        search.attempts[name] = None if sol is None else int(sol.ObjectiveValue())
        search.stopped.append(work.reached())
        search.total_work += work.count
        if sol is not None and (best is None or sol.ObjectiveValue() < best[0]):
            best = (sol.ObjectiveValue(), name, manager, model, tdim, sol, work)
        if mode == "fallback" and k == 1 and len(strategies) > 1:
            # Total route cost is below the mandatory penalty, so an objective at or above
            # it means a mandatory visit is unserved: then try the other strategies.
            if sol is None or sol.ObjectiveValue() >= penalty_for_mandatory(problem):
                others = strategies[1:]
                plan += [(other, probe_share / len(others)) for other in others]
    return best


def _route_duration_repair(
    search: _Search, name: str, manager: Any, model: Any, sol: Any
) -> tuple[list[list[int]] | None, str]:
    """Half the rest of the budget with route duration as cost; the repaired routes when they serve more.

    Returns (routes to continue from or None, the strategy name).
    """
    problem, time_limit_s, work_limit, t0 = search.problem, search.time_limit_s, search.work_limit, search.t0
    start_routes = None
    # Still a mandatory visit unserved: spend half the rest with route duration counted as
    # cost (time and cost in the same units, as in VRPTW), which packs the routes and
    # leaves room for it; then the distance search continues from the repaired routes.
    share_r = max(0.0, 1.0 - search.used_share) / 2
    search.used_share += share_r
    routes = routes_of_nodes(manager, model, sol)
    m3, r3, t3 = build_model(problem)
    t3.SetSpanCostCoefficientForAllVehicles(1)
    work3 = _WorkLimit(r3, work_limit * share_r if work_limit else None)
    phase_s = time_limit_s - (time.perf_counter() - t0) if work_limit else time_limit_s * share_r
    params = search_parameters(name, max(0.1, phase_s), None, True)
    r3.CloseModelWithParameters(params)
    start = r3.ReadAssignmentFromRoutes(routes, True)
    sol3 = r3.SolveFromAssignmentWithParameters(start, params) if start is not None else None
    search.stopped.append(work3.reached())
    search.total_work += work3.count
    if sol3 is not None:
        repaired = routes_of_nodes(m3, r3, sol3)
        unserved = _unserved_mandatory(problem, repaired)
        search.attempts["route_duration_repair"] = unserved
        if unserved <= _unserved_mandatory(problem, routes):
            start_routes = repaired
            name = f"{name}+route_duration_repair"
    return start_routes, name


def _improve(
    search: _Search,
    mode: str,
    probe_share: float,
    name: str,
    start_routes: list[list[int]] | None,
    phase: _Phase,
) -> _Phase:
    """Guided local search on the rest of the budget, from the best routes (or afresh in ``restart``).

    Returns the better of ``phase`` and the improved search.
    """
    manager, model, tdim, sol = phase
    time_limit_s, work_limit, t0 = search.time_limit_s, search.work_limit, search.t0
    remaining = max(0.2, time_limit_s - (time.perf_counter() - t0))
    rest = max(0.0, 1.0 - (search.used_share if mode == "fallback" else probe_share))
    m2, r2, t2 = build_model(search.problem)
    work2 = _WorkLimit(r2, work_limit * rest if work_limit else None)
    params = search_parameters(name.split("+")[0], remaining, None, True)
    if mode in ("continue", "fallback"):
        routes = start_routes or routes_of_nodes(manager, model, sol)
        r2.CloseModelWithParameters(params)
        start = r2.ReadAssignmentFromRoutes(routes, True)
        sol2 = r2.SolveFromAssignmentWithParameters(start, params) if start is not None else None
    else:
        sol2 = r2.SolveWithParameters(params)
    search.stopped.append(work2.reached())
    search.total_work += work2.count
    if sol2 is not None and sol2.ObjectiveValue() <= sol.ObjectiveValue():
        return m2, r2, t2, sol2
    return phase


def prune_unprofitable(problem: RoutingProblem, res: RoutingResult) -> int:
    """Drop visits whose detour costs more than their penalty; return how many were dropped.

    A short search can leave such visits in (insertion heuristics place
    every visit that fits).  Removing a visit never breaks a time window
    (travel times obey the triangle inequality and windows only have
    latest starts to respect), so service start times are recomputed by an
    earliest-start pass from each vehicle's departure.  Mandatory groups are
    never dropped.
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    dropped = 0
    for v, route in enumerate(res.routes):
        changed = True
        touched = False
        while changed and route:
            changed = False
            seq = [problem.starts[v], *route, problem.ends[v]]
            best = None
            for i, node in enumerate(route):
                pen = problem.groups[group_of[node]].penalty
                if pen is None:
                    continue
                a, b = seq[i], seq[i + 2]
                saving = int(problem.cost[a, node] + problem.cost[node, b] - problem.cost[a, b]) - pen
                if saving > 0 and (best is None or saving > best[0]):
                    best = (saving, i)
            if best is not None:
                node = route.pop(best[1])
                res.starts[v].pop(best[1])
                res.dropped_groups.append(group_of[node])
                res.travel_cost -= best[0] + problem.groups[group_of[node]].penalty  # type: ignore[operator]
                res.penalty_cost += problem.groups[group_of[node]].penalty  # type: ignore[operator]
                dropped += 1
                changed = touched = True
        # With a break the remaining visits keep their times: removing a visit only frees time
        # (triangle inequality), and re-timing them could move one into the break.
        if touched and not (problem.breaks is not None and problem.breaks[v] is not None):
            t, prev = res.depart[v], problem.starts[v]
            starts = []
            for node in route:
                t = max(
                    t + int(problem.service[prev]) + int(problem.time[prev, node]),
                    int(problem.windows[node][0]),
                )
                starts.append(t)
                prev = node
            res.starts[v] = starts
            res.back[v] = t + int(problem.service[prev]) + int(problem.time[prev, problem.ends[v]])
    res.dropped_groups.sort()
    res.objective = res.travel_cost + res.penalty_cost
    return dropped


class _WorkLimit:
    """A deterministic effort limit: stop after ``n`` limit checks by the solver."""

    def __init__(self, model: Any, n: float | None) -> None:
        self.n = None if n is None else max(1, int(n))
        self.count = 0
        if self.n is not None:
            self._limit = model.solver().CustomLimit(self._check)
            model.AddSearchMonitor(self._limit)
            model._licvisit_work_limit = self  # keep the callback alive as long as the model

    def _check(self) -> bool:
        self.count += 1
        return self.count > self.n  # type: ignore[operator]

    def reached(self) -> bool:
        return self.n is not None and self.count > self.n


def _unserved_mandatory(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> int:
    served = {n for r in routes for n in r}
    return sum(1 for g in problem.groups if g.penalty is None and not served.intersection(g.nodes))


def routes_of_nodes(manager: Any, model: Any, sol: Any) -> list[list[int]]:
    """The visited nodes of each vehicle in ``sol``, in order (start and end nodes left out)."""
    routes = []
    for v in range(model.vehicles()):
        idx = sol.Value(model.NextVar(model.Start(v)))
        r = []
        while not model.IsEnd(idx):
            r.append(manager.IndexToNode(idx))
            idx = sol.Value(model.NextVar(idx))
        routes.append(r)
    return routes
