"""Re-plan a week incrementally: keep the previous roster and the nights an edit does not touch.

:func:`replan_week` is what :func:`licvisit.core.plan.week.plan_week` does
with ``previous`` when the previous plan can be reused:

1. reuse the previous roster (:func:`reused_roster`): the same crews, each
   with its rostered (unfitted) shift as the roster's list of possible crews
   gives it from today's availability; a crew whose member is no
   longer available long enough means the roster must be made again;
2. find the affected nights (:func:`affected_nights`): the nights of the
   excluded premises' previous visits, each lock's night and the night its
   premises was visited before, the nights of locks given before but not
   now, and any night whose previous visits no longer match today's
   candidates;
3. keep every other night's crews, shifts and visits exactly as they were,
   and route only the affected nights' crews (the week's own routing step,
   warm-started from their previous routes) over the candidates no kept
   visit serves, with the work limit scaled to the share of the week's
   (candidate, staffed night) windows re-searched, so the re-plan stops
   at the same point on any machine;
4. merge: reasons for what is left out, bent rules, the value bound (kept
   value + the re-planned nights' bound), ``changes`` against the previous
   plan, ``meta.nights_replanned`` and ``meta.nights_kept``; then the
   independent checker on the merged week.

When the previous plan cannot be reused (its crews lost a member, a lock
needs a crew the previous roster does not have, other ``[plan]`` settings, a
broken rule), :func:`replan_week` returns the reason instead and the caller
plans the whole week afresh (``meta.replan_fallback``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from licvisit.core.plan.bound import optimality_gap
from licvisit.core.plan.candidates import Candidate, week_nights
from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.explain import compare_plans, plan_changes
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.roster import Roster, _all_crews, _avail, palo_nights
from licvisit.domain import BentRule, Crew, DroppedCandidate, Lock, Officer, Plan, Visit
from licvisit.errors import InfeasiblePlanError

# [plan] settings that may differ between the previous plan and this one: they steer the search
# only, so the kept nights still obey every rule.
SEARCH_ONLY_PARAMS = (
    "time_limit_s",
    "work_limit",
    "seed",
    "first_solution_strategies",
    "greedy_start",
    "roster_deterministic_time",
    "bound_deterministic_time",
    "release_rounds",
    "replan_keep_nights",
    "max_nights_per_candidate",
    "w_keep_crew",
)

# Reasons a candidate was left out before the routing saw it (the kept nights' routes never weighed it).
BEFORE_ROUTING = ("excluded", "recently_visited", "no_door_supervision")


@dataclasses.dataclass(frozen=True)
class ReplanScope:
    """What a re-plan keeps and what it searches again.

    ``roster`` holds every previous crew with its rostered shift;
    ``nights`` are the affected nights, re-routed; the other nights' crews
    and visits are kept as they were.
    """

    roster: Roster
    nights: tuple[dt.date, ...]
    kept_visits: tuple[Visit, ...]

    def kept_nights(self, week_start: dt.date) -> list[dt.date]:
        return [n for n in week_nights(week_start) if n not in self.nights]


def check_previous_week(previous: Plan, week_start: dt.date) -> None:
    """Refuse a previous plan made for another week.

    Raises
    ------
    InfeasiblePlanError
        When ``previous`` starts on another Monday.
    """
    if previous.week_start != week_start:
        raise InfeasiblePlanError(
            f"The previous plan is for the week of {previous.week_start:%a %d %b %Y}, not the week of "
            f"{week_start:%a %d %b %Y} being planned. Fix: give a plan of this week, or leave out the previous plan."
        )


def reused_roster(previous: Plan, staff: list[Officer], params: PlanParams) -> Roster | str:
    """The previous plan's crews with their rostered shifts, or why they cannot be reused.

    A crew's shift in a plan is fitted to its route; the routing needs the
    rostered window, which is the members' overlap placed over the
    operation's hours, exactly as the roster made it.
    """
    by_id = {o.officer_id: o for o in staff}
    ops = {o.name: o for o in params.operation_types()}
    nights = week_nights(previous.week_start)
    pairs = _all_crews(staff, params.operation_types(), nights, params)  # also for crews formed from home
    window = {(p.night, p.op, p.members): (p.start, p.end) for p in pairs}
    crews = []
    for c in previous.crews:
        if c.op_type not in ops:
            return f"crew {c.crew_id} works {c.op_type}, which is not among this plan's operations"
        gone = [m for m in c.members if m not in by_id or _avail(by_id[m], c.night) is None]
        if gone:
            return f"{', '.join(gone)} of crew {c.crew_id} is no longer available on {c.night:%a %d %b}"
        # The crew's rostered window, as the roster forms it from its members' availability today.
        shift = window.get((c.night, c.op_type, tuple(c.members)))
        if shift is None or not (shift[0] <= c.shift_start and c.shift_end <= shift[1]):
            return f"crew {c.crew_id}'s members are no longer available together for its shift on {c.night:%a %d %b}"
        crews.append(dataclasses.replace(c, shift_start=shift[0], shift_end=shift[1], breaks=(),
                                         travel_min=0, idle_min=0))  # fmt: skip
    shifts = [
        dataclasses.replace(s, start=rc.shift_start, end=rc.shift_end)
        for s in previous.roster
        for rc in crews
        if rc.crew_id == s.crew_id
    ]
    return Roster(
        crews,
        shifts,
        [],
        "previous_plan",
        float(previous.meta.get("roster_objective", 0.0)),
        pairs=pairs,
        officers=by_id,
        nights=nights,
    )


def affected_nights(
    previous: Plan,
    candidates: list[Candidate],
    locks: tuple[Lock, ...],
    exclude: Iterable[str],
    staffed: set[tuple[dt.date, str]],
) -> set[dt.date]:
    """The nights an edit touches: exclusions, new or removed locks, visits that no longer fit, new candidates.

    ``staffed`` holds the (night, operation) pairs the previous roster has a crew for: a candidate
    the previous plan never routed (excluded then, or new) re-plans the nights it could be visited.
    """
    nights: set[dt.date] = set()
    visited: dict[str, set[dt.date]] = {}
    for v in previous.visits:
        visited.setdefault(v.premises_id, set()).add(v.night)
    for pid in exclude:
        nights |= visited.get(str(pid), set())
    was_locked = {(v.premises_id, v.night) for v in previous.visits if v.locked}
    now, before = set(locks), set(previous.locks)
    for lk in now:
        if lk in before and (lk.premises_id, lk.night) in was_locked:
            continue  # the same lock as before, met as before
        nights.add(lk.night)
        nights |= visited.get(lk.premises_id, set())
    for lk in before - now:  # a lock lifted: its visit is no longer pinned
        nights.add(lk.night)
    by_key = {(c.premises_id, c.op_type): c for c in candidates}
    for v in previous.visits:
        if not _still_fits(v, by_key):
            nights.add(v.night)
    routed = {(v.premises_id, p) for v in previous.visits for p in v.purposes or (v.op_type,)}
    routed |= {(d.premises_id, d.op_type) for d in previous.dropped if d.reason_code not in BEFORE_ROUTING}
    for c in candidates:
        if c.lock is None and (c.premises_id, c.op_type) not in routed:
            nights |= {n for n in c.windows if (n, c.op_type) in staffed}
    return nights


def _still_fits(v: Visit, by_key: dict[tuple[str, str], Candidate]) -> bool:
    """A previous visit still serves today's candidates: same window, same purposes, same value."""
    cand = by_key.get((v.premises_id, v.op_type))
    if cand is None or cand.windows.get(v.night) != (v.window_open, v.window_close):
        return False
    served = [by_key.get((v.premises_id, p)) for p in v.purposes or (v.op_type,)]
    if any(s is None for s in served):
        return False
    return abs(sum(s.value for s in served if s is not None) - v.value) < 1e-3


def replan_week(
    candidates: list[Candidate],
    dropped: list[DroppedCandidate],
    staff: list[Officer],
    premises: Any,
    week_start: dt.date,
    params: PlanParams,
    *,
    previous: Plan,
    locks: tuple[Lock, ...],
    exclude: Iterable[str],
    zones: Any,
    travel_matrix: Any,
    route: Callable[..., Plan],
    say: Callable[[str], None],
) -> Plan | str:
    """Re-plan only the nights the edits touch; return the checked plan, or why the week must be planned afresh.

    Parameters
    ----------
    candidates, dropped : the week's candidates and the candidates already left out
        (excluded, recently visited), as :func:`licvisit.core.plan.candidates.build_candidates` made them.
    staff, premises, week_start, params, zones, travel_matrix : as for ``plan_week``.
    previous : the earlier plan of this week.
    locks, exclude : this run's locks and exclusions.
    route : the week's routing step (``week._route_week``), given by the caller so this
        module does not import the module that calls it.
    say : progress lines.

    Raises
    ------
    InfeasiblePlanError
        When ``previous`` is a plan of another week.
    """
    check_previous_week(previous, week_start)
    why = _other_settings(previous, params)
    if why:
        return why
    roster = reused_roster(previous, staff, params)
    if isinstance(roster, str):
        return roster
    staffed = {(c.night, c.op_type) for c in roster.crews}
    nights = affected_nights(previous, candidates, locks, exclude, staffed)
    why = _locks_without_crew(candidates, roster, nights)
    if why:
        return why
    scope = ReplanScope(
        roster,
        tuple(sorted(nights)),
        tuple(v for v in previous.visits if v.night not in nights),
    )
    try:
        plan = _replanned(scope, candidates, dropped, week_start, params, previous, locks, zones,
                          travel_matrix, route, say)  # fmt: skip
    except InfeasiblePlanError as exc:
        return f"the kept nights' crews cannot make it ({exc})"
    if not plan.visits:
        return "the re-planned week has no visit"
    say("checking every hard rule independently")
    problems = check_plan(plan, premises, staff, params, zones=zones)
    if problems:
        return f"the re-planned week broke a hard rule ({problems[0]})"
    return plan


def _other_settings(previous: Plan, params: PlanParams) -> str:
    """Name the rule settings that differ from the previous plan's (search settings may differ)."""
    saved = previous.meta.get("params") or {}
    now = dataclasses.asdict(params)
    differ = sorted(
        k for k, v in saved.items()
        if k in now and k not in SEARCH_ONLY_PARAMS and _plain(now[k]) != _plain(v)
    )  # fmt: skip
    if differ:
        return f"the previous plan was made with other [plan] settings ({', '.join(differ)})"
    return ""


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple | list) else v


def _locks_without_crew(candidates: list[Candidate], roster: Roster, nights: set[dt.date]) -> str:
    """A lock on a night with no previous crew of its kind needs a new roster."""
    have = {(c.night, c.op_type) for c in roster.crews}
    ids = {(c.night, c.crew_id) for c in roster.crews}
    for cand in candidates:
        lk = cand.lock
        if lk is None:
            continue
        if (lk.night, cand.op_type) not in have:
            return f"lock {lk.premises_id}@{lk.night} needs a {cand.op_type} crew, which the previous roster has not on {lk.night:%a %d %b}"
        if lk.crew_id and (lk.night, lk.crew_id) not in ids:
            return (
                f"lock {lk.premises_id}@{lk.night} names crew {lk.crew_id}, which the previous roster has not"
            )
    return ""


def _replanned(
    scope: ReplanScope,
    candidates: list[Candidate],
    dropped: list[DroppedCandidate],
    week_start: dt.date,
    params: PlanParams,
    previous: Plan,
    locks: tuple[Lock, ...],
    zones: Any,
    travel_matrix: Any,
    route: Callable[..., Plan],
    say: Callable[[str], None],
) -> Plan:
    """Route the affected nights, then merge them with the kept nights."""
    nights = set(scope.nights)
    kept_prem = {v.premises_id for v in scope.kept_visits}
    kept_line = _nights_text(scope.nights, week_start)
    if not nights:
        say(f"re-planning no night: {kept_line}")
        sub = None
    else:
        crews = [c for c in scope.roster.crews if c.night in nights]
        # Every candidate stays in the model's list (the value scale is the week's mean), but only
        # the affected nights' windows of premises no kept visit serves can be visited.
        sub_cands = [
            dataclasses.replace(
                c,
                windows={}
                if c.premises_id in kept_prem
                else {n: w for n, w in c.windows.items() if n in nights},
            )
            for c in candidates
        ]
        share = _staffed_windows(sub_cands, scope.roster) / max(1, _staffed_windows(candidates, scope.roster))
        sub_params = dataclasses.replace(params, work_limit=_scaled(params.work_limit, share))
        limit = (
            f"work limit {sub_params.work_limit:,}"
            if sub_params.work_limit
            else f"time limit {params.time_limit_s:g} s"
        )
        say(f"re-planning {kept_line}: routing {len(crews)} crews (OR-Tools, {limit})")
        sub_roster = Roster(
            crews,
            [s for s in scope.roster.shifts if s.night in nights],
            [],
            "previous_plan",
            pairs=[p for p in scope.roster.pairs if p.night in nights],
            officers=scope.roster.officers,
            nights=scope.roster.nights,
            on_duty=[c for c in previous.crews if c.night not in nights],  # the kept nights' crews
        )
        sub_prev = dataclasses.replace(
            previous,
            crews=[c for c in previous.crews if c.night in nights],
            visits=[v for v in previous.visits if v.night in nights],
        )
        sub = route(sub_cands, dropped, sub_roster, week_start, sub_params, zones, locks, sub_prev,
                    travel_matrix, say)  # fmt: skip
    return _merge(scope, sub, candidates, dropped, previous, locks, week_start, params)


def _staffed_windows(candidates: list[Candidate], roster: Roster) -> int:
    """How many (candidate, night) windows a crew of the candidate's kind works: the model's size."""
    staffed = {(c.night, c.op_type) for c in roster.crews}
    return sum(1 for c in candidates for n in c.windows if (n, c.op_type) in staffed)


def _scaled(work_limit: int, share: float) -> int:
    """The work limit for re-searching ``share`` of the week's model (0 stays 0: time limit only)."""
    if not work_limit:
        return 0
    return max(1, int(round(work_limit * share)))


def _nights_text(nights: Iterable[dt.date], week_start: dt.date) -> str:
    """'Wed 08 Oct and Thu 09 Oct; kept the other 5 nights as they were' (the CLI's summary says it too)."""
    return replan_summary([n.isoformat() for n in nights], 7 - len(list(nights)))


def replan_summary(replanned: list[str], n_kept: int) -> str:
    """Say which nights a re-plan searched again and how many it kept (ISO dates in, words out)."""
    days = [f"{dt.date.fromisoformat(d):%a %d %b}" for d in sorted(replanned)]
    if not days:
        return f"no night; kept all {n_kept} nights as they were"
    said = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
    if n_kept == 0:
        return f"{said}; kept no night"
    other = "the other night" if n_kept == 1 else f"the other {n_kept} nights"
    return f"{said}; kept {other} as they were"


def _merge(
    scope: ReplanScope,
    sub: Plan | None,
    candidates: list[Candidate],
    dropped: list[DroppedCandidate],
    previous: Plan,
    locks: tuple[Lock, ...],
    week_start: dt.date,
    params: PlanParams,
) -> Plan:
    """The kept nights as they were, plus the re-planned nights, with reasons, bound and changes."""
    nights = set(scope.nights)
    kept_crews = [c for c in previous.crews if c.night not in nights]
    kept_ids = {c.crew_id for c in kept_crews}
    kept_visits = list(scope.kept_visits)
    visits = kept_visits + (sub.visits if sub else [])
    visits.sort(key=lambda v: (v.night, v.crew_id, v.order))
    crews = kept_crews + (sub.crews if sub else [])
    crews.sort(key=lambda c: (c.night, c.crew_id))
    roster = [s for s in previous.roster if s.crew_id in kept_ids] + (sub.roster if sub else [])
    roster.sort(key=lambda s: (s.night, s.officer_id))
    out, decided_by_kept = _dropped(scope, sub, candidates, dropped, previous, visits)
    bent = _bent(sub, previous, decided_by_kept, {v.premises_id for v in visits})
    kept_value = round(sum(v.value for v in kept_visits), 4)
    meta = _merged_meta(scope, sub, previous, params, kept_value, kept_crews, visits, week_start)
    meta["palo_nights_used"], meta["palo_nights_available"] = palo_nights(
        scope.roster.officers, scope.roster.nights, crews
    )
    meta["crews_formed_from_home"] = list(sub.meta.get("crews_formed_from_home", [])) if sub else []
    plan = Plan(week_start, roster, crews, visits, out, bent, list(locks), meta)
    meta.update(compare_plans(previous, plan))
    meta["changes"] = plan_changes(previous, plan)
    return plan


def _dropped(
    scope: ReplanScope,
    sub: Plan | None,
    candidates: list[Candidate],
    dropped: list[DroppedCandidate],
    previous: Plan,
    visits: list[Visit],
) -> tuple[list[DroppedCandidate], set[str]]:
    """Why each candidate is left out: the previous plan's reason where the kept nights decide it.

    A candidate whose premises a kept visit serves, or that the previous plan
    left out and that is open on a kept night (whose crews and routes are as
    they were), keeps the previous plan's reason; the others have the
    re-planned nights' reason.  Returns (the rows, the premises whose rows the
    kept nights decided).
    """
    nights = set(scope.nights)
    kept_prem = {v.premises_id for v in scope.kept_visits}
    served = {(v.premises_id, p) for v in visits for p in (v.purposes or (v.op_type,))}
    before = {(d.premises_id, d.op_type): d for d in previous.dropped}
    new_rows = {(d.premises_id, d.op_type): d for d in (sub.dropped[len(dropped) :] if sub else [])}
    out = list(dropped)
    by_kept: set[str] = set()
    for c in candidates:
        key = (c.premises_id, c.op_type)
        if key in served:
            continue
        open_kept = any(n not in nights for n in c.windows)
        open_now = any(n in nights for n in c.windows)
        row = None
        if c.premises_id in kept_prem or (open_kept and key in before):
            row = before.get(key) or _kept_night_row(c, scope, kept_prem)
        elif open_now or not c.windows:
            row = new_rows.get(key) or before.get(key)
        if row is None:  # open only on kept nights, and not left out before: the kept routes decide
            row = _kept_night_row(c, scope, kept_prem)
        if row is not new_rows.get(key):
            by_kept.add(c.premises_id)
        out.append(row)
    return out, by_kept


def _kept_night_row(c: Candidate, scope: ReplanScope, kept_prem: set[str]) -> DroppedCandidate:
    """A candidate the previous plan did not list, left out because only kept nights could serve it."""
    if c.premises_id in kept_prem:
        v = next(v for v in scope.kept_visits if v.premises_id == c.premises_id)
        return DroppedCandidate(
            c.premises_id, c.op_type, c.value, "one_visit_per_premises",
            f"Visited this week by {v.crew_id} ({v.op_type.replace('_', ' ')}, {v.night:%a}), kept from the "
            "previous plan; one visit per premises a week unless a rule asks for another.",
        )  # fmt: skip
    on = ", ".join(f"{n:%a}" for n in sorted(c.windows))
    return DroppedCandidate(
        c.premises_id, c.op_type, c.value, "crews_full",
        f"Open only on nights kept as they were from the previous plan ({on or 'no night'}); "
        f"re-plan without the previous plan to consider it; it would have added {c.value:.3g}.",
    )  # fmt: skip


def _bent(sub: Plan | None, previous: Plan, decided_by_kept: set[str], visited: set[str]) -> list[BentRule]:
    """The roster's bent rules from the previous plan, follow-ups left out by either part.

    A follow-up visited anywhere in the merged week is not left out, whatever
    the re-planned nights' part (which does not see the kept visits) says.
    """
    roster_rules = [b for b in previous.bent if b.rule != "breach_follow_up"]
    kept_follow_ups = [
        b
        for b in previous.bent
        if b.rule == "breach_follow_up" and b.subject in decided_by_kept and b.subject not in visited
    ]
    new_follow_ups = [
        b
        for b in (sub.bent if sub else [])
        if b.rule == "breach_follow_up" and b.subject not in decided_by_kept and b.subject not in visited
    ]
    return roster_rules + kept_follow_ups + new_follow_ups


def _merged_meta(
    scope: ReplanScope,
    sub: Plan | None,
    previous: Plan,
    params: PlanParams,
    kept_value: float,
    kept_crews: list[Crew],
    visits: list[Visit],
    week_start: dt.date,
) -> dict[str, Any]:
    """The re-planned nights' run record, with the week's value, bound, travel and the nights' split."""
    base = dict(sub.meta) if sub else {k: v for k, v in previous.meta.items() if k not in ("changes",)}
    value = round(sum(v.value for v in visits), 4)
    if sub is not None:
        sub_bound = float(sub.meta.get("value_upper_bound", sub.total_value))
        upper = max(round(kept_value + sub_bound, 4), value)
        travel = int(sub.meta.get("travel_min", 0)) + sum(c.travel_min for c in kept_crews)
        base["replan_work_limit"] = base.get("work_limit", 0)
        base["work_limit"] = params.work_limit
        if isinstance(base.get("params"), dict):
            base["params"] = dict(base["params"], work_limit=params.work_limit)
        base["crews_released"] = list(sub.meta.get("crews_released", []))
    else:
        upper = max(float(previous.meta.get("value_upper_bound", value)), value)
        travel = sum(c.travel_min for c in kept_crews)
        base["replan_work_limit"] = 0
        base["crews_released"] = []
    base.update(
        {
            "routing_start": "previous_plan",
            "roster_status": "previous_plan",
            "roster_objective": previous.meta.get("roster_objective", 0.0),
            "caps_binding": list(previous.meta.get("caps_binding", [])),
            "replan": "incremental",
            "nights_replanned": [n.isoformat() for n in scope.nights],
            "nights_kept": [n.isoformat() for n in scope.kept_nights(week_start)],
            "value_planned": value,
            "value_upper_bound": upper,
            "optimality_gap": optimality_gap(value, upper),
            "bound_scope": "kept nights at their planned value; re-planned nights: "
            + str(base.get("bound_scope", "as a full plan")),
            "travel_min": travel,
        }
    )
    return base


def full_replan_meta(why: str, week_start: dt.date) -> dict[str, Any]:
    """What a re-plan that had to plan the whole week afresh records, and why."""
    return {
        "replan": "full",
        "replan_fallback": why,
        "nights_replanned": [n.isoformat() for n in week_nights(week_start)],
        "nights_kept": [],
    }


__all__ = [
    "ReplanScope",
    "affected_nights",
    "full_replan_meta",
    "replan_summary",
    "replan_week",
    "reused_roster",
]
