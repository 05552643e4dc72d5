"""Atomic, Excel-safe writers in licvisit.io.write."""

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from licvisit.io.write import (
    atomic_path,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    write_csv,
    write_gpkg,
    write_json,
)


def test_atomic_write_text_and_bytes(tmp_path):
    p = atomic_write_text(tmp_path / "sub" / "a.txt", "£5 entry")
    assert p.read_text(encoding="utf-8") == "£5 entry"
    atomic_write_bytes(p, b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    atomic_write(p, "x")
    assert p.read_text() == "x"
    assert sorted(f.name for f in p.parent.iterdir()) == ["a.txt"]


def test_atomic_path_failure_leaves_old_file_and_no_temp(tmp_path):
    dest = tmp_path / "plan.csv"
    dest.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert dest.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["plan.csv"]


def test_atomic_path_success(tmp_path):
    with atomic_path(tmp_path / "out.txt") as tmp:
        assert tmp.parent == tmp_path
        tmp.write_text("done")
    assert (tmp_path / "out.txt").read_text() == "done"
    assert [f.name for f in tmp_path.iterdir()] == ["out.txt"]


def test_write_csv_is_excel_safe(tmp_path):
    df = pd.DataFrame(
        {
            "name": ['=HYPERLINK("x")', "+44 121", "-rate", "@SUM(A1)", "\tcmd", "The Victoria", None],
            "value": [-1.5, 2.0, -3.0, 4.0, 5.0, np.nan, 7.0],
            "n": [-1, 2, 3, 4, 5, 6, 7],
            "when": pd.to_datetime(["2025-01-03 23:15"] * 7),
            "ok": [True, False, True, True, False, True, False],
        }
    )
    path = write_csv(df, tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "name,value,n,when,ok"
    # pyarrow's writer quotes every text cell and writes booleans as true/false;
    # Excel reads both the same as unquoted text and TRUE/FALSE.
    assert lines[1] == '"\'=HYPERLINK(""x"")",-1.5,-1,"2025-01-03T23:15:00",true'
    assert lines[2] == '"\'+44 121",2,2,"2025-01-03T23:15:00",false'
    assert lines[3].startswith('"\'-rate",-3,3,')
    assert lines[4].startswith('"\'@SUM(A1)",')
    assert lines[5].startswith('"\'\tcmd",')
    assert lines[6].startswith('"The Victoria",,6,')
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["value"].dtype == float and back["n"].dtype == np.int64


def test_write_csv_geodataframe(tmp_path):
    gdf = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(406000, 286000)], crs="EPSG:27700")
    text = write_csv(gdf, tmp_path / "g.csv").read_text(encoding="utf-8-sig")
    assert "POINT (406000 286000)" in text


def test_write_json_handles_dates_numpy_nan(tmp_path):
    obj = {
        "d": dt.date(2025, 1, 6),
        "t": pd.Timestamp("2025-01-06 22:00"),
        "i": np.int64(3),
        "f": np.float32(0.5),
        "nan": float("nan"),
        "npnan": np.float64("nan"),
        "arr": np.array([1.0, np.nan]),
        "b": np.bool_(True),
    }
    path = write_json(obj, tmp_path / "o.json")
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "d": "2025-01-06",
        "t": "2025-01-06T22:00:00",
        "i": 3,
        "f": 0.5,
        "nan": None,
        "npnan": None,
        "arr": [1.0, None],
        "b": True,
    }


def test_write_gpkg_round_trip(tmp_path):
    gdf = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(1, 2), Point(3, 4)], crs="EPSG:27700")
    path = write_gpkg(gdf, tmp_path / "p.gpkg", layer="premises")
    back = gpd.read_file(path, layer="premises")
    assert list(back["id"]) == ["a", "b"] and back.crs.to_epsg() == 27700
    assert [f.name for f in tmp_path.iterdir()] == ["p.gpkg"]
