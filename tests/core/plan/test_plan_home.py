"""Officers the routes left at home form crews for visits still dropped (issue 13: roster and routes together).

The roster is chosen from an estimate of a crew's work (``visits_per_crew_estimate``) before
any route exists; here a large estimate makes it roster one crew for a Monday with more work
than one crew can do.  A sergeant would send out the officers left at home: the planner forms
a crew from them (within the roster's hard rules) when it gains value, and says truthfully
when nobody at home can form one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from licvisit.core.plan.candidates import Candidate
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.recruit import Home, send_out_from_home, who_at_home_reaches
from licvisit.core.plan.repair import _insertion
from licvisit.core.plan.roster import Roster, TeamAtHome, _possible_crews, palo_nights
from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup
from licvisit.core.plan.week import plan_week
from licvisit.domain import WEEKDAYS, Availability, Crew, Officer
from tests.core.plan.teams import CENTRE, WEEK, make_premises, make_ranking

MON = WEEK
# One crew rostered for Monday (the estimate says one crew can do all of it); short search.
PARAMS = PlanParams(
    operations=("licensing_compliance",),
    visits_per_crew_estimate=60,
    time_limit_s=20.0,
    work_limit=20000,
)
NO_ONE_AT_HOME = (
    " No officer at home on those nights can form a crew that reaches it within the roster's rules "
    "(availability, max_shifts, contracted hours, rest, late shifts, crew templates, LPAs)."
)


def _officer(oid: str, role: str, nights=(MON,), max_shifts: int = 5) -> Officer:
    avail = tuple(
        Availability(
            n, dt.datetime.combine(n, dt.time(18)), dt.datetime.combine(n + dt.timedelta(days=1), dt.time(2))
        )
        for n in nights
    )
    return Officer(oid, oid, role, "Steelhouse Lane", CENTRE[0] + 300.0, CENTRE[1] + 400.0,
                   max_shifts=max_shifts, availability=avail)  # fmt: skip


def _monday_premises(n: int = 24):
    """``n`` premises open on Monday evening only (18:00-23:00), none with door staff or gang flags."""
    prem = make_premises(n, spread_m=800.0)
    for d in WEEKDAYS:
        prem[f"hours_{d}"] = "17:00-23:00" if d == "mon" else "closed"
        prem[f"door_hours_{d}"] = "closed"
    prem["door_supervision"] = False
    prem["door_staff"] = 0
    prem["intel_flags"] = ""
    return prem, make_ranking(prem)


@pytest.fixture(scope="module")
def monday():
    prem, rk = _monday_premises(18)  # about seven visits a crew: three crews, where the roster gives one
    staff = [
        _officer("P1", "licensing_staff"),
        _officer("P2", "licensing_staff"),
        _officer("P3", "licensing_staff"),
        _officer("P4", "licensing_staff"),
        _officer("P5", "licensing_staff"),
        _officer("C1", "council_licensing"),
    ]
    return prem, rk, staff, plan_week(rk, prem, staff, WEEK, PARAMS)


def test_officers_at_home_form_crews_and_no_visit_is_dropped_as_crews_full(monday):
    _, _, _, plan = monday
    codes = {d.reason_code for d in plan.dropped}
    assert "crews_full" not in codes  # the old planner dropped the visits one crew had no time for
    formed = plan.meta["crews_formed_from_home"]
    assert len(formed) == 2 and len(plan.crews) == 3 and set(formed) <= {c.crew_id for c in plan.crews}
    assert len(plan.visits) == 18
    assert set(formed) <= set(plan.meta["crews_sent_out_for_drops"])
    # Every officer at most one crew on Monday, every crew of a template, with enough work.
    members = [m for c in plan.crews for m in c.members]
    assert len(members) == len(set(members))
    for c in plan.crews:
        assert sum(1 for v in plan.visits if v.crew_id == c.crew_id) >= PARAMS.min_visits_per_crew
    # Five PALOs available one night each; the crews formed from home use them.
    assert plan.meta["palo_nights_available"] == 5
    assert plan.meta["palo_nights_used"] == len(
        {m for c in plan.crews for m in c.members if m.startswith("P")}
    )
    assert plan.meta["palo_nights_used"] == 5
    # The roster lines name the crews formed from home, with their fitted shifts.
    for cid in formed:
        crew = next(c for c in plan.crews if c.crew_id == cid)
        lines = [s for s in plan.roster if s.crew_id == cid]
        assert sorted(s.officer_id for s in lines) == sorted(crew.members)
        assert all((s.start, s.end) == (crew.shift_start, crew.shift_end) for s in lines)


def test_without_anyone_at_home_a_drop_says_so(monday):
    prem, rk, _, _ = monday
    staff = [_officer("P1", "licensing_staff"), _officer("C1", "council_licensing")]
    plan = plan_week(rk, prem, staff, WEEK, PARAMS)
    full = [d for d in plan.dropped if d.reason_code == "crews_full"]
    assert full, "one crew cannot make every Monday visit"
    assert all(d.reason.endswith(NO_ONE_AT_HOME) for d in full)
    assert plan.meta["crews_formed_from_home"] == []
    assert (plan.meta["palo_nights_used"], plan.meta["palo_nights_available"]) == (1, 1)


def test_officers_who_used_their_shifts_stay_at_home(monday):
    prem, rk, _, _ = monday
    # P2 and P3 could pair up on Monday, but each may work only one shift and is needed on Sunday.
    sun = WEEK + dt.timedelta(days=6)
    staff = [
        _officer("P1", "licensing_staff"),
        _officer("C1", "council_licensing"),
        _officer("P2", "licensing_staff", nights=(MON, sun), max_shifts=1),
        _officer("P3", "licensing_staff", nights=(MON, sun), max_shifts=1),
    ]
    ops = PARAMS.operation_types()
    nights = [WEEK + dt.timedelta(days=i) for i in range(7)]
    pairs = [p for n in nights for p in _possible_crews(staff, ops[0], n, PARAMS, dt.timedelta(minutes=90))]
    roster = Roster([], [], pairs=pairs, officers={o.officer_id: o for o in staff}, nights=nights)
    team = TeamAtHome(roster, PARAMS)
    assert {(p.night, p.members) for p in team.offers() if "P2" in p.members} == {
        (MON, ("P1", "P2")),
        (MON, ("P2", "C1")),
        (MON, ("P2", "P3")),
        (sun, ("P2", "P3")),
    }
    sunday = next(p for p in pairs if p.night == sun and p.members == ("P2", "P3"))
    team.put_on_duty(Crew("SUN-LIC-1", sun, "licensing_compliance", ("P2", "P3"), "Steelhouse Lane", 0.0, 0.0,
                          sunday.start, sunday.end))  # fmt: skip
    assert [p.members for p in team.offers()] == [("P1", "C1")]  # P1 and C1 on Monday only
    assert palo_nights(roster.officers, nights, []) == (0, 3)


def test_nobody_is_called_in_on_a_night_they_asked_to_have_off():
    staff = [
        _officer("P1", "licensing_staff"),
        dataclasses.replace(_officer("C1", "council_licensing"), preferences=("prefers_mon_off",)),
        _officer("P2", "licensing_staff"),
    ]
    nights = [WEEK + dt.timedelta(days=i) for i in range(7)]
    ops = PARAMS.operation_types()
    pairs = [p for n in nights for p in _possible_crews(staff, ops[0], n, PARAMS, dt.timedelta(minutes=90))]
    assert {p.members for p in pairs} == {("P1", "C1"), ("P2", "C1"), ("P1", "P2")}
    roster = Roster([], [], pairs=pairs, officers={o.officer_id: o for o in staff}, nights=nights)
    assert [p.members for p in TeamAtHome(roster, PARAMS).offers()] == [("P1", "P2")]


def test_a_crew_formed_from_home_is_the_same_plan_every_time(monday):
    prem, rk, staff, plan = monday
    again = plan_week(rk, prem, staff, WEEK, PARAMS)
    key = [(v.premises_id, v.crew_id, v.arrival) for v in plan.visits]
    assert [(v.premises_id, v.crew_id, v.arrival) for v in again.visits] == key
    assert again.meta["crews_formed_from_home"] == plan.meta["crews_formed_from_home"]


def _lpa_home(params: PlanParams):
    """Two premises in LPA A open on Monday; officers in A (P1, C1) and in B (P3, P4), all at home."""
    staff = [
        dataclasses.replace(_officer("P1", "licensing_staff"), lpa="A"),
        dataclasses.replace(_officer("C1", "council_licensing"), lpa="A"),
        dataclasses.replace(_officer("P3", "licensing_staff"), lpa="B"),
        dataclasses.replace(_officer("P4", "licensing_staff"), lpa="B"),
    ]
    nights = [WEEK + dt.timedelta(days=i) for i in range(7)]
    ops = params.operation_types()
    pairs = [p for n in nights for p in _possible_crews(staff, ops[0], n, params, dt.timedelta(minutes=90))]
    roster = Roster([], [], pairs=pairs, officers={o.officer_id: o for o in staff}, nights=nights)
    opens = (dt.datetime.combine(MON, dt.time(18)), dt.datetime.combine(MON, dt.time(23)))
    cands = [
        Candidate(
            f"X{i}", f"X{i}", "licensing_compliance", 10.0, 20, 0.0, 0.0, {MON: opens}, meta={"lpa": "A"}
        )
        for i in range(2)
    ]
    t = np.full((3, 3), 5)
    np.fill_diagonal(t, 0)
    problem = RoutingProblem(
        cost=t * 10, time=t, service=[0, 20, 20], windows=[(0, 0), (1080, 1360), (1080, 1360)],
        starts=[], ends=[], vehicle_windows=[], groups=[VisitGroup((1,), 1000), VisitGroup((2,), 1000)],
        allowed={1: [], 2: []},
    )  # fmt: skip
    home = Home(TeamAtHome(roster, params), [], [], cands, [None, (0, MON), (1, MON)],
                {"Steelhouse Lane": 0}, set(), {o.name: o for o in ops}, dt.datetime.combine(WEEK, dt.time()),
                params)  # fmt: skip
    by_members = {p.members: p for p in home.team.offers() if p.night == MON}
    return problem, home, by_members


def test_the_lpa_rule_keeps_crews_formed_from_home_in_their_area():
    problem, home, crews = _lpa_home(PARAMS)
    assert home.reach(problem, crews[("P1", "C1")]) == [1, 2]
    assert home.reach(problem, crews[("P3", "P4")]) == []  # B's officers do not cover premises in A
    res = RoutingResult([], [], [], [], 0, 0, 0, [0, 1], "", "", 0.0)
    assert who_at_home_reaches(problem, home, 0).members == ("P1", "C1")
    # Unless configured otherwise: crews_stay_in_lpa = false lets B's pair work A's premises.
    problem, home, crews = _lpa_home(dataclasses.replace(PARAMS, crews_stay_in_lpa=False))
    assert home.reach(problem, crews[("P3", "P4")]) == [1, 2]
    del res


def test_a_crew_is_formed_from_home_only_with_enough_work():
    problem, home, _ = _lpa_home(PARAMS)
    res = RoutingResult([], [], [], [], 0, 0, 0, [0, 1], "", "", 0.0)
    # Two dropped visits are fewer than min_visits_per_crew (3): nobody is sent out.
    assert send_out_from_home(problem, res, PARAMS, _insertion, home) == []
    assert problem.n_vehicles == 0 and res.dropped_groups == [0, 1] and home.crews == []
    # With a minimum of two, P1 and C1 go out as MON-LIC-1 with both visits and their roster lines.
    two = dataclasses.replace(PARAMS, min_visits_per_crew=2)
    problem, home, _ = _lpa_home(two)
    assert send_out_from_home(problem, res, two, _insertion, home) == [0]
    assert sorted(res.routes[0]) == [1, 2] and res.dropped_groups == []
    assert [(c.crew_id, c.members) for c in home.crews] == [("MON-LIC-1", ("P1", "C1"))]
    assert sorted(s.officer_id for s in home.shifts) == ["C1", "P1"]
    assert problem.allowed == {1: [0], 2: [0]}


def test_a_premises_no_crew_of_its_area_can_reach_says_so():
    prem, rk = _monday_premises(12)
    prem["lpa"] = ["A" if i % 2 == 0 else "B" for i in range(len(prem))]
    staff = [
        dataclasses.replace(_officer("P1", "licensing_staff"), lpa="A"),
        dataclasses.replace(_officer("C1", "council_licensing"), lpa="A"),
    ]
    plan = plan_week(rk, prem, staff, WEEK, PARAMS)
    in_b = set(prem.loc[prem["lpa"] == "B", "premises_id"])
    rows = [d for d in plan.dropped if d.premises_id in in_b]
    assert sorted(d.premises_id for d in rows) == sorted(in_b)
    for d in rows:
        assert d.reason_code == "no_crew_when_open"
        assert d.reason == (
            "Open on Mon, but no licensing compliance visit crew rostered on those nights covers its LPA (B); "
            "crews work only in their members' LPAs (crews_stay_in_lpa)."
        )
    assert not {v.premises_id for v in plan.visits} & in_b
