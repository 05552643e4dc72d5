"""Check a plan against the hard rules, independently of the solver that made it.

Deliberately re-derives everything from the inputs (premises hours, staff
availability, operation types) rather than trusting the planner's own
windows, and never imports OR-Tools.  Travel between visits is checked
against a lower bound (straight line × circuity at driving speed, no
overhead), so it flags impossible timings without re-running the
planner's travel model; with a user-supplied travel matrix the travel check
is skipped and says so in ``plan.meta``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from licvisit.domain import (
    WEEKDAYS,
    Crew,
    Officer,
    OpeningHours,
    OperationType,
    Plan,
    Visit,
    parse_hhmm,
    parse_session,
)

if TYPE_CHECKING:  # pragma: no cover
    from licvisit.core.plan.params import PlanParams

TOL = dt.timedelta(minutes=1)


def _op_hours(op: OperationType, night: dt.date) -> tuple[dt.datetime, dt.datetime]:
    a, b = parse_hhmm(op.earliest), parse_hhmm(op.latest)
    if b <= a:
        b += 1440
    base = dt.datetime.combine(night, dt.time())
    return base + dt.timedelta(minutes=a), base + dt.timedelta(minutes=b)


def _flag(row: Any, requires: str) -> bool:
    if not requires:
        return True
    if requires == "door_supervision":
        v = row.get("door_supervision", False)
        if isinstance(v, str):
            return v.strip().lower() in ("true", "1", "yes", "y", "t")
        return bool(v) and v == v
    flags = str(row.get("intel_flags", "") or "").lower().replace(",", ";")
    return requires.lower() in [f.strip() for f in flags.split(";")]


def _service(op: OperationType, row: Any) -> float:
    def num(v: Any) -> float:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return 0.0
        return 0.0 if f != f else max(0.0, f)

    t = (
        op.service_min
        + op.service_min_per_100_capacity * num(row.get("capacity")) / 100
        + op.service_min_per_door_staff * num(row.get("door_staff"))
    )
    return min(max(t, op.service_min), max(op.max_service_min, op.service_min))


def check_plan(
    plan: Plan, premises: pd.DataFrame, staff: list[Officer], params: PlanParams, *, zones: Any = None
) -> list[str]:
    """Return every hard-rule violation in ``plan`` (an empty list means the plan is sound).

    Checks: officers exist and are not double-booked; crew composition
    matches the operation; shifts inside availability, no longer than the
    shift length, rest between shifts, maximum shifts, contracted hours,
    consecutive late shifts; visits by a crew of the right type on its
    night, at premises that qualify, inside licensed ∩ operation hours and
    the crew's shift, in order with time to travel; at most one visit per
    premises per night, a repeat in the week only with its reason, each
    purpose one the operation covers and the premises qualifies for; SIA
    checks inside door-supervision hours; two PALOs, and uniformed support,
    crewed within a PALO's LPA or base (every partner too with
    ``partners_within_lpa``); a break in every shift longer than
    ``break_after_h``, with no visit in it; locks honoured.
    """
    out: list[str] = []
    ops = {o.name: o for o in params.operation_types()}
    officers = {o.officer_id: o for o in staff}
    prem = premises.copy()
    prem["premises_id"] = prem["premises_id"].astype(str)
    prem = prem.drop_duplicates("premises_id").set_index("premises_id", drop=False)
    crews: dict[str, Crew] = {}
    for c in plan.crews:
        if c.crew_id in crews:
            out.append(f"Crew {c.crew_id} appears twice.")
        crews[c.crew_id] = c
    out.extend(_crew_problems(plan, ops, officers, params))
    out.extend(_roster_problems(plan, crews))
    out.extend(_officer_week_problems(plan, officers, params))
    out.extend(_pairing_problems(plan, ops, officers, params))
    out.extend(_repeat_problems(plan))
    visit_out, by_crew = _visit_problems(plan, prem, crews, ops)
    out.extend(visit_out)
    for crew_id, vs in by_crew.items():
        out.extend(_route_problems(plan, prem, crews[crew_id], vs, params))
    out.extend(_break_problems(plan, by_crew, params))
    out.extend(_few_visits_problems(plan, by_crew, params))
    if getattr(params, "crews_stay_in_lpa", False):
        out.extend(_lpa_problems(plan, prem, officers))
    if getattr(params, "busy_zones", ()) and zones is not None:
        out.extend(_busy_zone_problems(plan, prem, officers, ops, zones, set(params.busy_zones)))
    out.extend(_lock_problems(plan))
    return out


def _crew_problems(
    plan: Plan, ops: dict[str, OperationType], officers: dict[str, Officer], params: PlanParams
) -> list[str]:
    """Crews: in the week, of a known operation and officers, composition, shift length, availability, no double-booking."""
    out: list[str] = []
    week = [plan.week_start + dt.timedelta(days=i) for i in range(7)]
    on_night: dict[tuple[str, dt.date], list[str]] = {}
    for c in plan.crews:
        if c.night not in week:
            out.append(f"Crew {c.crew_id}: night {c.night} is outside the week.")
        op = ops.get(c.op_type)
        if op is None:
            out.append(f"Crew {c.crew_id}: unknown operation type {c.op_type}.")
            continue
        found = [officers.get(m) for m in c.members]
        members = [m for m in found if m is not None]
        if len(members) != len(found):
            out.append(f"Crew {c.crew_id}: unknown officer in {c.members}.")
            continue
        why = [_composition_problem(c, op, members, template) for template in _templates(op)]
        if all(why):
            out.append(why[0])
        if c.shift_end <= c.shift_start:
            out.append(f"Crew {c.crew_id}: shift ends before it starts.")
        if c.shift_end - c.shift_start > dt.timedelta(hours=params.shift_length_h) + TOL:
            out.append(f"Crew {c.crew_id}: shift longer than {params.shift_length_h} h.")
        for m in members:
            av = [a for a in m.availability if a.night == c.night]
            if not any(a.start <= c.shift_start and c.shift_end <= a.end for a in av):
                out.append(
                    f"Crew {c.crew_id}: {m.officer_id} is not available {c.shift_start:%a %H:%M}-{c.shift_end:%H:%M}."
                )
            on_night.setdefault((m.officer_id, c.night), []).append(c.crew_id)
    for (oid, night), ids in on_night.items():
        if len(ids) > 1:
            out.append(f"Officer {oid} is double-booked on {night}: {', '.join(ids)}.")
    return out


def _roster_problems(plan: Plan, crews: dict[str, Crew]) -> list[str]:
    """Roster lines agree with crews."""
    out: list[str] = []
    for s in plan.roster:
        sc = crews.get(s.crew_id)
        if sc is None or s.officer_id not in sc.members or s.night != sc.night:
            out.append(f"Roster line {s.officer_id} {s.night} does not match crew {s.crew_id or '(none)'}.")
        elif s.start != sc.shift_start or s.end != sc.shift_end:
            out.append(f"Roster line {s.officer_id} {s.night}: times differ from crew {s.crew_id}.")
    return out


def _officer_week_problems(plan: Plan, officers: dict[str, Officer], params: PlanParams) -> list[str]:
    """Per-officer week rules: maximum shifts, contracted hours, rest, consecutive late shifts."""
    out: list[str] = []
    shifts_by: dict[str, list[Crew]] = {}
    for c in plan.crews:
        for mid in c.members:
            shifts_by.setdefault(mid, []).append(c)
    for oid, cs in shifts_by.items():
        o = officers.get(oid)
        if o is None:
            continue
        cs = sorted(cs, key=lambda c: c.shift_start)
        if len(cs) > o.max_shifts:
            out.append(f"Officer {oid}: {len(cs)} shifts, more than the maximum {o.max_shifts}.")
        hours = sum((c.shift_end - c.shift_start).total_seconds() / 3600 for c in cs)
        if hours > o.contracted_hours + 1 / 60:
            out.append(
                f"Officer {oid}: {hours:.1f} h rostered, more than the contracted {o.contracted_hours} h."
            )
        for a, b in zip(cs, cs[1:], strict=False):
            if b.shift_start - a.shift_end < dt.timedelta(hours=params.min_rest_h) - TOL:
                out.append(
                    f"Officer {oid}: less than {params.min_rest_h} h rest between {a.crew_id} and {b.crew_id}."
                )
        late_nights = sorted(
            c.night
            for c in cs
            if c.shift_end > dt.datetime.combine(c.night + dt.timedelta(days=1), dt.time())
        )
        run = best = 0
        prev = None
        for n in late_nights:
            run = run + 1 if prev is not None and (n - prev).days == 1 else 1
            best = max(best, run)
            prev = n
        if best > params.max_consecutive_late:
            out.append(
                f"Officer {oid}: {best} consecutive late shifts, more than {params.max_consecutive_late}."
            )
    return out


def _pairing_problems(
    plan: Plan, ops: dict[str, OperationType], officers: dict[str, Officer], params: PlanParams
) -> list[str]:
    """A second PALO or the support officer, and with ``partners_within_lpa`` every partner, shares an LPA or base with a PALO of the crew."""
    out: list[str] = []
    for c in plan.crews:
        members = [officers[m] for m in c.members if m in officers]
        palos = [m for m in members if m.is_palo]
        op = ops.get(c.op_type)
        if not palos or op is None:
            continue
        for m in members:
            if m.is_palo:
                bound = len(palos) > 1
            else:
                bound = m.role == op.support_role or params.partners_within_lpa
            if not bound:
                continue
            near = [p for p in palos if p is not m and (p.lpa == m.lpa or p.base == m.base)]
            if not near:
                where = f"LPA {m.lpa}" if m.lpa else f"base {m.base}"
                out.append(
                    f"Crew {c.crew_id}: {m.officer_id} ({m.role.replace('_', ' ')}, {where}) shares "
                    f"neither an LPA nor a base with a PALO of the crew."
                )
    return out


def _visit_problems(
    plan: Plan, prem: pd.DataFrame, crews: dict[str, Crew], ops: dict[str, OperationType]
) -> tuple[list[str], dict[str, list[Visit]]]:
    """Each visit by a crew of its type on its night, at a known premises it fits; and the visits per crew."""
    out: list[str] = []
    by_crew: dict[str, list[Visit]] = {}
    for v in plan.visits:
        tag = f"Visit {v.premises_id} ({v.op_type}, {v.crew_id})"
        vc = crews.get(v.crew_id)
        if vc is None:
            out.append(f"{tag}: no such crew.")
            continue
        by_crew.setdefault(v.crew_id, []).append(v)
        if vc.op_type != v.op_type:
            out.append(f"{tag}: crew is for {vc.op_type}.")
        if vc.night != v.night:
            out.append(f"{tag}: crew works {vc.night}, visit on {v.night}.")
        op = ops.get(v.op_type)
        if v.premises_id not in prem.index:
            out.append(f"{tag}: unknown premises.")
            continue
        row = prem.loc[v.premises_id]
        if op is None:
            continue
        out.extend(_visit_fit_problems(tag, v, vc, op, ops, row))
    return out, by_crew


def _visit_fit_problems(
    tag: str, v: Visit, vc: Crew, op: OperationType, ops: dict[str, OperationType], row: Any
) -> list[str]:
    """A visit's purposes, qualification, door hours, open and operation hours, visit time and crew shift."""
    out: list[str] = []
    purposes = v.purposes or (v.op_type,)
    if purposes[0] != v.op_type:
        out.append(f"{tag}: its purposes {', '.join(purposes)} do not start with its own operation.")
    for pur in purposes[1:]:
        if pur not in op.covers:
            out.append(f"{tag}: a {v.op_type} visit cannot also serve {pur}.")
        elif pur in ops and not _flag(row, ops[pur].requires):
            out.append(f"{tag}: premises does not qualify for {pur} ({ops[pur].requires}).")
    if not _flag(row, op.requires):
        out.append(f"{tag}: premises does not qualify ({op.requires}).")
    if any(ops[p].requires == "door_supervision" for p in purposes if p in ops):
        out.extend(_door_problems(tag, row, v))
    oh = _op_hours(op, v.night)
    # licensed hours unknown in the source: plannable inside the operation's hours (flagged)
    unknown = str(row.get("hours_known", True)).strip().lower() in ("false", "0", "no")
    lic = oh if unknown else OpeningHours.from_row(row).window_on(v.night)
    if lic is None:
        out.append(f"{tag}: premises is closed on {v.night:%A}.")
        return out
    lo, hi = max(lic[0], oh[0]), min(lic[1], oh[1])
    if v.arrival < lo - TOL or v.departure > hi + TOL:
        out.append(
            f"{tag}: {v.arrival:%H:%M}-{v.departure:%H:%M} outside open and operation hours {lo:%H:%M}-{hi:%H:%M}."
        )
    if v.departure - v.arrival < dt.timedelta(minutes=math.floor(_service(op, row))) - TOL:
        out.append(f"{tag}: shorter than the {op.name} visit time.")
    if v.arrival < vc.shift_start or v.departure > vc.shift_end:
        out.append(f"{tag}: outside the crew's shift.")
    return out


def _route_problems(
    plan: Plan, prem: pd.DataFrame, c: Crew, vs: list[Visit], params: PlanParams
) -> list[str]:
    """A crew's visits in order 1..n, with time to travel between them and back to base."""
    out: list[str] = []
    crew_id = c.crew_id
    vs = sorted(vs, key=lambda v: v.order)
    if [v.order for v in vs] != list(range(1, len(vs) + 1)):
        out.append(f"Crew {crew_id}: visit order is not 1..{len(vs)}.")
    pts = [(c.base_x, c.base_y, c.shift_start)]
    for v in vs:
        if v.premises_id not in prem.index:
            continue
        r = prem.loc[v.premises_id]
        x, y = float(r["x"]), float(r["y"])
        px, py, free = pts[-1]
        # A break taken on this leg delays the arrival by its length.
        paused = sum(
            (b - a for a, b in c.breaks if free - TOL <= a and b <= v.arrival + TOL), dt.timedelta(0)
        )
        if plan.meta.get("travel_source") != "matrix":
            need = _min_travel(px, py, x, y, params) + paused
            if v.arrival < free + need - TOL:
                out.append(f"Crew {crew_id}: no time to travel to {v.premises_id} (visit {v.order}).")
        elif v.arrival < free - TOL:
            out.append(f"Crew {crew_id}: visit {v.order} starts before the previous one ends.")
        pts.append((x, y, v.departure))
    if plan.meta.get("travel_source") != "matrix" and len(pts) > 1:
        px, py, free = pts[-1]
        if free + _min_travel(px, py, c.base_x, c.base_y, params) > c.shift_end + TOL:
            out.append(f"Crew {crew_id}: cannot get back to base before the end of the shift.")
    return out


def _few_visits_problems(plan: Plan, by_crew: dict[str, list[Visit]], params: PlanParams) -> list[str]:
    """A crew is sent out for at least ``min_visits_per_crew`` visits (unless it holds a locked one)."""
    out: list[str] = []
    least = getattr(params, "min_visits_per_crew", 1)
    for c in plan.crews:
        vs = by_crew.get(c.crew_id, [])
        if len(vs) < least and not any(v.locked for v in vs):
            out.append(
                f"Crew {c.crew_id}: only {len(vs)} visit{'s' if len(vs) != 1 else ''}, "
                f"fewer than the {least} a crew is sent out for."
            )
    return out


def _lock_problems(plan: Plan) -> list[str]:
    """Every lock honoured by a visit of its premises, night, operation and crew."""
    out: list[str] = []
    for lk in plan.locks:
        ok = any(
            v.premises_id == lk.premises_id
            and v.night == lk.night
            and (not lk.op_type or v.op_type == lk.op_type)
            and (not lk.crew_id or v.crew_id == lk.crew_id)
            for v in plan.visits
        )
        if not ok:
            out.append(
                f"Lock {lk.premises_id}@{lk.night}{':' + lk.op_type if lk.op_type else ''} is not honoured."
            )
    return out


def _templates(op: OperationType) -> list[tuple[str, ...]]:
    return [tuple(op.roles), *(tuple(r) for r in getattr(op, "alt_roles", ()))]


def _composition_problem(
    c: Crew, op: OperationType, members: list[Officer], template: tuple[str, ...]
) -> str:
    """'' when ``members`` fill ``template`` (plus at most one support officer), else what is wrong."""
    have = list(members)
    for role in sorted(template, key=lambda r: r == "palo"):  # specific roles first, then any PALO
        match = next((m for m in have if (m.is_palo if role == "palo" else m.role == role)), None)
        if match is None:
            return f"Crew {c.crew_id}: needs a {role} for {c.op_type}; members {c.members}."
        have.remove(match)
    support = getattr(op, "support_role", "")
    if len(have) > 1 or (have and (not support or have[0].role != support)):
        return f"Crew {c.crew_id}: more members than {c.op_type} needs."
    return ""


def _busy_zone_problems(
    plan: Plan,
    prem: pd.DataFrame,
    officers: dict[str, Officer],
    ops: dict[str, OperationType],
    zones: Any,
    busy: set[str],
) -> list[str]:
    """In a zone marked busy, an operation with a support role goes only with that support officer."""
    import geopandas as gpd

    vs = [
        v
        for v in plan.visits
        if v.premises_id in prem.index and ops.get(v.op_type) and ops[v.op_type].support_role
    ]
    if not vs:
        return []
    rows = prem.loc[[v.premises_id for v in vs]]
    pts = gpd.GeoDataFrame(
        {"_i": range(len(vs))},
        geometry=gpd.points_from_xy(rows["x"].astype(float), rows["y"].astype(float)),
        crs=zones.crs,
    )
    inside = gpd.sjoin(pts, zones[["zone_id", "geometry"]], how="inner", predicate="within")
    hit = {int(i) for i, z in zip(inside["_i"], inside["zone_id"], strict=True) if str(z) in busy}
    crews = {c.crew_id: c for c in plan.crews}
    out = []
    for i in sorted(hit):
        v = vs[i]
        c = crews.get(v.crew_id)
        role = ops[v.op_type].support_role
        if c is not None and not any(officers[m].role == role for m in c.members if m in officers):
            out.append(
                f"Visit {v.premises_id} ({v.op_type}, {v.crew_id}): in a busy zone without {role.replace('_', ' ')}."
            )
    return out


def _lpa_problems(plan: Plan, prem: pd.DataFrame, officers: dict[str, Officer]) -> list[str]:
    """A crew visits only premises in the local policing areas its members cover (from the staff sheet)."""
    out = []
    crews = {c.crew_id: c for c in plan.crews}
    for v in plan.visits:
        c = crews.get(v.crew_id)
        if c is None or v.premises_id not in prem.index:
            continue
        lpas = {officers[m].lpa for m in c.members if m in officers}
        lpa = str(prem.loc[v.premises_id].get("lpa", "") or "")
        if lpas and "" not in lpas and lpa and lpa != "nan" and lpa not in lpas:
            out.append(
                f"Visit {v.premises_id} ({v.op_type}, {v.crew_id}): premises in {lpa}, "
                f"crew covers {', '.join(sorted(lpas))}."
            )
    return out


def _break_problems(plan: Plan, by_crew: dict[str, list[Visit]], params: PlanParams) -> list[str]:
    """A shift longer than ``break_after_h`` has an uninterrupted break of ``break_min``, with no visit in it."""
    out = []
    after = dt.timedelta(hours=params.break_after_h)
    need = dt.timedelta(minutes=params.break_min)
    for c in plan.crews:
        vs = by_crew.get(c.crew_id, [])
        for a, b in c.breaks:
            if a < c.shift_start - TOL or b > c.shift_end + TOL or b <= a:
                out.append(f"Crew {c.crew_id}: break {a:%H:%M}-{b:%H:%M} is outside its shift.")
            for v in vs:
                if v.arrival < b - TOL and a < v.departure - TOL:
                    out.append(
                        f"Crew {c.crew_id}: visit {v.order} ({v.arrival:%H:%M}-{v.departure:%H:%M}) "
                        f"is in its break {a:%H:%M}-{b:%H:%M}."
                    )
        if c.shift_end - c.shift_start > after + TOL and params.break_min > 0:
            if not any(b - a >= need - TOL for a, b in c.breaks):
                out.append(
                    f"Crew {c.crew_id}: a {(c.shift_end - c.shift_start).total_seconds() / 3600:.1f} h shift "
                    f"with no break of {params.break_min} min."
                )
    return out


def _door_problems(tag: str, row: Any, v: Visit) -> list[str]:
    """An SIA check only while door supervisors are required (``door_hours_<day>`` of its night)."""
    day = WEEKDAYS[v.night.weekday()]
    raw = row.get(f"door_hours_{day}")
    try:
        sess = None if raw is None or (isinstance(raw, float) and raw != raw) else parse_session(raw)
    except ValueError:
        sess = None
    if sess is None:
        return [f"{tag}: no door-supervision hours on {v.night:%A} ({raw if raw else 'not known'})."]
    base = dt.datetime.combine(v.night, dt.time())
    lo, hi = base + dt.timedelta(minutes=sess[0]), base + dt.timedelta(minutes=sess[1])
    if v.arrival < lo - TOL or v.departure > hi + TOL:
        return [
            f"{tag}: {v.arrival:%H:%M}-{v.departure:%H:%M} outside door-supervision hours {lo:%H:%M}-{hi:%H:%M}."
        ]
    return []


def _repeat_problems(plan: Plan) -> list[str]:
    """At most one visit per premises per night; a second visit in the week only with a reason."""
    out = []
    first: dict[str, Any] = {}
    night_of: dict[tuple[str, dt.date], str] = {}
    for v in sorted(plan.visits, key=lambda v: (v.arrival, v.crew_id)):
        tag = f"Visit {v.premises_id} ({v.op_type}, {v.crew_id})"
        key = (v.premises_id, v.night)
        if key in night_of:
            out.append(
                f"{tag}: second visit to the premises on {v.night:%a %d %b} (also by {night_of[key]})."
            )
        night_of.setdefault(key, v.crew_id)
        if v.premises_id in first and not v.repeat_reason:
            out.append(
                f"{tag}: repeat visit this week with no rule asking for it (first by {first[v.premises_id].crew_id})."
            )
        first.setdefault(v.premises_id, v)
    return out


def _min_travel(ax: float, ay: float, bx: float, by: float, params: PlanParams) -> dt.timedelta:
    d = math.hypot(ax - bx, ay - by) * params.circuity
    fastest = max(params.drive_kmh, params.walk_kmh) * 1000 / 60
    return dt.timedelta(minutes=d / fastest)
