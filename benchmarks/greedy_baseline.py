"""Greedy baseline for the weekly plan: premises by risk, nearest-neighbour order, same crews and shifts.

What a sergeant might do by hand with the ranking: take the highest-risk
premises first, give each crew (night by night) its share of them, and
visit them in nearest-neighbour order from its base.  It uses exactly the
planner's candidates (values, windows, service times), roster, crews,
shifts and travel times, so the only difference is the optimiser.
The result is a :class:`licvisit.domain.Plan` and passes the same checker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.plan.candidates import build_candidates
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.roster import plan_roster
from licvisit.core.plan.travel import travel_minutes, zone_of_points
from licvisit.domain import Officer, Plan, Visit


def _schedule(route, crew, tmin, loc, base_loc):
    """Earliest-start schedule for ``route`` (list of (cand, night)); None if infeasible."""
    t = crew.shift_start
    here = base_loc
    out = []
    for cand, night in route:
        j = loc[cand.premises_id]
        t = t + dt.timedelta(minutes=int(np.ceil(tmin[here, j] - 1e-9)))
        lo, hi = cand.windows[night]
        start = max(t, lo)
        end = start + dt.timedelta(minutes=cand.service_min)
        if end > hi or end > crew.shift_end:
            return None
        out.append((cand, night, start, end))
        t, here = end, j
    back = t + dt.timedelta(minutes=int(np.ceil(tmin[here, base_loc] - 1e-9)))
    return out if back <= crew.shift_end else None


def _nn_order(items, tmin, loc, base_loc):
    left = list(items)
    order, here = [], base_loc
    while left:
        nxt = min(left, key=lambda it: (tmin[here, loc[it[0].premises_id]], it[1], it[0].premises_id))
        order.append(nxt)
        left.remove(nxt)
        here = loc[nxt[0].premises_id]
    return order


def greedy_week(
    ranking: pd.DataFrame,
    premises: pd.DataFrame,
    staff: list[Officer],
    week_start: dt.date,
    params: PlanParams | None = None,
    *,
    visits: pd.DataFrame | None = None,
    zones: Any = None,
    method: str = "by_risk",
) -> Plan:
    """Return the greedy plan for the week (see module docstring).

    ``method``:

    - ``"by_risk"`` (the baseline): each crew, night by night, is given the
      next ``params.visits_per_crew_estimate`` highest-risk premises it
      could visit that night (right type, open), in nearest-neighbour order
      from its base; visits that then miss their window or the shift are
      skipped.
    - ``"insertion"`` (a stronger greedy): each crew keeps taking premises
      in risk order for as long as the nearest-neighbour route stays
      feasible.
    """
    if method not in ("by_risk", "insertion"):
        raise ValueError("Expected method 'by_risk' or 'insertion'.")
    params = params or PlanParams()
    ops = params.operation_types()
    cands, _ = build_candidates(ranking, premises, week_start, ops, params, visits=visits)
    roster = plan_roster(staff, cands, ops, week_start, params)
    bases = {c.base: (c.base_x, c.base_y) for c in roster.crews}
    names = sorted(bases) + sorted({c.premises_id for c in cands})
    xy = {**bases, **{c.premises_id: (c.x, c.y) for c in cands}}
    lx = np.array([xy[k][0] for k in names])
    ly = np.array([xy[k][1] for k in names])
    tmin = travel_minutes(
        lx,
        ly,
        zone_of_points(lx, ly, zones),
        walk_kmh=params.walk_kmh,
        drive_kmh=params.drive_kmh,
        circuity=params.circuity,
        drive_overhead_min=params.drive_overhead_min,
    )
    loc = {k: i for i, k in enumerate(names)}
    by_risk = sorted(cands, key=lambda c: (-(c.value), c.premises_id, c.op_type))
    done: set[tuple[str, str]] = set()
    visits_out: list[Visit] = []
    for crew in roster.crews:  # chronological, as the roster lists them
        base_loc = loc[crew.base]
        route: list = []
        if method == "insertion":
            for cand in by_risk:
                key = (cand.premises_id, cand.op_type)
                if key in done or cand.op_type != crew.op_type or crew.night not in cand.windows:
                    continue
                trial = _nn_order([*route, (cand, crew.night)], tmin, loc, base_loc)
                if _schedule(trial, crew, tmin, loc, base_loc) is not None:
                    route = trial
                    done.add(key)
            scheduled = _schedule(route, crew, tmin, loc, base_loc) or []
        else:
            picked = [
                c
                for c in by_risk
                if (c.premises_id, c.op_type) not in done
                and c.op_type == crew.op_type
                and crew.night in c.windows
            ][: params.visits_per_crew_estimate]
            scheduled = []
            for item in _nn_order([(c, crew.night) for c in picked], tmin, loc, base_loc):
                trial = _schedule([(c, n) for c, n, _, _ in scheduled] + [item], crew, tmin, loc, base_loc)
                if trial is not None:  # skip a visit that would miss its window or the shift
                    scheduled = trial
            done.update((c.premises_id, c.op_type) for c, _, _, _ in scheduled)
        for k, (cand, night, start, end) in enumerate(scheduled):
            lo, hi = cand.windows[night]
            visits_out.append(
                Visit(
                    cand.premises_id,
                    crew.crew_id,
                    night,
                    cand.op_type,
                    k + 1,
                    start,
                    end,
                    lo,
                    hi,
                    cand.value,
                    reason=cand.why,
                )  # fmt: skip
            )
    return Plan(
        week_start=week_start,
        roster=list(roster.shifts),
        crews=list(roster.crews),
        visits=visits_out,
        dropped=[],
        meta={"method": f"greedy_{method}", "value_planned": sum(v.value for v in visits_out)},
    )
