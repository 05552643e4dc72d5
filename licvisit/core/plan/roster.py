"""Roster staff onto nights and form joint crews with CP-SAT.

Decision variables are crew pairings: ``z[palo, partner, night, op] = 1``
when that PALO and that partner officer work together that night on that
operation type.  A pairing exists only when both are available long enough
together.  Hard rules: one crew per officer per night, maximum shifts,
contracted hours, minimum rest between shifts, at most N consecutive late
shifts, locks get a crew of their type on their night.  Soft rules carry
named penalties (OR-Tools' ``shift_scheduling_sat.py`` pattern) so the plan
can report what it bent: ``late_shift_fairness``, ``preference_day_off``.

The objective is the expected value the crews can address: for each night
and operation the k-th crew is worth the night-weighted value of the k-th
block of candidates open that night (diminishing returns), so crews go where
and when the harm is - in the night-time economy, Friday and Saturday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from licvisit.core.plan.candidates import Candidate, op_window, week_nights
from licvisit.domain import WEEKDAYS, BentRule, Crew, Lock, Officer, OperationType, ShiftAssignment
from licvisit.errors import InfeasiblePlanError

if TYPE_CHECKING:  # pragma: no cover
    from licvisit.core.plan.params import PlanParams

OP_ABBR = {"licensing_compliance": "LIC", "sia_check": "SIA", "gang_op": "GANG"}
VALUE_SCALE = 1000
# a linear expression of the roster model (or a plain int when it has no terms)
Expr = cp_model.LinearExpr | int
# (rule, subject, penalty variable, weight, detail) of a soft rule
Penalty = tuple[str, str, cp_model.IntVar, int, str]


@dataclass
class Roster:
    """Result of :func:`plan_roster`."""

    crews: list[Crew]
    shifts: list[ShiftAssignment]
    bent: list[BentRule] = field(default_factory=list)
    status: str = ""
    objective: float = 0.0
    capped: list[str] = field(default_factory=list)  # nights/operations where max_crews_per_op_night bound
    # Every crew the templates allow this week (officers the roster leaves at home included), the
    # officers and the nights: what :class:`TeamAtHome` forms more crews from after the routes.
    pairs: list[_Pair] = field(default_factory=list)
    officers: dict[str, Officer] = field(default_factory=dict)
    nights: list[dt.date] = field(default_factory=list)
    # Crews on duty on nights outside this roster's routing (a re-plan's kept nights): they count
    # against their members' hard rules when :class:`TeamAtHome` forms more crews.
    on_duty: list[Crew] = field(default_factory=list)
    # What stopped CP-SAT: "solved", "deterministic_time" (the same on any machine) or "time_limit"
    # (its wall-clock safety cap: the roster may differ between runs).
    stopped_by: str = ""


@dataclass(frozen=True)
class _Pair:
    """A possible crew: a PALO leading, one partner, optional uniformed support."""

    palo: str
    partner: str
    night: dt.date
    op: str
    start: dt.datetime
    end: dt.datetime
    support: str = ""

    @property
    def members(self) -> tuple[str, ...]:
        return (self.palo, self.partner, self.support) if self.support else (self.palo, self.partner)


def _avail(officer: Officer, night: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    for a in officer.availability:
        if a.night == night:
            return a.start, a.end
    return None


def crew_shift(
    a: tuple[dt.datetime, dt.datetime],
    b: tuple[dt.datetime, dt.datetime],
    op: OperationType,
    night: dt.date,
    shift_h: float,
) -> tuple[dt.datetime, dt.datetime] | None:
    """Return the shift of a two-person crew: their overlap, at most ``shift_h`` long, placed on op hours."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if hi <= lo:
        return None
    o_lo, o_hi = op_window(op, night)
    length = dt.timedelta(hours=shift_h)
    end = min(hi, o_hi + dt.timedelta(minutes=30))
    start = max(lo, end - length)
    if end - start < length:  # room left: extend the end back out if the overlap allows
        end = min(hi, start + length)
    if end <= start:
        return None
    del o_lo
    return start, end


def _role_ok(officer: Officer, role: str) -> bool:
    return officer.is_palo if role == "palo" else officer.role == role


def _late(end: dt.datetime, night: dt.date) -> bool:
    return end > dt.datetime.combine(night + dt.timedelta(days=1), dt.time())


def plan_roster(
    staff: list[Officer],
    candidates: list[Candidate],
    operations: tuple[OperationType, ...],
    week_start: dt.date,
    params: PlanParams,
    *,
    locks: tuple[Lock, ...] = (),
    previous_crews: list[Crew] | None = None,
) -> Roster:
    """Roster officers onto nights and pair them into crews.

    Steps: enumerate the crews the templates allow; the hard rules per
    officer; the value of the k-th crew of a type on a night; soft rules;
    a greedy roster that meets every hard rule, given to CP-SAT as its
    hint (so a large team always has a roster to improve on); solve; crews
    and shifts from the chosen pairings.

    Raises
    ------
    InfeasiblePlanError
        When nobody can form a crew, or the hard rules (locks included)
        cannot all be met.
    """
    nights = week_nights(week_start)
    by_id = {o.officer_id: o for o in staff}
    pairs = _all_crews(staff, operations, nights, params)
    m = cp_model.CpModel()
    z = {pr: m.new_bool_var(f"z_{pr.palo}_{pr.partner}_{pr.night:%a}_{pr.op}") for pr in pairs}
    by_off_night: dict[tuple[str, dt.date], list[_Pair]] = {}
    for pr in pairs:
        for oid in pr.members:
            by_off_night.setdefault((oid, pr.night), []).append(pr)
    on, late = _officer_rules(m, z, staff, nights, by_off_night, params)
    objective, slot_terms, slot_vals, capped = _slot_objective(
        m, z, pairs, candidates, operations, nights, by_id, params
    )
    _lock_rules(m, slot_terms, locks, operations, params)
    penalties = _soft_rules(m, staff, nights, on, late, params)
    if previous_crews:  # stability: keep previous crews when re-planning
        prev_keys = {(c.night, c.op_type, tuple(sorted(c.members))) for c in previous_crews}
        objective.extend(
            z[pr] * params.w_keep_crew
            for pr in pairs
            if (pr.night, pr.op, tuple(sorted(pr.members))) in prev_keys
        )
    m.maximize(sum(objective) - sum(var * w for _, _, var, w, _ in penalties))
    greedy = _greedy_roster(pairs, by_id, nights, slot_vals, locks, params)
    for pr, var in z.items():
        m.add_hint(var, 1 if pr in greedy else 0)
    chosen, status_name, objective_value, solver, stopped_by = _solve(m, z, pairs, greedy, locks, params)
    crews, shifts = _crews_of(chosen, by_id)
    bent = _bent_rules(penalties, solver, params) if solver is not None else []
    binding = [
        f"{n:%a} {op}"
        for n, op, cap in capped
        if sum(1 for c in crews if c.night == n and c.op_type == op) >= cap
    ]
    return Roster(
        crews,
        shifts,
        bent,
        status_name,
        objective_value,
        binding,
        pairs,
        by_id,
        nights,
        stopped_by=stopped_by,
    )


def _all_crews(
    staff: list[Officer], operations: tuple[OperationType, ...], nights: list[dt.date], params: PlanParams
) -> list[_Pair]:
    """Every crew the templates allow on every night, or an error when there is none."""
    min_len = dt.timedelta(minutes=params.min_crew_shift_min)
    pairs: list[_Pair] = []
    for op in operations:
        for night in nights:
            pairs.extend(_possible_crews(staff, op, night, params, min_len))
    if not pairs:
        raise InfeasiblePlanError(
            "Nobody can form a crew this week: no PALO is available on the same night as a partner "
            f"officer (council licensing, SIA or gang spotter) for at least {params.min_crew_shift_min} minutes. "
            "Fix: check staff availability for the week."
        )
    return pairs


def _officer_rules(
    m: cp_model.CpModel,
    z: dict[_Pair, cp_model.IntVar],
    staff: list[Officer],
    nights: list[dt.date],
    by_off_night: dict[tuple[str, dt.date], list[_Pair]],
    params: PlanParams,
) -> tuple[dict[tuple[str, dt.date], cp_model.IntVar], dict[tuple[str, dt.date], Expr]]:
    """Hard rules per officer: one crew a night, max shifts, contracted hours, late shifts in a row, rest.

    Returns (on[(officer, night)] booleans, late[(officer, night)] expressions).
    """
    on: dict[tuple[str, dt.date], cp_model.IntVar] = {}
    for key, prs in sorted(by_off_night.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        v = m.new_bool_var(f"on_{key[0]}_{key[1]:%a}")
        m.add(sum(z[p] for p in prs) == v)
        on[key] = v
    late: dict[tuple[str, dt.date], Expr] = {}
    for (oid, night), prs in by_off_night.items():
        late_prs = [z[p] for p in prs if _late(p.end, night)]
        late[(oid, night)] = sum(late_prs) if late_prs else 0
    shift_vars: dict[tuple[str, dt.date, dt.datetime, dt.datetime], cp_model.IntVar] = {}
    rest = dt.timedelta(hours=params.min_rest_h)
    n_max = params.max_consecutive_late
    for o in staff:
        keys = [(o.officer_id, n) for n in nights if (o.officer_id, n) in on]
        if not keys:
            continue
        m.add(sum(on[k] for k in keys) <= max(0, o.max_shifts))
        minutes = [z[p] * _length_min(p) for k in keys for p in by_off_night[k]]
        m.add(sum(minutes) <= int(o.contracted_hours * 60))
        for i in range(0, 7 - n_max):
            window = [late.get((o.officer_id, nights[i + j]), 0) for j in range(n_max + 1)]
            m.add(sum(window) <= n_max)
        # Crews of one officer on one night share few distinct shifts: a clause per pair of shifts,
        # not per pair of crews (which grows with the square of the team).
        for i in range(6):
            a = _by_shift(m, z, by_off_night.get((o.officer_id, nights[i]), []), shift_vars, o.officer_id)
            b = _by_shift(m, z, by_off_night.get((o.officer_id, nights[i + 1]), []), shift_vars, o.officer_id)
            for (_, end_a), va in a.items():
                for (start_b, _), vb in b.items():
                    if start_b - end_a < rest:
                        m.add_bool_or([va.Not(), vb.Not()])
    return on, late


def _length_min(p: _Pair) -> int:
    return int((p.end - p.start).total_seconds() // 60)


def _slot_objective(
    m: cp_model.CpModel,
    z: dict[_Pair, cp_model.IntVar],
    pairs: list[_Pair],
    candidates: list[Candidate],
    operations: tuple[OperationType, ...],
    nights: list[dt.date],
    by_id: dict[str, Officer],
    params: PlanParams,
) -> tuple[
    list[Expr],
    dict[tuple[str, dt.date], list[cp_model.IntVar]],
    dict[tuple[str, dt.date], list[int]],
    list[tuple[dt.date, str, int]],
]:
    """Diminishing-return value of the k-th crew of each type on each night, and uniformed support.

    Returns (objective terms, slots per (op, night), net value per slot, caps that could bind).
    """
    objective: list[Expr] = []
    slot_terms: dict[tuple[str, dt.date], list[cp_model.IntVar]] = {}
    slot_vals: dict[tuple[str, dt.date], list[int]] = {}
    capped: list[tuple[dt.date, str, int]] = []
    by_op_night: dict[tuple[str, dt.date], list[_Pair]] = {}
    for p in pairs:
        by_op_night.setdefault((p.op, p.night), []).append(p)
    for op in operations:
        for night in nights:
            prs = by_op_night.get((op.name, night), [])
            if not prs:
                continue
            k = sum(z[p] for p in prs)
            # No hidden cap: as many slots as PALOs who could lead that night, unless a cap is set.
            most = len({p.palo for p in prs} | {p.partner for p in prs if by_id[p.partner].is_palo})
            cap = params.max_crews_per_op_night or most
            if params.max_crews_per_op_night and most > cap:
                capped.append((night, op.name, cap))
            # A crew past the last block of candidates open that night has nothing to be worth, so
            # no slot is made for it (this is not a cap: such a crew would only cost w_shift).
            open_here = sum(1 for c in candidates if c.op_type == op.name and night in c.windows)
            useful = max(1, -(-open_here // max(1, params.visits_per_crew_estimate)))
            slots = [m.new_bool_var(f"slot_{night:%a}_{op.name}_{c}") for c in range(min(cap, most, useful))]
            for c in range(1, len(slots)):
                m.add_implication(slots[c], slots[c - 1])
            m.add(sum(slots) == k)
            vals = _slot_values(candidates, op, night, params, len(slots))
            # A crew costs a little (w_shift), so crews with nothing to do are not rostered.
            objective.extend(s * (vals[c] - params.w_shift) for c, s in enumerate(slots))
            # Uniformed support gives a licensing crew the confidence to work a busy NTE safely.
            objective.extend(z[p] * params.w_support for p in prs if p.support)
            slot_terms[(op.name, night)] = slots
            slot_vals[(op.name, night)] = [vals[c] - params.w_shift for c in range(len(slots))]
    return objective, slot_terms, slot_vals, capped


def _lock_rules(
    m: cp_model.CpModel,
    slot_terms: dict[tuple[str, dt.date], list[cp_model.IntVar]],
    locks: tuple[Lock, ...],
    operations: tuple[OperationType, ...],
    params: PlanParams,
) -> None:
    """Locks need a crew of their type on their night."""
    op_by_name = {o.name: o for o in operations}
    for lk in locks:
        op_name = lk.op_type or params.default_lock_op
        slots = slot_terms.get((op_name, lk.night))
        if not slots:
            raise InfeasiblePlanError(
                f"Lock {lk.premises_id}@{lk.night}:{op_name} cannot be honoured: nobody is available to form a "
                f"{op_by_name[op_name].label.lower() if op_name in op_by_name else op_name} crew that night."
            )
        m.add(slots[0] == 1)


def _soft_rules(
    m: cp_model.CpModel,
    staff: list[Officer],
    nights: list[dt.date],
    on: dict[tuple[str, dt.date], cp_model.IntVar],
    late: dict[tuple[str, dt.date], Expr],
    params: PlanParams,
) -> list[Penalty]:
    """Soft rules, each with a named penalty: days off asked for, fairness of late shifts among PALOs."""
    penalties: list[Penalty] = []
    for o in staff:
        for pref in o.preferences:
            pref_l = pref.strip().lower()
            for i, d in enumerate(WEEKDAYS):
                if pref_l in (f"prefers_{d}_off", f"{d}_off", f"prefers_{d}day_off"):
                    key = (o.officer_id, nights[i])
                    if key in on:
                        penalties.append(
                            (
                                "preference_day_off",
                                o.officer_id,
                                on[key],
                                params.w_preference,
                                f"rostered on {d.title()}",
                            )
                        )
    palo_ids = [
        o.officer_id for o in staff if o.is_palo and sum((o.officer_id, n) in on for n in nights) >= 3
    ]
    if len(palo_ids) >= 2:
        lates = {}
        for oid in palo_ids:
            lv = m.new_int_var(0, 7, f"late_{oid}")
            m.add(lv == sum(late.get((oid, n), 0) for n in nights))
            lates[oid] = lv
        hi = m.new_int_var(0, 7, "late_max")
        lo = m.new_int_var(0, 7, "late_min")
        m.add_max_equality(hi, list(lates.values()))
        m.add_min_equality(lo, list(lates.values()))
        spread = m.new_int_var(0, 7, "late_spread")
        m.add(spread == hi - lo)
        excess = m.new_int_var(0, 7, "late_spread_excess")
        m.add(excess >= spread - params.late_spread_allowed)
        penalties.append(("late_shift_fairness", "PALOs", excess, params.w_fairness, "spread of late shifts"))
    return penalties


def _solve(
    m: cp_model.CpModel,
    z: dict[_Pair, cp_model.IntVar],
    pairs: list[_Pair],
    greedy: set[_Pair],
    locks: tuple[Lock, ...],
    params: PlanParams,
) -> tuple[list[_Pair], str, float, cp_model.CpSolver | None, str]:
    """Solve (one worker, deterministic time); fall back to the greedy roster when CP-SAT finds none.

    Returns (chosen pairings, status name, objective, solver or None when the greedy roster is used,
    what stopped the search: ``solved``, ``deterministic_time`` or ``time_limit``).
    """
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = int(params.seed)
    solver.parameters.num_workers = 1  # deterministic: single worker + deterministic time limit
    solver.parameters.max_deterministic_time = float(params.roster_deterministic_time)
    # Wall clock is only a safety cap, well past the deterministic limit on a loaded machine.
    cap = float(max(60.0, 20 * params.roster_deterministic_time, params.time_limit_s))
    solver.parameters.max_time_in_seconds = cap
    status = solver.solve(m)
    stopped_by = (
        "solved"
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
        else "time_limit"
        if solver.wall_time >= 0.99 * cap
        else "deterministic_time"
    )
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [pr for pr in pairs if solver.value(z[pr])]
        return chosen, solver.status_name(status), float(solver.objective_value), solver, stopped_by
    if status == cp_model.UNKNOWN and (greedy or not locks):
        # The greedy roster meets every hard rule by construction: use it rather than none.
        return sorted(greedy, key=_pair_order), "GREEDY", 0.0, None, stopped_by
    if status == cp_model.UNKNOWN:
        raise InfeasiblePlanError(
            "The roster search stopped before it found any roster (roster_deterministic_time "
            f"{params.roster_deterministic_time}). Fix: raise roster_deterministic_time in [plan]."
        )
    raise InfeasiblePlanError(
        "No roster meets the hard rules (availability, maximum shifts, contracted hours, rest, "
        "consecutive late shifts, locks). Fix: relax a lock or check staff availability."
    )


def _pair_order(p: _Pair) -> tuple[dt.date, int, str, str, str, str]:
    return (p.night, list(OP_ABBR).index(p.op) if p.op in OP_ABBR else 9, p.op, p.palo, p.partner, p.support)


def _crews_of(chosen: list[_Pair], by_id: dict[str, Officer]) -> tuple[list[Crew], list[ShiftAssignment]]:
    """Crews (named NIGHT-OP-k) and one shift per member from the chosen pairings."""
    chosen = sorted(
        chosen, key=lambda p: (p.night, list(OP_ABBR).index(p.op) if p.op in OP_ABBR else 9, p.op, p.palo)
    )
    crews, shifts = [], []
    counter: dict[tuple[dt.date, str], int] = {}
    for pr in chosen:
        key = (pr.night, pr.op)
        counter[key] = counter.get(key, 0) + 1
        crew_id = f"{WEEKDAYS[pr.night.weekday()].upper()}-{OP_ABBR.get(pr.op, pr.op.upper())}-{counter[key]}"
        crew, crew_shifts = _crew_from(pr, crew_id, by_id)
        crews.append(crew)
        shifts.extend(crew_shifts)
    shifts.sort(key=lambda s: (s.night, s.officer_id))
    return crews, shifts


def _crew_from(pr: _Pair, crew_id: str, by_id: dict[str, Officer]) -> tuple[Crew, list[ShiftAssignment]]:
    """The crew of a pairing (based at its leading PALO's base) and one shift per member."""
    palo = by_id[pr.palo]
    lpas = tuple(sorted({by_id[m].lpa for m in pr.members}))
    crew = Crew(crew_id, pr.night, pr.op, pr.members, palo.base, palo.base_x, palo.base_y, pr.start, pr.end,
                lpas=() if "" in lpas else lpas)  # fmt: skip
    return crew, [ShiftAssignment(oid, pr.night, pr.start, pr.end, crew_id) for oid in pr.members]


def _bent_rules(penalties: list[Penalty], solver: cp_model.CpSolver, params: PlanParams) -> list[BentRule]:
    bent = []
    for rule, subject, var, w, detail in penalties:
        val = solver.value(var)
        if val:
            extra = (
                f" ({val} over the allowed {params.late_spread_allowed})"
                if rule == "late_shift_fairness"
                else ""
            )
            bent.append(BentRule(rule, subject, float(val * w), detail + extra))
    return bent


def _greedy_roster(
    pairs: list[_Pair],
    by_id: dict[str, Officer],
    nights: list[dt.date],
    slot_vals: dict[tuple[str, dt.date], list[int]],
    locks: tuple[Lock, ...],
    params: PlanParams,
) -> set[_Pair]:
    """A roster meeting every hard rule, built crew by crew: the most valuable next crew of any night first.

    Locked nights get their crew first.  For a (type, night) the next crew is
    worth its slot's value; among the crews that keep every member within
    the hard rules, one with uniformed support is preferred (worth
    ``w_support``), then members with fewer shifts so far (spreading the work),
    then the first in a fixed order.  CP-SAT starts from it.
    """
    book = _Book(by_id, nights, params)
    by_key: dict[tuple[str, dt.date], list[_Pair]] = {}
    for p in sorted(pairs, key=_pair_order):
        by_key.setdefault((p.op, p.night), []).append(p)
    count: dict[tuple[str, dt.date], int] = {}
    chosen: set[_Pair] = set()
    for lk in locks:
        key = (lk.op_type or params.default_lock_op, lk.night)
        if count.get(key, 0) == 0 and book.take(by_key.get(key, []), params.w_support, chosen):
            count[key] = 1
    open_keys = {k for k in slot_vals if k in by_key and count.get(k, 0) < len(slot_vals[k])}
    while open_keys:
        key = max(open_keys, key=lambda k: (slot_vals[k][count.get(k, 0)], k[1], k[0]))
        if slot_vals[key][count.get(key, 0)] <= 0 or not book.take(by_key[key], params.w_support, chosen):
            open_keys.discard(key)
            continue
        count[key] = count.get(key, 0) + 1
        if count[key] >= len(slot_vals[key]):
            open_keys.discard(key)
    return chosen


class _Book:
    """Each officer's shifts so far in the greedy roster, and whether one more crew keeps the hard rules."""

    def __init__(self, by_id: dict[str, Officer], nights: list[dt.date], params: PlanParams) -> None:
        self.by_id, self.nights, self.params = by_id, nights, params
        self.shift: dict[tuple[str, dt.date], tuple[dt.datetime, dt.datetime]] = {}
        self.count: dict[str, int] = {}
        self.minutes: dict[str, int] = {}

    def fits(self, p: _Pair) -> bool:
        rest = dt.timedelta(hours=self.params.min_rest_h)
        i = self.nights.index(p.night)
        for oid in p.members:
            o = self.by_id[oid]
            if (oid, p.night) in self.shift or self.count.get(oid, 0) >= max(0, o.max_shifts):
                return False
            if self.minutes.get(oid, 0) + _length_min(p) > int(o.contracted_hours * 60):
                return False
            before = self.shift.get((oid, self.nights[i - 1])) if i > 0 else None
            after = self.shift.get((oid, self.nights[i + 1])) if i < 6 else None
            if (before and p.start - before[1] < rest) or (after and after[0] - p.end < rest):
                return False
            if _late(p.end, p.night) and not self._late_ok(oid, i):
                return False
        return True

    def _late_ok(self, oid: str, i: int) -> bool:
        n_max = self.params.max_consecutive_late
        lates = [
            j == i or (s := self.shift.get((oid, n))) is not None and _late(s[1], n)
            for j, n in enumerate(self.nights)
        ]
        return all(sum(lates[a : a + n_max + 1]) <= n_max for a in range(0, 7 - n_max))

    def take(self, prs: list[_Pair], w_support: int, chosen: set[_Pair]) -> bool:
        best = None
        for p in prs:
            if not self.fits(p):
                continue
            rank = (-(w_support if p.support else 0), sum(self.count.get(o, 0) for o in p.members))
            if best is None or rank < best[0]:
                best = (rank, p)
        if best is None:
            return False
        self.add(best[1])
        chosen.add(best[1])
        return True

    def add(self, p: _Pair) -> None:
        """Book every member of ``p`` on its night."""
        for oid in p.members:
            self.shift[(oid, p.night)] = (p.start, p.end)
            self.count[oid] = self.count.get(oid, 0) + 1
            self.minutes[oid] = self.minutes.get(oid, 0) + _length_min(p)


def _by_shift(
    m: cp_model.CpModel,
    z: dict[_Pair, cp_model.IntVar],
    prs: list[_Pair],
    cache: dict[tuple[str, dt.date, dt.datetime, dt.datetime], cp_model.IntVar],
    oid: str,
) -> dict[tuple[dt.datetime, dt.datetime], cp_model.IntVar]:
    """One boolean per distinct shift among ``prs`` (all one officer's crews on one night)."""
    out = {}
    groups: dict[tuple[dt.datetime, dt.datetime], list[_Pair]] = {}
    for p in prs:
        groups.setdefault((p.start, p.end), []).append(p)
    for (st, en), ps in sorted(groups.items()):
        key = (oid, ps[0].night, st, en)
        if key not in cache:
            v = m.new_bool_var(f"shift_{oid}_{ps[0].night:%a}_{st:%H%M}_{en:%H%M}")
            m.add(sum(z[p] for p in ps) == v)  # at most one crew per officer-night makes this 0/1
            cache[key] = v
        out[(st, en)] = cache[key]
    return out


def _possible_crews(
    staff: list[Officer], op: OperationType, night: dt.date, params: PlanParams, min_len: dt.timedelta
) -> list[_Pair]:
    """Every crew ``op``'s templates allow on ``night``: a PALO, a partner, optional support."""
    for roles in op.templates():
        if len(roles) != 2 or "palo" not in roles:
            raise InfeasiblePlanError(
                f"Operation {op.name}: expected a crew template of a PALO and one partner role, found {roles}."
            )
    out: list[_Pair] = []
    palos = sorted((o for o in staff if o.is_palo), key=lambda o: o.officer_id)
    support = sorted(
        (o for o in staff if op.support_role and o.role == op.support_role), key=lambda o: o.officer_id
    )
    seen: set[tuple[str, ...]] = set()
    for roles in op.templates():
        prole = roles[1] if roles[0] == "palo" else roles[0]
        partners = sorted((o for o in staff if _role_ok(o, prole)), key=lambda o: o.officer_id)
        for p in palos:
            ap = _avail(p, night)
            if ap is None:
                continue
            for q in partners:
                if q.officer_id == p.officer_id:
                    continue
                key = (
                    tuple(sorted((p.officer_id, q.officer_id)))
                    if prole == "palo"
                    else (p.officer_id, q.officer_id)
                )
                if key in seen:  # a PALO pair is one crew whichever of them leads
                    continue
                seen.add(key)
                # Two PALOs pair within their LPA (or base): the pairs grow with each area's team,
                # not with the square of the force's.  With partners_within_lpa, so does every partner.
                if (prole == "palo" or params.partners_within_lpa) and q.lpa != p.lpa and q.base != p.base:
                    continue
                aq = _avail(q, night)
                if aq is None:
                    continue
                both = (max(ap[0], aq[0]), min(ap[1], aq[1]))
                sh = crew_shift(ap, aq, op, night, params.shift_length_h)
                if sh is None or sh[1] - sh[0] < min_len:
                    continue
                out.append(_Pair(p.officer_id, q.officer_id, night, op.name, sh[0], sh[1]))
                for s in support:
                    a_s = _avail(s, night)
                    # Support comes from the PALO's own LPA (or base): it keeps the crews to choose from
                    # in proportion to the team, not to the square of a force-wide team.
                    if a_s is None or s.officer_id in key or (s.lpa != p.lpa and s.base != p.base):
                        continue
                    sh3 = crew_shift(both, a_s, op, night, params.shift_length_h)
                    if sh3 is None or sh3[1] - sh3[0] < min_len:
                        continue
                    out.append(
                        _Pair(p.officer_id, q.officer_id, night, op.name, sh3[0], sh3[1], s.officer_id)
                    )
    return out


def _slot_values(
    candidates: list[Candidate], op: OperationType, night: dt.date, params: PlanParams, n_slots: int
) -> list[int]:
    """Value of the 1st, 2nd, ... crew of ``op`` on ``night`` (integer, diminishing)."""
    weights = params.night_weights
    shares = []
    for c in candidates:
        if c.op_type != op.name or night not in c.windows:
            continue
        total_w = sum(weights[n.weekday()] for n in c.windows)
        share = c.value * weights[night.weekday()] / total_w if total_w > 0 else 0.0
        if c.mandatory or c.lock is not None:
            share += c.value
        shares.append(share)
    shares.sort(reverse=True)
    per_crew = max(1, params.visits_per_crew_estimate)
    vals = []
    mean = sum(c.value for c in candidates) / max(1, len(candidates))
    for k in range(n_slots):
        block = shares[k * per_crew : (k + 1) * per_crew]
        vals.append(int(round(VALUE_SCALE * sum(block) / max(mean, 1e-9))))
    return vals


class TeamAtHome:
    """The crews officers the routes left at home could still form, within the roster's hard rules.

    Starts from a roster's possible crews (:attr:`Roster.pairs`); :meth:`put_on_duty`
    books a crew that goes out (a rostered crew with work, or one formed from
    home), and :meth:`offers` lists the crews whose members are all still at
    home that night and would keep every hard rule the greedy roster keeps
    (availability, one crew a night, ``max_shifts``, contracted hours,
    ``min_rest_h``, ``max_consecutive_late``), checked on the crews' roster
    windows (at least as long as their fitted shifts).
    """

    def __init__(self, roster: Roster, params: PlanParams) -> None:
        self.officers = roster.officers
        self._book = _Book(roster.officers, roster.nights, params)
        # Nobody is called in on a night they asked to have off (a soft rule the roster may bend, but
        # only with its penalty reported).
        self._all = sorted(
            (
                p
                for p in roster.pairs
                if not any(_prefers_off(roster.officers[m], p.night) for m in p.members)
            ),
            key=_pair_order,
        )
        self._valid = {p for p in self._all if self._book.fits(p)}
        self._with: dict[str, list[_Pair]] = {}  # officer -> the possible crews they are in
        for p in self._all:
            for m in p.members:
                self._with.setdefault(m, []).append(p)
        self.booked = 0  # crews booked so far (changes what :meth:`offers` returns)
        for crew in roster.on_duty:
            self.put_on_duty(crew)

    def put_on_duty(self, crew: Crew) -> None:
        """Book ``crew``'s members for its night (on the crew's current shift window)."""
        m = crew.members
        self._book.add(
            _Pair(
                m[0],
                m[1],
                crew.night,
                crew.op_type,
                crew.shift_start,
                crew.shift_end,
                m[2] if len(m) > 2 else "",
            )
        )
        # Whether a crew keeps the hard rules depends only on its own members' shifts.
        for oid in m:
            for p in self._with.get(oid, []):
                if p in self._valid and not self._book.fits(p):
                    self._valid.discard(p)
        self.booked += 1

    def offers(self) -> list[_Pair]:
        """Every crew the team at home can still form, in a fixed order (night, operation, members)."""
        return [p for p in self._all if p in self._valid]

    def crew_of(self, p: _Pair, crew_id: str) -> tuple[Crew, list[ShiftAssignment]]:
        """The crew ``p`` forms (named ``crew_id``) and its members' shifts."""
        return _crew_from(p, crew_id, self.officers)


def _prefers_off(officer: Officer, night: dt.date) -> bool:
    """Whether ``officer`` asked to have ``night`` off (the preferences ``_soft_rules`` reads)."""
    d = WEEKDAYS[night.weekday()]
    asks = {f"prefers_{d}_off", f"{d}_off", f"prefers_{d}day_off"}
    return any(pref.strip().lower() in asks for pref in officer.preferences)


def palo_nights(officers: dict[str, Officer], nights: list[dt.date], crews: list[Crew]) -> tuple[int, int]:
    """(PALO nights used by ``crews``, PALO nights available: each PALO's nights capped by ``max_shifts``)."""
    week = set(nights)
    available = sum(
        min(sum(1 for a in o.availability if a.night in week), max(0, o.max_shifts))
        for o in officers.values()
        if o.is_palo
    )
    used = len({(m, c.night) for c in crews for m in c.members if m in officers and officers[m].is_palo})
    return used, available
