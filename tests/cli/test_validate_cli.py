"""`licvisit validate` through click's CliRunner: exit codes and exact messages."""

import json

from click.testing import CliRunner

from licvisit.cli import main
from licvisit.config import Config
from licvisit.io.load import validate_inputs
from tests.paths import TEST_DATA

DATA = TEST_DATA / "io"
BROKEN = DATA / "broken"


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_clean_inputs_exit_0():
    result = run(
        "validate",
        "--calls",
        DATA / "glossary_calls.csv",
        "--premises",
        DATA / "premises_glossary.csv",
        "--zones",
        DATA / "nte_zones.geojson",
        "--staff",
        DATA / "staff.csv",
        "--visits",
        DATA / "visits.csv",
        "--week",
        "2025-W02",
    )
    assert result.exit_code == 0, result.output
    assert (
        f"calls: {DATA / 'glossary_calls.csv'} (CSV with glossary headers)\n  rows read 3, used 3, skipped 0\n"
        in result.output
    )
    assert result.output.rstrip().endswith("No problems found.")


def test_bad_rows_are_warnings_exit_0():
    result = run("validate", "--calls", BROKEN / "bad_rows.csv")
    assert result.exit_code == 0, result.output
    assert "  rows read 8, used 2, skipped 6\n" in result.output
    assert "    skipped 1: date not understood\n" in result.output
    assert (
        f'  {BROKEN / "bad_rows.csv"}, row 6, field "longitude/latitude": found 52.477, -1.9; expected longitude '
        "then latitude (longitude about -6 to 2, latitude about 50 to 60). Fix: swap the two values in this row\n"
    ) in result.output
    assert result.output.rstrip().endswith("0 error(s), 8 warning(s).")


def test_unusable_file_exit_1_with_message():
    result = run("validate", "--calls", BROKEN / "premises_as_calls.csv")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        f"  {BROKEN / 'premises_as_calls.csv'}: found a premises register (columns FHRSID, RatingKey, RatingDate, "
        "RatingValue, BusinessName, BusinessType, ...); expected calls for service or crime records. "
        "Fix: give this file with --premises\n"
    ) in result.output
    assert "UNUSABLE" in result.output
    assert result.output.rstrip().endswith("1 error(s), 0 warning(s).")


def test_missing_file_exit_1():
    result = run("validate", "--premises", DATA / "nope.csv")
    assert result.exit_code == 1
    assert (
        f"  {DATA / 'nope.csv'}: found no such file; expected a premises register (CSV, GeoJSON, GeoPackage or Shapefile). Fix: check the path\n"
        in result.output
    )


def test_no_inputs_is_a_one_line_error():
    result = run("validate")
    assert result.exit_code == 1
    assert result.output == (
        "Error: No inputs given. Fix: pass --calls, --premises, --zones, --staff or --visits, or --config licvisit.toml.\n"
    )


def test_bad_week_is_a_one_line_error():
    result = run("validate", "--staff", DATA / "staff.csv", "--week", "next")
    assert result.exit_code == 1
    assert result.output == "Error: Week 'next' not understood; expected an ISO week such as 2025-W02.\n"


def test_config_file_with_mapping(tmp_path):
    cad = tmp_path / "cad.csv"
    cad.write_text("Ref,When,Type,E,N\nA1,2025-01-03 23:15,public_order,406955,286565\n", encoding="utf-8")
    toml = tmp_path / "licvisit.toml"
    toml.write_text(
        '[inputs]\ncalls = "cad.csv"\n\n[mapping.calls]\ncall_id = "Ref"\noccurred_at = "When"\n'
        'category = "Type"\neasting = "E"\nnorthing = "N"\n',
        encoding="utf-8",
    )
    result = run("validate", "--config", toml)
    assert result.exit_code == 0, result.output
    assert "(CSV with column mapping)\n  rows read 1, used 1, skipped 0\n" in result.output


def test_json_report_equals_library_result(tmp_path):
    out = tmp_path / "report.json"
    result = run("validate", "--calls", BROKEN / "bad_rows.csv", "--json", out)
    assert result.exit_code == 0
    expected = validate_inputs(Config(inputs={"calls": BROKEN / "bad_rows.csv"})).report.to_dict()
    got = json.loads(out.read_text(encoding="utf-8"))
    expected["files"][0]["file"] = str(expected["files"][0]["file"])
    assert got == json.loads(json.dumps(expected))
    assert got["warnings"] == 8 and got["files"][0]["skipped"]["date not understood"] == 1


def test_osm_geojson_validates_without_mapping():
    result = run("validate", "--premises", DATA / "osm_nte_amenities.geojson")
    assert result.exit_code == 0, result.output
    assert "(OpenStreetMap GeoJSON)\n  rows read 4, used 4, skipped 0\n" in result.output


def test_max_per_kind_counts_the_rest():
    result = run("validate", "--premises", DATA / "fhrs_bham_2017_subset.csv", "--max-per-kind", "1")
    assert result.exit_code == 0
    assert "... 2 more like this in" in result.output


def test_calls_file_given_as_premises_is_named():
    calls = TEST_DATA / "risk" / "calls.csv"
    result = run("validate", "--premises", calls)
    assert result.exit_code == 1
    assert (
        f"  {calls}: found a calls/crime file (columns call_id, occurred_at, time_known, category, thrive, "
        "premises_ref, ...); expected a premises register. Fix: give this file with --calls\n"
    ) in result.output
