"""Tests for ruin and recreate around OR-Tools' local search (licvisit.core.plan.ruin_recreate)."""

from __future__ import annotations

import numpy as np
import pytest

from licvisit.core.plan.routing import RoutingProblem, VisitGroup, solve_routing
from licvisit.core.plan.ruin_recreate import RuinRecreateParams, ruin_and_recreate
from licvisit.core.plan.vrptw import solve_vrptw, vrptw_problem
from licvisit.io.vrptw import read_vrptw
from tests.paths import TEST_DATA

C101 = TEST_DATA / "vrp" / "C101.txt"


def far_problem(mandatory_penalty=None) -> RoutingProblem:
    """Depot 0, customers at 10 and 20 and a far one at 1000 on a line; one vehicle, all mandatory."""
    pos = np.array([0, 10, 20, 1000])
    d = np.abs(pos[:, None] - pos[None, :])
    return RoutingProblem(
        cost=d,
        time=d,
        service=[0, 0, 0, 0],
        windows=[(0, 0), (0, 5000), (0, 5000), (0, 5000)],
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 5000)],
        groups=[VisitGroup((i,), None) for i in (1, 2, 3)],
        mandatory_penalty=mandatory_penalty,
    )


def test_default_mandatory_penalty_serves_the_far_visit():
    res = solve_routing(far_problem(), 1.0, work_limit=20000)
    assert res.dropped_groups == [] and res.travel_cost == 2000


def test_a_mandatory_penalty_below_the_detour_leaves_the_far_visit_out():
    res = solve_routing(far_problem(mandatory_penalty=500), 1.0, work_limit=20000)
    assert res.dropped_groups == [2] and res.penalty_cost == 500 and res.travel_cost == 40


def test_ruin_and_recreate_serves_what_a_poor_start_left_out_and_reaches_the_c101_optimum():
    inst = read_vrptw(C101)
    problem, _ = vrptw_problem(inst, 10)
    problem.mandatory_penalty = int(problem.cost.max()) * 40 + 1
    # A first solution stopped early: customers left out, the others in a poor order.
    start = solve_routing(problem, 5.0, strategies=("PATH_CHEAPEST_ARC",), work_limit=2000)
    res = ruin_and_recreate(problem, start.routes, 60.0, seed=3, work_limit=300000)
    assert len(start.dropped_groups) > 10
    assert res.dropped_groups == [] and res.travel_cost == 827300
    assert res.strategy == "ruin_recreate" and res.attempts["iterations"] >= 1


def test_ruin_and_recreate_with_a_work_limit_gives_the_same_routes_twice():
    inst = read_vrptw(C101)
    a = solve_vrptw(inst, 60.0, vehicles=10, seed=1, mode="ruin_recreate", work_limit=300000)
    b = solve_vrptw(inst, 60.0, vehicles=10, seed=1, mode="ruin_recreate", work_limit=300000)
    assert a["routes"] == b["routes"] and a["distance"] == b["distance"]
    assert a["stopped_by"] == "work_limit" and a["strategy"] == "PARALLEL_CHEAPEST_INSERTION+ruin_recreate"
    assert a["feasible"] and a["distance"] == 827.3


def test_guided_local_search_steps_with_a_work_limit_give_the_same_routes_twice():
    inst = read_vrptw(C101)
    problem, _ = vrptw_problem(inst, 10)
    problem.mandatory_penalty = int(problem.cost.max()) * 40 + 1
    start = solve_routing(problem, 5.0, strategies=("PARALLEL_CHEAPEST_INSERTION",), work_limit=20000)
    prm = RuinRecreateParams(metaheuristic="GUIDED_LOCAL_SEARCH", step_s=5.0)
    a = ruin_and_recreate(problem, start.routes, 60.0, seed=2, work_limit=120000, params=prm)
    b = ruin_and_recreate(problem, start.routes, 60.0, seed=2, work_limit=120000, params=prm)
    assert a.routes == b.routes and a.travel_cost == b.travel_cost
    assert a.stopped_by == "work_limit" and a.attempts["iterations"] >= 2
    assert a.dropped_groups == []


def test_solve_vrptw_keeps_the_previous_modes():
    res = solve_vrptw(read_vrptw(C101), 60.0, vehicles=10, mode="fallback", work_limit=20000)
    assert res["feasible"] and "ruin_recreate" not in res["strategy"]


def test_solve_vrptw_rejects_an_unknown_mode():
    with pytest.raises(
        ValueError,
        match=r"^Expected mode one of ils, ruin_recreate, fallback, continue, restart, portfolio\.$",
    ):
        solve_vrptw(read_vrptw(C101), 1.0, mode="tabu")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"neighbours": 0}, "Expected 1 <= neighbours <= max_neighbours."),
        ({"neighbours": 20, "max_neighbours": 10}, "Expected 1 <= neighbours <= max_neighbours."),
        ({"route_share": -1.0}, "Expected route_share >= 0."),
        ({"remove_share": 0.0}, "Expected 0 < remove_share <= 1."),
        ({"step_s": 0.0}, "Expected step_s > 0."),
        (
            {"start_temperature": 0.001, "end_temperature": 0.01},
            "Expected start_temperature >= end_temperature > 0.",
        ),
    ],
)
def test_ruin_recreate_params_check_themselves(kwargs, message):
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        RuinRecreateParams(**kwargs)


def test_ruin_and_recreate_rejects_routes_it_cannot_read():
    problem = far_problem()
    with pytest.raises(
        ValueError, match=r"^Expected routes that OR-Tools can read as a solution of the problem\.$"
    ):
        ruin_and_recreate(problem, [[1, 1, 2]], 1.0)
