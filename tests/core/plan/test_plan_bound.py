"""The upper bound on a week's value: time-window cuts, the LP bound and its CP-SAT tightening."""

from __future__ import annotations

import numpy as np

from licvisit.core.plan.bound import value_upper_bound
from licvisit.core.plan.routing import RoutingProblem, VisitGroup


def _two_visits(windows: list[tuple[int, int]]) -> RoutingProblem:
    """Base 0 and premises 1, 2: 10 minutes apart, 40-minute visits, one crew from 0 to 100."""
    t = np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]])
    return RoutingProblem(
        cost=t,
        time=t,
        service=[0, 40, 40],
        windows=[(0, 0), *windows],
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 100)],
        groups=[VisitGroup((1,), 5), VisitGroup((2,), 5)],
    )


def test_visits_that_must_end_early_cannot_all_fit_before_their_close():
    # Both must start by 20 (over by 60): 2 x (40 on site + 10 in) = 100 minutes do not fit in 0-60,
    # although they fit in the shift's 100 minutes.  Only one of them can be made.
    b = value_upper_bound(_two_visits([(0, 20), (0, 20)]), {1: 5.0, 2: 5.0}, [100])
    assert b.upper_bound == 5.0 and b.status == "OPTIMAL" and b.n_cuts == 1


def test_visits_that_start_late_cannot_all_fit_after_their_open():
    # Neither can start before 50: 2 x (40 on site + 10 out) = 100 minutes do not fit in 50-100.
    b = value_upper_bound(_two_visits([(50, 60), (50, 60)]), {1: 5.0, 2: 5.0}, [100])
    assert b.upper_bound == 5.0 and b.n_cuts == 1


def test_without_cp_sat_time_the_linear_bound_is_used_and_still_valid():
    # The LP may take 0.2 of the second visit (60 minutes hold 1.2 visits): 6.0, above the 5.0 optimum.
    b = value_upper_bound(_two_visits([(0, 20), (0, 20)]), {1: 5.0, 2: 5.0}, [100], deterministic_time=0)
    assert b.status == "LP_BOUND" and b.upper_bound == 6.0


def test_windows_that_do_not_bind_add_no_cut():
    b = value_upper_bound(_two_visits([(0, 60), (0, 60)]), {1: 5.0, 2: 5.0}, [100])
    assert b.upper_bound == 10.0 and b.n_cuts == 0
