"""A free crew is sent out for dropped visits when it gains value (roster and routes decided together)."""

from __future__ import annotations

import numpy as np

from licvisit.core.plan import PlanParams
from licvisit.core.plan.recruit import free_crew_reaches, open_free_crews
from licvisit.core.plan.repair import _insertion
from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup

PARAMS = PlanParams(min_visits_per_crew=3, break_after_h=6.0)


def _week(spare: int):
    """Base 0; crew 0 busy with visits 1..spare+3, crew 1 free; visit 9 dropped, only crew 1 may make it."""
    n = 10
    t = np.full((n, n), 5)
    np.fill_diagonal(t, 0)
    busy = list(range(1, spare + 4))
    windows = [(0, 0)] + [(0, 300)] * (n - 1)
    problem = RoutingProblem(
        cost=t * 10,
        time=t,
        service=[0] + [20] * (n - 1),
        windows=windows,
        starts=[0, 0],
        ends=[0, 0],
        vehicle_windows=[(0, 300), (0, 300)],
        groups=[VisitGroup((k,), 1000) for k in range(1, n)],
        # visits the busy crew did not make are for it alone; 9 is for the free crew alone
        allowed={**{k: [0, 1] if k in busy else [0] for k in range(1, 9)}, 9: [1]},
    )
    starts = [5 + 25 * i for i in range(len(busy))]
    unserved = [k - 1 for k in range(1, n) if k not in busy]  # group index = node - 1
    res = RoutingResult(
        routes=[busy, []],
        starts=[starts, []],
        depart=[0, 0],
        back=[starts[-1] + 25, 0],
        objective=0,
        travel_cost=0,
        penalty_cost=0,
        dropped_groups=unserved,
        status="",
        strategy="",
        solve_s=0.0,
    )
    return problem, res


def test_a_free_crew_goes_out_with_the_drop_and_visits_a_busy_crew_can_spare():
    problem, res = _week(spare=2)
    assert free_crew_reaches(problem, res, 8, PARAMS, _insertion) == 1
    assert open_free_crews(problem, res, PARAMS, _insertion) == [1]
    assert 9 in res.routes[1] and len(res.routes[1]) == 3
    assert len(res.routes[0]) == 3  # the busy crew keeps the minimum
    assert sorted(res.routes[0] + res.routes[1]) == [1, 2, 3, 4, 5, 9]
    assert len(res.starts[1]) == 3 and res.starts[1] == sorted(res.starts[1])
    assert 8 not in res.dropped_groups


def test_no_crew_goes_out_when_too_little_work_can_be_found():
    problem, res = _week(spare=1)  # the busy crew can spare one visit: the free crew would have two
    assert open_free_crews(problem, res, PARAMS, _insertion) == []
    assert res.routes[1] == [] and 8 in res.dropped_groups
    assert free_crew_reaches(problem, res, 8, PARAMS, _insertion) == 1


def test_greedy_routes_place_the_most_valuable_visits_first_within_the_shift():
    from licvisit.core.plan.recruit import greedy_routes

    problem, _ = _week(spare=2)
    # One crew, 100 minutes: room for three 20-minute visits 5 minutes apart and the way back (a fourth
    # would end at 105); visit 3 is worth most, then 1 and 2.
    groups = [VisitGroup((k,), 3000 if k == 3 else 2000 if k in (1, 2) else 1000) for k in range(1, 10)]
    problem = RoutingProblem(
        cost=problem.cost,
        time=problem.time,
        service=problem.service,
        windows=problem.windows,
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 100)],
        groups=groups,
    )
    routes = greedy_routes(problem, PARAMS, _insertion)
    assert len(routes) == 1 and sorted(routes[0]) == [1, 2, 3]


def test_a_route_that_gave_up_a_visit_is_re_timed_with_no_gap():
    from licvisit.core.plan.recruit import _retime

    problem, res = _week(spare=0)  # crew 0 visits 1, 2, 3 at 5, 30, 55
    res.routes[0], res.starts[0] = [1, 3], [5, 55]  # visit 2 given up: 25 minutes of waiting before 3
    _retime(problem, res, 0, PARAMS)
    assert res.starts[0] == [5, 30] and res.back[0] == 55 and 0 not in res.breaks
    # A window that opens late: the crew leaves later rather than waiting after its first visit.
    windows = list(problem.windows)
    windows[3] = (100, 300)
    problem.windows = windows
    _retime(problem, res, 0, PARAMS)
    assert res.starts[0] == [75, 100] and res.back[0] == 125
