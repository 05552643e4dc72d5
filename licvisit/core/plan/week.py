"""Plan a week of licensing visits: roster (CP-SAT), crews, routes (OR-Tools), explanations.

:func:`plan_week` is a short public coordinator over private steps:

1. candidates from the risk ranking (:mod:`licvisit.core.plan.candidates`);
2. roster and joint crews (:mod:`licvisit.core.plan.roster`);
3. one routing model for the whole week, vehicles = crew-nights, each
   candidate a group of alternative nights of which at most one is visited
   (:mod:`licvisit.core.plan.routing`);
4. a reason for every candidate left out, the rules bent, run metadata;
5. the independent checker (:mod:`licvisit.core.plan.checker`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.plan.bound import ValueBound, optimality_gap, value_upper_bound
from licvisit.core.plan.candidates import Candidate, build_candidates, mean_value, week_nights
from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.components import Component, component_work_limit, week_components
from licvisit.core.plan.explain import Routed, compare_plans, explain_drops, plan_changes
from licvisit.core.plan.params import POINTS, PlanParams
from licvisit.core.plan.recruit import Home, greedy_routes, open_free_crews, send_out_from_home
from licvisit.core.plan.repair import (
    _fit_shift,
    _insert_if_gain,
    _insertion,
    _place_breaks,
    _release_weak_crews,
    _route_travel,
)
from licvisit.core.plan.replan import full_replan_meta, replan_week
from licvisit.core.plan.roster import Roster, TeamAtHome, palo_nights, plan_roster
from licvisit.core.plan.routing import (
    RoutingProblem,
    RoutingResult,
    VisitGroup,
    prune_unprofitable,
    solve_routing,
)
from licvisit.core.plan.travel import matrix_from_table, travel_minutes, zone_of_points
from licvisit.domain import (
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
    progress: Callable[[str], None] | None = None,
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
    progress : called with a short line as each step starts (candidates, roster,
        routes, repair, bound, check), so a long plan is not silent.

    Returns
    -------
    Plan, already passed by :func:`licvisit.core.plan.checker.check_plan`.

    Raises
    ------
    InfeasiblePlanError
        Nobody available, shifts shorter than any visit, nothing open on a staffed night, a lock that cannot be met.
    PlanCheckError
        The checker found a broken hard rule (a bug: please report it).
    """
    params = params or PlanParams()
    say = progress or _quiet
    if week_start.weekday() != 0:
        raise InfeasiblePlanError(f"The week must start on a Monday; {week_start} is a {week_start:%A}.")
    locks = tuple(locks)
    exclude = tuple(exclude)
    nights = week_nights(week_start)
    _check_locks_in_week(locks, nights)
    staff = list(staff or [])
    _check_staff(staff, nights)
    operations = params.operation_types()

    say("choosing candidate visits from the ranking")
    candidates, dropped = build_candidates(
        ranking_table, premises, week_start, operations, params, visits=visits, locks=locks, exclude=exclude
    )
    if not any(c.windows for c in candidates):
        raise InfeasiblePlanError(
            "No candidate premises is open during any operation's hours on any night this week. "
            "Fix: check the premises' licensed hours (hours_mon ... hours_sun) and the ranking."
        )
    _check_visit_fits_shifts(staff, candidates, params, nights)
    fallback = ""
    if previous is not None:  # re-plan only the nights the edits touch, when the previous roster still holds
        replanned = replan_week(
            candidates, dropped, staff, premises, week_start, params, previous=previous, locks=locks,
            exclude=exclude, zones=zones, travel_matrix=travel_matrix, route=_route_week, say=say,
        )  # fmt: skip
        if isinstance(replanned, Plan):
            return replanned
        fallback = replanned
        say(f"re-planning the whole week: {fallback}")
    say(f"rostering {len(staff)} officers for {len(candidates)} candidate premises (CP-SAT)")
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
    limit = (
        f"work limit {params.work_limit:,}" if params.work_limit else f"time limit {params.time_limit_s:g} s"
    )
    say(f"routing {len(roster.crews)} crews (OR-Tools, {limit})")
    plan = _route_week(
        candidates, dropped, roster, week_start, params, zones, locks, previous, travel_matrix, say
    )
    if fallback:
        plan.meta.update(full_replan_meta(fallback, week_start))
    if not plan.visits:
        from collections import Counter

        why = Counter(d.reason_code for d in plan.dropped).most_common()
        raise InfeasiblePlanError(
            "No visit could be planned this week ("
            + ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in why)
            + "). Fix: check staff availability against the premises' licensed hours."
        )
    say("checking every hard rule independently")
    problems = check_plan(plan, premises, staff, params, zones=zones)
    if problems:
        raise PlanCheckError(
            f"The plan broke {len(problems)} hard rule(s); first: {problems[0]}. This is a bug: please report it."
        )
    return plan


def _quiet(_msg: str) -> None:
    return None


def _check_locks_in_week(locks: tuple[Lock, ...], nights: list[dt.date]) -> None:
    """Refuse a lock outside the week, and two locks on one premises on one night."""
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
    staff: list[Officer], candidates: list[Candidate], params: PlanParams, nights: list[dt.date]
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
    say: Callable[[str], None],
) -> Plan:
    """Route the week's independent components (see :mod:`licvisit.core.plan.components`) and merge them.

    Each component is its own routing problem (greedy start, search, repair,
    explanations, bound) with its share of the work limit
    (:func:`licvisit.core.plan.components.component_work_limit`); the plan is
    their union and its bound the sum of theirs.
    """
    origin = dt.datetime.combine(week_start, dt.time())
    mean = mean_value(candidates)
    comps = week_components(roster.crews, candidates, params.crews_stay_in_lpa and params.route_by_component)
    models: list[_PartModel] = [
        _part_model(
            [candidates[i] for i in comp.candidates],
            [roster.crews[v] for v in comp.crews],
            params, zones, travel_matrix, origin, previous, mean,
        )
        for comp in comps
    ]  # fmt: skip
    total_nodes = sum(m.n_nodes for m in models)
    parts: list[_Part] = []
    for k, (comp, model) in enumerate(zip(comps, models, strict=True)):
        # Officers are booked once a night: the routed parts' crews that go out, and every rostered
        # crew of the parts still to come, count when this part forms crews from officers at home.
        out_ids = {v.crew_id for p in parts for v in p.visits}
        routed = [c for p in parts for c in p.crews if c.crew_id in out_ids]
        later = [roster.crews[v] for c in comps[k + 1 :] for v in c.crews]
        part_roster = dataclasses.replace(roster, on_duty=[*roster.on_duty, *routed, *later])
        size = (model.n_nodes, len(model.crews))
        work = component_work_limit(
            params.work_limit,
            size,
            total_nodes,
            params.component_work_floor,
            params.work_ref_size,
            params.work_size_exponent,
        )
        part_params = params if work == params.work_limit else dataclasses.replace(params, work_limit=work)
        if len(comps) > 1 or work != params.work_limit:
            say(
                f"routing part {k + 1} of {len(comps)} ({', '.join(comp.lpas) or 'any LPA'}: "
                f"{len(model.crews)} crews, {len(model.candidates)} candidates, "
                f"{model.n_nodes:,} visit nodes, work limit {work:,})"
            )
        # One part at a time, its routing model dropped when it is done: the matrices of a
        # force-wide week's parts would not all fit in memory at once.
        parts.append(_route_part(model, part_params, previous, part_roster, origin, say))
    return _merged_plan(parts, comps, candidates, dropped, roster, week_start, params, locks, previous, mean)


@dataclasses.dataclass
class _PartModel:
    """One component's model before routing: its candidates and crews, visit nodes and groups."""

    candidates: list[Candidate]
    crews: list[Crew]
    ops: dict[str, OperationType]
    locs: _Locations
    nodes: tuple[list[int], list[int], list[tuple[int, int]], dict[int, list[int]]]
    node_info: list[tuple[int, dt.date] | None]
    no_crew: dict[int, str]
    groups: list[VisitGroup]
    group_cands: list[list[int]]
    node_purposes: dict[int, tuple[int, ...]]
    node_extra: dict[int, int]
    per_min: float

    @property
    def n_nodes(self) -> int:
        return len(self.nodes[0]) - len(self.locs.base_names)


@dataclasses.dataclass
class _Part:
    """A routed component: its visits, fitted crews, explained drops, released crews and metadata."""

    crews: list[Crew]
    visits: list[Visit]
    explained: list[DroppedCandidate]
    released_weak: list[str]
    opened: list[str]
    meta: dict[str, Any]
    size: dict[str, Any]
    from_home: list[str]  # crews formed from officers at home and sent out


def _part_model(
    candidates: list[Candidate],
    crews: list[Crew],
    params: PlanParams,
    zones: Any,
    travel_matrix: pd.DataFrame | None,
    origin: dt.datetime,
    previous: Plan | None,
    mean: float,
) -> _PartModel:
    """Build one component's visit nodes and groups (``mean``: the week's mean candidate value)."""
    ops = {o.name: o for o in params.operation_types()}
    locs = _locations(crews, candidates, params, zones, travel_matrix)
    node_loc, service, windows, allowed, node_info, no_crew, cand_nodes = _visit_nodes(
        candidates, crews, ops, params, locs, origin, previous
    )
    groups, group_cands, node_purposes, node_extra = _premises_groups(
        candidates, cand_nodes, node_info, ops, params, mean
    )
    return _PartModel(
        candidates, crews, ops, locs, (node_loc, service, windows, allowed), node_info, no_crew, groups,
        group_cands, node_purposes, node_extra, params.travel_weight * POINTS,
    )  # fmt: skip


def _route_part(
    m: _PartModel,
    params: PlanParams,
    previous: Plan | None,
    roster: Roster,
    origin: dt.datetime,
    say: Callable[[str], None],
) -> _Part:
    """Route one component (:func:`_search`), then its visits, fitted shifts, explanations and bound.

    ``roster.on_duty`` are the crews of the other components that count against
    their members' rules when crews are formed from the officers at home here.
    """
    problem = _routing_problem(m.crews, m.locs, origin, m.per_min, m.nodes, m.groups, m.node_extra)
    home = _home(roster, m, origin, params)
    res, pruned, made_room, released_weak, inserted, opened = _search(
        problem, m.groups, m.crews, m.candidates, m.node_info, params, previous, home=home
    )
    say("fitting shifts and breaks, explaining what was left out")
    visits, covered = _visits_from(res, m.crews, m.candidates, m.node_info, m.node_purposes, origin)
    dropped_groups = set(res.dropped_groups) if res is not None else set()
    crews = m.crews
    if res is not None:
        crews = [_fit_shift(c, v, res, problem, origin) for v, c in enumerate(crews)]
    _check_dropped_locks(dropped_groups, m.candidates, m.group_cands)
    routed = Routed(problem, res, visits, covered, dropped_groups, [c.crew_id for c in crews], home)
    explained = explain_drops(m, routed, params)
    say("computing the upper bound on the week's value")
    bound = _value_bound(problem, m.candidates, m.node_purposes, params)
    value = round(sum(v.value for v in visits), 4)
    counts, model = (pruned, made_room, inserted), (m.locs, m.nodes[0], problem)
    meta = _meta(params, roster, previous, res, counts, model, m.candidates, value, bound)
    size = {"crews": len(m.crews), "candidates": len(m.candidates), "visit_nodes": m.n_nodes}
    weak, sent = [m.crews[v].crew_id for v in released_weak], [m.crews[v].crew_id for v in opened]
    return _Part(crews, visits, explained, weak, sent, meta, size, [m.crews[v].crew_id for v in home.sent])


def _merged_plan(
    parts: list[_Part],
    comps: list[Component],
    candidates: list[Candidate],
    dropped: list[DroppedCandidate],
    roster: Roster,
    week_start: dt.date,
    params: PlanParams,
    locks: tuple[Lock, ...],
    previous: Plan | None,
    mean: float,
) -> Plan:
    """One plan from the routed components: their visits, crews, drops, bounds and metadata."""
    visits = _mark_repeats([v for p in parts for v in p.visits])
    visits.sort(key=lambda v: (v.night, v.crew_id, v.order))
    explained = [d for p in parts for d in p.explained]
    bent = [*roster.bent, *_unplanned_follow_ups(explained, candidates, mean, params)]
    fitted = {c.crew_id: c for p in parts for c in p.crews}
    rostered = {c.crew_id for c in roster.crews}
    crews = [fitted[c.crew_id] for c in roster.crews] + [
        c for p in parts for c in p.crews if c.crew_id not in rostered
    ]  # the rostered crews, then those formed from officers at home
    shifts = [
        dataclasses.replace(s, start=fitted[s.crew_id].shift_start, end=fitted[s.crew_id].shift_end)
        if s.crew_id in fitted else s
        for s in roster.shifts
    ]  # fmt: skip
    meta = _merge_meta(parts, comps, params)
    # Crews the routes left idle are released rather than sent out with nothing to do.
    busy = {v.crew_id for v in visits}
    meta["crews_released"] = [c.crew_id for c in crews if c.crew_id not in busy]
    meta["crews_released_few_visits"] = [c for p in parts for c in p.released_weak]
    meta["crews_sent_out_for_drops"] = [c for p in parts for c in p.opened]
    meta["crews_formed_from_home"] = [c for p in parts for c in p.from_home]
    used, available = palo_nights(roster.officers, roster.nights, [c for c in crews if c.crew_id in busy])
    meta["palo_nights_used"], meta["palo_nights_available"] = used, available
    plan = Plan(
        week_start=week_start,
        roster=[s for s in shifts if s.crew_id in busy],
        crews=[c for c in crews if c.crew_id in busy],
        visits=visits,
        dropped=dropped + explained,
        bent=bent,
        locks=list(locks),
        meta=meta,
    )
    if previous is not None:
        meta.update(compare_plans(previous, plan))
        meta["changes"] = plan_changes(previous, plan)
    return plan


_SUMMED = (
    "routing_objective", "routing_solve_s", "routing_work", "routing_pruned", "dropped_for_breaks",
    "inserted_after_search", "travel_cost_points", "n_candidates", "n_visit_nodes", "value_planned",
    "value_upper_bound", "bound_cuts", "value_candidates", "travel_min",
)  # fmt: skip
_BOUND_ORDER = ("OPTIMAL", "FEASIBLE", "LP_BOUND")  # weakest proof last


def _merge_meta(parts: list[_Part], comps: list[Component], params: PlanParams) -> dict[str, Any]:
    """The week's metadata from its components': sums, the weakest proof, the limit that stopped any."""
    metas = [p.meta for p in parts]
    meta = dict(metas[0])
    meta["work_limit"] = params.work_limit  # the week's; each part's is in routing_components
    meta["params"] = _params_dict(params)
    meta["routing_components"] = [
        {
            "lpas": list(comp.lpas),
            **p.size,
            "work_limit": m["work_limit"],
            "routing_work": m["routing_work"],
            "routing_stopped_by": m["routing_stopped_by"],
            "value_planned": m["value_planned"],
            "value_upper_bound": m["value_upper_bound"],
        }
        for comp, p, m in zip(comps, parts, metas, strict=True)
    ]
    if len(metas) == 1:
        return meta
    for key in _SUMMED:
        total = sum(m[key] for m in metas)
        meta[key] = round(total, 4) if isinstance(total, float) else total
    routed = [m for m in metas if m["routing_stopped_by"]]
    meta["status"] = "planned" if any(m["status"] == "planned" for m in metas) else "no_visits_possible"
    stops = [m["routing_stopped_by"] for m in routed]
    meta["routing_stopped_by"] = "time_limit" if "time_limit" in stops else (stops[0] if stops else "")
    meta["routing_strategy"] = ", ".join(dict.fromkeys(m["routing_strategy"] for m in routed))
    meta["routing_attempts"] = {}
    meta["bound_status"] = max(
        (m["bound_status"] for m in metas),
        key=lambda st: _BOUND_ORDER.index(st) if st in _BOUND_ORDER else len(_BOUND_ORDER),
    )
    upper, value = meta["value_upper_bound"], meta["value_planned"]
    meta["optimality_gap"] = optimality_gap(value, upper)
    return meta


def _routing_problem(
    crews: list[Crew],
    locs: _Locations,
    origin: dt.datetime,
    per_min: float,
    nodes: tuple[list[int], list[int], list[tuple[int, int]], dict[int, list[int]]],
    groups: list[VisitGroup],
    node_extra: dict[int, int],
) -> RoutingProblem:
    """The routing model of the week: travel cost and time between the nodes, windows, crews' shifts."""
    node_loc, service, windows, allowed = nodes
    loc_index, tmin, tmin_int = locs.loc_index, locs.tmin, locs.tmin_int
    node_loc_arr = np.array(node_loc)
    time_m = tmin_int[np.ix_(node_loc_arr, node_loc_arr)]
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
    return problem


def _check_dropped_locks(
    dropped_groups: set[int], candidates: list[Candidate], group_cands: list[list[int]]
) -> None:
    """A locked visit the routes could not make is an error, not a drop."""
    for gi in sorted(dropped_groups):
        cand = candidates[group_cands[gi][0]]
        if cand.lock is not None:
            raise InfeasiblePlanError(
                f"Lock {cand.premises_id}@{cand.lock.night}:{cand.op_type} cannot be honoured within the crews' "
                "shifts and the premises' hours. Fix: relax the lock or another lock that night."
            )


def _unplanned_follow_ups(
    explained: list[DroppedCandidate], candidates: list[Candidate], mean: float, params: PlanParams
) -> list[BentRule]:
    """A bent rule for each breach follow-up left out of the plan."""
    bent: list[BentRule] = []
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
    return bent


def _value_bound(
    problem: RoutingProblem,
    candidates: list[Candidate],
    node_purposes: dict[int, tuple[int, ...]],
    params: PlanParams,
) -> ValueBound:
    """Upper bound on the value the rostered crews could plan (see :mod:`licvisit.core.plan.bound`)."""
    node_value = {n: sum(candidates[j].value for j in served) for n, served in node_purposes.items()}
    # A route over break_after_h loses its break; a shorter one needs none, but is that short.
    capacity = [
        max(hi - lo - params.break_min, min(hi - lo, int(params.break_after_h * 60)))
        for lo, hi in problem.vehicle_windows
    ]
    return value_upper_bound(
        problem, node_value, capacity, deterministic_time=params.bound_deterministic_time, seed=params.seed
    )


def _meta(
    params: PlanParams,
    roster: Roster,
    previous: Plan | None,
    res: RoutingResult | None,
    counts: tuple[int, int, int],
    model: tuple[_Locations, list[int], RoutingProblem],
    candidates: list[Candidate],
    value_planned: float,
    bound: ValueBound,
) -> dict[str, Any]:
    """What the plan records about its search: settings, roster, routing, value and bound, travel.

    ``counts`` are (pruned, dropped for breaks, inserted after the search); ``model`` is
    (locations, node locations, routing problem).
    """
    pruned, made_room, inserted = counts
    locs, node_loc, problem = model
    base_names, tmin_int, source, starts = locs.base_names, locs.tmin_int, locs.source, problem.starts
    # A plan can never beat the bound; the max() only guards rounding in the last digit.
    upper = max(bound.upper_bound, value_planned)
    meta: dict[str, Any] = {
        "seed": params.seed,
        "time_limit_s": params.time_limit_s,
        "work_limit": params.work_limit,
        "status": "planned" if res is not None else "no_visits_possible",
        "roster_status": roster.status,
        "roster_stopped_by": roster.stopped_by,
        "roster_objective": roster.objective,
        "caps_binding": [
            f"max_crews_per_op_night={params.max_crews_per_op_night}: {x}" for x in roster.capped
        ],
        "routing_strategy": res.strategy if res else "",
        "routing_start": "previous_plan"
        if previous is not None
        else ("greedy_routes" if params.greedy_start else "first_solution_heuristics"),
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
        "optimality_gap": optimality_gap(value_planned, upper),
        "bound_status": bound.status,
        "bound_cuts": bound.n_cuts,
        "bound_scope": "rostered crews: one visit per premises, each crew's shift less its break, "
        "shortest travel into and out of each visit, time-window cuts on each crew's shift; order relaxed",
        "value_candidates": round(sum(c.value for c in candidates), 4),
        "travel_min": int(
            sum(
                _route_travel(res.routes[v], v, starts, node_loc, tmin_int) if res else 0
                for v in range(problem.n_vehicles)
            )
        ),
        "operations": [o.name for o in params.operation_types()],
        "params": _params_dict(params),
    }
    return meta


@dataclasses.dataclass
class _Locations:
    """Bases first, then candidate premises: travel minutes between them, premises in busy zones."""

    base_names: list[str]
    loc_index: dict[str, int]
    tmin: np.ndarray
    tmin_int: np.ndarray
    source: str
    busy: set[str]


def _locations(
    crews: list[Crew],
    candidates: list[Candidate],
    params: PlanParams,
    zones: Any,
    travel_matrix: pd.DataFrame | None,
) -> _Locations:
    """Travel times between the crews' bases and the candidate premises (a table or straight lines)."""
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

    return _Locations(base_names, loc_index, tmin, tmin_int, source, busy)


def _visit_nodes(
    candidates: list[Candidate],
    crews: list[Crew],
    ops: dict[str, OperationType],
    params: PlanParams,
    locs: _Locations,
    origin: dt.datetime,
    previous: Plan | None,
) -> tuple[
    list[int],
    list[int],
    list[tuple[int, int]],
    dict[int, list[int]],
    list[tuple[int, dt.date] | None],
    dict[int, str],
    dict[int, list[int]],
]:
    """One depot node per base, then a visit node per (candidate, night) some allowed crew can reach.

    Returns (node locations, service, windows, allowed crews per node, (candidate, night) per node,
    why a candidate got no node, nodes per candidate).
    """
    base_names, loc_index, tmin_int, busy = locs.base_names, locs.loc_index, locs.tmin_int, locs.busy
    crews_by: dict[tuple[dt.date, str], list[int]] = {}
    for v, c in enumerate(crews):
        crews_by.setdefault((c.night, c.op_type), []).append(v)
    prev_night: dict[tuple[str, str], dt.date] = {}
    if previous is not None and params.replan_keep_nights:
        for pv in previous.visits:
            prev_night[(pv.premises_id, pv.op_type)] = pv.night

    node_loc = list(range(len(base_names)))
    service = [0] * len(base_names)
    windows: list[tuple[int, int]] = [(0, 0)] * len(base_names)
    allowed: dict[int, list[int]] = {}
    node_info: list[tuple[int, dt.date] | None] = [None] * len(base_names)
    no_crew: dict[int, str] = {}
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
                # No crew of that night covers the premises' LPA: say so, unless shifts were the reason too.
                in_lpa = (
                    not params.crews_stay_in_lpa
                    or not lpa
                    or any(not crews[v].lpas or lpa in crews[v].lpas for v in vs)
                )
                if in_lpa or no_crew.get(ci) == "outside_shifts":
                    no_crew[ci] = "outside_shifts"
                else:
                    no_crew.setdefault(ci, "outside_lpas")
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
    return node_loc, service, windows, allowed, node_info, no_crew, cand_nodes


def _home(roster: Roster, m: _PartModel, origin: dt.datetime, params: PlanParams) -> Home:
    """The team at home and what forming crews from it needs (the part's crews and the roster's shifts, extended in place)."""
    depot = {b: m.locs.loc_index[b] for b in m.locs.base_names}  # a base's depot node is its location index
    return Home(
        TeamAtHome(roster, params),
        m.crews,
        roster.shifts,
        m.candidates,
        m.node_info,
        depot,
        m.locs.busy,
        m.ops,
        origin,
        params,
    )


def _search(
    problem: RoutingProblem,
    groups: list[VisitGroup],
    crews: list[Crew],
    candidates: list[Candidate],
    node_info: list[tuple[int, dt.date] | None],
    params: PlanParams,
    previous: Plan | None,
    *,
    home: Home | None = None,
) -> tuple[RoutingResult | None, int, int, list[int], int, list[int]]:
    """Route the week, then repair: prune, breaks, release weak crews, insert, send out free crews.

    With ``home``, crews formed from officers the routes left at home go out for
    the visits still dropped (:func:`licvisit.core.plan.recruit.send_out_from_home`);
    they are appended to ``crews`` (``home.crews``) as new vehicles of ``problem``.

    Returns (result or None, pruned, dropped for breaks, released vehicles still at home,
    inserted, sent out).
    """
    initial = None
    if previous is not None:
        initial = _initial_routes(previous, crews, node_info, candidates)
    elif groups and params.greedy_start:
        initial = greedy_routes(problem, params, _insertion)
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
        first_stop = res.stopped_by
        released_weak, rounds = _release_weak_crews(problem, res, crews, params)
        res = rounds or res
        if first_stop == "time_limit":  # the week's search, not only the last re-route, says which limit
            res.stopped_by = "time_limit"
        inserted = _insert_if_gain(problem, res, params)
        opened = open_free_crews(problem, res, params, _insertion)
        if home is not None:
            sent = send_out_from_home(problem, res, params, _insertion, home)
            opened += [v for v in sent if v not in opened]
            released_weak = [v for v in released_weak if not res.routes[v]]
        inserted += _insert_if_gain(problem, res, params) if opened else 0
        return res, pruned, made_room, released_weak, inserted, opened
    return None, 0, 0, [], 0, []


def _visits_from(
    res: RoutingResult | None,
    crews: list[Crew],
    candidates: list[Candidate],
    node_info: list[tuple[int, dt.date] | None],
    node_purposes: dict[int, tuple[int, ...]],
    origin: dt.datetime,
) -> tuple[list[Visit], set[int]]:
    """The planned visits of the routes, and the candidates they serve (their own or another purpose)."""
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
    return visits, covered


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


def _params_dict(params: PlanParams) -> dict[str, Any]:
    d = dataclasses.asdict(params)
    d["operations"] = list(d["operations"])
    d["night_weights"] = list(d["night_weights"])
    d["first_solution_strategies"] = list(d["first_solution_strategies"])
    d["busy_zones"] = list(d["busy_zones"])
    return d


def _initial_routes(
    previous: Plan,
    crews: list[Crew],
    node_info: list[tuple[int, dt.date] | None],
    candidates: list[Candidate],
) -> list[list[int]]:
    vehicle = {c.crew_id: v for v, c in enumerate(crews)}
    node_of: dict[tuple[str, str, dt.date], int] = {}
    for node, info in enumerate(node_info):
        if info is None:
            continue
        ci, night = info
        node_of[(candidates[ci].premises_id, candidates[ci].op_type, night)] = node
    routes: list[list[int]] = [[] for _ in crews]
    used: set[int] = set()
    for pv in sorted(previous.visits, key=lambda v: (v.crew_id, v.order)):
        vi = vehicle.get(pv.crew_id)
        nd = node_of.get((pv.premises_id, pv.op_type, pv.night))
        if vi is None or nd is None or nd in used or crews[vi].night != pv.night:
            continue
        if crews[vi].op_type != pv.op_type:
            continue
        routes[vi].append(nd)
        used.add(nd)
    return routes


__all__ = ["PlanParams", "plan_week", "compare_plans", "plan_changes"]
