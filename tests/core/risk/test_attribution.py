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


def test_premises_not_located_and_calls_not_located_keep_their_rows():
    """The tree holds only located premises; a call without coordinates is not linked by nearness."""
    prem = premises_frame(
        [
            {"premises_id": "NOWHERE", "name": "Nowhere Inn", "x": np.nan, "y": np.nan},
            {"premises_id": "A", "name": "Alpha", "x": 10.0, "y": 0.0},
            {"premises_id": "B", "name": "Bravo", "x": 200.0, "y": 0.0},
        ]
    )
    calls = calls_frame([{"x": 0.0, "y": 0.0}, {"x": np.nan, "y": np.nan}, {"x": 195.0, "y": 0.0}])
    links = link_calls_to_premises(calls, prem, RiskParams())
    t = links.table.sort_values("call")
    assert t["call"].tolist() == [0, 2]
    assert t["premises_id"].astype(str).tolist() == ["A", "B"]
    assert t["premises_idx"].tolist() == [1, 2]  # rows of the premises frame, not of the tree
    assert links.counts["no_location"] == 1
    assert links.sensitivity["calls_linked"].tolist() == [2, 2, 2]


def test_links_keep_the_calls_clock_for_scoring():
    """The clock the linking worked out is the one call_clock gives; scoring with it ranks the same."""
    from licvisit.core.risk.clock import call_clock
    from licvisit.core.risk.rank import rank_premises

    prem = premises_frame(
        [
            {"premises_id": "A", "name": "Alpha", "x": 10.0, "y": 0.0},
            {"premises_id": "B", "name": "Bravo", "x": 300.0, "y": 0.0},
        ]
    )
    calls = calls_frame(
        [
            {"x": 0.0, "y": 0.0, "occurred_at": pd.Timestamp("2025-03-07 23:30")},  # Friday night
            {"x": 290.0, "y": 0.0, "occurred_at": pd.Timestamp("2025-03-10 14:05")},  # Monday afternoon
            {"x": 295.0, "y": 0.0, "occurred_at": pd.Timestamp("2025-03-09 01:15")},  # Saturday night, late
        ]
    )
    links = link_calls_to_premises(calls, prem, RiskParams())
    assert links.clock is not None
    for kept, fresh in zip(links.clock, call_clock(calls), strict=True):
        np.testing.assert_array_equal(kept, fresh)
    np.testing.assert_array_equal(links.clock[1], [4, 0, 6])  # Fri, Mon, Sun
    np.testing.assert_array_equal(links.clock[2], [23 * 60 + 30, 14 * 60 + 5, 75])
    with_links = rank_premises(calls, prem, params=RiskParams(), as_of="2025-03-11", links=links)
    without = rank_premises(calls, prem, params=RiskParams(), as_of="2025-03-11")
    pd.testing.assert_frame_equal(with_links.table, without.table)
    # links whose clock is of other calls (here: of none) are scored with the calls' own clock
    links.clock = (np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0, np.int64))
    again = rank_premises(calls, prem, params=RiskParams(), as_of="2025-03-11", links=links)
    pd.testing.assert_frame_equal(again.table, without.table)


def test_links_to_premises_left_out_are_counted_and_named():
    """Each link names its premises' left-out reason ('' for licensed ones); the note counts the others."""
    prem = premises_frame(
        [
            {
                "premises_id": "SHOP",
                "name": "Corner Shop",
                "x": 0.0,
                "y": 0.0,
                "left_out": "FHRS Retailers - other",
            },
            {"premises_id": "PUB", "name": "The Swan", "x": 300.0, "y": 0.0, "left_out": ""},
        ]
    )
    calls = calls_frame([{"x": 1.0, "y": 0.0}, {"x": 2.0, "y": 0.0}, {"x": 299.0, "y": 0.0}])
    links = link_calls_to_premises(calls, prem, RiskParams())
    t = links.table.sort_values("call")
    assert t["premises_left_out"].astype(str).tolist() == ["FHRS Retailers - other"] * 2 + [""]
    assert [n for n in links.notes if "left out" in n] == [
        "2 links go to premises left out as not licensed (column premises_left_out): they keep those "
        "calls, so the calls are not handed to licensed premises near them."
    ]
    # every premises left out (no blank reason among them): every link counts
    prem["left_out"] = ["FHRS Retailers - other", "FHRS Mobile caterer"]
    links = link_calls_to_premises(calls, prem, RiskParams())
    assert [n for n in links.notes if "left out" in n][0].startswith("3 links go to premises left out")


def test_candidates_queried_ahead_are_those_a_fresh_query_gives(monkeypatch):
    """The calls with several premises in the radius are queried in the k-d tree thread, before rules
    1 and 2; the links are the ones a query of only the calls left after those rules gives."""
    from licvisit.core.risk import attribution

    rng = np.random.default_rng(7)
    n_prem, n_calls = 60, 3000
    prem = premises_frame(
        [
            {"premises_id": f"P{i}", "name": f"Venue Number {i}", "x": float(x), "y": float(y)}
            for i, (x, y) in enumerate(rng.uniform(0, 400, size=(n_prem, 2)).round(1))
        ]
    )
    prem.loc[0, ["x", "y"]] = np.nan  # one premises not located: tree rows are not premises rows
    xy = rng.uniform(0, 400, size=(n_calls, 2)).round(1)
    calls = calls_frame([{"x": float(x), "y": float(y)} for x, y in xy])
    calls.loc[::7, "premises_ref"] = "P5"  # rule 1 takes some calls that have several premises near
    calls.loc[3::11, "location_text"] = "outside Venue Number 9"  # and rule 2 some more
    calls.loc[5, ["x", "y"]] = np.nan
    calls["occurred_at"] = pd.Timestamp("2025-03-07 20:00") + pd.to_timedelta(
        rng.integers(0, 600, n_calls), "min"
    )
    prem["hours_fri"] = np.where(np.arange(n_prem) % 3 == 0, "12:00-22:00", "12:00-02:00")
    ahead = link_calls_to_premises(calls, prem, RiskParams(tie_m=5.0))

    def fresh(self, multi, kk, r, cx, cy):
        return self.premises.query(np.column_stack([cx[multi], cy[multi]]), kk, r, cut=True)

    monkeypatch.setattr(attribution._Nearest, "candidates", fresh)
    again = link_calls_to_premises(calls, prem, RiskParams(tie_m=5.0))
    assert (ahead.table["rule"] == "nearest").sum() > 1000 and ahead.counts["tied"] > 10
    pd.testing.assert_frame_equal(ahead.table, again.table)
    assert ahead.counts == again.counts


def test_calls_queried_in_chunks_link_as_in_one_query(monkeypatch):
    """Rule 3 works on chunks of calls as the k-d tree thread queries them: the links, counts and
    sensitivity table are those of one query of every call, in the same order."""
    from licvisit.core.risk import attribution

    rng = np.random.default_rng(11)
    n_prem, n_calls = 50, 2500
    prem = premises_frame(
        [
            {"premises_id": f"P{i}", "name": f"Venue Number {i}", "x": float(x), "y": float(y)}
            for i, (x, y) in enumerate(rng.uniform(0, 500, size=(n_prem, 2)).round(1))
        ]
    )
    prem["hours_fri"] = np.where(np.arange(n_prem) % 4 == 0, "12:00-22:00", "12:00-02:00")
    calls = calls_frame([{"x": float(x), "y": float(y)} for x, y in rng.uniform(-50, 550, size=(n_calls, 2))])
    calls.loc[::9, "premises_ref"] = "P3"
    calls.loc[4::13, "location_text"] = "outside Venue Number 7"
    calls.loc[[6, 700, 1801], ["x", "y"]] = np.nan
    calls["occurred_at"] = pd.Timestamp("2025-03-07 19:00") + pd.to_timedelta(
        rng.integers(0, 540, n_calls), "min"
    )
    whole = link_calls_to_premises(calls, prem, RiskParams(tie_m=3.0))
    monkeypatch.setattr(attribution, "NEAREST_CHUNK", 97)  # 26 chunks, the last a short one
    chunked = link_calls_to_premises(calls, prem, RiskParams(tie_m=3.0))
    assert whole.counts["nearest"] > 1000 and whole.counts["tied"] > 5 and whole.counts["reference"] > 100
    pd.testing.assert_frame_equal(whole.table, chunked.table)
    pd.testing.assert_frame_equal(whole.sensitivity, chunked.sensitivity)
    assert whole.counts == chunked.counts


def test_premises_on_one_spot_share_a_call_in_register_order():
    """Eight premises geocoded to one postcode centroid among 52 others, four candidates a call: the
    first four on the spot in the register share the call, not the four the k-d tree meets first."""
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 2000, size=(60, 2))
    on_spot = sorted(
        rng.choice(60, 8, replace=False).tolist()
    )  # 0, 2, 7, 43, ...: the tree meets 0, 43, 56, 47
    xy[on_spot] = (1000.0, 1000.0)
    prem = premises_frame(
        [
            {"premises_id": f"P{i}", "name": f"Venue {i}", "x": float(x), "y": float(y)}
            for i, (x, y) in enumerate(xy)
        ]
    )
    calls = calls_frame([{"x": 1010.0, "y": 1000.0}, {"x": 1000.0, "y": 1040.0}])
    links = link_calls_to_premises(calls, prem, RiskParams(max_candidates=4, radius_m=50.0))
    t = links.table
    for call in (0, 1):
        got = t.loc[t["call"] == call, "premises_id"].astype(str).tolist()
        assert got == [f"P{i}" for i in on_spot[:4]]
        assert np.allclose(t.loc[t["call"] == call, "share"], 0.25)
    # the sensitivity table counts one premises (the first on the spot) as the calls' nearest
    assert links.sensitivity.set_index("radius_m").loc[50.0, "premises_with_calls"] == 1
