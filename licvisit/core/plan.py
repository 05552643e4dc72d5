"""Plan a week of licensing visits: roster (CP-SAT), crews, routes (OR-Tools), explanations.

:func:`plan_week` is a short public coordinator over private steps:

1. candidates from the risk ranking (:mod:`licvisit.core.candidates`);
2. roster and joint crews (:mod:`licvisit.core.roster`);
3. one routing model for the whole week, vehicles = crew-nights, each
   candidate a group of alternative nights of which at most one is visited
   (:mod:`licvisit.core.routing`);
4. a reason for every candidate left out, the rules bent, run metadata;
5. the independent checker (:mod:`licvisit.core.checker`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.bound import value_upper_bound
from licvisit.core.candidates import Candidate, build_candidates, mean_value, week_nights
from licvisit.core.checker import check_plan
from licvisit.core.recruit import free_crew_reaches, open_free_crews
from licvisit.core.roster import Roster, plan_roster
from licvisit.core.routing import RoutingProblem, VisitGroup, prune_unprofitable, solve_routing
from licvisit.core.travel import matrix_from_table, travel_minutes, zone_of_points
from licvisit.domain import (
    DEFAULT_OPERATIONS,
    BentRule,
    Crew,
    DroppedCandidate,
    Lock,
    Officer,
    OperationType,
    Plan,
    Visit,
)
from licvisit.errors import InfeasiblePlanError, PlanCheckError

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


@dataclass
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
    busy_zones: tuple[str, ...] = ()  # zone_ids where a licensing crew must have uniformed support
    late_spread_allowed: int = 1
    roster_deterministic_time: float = 5.0
    bound_deterministic_time: float = 0.2  # CP-SAT time tightening the LP bound (0 = the LP bound only)
    first_solution_strategies: tuple[str, ...] = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
    work_limit: int = 1_500_000  # search effort; stops the same on any machine (0 = time limit only)
    # Working Time Regulations 1998, reg. 12: 20 min after 6 h is the floor; a crew longer than
    # break_after_h gets one uninterrupted break of break_min with no visit in it.
    break_after_h: float = 6.0
    break_min: int = 30
    min_visits_per_crew: int = 3  # a crew with fewer is released and its visits re-routed
    release_rounds: int = 3  # re-routes allowed for releasing crews with too few visits
    replan_keep_nights: bool = True
    default_lock_op: str = "licensing_compliance"

    def __post_init__(self) -> None:
        self.operations = tuple(self.operations)
        self.first_solution_strategies = tuple(self.first_solution_strategies)
        self.night_weights = tuple(float(w) for w in self.night_weights)
        self.busy_zones = tuple(str(z) for z in self.busy_zones)
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


def plan_week(
    ranking_table: pd.DataFrame,
    premises: pd.DataFrame,
    staff: list[Officer],
    week_start: dt.date,
    params: PlanParams | None = None,
    *,
    visits: pd.DataFrame | None = None,
    zones: Any = None,
    locks: Iterable[Lock] = (),
    exclude: Iterable[str] = (),
    previous: Plan | None = None,
    travel_matrix: pd.DataFrame | None = None,
) -> Plan:
    """Plan the week starting Monday ``week_start``.

    Parameters
    ----------
    ranking_table : risk ranking, one row per premises (``premises_id``, ``rank``
        or ``score``, ``expected_harm_week``, ``band``, ``c_*`` components).
    premises : premises register (PREMISES_COLUMNS, x/y in EPSG:27700).
    staff : officers with their availability for the week.
    week_start : the Monday.
    params : PlanParams.
    visits : visit history (VISIT_COLUMNS) for follow-ups and minimum days since last visit.
    zones : NTE zones (GeoDataFrame, EPSG:27700): walking inside a zone, driving between.
    locks : visits pinned by the sergeant.
    exclude : premises ids to leave out this week.
    previous : an earlier plan for the week: re-planning keeps as much of it as it can.
    travel_matrix : long table ``from_id, to_id, travel_min`` over premises ids
        and base names, replacing the straight-line estimate.

    Returns
    -------
    Plan, already passed by :func:`licvisit.core.checker.check_plan`.

    Raises
    ------
    InfeasiblePlanError
        Nobody available, shifts shorter than any visit, nothing open on a staffed night, a lock that cannot be met.
    PlanCheckError
        The checker found a broken hard rule (a bug: please report it).
    """
    params = params or PlanParams()
    if week_start.weekday() != 0:
        raise InfeasiblePlanError(f"The week must start on a Monday; {week_start} is a {week_start:%A}.")
    locks = tuple(locks)
    nights = week_nights(week_start)
    for lk in locks:
        if lk.night not in nights:
            raise InfeasiblePlanError(
                f"Lock {lk.premises_id}@{lk.night} is outside the week {nights[0]} to {nights[-1]}."
            )
    seen_lock: dict[tuple[str, dt.date], Lock] = {}
    for lk in locks:
        if (lk.premises_id, lk.night) in seen_lock:
            raise InfeasiblePlanError(
                f"Locks {lk.premises_id}@{lk.night} ask for two visits to one premises on one night; "
                "one visit serves every purpose its crew can. Fix: keep one of the locks."
            )
        seen_lock[(lk.premises_id, lk.night)] = lk
    staff = list(staff or [])
    _check_staff(staff, nights)
    operations = params.operation_types()

    candidates, dropped = build_candidates(
        ranking_table, premises, week_start, operations, params, visits=visits, locks=locks, exclude=exclude
    )
    if not any(c.windows for c in candidates):
        raise InfeasiblePlanError(
            "No candidate premises is open during any operation's hours on any night this week. "
            "Fix: check the premises' licensed hours (hours_mon ... hours_sun) and the ranking."
        )
    _check_visit_fits_shifts(staff, candidates, params, nights)
    roster = plan_roster(
        staff,
        candidates,
        operations,
        week_start,
        params,
        locks=locks,
        previous_crews=previous.crews if previous else None,
    )
    staffed = {(c.night, c.op_type) for c in roster.crews}
    if not any((n, c.op_type) in staffed for c in candidates for n in c.windows):
        raise InfeasiblePlanError(
            "No candidate premises is open during its operation's hours on any night with a crew "
            f"(crews on {', '.join(sorted({f'{n:%a}' for n, _ in staffed})) or 'no night'}). "
            "Fix: check staff availability against the premises' licensed hours."
        )
    plan = _route_week(candidates, dropped, roster, week_start, params, zones, locks, previous, travel_matrix)
    if not plan.visits:
        from collections import Counter

        why = Counter(d.reason_code for d in plan.dropped).most_common()
        raise InfeasiblePlanError(
            "No visit could be planned this week ("
            + ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in why)
            + "). Fix: check staff availability against the premises' licensed hours."
        )
    problems = check_plan(plan, premises, staff, params, zones=zones)
    if problems:
        raise PlanCheckError(
            f"The plan broke {len(problems)} hard rule(s); first: {problems[0]}. This is a bug: please report it."
        )
    return plan


def _check_staff(staff: list[Officer], nights: list[dt.date]) -> None:
    if not staff:
        raise InfeasiblePlanError(
            "Nobody is available: the staff list is empty. Fix: give a staff availability file."
        )
    avail = [o for o in staff if any(a.night in nights for a in o.availability)]
    if not avail:
        raise InfeasiblePlanError(
            f"Nobody is available between {nights[0]:%a %d %b %Y} and {nights[-1]:%a %d %b %Y}. "
            "Fix: check the staff file covers this week."
        )
    if not any(o.is_palo for o in avail):
        raise InfeasiblePlanError("Nobody is available to lead a crew: no PALO is available this week.")


def _check_visit_fits_shifts(
    staff: list[Officer], candidates: list[Candidate], params: PlanParams, nights
) -> None:
    longest = dt.timedelta(0)
    for o in staff:
        for a in o.availability:
            if a.night in nights:
                longest = max(longest, min(a.end - a.start, dt.timedelta(hours=params.shift_length_h)))
    shortest_visit = min((c.service_min for c in candidates), default=0)
    if longest < dt.timedelta(minutes=max(shortest_visit, 1)) or longest < dt.timedelta(
        minutes=params.min_crew_shift_min
    ):
        raise InfeasiblePlanError(
            f"Shifts are too short: the longest available shift is {longest.total_seconds() / 60:.0f} minutes, "
            f"shorter than any visit ({shortest_visit} min) or the minimum crew shift "
            f"({params.min_crew_shift_min} min). Fix: check the staff availability times."
        )


def _minutes(t: dt.datetime, origin: dt.datetime) -> int:
    return int((t - origin).total_seconds() // 60)


def _route_week(
    candidates: list[Candidate],
    dropped: list[DroppedCandidate],
    roster: Roster,
    week_start: dt.date,
    params: PlanParams,
    zones: Any,
    locks: tuple[Lock, ...],
    previous: Plan | None,
    travel_matrix: pd.DataFrame | None,
) -> Plan:
    origin = dt.datetime.combine(week_start, dt.time())
    crews = roster.crews
    ops = {o.name: o for o in params.operation_types()}
    # Locations: bases first, then candidate premises.
    bases: dict[str, tuple[float, float]] = {}
    for c in crews:
        bases.setdefault(c.base, (c.base_x, c.base_y))
    base_names = sorted(bases)
    prem_ids = sorted({c.premises_id for c in candidates})
    prem_xy = {c.premises_id: (c.x, c.y) for c in candidates}
    loc_ids = base_names + prem_ids
    lx = np.array([bases[b][0] for b in base_names] + [prem_xy[p][0] for p in prem_ids])
    ly = np.array([bases[b][1] for b in base_names] + [prem_xy[p][1] for p in prem_ids])
    if travel_matrix is not None:
        try:
            tmin = matrix_from_table(travel_matrix, loc_ids)
        except ValueError as exc:
            raise InfeasiblePlanError(f"Travel matrix: {exc}") from exc
        source = "matrix"
    else:
        zone = zone_of_points(lx, ly, zones)
        tmin = travel_minutes(
            lx,
            ly,
            zone,
            walk_kmh=params.walk_kmh,
            drive_kmh=params.drive_kmh,
            circuity=params.circuity,
            drive_overhead_min=params.drive_overhead_min,
        )
        source = "straight_line"
    tmin_int = np.ceil(tmin - 1e-9).astype(np.int64)
    loc_index = {k: i for i, k in enumerate(loc_ids)}
    busy: set[str] = set()  # premises in a zone marked busy: licensing crews there need uniformed support
    if params.busy_zones and zones is not None:
        zid = zone_of_points(lx, ly, zones)
        busy = {loc_ids[i] for i, z in enumerate(zid) if z in set(params.busy_zones) and i >= len(base_names)}

    crews_by = {}
    for v, c in enumerate(crews):
        crews_by.setdefault((c.night, c.op_type), []).append(v)
    prev_night: dict[tuple[str, str], dt.date] = {}
    if previous is not None and params.replan_keep_nights:
        for pv in previous.visits:
            prev_night[(pv.premises_id, pv.op_type)] = pv.night

    # Nodes: one depot node per base, then (candidate, night) visit nodes.
    node_loc = list(range(len(base_names)))
    service = [0] * len(base_names)
    windows: list[tuple[int, int]] = [(0, 0)] * len(base_names)
    allowed: dict[int, list[int]] = {}
    node_info: list[tuple[int, dt.date] | None] = [None] * len(base_names)
    no_crew: dict[int, str] = {}
    mean = mean_value(candidates)
    cand_nodes: dict[int, list[int]] = {}
    for ci, cand in enumerate(candidates):
        nodes = []
        nights = sorted(cand.windows)
        key = (cand.premises_id, cand.op_type)
        if cand.lock is not None:
            nights = [cand.lock.night]
        elif key in prev_night and prev_night[key] in cand.windows:
            nights = [prev_night[key]]
        elif params.max_nights_per_candidate:
            # Keep the busiest nights with a crew of the right kind: a smaller model searches better.
            staffed = [n for n in nights if crews_by.get((n, cand.op_type))]
            staffed.sort(key=lambda n: (-params.night_weights[n.weekday()], n))
            nights = sorted(staffed[: params.max_nights_per_candidate])
        for night in nights:
            vs = crews_by.get((night, cand.op_type), [])
            if cand.lock is not None and cand.lock.crew_id:
                vs = [v for v in vs if crews[v].crew_id == cand.lock.crew_id]
                if not vs:
                    raise InfeasiblePlanError(
                        f"Lock {cand.premises_id}@{night}: crew {cand.lock.crew_id} is not on the roster "
                        f"(crews that night: {', '.join(c.crew_id for c in crews if c.night == night) or 'none'})."
                    )
            if not vs:
                continue
            lo, hi = cand.windows[night]
            lo_m = _minutes(lo, origin)
            hi_m = _minutes(hi, origin) - cand.service_min
            # Reachable from base and back within some crew's shift.
            loc = loc_index[cand.premises_id]
            ok_vs = []
            lpa = cand.meta.get("lpa", "")
            for v in vs:
                c = crews[v]
                if params.crews_stay_in_lpa and lpa and c.lpas and lpa not in c.lpas:
                    continue
                if cand.premises_id in busy and ops[cand.op_type].support_role and len(c.members) < 3:
                    continue
                b = loc_index[c.base]
                s0 = _minutes(c.shift_start, origin) + int(tmin_int[b, loc])
                s1 = _minutes(c.shift_end, origin) - int(tmin_int[loc, b]) - cand.service_min
                if max(lo_m, s0) <= min(hi_m, s1):
                    ok_vs.append(v)
            if not ok_vs:
                no_crew.setdefault(ci, "outside_shifts")
                continue
            node = len(node_loc)
            node_loc.append(loc)
            service.append(cand.service_min)
            windows.append((lo_m, hi_m))
            allowed[node] = ok_vs
            node_info.append((ci, night))
            nodes.append(node)
        if not nodes:
            if ci not in no_crew:
                no_crew[ci] = "no_window" if not cand.windows else "no_crew_when_open"
            if cand.lock is not None:
                raise InfeasiblePlanError(
                    f"Lock {cand.premises_id}@{cand.lock.night}:{cand.op_type} cannot be honoured: no "
                    f"{cand.op_type} crew can reach it within its shift while it is open."
                )
            continue
        cand_nodes[ci] = nodes
    groups, group_cands, node_purposes, node_extra = _premises_groups(
        candidates, cand_nodes, node_info, ops, params, mean
    )

    node_loc_arr = np.array(node_loc)
    time_m = tmin_int[np.ix_(node_loc_arr, node_loc_arr)]
    per_min = params.travel_weight * POINTS
    cost = np.round(tmin[np.ix_(node_loc_arr, node_loc_arr)] * per_min).astype(np.int64)
    # A visit serving fewer purposes than the premises' best is worth less: charge the difference on
    # leaving it, so one disjunction per premises (penalty = best worth) values each alternative right.
    for node, extra in node_extra.items():
        cost[node, :] += extra
    starts = [loc_index[c.base] for c in crews]
    vwin = [(_minutes(c.shift_start, origin), _minutes(c.shift_end, origin)) for c in crews]
    problem = RoutingProblem(
        cost=cost,
        time=time_m,
        service=service,
        windows=windows,
        starts=starts,
        ends=starts,
        vehicle_windows=vwin,
        groups=groups,
        allowed=allowed,
        horizon=9 * 1440,
    )
    initial = None
    if previous is not None:
        initial = _initial_routes(previous, crews, node_info, candidates)
    if groups:
        res = solve_routing(
            problem,
            params.time_limit_s,
            work_limit=params.work_limit or None,
            strategies=params.first_solution_strategies,
            initial_routes=initial,
        )
        pruned = prune_unprofitable(problem, res)
        made_room = _place_breaks(problem, res, params)
        released_weak, rounds = _release_weak_crews(problem, res, crews, params)
        res = rounds or res
        inserted = _insert_if_gain(problem, res, params)
        opened = open_free_crews(problem, res, params, _insertion)
        inserted += _insert_if_gain(problem, res, params) if opened else 0
    else:
        opened = []
        made_room = 0
        res = None
        pruned = 0
        released_weak = []
        inserted = 0

    visits: list[Visit] = []
    covered: set[int] = set()  # candidates served by a planned visit (its own or another purpose)
    if res is not None:
        for v, route in enumerate(res.routes):
            crew = crews[v]
            for k, (node, st) in enumerate(zip(route, res.starts[v], strict=True)):
                ci, night = node_info[node]  # type: ignore[misc]
                cand = candidates[ci]
                arr = origin + dt.timedelta(minutes=st)
                wo, wc = cand.windows[night]
                served = node_purposes[node]
                covered.update(served)
                visits.append(
                    Visit(
                        premises_id=cand.premises_id,
                        crew_id=crew.crew_id,
                        night=night,
                        op_type=cand.op_type,
                        order=k + 1,
                        arrival=arr,
                        departure=arr + dt.timedelta(minutes=cand.service_min),
                        window_open=wo,
                        window_close=wc,
                        value=round(sum(candidates[j].value for j in served), 4),
                        locked=cand.lock is not None,
                        # A breach follow-up served by another operation's visit still says it is one.
                        reason=next((candidates[j].why for j in served if candidates[j].mandatory), cand.why),
                        purposes=tuple(candidates[j].op_type for j in served),
                    )
                )
        dropped_groups = set(res.dropped_groups)
    else:
        dropped_groups = set()
    visits = _mark_repeats(visits)
    if res is not None:
        crews = [_fit_shift(c, v, res, problem, origin) for v, c in enumerate(crews)]
        fitted = {c.crew_id: c for c in crews}
        shifts = [
            dataclasses.replace(s, start=fitted[s.crew_id].shift_start, end=fitted[s.crew_id].shift_end)
            if s.crew_id in fitted else s
            for s in roster.shifts
        ]  # fmt: skip
    else:
        shifts = list(roster.shifts)
    for gi in sorted(dropped_groups):
        cand = candidates[group_cands[gi][0]]
        if cand.lock is not None:
            raise InfeasiblePlanError(
                f"Lock {cand.premises_id}@{cand.lock.night}:{cand.op_type} cannot be honoured within the crews' "
                "shifts and the premises' hours. Fix: relax the lock or another lock that night."
            )
    bent = list(roster.bent)
    explained = _explain(
        candidates,
        groups,
        group_cands,
        dropped_groups,
        no_crew,
        covered,
        visits,
        res,
        problem,
        ops,
        node_info,
        per_min,
        params,
        [c.crew_id for c in crews],
    )
    for d in explained:
        cand = next(c for c in candidates if c.premises_id == d.premises_id and c.op_type == d.op_type)
        if cand.mandatory:
            bent.append(
                BentRule(
                    "breach_follow_up",
                    d.premises_id,
                    round(max(d.value, mean) * params.follow_up_weight, 3),
                    f"breach follow-up not planned: {d.reason}",
                )
            )
    dropped = dropped + explained
    visits.sort(key=lambda v: (v.night, v.crew_id, v.order))
    node_value = {n: sum(candidates[j].value for j in served) for n, served in node_purposes.items()}
    # A route over break_after_h loses its break; a shorter one needs none, but is that short.
    capacity = [
        max(hi - lo - params.break_min, min(hi - lo, int(params.break_after_h * 60))) for lo, hi in vwin
    ]
    bound = value_upper_bound(
        problem, node_value, capacity, deterministic_time=params.bound_deterministic_time, seed=params.seed
    )
    value_planned = round(sum(v.value for v in visits), 4)
    # A plan can never beat the bound; the max() only guards rounding in the last digit.
    upper = max(bound.upper_bound, value_planned)
    meta: dict[str, Any] = {
        "seed": params.seed,
        "time_limit_s": params.time_limit_s,
        "work_limit": params.work_limit,
        "status": "planned" if res is not None else "no_visits_possible",
        "roster_status": roster.status,
        "roster_objective": roster.objective,
        "caps_binding": [
            f"max_crews_per_op_night={params.max_crews_per_op_night}: {x}" for x in roster.capped
        ],
        "routing_strategy": res.strategy if res else "",
        "routing_attempts": res.attempts if res else {},
        "routing_objective": res.objective if res else 0,
        "routing_solve_s": res.solve_s if res else 0.0,
        "routing_stopped_by": res.stopped_by if res else "",
        "routing_work": res.work if res else 0,
        "routing_pruned": pruned,
        "dropped_for_breaks": made_room,
        "inserted_after_search": inserted,
        "travel_source": source,
        "travel_cost_points": res.travel_cost if res else 0,
        "n_candidates": len(candidates),
        "n_visit_nodes": len(node_loc) - len(base_names),
        "value_planned": value_planned,
        "value_upper_bound": upper,
        "optimality_gap": round((upper - value_planned) / upper, 4) if upper > 0 else 0.0,
        "bound_status": bound.status,
        "bound_cuts": bound.n_cuts,
        "bound_scope": "rostered crews: one visit per premises, each crew's shift less its break, "
        "shortest travel into and out of each visit, time-window cuts on each crew's shift; order relaxed",
        "value_candidates": round(sum(c.value for c in candidates), 4),
        "travel_min": int(
            sum(
                _route_travel(res.routes[v], v, starts, node_loc, tmin_int) if res else 0
                for v in range(len(crews))
            )
        ),
        "operations": [o.name for o in params.operation_types()],
        "params": _params_dict(params),
    }
    # Crews the routes left idle are released rather than sent out with nothing to do.
    busy = {v.crew_id for v in visits}
    idle = [c.crew_id for c in crews if c.crew_id not in busy]
    meta["crews_released"] = idle
    meta["crews_released_few_visits"] = [crews[v].crew_id for v in released_weak]
    meta["crews_sent_out_for_drops"] = [crews[v].crew_id for v in opened]
    plan = Plan(
        week_start=week_start,
        roster=[s for s in shifts if s.crew_id in busy],
        crews=[c for c in crews if c.crew_id in busy],
        visits=visits,
        dropped=dropped,
        bent=bent,
        locks=list(locks),
        meta=meta,
    )
    if previous is not None:
        meta.update(compare_plans(previous, plan))
        meta["changes"] = plan_changes(previous, plan)
    return plan


def _insertion(problem, v, route, starts, brk, node, k, params: PlanParams):
    """Return (route, starts, back) with ``node`` inserted at position ``k`` of vehicle ``v``, or None.

    Time-aware: every visit keeps inside its window, none overlaps the
    crew's break (a break on a leg delays the arrival by its length), the
    crew is back by the end of its window, and a route with no break stays
    within ``break_after_h``.
    """
    t, svc, win = problem.time, problem.service, problem.windows
    new_route = [*route[:k], node, *route[k:]]
    new_starts = list(starts[:k])
    was = dict(zip(route, starts, strict=True))  # visits already planned are never moved earlier
    lo_v, hi_v = problem.vehicle_windows[v]
    prev = problem.starts[v] if k == 0 else route[k - 1]
    d = lo_v if k == 0 else starts[k - 1] + int(svc[prev])
    for n in new_route[k:]:
        st = max(d + int(t[prev, n]), int(win[n][0]), was.get(n, 0))
        # The break falls between leaving the last visit and finishing this one (on the leg or in
        # the visit): the crew takes it first, then travels.  A break that began before the crew was
        # free overlaps the previous visit: no room here.
        if brk is not None and brk[1] > d and brk[0] < st + int(svc[n]):
            if d > brk[0]:
                return None
            st = max(brk[1] + int(t[prev, n]), int(win[n][0]), was.get(n, 0))
        if st > int(win[n][1]):
            return None
        new_starts.append(st)
        d, prev = st + int(svc[n]), n
    back = d + int(t[prev, problem.ends[v]])
    if back > hi_v:
        return None
    leave = new_starts[0] - int(t[problem.starts[v], new_route[0]])
    if brk is None and back - leave > params.break_after_h * 60 and params.break_min > 0:
        return None
    return new_route, new_starts, back


def _insert_if_gain(problem, res, params: PlanParams) -> int:
    """Insert every dropped visit that fits a route in time and is worth its detour; return how many.

    A short search can leave out a visit that still fits; the time-aware
    insertion check finds it and, when its value beats the extra travel,
    the planner puts it in (best gain first, most valuable premises first).
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    served = {n for r in res.routes for n in r}
    inserted = 0
    order = sorted(
        (gi for gi in res.dropped_groups if problem.groups[gi].penalty is not None),
        key=lambda gi: (-(problem.groups[gi].penalty or 0), gi),
    )
    for gi in order:
        g = problem.groups[gi]
        if served.intersection(g.nodes):
            continue
        best = None
        for node in g.nodes:
            for v in problem.allowed.get(node, range(problem.n_vehicles)):
                route = res.routes[v]
                if not route:  # a released or unused crew stays released
                    continue
                seq = [problem.starts[v], *route, problem.ends[v]]
                for k in range(len(route) + 1):
                    a, b = seq[k], seq[k + 1]
                    gain = (g.penalty or 0) - int(
                        problem.cost[a, node] + problem.cost[node, b] - problem.cost[a, b]
                    )
                    if gain <= 0 or (best is not None and gain <= best[0]):
                        continue
                    got = _insertion(problem, v, route, res.starts[v], res.breaks.get(v), node, k, params)
                    if got is not None:
                        best = (gain, v, got)
        if best is None:
            continue
        _, v, (route, starts, back) = best
        res.routes[v], res.starts[v], res.back[v] = route, starts, back
        served.update(route)
        res.dropped_groups.remove(gi)
        inserted += 1
    del group_of
    return inserted


def _displaced_by(problem, res, gi: int, params: PlanParams) -> list[int]:
    """Planned visit nodes whose removal would let group ``gi`` in (time-aware), most valuable first."""
    out = set()
    for node in problem.groups[gi].nodes:
        for v in problem.allowed.get(node, range(problem.n_vehicles)):
            route = res.routes[v]
            for j in range(len(route)):
                rest = route[:j] + route[j + 1 :]
                st = res.starts[v][:j] + res.starts[v][j + 1 :]
                for k in range(len(rest) + 1):
                    if _insertion(problem, v, rest, st, res.breaks.get(v), node, k, params) is not None:
                        out.add(route[j])
                        break
    return sorted(out)


def _release_weak_crews(problem, res, crews, params: PlanParams):
    """Release crews with fewer than ``min_visits_per_crew`` visits and re-route their work; repeat.

    A crew sent out for one or two visits is a poor use of two or three
    officers: it is released, its visits are offered to the other crews
    (a re-route that starts from the current routes, with a quarter of the
    work limit), and the check repeats until every crew left has enough
    work or nothing changes.  Crews holding a locked visit are kept.

    Returns
    -------
    (released vehicle indices, the final result or None when nothing was released)
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    released: list[int] = []
    final = None

    def weak_of(res) -> list[int]:
        return [
            v
            for v, r in enumerate(res.routes)
            if 0 < len(r) < params.min_visits_per_crew
            and all(problem.groups[group_of[n]].penalty is not None for n in r)
        ]

    for _ in range(params.release_rounds):
        weak = weak_of(res)
        if not weak:
            break
        released.extend(weak)
        gone = set(released)
        for node, vs in list(problem.allowed.items()):
            problem.allowed[node] = [v for v in vs if v not in gone]
        start = [[] if v in gone else list(r) for v, r in enumerate(res.routes)]
        res = solve_routing(
            problem,
            params.time_limit_s,
            work_limit=(params.work_limit // 4) or None,
            strategies=params.first_solution_strategies,
            initial_routes=start,
        )
        prune_unprofitable(problem, res)
        _place_breaks(problem, res, params)
        final = res
    # Out of re-routes: crews still short of work are released and their visits left out.
    for v in weak_of(res):
        released.append(v)
        res.dropped_groups.extend(group_of[n] for n in res.routes[v])
        res.routes[v], res.starts[v] = [], []
        res.breaks.pop(v, None)
        final = res
    res.dropped_groups.sort()
    del crews
    return sorted(released), final


def _fit_shift(crew: Crew, v: int, res: Any, problem: RoutingProblem, origin: dt.datetime) -> Crew:
    """Fit a crew's shift to its work: leave base in time for the first visit, end when back.

    Also records its minutes on the road and idle (waiting that is neither a
    visit, travel nor its break), so on-site + travel + breaks + idle = shift.
    """
    route = res.routes[v]
    if not route:
        return crew
    t = problem.time
    seq = [problem.starts[v], *route, problem.ends[v]]
    travel = int(sum(int(t[a, b]) for a, b in zip(seq, seq[1:], strict=False)))
    on_site = int(sum(int(problem.service[n]) for n in route))
    first = res.starts[v][0] - int(t[problem.starts[v], route[0]])
    last = res.starts[v][-1] + int(problem.service[route[-1]])
    brk = res.breaks.get(v)
    if brk is not None:
        first = min(first, brk[0])
        last = max(last, brk[1])
    end = last + int(t[route[-1], problem.ends[v]])
    lo, hi = problem.vehicle_windows[v]
    start, end = max(lo, first), min(hi, end)
    break_min = (brk[1] - brk[0]) if brk is not None else 0
    return dataclasses.replace(
        crew,
        shift_start=origin + dt.timedelta(minutes=start),
        shift_end=origin + dt.timedelta(minutes=end),
        breaks=((origin + dt.timedelta(minutes=brk[0]), origin + dt.timedelta(minutes=brk[1])),)
        if brk
        else (),
        travel_min=travel,
        idle_min=(end - start) - on_site - travel - break_min,
    )


def _place_breaks(problem: RoutingProblem, res: Any, params: PlanParams) -> int:
    """Give every route longer than ``break_after_h`` a break between two visits; return visits removed.

    The routing search itself does not carry the breaks (OR-Tools' vehicle
    break intervals made each search step about six times slower, so the work
    limit could not be met in the time cap).  A route's span runs from leaving
    base for its first visit to getting back; when it is longer than
    ``break_after_h`` the break goes between two visits, at least an hour
    after leaving and an hour before getting back, where it delays the later
    visits least (they may be pushed as far as their windows and the end of
    the shift allow).  When no place has room, the least valuable visit whose
    removal makes room (or shortens the route below ``break_after_h``) is
    dropped; removing a visit never delays the others (travel times obey the
    triangle inequality).  Locked visits are never dropped.  Breaks are
    written to ``res.breaks`` (vehicle -> (start, end)).
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    res.breaks = {}
    removed = 0
    for v in range(problem.n_vehicles):
        while res.routes[v]:
            placed = _fit_break(problem, v, res.routes[v], res.starts[v], params)
            if placed is not None:
                if placed[0] is not None:
                    res.breaks[v], res.starts[v], res.back[v] = placed
                break
            options = []
            for i, node in enumerate(res.routes[v]):
                pen = problem.groups[group_of[node]].penalty
                if pen is None:
                    continue
                rest = res.routes[v][:i] + res.routes[v][i + 1 :]
                st = res.starts[v][:i] + res.starts[v][i + 1 :]
                options.append((_fit_break(problem, v, rest, st, params) is None, pen, i))
            if not options:  # only locked visits: leave them, unbroken (the checker will say so)
                break
            _, _, i = min(options)
            node = res.routes[v].pop(i)
            res.starts[v].pop(i)
            res.dropped_groups.append(group_of[node])
            removed += 1
    res.dropped_groups.sort()
    return removed


def _fit_break(problem, v, route, starts, params: PlanParams):
    """Return (break, starts, back) for ``route``; (None, starts, back) when it needs none; None if no room.

    Ties between places go to the earliest.
    """
    t = problem.time
    if not route:
        return None, starts, 0
    leave = starts[0] - int(t[problem.starts[v], route[0]])
    back = starts[-1] + int(problem.service[route[-1]]) + int(t[route[-1], problem.ends[v]])
    dur = params.break_min
    if back - leave <= params.break_after_h * 60 or dur <= 0:
        return None, starts, back
    lo_b, hi_b = leave + 60, back - 60 - dur
    best = None
    for k in range(1, len(route)):
        prev = route[k - 1]
        free = starts[k - 1] + int(problem.service[prev])
        b = max(free, lo_b)
        if b > hi_b:
            break
        new, tt, at, ok = list(starts[:k]), b + dur, prev, True
        for j in range(k, len(route)):
            node = route[j]
            st = max(tt + int(t[at, node]), starts[j])
            if st > problem.windows[node][1]:
                ok = False
                break
            new.append(st)
            tt, at = st + int(problem.service[node]), node
        end = tt + int(t[at, problem.ends[v]])
        if ok and end <= problem.vehicle_windows[v][1]:
            delay = sum(a - o for a, o in zip(new[k:], starts[k:], strict=True))
            if best is None or (delay, k) < best[0]:
                best = ((delay, k), ((b, b + dur), new, end))
    return best[1] if best else None


def _premises_groups(
    candidates: list[Candidate],
    cand_nodes: dict[int, list[int]],
    node_info: list[tuple[int, dt.date] | None],
    ops: dict[str, OperationType],
    params: PlanParams,
    mean: float,
) -> tuple[list[VisitGroup], list[list[int]], dict[int, tuple[int, ...]], dict[int, int]]:
    """Make one disjunction per premises: at most one visit a week, whichever operation does it.

    A visit of type ``op`` serves ``op`` and every purpose in ``op.covers`` the
    premises is a candidate for (an SIA check by a PALO is also the week's
    licensing compliance visit).  Its worth is the sum of the purposes it
    serves (a breach follow-up at ``follow_up_weight`` x max(value, mean)); the
    group's penalty is the best alternative's worth and each other alternative
    pays the difference as an extra cost (``node_extra``, points).  A locked
    candidate is its own mandatory group and keeps the premises' other
    alternatives out of the model (the sergeant chose the visit).

    Returns
    -------
    (groups, candidates per group, purposes per node as candidate indices, extra cost per node)
    """
    by_prem: dict[str, list[int]] = {}
    for ci, cand in enumerate(candidates):
        by_prem.setdefault(cand.premises_id, []).append(ci)
    groups: list[VisitGroup] = []
    group_cands: list[list[int]] = []
    node_purposes: dict[int, tuple[int, ...]] = {}
    node_extra: dict[int, int] = {}

    def worth(ci: int) -> float:
        c = candidates[ci]
        return params.follow_up_weight * max(c.value, mean) if c.mandatory else c.value

    for cis in by_prem.values():
        locked = [ci for ci in cis if candidates[ci].lock is not None]
        of_op = {candidates[ci].op_type: ci for ci in cis if candidates[ci].lock is None}
        live = [ci for ci in (locked or cis) if ci in cand_nodes]
        for ci in live:
            op = ops.get(candidates[ci].op_type)
            also = [of_op[p] for p in (op.covers if op else ()) if p in of_op and of_op[p] != ci]
            for node in cand_nodes[ci]:
                node_purposes[node] = (ci, *also)
        if locked:
            for ci in live:
                groups.append(VisitGroup(tuple(cand_nodes[ci]), None))
                group_cands.append([ci])
            continue
        if not live:
            continue
        nodes = [n for ci in live for n in cand_nodes[ci]]
        worths = {n: sum(worth(j) for j in node_purposes[n]) for n in nodes}
        best = max(worths.values())
        for n in nodes:
            extra = int(round(POINTS * (best - worths[n]) / mean))
            if extra > 0:
                node_extra[n] = extra
        groups.append(VisitGroup(tuple(nodes), max(1, int(round(POINTS * best / mean)))))
        group_cands.append(live)
    del node_info
    return groups, group_cands, node_purposes, node_extra


def _mark_repeats(visits: list[Visit]) -> list[Visit]:
    """Give every visit after a premises' first one this week the rule that asked for it."""
    out = []
    seen: set[str] = set()
    for v in sorted(visits, key=lambda v: (v.arrival, v.crew_id)):
        if v.premises_id in seen:
            why = "locked by the sergeant" if v.locked else ""
            v = dataclasses.replace(v, repeat_reason=why)
        seen.add(v.premises_id)
        out.append(v)
    return out


def _route_travel(route, v, starts, node_loc, tmin_int) -> int:
    if not route:
        return 0
    seq = [starts[v]] + [node_loc[n] for n in route] + [starts[v]]
    return int(sum(tmin_int[a, b] for a, b in zip(seq, seq[1:], strict=False)))


def _params_dict(params: PlanParams) -> dict[str, Any]:
    d = dataclasses.asdict(params)
    d["operations"] = list(d["operations"])
    d["night_weights"] = list(d["night_weights"])
    d["first_solution_strategies"] = list(d["first_solution_strategies"])
    d["busy_zones"] = list(d["busy_zones"])
    return d


def _initial_routes(previous: Plan, crews: list[Crew], node_info, candidates) -> list[list[int]]:
    vehicle = {c.crew_id: v for v, c in enumerate(crews)}
    node_of = {}
    for node, info in enumerate(node_info):
        if info is None:
            continue
        ci, night = info
        node_of[(candidates[ci].premises_id, candidates[ci].op_type, night)] = node
    routes: list[list[int]] = [[] for _ in crews]
    used = set()
    for pv in sorted(previous.visits, key=lambda v: (v.crew_id, v.order)):
        v = vehicle.get(pv.crew_id)
        node = node_of.get((pv.premises_id, pv.op_type, pv.night))
        if v is None or node is None or node in used or crews[v].night != pv.night:
            continue
        if crews[v].op_type != pv.op_type:
            continue
        routes[v].append(node)
        used.add(node)
    return routes


def _explain(
    candidates,
    groups,
    group_cands,
    dropped_groups,
    no_crew,
    covered,
    visits,
    res,
    problem,
    ops,
    node_info,
    per_min,
    params,
    crew_ids,
) -> list[DroppedCandidate]:
    """Say why each candidate no planned visit serves was left out (one row per candidate)."""
    out: list[DroppedCandidate] = []
    displaced: dict[int, list[tuple[str, float]]] = {}
    value_of = {}
    if res is not None:
        planned = {(v.premises_id, v.night): v.value for v in visits}
        for r in res.routes:
            for n in r:
                ci, night = node_info[n]
                value_of[n] = planned.get((candidates[ci].premises_id, night), 0.0)
    visit_of = {}
    for v in visits:
        visit_of.setdefault(v.premises_id, v)
    in_group = {ci for g in group_cands for ci in g}
    for ci, code in sorted(no_crew.items()):
        if ci in in_group or ci in covered:
            continue
        cand = candidates[ci]
        label = ops[cand.op_type].label if cand.op_type in ops else cand.op_type
        open_nights = ", ".join(f"{n:%a}" for n in sorted(cand.windows))
        if code == "no_window":
            out.append(
                DroppedCandidate(
                    cand.premises_id,
                    cand.op_type,
                    cand.value,
                    "no_crew_when_open",
                    f"Not open long enough for a {label.lower()} ({cand.service_min} min) during its hours on any night this week.",
                )
            )
        elif code == "no_crew_when_open":
            out.append(
                DroppedCandidate(
                    cand.premises_id,
                    cand.op_type,
                    cand.value,
                    code,
                    f"No {label.lower()} crew is rostered on the nights it is open ({open_nights}).",
                )
            )
        else:
            out.append(
                DroppedCandidate(
                    cand.premises_id,
                    cand.op_type,
                    cand.value,
                    "outside_shifts",
                    f"Open on {open_nights}, but no {label.lower()} crew's shift leaves time to travel there, "
                    "visit while it is open and return to base.",
                )
            )
    for gi, cis in enumerate(group_cands):
        for ci in cis:
            if ci in covered:
                continue
            cand = candidates[ci]
            label = ops[cand.op_type].label if cand.op_type in ops else cand.op_type
            v = visit_of.get(cand.premises_id)
            if gi not in dropped_groups and v is not None:
                vlabel = ops[v.op_type].label if v.op_type in ops else v.op_type
                out.append(
                    DroppedCandidate(
                        cand.premises_id,
                        cand.op_type,
                        cand.value,
                        "one_visit_per_premises",
                        f"Visited this week by {v.crew_id} ({vlabel.lower()}, {v.night:%a}), which cannot serve "
                        f"a {label.lower()}; one visit per premises a week unless a rule asks for another.",
                    )
                )
                continue
            pen = groups[gi].penalty or 0
            detour = _cheapest_detour(groups[gi].nodes, res, problem)
            if detour is not None and detour >= pen:
                minutes = detour / per_min if per_min > 0 else float("inf")
                out.append(
                    DroppedCandidate(
                        cand.premises_id,
                        cand.op_type,
                        cand.value,
                        "not_worth_travel",
                        f"Not worth the travel at its value: at least {minutes:.0f} extra minutes on the road "
                        f"for a value of {cand.value:.3g}.",
                    )
                )
            else:
                nights = sorted({node_info[n][1] for n in groups[gi].nodes})
                if gi not in displaced:
                    displaced[gi] = [
                        (candidates[node_info[n][0]].premises_id, value_of.get(n, 0.0))
                        for n in _displaced_by(problem, res, gi, params)
                    ]
                    displaced[gi].sort(key=lambda pv: (-pv[1], pv[0]))
                lost_to = displaced[gi]
                on = ", ".join(f"{n:%a}" for n in nights)
                free = free_crew_reaches(problem, res, gi, params, _insertion)
                if free is not None:
                    out.append(_too_little_work(cand, label, crew_ids[free], params))
                    continue
                if lost_to:
                    text = (
                        f"{label} crews on the nights it could be visited ({on}) had no time left for it: it fits "
                        f"only in place of one of {len(lost_to)} planned visits (displaced_by, most valuable "
                        f"first); it would have added {cand.value:.3g}."
                    )
                else:
                    text = (
                        f"{label} crews on the nights it could be visited ({on}) had no time left for it, and "
                        f"no single planned visit makes room; it would have added {cand.value:.3g}."
                    )
                out.append(
                    DroppedCandidate(
                        cand.premises_id,
                        cand.op_type,
                        cand.value,
                        "crews_full",
                        text,
                        "; ".join(f"{pid} ({val:.4g})" for pid, val in lost_to[:10]),
                    )
                )
    return out


def _too_little_work(cand: Candidate, label: str, crew_id: str, params: PlanParams) -> DroppedCandidate:
    """A drop a free crew could reach, but not with enough visits worth its night."""
    return DroppedCandidate(
        cand.premises_id,
        cand.op_type,
        cand.value,
        "too_little_work",
        f"Crew {crew_id} is free that night and could reach it, but the dropped visits it can reach and the "
        f"visits other crews can spare do not make the {params.min_visits_per_crew} visits "
        f"(min_visits_per_crew) worth its travel; it would have added {cand.value:.3g}.",
    )


def _cheapest_detour(nodes, res, problem) -> int | None:
    """Cheapest travel-cost detour to insert one of ``nodes`` into any allowed route (time ignored)."""
    if res is None:
        return None
    best = None
    for node in nodes:
        for v in problem.allowed.get(node, range(problem.n_vehicles)):
            seq = [problem.starts[v], *res.routes[v], problem.ends[v]]
            for a, b in zip(seq, seq[1:], strict=False):
                d = int(problem.cost[a, node] + problem.cost[node, b] - problem.cost[a, b])
                if best is None or d < best:
                    best = d
    return best


def compare_plans(previous: Plan, plan: Plan) -> dict[str, int]:
    """Count visits kept, moved (other night or crew) and removed since ``previous``."""
    new = {(v.premises_id, v.op_type): v for v in plan.visits}
    kept = moved = removed = 0
    for pv in previous.visits:
        nv = new.get((pv.premises_id, pv.op_type))
        if nv is None:
            removed += 1
        elif nv.night == pv.night and nv.crew_id == pv.crew_id:
            kept += 1
        else:
            moved += 1
    old = {(v.premises_id, v.op_type) for v in previous.visits}
    added = sum(1 for k in new if k not in old)
    return {"visits_kept": kept, "visits_moved": moved, "visits_removed": removed, "visits_added": added}


def plan_changes(previous: Plan, plan: Plan) -> list[dict[str, str]]:
    """One row per visit of either plan: kept, moved (from where to where), removed or added, and why."""

    def where(v: Visit) -> str:
        return f"{v.night:%a %d %b} {v.crew_id} {v.arrival:%H:%M}"

    new = {(v.premises_id, v.op_type): v for v in plan.visits}
    old = {(v.premises_id, v.op_type): v for v in previous.visits}
    why_dropped = {(d.premises_id, d.op_type): f"{d.reason_code}: {d.reason}" for d in plan.dropped}
    excluded = {d.premises_id for d in plan.dropped if d.reason_code == "excluded"}
    locked = {(lk.premises_id, lk.night) for lk in plan.locks}
    rows = []
    for key, pv in sorted(old.items(), key=lambda kv: (kv[1].night, kv[1].crew_id, kv[1].order)):
        nv = new.get(key)
        if nv is None:
            other = next((v for v in plan.visits if v.premises_id == pv.premises_id), None)
            if pv.premises_id in excluded:
                why = "excluded this time"
            elif other is not None:
                why = f"now visited as {other.op_type} ({where(other)})"
            else:
                why = why_dropped.get(key, "left out")
            rows.append({"premises_id": pv.premises_id, "op_type": pv.op_type, "change": "removed",
                         "from": where(pv), "to": "", "why": why})  # fmt: skip
        elif nv.night == pv.night and nv.crew_id == pv.crew_id:
            rows.append({"premises_id": pv.premises_id, "op_type": pv.op_type, "change": "kept",
                         "from": where(pv), "to": where(nv), "why": "same night and crew"})  # fmt: skip
        else:
            if (nv.premises_id, nv.night) in locked:
                why = "locked to this night"
            elif nv.night != pv.night:
                why = "another night fits the week better"
            else:
                why = "another crew that night fits better (crews changed)"
            rows.append({"premises_id": pv.premises_id, "op_type": pv.op_type, "change": "moved",
                         "from": where(pv), "to": where(nv), "why": why})  # fmt: skip
    for key, nv in sorted(new.items(), key=lambda kv: (kv[1].night, kv[1].crew_id, kv[1].order)):
        if key not in old:
            why = "locked by the sergeant" if nv.locked else f"room in the re-plan; {nv.reason}"
            rows.append({"premises_id": nv.premises_id, "op_type": nv.op_type, "change": "added",
                         "from": "", "to": where(nv), "why": why})  # fmt: skip
    return rows


__all__ = ["PlanParams", "plan_week", "compare_plans", "plan_changes"]
