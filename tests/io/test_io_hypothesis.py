"""The readers never crash on arbitrary CSV text: they return a result or clean problems."""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licvisit.errors import LicvisitError, Problem
from licvisit.io import read_calls, read_premises, read_staff, read_visits

HEADERS = [
    "call_id",
    "occurred_at",
    "category",
    "thrive",
    "x",
    "y",
    "longitude",
    "latitude",
    "premises_id",
    "name",
    "postcode",
    "hours_fri",
    "capacity",
    "officer_id",
    "role",
    "avail_fri",
    "base_easting",
    "base_northing",
    "visited_at",
    "outcome",
    "Crime ID",
    "Month",
    "Crime type",
    "Longitude",
    "Latitude",
    "Location",
]
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "2025-01-03 23:15", "31/02/2025", "-1.9", "52.47", "406950", "286560", "NaN", "£5", '"', "pub"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@st.composite
def csv_texts(draw):
    if draw(st.booleans()):
        return draw(st.text(max_size=300))
    cols = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(cols) + 1), max_size=6))
    lines = [sep.join(cols)] + [sep.join(r) for r in rows]
    return "\n".join(lines)


READERS = [
    lambda p: read_calls(p),
    lambda p: read_premises(p),
    lambda p: read_staff(p, dt.date(2025, 1, 6)),
    lambda p: read_visits(p, ["P1"]),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), which=st.integers(0, 3))
def test_readers_never_crash(tmp_path, text, encoding, which):
    path = tmp_path / "input.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        data, problems = READERS[which](path)
    except LicvisitError:
        return
    assert all(isinstance(p, Problem) for p in problems)
    assert all(str(p) for p in problems)
    assert isinstance(data, list | pd.DataFrame)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), which=st.integers(0, 3))
def test_readers_never_crash_on_bytes(tmp_path, data, which):
    path = tmp_path / "input.csv"
    path.write_bytes(data)
    try:
        _, problems = READERS[which](path)
    except LicvisitError:
        return
    assert all(isinstance(p, Problem) for p in problems)
