"""Naive reference pipeline for `licvisit rank`: what an analyst would write first.

pandas read of the calls and premises CSVs, geopandas ``sjoin_nearest`` with a
50 m limit, harm weight per call, group-by sum per premises, sort.  No
shrinkage, no hours, no ties, no sensitivity, no outputs: it is the yardstick
that ``benchmarks/bench_rank.py`` times ``rank_premises`` against.

Run: .venv/bin/python benchmarks/naive_rank.py CALLS.csv PREMISES.csv
"""

from __future__ import annotations

import sys
import time

import geopandas as gpd
import pandas as pd

from licvisit.core.risk.harm import harm_weights


def naive_rank(calls_csv: str, premises_csv: str, radius_m: float = 50.0) -> pd.DataFrame:
    """Return premises_id and summed harm, highest first."""
    calls = pd.read_csv(calls_csv, engine="pyarrow")  # the fast reader, as an analyst would use today
    prem = pd.read_csv(premises_csv)
    cg = gpd.GeoDataFrame(calls, geometry=gpd.points_from_xy(calls["x"], calls["y"]), crs="EPSG:27700")
    pg = gpd.GeoDataFrame(
        prem[["premises_id", "x", "y"]], geometry=gpd.points_from_xy(prem["x"], prem["y"]), crs="EPSG:27700"
    )
    joined = gpd.sjoin_nearest(
        cg, pg[["premises_id", "geometry"]], max_distance=radius_m, how="inner", distance_col="distance_m"
    )
    joined["harm"] = joined["category"].map(harm_weights("cchi")).fillna(1.0)
    out = joined.groupby("premises_id")["harm"].sum().sort_values(ascending=False)
    return out.reset_index()


if __name__ == "__main__":
    t = time.perf_counter()
    r = naive_rank(sys.argv[1], sys.argv[2])
    print(r.head(10).to_string())
    print(f"naive pipeline: {time.perf_counter() - t:.2f} s")
