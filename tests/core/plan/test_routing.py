"""Tests for the routing library (licvisit.core.plan.routing) on tiny hand-made problems."""

from __future__ import annotations

import pytest

from licvisit.core.plan.routing import VisitGroup, solve_routing
from tests.core.plan.problems import line_problem


def test_mandatory_visits_are_all_served_in_one_cheap_route():
    res = solve_routing(line_problem(), 1.0, work_limit=20000)
    assert res.dropped_groups == []
    used = [r for r in res.routes if r]
    assert len(used) == 1 and sorted(used[0]) == [1, 2, 3]
    assert res.travel_cost == 60


def test_low_penalty_far_visit_is_dropped_as_not_worth_the_travel():
    res = solve_routing(line_problem(penalties=(None, None, 10), far=True), 1.0, work_limit=20000)
    assert res.dropped_groups == [2]
    assert res.penalty_cost == 10


def test_allowed_vehicles_are_respected():
    res = solve_routing(line_problem(allowed={3: [1]}), 1.0, work_limit=20000)
    assert 3 in res.routes[1] and 3 not in res.routes[0]


def test_time_windows_order_the_visits():
    p = line_problem()
    p.windows = [(0, 0), (200, 210), (100, 110), (0, 50)]
    res = solve_routing(p, 1.0, work_limit=20000)
    route = next(r for r in res.routes if r)
    assert route == [3, 2, 1]
    starts = dict(zip(route, next(s for s in res.starts if s), strict=True))
    assert 200 <= starts[1] <= 210 and 100 <= starts[2] <= 110 and starts[3] <= 50


def test_group_of_alternatives_is_visited_at_most_once():
    p = line_problem()
    p.groups = [VisitGroup((1, 2), 1000), VisitGroup((3,), 1000)]
    res = solve_routing(p, 1.0, work_limit=20000)
    served = [n for r in res.routes for n in r]
    assert len({1, 2} & set(served)) == 1 and 3 in served


def test_work_limit_gives_the_same_routes_twice():
    a = solve_routing(line_problem(), 2.0, work_limit=5000)
    b = solve_routing(line_problem(), 2.0, work_limit=5000)
    assert a.routes == b.routes and a.objective == b.objective
    assert a.stopped_by in ("work_limit", "time_limit")


def test_warm_start_from_initial_routes():
    res = solve_routing(line_problem(), 1.0, initial_routes=[[1, 2, 3], []], work_limit=5000)
    assert res.strategy == "previous_plan"
    assert sorted(n for r in res.routes for n in r) == [1, 2, 3]


def test_a_vehicle_break_is_placed_where_no_node_is_served():
    import dataclasses

    base = line_problem()
    # One vehicle, visits only early or late: the 30-minute break must fall between them.
    p = dataclasses.replace(
        base,
        windows=[(0, 0), (0, 20), (0, 30), (100, 140)],
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 500)],
        breaks=[(20, 90, 30)],
    )
    res = solve_routing(p, 1.0, work_limit=20000, strategies=["PARALLEL_CHEAPEST_INSERTION"])
    assert res.dropped_groups == []
    a, b = res.breaks[0]
    assert b - a == 30 and 20 <= a <= 90
    for node, st in zip(res.routes[0], res.starts[0], strict=True):
        assert st + p.service[node] <= a or st >= b


def test_fallback_mode_keeps_the_first_strategy_when_it_serves_every_mandatory_visit():
    res = solve_routing(
        line_problem(),
        5.0,
        strategies=("PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION"),
        mode="fallback",
        work_limit=20000,
    )
    assert res.dropped_groups == []
    assert res.strategy == "PATH_CHEAPEST_ARC"
    assert list(res.attempts) == ["PATH_CHEAPEST_ARC"]  # no other strategy was probed
    assert res.stopped_by == "work_limit"


def test_fallback_mode_probes_the_other_strategies_when_a_mandatory_visit_is_unserved():
    # "All unperformed" with almost no search leaves the mandatory visits out, so the
    # other strategy must be probed before the best is continued.
    res = solve_routing(
        line_problem(),
        5.0,
        strategies=("ALL_UNPERFORMED", "PARALLEL_CHEAPEST_INSERTION"),
        mode="fallback",
        probe_share=0.0001,
        work_limit=20000,
    )
    assert list(res.attempts)[:2] == ["ALL_UNPERFORMED", "PARALLEL_CHEAPEST_INSERTION"]
    # Both probes were too short to serve anyone, so the route-duration repair ran and
    # served everything; the distance search then continued from its routes.
    assert res.attempts["route_duration_repair"] == 0
    assert res.strategy == "ALL_UNPERFORMED+route_duration_repair"
    assert res.dropped_groups == [] and res.travel_cost == 60


def test_unknown_mode_is_refused_with_the_modes_listed():
    with pytest.raises(ValueError, match="Expected mode 'continue', 'restart', 'portfolio' or 'fallback'."):
        solve_routing(line_problem(), 1.0, mode="random")
