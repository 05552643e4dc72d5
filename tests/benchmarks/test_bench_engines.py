"""Tests for the engine benchmark's own logic (benchmarks/bench_engines.py): its independent route check."""

from __future__ import annotations

import sys

import numpy as np

from licvisit.core.plan.routing import RoutingProblem, VisitGroup
from tests.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_engines  # noqa: E402


def problem() -> RoutingProblem:
    """Depot 0, customers 1-3 on a line at 10, 20, 30; 1 and 2 alternatives of one premises; vehicle 1 only at 3."""
    pos = np.array([0, 10, 20, 30])
    d = np.abs(pos[:, None] - pos[None, :])
    return RoutingProblem(
        cost=d,
        time=d,
        service=[0, 5, 5, 5],
        windows=[(0, 0), (0, 500), (0, 500), (0, 40)],
        starts=[0, 0],
        ends=[0, 0],
        vehicle_windows=[(0, 500), (0, 100)],
        groups=[VisitGroup((1, 2), 10), VisitGroup((3,), None)],
        allowed={3: [1]},
    )


def test_good_routes_pass_the_check():
    assert bench_engines.check_routes(problem(), [[1], [3]]) == []


def test_each_broken_rule_is_reported():
    p = problem()
    assert bench_engines.check_routes(p, [[3], []]) == ["vehicle 0: not allowed at node 3"]
    assert bench_engines.check_routes(p, [[1, 2], []]) == ["vehicle 0: group 0 visited twice (node 1 and 2)"]
    assert bench_engines.check_routes(p, [[], [2, 1, 3]]) == [
        "vehicle 1: group 0 visited twice (node 2 and 1)",
        "vehicle 1: node 3 starts at 60, after its window closes 40",
    ]
    p.vehicle_windows = [(0, 500), (0, 60)]
    assert bench_engines.check_routes(p, [[], [3]]) == ["vehicle 1: back at 65, after its shift ends at 60"]
    assert bench_engines.check_routes(p, [[0], [3, 3]])[0] == "vehicle 0: node 0 is a depot or in no group"
