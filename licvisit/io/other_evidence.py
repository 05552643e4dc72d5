"""Read evidence beyond police data: ambulance call-outs, A&E assaults, noise or litter complaints.

Any CSV with a date or month, a location (longitude/latitude, easting/northing
or x/y) or a zone name, and a category.  Headers are matched exactly as for
calls (``licvisit.io.calls.resolve_fields``: ``[mapping.other_evidence]``
first, then the aliases), rows are checked the same way, and categories are
kept exactly as the source names them (no mapping onto police categories).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from licvisit.errors import Problem
from licvisit.fields import OTHER_ALIASES
from licvisit.io.calls import _cell, _list, _series, _text, coordinates, resolve_fields
from licvisit.io.parse import DATETIME_EXPECTED, const_text, parse_datetimes
from licvisit.io.table import closest, read_table
from licvisit.io.validate import FileSummary, ProblemLog

KIND = "other_evidence"
OTHER_EVIDENCE_COLUMNS = {
    "occurred_at": "datetime64: when (first of the month for month-only sources)",
    "time_known": "bool: False when only the date or month is known",
    "category": "str: the category exactly as the source names it",
    "zone": "str: zone name given in the source instead of a location, or ''",
    "x": "float: easting [m], EPSG:27700 (NaN when only a zone is given)",
    "y": "float: northing [m], EPSG:27700",
    "source": "str: the source's name (from the file name)",
    "source_file": "str: file the row came from",
    "source_row": "int: row number in that file (header = 1)",
}


def source_label(path: Path) -> str:
    """'ambulance_callouts_2017.csv' -> 'Ambulance callouts 2017'."""
    return path.stem.replace("_", " ").replace("-", " ").strip().capitalize() or path.name


def empty_other_evidence() -> pd.DataFrame:
    df = pd.DataFrame({c: [] for c in OTHER_EVIDENCE_COLUMNS})
    df["occurred_at"] = df["occurred_at"].astype("datetime64[ns]")
    for c in ("x", "y"):
        df[c] = df[c].astype(float)
    df["time_known"] = df["time_known"].astype(bool)
    df["source_row"] = df["source_row"].astype(np.int64)
    return df


def other_evidence_with_summary(
    path: str | Path, mapping: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list[Problem], FileSummary]:
    """Read one other-evidence CSV.

    Parameters
    ----------
    path : the CSV file
    mapping : glossary name -> header in the file (``[mapping.other_evidence]``)

    Returns
    -------
    (DataFrame with ``OTHER_EVIDENCE_COLUMNS``, problems, summary)
        Rows with a bad or missing date, or with neither a location nor a zone
        name, are left out and listed as warnings; a missing date or category
        column, or no location and no zone column, makes the file unusable.
    """
    p = Path(path)
    log = ProblemLog(str(p), KIND)
    if not p.is_file():
        log.error("no such file", "an existing CSV file", "check the path given to --other-evidence")
        return empty_other_evidence(), log.problems, log.summary
    raw = read_table(p, log)
    if raw is None:
        return empty_other_evidence(), log.problems, log.summary
    log.summary.format = "CSV with column mapping" if mapping else "CSV with glossary headers"
    fields = resolve_fields(raw, mapping, log, KIND, OTHER_ALIASES, required=("occurred_at", "category"))
    if fields is None:
        log.finish(raw.rows_read, 0)
        return empty_other_evidence(), log.problems, log.summary
    n = len(raw)
    xy = coordinates(raw, fields, log)
    if xy is None and "zone" not in fields:
        near = closest("zone", raw.columns) or closest("longitude", raw.columns)
        log.error(
            f"no location columns and no zone column; columns are {_list(raw.columns)}",
            "longitude/latitude or easting/northing columns, or a zone column naming the NTE zone",
            (f'rename "{near}" or ' if near else "") + "name them in [mapping.other_evidence]",
        )
        log.finish(raw.rows_read, 0)
        return empty_other_evidence(), log.problems, log.summary
    x, y, missing = xy if xy is not None else (np.full(n, np.nan), np.full(n, np.nan), np.ones(n, bool))
    zone = _series(_text(raw, fields["zone"])) if "zone" in fields else pd.Series([""] * n)
    zone = zone.where(zone.str.lower() != "nan", "").to_numpy(str)
    log.rows(
        missing & (zone == ""),
        None,
        "a blank location and no zone",
        "coordinates or a zone name for every row",
        "add the location or zone, or delete the row",
        "location missing",
    )
    when, time_known, bad = parse_datetimes(raw.table.column(fields["occurred_at"]))
    blank = np.isnat(when) & ~bad
    log.rows(bad, fields["occurred_at"], _cell(raw, fields["occurred_at"]), DATETIME_EXPECTED,
             "correct the date or delete the row", "date not understood")  # fmt: skip
    log.rows(blank, fields["occurred_at"], "a blank", DATETIME_EXPECTED, "add the date or delete the row",
             "date missing")  # fmt: skip
    cat = _series(_text(raw, fields["category"])).to_numpy(str)
    log.rows(cat == "", fields["category"], "a blank", "a category", "add the category or delete the row",
             "category missing")  # fmt: skip
    keep = log.keep
    k = int(keep.sum())
    df = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(when[keep]).astype("datetime64[ns]"),
            "time_known": np.asarray(time_known, bool)[keep],
            "category": cat[keep],
            "zone": zone[keep],
            "x": np.asarray(x, float)[keep],
            "y": np.asarray(y, float)[keep],
            "source": const_text(source_label(p), k).to_numpy(str),
            "source_file": const_text(str(p), k).to_numpy(str),
            "source_row": np.asarray(raw.row_numbers, np.int64)[keep],
        }
    )
    df.loc[~np.isfinite(df["x"]) | ~np.isfinite(df["y"]), ["x", "y"]] = np.nan
    if len(df):
        first, last = df["occurred_at"].min(), df["occurred_at"].max()
        log.note(
            f"{source_label(p)}: dates {first:%Y-%m-%d} to {last:%Y-%m-%d}; {df['category'].nunique()} categories"
        )
    log.finish(raw.rows_read, len(df))
    return df, log.problems, log.summary
