"""Licensed premises only, by default (issue 12): the rest keep their calls but are not ranked."""

import pandas as pd
import pytest

from licvisit.config import ConfigError, load_config
from licvisit.core.risk.params import RiskParams
from licvisit.core.risk.rank import rank_premises
from licvisit.io.premises import fhrs_left_out, fhrs_premises_type, premises_with_summary
from licvisit.io.premises_params import PremisesParams
from tests.paths import TEST_DATA

DATA = TEST_DATA / "io"


@pytest.mark.parametrize(
    ("business_type", "name", "left_out", "ptype"),
    [
        (
            "School/college/university",
            "St Edwards Rc School Annexe",
            "FHRS School/college/university",
            "other",
        ),
        (
            "Hospitals/Childcare/Caring Premises",
            "Great Barr Nursery",
            "FHRS Hospitals/Childcare/Caring Premises",
            "other",
        ),
        ("Retailers - other", "Card Factory", "FHRS Retailers - other", "other"),
        ("Retailers - other", "Bhatia Wines", "", "off_licence"),
        ("Mobile caterer", "Big Dave's Burger Van", "FHRS Mobile caterer", "other"),
        (
            "Takeaway/sandwich shop",
            "Baguettes 4 Less",
            "FHRS Takeaway/sandwich shop (café or sandwich shop by name)",
            "late_night_refreshment",
        ),
        ("Takeaway/sandwich shop", "Rodroj Fish & Chips", "", "late_night_refreshment"),
        (
            "Restaurant/Cafe/Canteen",
            "Davis Langdon Llp",
            "FHRS Restaurant/Cafe/Canteen (staff or institutional canteen by name)",
            "restaurant",
        ),
        ("Restaurant/Cafe/Canteen", "Bella Italia", "", "restaurant"),
        ("Hotel/bed & breakfast/guest house", "Radisson Blu Hotel", "", "hotel"),
        ("Pub/bar/nightclub", "The Old Joint Stock", "", "pub"),
    ],
)
def test_fhrs_types(business_type, name, left_out, ptype):
    assert fhrs_left_out(business_type, name) == left_out
    assert fhrs_premises_type(business_type, name) == ptype


def _fhrs(params=None):
    gdf, problems, summaries = premises_with_summary(DATA / "fhrs_bham_2017_subset.csv", params=params)
    return gdf, summaries[0]


def test_validation_summary_counts_what_was_left_out_by_type():
    gdf, summary = _fhrs()
    assert (
        "5 premises left out of ranking and planning (not licensed premises; they still absorb the calls "
        "nearest to them): FHRS Distributors/Transporters 2, FHRS Takeaway/sandwich shop (café or sandwich "
        "shop by name) 1, FHRS Restaurant/Cafe/Canteen (staff or institutional canteen by name) 1, "
        "FHRS Retailers - other 1"
    ) in summary.notes
    left = gdf.set_index("name")["left_out"]
    assert left["202 Fd Hospital"] == "FHRS Restaurant/Cafe/Canteen (staff or institutional canteen by name)"
    assert left["100% Vegan Ltd"] == "" and left["Caspian Pizza"] == ""


def test_types_setting_overrides():
    gdf, summary = _fhrs(PremisesParams(types=("pub",)))
    assert set(gdf.loc[gdf["left_out"] == "", "premises_type"]) == {"pub"}
    with pytest.raises(ValueError, match="Expected types among pub, bar"):
        PremisesParams(types=("pubs",))


def test_types_setting_read_from_config(tmp_path):
    from licvisit.config import params_from

    cfg = tmp_path / "licvisit.toml"
    cfg.write_text('[premises]\ntypes = ["pub", "bar"]\nunknown_hours = "exclude"\n', encoding="utf-8")
    p = params_from(PremisesParams, load_config(cfg).section("premises"), "premises")
    assert p.types == ("pub", "bar") and p.unknown_hours == "exclude"
    cfg.write_text('[premises]\nunknown_hours = "skip"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown_hours"):
        params_from(PremisesParams, load_config(cfg).section("premises"), "premises")


def test_left_out_premises_keep_their_calls_but_are_not_ranked():
    prem = pd.DataFrame(
        [
            {
                "premises_id": "SHOP",
                "name": "Card Factory",
                "premises_type": "other",
                "left_out": "FHRS Retailers - other",
                "x": 0.0,
                "y": 0.0,
            },
            {
                "premises_id": "PUB",
                "name": "The Swan",
                "premises_type": "pub",
                "left_out": "",
                "x": 30.0,
                "y": 0.0,
            },
        ]
    )
    calls = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2025-03-01 23:00"] * 3),
            "time_known": True,
            "category": "violence_with_injury",
            "thrive": "",
            "premises_ref": "",
            "location_text": "",
            "x": [1.0, 2.0, 29.0],
            "y": 0.0,
        }
    )
    r = rank_premises(calls, prem, params=RiskParams(), as_of="2025-03-02")
    assert r.table["premises_id"].tolist() == ["PUB"]
    assert r.table["n_calls"].tolist() == [1]  # the shop's two calls are not handed to the pub
    links = r.links.table.sort_values("call")
    assert links[["premises_id", "premises_left_out"]].values.tolist() == [
        ["SHOP", "FHRS Retailers - other"],
        ["SHOP", "FHRS Retailers - other"],
        ["PUB", ""],
    ]
    assert any(n.startswith("1 premises left out of the ranking as not licensed premises") for n in r.notes)
