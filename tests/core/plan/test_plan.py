"""Tests for plan_week: operation types, explanations, locks, re-planning, infeasible inputs, outputs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest

from licvisit.app.pages import write_plan_folder as write_plan
from licvisit.config import params_from
from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.week import plan_week
from licvisit.domain import Availability, Lock
from licvisit.errors import ConfigError, InfeasiblePlanError
from licvisit.io.plan_io import read_plan
from tests.core.plan.teams import FAST, WEEK

REASONS = {
    "no_crew_when_open",
    "outside_shifts",
    "not_worth_travel",
    "crews_full",
    "excluded",
    "recently_visited",
    "one_visit_per_premises",
    "too_little_work",  # a free crew could reach it, but not with min_visits_per_crew visits
    "no_door_supervision",
}


def test_plan_uses_all_three_operation_types_and_passes_the_checker(week):
    prem, rk, staff, plan = week
    assert {v.op_type for v in plan.visits} == {"licensing_compliance", "sia_check", "gang_op"}
    assert check_plan(plan, prem, staff, FAST) == []
    assert plan.meta["status"] == "planned" and plan.meta["seed"] == 0


def test_every_candidate_is_planned_or_explained(week):
    prem, rk, staff, plan = week
    planned = {(v.premises_id, p) for v in plan.visits for p in v.purposes}
    dropped = {(d.premises_id, d.op_type) for d in plan.dropped}
    assert not planned & dropped
    assert len(planned) + len(dropped) == sum(len(v.purposes) for v in plan.visits) + len(plan.dropped)
    assert len(planned | dropped) == plan.meta["n_candidates"]
    assert all(d.reason_code in REASONS and d.reason for d in plan.dropped)
    assert all(v.reason.startswith("rank") for v in plan.visits)


def test_more_crews_at_the_weekend(week):
    *_, plan = week
    per_night = pd.Series([c.night.weekday() for c in plan.crews]).value_counts()
    assert per_night.get(5, 0) >= per_night.get(0, 0)


def test_lock_and_exclude_are_honoured(week):
    prem, rk, staff, plan = week
    some = plan.visits[0]
    target = next(p for p in rk["premises_id"] if p not in {v.premises_id for v in plan.visits[:3]})
    row = prem.set_index("premises_id").loc[target]
    night = next(
        WEEK + dt.timedelta(days=i)
        for i in (5, 4, 6, 3)
        if str(row[f"hours_{('mon tue wed thu fri sat sun').split()[i]}"]) != "closed"
    )
    lock = Lock(target, night, "licensing_compliance")
    p2 = plan_week(rk, prem, staff, WEEK, FAST, locks=[lock], exclude=[some.premises_id])
    assert any(v.premises_id == target and v.night == night and v.locked for v in p2.visits)
    assert not any(v.premises_id == some.premises_id for v in p2.visits)
    assert any(d.premises_id == some.premises_id and d.reason_code == "excluded" for d in p2.dropped)
    assert p2.locks == [lock]


def test_lock_on_a_closed_night_is_a_clear_error(week):
    prem, rk, staff, _ = week
    club = prem[prem["premises_type"] == "nightclub"].iloc[0]["premises_id"]
    with pytest.raises(InfeasiblePlanError, match="closed"):
        plan_week(rk, prem, staff, WEEK, FAST, locks=[Lock(club, WEEK, "sia_check")])


def test_replan_after_a_small_change_keeps_most_visits(week):
    prem, rk, staff, plan = week
    gone = plan.visits[-1].premises_id
    p2 = plan_week(rk, prem, staff, WEEK, FAST, exclude=[gone], previous=plan)
    assert p2.meta["visits_kept"] >= 0.7 * len(plan.visits)
    assert {"visits_moved", "visits_removed", "visits_added"} <= set(p2.meta)
    changes = p2.meta["changes"]
    (row,) = [r for r in changes if r["premises_id"] == gone]
    assert row["change"] == "removed" and row["why"] == "excluded this time" and row["to"] == ""
    counts = {c: sum(r["change"] == c for r in changes) for c in ("kept", "moved", "removed", "added")}
    assert counts == {c: p2.meta[f"visits_{c}"] for c in counts}
    assert all(r["why"] for r in changes)


def test_recent_visits_are_skipped_and_breaches_followed_up(week):
    prem, rk, staff, _ = week
    top = list(rk["premises_id"][:2])
    history = pd.DataFrame(
        {
            "premises_id": top,
            "visited_at": pd.to_datetime(["2025-10-01 22:00", "2025-09-20 23:00"]),
            "visit_type": ["licensing_compliance"] * 2,
            "outcome": ["compliant", "breach_found"],
            "notes": ["", ""],
        }
    )
    p2 = plan_week(rk, prem, staff, WEEK, FAST, visits=history)
    assert any(d.premises_id == top[0] and d.reason_code == "recently_visited" for d in p2.dropped)
    follow = [v for v in p2.visits if v.premises_id == top[1] and v.op_type == "licensing_compliance"]
    assert follow and "follow-up" in follow[0].reason


def test_same_inputs_and_seed_give_the_same_plan(week):
    prem, rk, staff, plan = week
    again = plan_week(rk, prem, staff, WEEK, FAST)
    assert again.visits == plan.visits and again.crews == plan.crews and again.dropped == plan.dropped


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ("no_staff", "Nobody is available: the staff list is empty"),
        ("other_week", "Nobody is available between"),
        ("short_shifts", "Shifts are too short"),
        ("all_closed", "No candidate premises is open"),
        ("staffed_when_closed", "on any night with a crew"),
        ("not_monday", "must start on a Monday"),
    ],
)
def test_infeasible_inputs_give_a_clear_message(week, change, match):
    prem, rk, staff, _ = week
    week_start = WEEK
    if change == "no_staff":
        staff = []
    elif change == "other_week":
        staff = [
            dataclasses.replace(
                o,
                availability=tuple(
                    dataclasses.replace(a, night=a.night - dt.timedelta(days=70)) for a in o.availability
                ),
            )
            for o in staff
        ]
    elif change == "short_shifts":
        staff = [
            dataclasses.replace(
                o,
                availability=tuple(
                    Availability(a.night, a.start, a.start + dt.timedelta(minutes=15)) for a in o.availability
                ),
            )
            for o in staff
        ]
    elif change == "all_closed":
        prem = prem.assign(**{f"hours_{d}": "closed" for d in "mon tue wed thu fri sat sun".split()})
    elif change == "staffed_when_closed":
        # Premises open only at the weekend; staff only available Monday to Wednesday.
        prem = prem.assign(
            **{
                f"hours_{d}": ("20:00-03:00" if d in ("fri", "sat") else "closed")
                for d in "mon tue wed thu fri sat sun".split()
            }
        )
        staff = [
            dataclasses.replace(o, availability=tuple(a for a in o.availability if a.night.weekday() < 3))
            for o in staff
        ]
    elif change == "not_monday":
        week_start = WEEK + dt.timedelta(days=1)
    with pytest.raises(InfeasiblePlanError, match=match):
        plan_week(rk, prem, staff, week_start, FAST)


def test_params_validate_and_come_from_toml():
    with pytest.raises(ValueError, match="Expected max_consecutive_late >= 1"):
        PlanParams(max_consecutive_late=0)
    p = params_from(PlanParams, {"time_limit_s": 5, "night_weights": [1, 1, 1, 1, 2, 2, 1]}, "plan")
    assert p.time_limit_s == 5 and p.night_weights == (1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 1.0)
    with pytest.raises(ConfigError, match="unknown setting 'time_limit'"):
        params_from(PlanParams, {"time_limit": 5}, "plan")
    with pytest.raises(ConfigError, match=r"\[plan\]: Expected circuity >= 1"):
        params_from(PlanParams, {"circuity": 0.5}, "plan")


def test_operation_overrides_change_service_times():
    p = PlanParams(op_overrides={"sia_check": {"service_min": 25, "max_service_min": 50}})
    sia = next(o for o in p.operation_types() if o.name == "sia_check")
    assert sia.service_min == 25 and sia.roles == ("palo", "sia_enforcement")


def test_write_and_read_plan_round_trip_with_safe_outputs(week, tmp_path):
    prem, rk, staff, plan = week
    pid = plan.visits[0].premises_id
    prem2 = prem.copy()
    prem2.loc[prem2["premises_id"] == pid, "name"] = '=HYPERLINK("x") <script>alert(1)</script>'
    files = write_plan(plan, tmp_path, premises=prem2, staff=staff)
    names = {f.name for f in files}
    assert {
        "plan.json",
        "roster.csv",
        "roster.html",
        "visits.csv",
        "visits.json",
        "visits.gpkg",
        "dropped.csv",
    } <= names
    assert len([f for f in files if f.parent.name == "itineraries"]) == len(plan.crews)
    back = read_plan(tmp_path)
    assert back.visits == plan.visits and back.crews == plan.crews and back.roster == plan.roster
    assert back.dropped == plan.dropped and back.week_start == plan.week_start
    html = (tmp_path / "roster.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    csv = (tmp_path / "visits.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv
    vj = json.loads((tmp_path / "visits.json").read_text())
    assert {"crew_id", "night", "order", "arrival", "departure"} <= set(vj[0])


def test_far_low_value_premises_is_not_worth_the_travel(week):
    prem, rk, staff, _ = week
    far = prem.iloc[[0]].assign(premises_id="FAR", name="Far Away Inn", x=prem["x"].iloc[0] + 40000.0)
    far = far.assign(**{f"hours_{d}": "12:00-03:00" for d in "mon tue wed thu fri sat sun".split()})
    row = rk.iloc[[-1]].assign(premises_id="FAR", expected_harm_week=0.05, score=0.1, rank=len(rk) + 1)
    p = plan_week(pd.concat([rk, row]), pd.concat([prem, far]), staff, WEEK, FAST)
    codes = {d.reason_code for d in p.dropped if d.premises_id == "FAR"}
    assert codes and codes <= {"not_worth_travel", "outside_shifts"}


def test_user_travel_matrix_and_zones_are_used(week):
    import geopandas as gpd
    from shapely.geometry import box

    prem, rk, staff, _ = week
    ids = sorted({o.base for o in staff}) + list(prem["premises_id"])
    tm = pd.DataFrame(
        [(a, b, 0.0 if a == b else 7.0) for a in ids for b in ids], columns=["from_id", "to_id", "travel_min"]
    )
    p = plan_week(rk, prem, staff, WEEK, FAST, travel_matrix=tm)
    assert p.meta["travel_source"] == "matrix" and p.visits
    with pytest.raises(InfeasiblePlanError, match="Travel matrix"):
        plan_week(rk, prem, staff, WEEK, FAST, travel_matrix=tm.iloc[5:])
    x0, y0 = prem["x"].mean(), prem["y"].mean()
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1"], "name": ["Centre"]},
        geometry=[box(x0 - 800, y0 - 800, x0 + 800, y0 + 800)],
        crs="EPSG:27700",
    )
    pz = plan_week(rk, prem, staff, WEEK, FAST, zones=zones)
    assert pz.meta["travel_source"] == "straight_line" and check_plan(pz, prem, staff, FAST) == []


def test_one_visit_per_premises_serves_every_purpose_its_crew_can(week):
    prem, rk, staff, plan = week
    ids = [v.premises_id for v in plan.visits]
    assert len(ids) == len(set(ids))  # no repeat was asked for, so none is planned
    sia = [v for v in plan.visits if v.op_type == "sia_check"]
    assert sia and all(v.purposes == ("sia_check", "licensing_compliance") for v in sia)
    lic = {d.premises_id for d in plan.dropped if d.op_type == "licensing_compliance"}
    assert not lic & {v.premises_id for v in sia}


def test_sia_checks_only_while_door_supervisors_are_on(week):
    prem, rk, staff, plan = week
    door = prem.set_index("premises_id")
    for v in plan.visits:
        if v.op_type == "sia_check":
            day = "mon tue wed thu fri sat sun".split()[v.night.weekday()]
            assert door.loc[v.premises_id, f"door_hours_{day}"] != "closed"
            if door.loc[v.premises_id, "premises_type"] == "bar":
                assert v.night.weekday() in (4, 5) and v.arrival.hour >= 21 or v.arrival.hour < 3


def test_unknown_door_hours_mean_no_sia_check(week):
    prem, rk, staff, _ = week
    blank = prem.drop(columns=[c for c in prem.columns if c.startswith("door_hours_")])
    p2 = plan_week(rk, blank, staff, WEEK, FAST)
    assert not any(v.op_type == "sia_check" for v in p2.visits)
    why = [d for d in p2.dropped if d.op_type == "sia_check"]
    assert why and all(d.reason_code == "no_door_supervision" for d in why)
    assert why[0].reason == (
        "No SIA compliance check: door-supervision hours not known (door_hours_mon ... door_hours_sun)."
    )


def test_breach_follow_up_may_be_an_sia_check(week):
    prem, rk, staff, _ = week
    club = next(
        p for p in rk["premises_id"] if prem.set_index("premises_id").loc[p, "premises_type"] == "nightclub"
    )
    history = pd.DataFrame(
        {
            "premises_id": [club],
            "visited_at": pd.to_datetime(["2025-09-27 23:00"]),
            "visit_type": ["sia_check"],
            "outcome": ["breach_found"],
            "notes": [""],
        }
    )
    p2 = plan_week(rk, prem, staff, WEEK, FAST, visits=history)
    assert not any(d.premises_id == club and d.reason_code == "recently_visited" for d in p2.dropped)
    (v,) = [v for v in p2.visits if v.premises_id == club]
    assert "licensing_compliance" in v.purposes and "follow-up" in v.reason


def test_two_locks_on_one_premises_one_night_are_refused(week):
    prem, rk, staff, _ = week
    club = next(
        p for p in rk["premises_id"] if prem.set_index("premises_id").loc[p, "premises_type"] == "nightclub"
    )
    fri = WEEK + dt.timedelta(days=4)
    with pytest.raises(InfeasiblePlanError, match="ask for two visits to one premises on one night"):
        plan_week(
            rk,
            prem,
            staff,
            WEEK,
            FAST,
            locks=[Lock(club, fri, "sia_check"), Lock(club, fri, "licensing_compliance")],
        )


def test_every_long_shift_has_a_break_with_no_visit_in_it(week, tmp_path):
    prem, rk, staff, _ = week
    params = dataclasses.replace(FAST, break_after_h=3.0)  # the small week's fitted shifts are short
    plan = plan_week(rk, prem, staff, WEEK, params)
    assert check_plan(plan, prem, staff, params) == []
    assert any(c.breaks for c in plan.crews)
    for c in plan.crews:
        if c.shift_end - c.shift_start > dt.timedelta(hours=params.break_after_h):
            ((a, b),) = c.breaks
            assert b - a == dt.timedelta(minutes=params.break_min) and c.shift_start < a and b < c.shift_end
            for v in plan.visits:
                if v.crew_id == c.crew_id:
                    assert v.departure <= a or v.arrival >= b
    write_plan(plan, tmp_path, prem, staff)
    again = read_plan(tmp_path)
    assert [c.breaks for c in again.crews] == [c.breaks for c in plan.crews]
    c = next(c for c in plan.crews if c.breaks)
    text = (tmp_path / "itineraries" / f"{c.crew_id}.txt").read_text(encoding="utf-8")
    assert f"    Break {c.breaks[0][0]:%H:%M}-{c.breaks[0][1]:%H:%M} (no visit)" in text
    visits = pd.read_csv(tmp_path / "visits.csv", dtype=str)
    assert set(visits["purposes"]) <= {
        "licensing_compliance",
        "gang_op; licensing_compliance",
        "sia_check; licensing_compliance",
    }


def test_a_full_route_gives_up_its_least_valuable_visit_for_the_break():
    import numpy as np

    from licvisit.core.plan.repair import _place_breaks
    from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup

    zero = np.zeros((5, 5), dtype=int)
    p = RoutingProblem(
        cost=zero,
        time=zero,
        service=[0, 100, 100, 100, 100],
        windows=[(0, 0), (0, 0), (100, 100), (200, 200), (300, 300)],
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 500)],
        groups=[VisitGroup((n,), pen) for n, pen in ((1, 10), (2, 5), (3, 7), (4, 10))],
    )
    # Four 100-minute visits back to back: 400 minutes with no gap, over the 6 hours.
    res = RoutingResult([[1, 2, 3, 4]], [[0, 100, 200, 300]], [0], [400], 0, 0, 0, [], "", "", 0.0)
    assert _place_breaks(p, res, PlanParams()) == 1
    assert res.routes == [[1, 3, 4]] and res.dropped_groups == [1]
    assert res.breaks == {0: (100, 130)} and res.starts == [[0, 200, 300]]
    # Three of them (300 minutes) need no break at all.
    short = RoutingResult([[1, 2, 3]], [[0, 100, 200]], [0], [300], 0, 0, 0, [], "", "", 0.0)
    assert _place_breaks(p, short, PlanParams()) == 0 and short.breaks == {}


def test_crews_visit_only_the_lpas_their_members_cover(week):
    prem, rk, staff, _ = week
    prem2 = prem.assign(lpa=["North" if i % 3 == 0 else "Centre" for i in range(len(prem))])
    staff2 = [dataclasses.replace(o, lpa="Centre") for o in staff]
    p2 = plan_week(rk, prem2, staff2, WEEK, FAST)
    north = set(prem2.loc[prem2["lpa"] == "North", "premises_id"])
    assert p2.visits and not north & {v.premises_id for v in p2.visits}
    v = p2.visits[0]
    moved = prem2.assign(lpa=["North" if p == v.premises_id else "Centre" for p in prem2["premises_id"]])
    assert any(
        m == f"Visit {v.premises_id} ({v.op_type}, {v.crew_id}): premises in North, crew covers Centre."
        for m in check_plan(p2, moved, staff2, FAST)
    )


def test_the_plan_never_exceeds_its_upper_bound(week):
    *_, plan = week
    m = plan.meta
    assert m["value_planned"] <= m["value_upper_bound"]
    assert m["optimality_gap"] == round(
        (m["value_upper_bound"] - m["value_planned"]) / m["value_upper_bound"], 4
    )
    assert 0.0 <= m["optimality_gap"] < 1.0


def test_the_bound_counts_shortest_travel_and_one_visit_per_premises():
    import numpy as np

    from licvisit.core.plan.bound import value_upper_bound
    from licvisit.core.plan.routing import RoutingProblem, VisitGroup

    # Base 0; premises A on two nights (nodes 1, 2), premises B (node 3); 10 min apart, 20 min visits.
    t = np.array([[0, 10, 10, 10], [10, 0, 0, 10], [10, 0, 0, 10], [10, 10, 10, 0]])
    p = RoutingProblem(
        cost=t,
        time=t,
        service=[0, 20, 20, 20],
        windows=[(0, 0), (0, 100), (0, 100), (0, 100)],
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 100)],
        groups=[VisitGroup((1, 2), 5), VisitGroup((3,), 5)],
    )
    # A is worth 5 on either night, B 3; one visit to A at most; each visit takes 20 + 10 minutes.
    b = value_upper_bound(p, {1: 5.0, 2: 5.0, 3: 3.0}, [60])
    assert b.upper_bound == 8.0 and b.status == "OPTIMAL"
    assert value_upper_bound(p, {1: 5.0, 2: 5.0, 3: 3.0}, [59]).upper_bound == 5.0


def test_crews_have_enough_work_and_shifts_fitted_to_it(week):
    *_, plan = week
    for c in plan.crews:
        vs = sorted((v for v in plan.visits if v.crew_id == c.crew_id), key=lambda v: v.order)
        assert len(vs) >= FAST.min_visits_per_crew
        on_site = sum((v.departure - v.arrival).total_seconds() / 60 for v in vs)
        brk = sum((b - a).total_seconds() / 60 for a, b in c.breaks)
        shift = (c.shift_end - c.shift_start).total_seconds() / 60
        assert on_site + c.travel_min + brk + c.idle_min == shift and c.idle_min >= 0
        assert c.shift_start < vs[0].arrival and c.shift_end > vs[-1].departure


def _packed():
    """Base 0; visits 1 and 2 planned back to back (60 min each, fixed times); 3 wants node 2's slot."""
    import numpy as np

    from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup

    t = np.zeros((5, 5), dtype=int)
    p = RoutingProblem(
        cost=t,
        time=t,
        service=[0, 60, 60, 60, 30],
        windows=[(0, 0), (0, 0), (60, 60), (60, 60), (0, 300)],
        starts=[0],
        ends=[0],
        vehicle_windows=[(0, 180)],
        groups=[VisitGroup((1,), 10), VisitGroup((2,), 5), VisitGroup((3,), 4), VisitGroup((4,), 3)],
    )
    res = RoutingResult([[1, 2]], [[0, 60]], [0], [120], 0, 0, 7, [2, 3], "", "", 0.0)
    return p, res


def test_a_dropped_visit_that_fits_in_time_is_inserted():
    from licvisit.core.plan.repair import _insert_if_gain

    p, res = _packed()
    assert _insert_if_gain(p, res, PlanParams()) == 1  # node 4 (open all night) fits after node 2
    assert res.routes == [[1, 2, 4]] and res.starts == [[0, 60, 120]] and res.dropped_groups == [2]


def test_a_crews_full_drop_names_the_visit_it_lost_to():
    from licvisit.core.plan.repair import _displaced_by, _insertion

    p, res = _packed()
    assert _insertion(p, 0, [1, 2], [0, 60], None, 3, 2, PlanParams()) is None  # its window is taken
    assert _displaced_by(p, res, 2, PlanParams()) == [2]


def test_roster_page_shows_who_is_on_available_or_off(week):
    from licvisit.render.roster_html import roster_html

    prem, rk, staff, plan = week
    page = roster_html(plan, staff, prem)
    assert "<h2>Who is on</h2>" in page
    s = plan.roster[0]
    assert (
        f"<td class='on'>{s.crew_id}<br><span class='small'>{s.start:%H:%M}-{s.end:%H:%M}</span></td>" in page
    )
    on = {(r.officer_id, r.night) for r in plan.roster}
    free = sum(1 for o in staff for a in o.availability if (o.officer_id, a.night) not in on)
    assert page.count("<td class='free'>available</td>") == free
    assert f"({free} officer-nights)" in page


def test_in_a_busy_zone_licensing_crews_take_uniformed_support(week):
    import geopandas as gpd
    from shapely.geometry import box

    from licvisit.domain import Officer

    prem, rk, staff, _ = week
    x0, y0 = prem["x"].median(), prem["y"].median()
    zones = gpd.GeoDataFrame(
        {"zone_id": ["centre"]}, geometry=[box(x0 - 800, y0 - 800, x0 + 800, y0 + 800)], crs="EPSG:27700"
    )
    lead = staff[0]
    staff2 = staff + [
        Officer(f"U{i}", f"Support {i}", "uniformed_support", lead.base, lead.base_x, lead.base_y,
                availability=lead.availability)
        for i in range(2)
    ]  # fmt: skip
    params = dataclasses.replace(FAST, busy_zones=("centre",))
    p2 = plan_week(rk, prem, staff2, WEEK, params, zones=zones)
    inside = set(
        gpd.sjoin(gpd.GeoDataFrame(prem, geometry=gpd.points_from_xy(prem.x, prem.y), crs=zones.crs), zones)[
            "premises_id"
        ]
    )
    crews = {c.crew_id: c for c in p2.crews}
    lic_in = [v for v in p2.visits if v.premises_id in inside and v.op_type == "licensing_compliance"]
    assert lic_in and all(len(crews[v.crew_id].members) == 3 for v in lic_in)
    v = lic_in[0]
    c = crews[v.crew_id]
    two = dataclasses.replace(
        p2, crews=[dataclasses.replace(c, members=c.members[:2]) if x is c else x for x in p2.crews]
    )
    assert (
        f"Visit {v.premises_id} (licensing_compliance, {v.crew_id}): in a busy zone without uniformed support."
        in check_plan(two, prem, staff2, params, zones=zones)
    )
