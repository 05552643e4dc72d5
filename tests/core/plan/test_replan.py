"""Tests for incremental re-planning (core/plan/replan.py): only the nights an edit touches are searched again."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.replan import replan_summary
from licvisit.core.plan.week import plan_week
from licvisit.domain import Lock
from licvisit.errors import InfeasiblePlanError
from tests.core.plan.teams import FAST, WEEK

DAYS = "mon tue wed thu fri sat sun".split()


def _by_night(plan, nights):
    return sorted(
        (v for v in plan.visits if v.night.isoformat() in nights), key=lambda v: (v.crew_id, v.order)
    )


def test_an_exclusion_re_plans_only_the_night_of_its_visit(week):
    prem, rk, staff, plan = week
    gone = plan.visits[-1]
    p2 = plan_week(rk, prem, staff, WEEK, FAST, exclude=[gone.premises_id], previous=plan)
    assert p2.meta["replan"] == "incremental"
    assert p2.meta["nights_replanned"] == [gone.night.isoformat()]
    kept = p2.meta["nights_kept"]
    assert len(kept) == 6 and gone.night.isoformat() not in kept
    assert _by_night(p2, kept) == _by_night(plan, kept)
    assert [c for c in p2.crews if c.night.isoformat() in kept] == [
        c for c in plan.crews if c.night.isoformat() in kept
    ]
    assert not any(v.premises_id == gone.premises_id for v in p2.visits)
    assert any(d.premises_id == gone.premises_id and d.reason_code == "excluded" for d in p2.dropped)
    assert check_plan(p2, prem, staff, FAST) == []
    (row,) = [r for r in p2.meta["changes"] if r["premises_id"] == gone.premises_id]
    assert row["change"] == "removed" and row["why"] == "excluded this time"
    # Every candidate is still planned or explained, once.
    planned = {(v.premises_id, p) for v in p2.visits for p in v.purposes}
    left_out = [(d.premises_id, d.op_type) for d in p2.dropped]
    assert len(left_out) == len(set(left_out)) and not planned & set(left_out)
    assert len(planned | set(left_out)) == p2.meta["n_candidates"] + sum(
        d.reason_code in ("excluded", "recently_visited") for d in p2.dropped
    )
    # Within 1 % of planning the week afresh with the same exclusion.
    fresh = plan_week(rk, prem, staff, WEEK, FAST, exclude=[gone.premises_id])
    assert p2.total_value >= 0.99 * fresh.total_value
    assert p2.meta["value_upper_bound"] >= p2.total_value


def test_a_lock_on_another_night_moves_the_visit_and_re_plans_both_nights(week):
    prem, rk, staff, plan = week
    rows = prem.set_index("premises_id")
    lic_nights = {c.night for c in plan.crews if c.op_type == "licensing_compliance"}
    v, night = next(
        (v, n)
        for v in sorted(plan.visits, key=lambda v: (v.night, v.crew_id, v.order))
        if v.op_type == "licensing_compliance"
        for n in sorted(lic_nights)
        if n != v.night and str(rows.loc[v.premises_id, f"hours_{DAYS[n.weekday()]}"]) != "closed"
    )
    lock = Lock(v.premises_id, night, "licensing_compliance")
    p2 = plan_week(rk, prem, staff, WEEK, FAST, locks=[lock], previous=plan)
    assert p2.meta["replan"] == "incremental"
    assert p2.meta["nights_replanned"] == sorted({v.night.isoformat(), night.isoformat()})
    (nv,) = [x for x in p2.visits if x.premises_id == v.premises_id]
    assert nv.night == night and nv.locked
    (row,) = [r for r in p2.meta["changes"] if r["premises_id"] == v.premises_id]
    assert row["change"] == "moved" and row["why"] == "locked to this night"
    assert _by_night(p2, p2.meta["nights_kept"]) == _by_night(plan, p2.meta["nights_kept"])
    assert check_plan(p2, prem, staff, FAST) == []
    # The same lock given again is met as before: nothing more to re-plan.
    p3 = plan_week(rk, prem, staff, WEEK, FAST, locks=[lock], previous=p2)
    assert p3.meta["nights_replanned"] == [] and p3.visits == p2.visits
    # Lifting the lock re-plans its night only; the visit is no longer pinned.
    p4 = plan_week(rk, prem, staff, WEEK, FAST, previous=p2)
    assert p4.meta["nights_replanned"] == [night.isoformat()]
    assert not any(x.locked for x in p4.visits) and check_plan(p4, prem, staff, FAST) == []


def test_a_crew_member_no_longer_available_means_a_new_roster(week):
    prem, rk, staff, plan = week
    crew = sorted(plan.crews, key=lambda c: (c.night, c.crew_id))[0]
    gone = crew.members[-1]
    staff2 = [
        dataclasses.replace(o, availability=tuple(a for a in o.availability if a.night != crew.night))
        if o.officer_id == gone
        else o
        for o in staff
    ]
    p2 = plan_week(rk, prem, staff2, WEEK, FAST, previous=plan)
    assert p2.meta["replan"] == "full"
    assert p2.meta["replan_fallback"] == (
        f"{gone} of crew {crew.crew_id} is no longer available on {crew.night:%a %d %b}"
    )
    assert len(p2.meta["nights_replanned"]) == 7 and p2.meta["nights_kept"] == []
    assert not any(gone in c.members and c.night == crew.night for c in p2.crews)
    assert check_plan(p2, prem, staff2, FAST) == []


def test_the_same_re_plan_twice_is_the_same_plan(week):
    prem, rk, staff, plan = week
    gone = plan.visits[0].premises_id
    a = plan_week(rk, prem, staff, WEEK, FAST, exclude=[gone], previous=plan)
    b = plan_week(rk, prem, staff, WEEK, FAST, exclude=[gone], previous=plan)
    assert a.visits == b.visits and a.crews == b.crews and a.dropped == b.dropped
    assert a.meta["nights_replanned"] == b.meta["nights_replanned"]


def test_a_previous_plan_of_another_week_is_refused(week):
    prem, rk, staff, plan = week
    other = dataclasses.replace(plan, week_start=WEEK - dt.timedelta(days=7))
    with pytest.raises(InfeasiblePlanError) as err:
        plan_week(rk, prem, staff, WEEK, FAST, previous=other)
    assert str(err.value) == (
        f"The previous plan is for the week of {WEEK - dt.timedelta(days=7):%a %d %b %Y}, not the week of "
        f"{WEEK:%a %d %b %Y} being planned. Fix: give a plan of this week, or leave out the previous plan."
    )


def test_other_rule_settings_plan_the_week_afresh(week):
    prem, rk, staff, plan = week
    p2 = plan_week(rk, prem, staff, WEEK, dataclasses.replace(FAST, break_min=45), previous=plan)
    assert p2.meta["replan"] == "full"
    assert p2.meta["replan_fallback"] == "the previous plan was made with other [plan] settings (break_min)"


def test_replan_summary_names_the_nights():
    assert replan_summary(["2025-10-09", "2025-10-08"], 5) == (
        "Wed 08 Oct and Thu 09 Oct; kept the other 5 nights as they were"
    )
    assert replan_summary(["2025-10-08"], 6) == "Wed 08 Oct; kept the other 6 nights as they were"
    assert replan_summary([], 7) == "no night; kept all 7 nights as they were"


def test_a_previous_visit_that_no_longer_fits_re_plans_its_night(week):
    prem, rk, staff, plan = week
    v0 = sorted(plan.visits, key=lambda v: (v.night, v.crew_id, v.order))[0]
    changed = dataclasses.replace(
        plan, visits=[dataclasses.replace(v, value=v.value + 1.0) if v == v0 else v for v in plan.visits]
    )
    p2 = plan_week(rk, prem, staff, WEEK, FAST, previous=changed)
    assert p2.meta["replan"] == "incremental" and p2.meta["nights_replanned"] == [v0.night.isoformat()]
    assert check_plan(p2, prem, staff, FAST) == []


def test_lifting_an_exclusion_re_plans_the_nights_the_premises_could_be_visited(week):
    prem, rk, staff, plan = week
    gone = plan.visits[-1]
    p2 = plan_week(rk, prem, staff, WEEK, FAST, exclude=[gone.premises_id], previous=plan)
    p3 = plan_week(rk, prem, staff, WEEK, FAST, previous=p2)
    assert p3.meta["replan"] == "incremental"
    assert gone.night.isoformat() in p3.meta["nights_replanned"]
    assert not any(d.reason_code == "excluded" for d in p3.dropped)
    assert check_plan(p3, prem, staff, FAST) == []


def test_a_re_plan_does_not_call_follow_ups_visited_on_kept_nights_unplanned(week):
    """Breach follow-ups visited on a night the re-plan keeps are visited, not 'not planned'.

    The re-planned nights' part does not see the kept visits; its view of a
    follow-up must not reach the week's bent rules.
    """
    import pandas as pd

    prem, rk, staff, _ = week
    ids = list(rk["premises_id"][:6])
    history = pd.DataFrame(
        {
            "premises_id": ids,
            "visited_at": pd.to_datetime(["2025-09-15 22:00"] * len(ids)),
            "visit_type": ["licensing_compliance"] * len(ids),
            "outcome": ["breach_found"] * len(ids),
            "notes": [""] * len(ids),
        }
    )
    plan = plan_week(rk, prem, staff, WEEK, FAST, visits=history)
    followed = {v.premises_id: v.night for v in plan.visits if v.premises_id in ids}
    assert len(set(followed.values())) >= 2  # follow-ups on more than one night
    gone = next(v for v in plan.visits if v.premises_id not in ids)
    p2 = plan_week(rk, prem, staff, WEEK, FAST, visits=history, exclude=[gone.premises_id], previous=plan)
    assert p2.meta["replan"] == "incremental"
    visited = {v.premises_id for v in p2.visits}
    unplanned = {b.subject for b in p2.bent if b.rule == "breach_follow_up"}
    assert not unplanned & visited
    assert unplanned == {b.subject for b in plan.bent if b.rule == "breach_follow_up"} - visited
    assert p2.meta["palo_nights_available"] == plan.meta["palo_nights_available"] > 0
    assert p2.meta["palo_nights_used"] == len(
        {(m, c.night) for c in p2.crews for m in c.members if m in {o.officer_id for o in staff if o.is_palo}}
    )
