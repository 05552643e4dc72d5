"""Unknown licensed hours are not closed; door supervision by night (issue 12)."""

import datetime as dt

import pandas as pd

from licvisit.core.plan.candidates import build_candidates
from licvisit.core.plan.params import PlanParams
from licvisit.domain import DEFAULT_OPERATIONS, WEEKDAYS, Crew, Plan, Visit
from licvisit.io.plan_io import itinerary_text, visits_frame
from licvisit.render.cards import premises_card

MONDAY = dt.date(2025, 10, 6)
LIC = DEFAULT_OPERATIONS[0]


def _premises(known: bool) -> pd.DataFrame:
    """Two premises: P1 with (or without) licensed hours, P2 with Friday and Saturday hours only."""
    hours = "20:00-23:00" if known else ""
    rows = [
        {"premises_id": "P1", "name": "The Crown", "x": 407000.0, "y": 286000.0, "hours_known": known}
        | {f"hours_{d}": hours for d in WEEKDAYS},
        {"premises_id": "P2", "name": "The Vine", "x": 407100.0, "y": 286000.0, "hours_known": True}
        | {f"hours_{d}": ("20:00-02:00" if d in ("fri", "sat") else "closed") for d in WEEKDAYS},
    ]
    return pd.DataFrame(rows)


def _ranking() -> pd.DataFrame:
    return pd.DataFrame({"premises_id": ["P1", "P2"], "rank": [1, 2], "score": [2.0, 1.0]})


def test_unknown_hours_are_planned_inside_the_operation_hours():
    cands, dropped = build_candidates(_ranking(), _premises(False), MONDAY, (LIC,), PlanParams())
    c = next(c for c in cands if c.premises_id == "P1")
    assert len(c.windows) == 7  # a blank was closed every night before
    assert c.windows[MONDAY] == (
        dt.datetime(2025, 10, 6, 18, 0),
        dt.datetime(2025, 10, 7, 2, 0),
    )  # the operation's hours
    assert c.meta["hours_unknown"] is True
    assert dropped == []


def test_known_hours_still_limit_the_window():
    cands, _ = build_candidates(_ranking(), _premises(True), MONDAY, (LIC,), PlanParams())
    c = next(c for c in cands if c.premises_id == "P1")
    assert c.windows[MONDAY] == (dt.datetime(2025, 10, 6, 20, 0), dt.datetime(2025, 10, 6, 23, 0))
    assert "hours_unknown" not in c.meta


def test_unknown_hours_excluded_by_config():
    prem = _premises(False)
    prem.attrs["unknown_hours"] = "exclude"
    cands, dropped = build_candidates(_ranking(), prem, MONDAY, (LIC,), PlanParams())
    assert [c.premises_id for c in cands] == ["P2"]
    assert [(d.premises_id, d.reason_code) for d in dropped] == [("P1", "hours_unknown")]


def _plan() -> tuple[Plan, Crew]:
    crew = Crew(
        "MON-LIC-1",
        MONDAY,
        "licensing_compliance",
        ("PS01", "CL01"),
        "Ladywood",
        406000.0,
        286000.0,
        dt.datetime(2025, 10, 6, 19, 0),
        dt.datetime(2025, 10, 7, 2, 0),
    )
    visits = [
        Visit(
            pid,
            crew.crew_id,
            MONDAY,
            "licensing_compliance",
            k + 1,
            dt.datetime(2025, 10, 6, 20, 20 * k),
            dt.datetime(2025, 10, 6, 20, 20 * k + 15),
            dt.datetime(2025, 10, 6, 18, 0),
            dt.datetime(2025, 10, 7, 4, 0),
            1.0,
        )
        for k, pid in enumerate(("P1", "P2"))
    ]
    return Plan(MONDAY, [], [crew], visits, []), crew


def test_visits_csv_and_itinerary_flag_unknown_hours():
    plan, crew = _plan()
    prem = _premises(False)
    vf = visits_frame(plan, prem)
    assert vf[["premises_id", "hours_unknown"]].values.tolist() == [["P1", True], ["P2", False]]
    text = itinerary_text(plan, crew, prem)
    assert text.count("licensed hours not known: check before visiting") == 1
    assert visits_frame(plan)["hours_unknown"].tolist() == [False, False]


def _card_row(**extra) -> dict:
    row = {f"hours_{d}": "11:00-01:00" for d in WEEKDAYS}
    row |= {"premises_id": "P1", "name": "The Crown", "door_supervision": True, "door_staff": 4}
    return row | extra


def test_card_says_when_door_staff_are_required_that_night():
    door = {f"door_hours_{d}": ("21:00-01:00" if d in ("fri", "sat") else "closed") for d in WEEKDAYS}
    friday, thursday = MONDAY + dt.timedelta(days=4), MONDAY + dt.timedelta(days=3)
    html = premises_card(_card_row(**door), night=friday)
    assert "required tonight from 21:00 to 01:00, usually 4 SIA door supervisors" in html
    html = premises_card(_card_row(**door), night=thursday)
    assert "not required tonight (required Fri, Sat)" in html
    unknown = {f"door_hours_{d}": "" for d in WEEKDAYS}
    html = premises_card(_card_row(**unknown), night=thursday)
    assert "required, usually 4 SIA door supervisors (which nights not known)" in html


def test_card_shows_opening_and_alcohol_hours_and_unknown_hours():
    row = _card_row(
        opening_hours="Mon-Thu 10:00-00:30; Fri-Sat 10:00-01:30; Sun 12:00-22:30",
        alcohol_hours="Mon-Thu 10:00-00:00; Fri-Sat 10:00-01:00; Sun 12:00-00:00",
        hours_known=True,
    )
    html = premises_card(row, night=MONDAY)
    assert "Opening hours</th><td>Mon-Thu 10:00-00:30; Fri-Sat 10:00-01:30; Sun 12:00-22:30" in html
    assert "Alcohol hours</th><td>Mon-Thu 10:00-00:00; Fri-Sat 10:00-01:00; Sun 12:00-00:00" in html
    html = premises_card(_card_row(hours_known=False), night=MONDAY)
    assert "licensed hours not known: check before visiting" in html
