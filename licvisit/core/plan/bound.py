"""Bound the value any routing of the rostered crews could reach: a relaxation solved by CP-SAT.

The relaxation keeps what every plan must respect and drops the order of
visits: each premises is visited at most once (one alternative of its
group, on a crew allowed to make it), and each crew-night's visits fit in
its time, where a visit costs its time on site plus the shortest travel
into it from anywhere (so the route's real travel is never less).  Time
windows, the sequence and the way back are relaxed, so the optimum of this
assignment problem is at least the value of any plan for the same crews.
CP-SAT's proven bound (``best_objective_bound``) is used, so a search cut
short by its work limit still gives a valid upper bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from licvisit.core.plan.routing import RoutingProblem

SCALE = 1000  # value units -> integer


@dataclass(frozen=True)
class ValueBound:
    """Result of :func:`value_upper_bound`: the bound [value units] and how it was proven."""

    upper_bound: float
    status: str
    n_vars: int


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
    deterministic_time : CP-SAT work limit (deterministic, not wall clock).
    seed : CP-SAT random seed.
    """
    n = problem.n_nodes
    depots = set(problem.starts) | set(problem.ends)
    t = np.asarray(problem.time, dtype=np.int64)
    # The stop before a visit is a base or a visit to another premises (a group's nodes exclude
    # each other), so the shortest travel into a node is taken over those only.
    group = np.full(n, -1)
    for gi, g in enumerate(problem.groups):
        group[list(g.nodes)] = gi
    same = (group[:, None] == group[None, :]) & (group[:, None] >= 0)
    same |= np.eye(n, dtype=bool)
    min_in = np.where(same, t.max() + 1, t).min(axis=0)
    m = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for g in problem.groups:
        for node in g.nodes:
            if node in depots:
                continue
            for v in problem.allowed.get(node, range(problem.n_vehicles)):
                x[(node, v)] = m.new_bool_var(f"x_{node}_{v}")
    for gi, g in enumerate(problem.groups):
        terms = [x[(node, v)] for node in g.nodes for v in range(problem.n_vehicles) if (node, v) in x]
        if terms:
            m.add(sum(terms) <= 1).with_name(f"once_{gi}")
    by_v: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    for (node, v), var in x.items():
        by_v.setdefault(v, []).append((int(problem.service[node]) + int(min_in[node]), var))
    for v, items in by_v.items():
        m.add(sum(w * var for w, var in items) <= max(0, int(capacity_min[v])))
    m.maximize(sum(int(round(SCALE * node_value.get(node, 0.0))) * var for (node, _), var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(seed)
    solver.parameters.max_deterministic_time = float(deterministic_time)
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = solver.best_objective_bound / SCALE
    else:  # pragma: no cover - the empty assignment is always feasible
        bound = sum(node_value.values())
    return ValueBound(round(float(bound), 4), solver.status_name(status), len(x))


__all__ = ["ValueBound", "value_upper_bound"]
