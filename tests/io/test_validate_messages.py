"""One broken (or awkward) file per failure mode, through one parametrised test of exact messages."""

import datetime as dt

import pytest

from licvisit.config import Config
from licvisit.errors import DataValidationError
from licvisit.io.calls import read_calls
from licvisit.io.load import load_inputs
from licvisit.io.staff import read_staff
from licvisit.io.zones import read_zones
from tests.paths import TEST_DATA

BROKEN = TEST_DATA / "io" / "broken"
MONDAY = dt.date(2025, 1, 6)

READERS = {
    "calls": read_calls,
    "zones": read_zones,
    "staff": lambda p: read_staff(p, MONDAY),
}

CASES = [
    # --- unusable files: one error each -------------------------------------------------
    (
        "calls",
        "empty.csv",
        0,
        [
            "empty.csv: found an empty file; expected a CSV file with a header row and data rows. Fix: check the export finished",
        ],
    ),
    (
        "calls",
        "binary.csv",
        0,
        [
            "binary.csv: found a binary file; expected a CSV text file. Fix: check this is the right file; export it as CSV",
        ],
    ),
    (
        "calls",
        "workbook.xlsx",
        0,
        [
            "workbook.xlsx: found an Excel workbook or other zip archive; expected a CSV text file. "
            "Fix: save it as CSV (in Excel: File > Save As > CSV UTF-8)",
        ],
    ),
    (
        "calls",
        "premises_as_calls.csv",
        0,
        [
            "premises_as_calls.csv: found a premises register (columns FHRSID, RatingKey, RatingDate, RatingValue, "
            "BusinessName, BusinessType, ...); expected calls for service or crime records. Fix: give this file with --premises",
        ],
    ),
    (
        "calls",
        "header_only.csv",
        0,
        [
            "header_only.csv: found a header row but no data rows (columns call_id, occurred_at, category, x, y); "
            "expected at least one data row. Fix: check the export's date range and filters",
        ],
    ),
    (
        "calls",
        "misspelt_column.csv",
        0,
        [
            'misspelt_column.csv, field "occurred_at": found no column "occurred_at"; columns are call_id, occured_at, '
            'category, longitude, latitude; expected a column "occurred_at". '
            'Fix: rename column "occured_at" to "occurred_at", or map it in [mapping.calls] of licvisit.toml',
        ],
    ),
    (
        "calls",
        "outside_gb.csv",
        0,
        [
            'outside_gb.csv, field "longitude/latitude": found every coordinate outside Great Britain '
            "(e.g. 2.35, 48.85 in longitude/latitude); expected longitude/latitude (EPSG:4326) or easting/northing "
            "(EPSG:27700) inside Great Britain. Fix: check the coordinate columns and their order; a mapping in "
            "licvisit.toml can name them",
        ],
    ),
    # --- some bad rows: each named, the rest used ---------------------------------------
    (
        "calls",
        "bad_rows.csv",
        2,
        [
            'bad_rows.csv, field "category": found category "Fighting" in 1 row(s) (first at row 9); expected a '
            "police.uk crime type or a licvisit category (see docs/data-contracts.md). Fix: none needed: these rows "
            "were counted as 'other'; map the category in your export to use it",
            'bad_rows.csv, row 3, field "occurred_at": found "31/02/2025 23:15"; expected a date and time such as '
            "2025-01-03 23:15 or 03/01/2025 23:15 (day first). Fix: correct the date or delete the row",
            "bad_rows.csv, row 4: found a blank location; expected coordinates for every call. Fix: add the location or delete the row",
            'bad_rows.csv, row 5, field "longitude/latitude": found 2.35, 48.85; expected a location inside Great Britain. '
            "Fix: correct the coordinates or delete the row",
            'bad_rows.csv, row 6, field "longitude/latitude": found 52.477, -1.9; expected longitude then latitude '
            "(longitude about -6 to 2, latitude about 50 to 60). Fix: swap the two values in this row",
            'bad_rows.csv, row 7, field "longitude/latitude": found 406950, 286560; expected longitude and latitude in '
            "degrees. Fix: give this row's location in degrees, or the whole file as easting/northing",
            'bad_rows.csv, row 8, field "call_id": found "C1"; expected a unique call id. Fix: delete the duplicate row or give it its own id',
            'bad_rows.csv, row 9, field "thrive": found "Z"; expected a THRIVE grade E, P, S or CR (or blank). '
            "Fix: none needed: the grade was left blank",
        ],
    ),
    (
        "calls",
        "all_swapped.csv",
        2,
        [
            'all_swapped.csv, field "longitude/latitude": found longitude and latitude swapped in every row '
            "(e.g. 52.477, -1.9); expected longitude about -6 to 2 and latitude about 50 to 60 in Great Britain. "
            "Fix: none needed: every row was read the other way round; swap the column headers",
        ],
    ),
    (
        "staff",
        "staff_bad_rows.csv",
        2,
        [
            'staff_bad_rows.csv, row 3, field "role": found "Traffic warden"; expected a role: licensing_sergeant, '
            "licensing_pc, licensing_staff, council_licensing, sia_enforcement, gang_spotter, uniformed_support. "
            "Fix: correct the role",
            'staff_bad_rows.csv, row 4, field "avail_fri": found "8pm-4am"; expected hours HH:MM-HH:MM (may cross '
            "midnight), or blank when not available. Fix: correct the hours; this night is treated as not available",
        ],
    ),
    (
        "zones",
        "zones_bad.geojson",
        2,
        [
            'zones_bad.geojson, row 1, field "geometry": found an invalid polygon (Self-intersection[407228.995817509 '
            "286346.255067434]); expected a valid polygon. Fix: none needed: repaired with make_valid; check the "
            "boundary in your GIS",
            "zones_bad.geojson, row 1, field \"geometry\": found a MultiPolygon with 2 parts (zone 'bowtie'); expected "
            "one Polygon per zone. Fix: none needed: the parts are kept as one zone; if they are different zones, "
            "explode them (QGIS: Multipart to Singleparts) and name each",
            "zones_bad.geojson, row 2, field \"geometry\": found a MultiPolygon with 2 parts (zone 'two_parts'); "
            "expected one Polygon per zone. Fix: none needed: the parts are kept as one zone; if they are different "
            "zones, explode them (QGIS: Multipart to Singleparts) and name each",
            'zones_bad.geojson, row 3, field "geometry": found a Point; expected a Polygon or MultiPolygon. Fix: draw the zone as a polygon',
        ],
    ),
    # --- awkward but valid: no problem at all -------------------------------------------
    ("calls", "awkward_cp1252_semicolon.csv", 2, []),
    ("calls", "awkward_bom_repeated_header.csv", 2, []),
    ("calls", "awkward_cp1252_late.csv", 1600, []),
]


@pytest.mark.parametrize(("kind", "name", "rows_used", "messages"), CASES, ids=[c[1] for c in CASES])
def test_messages(kind, name, rows_used, messages):
    data, problems = READERS[kind](BROKEN / name)
    assert [str(p).replace(f"{BROKEN}/", "") for p in problems] == messages
    assert len(data) == rows_used


@pytest.mark.parametrize("name", [c[1] for c in CASES if c[2] == 0])
def test_unusable_files_raise_from_load_inputs(name):
    with pytest.raises(DataValidationError) as info:
        load_inputs(Config(inputs={"calls": BROKEN / name}))
    assert all(p.severity == "error" for p in info.value.problems)
    assert str(info.value).startswith(str(BROKEN / name))


def test_awkward_files_read_their_values():
    df, _ = read_calls(BROKEN / "awkward_cp1252_semicolon.csv")
    assert df["location_text"].tolist() == ["Outside the £1 shop", "Hurst St"]
    assert df["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2025-01-03 23:15",
        "2025-01-04 01:05",
    ]
    assert df["x"].between(406000, 408000).all()
    df, _ = read_calls(BROKEN / "awkward_cp1252_late.csv")
    assert df["location_text"].iloc[-1] == "Outside the £1 shop"
    df, _ = read_calls(BROKEN / "awkward_bom_repeated_header.csv")
    assert df["source_row"].tolist() == [2, 4]
    assert df["call_id"].tolist() == ["", "ab12"]
    assert df["category"].tolist() == ["anti_social_behaviour", "violence_and_sexual_offences"]
