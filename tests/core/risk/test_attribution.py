"""Linking calls to premises: reference, name, nearest, near-ties, closed hours."""

import datetime as dt

import numpy as np
import pandas as pd

from licvisit.core.risk.attribution import link_calls_to_premises, normalise_name
from licvisit.core.risk.params import RiskParams


def premises_frame(rows):
    """Premises with ids, names, x/y [m] and optional hours."""
    base = {
        "premises_type": "pub",
        **{f"hours_{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def calls_frame(rows):
    """Calls with x/y [m], time and optional reference / location text."""
    base = {
        "occurred_at": pd.Timestamp("2025-03-07 23:00"),
        "time_known": True,
        "category": "violence_with_injury",
        "thrive": "",
        "premises_ref": "",
        "location_text": "",
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_call_goes_to_the_nearer_premises():
    prem = premises_frame(
        [
            {"premises_id": "A", "name": "Alpha", "x": 10.0, "y": 0.0},
            {"premises_id": "B", "name": "Bravo", "x": -80.0, "y": 0.0},
        ]
    )
    links = link_calls_to_premises(calls_frame([{"x": 0.0, "y": 0.0}]), prem, RiskParams())
    assert list(links.table["premises_id"].astype(str)) == ["A"]
    assert links.table["rule"].iloc[0] == "nearest"
    assert links.table["distance_m"].iloc[0] == 10.0
    assert links.counts["nearest"] == 1 and links.counts["unlinked"] == 0


def test_call_beyond_radius_is_unlinked_and_sensitivity_counts_it():
    prem = premises_frame([{"premises_id": "A", "name": "Alpha", "x": 80.0, "y": 0.0}])
    links = link_calls_to_premises(calls_frame([{"x": 0.0, "y": 0.0}]), prem, RiskParams(radius_m=50))
    assert len(links.table) == 0 and links.counts["unlinked"] == 1
    sens = links.sensitivity.set_index("radius_m")["calls_linked"].to_dict()
    assert sens == {25.0: 0, 50.0: 0, 100.0: 1}


def test_call_at_14_to_nightclub_open_22_to_03_is_excluded():
    prem = premises_frame(
        [
            {
                "premises_id": "N",
                "name": "Club",
                "premises_type": "nightclub",
                "x": 5.0,
                "y": 0.0,
                **{f"hours_{d}": "22:00-03:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            }
        ]
    )
    calls = calls_frame(
        [
            {"x": 0.0, "y": 0.0, "occurred_at": pd.Timestamp("2025-03-07 14:00")},
            {"x": 0.0, "y": 0.0, "occurred_at": pd.Timestamp("2025-03-08 01:30")},
        ]
    )
    links = link_calls_to_premises(calls, prem, RiskParams())
    w = links.table.set_index("call")["weight"]
    assert w[0] == 0.0 and w[1] == 1.0
    assert links.counts["closed_excluded"] == 1
    down = link_calls_to_premises(calls, prem, RiskParams(closed_hours="downweight", closed_factor=0.25))
    assert down.table.set_index("call")["weight"][0] == 0.25


def test_open_premises_preferred_to_a_nearer_closed_one():
    hours = {f"hours_{d}": "22:00-03:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    prem = premises_frame(
        [
            {"premises_id": "N", "name": "Club", "x": 5.0, "y": 0.0, **hours},
            {
                "premises_id": "T",
                "name": "Cafe",
                "x": 30.0,
                "y": 0.0,
                **{f"hours_{d}": "10:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            },
        ]
    )
    calls = calls_frame([{"x": 0.0, "y": 0.0, "occurred_at": pd.Timestamp("2025-03-07 14:00")}])
    links = link_calls_to_premises(calls, prem, RiskParams())
    assert list(links.table["premises_id"].astype(str)) == ["T"]


def test_month_only_calls_are_not_hours_filtered():
    hours = {f"hours_{d}": "22:00-03:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    prem = premises_frame([{"premises_id": "N", "name": "Club", "x": 5.0, "y": 0.0, **hours}])
    calls = calls_frame(
        [{"x": 0.0, "y": 0.0, "occurred_at": pd.Timestamp("2017-03-01"), "time_known": False}]
    )
    links = link_calls_to_premises(calls, prem, RiskParams())
    assert links.table["weight"].iloc[0] == 1.0 and pd.isna(links.table["open"].iloc[0])


def test_near_tie_splits_the_call():
    prem = premises_frame(
        [
            {"premises_id": "A", "name": "Alpha", "x": 10.0, "y": 0.0},
            {"premises_id": "B", "name": "Bravo", "x": -11.0, "y": 0.0},
            {"premises_id": "C", "name": "Charlie", "x": 0.0, "y": 30.0},
        ]
    )
    links = link_calls_to_premises(calls_frame([{"x": 0.0, "y": 0.0}]), prem, RiskParams(tie_m=2))
    assert sorted(links.table["premises_id"].astype(str)) == ["A", "B"]
    assert np.allclose(links.table["weight"], 0.5)
    assert links.counts["tied"] == 1


def test_reference_then_name_then_nearest():
    prem = premises_frame(
        [
            {"premises_id": "V1", "name": "The Victoria", "x": 200.0, "y": 0.0},
            {"premises_id": "Z", "name": "Zed Bar", "x": 5.0, "y": 0.0},
        ]
    )
    calls = calls_frame(
        [
            {"x": 0.0, "y": 0.0, "premises_ref": "Z"},
            {"x": 0.0, "y": 0.0, "location_text": "outside The Victoria, John Bright St"},
            {"x": 0.0, "y": 0.0, "location_text": "On or near The Victoria"},
            {"x": np.nan, "y": np.nan, "location_text": "fight at the victoria"},
        ]
    )
    links = link_calls_to_premises(calls, prem, RiskParams())
    t = links.table.set_index("call")
    assert t.loc[0, "rule"] == "reference" and t.loc[0, "premises_id"] == "Z"
    assert t.loc[1, "rule"] == "name" and t.loc[1, "premises_id"] == "V1"
    assert t.loc[2, "rule"] == "nearest" and t.loc[2, "premises_id"] == "Z"
    assert t.loc[3, "rule"] == "name"
    assert links.counts == links.counts | {"reference": 1, "name": 2, "nearest": 1, "unlinked": 0}


def test_normalise_name():
    assert normalise_name("The King's Arms & Kitchen") == "kings arms and kitchen"
    assert normalise_name(None) == ""


def test_empty_calls():
    prem = premises_frame([{"premises_id": "A", "name": "Alpha", "x": 0.0, "y": 0.0}])
    links = link_calls_to_premises(
        calls_frame([]).reindex(columns=["x", "y", "occurred_at", "time_known"]), prem
    )
    assert len(links.table) == 0 and links.counts["calls"] == 0
    assert dt is not None


STREET_PREMISES = [
    {"premises_id": "BAR", "name": "Bar Eleven", "x": 11.0, "y": 0.0},
    {"premises_id": "VIC", "name": "The Victoria", "x": 873.0, "y": 0.0},
    {"premises_id": "CROWN", "name": "The Crown", "x": 0.0, "y": 800.0},
    {"premises_id": "VINE", "name": "The Vine", "x": -600.0, "y": 0.0},
]


def test_street_names_do_not_link_by_name():
    """Issue 12: the street part of an address is not a premises' name."""
    texts = [
        "outside 3 Victoria Street",
        "VICTORIA ST / CORPORATION ST",
        "Crown Street car park",
        "W VINE ST",
    ]
    calls = calls_frame([{"x": 0.0, "y": 0.0, "location_text": t} for t in texts])
    links = link_calls_to_premises(calls, premises_frame(STREET_PREMISES), RiskParams())
    assert (
        links.table.sort_values("call")[["premises_id", "rule"]].values.tolist() == [["BAR", "nearest"]] * 4
    )


def test_a_named_premises_outside_it_still_links_by_name_within_250_m():
    prem = premises_frame(
        [*STREET_PREMISES, {"premises_id": "VIC2", "name": "The Victoria", "x": 0.0, "y": 200.0}]
    )
    calls = calls_frame([{"x": 0.0, "y": 195.0, "location_text": "outside The Victoria, John Bright St"}])
    links = link_calls_to_premises(calls, prem, RiskParams())
    assert links.table[["premises_id", "rule"]].values.tolist() == [["VIC2", "name"]]
    # beyond name_max_m (250 m by default) the name does not link: the nearest rule decides
    far = calls_frame([{"x": 0.0, "y": 0.0, "location_text": "fight outside The Victoria"}])
    links = link_calls_to_premises(far, premises_frame(STREET_PREMISES), RiskParams())
    assert links.table[["premises_id", "rule"]].values.tolist() == [["BAR", "nearest"]]
