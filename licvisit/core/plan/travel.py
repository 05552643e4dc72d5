"""Estimate travel times between premises and bases from straight-line distance.

Inside one night-time-economy zone crews walk; between zones (or outside
any zone) they drive, with a fixed overhead for parking and getting back to
the vehicle.  Distances are straight-line × a circuity factor (street
networks are typically 1.2-1.4 × the crow-fly distance in British towns;
Ballou et al. 2002, "Selected country circuity factors for road travel
distance estimation", Transportation Research A 36(9)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

NO_ZONE = ""


def travel_minutes(
    x: np.ndarray,
    y: np.ndarray,
    zone: np.ndarray | None = None,
    *,
    walk_kmh: float = 4.8,
    drive_kmh: float = 25.0,
    circuity: float = 1.3,
    drive_overhead_min: float = 5.0,
) -> np.ndarray:
    """Return an (n, n) matrix of travel times [min] between points.

    Parameters
    ----------
    x, y : eastings and northings [m] (EPSG:27700).
    zone : zone id per point ('' = outside every zone); points in the same
        non-empty zone are walked, every other pair is driven.
    walk_kmh, drive_kmh : speeds [km/h].
    circuity : street distance / straight-line distance [-].
    drive_overhead_min : added to every driven leg [min].
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) * circuity
    walk = d / (walk_kmh * 1000 / 60)
    drive = d / (drive_kmh * 1000 / 60) + drive_overhead_min
    if zone is None:
        same = np.zeros(d.shape, dtype=bool)
    else:
        z = np.asarray(zone, dtype=object)
        same = (z[:, None] == z[None, :]) & (z[:, None] != NO_ZONE)
    out = np.where(same, walk, drive)
    # Driving never takes longer than walking would: short hops between zones are walked.
    out = np.minimum(out, walk)
    np.fill_diagonal(out, 0.0)
    return out


def zone_of_points(x: np.ndarray, y: np.ndarray, zones: Any) -> np.ndarray:
    """Return the zone_id containing each point ('' where none), or all '' without zones."""
    n = len(x)
    if zones is None or len(zones) == 0:
        return np.array([NO_ZONE] * n, dtype=object)
    import geopandas as gpd  # local: the planner runs without geopandas when no zones are given

    pts = gpd.GeoDataFrame(
        {"_i": np.arange(n)}, geometry=gpd.points_from_xy(np.asarray(x), np.asarray(y)), crs=zones.crs
    )
    joined = gpd.sjoin(pts, zones[["zone_id", "geometry"]], how="left", predicate="within")
    joined = joined.sort_values(["_i", "zone_id"]).drop_duplicates("_i")
    out = joined["zone_id"].astype(object).where(joined["zone_id"].notna(), NO_ZONE)
    return np.array([str(v) for v in out.to_numpy()], dtype=object)


def matrix_from_table(table: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """Build an (n, n) travel-time matrix [min] for ``ids`` from a long table.

    ``table`` has columns ``from_id``, ``to_id``, ``travel_min``; missing
    pairs raise ValueError naming the first one.
    """
    need = {"from_id", "to_id", "travel_min"}
    if not need.issubset(table.columns):
        raise ValueError(f"Expected travel matrix columns {sorted(need)}.")
    pos = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    out = np.full((n, n), np.nan)
    np.fill_diagonal(out, 0.0)
    for a, b, t in table[["from_id", "to_id", "travel_min"]].itertuples(index=False):
        if a in pos and b in pos:
            out[pos[a], pos[b]] = float(t)
    if np.isnan(out).any():
        i, j = np.argwhere(np.isnan(out))[0]
        raise ValueError(f"Expected a travel time from {ids[i]} to {ids[j]} in the travel matrix.")
    return out
