"""The week's routing splits into independent LPA components, and the split plan is the plan of its parts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from licvisit.core.plan.candidates import Candidate
from licvisit.core.plan.checker import check_plan
from licvisit.core.plan.components import component_work_limit, week_components
from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.week import plan_week
from licvisit.domain import Crew, Lock
from licvisit.synth.teams import force_week
from tests.core.plan.teams import WEEK


def _crew(cid: str, *lpas: str) -> Crew:
    t = dt.datetime(2025, 10, 6, 20)
    return Crew(cid, WEEK, "licensing_compliance", ("a", "b"), "B", 0.0, 0.0, t, t, lpas=lpas)


def _cand(pid: str, lpa: str, lock: Lock | None = None) -> Candidate:
    return Candidate(pid, pid, "licensing_compliance", 1.0, 20, 0.0, 0.0, {}, lock=lock, meta={"lpa": lpa})


def test_crews_and_candidates_split_by_the_lpas_they_share():
    crews = [_crew("C1", "East"), _crew("C2", "West"), _crew("C3", "North", "West"), _crew("C4", "East")]
    cands = [_cand("p0", "West"), _cand("p1", "East"), _cand("p2", "North"), _cand("p3", "South")]
    comps = week_components(crews, cands, stay_in_lpa=True)
    # Largest first; South has no crew, so its candidate goes with the first part (and gets no node).
    assert [(c.lpas, c.crews, c.candidates) for c in comps] == [
        (("North", "West"), (1, 2), (0, 2, 3)),
        (("East",), (0, 3), (1,)),
    ]


def test_one_component_when_anything_covers_any_lpa_or_the_rule_is_off():
    crews = [_crew("C1", "East"), _crew("C2", "West")]
    cands = [_cand("p0", "West"), _cand("p1", "East")]
    assert len(week_components(crews, cands, stay_in_lpa=True)) == 2
    assert len(week_components(crews, cands, stay_in_lpa=False)) == 1
    assert len(week_components([*crews, _crew("C3")], cands, stay_in_lpa=True)) == 1  # a crew of any LPA
    assert len(week_components(crews, [*cands, _cand("p2", "")], stay_in_lpa=True)) == 1  # premises of none


def test_a_lock_joins_its_crews_component():
    crews = [_crew("C1", "East"), _crew("C2", "West")]
    lock = Lock("p0", WEEK, "licensing_compliance", crew_id="C1")
    comps = week_components(crews, [_cand("p0", "West", lock), _cand("p1", "East")], stay_in_lpa=True)
    assert [(c.lpas, c.crews, c.candidates) for c in comps] == [(("East", "West"), (0, 1), (0, 1))]


@pytest.mark.parametrize(
    ("nodes", "total", "expected"),
    [(500, 1000, 750_000), (10, 1000, 150_000), (1000, 1000, 1_500_000), (0, 0, 1_500_000)],
)
def test_work_limit_is_the_share_of_the_nodes_with_a_floor(nodes, total, expected):
    assert component_work_limit(1_500_000, (nodes, 20), total, 0.1, 60_000) == expected
    assert component_work_limit(0, (nodes, 20), total, 0.1, 60_000) == 0  # no work limit stays none


def test_a_large_part_gets_less_work_per_node():
    # 3,000 nodes x 100 crews is 5x the reference size: the share shrinks 125-fold (25-fold squared).
    assert component_work_limit(1_500_000, (3000, 100), 3000, 0.1, 60_000) in (12_000, 12_001)
    assert component_work_limit(1_500_000, (3000, 100), 3000, 0.1, 60_000, 2.0) in (60_000, 60_001)
    assert component_work_limit(1_500_000, (3000, 100), 3000, 0.1, 0) == 1_500_000  # 0 = no scaling
    assert component_work_limit(1_500_000, (1200, 50), 1200, 0.1, 60_000) == 1_500_000  # the demo's size


def _two_lpas():
    # Two LPAs 6 km apart, PALO pairs only: PALOs pair within their LPA, so no crew covers both.
    prem, rank, staff = force_week(WEEK, 2, 16, seed=3, team={"licensing_staff": 3})
    params = PlanParams(time_limit_s=30.0, work_limit=20_000, max_candidates=32, bound_deterministic_time=0.0)
    return prem, rank, staff, params


def test_a_two_lpa_week_routes_as_two_independent_parts():
    prem, rank, staff, params = _two_lpas()
    plan = plan_week(rank, prem, staff, WEEK, params)
    assert check_plan(plan, prem, staff, params) == []
    parts = plan.meta["routing_components"]
    assert [p["lpas"] for p in parts] == [["LPA 0"], ["LPA 1"]] or [p["lpas"] for p in parts] == [
        ["LPA 1"],
        ["LPA 0"],
    ]
    lpa_of = dict(zip(prem["premises_id"], prem["lpa"], strict=True))
    crews = {c.crew_id: c for c in plan.crews}
    for v in plan.visits:  # a visit's crew always covers its premises' LPA
        assert lpa_of[v.premises_id] in crews[v.crew_id].lpas
    # The bound of the whole is the sum of the parts' bounds; the value is the sum of the parts' values.
    assert plan.meta["value_upper_bound"] == pytest.approx(
        sum(p["value_upper_bound"] for p in parts), abs=1e-3
    )
    assert plan.meta["value_planned"] == pytest.approx(sum(p["value_planned"] for p in parts), abs=1e-3)
    assert plan.meta["value_planned"] <= plan.meta["value_upper_bound"]
    assert sum(p["work_limit"] for p in parts) <= params.work_limit * 1.1 + len(parts)
    assert plan.meta["work_limit"] == plan.meta["params"]["work_limit"] == params.work_limit
    assert plan.meta["routing_stopped_by"] == "work_limit"
    # The same inputs give the same plan.
    again = plan_week(rank, prem, staff, WEEK, params)
    assert again.visits == plan.visits and again.meta["value_planned"] == plan.meta["value_planned"]


def test_the_split_bound_equals_the_bound_of_the_week_as_one_model():
    """The LP bound of a block-diagonal model is the sum of its blocks' bounds: splitting loses nothing."""
    prem, rank, staff, params = _two_lpas()
    split = plan_week(rank, prem, staff, WEEK, params)
    whole = plan_week(rank, prem, staff, WEEK, dataclasses.replace(params, route_by_component=False))
    assert len(whole.meta["routing_components"]) == 1 and len(split.meta["routing_components"]) == 2
    assert check_plan(whole, prem, staff, params) == []
    assert split.meta["value_upper_bound"] == pytest.approx(whole.meta["value_upper_bound"], abs=2e-3)
    assert split.meta["n_visit_nodes"] == whole.meta["n_visit_nodes"]
    assert split.meta["n_candidates"] == whole.meta["n_candidates"]
