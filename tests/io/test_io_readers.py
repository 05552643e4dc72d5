"""Readers on small real-format fixtures cut from ../shared/data (see tests/data/io/README.md)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from licvisit.config import Config
from licvisit.domain import CALL_COLUMNS, PREMISES_COLUMNS, VISIT_COLUMNS, Officer
from licvisit.errors import ConfigError
from licvisit.io import (
    load_inputs,
    read_calls,
    read_postcodes,
    read_premises,
    read_staff,
    read_stop_search,
    read_visits,
    read_zones,
)
from tests.paths import TEST_DATA

DATA = TEST_DATA / "io"
MONDAY = dt.date(2025, 1, 6)


@pytest.fixture
def glossary_config():
    """A config naming every hand-made glossary-headed fixture."""
    return Config(
        inputs={
            "calls": DATA / "glossary_calls.csv",
            "premises": DATA / "premises_glossary.csv",
            "zones": DATA / "nte_zones.geojson",
            "staff": DATA / "staff.csv",
            "visits": DATA / "visits.csv",
        }
    )


def test_police_uk_street_folder():
    df, problems = read_calls(DATA / "police_uk_street")
    assert problems == []
    assert list(df.columns) == list(CALL_COLUMNS)
    assert len(df) == 30 + 20
    assert not df["time_known"].any()
    assert df["occurred_at"].min() == pd.Timestamp("2017-01-01")
    assert df["occurred_at"].max() == pd.Timestamp("2017-02-01")
    assert df["location_text"].str.startswith("On or near").all()
    assert set(df["category"]) <= set(CALL_COLUMNS) | {
        "anti_social_behaviour",
        "violence_and_sexual_offences",
        "shoplifting",
        "other_theft",
        "public_order",
        "vehicle_crime",
        "criminal_damage_arson",
        "burglary",
        "robbery",
        "drugs",
        "theft_from_the_person",
        "bicycle_theft",
        "possession_of_weapons",
        "other_crime",
    }
    # Birmingham city centre in British National Grid
    assert df["x"].between(400_000, 415_000).all() and df["y"].between(280_000, 295_000).all()
    assert df["source_row"].iloc[0] == 2 and df["source_file"].iloc[-1].endswith(
        "2017-02-west-midlands-street.csv"
    )
    assert (df["call_id"] == "").sum() > 0  # ASB has no Crime ID, as police.uk does


def test_police_uk_api_slug_csv():
    df, problems = read_calls(DATA / "police_uk_api_crimeclean.csv")
    assert problems == []
    assert len(df) == 20
    assert df["category_raw"].iloc[0] == "anti-social-behaviour"
    assert df["category"].iloc[0] == "anti_social_behaviour"
    assert df["occurred_at"].iloc[0] == pd.Timestamp("2017-11-01")
    assert df["location_text"].iloc[0] == "On or near Pedestrian Subway"


def test_glossary_calls():
    df, problems = read_calls(DATA / "glossary_calls.csv")
    assert problems == []
    assert df["time_known"].all()
    assert df["thrive"].tolist() == ["P", "S", "E"]
    assert df["premises_ref"].tolist() == ["P001", "", "P002"]
    assert df["category"].tolist() == ["violence_with_injury", "drunk_and_disorderly", "door_staff_request"]
    assert df["x"].tolist() == [406955.0, 407230.0, 407230.0]


def test_calls_with_mapping(tmp_path):
    path = tmp_path / "cad.csv"
    path.write_text(
        "Incident No,Created Date/Time,Final Class,Grade,Easting,Northing\n"
        "INC-1,03/01/2025 23:15,Public order,Priority,406955,286565\n",
        encoding="utf-8",
    )
    mapping = {
        "call_id": "Incident No",
        "occurred_at": "Created Date/Time",
        "category": "Final Class",
        "thrive": "Grade",
    }
    df, problems = read_calls(path, mapping)
    assert problems == []
    row = df.iloc[0]
    assert (row.call_id, row.category, row.thrive) == ("INC-1", "public_order", "P")
    assert row.occurred_at == pd.Timestamp("2025-01-03 23:15")
    assert (row.x, row.y) == (406955.0, 286565.0)


def test_stop_search_has_times():
    df, problems = read_stop_search(DATA / "police_uk_stop_search.csv")
    assert len(df) + sum(p.row is not None for p in problems) == 15
    assert df["time_known"].all()
    assert {"search_type", "legislation", "outcome"} <= set(df.columns)
    # police.uk gives UTC; September is BST, so 00:27Z is 01:27 local
    assert df["occurred_at"].iloc[1] == pd.Timestamp("2017-09-01 01:27")
    assert df["category"].iloc[1] == "drugs"


def test_fhrs_register_with_postcode_lookup():
    gdf, problems = read_premises(
        DATA / "fhrs_bham_2017_subset.csv", postcodes=DATA / "wm_postcodes_subset.csv"
    )
    assert list(gdf.columns[: len(PREMISES_COLUMNS)]) == list(PREMISES_COLUMNS)
    assert "RatingValue" in gdf.columns and "BusinessType" in gdf.columns  # extra columns kept
    assert gdf.crs.to_epsg() == 27700
    types = dict(zip(gdf["name"], gdf["premises_type"], strict=True))
    assert types["All Bar One"] == "bar"
    assert types["Big Bulls Head"] == "pub"
    assert types["Barfly Club Ltd"] == "nightclub"
    assert types["Calthorpe Old Boys Club"] == "club"
    assert types["Caspian Pizza"] == "late_night_refreshment"
    assert types["100% Vegan Ltd"] == "restaurant"
    # geocoded from the lookup (written 'b56ur' there)
    assert "A&S Fruit & Veg" in types and "Aldi" in types
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        'found "B25 8DJ"; expected a postcode in the postcode lookup. Fix: check the postcode, or add coordinates for this premises',
        "found no coordinates and no postcode; expected coordinates or a postcode. Fix: add the location or delete the row",
    ]
    assert [p.row for p in problems] == [17, 18]
    assert len(gdf) == 15


def test_fhrs_register_without_lookup_reports_postcode_only_rows():
    gdf, problems = read_premises(DATA / "fhrs_bham_2017_subset.csv")
    assert len(gdf) == 13
    assert sum("postcode only" in p.found for p in problems) == 3


def test_osm_geojson_points_and_building_polygon():
    gdf, problems = read_premises(DATA / "osm_nte_amenities.geojson")
    assert problems == []
    assert gdf["premises_id"].tolist() == [
        "node/1871234567",
        "way/251234567",
        "node/4412345678",
        "node/5512345678",
    ]
    assert gdf["premises_type"].tolist() == ["pub", "nightclub", "late_night_refreshment", "bar"]
    assert gdf["fhrs:id"].tolist()[0] == "598901"
    assert gdf["address"].iloc[0] == "48 John Bright Street, Birmingham"
    assert gdf["postcode"].iloc[1] == "B5 4TD"
    assert (gdf.geom_type == "Point").all()
    # the building's representative point lies inside its footprint
    assert 407100 < gdf["x"].iloc[1] < 407200


def test_glossary_premises():
    gdf, problems = read_premises(DATA / "premises_glossary.csv")
    assert problems == []
    row = gdf.set_index("premises_id").loc["P002"]
    assert row.hours_fri == "22:00-06:00" and row.capacity == 900.0
    assert row.door_supervision and row.door_staff == 8 and row.synthetic
    assert row.intel_flags == "gang"
    assert np.isnan(gdf.set_index("premises_id").loc["P003", "capacity"])


def test_postcode_lookup_normalised():
    df, problems = read_postcodes(DATA / "wm_postcodes_subset.csv")
    assert problems == []
    assert "B56UR" in set(df["key"])


def test_zones():
    gdf, problems = read_zones(DATA / "nte_zones.geojson")
    assert problems == []
    assert gdf["zone_id"].tolist() == ["broad_street", "southside"]
    assert gdf.crs.to_epsg() == 27700 and (gdf.geom_type == "Polygon").all()


def test_staff_availability_crosses_midnight():
    officers, problems = read_staff(DATA / "staff.csv", MONDAY)
    assert problems == []
    assert all(isinstance(o, Officer) for o in officers)
    assert [o.role for o in officers] == [
        "licensing_sergeant",
        "licensing_pc",
        "licensing_staff",
        "council_licensing",
        "sia_enforcement",
    ]
    sgt = officers[0]
    assert sgt.preferences == ("prefers_sun_off",)
    fri = [a for a in sgt.availability if a.night == dt.date(2025, 1, 10)][0]
    assert (fri.start, fri.end) == (dt.datetime(2025, 1, 10, 20), dt.datetime(2025, 1, 11, 4))
    assert officers[2].part_time and officers[2].contracted_hours == 22.5 and officers[2].max_shifts == 3


def test_staff_week_must_start_on_monday():
    from licvisit.errors import ConfigError

    with pytest.raises(ConfigError, match="expected a Monday"):
        read_staff(DATA / "staff.csv", dt.date(2025, 1, 7))


def test_visits_unknown_premises_is_a_row_problem():
    df, problems = read_visits(DATA / "visits.csv", ["P001", "P002"])
    assert list(df.columns[:5]) == list(VISIT_COLUMNS)
    assert df["outcome"].tolist() == ["compliant", "breach_found"]
    assert df["visit_type"].tolist() == ["licensing_compliance", "sia_check"]
    assert df["visited_at"].tolist() == [pd.Timestamp("2025-01-03 23:10"), pd.Timestamp("2025-01-04 01:30")]
    assert [(p.row, p.field, p.found) for p in problems] == [(4, "premises_id", '"P003"')]


def test_load_inputs_reads_everything_and_reports(glossary_config):
    inputs = load_inputs(glossary_config, week_start=MONDAY)
    assert len(inputs.calls) == 3 and len(inputs.premises) == 3 and len(inputs.zones) == 2
    assert len(inputs.staff) == 5 and len(inputs.visits) == 3
    report = inputs.report
    assert report.ok and report.problems == []
    assert [(f.kind, f.rows_read, f.rows_used) for f in report.files] == [
        ("premises", 3, 3),
        ("calls", 3, 3),
        ("zones", 2, 2),
        ("staff", 5, 5),
        ("visits", 3, 3),
    ]
    assert report.to_dict()["ok"] is True


def test_load_inputs_cross_checks_call_premises_refs(tmp_path, glossary_config):
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_id,occurred_at,category,premises_ref,x,y\nC1,2025-01-03 23:15,public_order,P999,406955,286565\n",
        encoding="utf-8",
    )
    cfg = glossary_config.with_inputs(calls=calls)
    inputs = load_inputs(cfg, kinds=["premises", "calls"])
    assert inputs.calls["premises_ref"].tolist() == [""]
    assert [str(p) for p in inputs.report.problems] == [
        f'{calls}, row 2, field "premises_ref": found "P999"; expected a premises id in the premises register. '
        "Fix: none needed: the call is used by its location only; correct the id to link it"
    ]


def test_premises_geopackage_with_mapping(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from licvisit.io.write import write_gpkg

    src = gpd.GeoDataFrame(
        {
            "Licence No": ["L1", "L2"],
            "Premises Name": ["The Victoria", "Example Rooms"],
            "Type": ["Pub", "Night club"],
        },
        geometry=[Point(-1.9000, 52.4769), Point(-1.8965, 52.4747)],
        crs="EPSG:4326",
    )
    path = write_gpkg(src, tmp_path / "register.gpkg", layer="premises")
    mapping = {"premises_id": "Licence No", "name": "Premises Name", "premises_type": "Type"}
    gdf, problems = read_premises(path, mapping)
    assert problems == []
    assert gdf["premises_type"].tolist() == ["pub", "nightclub"]
    assert gdf["x"].between(406000, 408000).all()


def test_unknown_source_is_a_config_error():
    from licvisit.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown calls source 'cad'"):
        read_calls(DATA / "glossary_calls.csv", source="cad")


def test_row_problems_are_capped_and_counted(tmp_path, monkeypatch):
    import licvisit.io.validate as validate

    monkeypatch.setattr(validate, "MAX_PROBLEMS_PER_KIND", 3)
    rows = "\n".join(f"C{i},not a date,public_order,406955,286565" for i in range(10))
    path = tmp_path / "many.csv"
    path.write_text(
        "call_id,occurred_at,category,x,y\n" + rows + "\nC99,2025-01-03 23:15,drugs,406955,286565\n"
    )
    df, problems = read_calls(path)
    assert len(df) == 1
    assert [p.row for p in problems] == [None, 2, 3, 4]
    assert problems[0].found == "7 more rows like the 3 listed (date not understood)"


def test_osmtogeojson_nested_tags(tmp_path):
    """osmtogeojson (older overpass-turbo) nests tags under properties.tags."""
    path = tmp_path / "export.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","id":"node/42",'
        '"properties":{"type":"node","id":42,"tags":{"amenity":"pub","name":"The Old Crown","fhrs:id":"601234"}},'
        '"geometry":{"type":"Point","coordinates":[-1.8846,52.4752]}}]}',
        encoding="utf-8",
    )
    gdf, problems = read_premises(path)
    assert problems == []
    assert (gdf["premises_id"].iloc[0], gdf["name"].iloc[0], gdf["fhrs:id"].iloc[0]) == (
        "node/42",
        "The Old Crown",
        "601234",
    )


def test_glossary_premises_with_postcode_only(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "premises_id,name,postcode\nL1,Arca Bar,b5 4td\nL2,Nowhere Inn,ZZ9 9ZZ\n", encoding="utf-8"
    )
    gdf, problems = read_premises(path, postcodes=DATA / "wm_postcodes_subset.csv")
    assert gdf["premises_id"].tolist() == ["L1"]
    assert gdf["x"].iloc[0] == pytest.approx(407120, abs=50)
    assert [(p.row, p.field, p.found) for p in problems] == [(3, "postcode", '"ZZ9 9ZZ"')]


def test_staff_base_in_degrees(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "officer_id,name,role,base,base_lon,base_lat,avail_fri\nS1,A,Licensing PC,Steelhouse Lane,-1.8958,52.4838,20:00-04:00\n",
        encoding="utf-8",
    )
    officers, problems = read_staff(path, MONDAY)
    assert problems == []
    assert officers[0].base_x == pytest.approx(407130, abs=50)
    assert officers[0].availability[0].end == dt.datetime(2025, 1, 11, 4)


def test_x_y_columns_holding_degrees_are_read_as_degrees(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("occurred_at,category,x,y\n2025-01-03 23:15,drugs,-1.9000,52.4770\n", encoding="utf-8")
    df, problems = read_calls(path)
    assert problems == []
    assert df["x"].iloc[0] == pytest.approx(406900, abs=100)


@pytest.mark.parametrize(
    ("header", "rows", "used", "message"),
    [
        (
            "longitude,latitude",
            ["406950,286560", "407230,286280"],
            2,
            "found eastings/northings in the longitude/latitude columns longitude/latitude (e.g. 406950, 286560); "
            "expected longitude and latitude in degrees. Fix: none needed: every row was read as British National "
            "Grid easting/northing; rename the columns to easting/northing",
        ),
        (
            "easting,northing",
            ["806000,394000", "807000,393000"],  # Aberdeen, the other way round
            2,
            "found easting and northing swapped in every row (e.g. 806000, 394000); expected easting (easting) 0 to "
            "700000 and northing (northing) 0 to 1250000. Fix: none needed: every row was read the other way round; "
            "swap the column headers",
        ),
        (
            "easting,northing",
            ["406950,286560", "-1.9,52.477"],
            1,
            "found -1.9, 52.477; expected British National Grid easting and northing in metres. "
            "Fix: give this row's location as easting/northing",
        ),
    ],
)
def test_coordinate_checks(tmp_path, header, rows, used, message):
    path = tmp_path / "c.csv"
    path.write_text(
        f"occurred_at,category,{header}\n" + "".join(f"2025-01-03 23:15,drugs,{r}\n" for r in rows),
        encoding="utf-8",
    )
    df, problems = read_calls(path)
    assert len(df) == used
    assert [str(p).split(": ", 1)[1] for p in problems] == [message]
    assert df["x"].between(390_000, 410_000).all()  # eastings of Birmingham and Aberdeen


def test_one_zone_picker_takes_every_row_of_a_zone_drawn_in_parts():
    """``rank --zone`` and the evidence pack pick the same area: every row with that name or id."""
    import geopandas as gpd
    from shapely.geometry import box

    from licvisit.app.rank import zone_filter
    from licvisit.io.zones import select_zone, zones_matching

    zones = gpd.GeoDataFrame(
        {"zone_id": ["A1", "A2", "B"], "name": ["Old Town", "old town ", "Quayside"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(50, 50, 60, 60)],
        crs=27700,
    )
    matches, label = zones_matching(zones, "OLD TOWN", "`zone`")
    assert list(matches["zone_id"]) == ["A1", "A2"] and label == "Old Town, old town "
    one = select_zone(zones, "old town")
    assert len(one) == 1 and one.geometry.iloc[0].area == 200
    select, _ = zone_filter(zones, "Old Town")
    table = pd.DataFrame({"rank": [1, 2, 3], "x": [5.0, 15.0, 55.0], "y": [5.0, 5.0, 55.0]})
    assert list(select(table)["rank"]) == [1, 2]
    with pytest.raises(
        ConfigError, match=r"^Zone 'Nowhere' not found; expected one of: Old Town, old town , Quayside\.$"
    ):
        zones_matching(zones, "Nowhere", "`zone`")


def test_calls_from_several_files_keep_their_codes_and_files_as_categories(tmp_path):
    """Codes and file names are categorical (one copy of each value), whichever file a call came from."""
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "call_id,occurred_at,category,thrive,x,y\nA1,2025-01-03 23:15,theft,S,406950,286560\n"
    )
    (folder / "b.csv").write_text(
        "call_id,occurred_at,category,x,y\nB1,2025-01-04 01:10,Violence and sexual offences,406960,286570\n"
        "B2,2025-01-04 01:20,theft,406970,286580\n"
    )
    df, problems = read_calls(folder)
    assert df["call_id"].tolist() == ["A1", "B1", "B2"]
    for c in ("category", "category_raw", "source_file"):
        assert isinstance(df[c].dtype, pd.CategoricalDtype), c
    assert df["source_file"].astype(str).str.rsplit("/", n=1).str[-1].tolist() == ["a.csv", "b.csv", "b.csv"]
    assert df["category_raw"].astype(str).tolist() == ["theft", "Violence and sexual offences", "theft"]
    assert df["category"].astype(str).tolist()[0] == df["category"].astype(str).tolist()[2] == "theft"
    assert df["thrive"].astype(str).tolist() == ["S", "", ""]  # b.csv has no THRIVE column
