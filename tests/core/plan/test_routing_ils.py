"""Tests for OR-Tools' iterated local search behind licvisit.core.plan.routing.solve_routing_ils."""

from __future__ import annotations

import pytest

from licvisit.core.plan.routing import IlsParams, ils_search_parameters, solve_routing, solve_routing_ils
from licvisit.core.plan.vrptw import RR_PENALTY_ARCS, solve_vrptw, vrptw_problem
from licvisit.io.vrptw import read_vrptw
from tests.paths import TEST_DATA

C101 = TEST_DATA / "vrp" / "C101.txt"
RC208 = TEST_DATA / "vrp" / "RC208.vrp"


def solomon_problem(path, fleet):
    """The routing model of a test instance with the fixed fleet and the penalty solve_vrptw uses."""
    problem, _ = vrptw_problem(read_vrptw(path), fleet)
    problem.mandatory_penalty = int(problem.cost.max()) * RR_PENALTY_ARCS + 1
    return problem


def test_the_iterated_local_search_goes_on_after_the_first_local_optimum_and_reaches_the_c101_optimum():
    problem = solomon_problem(C101, 10)
    greedy = solve_routing(problem, 60.0, strategies=("PARALLEL_CHEAPEST_INSERTION",), work_limit=2000)
    res = solve_routing_ils(problem, 60.0, solution_limit=150)
    assert greedy.travel_cost > 827300  # one search from the same first solution stops short of it
    assert res.dropped_groups == [] and res.travel_cost == 827300
    assert res.strategy == "PARALLEL_CHEAPEST_INSERTION+ils" and res.stopped_by == "solution_limit"


def test_the_iterated_local_search_with_a_solution_limit_gives_the_same_routes_twice():
    a = solve_routing_ils(solomon_problem(RC208, 4), 60.0, solution_limit=60)
    b = solve_routing_ils(solomon_problem(RC208, 4), 60.0, solution_limit=60)
    assert a.routes == b.routes and a.travel_cost == b.travel_cost and a.stopped_by == "solution_limit"


def test_solve_vrptw_runs_the_iterated_local_search_then_ruin_and_recreate_by_default():
    inst = read_vrptw(C101)
    a = solve_vrptw(inst, 60.0, vehicles=10, seed=1, work_limit=5000)
    b = solve_vrptw(inst, 60.0, vehicles=10, seed=1, work_limit=5000)
    assert (
        a["strategy"] == "PARALLEL_CHEAPEST_INSERTION+ils+ruin_recreate" and a["stopped_by"] == "work_limit"
    )
    assert a["routes"] == b["routes"] and a["feasible"] and a["distance"] == 827.3


def test_ils_search_parameters_switch_the_named_operators_off_and_keep_the_others():
    p = ils_search_parameters(IlsParams(operators_off=("use_lin_kernighan",)), 5.0)
    assert p.use_iterated_local_search and p.time_limit.seconds == 5
    assert p.local_search_operators.use_lin_kernighan == 2  # BOOL_FALSE
    assert p.local_search_operators.use_relocate == 3  # BOOL_TRUE, as OR-Tools' default
    sisr = p.iterated_local_search_parameters.ruin_recreate_parameters.ruin_strategies[0].sisr
    assert (sisr.avg_num_removed_visits, sisr.max_removed_sequence_size) == (30, 20)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"first_strategy": "NEAREST"},
            "Expected first_strategy an OR-Tools first-solution strategy, not 'NEAREST'.",
        ),
        ({"removed_visits": 0}, "Expected removed_visits >= 1 and max_sequence >= 1."),
        ({"max_sequence": 0}, "Expected removed_visits >= 1 and max_sequence >= 1."),
        ({"bypass_factor": 1.5}, "Expected 0 <= bypass_factor <= 1."),
        (
            {"start_temperature": 1.0, "end_temperature": 2.0},
            "Expected start_temperature >= end_temperature > 0.",
        ),
        (
            {"operators_off": ("use_teleport",)},
            "Expected operators_off among OR-Tools' local search operators, not use_teleport.",
        ),
    ],
)
def test_ils_params_check_themselves(kwargs, message):
    with pytest.raises(ValueError) as err:
        IlsParams(**kwargs)
    assert str(err.value) == message


def test_solve_routing_ils_rejects_a_non_positive_time_limit():
    with pytest.raises(ValueError, match=r"^Expected time_limit_s > 0\.$"):
        solve_routing_ils(solomon_problem(C101, 10), 0.0)
