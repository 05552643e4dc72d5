"""Tests for the PyVRP routing engine (licvisit.core.plan.engine_pyvrp) on tiny hand-made problems."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from licvisit.core.plan.routing import RoutingProblem, VisitGroup
from tests.core.plan.problems import line_problem

pytest.importorskip("pyvrp")

from licvisit.core.plan.engine_pyvrp import (  # noqa: E402
    result_from_routes,
    solve_routing_pyvrp,
    vehicle_profiles,
)


def test_mandatory_visits_are_all_served_in_one_cheap_route():
    res = solve_routing_pyvrp(line_problem(), 1.0, max_iterations=200)
    assert res.dropped_groups == []
    used = [r for r in res.routes if r]
    assert len(used) == 1 and sorted(used[0]) == [1, 2, 3]
    assert res.travel_cost == 60 and res.objective == 60 and res.strategy == "pyvrp"


def test_low_penalty_far_visit_is_dropped_as_not_worth_the_travel():
    res = solve_routing_pyvrp(line_problem(penalties=(None, None, 10), far=True), 1.0, max_iterations=200)
    assert res.dropped_groups == [2]
    assert res.penalty_cost == 10 and res.travel_cost == 40


def test_allowed_vehicles_are_respected():
    for only in (0, 1):
        res = solve_routing_pyvrp(line_problem(allowed={3: [only]}), 1.0, max_iterations=200)
        assert 3 in res.routes[only] and 3 not in res.routes[1 - only]


def test_time_windows_order_the_visits_and_starts_are_the_earliest():
    p = line_problem()
    p.windows = [(0, 0), (200, 210), (100, 110), (0, 50)]
    res = solve_routing_pyvrp(p, 1.0, max_iterations=200)
    v = next(k for k, r in enumerate(res.routes) if r)
    assert res.routes[v] == [3, 2, 1]
    # Leave at 0, at 30 by 30; 5 on site, 10 to 20, wait for 100; 5 on site, 10 to 10, wait for 200.
    assert res.starts[v] == [30, 100, 200]
    assert (res.depart[v], res.back[v]) == (0, 215)


def test_group_of_alternatives_is_visited_at_most_once():
    p = line_problem()
    p.groups = [VisitGroup((1, 2), 1000), VisitGroup((3,), 1000)]
    res = solve_routing_pyvrp(p, 1.0, max_iterations=200)
    served = [n for r in res.routes for n in r]
    assert sorted(served) == [2, 3] or sorted(served) == [1, 3]
    assert res.dropped_groups == []


def test_each_vehicle_starts_and_ends_at_its_own_base():
    pos = np.array([0, 100, 5, 95])  # bases 0 and 1, one customer near each
    d = np.abs(pos[:, None] - pos[None, :])
    p = RoutingProblem(
        cost=d,
        time=d,
        service=[0, 0, 5, 5],
        windows=[(0, 0), (0, 0), (0, 500), (0, 500)],
        starts=[0, 1],
        ends=[0, 1],
        vehicle_windows=[(0, 500), (0, 500)],
        groups=[VisitGroup((2,), None), VisitGroup((3,), None)],
    )
    res = solve_routing_pyvrp(p, 1.0, max_iterations=200)
    assert res.routes == [[2], [3]]
    assert res.travel_cost == 20


def test_same_seed_and_iterations_give_the_same_routes_twice():
    p = line_problem(penalties=(50, 50, 50))
    a = solve_routing_pyvrp(p, 5.0, seed=3, max_iterations=300)
    b = solve_routing_pyvrp(p, 5.0, seed=3, max_iterations=300)
    assert a.routes == b.routes and a.objective == b.objective
    assert a.stopped_by == "work_limit" and a.work == 300


def test_the_search_starts_from_initial_routes():
    res = solve_routing_pyvrp(line_problem(), 1.0, max_iterations=10, initial_routes=[[], [1, 2, 3]])
    assert sorted(n for r in res.routes for n in r) == [1, 2, 3]


def test_a_problem_with_a_break_is_refused():
    p = dataclasses.replace(line_problem(), breaks=[(100, 200, 30), None])
    with pytest.raises(
        ValueError, match="^PyVRP 0.14 cannot model a vehicle break; place breaks after the search.$"
    ):
        solve_routing_pyvrp(p, 1.0)


def test_a_visit_out_of_its_window_is_left_out_of_the_result():
    p = line_problem(penalties=(7, 8, 9))
    p.windows = [(0, 0), (0, 500), (0, 15), (0, 500)]  # node 2 cannot be reached by 15 after node 3
    res = result_from_routes(p, [[3, 2, 1], []], "pyvrp", 0.0)
    assert res.routes == [[3, 1], []]
    assert res.starts == [[30, 55], []] and res.back[0] == 70 and res.travel_cost == 60
    assert res.dropped_groups == [1] and res.penalty_cost == 8
    assert res.attempts == {"pyvrp_repaired": 1}


def test_crews_of_different_nights_share_a_profile_and_crews_of_one_night_do_not():
    p = line_problem()
    p.starts, p.ends = [0, 0, 0], [0, 0, 0]
    p.vehicle_windows = [(0, 100), (0, 100), (1000, 1100)]
    p.windows = [(0, 0), (0, 100), (0, 100), (1000, 1100)]
    p.allowed = {1: [0], 2: [1], 3: [2]}  # nights: vehicles 0 and 1 on the first, vehicle 2 on the second
    profile_of, forbidden = vehicle_profiles(p)
    assert profile_of == [0, 1, 0]
    assert forbidden == [{2}, {1}]
