"""Tests for the synthetic data generator (licvisit.synth), `licvisit synth` and the bundled demo data."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from licvisit.cli import main
from licvisit.core.risk.harm import call_harm
from licvisit.domain import (
    GENERIC_CATEGORIES,
    PREMISES_COLUMNS,
    STAFF_ROLES,
    THRIVE_GRADES,
    VISIT_COLUMNS,
    VISIT_OUTCOMES,
    OpeningHours,
)
from licvisit.synth import (
    CALL_OUTPUT_COLUMNS,
    SynthParams,
    synth_calls,
    synth_licence_attributes,
    synth_premises,
    synth_visits,
)
from tests.paths import REPO_ROOT, TEST_DATA

ROOT = REPO_ROOT
DATA = ROOT / "data"
SMALL = TEST_DATA / "synth" / "premises_small.csv"


def _read_premises(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"premises_id": str, "postcode": str})


@pytest.fixture(scope="module")
def small_premises() -> pd.DataFrame:
    """Nine real city-centre premises (2 nightclubs, 2 bars, 2 pubs, 2 takeaways, a restaurant;
    one gang-flagged) with synthetic licence attributes, cut from data/premises_birmingham.csv."""
    return _read_premises(SMALL)


@pytest.fixture(scope="module")
def demo_premises() -> pd.DataFrame:
    """The bundled Birmingham register (about 1,480 premises)."""
    return _read_premises(DATA / "premises_birmingham.csv")


@pytest.fixture(scope="module")
def demo_year(demo_premises) -> pd.DataFrame:
    """A year of calls on the bundled register with the demo's parameters, a seed
    other than the bundled one, and the hidden truth column."""
    return synth_calls(demo_premises, None, SynthParams(), seed=7, truth=True)


# --- generator ------------------------------------------------------------------


def test_same_seed_same_calls_different_seed_different(small_premises):
    params = SynthParams(calls_per_year=3000, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    a = synth_calls(small_premises, None, params, seed=1)
    b = synth_calls(small_premises, None, params, seed=1)
    c = synth_calls(small_premises, None, params, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == list(CALL_OUTPUT_COLUMNS)
    assert not (len(a) == len(c) and a.equals(c))


def test_calls_stay_in_the_period_and_in_time_order(demo_year):
    t = demo_year["occurred_at"]
    assert t.is_monotonic_increasing
    assert t.min() >= pd.Timestamp("2024-10-07")
    # The last night's sessions may run into the early hours of the next day.
    assert t.max() < pd.Timestamp("2025-10-06 06:00")
    assert demo_year["call_id"].is_unique


def test_power_few_top_tenth_of_premises_about_half_of_harm(demo_year, demo_premises):
    linked = demo_year[demo_year["true_premises_id"] != ""]
    harm = pd.Series(call_harm(linked), index=linked.index)
    per = harm.groupby(linked["true_premises_id"]).sum().reindex(demo_premises["premises_id"], fill_value=0.0)
    per = per.sort_values(ascending=False)
    top = per.iloc[: len(per) // 10].sum() / per.sum()
    assert 0.40 <= top <= 0.60, top


def test_friday_and_saturday_nights_peak(demo_year):
    t = demo_year["occurred_at"]
    night = (t - pd.Timedelta(hours=12)).dt.day_of_week  # the evening the night began
    hour = t.dt.hour
    late = hour.isin([22, 23, 0, 1, 2, 3])
    weekend_night = late & night.isin([4, 5])
    # Per hour of the week: 12 weekend-night hours against the other 156.
    rate_weekend = weekend_night.sum() / 12
    rate_other = (~weekend_night).sum() / 156
    assert rate_weekend > 3 * rate_other


def test_december_is_the_busiest_month(demo_year):
    per_day = demo_year.groupby(demo_year["occurred_at"].dt.month).size() / demo_year.groupby(
        demo_year["occurred_at"].dt.month
    )["occurred_at"].apply(lambda s: s.dt.date.nunique())
    assert per_day.idxmax() == 12


def test_categories_and_grades_are_in_the_glossary(demo_year):
    assert set(demo_year["category"]) <= set(GENERIC_CATEGORIES)
    assert set(demo_year["thrive"]) <= set(THRIVE_GRADES)
    assert {"door_staff_request", "refusal_report"} <= set(demo_year["category"])
    assert set(demo_year["thrive"]) == set(THRIVE_GRADES)


def test_premises_calls_only_while_open_or_within_an_hour_of_closing(demo_year, demo_premises):
    hours = {r["premises_id"]: OpeningHours.from_row(r) for r in demo_premises.to_dict("records")}
    linked = demo_year[demo_year["true_premises_id"] != ""]
    hour = pd.Timedelta(minutes=60)
    bad = [
        (pid, t)
        for pid, t in zip(linked["true_premises_id"], linked["occurred_at"], strict=True)
        if not (hours[pid].is_open(t) or hours[pid].is_open(t - hour))
    ]
    assert bad == []
    clubs = set(demo_premises.loc[demo_premises["premises_type"] == "nightclub", "premises_id"])
    club_calls = linked[linked["true_premises_id"].isin(clubs)]
    assert len(club_calls) > 100
    # Nightclubs here open at 22:00: nothing between 06:00 and 21:59.
    assert not club_calls["occurred_at"].dt.hour.between(6, 21).any()


def test_some_calls_name_the_premises_or_carry_its_reference(demo_year, demo_premises):
    linked = demo_year[demo_year["true_premises_id"] != ""]
    names = demo_premises.set_index("premises_id")["name"]
    named = [
        n in text for n, text in zip(names[linked["true_premises_id"]], linked["location_text"], strict=True)
    ]
    assert 0.15 < np.mean(named) < 0.40
    ref = linked["premises_ref"] != ""
    assert (linked.loc[ref, "premises_ref"] == linked.loc[ref, "true_premises_id"]).all()
    street = demo_year[demo_year["true_premises_id"] == ""]
    assert (street["premises_ref"] == "").all()


def test_street_calls_fall_on_the_given_snap_points(small_premises):
    points = pd.DataFrame(
        {"x": [407000.0, 406500.0], "y": [286900.0, 286500.0], "location_text": ["On or near A", ""]}
    )
    calls = synth_calls(small_premises, points, SynthParams(calls_per_year=2000, premises_share=0.0), seed=3)
    assert set(zip(calls["x"], calls["y"], strict=True)) <= {(407000.0, 286900.0), (406500.0, 286500.0)}
    assert set(calls["location_text"]) <= {"On or near A", "Location not given"}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"end": dt.date(2024, 1, 1)}, "Expected end on or after start."),
        ({"premises_share": 1.5}, "Expected premises_share between 0 and 1."),
        ({"weekday_weights": (1, 1, 1)}, "Expected weekday_weights as 7 non-negative numbers"),
        ({"start": "07/10/2024"}, "Expected start as a date YYYY-MM-DD"),
        ({"type_rate": {"casino": 1.0}}, "Expected type_rate keys from"),
    ],
)
def test_params_check_themselves(changes, message):
    with pytest.raises(ValueError, match=message):
        SynthParams(**changes)


def test_synth_premises_for_benchmarks():
    p = synth_premises(500, seed=4)
    assert len(p) == 500 and p["premises_id"].is_unique
    assert set(PREMISES_COLUMNS) <= set(p.columns)
    assert p["synthetic"].all()
    assert p.equals(synth_premises(500, seed=4))


def test_licence_attributes_are_plausible(demo_premises):
    p = demo_premises
    clubs = p[p["premises_type"] == "nightclub"]
    assert (clubs["hours_sat"].str.startswith("22:00")).all()
    assert (clubs["hours_tue"] == "closed").all()
    assert clubs["door_supervision"].all() and (clubs["door_staff"] >= 2).all()
    lnr = p[p["premises_type"] == "late_night_refreshment"]
    assert lnr["dps"].isna().all()  # no alcohol, so no DPS
    assert p["synthetic"].all()
    assert 5 <= (p["intel_flags"] == "gang").sum() <= 20
    # Attributes depend on the id and seed only, not on the other rows.
    again = synth_licence_attributes(
        p[["premises_id", "name", "x", "y", "premises_type"]].iloc[::-1].reset_index(drop=True), seed=2025
    ).set_index("premises_id")
    mine = p.set_index("premises_id")
    for col in ("hours_fri", "capacity", "dps", "conditions"):
        assert again.loc[mine.index, col].fillna("").astype(str).equals(mine[col].fillna("").astype(str))


def test_visit_history_has_recent_breaches(demo_premises):
    v = synth_visits(demo_premises, SynthParams(), seed=2025)
    assert list(v.columns) == list(VISIT_COLUMNS)
    assert set(v["outcome"]) <= set(VISIT_OUTCOMES)
    recent = v[(v["outcome"] == "breach_found") & (v["visited_at"] >= pd.Timestamp("2025-09-15"))]
    assert len(recent) >= 2


# --- CLI ------------------------------------------------------------------------------


def test_cli_writes_calls_for_a_small_register(tmp_path):
    out = tmp_path / "calls.csv"
    args = ["synth", "--premises", str(SMALL), "--out", str(out), "--calls-per-year", "1500"]
    args += ["--start", "2025-01-06", "--end", "2025-03-30", "--seed", "5"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote ")
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert list(df.columns) == list(CALL_OUTPUT_COLUMNS)
    assert len(df) > 100
    assert pd.to_datetime(df["occurred_at"]).min() >= pd.Timestamp("2025-01-06")
    again = tmp_path / "again.csv"
    CliRunner().invoke(main, [*args[:4], str(again), *args[5:]])
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--start", "2025-02-01", "--end", "2025-01-01"], "Error: Expected end on or after start."),
        (["--start", "1 Feb"], "Error: Expected start as a date YYYY-MM-DD"),
    ],
)
def test_cli_rejects_bad_dates_in_one_line(tmp_path, args, message):
    result = CliRunner().invoke(
        main, ["synth", "--premises", str(SMALL), "--out", str(tmp_path / "c.csv"), *args]
    )
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert "Traceback" not in result.output
    assert not (tmp_path / "c.csv").exists()


def test_cli_without_premises_says_how_to_fix(tmp_path):
    result = CliRunner().invoke(main, ["synth", "--out", str(tmp_path / "c.csv")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: No premises given. Fix: pass --premises FILE")


# --- bundled data ---------------------------------------------------------------------


def test_bundled_calls_are_the_generators_output(demo_premises):
    """data/calls_demo.csv is exactly what the documented generator makes (seed 2025)."""
    spec = importlib.util.spec_from_file_location("build_demo", DATA / "build_demo.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    calls = synth_calls(demo_premises, build.street_points(DATA), SynthParams(), seed=build.SEED)
    bundled = pd.read_csv(DATA / "calls_demo.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(bundled) == len(calls)
    assert (bundled["call_id"] == calls["call_id"]).all()
    assert (bundled["location_text"] == calls["location_text"]).all()
    assert (bundled["premises_ref"] == calls["premises_ref"]).all()
    assert np.allclose(bundled["x"].astype(float), calls["x"])
    assert DATA.joinpath("calls_demo.csv").stat().st_size < 3_000_000


def test_bundled_staff_sheet_is_a_licensing_team():
    s = pd.read_csv(DATA / "staff.csv", encoding="utf-8-sig")
    assert set(s["role"]) <= set(STAFF_ROLES)
    counts = s["role"].value_counts()
    assert (
        counts["licensing_sergeant"] == 1 and counts["licensing_pc"] == 2 and counts["licensing_staff"] == 12
    )
    assert s.loc[s["role"] == "licensing_staff", "part_time"].any()
    sia = s[s["role"] == "sia_enforcement"]
    assert sia["avail_mon"].isna().all() and sia["avail_sat"].notna().all()


def test_bundled_data_loads_without_errors():
    load = pytest.importorskip("licvisit.io.load")
    from licvisit.config import load_config

    inputs = load.load_inputs(load_config(DATA / "licvisit.toml"))
    assert not inputs.report.errors
    assert len(inputs.premises) > 1400
    assert len(inputs.calls) > 15000
    assert len(inputs.zones) == 5
    assert len(inputs.staff) >= 15
    assert len(inputs.visits) > 500
    # Every zone holds a fair number of premises.
    import shapely

    for geom in inputs.zones.geometry:
        assert shapely.contains_xy(geom, inputs.premises["x"], inputs.premises["y"]).sum() >= 20


def test_cli_reads_premises_and_settings_from_config(tmp_path):
    cfg = tmp_path / "licvisit.toml"
    cfg.write_text(
        f'[inputs]\npremises = "{SMALL.as_posix()}"\n\n'
        '[synth]\ncalls_per_year = 800\nstart = "2025-01-06"\nend = "2025-02-02"\npremises_share = 1.0\n',
        encoding="utf-8",
    )
    out = tmp_path / "calls.csv"
    result = CliRunner().invoke(main, ["synth", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"premises_ref": str})
    when = pd.to_datetime(df["occurred_at"])
    assert when.min() >= pd.Timestamp("2025-01-06") and when.max() < pd.Timestamp("2025-02-03 06:00")
    assert 20 < len(df) < 150  # about 800 * 28 / 365 = 61


def test_cli_names_an_unknown_config_setting(tmp_path):
    cfg = tmp_path / "licvisit.toml"
    cfg.write_text("[synth]\ncalls = 5\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["synth", "--config", str(cfg), "--premises", str(SMALL), "--out", "x.csv"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: Config [synth]: unknown setting 'calls'. Expected one of ")


def test_edge_cases_give_clean_results(small_premises):
    import geopandas as gpd

    none = synth_calls(small_premises, None, SynthParams(calls_per_year=0), seed=1)
    assert len(none) == 0 and list(none.columns) == list(CALL_OUTPUT_COLUMNS)
    closed = small_premises.assign(
        **{f"hours_{d}": "closed" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    only_street = synth_calls(closed, None, SynthParams(calls_per_year=500), seed=1, truth=True)
    assert len(only_street) > 0 and (only_street["true_premises_id"] == "").all()
    geo = gpd.GeoDataFrame(
        small_premises.drop(columns=["x", "y"]),
        geometry=gpd.points_from_xy(small_premises["x"], small_premises["y"]),
        crs="EPSG:27700",
    )
    params = SynthParams(calls_per_year=500)
    pd.testing.assert_frame_equal(
        synth_calls(geo, None, params, seed=2), synth_calls(small_premises, None, params, seed=2)
    )
    with pytest.raises(ValueError, match="Expected at least one premises or street point."):
        synth_calls(small_premises.iloc[:0], None, params, seed=1)


def test_cli_on_a_register_without_licence_details_synthesises_them(tmp_path):
    """The real FHRS file has no hours: the command invents them (as the demo does) and says so."""
    out = tmp_path / "calls.csv"
    args = ["synth", "--premises", str(DATA / "fhrs_birmingham_2017_licensed.csv"), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--calls-per-year", "3000", "--end", "2025-01-31"])
    assert result.exit_code == 0, result.output
    assert "licence attributes were synthesised" in result.output
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"premises_ref": str})
    assert df["premises_ref"].notna().sum() > 10
