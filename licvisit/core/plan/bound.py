"""Bound the value any routing of the rostered crews could reach: a relaxation solved by LP and CP-SAT.

The relaxation keeps what every plan must respect and drops the order of
visits: each premises is visited at most once (one alternative of its
group, on a crew allowed to make it), and each crew-night's visits fit in
its time, where a visit costs its time on site plus the shortest travel
into it from anywhere (so the route's real travel is never less).  Time
windows are kept only as cuts on each crew's timeline: the visits that must
be over by a time T, each with its shortest travel in, fit between the
start of the shift and T; the visits that cannot start before T, each with
its shortest travel out, fit between T and the end of the shift.  The
sequence and the way back are otherwise relaxed, so the optimum of this
assignment problem is at least the value of any plan for the same crews.

The linear relaxation (GLOP, exact and fast) is a valid bound on its own;
CP-SAT then searches the integer problem under that bound within a
deterministic time, and its proven bound is used when it is tighter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from licvisit.core.plan.routing import RoutingProblem

SCALE = 1000  # value units -> integer


@dataclass(frozen=True)
class ValueBound:
    """Result of :func:`value_upper_bound`: the bound [value units] and how it was proven."""

    upper_bound: float
    status: str
    n_vars: int
    n_cuts: int = 0


@dataclass(frozen=True)
class _Relaxation:
    """The assignment relaxation as rows ``sum(coef * x[i]) <= rhs`` over boolean ``x``."""

    keys: list[tuple[int, int]]  # (node, vehicle) per variable
    rows: list[tuple[list[tuple[int, int]], int]]
    value: list[int]  # objective coefficient per variable [value / SCALE]
    n_cuts: int


def optimality_gap(value: float, upper: float) -> float:
    """How far ``value`` is below the bound ``upper``, as a share of the bound (0 when the bound is 0)."""
    return round((upper - value) / upper, 4) if upper > 0 else 0.0


def value_upper_bound(
    problem: RoutingProblem,
    node_value: dict[int, float],
    capacity_min: Sequence[int],
    *,
    deterministic_time: float = 5.0,
    seed: int = 0,
) -> ValueBound:
    """Return an upper bound on the total value any set of routes of ``problem`` can serve.

    Parameters
    ----------
    problem : the routing model (groups, allowed vehicles, service and travel times [min]).
    node_value : value of serving each visit node [value units].
    capacity_min : per vehicle, the minutes it can spend visiting (its shift less its break) [min].
    deterministic_time : CP-SAT work limit (deterministic, not wall clock); 0 = the LP bound only.
    seed : CP-SAT random seed.
    """
    rel = _relaxation(problem, node_value, capacity_min)
    if not rel.keys:
        return ValueBound(0.0, "OPTIMAL", 0, 0)
    lp, lp_x = _solve_lp(rel)
    if deterministic_time <= 0:  # the linear bound only
        return ValueBound(round(lp / SCALE, 4), "LP_BOUND", len(rel.keys), rel.n_cuts)
    upper, status = _solve_integer(rel, lp, lp_x, deterministic_time, seed)
    return ValueBound(round(upper / SCALE, 4), status, len(rel.keys), rel.n_cuts)


def _relaxation(
    problem: RoutingProblem, node_value: dict[int, float], capacity_min: Sequence[int]
) -> _Relaxation:
    """Build the rows: one visit per premises, each crew's capacity, and its time-window cuts."""
    n = problem.n_nodes
    depots = set(problem.starts) | set(problem.ends)
    t = np.asarray(problem.time, dtype=np.int64)
    # The stop before (after) a visit is a base or a visit to another premises (a group's nodes
    # exclude each other), so the shortest travel in (out) is taken over those only.
    group = np.full(n, -1)
    for gi, g in enumerate(problem.groups):
        group[list(g.nodes)] = gi
    same = (group[:, None] == group[None, :]) & (group[:, None] >= 0)
    same |= np.eye(n, dtype=bool)
    far = np.where(same, t.max() + 1, t)
    min_in, min_out = far.min(axis=0), far.min(axis=1)
    keys: list[tuple[int, int]] = []
    for g in problem.groups:
        for node in g.nodes:
            if node not in depots:
                keys.extend((node, v) for v in problem.allowed.get(node, range(problem.n_vehicles)))
    index = {k: i for i, k in enumerate(keys)}
    rows: list[tuple[list[tuple[int, int]], int]] = []
    for g in problem.groups:
        terms = [(index[(nd, v)], 1) for nd in g.nodes for v in range(problem.n_vehicles) if (nd, v) in index]
        if terms:
            rows.append((terms, 1))
    by_v: dict[int, list[tuple[int, int]]] = {}
    for (node, v), i in index.items():
        by_v.setdefault(v, []).append((node, i))
    n_cuts = 0
    for v, items in sorted(by_v.items()):
        svc = {nd: int(problem.service[nd]) for nd, _ in items}
        rows.append(([(i, svc[nd] + int(min_in[nd])) for nd, i in items], max(0, int(capacity_min[v]))))
        cuts = _window_cuts(problem, v, items, svc, min_in, min_out)
        rows.extend(cuts)
        n_cuts += len(cuts)
    value = [int(round(SCALE * node_value.get(nd, 0.0))) for nd, _ in keys]
    return _Relaxation(keys, rows, value, n_cuts)


def _window_cuts(
    problem: RoutingProblem,
    v: int,
    items: list[tuple[int, int]],
    svc: dict[int, int],
    min_in: np.ndarray,
    min_out: np.ndarray,
) -> list[tuple[list[tuple[int, int]], int]]:
    """Time-window cuts on crew ``v``'s timeline (only those that can bind)."""
    lo_v, hi_v = (int(x) for x in problem.vehicle_windows[v])
    win = {nd: (int(problem.windows[nd][0]), int(problem.windows[nd][1])) for nd, _ in items}
    out = []
    # Visits over by T (latest start + time on site <= T), each with its travel in, after the start.
    for cut in sorted({win[nd][1] + svc[nd] for nd, _ in items}):
        if cut >= hi_v:
            break
        terms = [(i, svc[nd] + int(min_in[nd])) for nd, i in items if win[nd][1] + svc[nd] <= cut]
        if sum(c for _, c in terms) > cut - lo_v:
            out.append((terms, max(0, cut - lo_v)))
    # Visits starting at T or later, each with its travel out, before the end of the shift.
    for cut in sorted({win[nd][0] for nd, _ in items}):
        if cut <= lo_v:
            continue
        terms = [(i, svc[nd] + int(min_out[nd])) for nd, i in items if win[nd][0] >= cut]
        if sum(c for _, c in terms) > hi_v - cut:
            out.append((terms, max(0, hi_v - cut)))
    return out


def _solve_lp(rel: _Relaxation) -> tuple[int, list[float]]:
    """The linear relaxation's optimum, rounded up [value / SCALE] (a valid bound), and its solution."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    xs = [solver.NumVar(0.0, 1.0, f"x{i}") for i in range(len(rel.keys))]
    for r, (terms, rhs) in enumerate(rel.rows):
        ct = solver.Constraint(-solver.infinity(), float(rhs), f"r{r}")
        for i, c in terms:
            ct.SetCoefficient(xs[i], float(c))
    obj = solver.Objective()
    for x, c in zip(xs, rel.value, strict=True):
        obj.SetCoefficient(x, float(c))
    obj.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:  # pragma: no cover - x = 0 is feasible and bounded
        return sum(rel.value), [0.0] * len(xs)
    # Rounded up (an optimum within the simplex's tolerance of a whole unit is that unit).
    val = obj.Value()
    upper = min(sum(rel.value), round(val) if abs(val - round(val)) < 1e-6 else math.ceil(val))
    return upper, [x.solution_value() for x in xs]


def _solve_integer(
    rel: _Relaxation, lp_bound: int, lp_x: list[float], deterministic_time: float, seed: int
) -> tuple[int, str]:
    """CP-SAT on the integer problem, capped by the LP bound; return (bound, how it was proven).

    The LP's whole assignments are the hint: when they already reach the LP bound, the bound is
    proven optimal at once.
    """
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x_{node}_{v}") for node, v in rel.keys]
    for terms, rhs in rel.rows:
        m.add(sum(c * x[i] for i, c in terms) <= rhs)
    total = sum(c * xi for c, xi in zip(rel.value, x, strict=True))
    m.add(total <= lp_bound)
    m.maximize(total)
    for xi, val in zip(x, lp_x, strict=True):
        m.add_hint(xi, 1 if val > 1 - 1e-6 else 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(seed)
    solver.parameters.max_deterministic_time = float(deterministic_time)
    status = solver.solve(m)
    if status == cp_model.OPTIMAL:
        return int(round(solver.objective_value)), "OPTIMAL"
    if status == cp_model.FEASIBLE and solver.best_objective_bound < lp_bound:
        return int(math.ceil(solver.best_objective_bound)), "FEASIBLE"
    return lp_bound, "LP_BOUND"


__all__ = ["ValueBound", "optimality_gap", "value_upper_bound"]
