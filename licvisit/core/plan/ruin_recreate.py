"""Improve routes by ruin and recreate around OR-Tools' local search (an iterated local search).

Guided local search in OR-Tools stalls on tight fixed-fleet VRPTW: on R107
with 11 vehicles it keeps the same routes for most of a 30 s budget
(docs/benchmarks/vrptw.md).  This outer loop perturbs the current routes
instead: it removes a group of visits that lie close together (a random
two thirds of the ``neighbours`` nodes nearest to a random seed node, by
arc cost), then lets OR-Tools' greedy descent from the rest re-insert them
and repair the routes (its insertion operators put unperformed visits back,
which is what makes a customer that no route could take fit in the end).
The new routes replace the current ones by simulated annealing on the
objective (travel cost plus penalties); the best routes seen are returned.
OR-Tools' own iterated local search runs only through
``SolveWithIteratedLocalSearch`` (:func:`~licvisit.core.plan.routing.solve_routing_ils`);
:func:`~licvisit.core.plan.vrptw.solve_vrptw` runs it first and this loop on the
rest of the budget, from its routes.

With a work limit the loop is deterministic: the random generator is seeded,
each descent gets the work that is left, and the annealing temperature
follows the work spent, not the clock.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from licvisit.core.plan.routing import (
    RoutingProblem,
    RoutingResult,
    build_model,
    extract_result,
    routes_of_nodes,
    search_parameters,
    travel_cost,
)


@dataclass(frozen=True)
class RuinRecreateParams:
    """Search knobs of :func:`ruin_and_recreate`.

    Parameters
    ----------
    neighbours : smallest size of the group around the seed node from which visits are removed.
    route_share : the group is this many times the average number of visits per used route, at
        least ``neighbours`` and at most ``max_neighbours``: long routes need larger removals
        (RC208, 4 routes of 25, 20 s: 0.84 % above best known with 30 against 5.59 % with 15).
    max_neighbours : cap of the group size.
    remove_share : share of that group removed per iteration.
    step_s : time cap of one step [s]; a greedy descent normally ends at its local optimum first,
        guided local search always runs to it.  With a work limit, each guided-local-search step gets
        the same share of it instead, as if the budget were ``time_limit_s / step_s`` steps.
    start_temperature, end_temperature : annealing temperatures as shares of the starting travel
        cost; the temperature falls exponentially from the first to the second over the budget.
    metaheuristic : ``"GREEDY_DESCENT"`` (each step stops at a local optimum) or
        ``"GUIDED_LOCAL_SEARCH"`` (each step searches on for ``step_s``).
    """

    neighbours: int = 15
    route_share: float = 1.2
    max_neighbours: int = 40
    remove_share: float = 2 / 3
    step_s: float = 1.0
    start_temperature: float = 0.002
    end_temperature: float = 0.00005
    metaheuristic: str = "GREEDY_DESCENT"

    def __post_init__(self) -> None:
        if not 1 <= self.neighbours <= self.max_neighbours:
            raise ValueError("Expected 1 <= neighbours <= max_neighbours.")
        if self.route_share < 0:
            raise ValueError("Expected route_share >= 0.")
        if not 0 < self.remove_share <= 1:
            raise ValueError("Expected 0 < remove_share <= 1.")
        if self.step_s <= 0:
            raise ValueError("Expected step_s > 0.")
        if not self.start_temperature >= self.end_temperature > 0:
            raise ValueError("Expected start_temperature >= end_temperature > 0.")
        if self.metaheuristic not in ("GREEDY_DESCENT", "GUIDED_LOCAL_SEARCH"):
            raise ValueError("Expected metaheuristic 'GREEDY_DESCENT' or 'GUIDED_LOCAL_SEARCH'.")


def ruin_and_recreate(
    problem: RoutingProblem,
    routes: Sequence[Sequence[int]],
    time_limit_s: float,
    *,
    seed: int = 0,
    work_limit: int | None = None,
    params: RuinRecreateParams | None = None,
) -> RoutingResult:
    """Improve ``routes`` (nodes per vehicle) of ``problem`` by ruin and recreate.

    Parameters
    ----------
    problem : the routing model.
    routes : starting routes, one list of nodes per vehicle (a vehicle may be empty).
    time_limit_s : wall-clock budget [s]; always a cap, even with a work limit.
    seed : seed of the removals and of the acceptance draws.
    work_limit : deterministic budget in the solver's limit checks, summed over the descents.
    params : search knobs (defaults measured on Solomon instances, docs/benchmarks/vrptw.md).

    Returns
    -------
    RoutingResult of the best routes seen (``strategy`` is ``"ruin_recreate"``,
    ``attempts`` holds the iteration and acceptance counts).

    Raises
    ------
    ValueError
        When ``time_limit_s`` is not positive or ``routes`` cannot be read as a solution.
    """
    if time_limit_s <= 0:
        raise ValueError("Expected time_limit_s > 0.")
    prm = params or RuinRecreateParams()
    t0 = time.perf_counter()
    gls = prm.metaheuristic == "GUIDED_LOCAL_SEARCH"
    search = search_parameters("PARALLEL_CHEAPEST_INSERTION", min(prm.step_s, time_limit_s), None, gls)
    # Guided local search never stops by itself: with a work limit each step gets its share of it.
    step_work = max(1, int(work_limit * min(1.0, prm.step_s / time_limit_s))) if work_limit and gls else None
    closed = _Closed(problem, search, work_limit, step_work)
    start = closed.model.ReadAssignmentFromRoutes([list(r) for r in routes], True)
    if start is None:
        raise ValueError("Expected routes that OR-Tools can read as a solution of the problem.")
    current = closed.model.SolveFromAssignmentWithParameters(start, search) or start
    best_obj = cur_obj = int(current.ObjectiveValue())
    cur_routes = routes_of_nodes(closed.manager, closed.model, current)
    best = (closed, closed.model.solver().Assignment(current))
    fixed = set(problem.starts) | set(problem.ends)
    movable = [i for i in range(problem.n_nodes) if i not in fixed]
    order = np.argsort(problem.cost, axis=1, kind="stable")
    rng = random.Random(seed)
    # Temperatures scale with the travel cost alone: penalties of unserved visits would make them hot.
    travel = travel_cost(problem, cur_routes)
    t_hi = max(1.0, prm.start_temperature * travel)
    t_lo = max(1.0, min(t_hi, prm.end_temperature * travel))
    counts = {"iterations": 0, "accepted": 0, "rebuilt": 0}
    while movable:
        spent = closed.work_spent() / work_limit if work_limit else (time.perf_counter() - t0) / time_limit_s
        if spent >= 1.0 or time.perf_counter() - t0 >= time_limit_s:
            break
        counts["iterations"] += 1
        used = [len(r) for r in cur_routes if r]
        largest = int(round(prm.route_share * sum(used) / max(1, len(used))))
        size = min(prm.max_neighbours, max(prm.neighbours, largest))
        removed = _ruin(order, _seeds(problem, cur_routes, movable, rng), size, fixed, prm, rng)
        kept = [[c for c in r if c not in removed] for r in cur_routes]
        trial = closed.model.ReadAssignmentFromRoutes(kept, True)
        if trial is None:
            # Seen after a descent stopped by its time cap: the closed model then fails to read
            # any routes, so search on in a fresh one.
            closed = _Closed(problem, search, work_limit, step_work, closed)
            counts["rebuilt"] += 1
            trial = closed.model.ReadAssignmentFromRoutes(kept, True)
        left_s = time_limit_s - (time.perf_counter() - t0)
        search.time_limit.FromMilliseconds(max(1, int(min(prm.step_s, left_s) * 1000)))
        closed.work.step_count = 0
        sol = closed.model.SolveFromAssignmentWithParameters(trial, search) if trial is not None else None
        if sol is None:
            continue
        obj = int(sol.ObjectiveValue())
        temperature = t_hi * (t_lo / t_hi) ** min(1.0, spent)
        if obj < cur_obj or rng.random() < math.exp(-(obj - cur_obj) / temperature):
            cur_obj, cur_routes = obj, routes_of_nodes(closed.manager, closed.model, sol)
            counts["accepted"] += 1
        if obj < best_obj:
            best_obj = obj
            best = (closed, closed.model.solver().Assignment(sol))  # a copy: the model reuses sol
    owner, assignment = best
    res = extract_result(problem, owner.manager, owner.model, owner.tdim, assignment, "ruin_recreate", t0, {})
    res.attempts = dict(counts)
    res.work = closed.work_spent()
    res.stopped_by = "work_limit" if work_limit and res.work > work_limit else "time_limit"
    return res


class _Closed:
    """A routing model closed with the search parameters, with the work it may still spend."""

    def __init__(
        self,
        problem: RoutingProblem,
        search: Any,
        work_limit: int | None,
        step_work: int | None,
        before: _Closed | None = None,
    ) -> None:
        self.done = before.work_spent() if before is not None else 0  # work of the models before this one
        self.manager, self.model, self.tdim = build_model(problem)
        left = None if work_limit is None else max(1, work_limit - self.done)
        self.work = _StepWork(self.model, left, step_work)
        self.model.CloseModelWithParameters(search)

    def work_spent(self) -> int:
        return self.done + self.work.count


class _StepWork:
    """A deterministic effort limit of the model (``total`` limit checks) and of each step (``step``)."""

    def __init__(self, model: Any, total: int | None, step: int | None) -> None:
        self.total, self.step = total, step
        self.count = self.step_count = 0
        if total is not None:
            model.AddSearchMonitor(model.solver().CustomLimit(self._check))
            model._licvisit_work_limit = self  # keep the callback alive as long as the model

    def _check(self) -> bool:
        self.count += 1
        self.step_count += 1
        return self.count > self.total or (self.step is not None and self.step_count > self.step)  # type: ignore[operator]


def _seeds(
    problem: RoutingProblem, routes: list[list[int]], movable: list[int], rng: random.Random
) -> list[int]:
    """Where the next removal may centre: half the time around an unserved mandatory visit, if any.

    Removing the visits around it may make room for it.
    """
    served = {n for r in routes for n in r}
    unserved = [
        n for g in problem.groups if g.penalty is None and not served.intersection(g.nodes) for n in g.nodes
    ]
    return unserved if unserved and rng.random() < 0.5 else movable


def _ruin(
    order: np.ndarray,
    seeds: list[int],
    size: int,
    fixed: set[int],
    prm: RuinRecreateParams,
    rng: random.Random,
) -> set[int]:
    """A random share of the ``size`` movable nodes nearest a random seed node (itself included)."""
    seed_node = seeds[rng.randrange(len(seeds))]
    near = [int(j) for j in order[seed_node] if int(j) not in fixed][:size]
    if seed_node not in near:
        near = [seed_node, *near[:-1]]
    k = max(1, int(round(len(near) * prm.remove_share)))
    return set(rng.sample(near, k))
