"""The weekly plan's parameters (``[plan]`` in licvisit.toml): :class:`PlanParams`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from licvisit.domain import (
    DEFAULT_OPERATIONS,
    OperationType,
)

# Routing units: the mean candidate value is worth POINTS (large, because guided
# local search penalties are integers and must not round to zero).
POINTS = 100_000
FIRST_SOLUTION_STRATEGIES = (
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "PATH_CHEAPEST_ARC",
    "GLOBAL_CHEAPEST_ARC",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "BEST_INSERTION",
)


@dataclass(frozen=True)
class PlanParams:
    """Parameters of the weekly plan; the ``[plan]`` section of licvisit.toml overrides them.

    Times are wall-clock; speeds [km/h]; penalties in points.
    """

    time_limit_s: float = 60.0  # routing search safety cap [s]; work_limit normally stops it first
    seed: int = 0
    operations: tuple[str, ...] = ("licensing_compliance", "sia_check", "gang_op")
    op_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # [operations.NAME] tables
    op_value_factor: dict[str, float] = field(
        default_factory=lambda: {"licensing_compliance": 1.0, "sia_check": 0.9, "gang_op": 1.2}
    )
    max_consecutive_late: int = 4
    min_rest_h: float = 11.0
    min_days_since_visit: int = 28
    follow_up_days: int = 42  # breach / action-plan visits this recent get a mandatory follow-up
    walk_kmh: float = 4.8
    drive_kmh: float = 25.0
    circuity: float = 1.3
    drive_overhead_min: float = 5.0
    shift_length_h: float = 8.0
    min_crew_shift_min: int = 90
    max_crews_per_op_night: int = 0  # 0 = no cap (as many crews as PALOs can lead); reported when it binds
    visits_per_crew_estimate: int = 6
    night_weights: tuple[float, ...] = (0.6, 0.6, 0.7, 0.9, 1.4, 1.5, 0.8)  # Mon..Sun
    max_candidates: int = 200
    max_nights_per_candidate: int = (
        0  # cap on alternative nights per candidate in the routing model (0 = all)
    )
    travel_weight: float = 0.01  # share of the mean candidate value one minute of travel costs
    follow_up_weight: float = (
        5.0  # a breach follow-up is worth this many times max(its value, the mean value)
    )
    w_preference: int = 200
    w_fairness: int = 300
    w_keep_crew: int = 500
    w_shift: int = 10
    w_support: int = 50  # roster value of uniformed support with a licensing crew (safety in a busy NTE)
    crews_stay_in_lpa: bool = True  # a crew visits only premises in the LPAs its members cover
    # A partner (council, SIA, gang spotter) crews only with a PALO of its own LPA or base, as two
    # PALOs and uniformed support already do: for a force whose partners work for their area's council.
    partners_within_lpa: bool = False
    busy_zones: tuple[str, ...] = ()  # zone_ids where a licensing crew must have uniformed support
    late_spread_allowed: int = 1
    roster_deterministic_time: float = 5.0
    bound_deterministic_time: float = 0.2  # CP-SAT time tightening the LP bound (0 = the LP bound only)
    greedy_start: bool = True  # start the routing search from greedy routes, not first-solution heuristics
    first_solution_strategies: tuple[str, ...] = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
    work_limit: int = 1_500_000  # search effort; stops the same on any machine (0 = time limit only)
    # The week's routing splits into independent parts by LPA (crews_stay_in_lpa): each part gets
    # the share of work_limit of its visit nodes, and at least this share of it.
    component_work_floor: float = 0.1
    # A part larger than this (visit nodes x crews) gets its share x (work_ref_size / size) **
    # work_size_exponent: the solver's work units grow dearer with the model (0 = no scaling).
    work_ref_size: int = 60_000
    work_size_exponent: float = 3.0
    route_by_component: bool = True  # false: one routing model for the whole week (for comparison)
    # Working Time Regulations 1998, reg. 12: 20 min after 6 h is the floor; a crew longer than
    # break_after_h gets one uninterrupted break of break_min with no visit in it.
    break_after_h: float = 6.0
    break_min: int = 30
    min_visits_per_crew: int = 3  # a crew with fewer is released and its visits re-routed
    release_rounds: int = 3  # re-routes allowed for releasing crews with too few visits
    replan_keep_nights: bool = True
    default_lock_op: str = "licensing_compliance"

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", tuple(self.operations))
        object.__setattr__(self, "first_solution_strategies", tuple(self.first_solution_strategies))
        object.__setattr__(self, "night_weights", tuple(float(w) for w in self.night_weights))
        object.__setattr__(self, "busy_zones", tuple(str(z) for z in self.busy_zones))
        checks = [
            (self.time_limit_s > 0, "time_limit_s > 0"),
            (self.max_consecutive_late >= 1, "max_consecutive_late >= 1"),
            (0 <= self.min_rest_h <= 24, "min_rest_h between 0 and 24"),
            (self.min_days_since_visit >= 0, "min_days_since_visit >= 0"),
            (self.walk_kmh > 0 and self.drive_kmh > 0, "walk_kmh > 0 and drive_kmh > 0"),
            (self.circuity >= 1.0, "circuity >= 1"),
            (0 < self.shift_length_h <= 12, "shift_length_h between 0 and 12"),
            (self.min_crew_shift_min >= 1, "min_crew_shift_min >= 1"),
            (self.max_crews_per_op_night >= 0, "max_crews_per_op_night >= 0 (0 = no cap)"),
            (self.min_visits_per_crew >= 1, "min_visits_per_crew >= 1"),
            (self.release_rounds >= 0, "release_rounds >= 0"),
            (self.visits_per_crew_estimate >= 1, "visits_per_crew_estimate >= 1"),
            (
                len(self.night_weights) == 7 and min(self.night_weights) >= 0,
                "7 night_weights >= 0, Monday first",
            ),
            (self.max_candidates >= 1, "max_candidates >= 1"),
            (self.max_nights_per_candidate >= 0, "max_nights_per_candidate >= 0"),
            (self.travel_weight >= 0, "travel_weight >= 0"),
            (self.follow_up_weight >= 1, "follow_up_weight >= 1"),
            (self.work_limit >= 0, "work_limit >= 0"),
            (0 < self.component_work_floor <= 1, "component_work_floor in (0, 1]"),
            (self.work_ref_size >= 0, "work_ref_size >= 0 (0 = no scaling)"),
            (self.work_size_exponent >= 0, "work_size_exponent >= 0"),
            (0 < self.break_after_h <= 24, "break_after_h between 0 and 24"),
            (self.break_min >= 0, "break_min >= 0"),
            (self.roster_deterministic_time > 0, "roster_deterministic_time > 0"),
            (self.bound_deterministic_time >= 0, "bound_deterministic_time >= 0"),
            (len(self.operations) >= 1, "at least one operation type"),
            (
                len(self.first_solution_strategies) >= 1
                and set(self.first_solution_strategies) <= set(FIRST_SOLUTION_STRATEGIES),
                f"first_solution_strategies from {', '.join(FIRST_SOLUTION_STRATEGIES)}",
            ),
        ]
        for ok, what in checks:
            if not ok:
                raise ValueError(f"Expected {what}.")
        known = {o.name for o in DEFAULT_OPERATIONS} | set(self.op_overrides)
        for name in self.operations:
            if name not in known:
                raise ValueError(f"Expected operations from {', '.join(sorted(known))}; found '{name}'.")
        if self.default_lock_op not in known:
            raise ValueError(f"Expected default_lock_op from {', '.join(sorted(known))}.")

    def operation_types(self) -> tuple[OperationType, ...]:
        """Return the enabled operation types with any overrides applied."""
        base = {o.name: o for o in DEFAULT_OPERATIONS}
        out = []
        for name in self.operations:
            over = dict(self.op_overrides.get(name, {}))
            for key in ("roles", "covers"):
                if key in over:
                    over[key] = tuple(over[key])
            if "alt_roles" in over:
                over["alt_roles"] = tuple(tuple(r) for r in over["alt_roles"])
            if name in base:
                op = dataclasses.replace(base[name], **over)
            else:
                op = OperationType(name=name, **over)
            out.append(op)
        return tuple(out)
