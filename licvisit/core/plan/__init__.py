"""The planning stage: candidates, roster (CP-SAT), routes (OR-Tools), repair, explanations, checker.

The only package that imports OR-Tools.  :func:`~licvisit.core.plan.week.plan_week` is the
coordinator; :class:`~licvisit.core.plan.params.PlanParams` its parameters;
:func:`~licvisit.core.plan.checker.check_plan` re-checks every hard rule independently.
No printing, no file I/O.
"""

from __future__ import annotations

from licvisit.core.plan import (
    bound,
    candidates,
    checker,
    explain,
    params,
    repair,
    roster,
    routing,
    travel,
    vrptw,
    week,
)
from licvisit.core.plan.bound import SCALE, ValueBound, value_upper_bound
from licvisit.core.plan.candidates import (
    DOOR_HOURS_UNKNOWN,
    FOLLOW_UP_OUTCOMES,
    Candidate,
    applies,
    build_candidates,
    door_limited,
    door_window,
    mean_value,
    op_window,
    service_minutes,
    visit_windows,
    week_nights,
    why_chosen,
)
from licvisit.core.plan.checker import TOL, check_plan
from licvisit.core.plan.explain import compare_plans, plan_changes
from licvisit.core.plan.params import FIRST_SOLUTION_STRATEGIES, POINTS, PlanParams
from licvisit.core.plan.roster import OP_ABBR, VALUE_SCALE, Roster, crew_shift, plan_roster
from licvisit.core.plan.routing import (
    DEFAULT_STRATEGIES,
    FSS,
    LSM,
    RoutingProblem,
    RoutingResult,
    VisitGroup,
    prune_unprofitable,
    solve_routing,
)
from licvisit.core.plan.travel import NO_ZONE, matrix_from_table, travel_minutes, zone_of_points
from licvisit.core.plan.vrptw import VRPTW_STRATEGIES, route_schedule, solve_vrptw
from licvisit.core.plan.week import plan_week

__all__ = [
    "Candidate",
    "DEFAULT_STRATEGIES",
    "DOOR_HOURS_UNKNOWN",
    "FIRST_SOLUTION_STRATEGIES",
    "FOLLOW_UP_OUTCOMES",
    "FSS",
    "LSM",
    "NO_ZONE",
    "OP_ABBR",
    "POINTS",
    "PlanParams",
    "Roster",
    "RoutingProblem",
    "RoutingResult",
    "SCALE",
    "TOL",
    "VALUE_SCALE",
    "VRPTW_STRATEGIES",
    "ValueBound",
    "VisitGroup",
    "applies",
    "build_candidates",
    "check_plan",
    "compare_plans",
    "crew_shift",
    "door_limited",
    "door_window",
    "matrix_from_table",
    "mean_value",
    "op_window",
    "plan_changes",
    "plan_roster",
    "plan_week",
    "prune_unprofitable",
    "route_schedule",
    "service_minutes",
    "solve_routing",
    "solve_vrptw",
    "travel_minutes",
    "value_upper_bound",
    "visit_windows",
    "week_nights",
    "why_chosen",
    "zone_of_points",
    "params",
    "travel",
    "candidates",
    "roster",
    "routing",
    "bound",
    "repair",
    "explain",
    "checker",
    "week",
    "vrptw",
]
