"""Read a postcode lookup (ONS Postcode Directory style) and geocode premises by postcode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from licvisit.errors import Problem
from licvisit.io.geo import find_coordinate_columns, locate
from licvisit.io.parse import postcode_key
from licvisit.io.table import closest, normalise_name, read_table
from licvisit.io.validate import FileSummary, ProblemLog

POSTCODE_HEADERS = ("postcode", "pcds", "pcd", "pcd2", "post_code", "postcode_no_space")


def read_postcodes(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a postcode lookup CSV: ``postcode`` plus latitude/longitude or easting/northing.

    Returns a DataFrame with ``postcode``, ``key`` (upper case, no spaces), ``x``, ``y``
    (EPSG:27700), one row per postcode, and the problems found.
    """
    df, problems, _ = postcodes_with_summary(path)
    return df, problems


def postcodes_with_summary(path: str | Path) -> tuple[pd.DataFrame, list[Problem], FileSummary]:
    p = Path(path)
    log = ProblemLog(str(p), "postcodes")
    empty = pd.DataFrame(
        {
            "postcode": pd.Series(dtype=str),
            "key": pd.Series(dtype=str),
            "x": pd.Series(dtype=float),
            "y": pd.Series(dtype=float),
        }
    )
    if not p.is_file():
        log.error("no such file", "a postcode lookup CSV", "check the path given to --postcodes")
        return empty, log.problems, log.summary
    raw = read_table(p, log)
    if raw is None:
        return empty, log.problems, log.summary
    log.summary.format = "postcode lookup CSV"
    log.summary.notes += raw.notes
    keyed = {normalise_name(c): c for c in raw.columns}
    pc_col = next((keyed[h] for h in POSTCODE_HEADERS if h in keyed), None)
    pair = find_coordinate_columns(raw.columns)
    if pc_col is None or pair is None:
        missing = "postcode" if pc_col is None else "latitude/longitude"
        near = closest(missing.split("/")[0], raw.columns)
        log.error(
            f'no "{missing}" column; columns are {", ".join(raw.columns[:8])}',
            "a postcode lookup with columns postcode, latitude, longitude (or easting, northing)",
            f'rename "{near}"' if near else "use an ONS Postcode Directory style CSV",
            field=missing,
        )
        return empty, log.problems, log.summary
    a, b, named = pair
    va, _ = raw.numbers(a)
    vb, _ = raw.numbers(b)
    x, y, unlocated = locate(va, vb, named, log, (a, b))
    log.rows(
        unlocated,
        f"{a}/{b}",
        "a blank location",
        "coordinates for every postcode",
        "none needed: this postcode cannot be used for geocoding",
        "location missing",
    )
    text = raw.text(pc_col)
    key = postcode_key(text).to_numpy()
    log.rows(key == "", pc_col, "a blank", "a postcode", "delete the row", "postcode missing")
    keep = log.keep
    out = pd.DataFrame({"postcode": text.to_numpy()[keep], "key": key[keep], "x": x[keep], "y": y[keep]})
    out = out.drop_duplicates("key", keep="first").reset_index(drop=True)
    log.finish(raw.rows_read, int(keep.sum()))
    return out, log.problems, log.summary


def geocode(keys: np.ndarray, lookup: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Look postcodes (already keyed by :func:`postcode_key`) up; return x, y, found."""
    idx = pd.Index(lookup["key"]).get_indexer(keys)
    found = idx >= 0
    x = np.where(found, lookup["x"].to_numpy()[np.maximum(idx, 0)], np.nan)
    y = np.where(found, lookup["y"].to_numpy()[np.maximum(idx, 0)], np.nan)
    return x, y, found
