"""Mapping for real CAD exports: recode tables, constants, 12-hour clocks (issue 12)."""

import pandas as pd
import pytest

from licvisit.config import load_config
from licvisit.errors import ConfigError
from licvisit.io import read_calls
from tests.paths import TEST_DATA

CAD = TEST_DATA / "io" / "cad" / "cad_export_12h.csv"
TOML = """
[inputs]
calls = "{calls}"

[mapping.calls]
call_id = "Incident Number"
occurred_at = "Created"
category = "Final Code"
easting = "Easting"
northing = "Northing"
location_text = {{ value = "Broad Street" }}

[mapping.calls.categories]
"ASSAULT - OCCASIONING ABH" = "violence_with_injury"
"DRUNK AND DISORDERLY" = "public_order"

[mapping.calls.thrive]
column = "Priority"
"1" = "E"
"2" = "P"
"3" = "S"
"4" = "CR"
"""


def _mapping(tmp_path, text=TOML):
    cfg = tmp_path / "licvisit.toml"
    cfg.write_text(text.format(calls=CAD.as_posix()), encoding="utf-8")
    return load_config(cfg).mapping["calls"]


def test_cad_export_with_recodes_constant_and_12_hour_clock(tmp_path):
    df, problems = read_calls(CAD, _mapping(tmp_path))
    assert df["occurred_at"].tolist() == [
        pd.Timestamp("2025-01-03 21:26"),
        pd.Timestamp("2025-01-03 23:58"),
        pd.Timestamp("2025-01-04 00:05"),
        pd.Timestamp("2025-01-04 01:15:30"),
    ]
    assert df["time_known"].all()
    assert df["category"].tolist() == [
        "violence_with_injury",
        "public_order",
        "other",
        "violence_with_injury",
    ]
    assert df["thrive"].tolist() == ["E", "P", "S", "CR"]
    assert set(df["location_text"]) == {"Broad Street"}
    assert [p.found for p in problems] == ['category "CONCERN FOR SAFETY" in 1 row(s) (first at row 4)']


def test_recode_to_an_unknown_category_is_a_config_error(tmp_path):
    bad = TOML.replace('"public_order"', '"drunkenness"')
    with pytest.raises(
        ConfigError, match=r'"DRUNK AND DISORDERLY" = "drunkenness" is not a licvisit category'
    ):
        read_calls(CAD, _mapping(tmp_path, bad))


def test_constant_needs_value_key(tmp_path):
    bad = TOML.replace('{{ value = "Broad Street" }}', '{{ text = "Broad Street" }}')
    with pytest.raises(ConfigError, match=r'Fix: write location_text = \{ value = "robbery" \}'):
        read_calls(CAD, _mapping(tmp_path, bad))


def test_stop_search_input_is_removed_with_a_pointer(tmp_path):
    from click.testing import CliRunner

    from licvisit.cli import main

    cfg = tmp_path / "licvisit.toml"
    cfg.write_text('[inputs]\nstop_search = "searches.csv"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[inputs\]: stop_search is no longer an input"):
        load_config(cfg)
    result = CliRunner().invoke(main, ["validate", "--stop-search", str(CAD)])
    assert result.exit_code != 0
    assert (
        "Error: --stop-search: stop_search is no longer an input: stop-and-search records were checked but never used in the risk score or the plan. Fix: delete it; to look at searches near premises, read the file with licvisit.io.read_stop_search (see 'Stop and search' in docs/risk.md)."
        in result.output
    )
