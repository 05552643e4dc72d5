"""Tests for the independent plan checker: a sound plan passes, each broken rule is named."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.week import plan_week
from licvisit.domain import Lock
from tests.core.plan.teams import WEEK, make_premises, make_ranking, make_staff

PARAMS = PlanParams(time_limit_s=20.0, work_limit=20000)


@pytest.fixture(scope="module")
def made():
    """A small planned week that passes the checker."""
    prem = make_premises(25, seed=3)
    staff = make_staff(4, 2, 1, 1, seed=3)
    plan = plan_week(make_ranking(prem, 3), prem, staff, WEEK, PARAMS)
    assert plan.visits
    return prem, staff, plan


def test_sound_plan_passes(made):
    prem, staff, plan = made
    assert check_plan(plan, prem, staff, PARAMS) == []


def _break(plan, how, prem, staff):
    p = dataclasses.replace(plan, visits=list(plan.visits), crews=list(plan.crews), roster=list(plan.roster))
    v0 = p.visits[0]
    if how == "double_booked":
        c = p.crews[0]
        other = next(c2 for c2 in p.crews if c2.night != c.night or c2.crew_id != c.crew_id)
        p.crews.append(
            dataclasses.replace(
                other,
                crew_id="X-1",
                night=c.night,
                members=c.members,
                op_type=c.op_type,
                shift_start=c.shift_start,
                shift_end=c.shift_end,
            )
        )
    elif how == "wrong_crew":
        c = next(c for c in p.crews if c.crew_id == v0.crew_id)
        partner = next(
            o for o in staff if not o.is_palo and o.officer_id not in c.members and o.role != c.members[1]
        )
        p.crews[p.crews.index(c)] = dataclasses.replace(c, members=(c.members[0], partner.officer_id))
    elif how == "outside_hours":
        p.visits[0] = dataclasses.replace(
            v0, arrival=v0.arrival - dt.timedelta(hours=8), departure=v0.departure - dt.timedelta(hours=8)
        )
    elif how == "twice":
        p.visits.append(dataclasses.replace(v0, order=99))
    elif how == "repeat":
        other = next(c for c in p.crews if c.night != v0.night)
        p.visits.append(dataclasses.replace(v0, crew_id=other.crew_id, night=other.night, order=99))
    elif how == "bad_purpose":
        lic = next(v for v in p.visits if v.op_type == "licensing_compliance")
        p.visits[p.visits.index(lic)] = dataclasses.replace(lic, purposes=(lic.op_type, "sia_check"))
    elif how == "no_door_staff":
        prem = prem.assign(**{f"door_hours_{d}": "closed" for d in "mon tue wed thu fri sat sun".split()})
    elif how == "no_break":
        c = next(c for c in p.crews if c.crew_id == v0.crew_id)
        longer = c.shift_start + dt.timedelta(hours=7)
        p.crews[p.crews.index(c)] = dataclasses.replace(c, breaks=(), shift_end=longer)
    elif how == "few_visits":
        p.visits = [v for v in p.visits if v.crew_id != v0.crew_id or v.order == 1]
    elif how == "visit_in_break":
        c = next(c for c in p.crews if c.crew_id == v0.crew_id)
        p.crews[p.crews.index(c)] = dataclasses.replace(
            c, breaks=((v0.arrival, v0.arrival + dt.timedelta(minutes=30)),)
        )
    elif how == "lock":
        p = dataclasses.replace(p, locks=[Lock("P999", WEEK)])
    elif how == "long_shift":
        c = p.crews[0]
        p.crews[0] = dataclasses.replace(c, shift_end=c.shift_start + dt.timedelta(hours=12))
    elif how == "closed":
        prem = prem.assign(**{f"hours_{d}": "closed" for d in "mon tue wed thu fri sat sun".split()})
    elif how == "teleport":
        vs = [v for v in p.visits if v.crew_id == v0.crew_id]
        if len(vs) > 1:
            i = p.visits.index(vs[1])
            p.visits[i] = dataclasses.replace(
                vs[1], arrival=vs[0].departure, departure=vs[0].departure + (vs[1].departure - vs[1].arrival)
            )
        prem = prem.copy()
        prem.loc[prem["premises_id"] == vs[-1].premises_id, "x"] += 50000
    return p, prem


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("double_booked", "double-booked"),
        ("wrong_crew", "needs a"),
        ("outside_hours", "outside open and operation hours"),
        ("twice", "second visit to the premises on"),
        ("repeat", "repeat visit this week with no rule asking for it"),
        ("bad_purpose", "a licensing_compliance visit cannot also serve sia_check"),
        ("no_door_staff", "no door-supervision hours on"),
        ("lock", "not honoured"),
        ("no_break", "7.0 h shift with no break of 30 min"),
        ("few_visits", "only 1 visit, fewer than the 3 a crew is sent out for"),
        ("visit_in_break", "is in its break"),
        ("long_shift", "shift longer than"),
        ("closed", "closed on"),
        ("teleport", "no time to travel|cannot get back"),
    ],
)
def test_each_broken_rule_is_reported(made, how, match):
    prem, staff, plan = made
    broken, prem2 = _break(plan, how, prem, staff)
    problems = check_plan(broken, prem2, staff, PARAMS)
    assert problems, how
    assert any(__import__("re").search(match, m) for m in problems), problems


def test_checker_does_not_import_ortools():
    import ast
    from pathlib import Path

    import licvisit.core.plan.checker as mod

    tree = ast.parse(Path(mod.__file__).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names]
    mods = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not any("ortools" in x for x in names + mods)


def test_unknown_hours_are_checked_against_the_operation_hours(made):
    """Issue 12: a premises with no licensed hours in the source is not closed."""
    prem, staff, plan = made
    pid = plan.visits[0].premises_id
    blank = prem.copy()
    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        blank.loc[blank["premises_id"].astype(str) == pid, f"hours_{d}"] = ""
    closed = check_plan(plan, blank, staff, PARAMS)
    assert any("premises is closed" in m for m in closed)  # blank hours without hours_known
    blank["hours_known"] = blank["premises_id"].astype(str) != pid
    assert check_plan(plan, blank, staff, PARAMS) == []


def test_partners_within_lpa_crews_pass_and_an_outside_partner_is_named():
    """With partners_within_lpa every partner crews with a PALO of its LPA or base, and the checker says so."""
    prem = make_premises(25, seed=3)
    staff = [
        dataclasses.replace(o, lpa="North" if o.base == "Steelhouse Lane" else "South")
        for o in make_staff(4, 2, 1, 1, seed=3)
    ]
    params = dataclasses.replace(PARAMS, partners_within_lpa=True, crews_stay_in_lpa=False)
    plan = plan_week(make_ranking(prem, 3), prem, staff, WEEK, params)
    officers = {o.officer_id: o for o in staff}
    paired = [c for c in plan.crews if not officers[c.members[1]].is_palo]
    assert paired and check_plan(plan, prem, staff, params) == []
    assert all(officers[c.members[0]].lpa == officers[c.members[1]].lpa for c in paired)
    crew = paired[0]
    partner = officers[crew.members[1]]
    moved = [
        dataclasses.replace(o, lpa="East", base="Lloyd House") if o.officer_id == partner.officer_id else o
        for o in staff
    ]
    expected = (
        f"Crew {crew.crew_id}: {partner.officer_id} ({partner.role.replace('_', ' ')}, LPA East) shares "
        "neither an LPA nor a base with a PALO of the crew."
    )
    assert expected in check_plan(plan, prem, moved, params)
    # Without the option a partner may come from anywhere; the same plan passes.
    assert expected not in check_plan(plan, prem, moved, PARAMS)
