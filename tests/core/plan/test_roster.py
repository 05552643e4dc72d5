"""Tests for the CP-SAT roster and crew formation (licvisit.core.plan.roster)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from licvisit.core.plan.candidates import build_candidates
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.roster import plan_roster
from licvisit.domain import Availability, Lock, Officer
from licvisit.errors import InfeasiblePlanError
from tests.core.plan.teams import WEEK, make_premises, make_ranking, make_staff

PARAMS = PlanParams(time_limit_s=2.0)
NIGHTS = [WEEK + dt.timedelta(days=i) for i in range(7)]


def officer(oid: str, role: str, nights, start=18, end=4, **kw) -> Officer:
    """An officer available 18:00-04:00 (by default) on the given night indexes."""
    av = []
    for i in nights:
        n = NIGHTS[i]
        s = dt.datetime.combine(n, dt.time(start))
        e = dt.datetime.combine(n + dt.timedelta(days=1 if end <= start else 0), dt.time(end))
        av.append(Availability(n, s, e))
    return Officer(oid, oid, role, "Base", 407000.0, 286700.0, availability=tuple(av), **kw)


@pytest.fixture(scope="module")
def cands():
    """Candidates from thirty synthetic premises (all operation types present)."""
    prem = make_premises(30)
    c, _ = build_candidates(make_ranking(prem), prem, WEEK, PARAMS.operation_types(), PARAMS)
    return c


def roster(staff, cands, **kw):
    return plan_roster(staff, cands, PARAMS.operation_types(), WEEK, kw.pop("params", PARAMS), **kw)


def test_crews_pair_a_palo_with_the_right_partner(cands):
    staff = make_staff(4, 2, 1, 1)
    r = roster(staff, cands)
    roles = {o.officer_id: o for o in staff}
    need = {
        "licensing_compliance": {"council_licensing", "licensing_staff"},  # a council officer or a 2nd PALO
        "sia_check": {"sia_enforcement"},
        "gang_op": {"gang_spotter"},
    }
    assert r.crews
    for c in r.crews:
        a, b, *support = (roles[m] for m in c.members)
        assert a.is_palo and b.role in need[c.op_type]
        assert [s.role for s in support] in ([], ["uniformed_support"])
        assert c.shift_end - c.shift_start <= dt.timedelta(hours=PARAMS.shift_length_h)
    nights = {}
    for s in r.shifts:
        assert (s.officer_id, s.night) not in nights
        nights[(s.officer_id, s.night)] = s


def test_max_shifts_and_contracted_hours_are_respected(cands):
    staff = [
        officer("P1", "licensing_staff", range(7), max_shifts=2),
        officer("C1", "council_licensing", range(7)),
    ]
    staff.append(officer("P2", "licensing_pc", range(7), contracted_hours=10.0))
    r = roster(staff, cands)
    assert sum(s.officer_id == "P1" for s in r.shifts) <= 2
    hours = sum((s.end - s.start).total_seconds() / 3600 for s in r.shifts if s.officer_id == "P2")
    assert hours <= 10.0


def test_consecutive_late_shifts_are_capped(cands):
    staff = [officer("P1", "licensing_staff", range(7)), officer("C1", "council_licensing", range(7))]
    r = roster(staff, cands, params=dataclasses.replace(PARAMS, max_consecutive_late=2))
    worked = sorted(s.night.weekday() for s in r.shifts if s.officer_id == "P1")
    run = best = 0
    for i in range(7):
        run = run + 1 if i in worked else 0
        best = max(best, run)
    assert best <= 2 and worked


def test_minimum_rest_between_shifts(cands):
    # Monday ends 04:00 Tuesday; Tuesday availability starts 12:00 -> only 8 h rest if the shift starts then.
    p = officer("P1", "licensing_staff", [0])
    tue = NIGHTS[1]
    early = Availability(tue, dt.datetime.combine(tue, dt.time(12)), dt.datetime.combine(tue, dt.time(20)))
    p = dataclasses.replace(p, availability=(*p.availability, early))
    c = officer("C1", "council_licensing", [0])
    c2 = dataclasses.replace(officer("C2", "council_licensing", []), availability=(early,))
    r = roster([p, c, c2], cands, params=dataclasses.replace(PARAMS, min_crew_shift_min=60))
    mine = sorted((s for s in r.shifts if s.officer_id == "P1"), key=lambda s: s.start)
    for a, b in zip(mine, mine[1:], strict=False):
        assert b.start - a.end >= dt.timedelta(hours=11)


def test_lock_forces_a_crew_of_its_type_that_night(cands):
    staff = make_staff(4, 2, 1, 1)
    sia_partner_nights = {a.night for o in staff if o.role == "sia_enforcement" for a in o.availability}
    night = sorted(sia_partner_nights)[0]
    lk = Lock("P001", night, "sia_check")
    r = roster(staff, cands, locks=(lk,))
    assert any(c.night == night and c.op_type == "sia_check" for c in r.crews)


def test_lock_without_anyone_to_crew_it_is_infeasible(cands):
    staff = [officer("P1", "licensing_staff", [4]), officer("C1", "council_licensing", [4])]
    with pytest.raises(InfeasiblePlanError, match="nobody is available to form"):
        roster(staff, cands, locks=(Lock("P001", NIGHTS[4], "sia_check"),))


def test_no_partner_officers_means_no_crews(cands):
    staff = [officer("P1", "licensing_staff", range(7))]
    with pytest.raises(InfeasiblePlanError, match="Nobody can form a crew"):
        roster(staff, cands)


def test_day_off_preference_is_a_named_soft_rule(cands):
    staff = [
        officer("P1", "licensing_staff", [5], preferences=("prefers_sat_off",)),
        officer("C1", "council_licensing", [5]),
    ]
    r = roster(staff, cands)
    if any(s.officer_id == "P1" for s in r.shifts):
        assert any(b.rule == "preference_day_off" and b.subject == "P1" for b in r.bent)
    else:
        assert not r.bent


def test_licensing_crews_may_be_two_palos_with_uniformed_support(cands):
    from licvisit.domain import Officer

    staff = make_staff(4, 0, 1, 1)
    sup = staff[0]
    staff.append(
        Officer(
            "U01",
            "Support 1",
            "uniformed_support",
            sup.base,
            sup.base_x,
            sup.base_y,
            availability=sup.availability,
        )
    )
    r = roster(staff, cands)
    roles = {o.officer_id: o.role for o in staff}
    lic = [c for c in r.crews if c.op_type == "licensing_compliance"]
    assert lic and all(roles[c.members[1]] == "licensing_staff" for c in lic)
    assert any(len(c.members) == 3 and roles[c.members[2]] == "uniformed_support" for c in lic)


def test_a_crew_cap_is_a_parameter_reported_when_it_binds(cands):
    import dataclasses

    staff = make_staff(6, 3, 1, 1)
    free = roster(staff, cands)
    capped = roster(staff, cands, params=dataclasses.replace(PARAMS, max_crews_per_op_night=1))
    per = {}
    for c in capped.crews:
        per[(c.night, c.op_type)] = per.get((c.night, c.op_type), 0) + 1
    assert max(per.values()) == 1 and capped.capped
    assert all(f"{n:%a} {op}" in capped.capped for (n, op) in per)
    assert len(free.crews) > len(capped.crews) and free.capped == []


def test_with_no_search_time_the_greedy_roster_still_meets_every_hard_rule(cands):
    """The greedy roster (CP-SAT's hint, and its fallback) keeps max shifts, hours, rest and late runs."""
    staff = [
        officer("P1", "licensing_staff", range(7), max_shifts=3),
        officer("P2", "licensing_pc", range(7), contracted_hours=10.0),
        officer("P3", "licensing_staff", range(7)),
        officer("C1", "council_licensing", range(7)),
        officer("C2", "council_licensing", range(7)),
        officer("S1", "sia_enforcement", range(7)),
    ]
    params = dataclasses.replace(PARAMS, roster_deterministic_time=1e-9, max_consecutive_late=2)
    r = roster(staff, cands, params=params)
    assert r.crews and r.status in ("GREEDY", "FEASIBLE", "OPTIMAL")
    seen = set()
    for s in r.shifts:
        assert (s.officer_id, s.night) not in seen
        seen.add((s.officer_id, s.night))
    assert sum(s.officer_id == "P1" for s in r.shifts) <= 3
    assert sum((s.end - s.start).total_seconds() / 3600 for s in r.shifts if s.officer_id == "P2") <= 10.0
    for o in staff:
        mine = sorted((s for s in r.shifts if s.officer_id == o.officer_id), key=lambda s: s.start)
        for a, b in zip(mine, mine[1:], strict=False):
            assert b.start - a.end >= dt.timedelta(hours=PARAMS.min_rest_h)
        late = [any(s.night == n and s.end.date() > n for s in mine) for n in NIGHTS]
        assert all(sum(late[i : i + 3]) <= 2 for i in range(5)), o.officer_id


def test_the_greedy_roster_alone_keeps_one_crew_per_officer_night_and_locks(cands):
    from licvisit.core.plan.roster import _all_crews, _greedy_roster

    staff = make_staff(6, 3, 2, 2)
    by_id = {o.officer_id: o for o in staff}
    pairs = _all_crews(staff, PARAMS.operation_types(), NIGHTS, PARAMS)
    night = sorted({p.night for p in pairs if p.op == "sia_check"})[0]
    slot_vals = {(p.op, p.night): [100, 50, 10] for p in pairs}
    got = _greedy_roster(pairs, by_id, NIGHTS, slot_vals, (Lock("P001", night, "sia_check"),), PARAMS)
    assert any(p.night == night and p.op == "sia_check" for p in got)
    booked = [(oid, p.night) for p in got for oid in p.members]
    assert len(booked) == len(set(booked))
    for key in slot_vals:
        assert sum(1 for p in got if (p.op, p.night) == key) <= 3
    for o in staff:
        assert sum(1 for oid, _ in booked if oid == o.officer_id) <= o.max_shifts
