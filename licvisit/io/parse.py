"""Vectorised value parsers shared by the readers: dates, booleans, codes, hours."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from licvisit.domain import parse_session
from licvisit.io.table import normalise_name, text_series

# Tried in order on a sample; UK day-first forms before anything American.
DATETIME_FORMATS = (
    ("%Y-%m-%d %H:%M:%S", True),
    ("%Y-%m-%dT%H:%M:%S", True),
    ("%Y-%m-%d %H:%M", True),
    ("%Y-%m-%dT%H:%M", True),
    ("%d/%m/%Y %H:%M:%S", True),
    ("%d/%m/%Y %H:%M", True),
    ("%d-%m-%Y %H:%M:%S", True),
    ("%d-%m-%Y %H:%M", True),
    ("%d.%m.%Y %H:%M", True),
    ("%Y/%m/%d %H:%M:%S", True),
    ("%Y/%m/%d %H:%M", True),
    ("%d/%m/%Y", False),
    ("%Y-%m-%d", False),
    ("%d-%m-%Y", False),
    ("%Y-%m", False),
    ("%m/%Y", False),
)
DATETIME_EXPECTED = "a date and time such as 2025-01-03 23:15 or 03/01/2025 23:15 (day first)"


def parse_datetimes(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of dates/times.

    Returns (datetime64[ns] values with NaT, time_known bool, bad mask of
    non-blank values that are not dates).  Times with a UTC offset are
    converted to Europe/London wall-clock time.
    """
    n = len(col)
    if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
        s = col.to_pandas()
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("Europe/London").dt.tz_localize(None)
        vals = pd.to_datetime(s).astype("datetime64[ns]").to_numpy()
        return vals, np.full(n, not pa.types.is_date(col.type)), np.zeros(n, dtype=bool)
    text = text_series(col)
    blank = (text == "").to_numpy()
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    known = np.zeros(n, dtype=bool)
    todo = ~blank
    if not todo.any():
        return out, known, np.zeros(n, dtype=bool)
    # Few distinct values (police.uk months): parse each once.
    sample = text[todo].iloc[:2000]
    hits = {
        f: int(pd.to_datetime(sample, format=f[0], errors="coerce").notna().sum()) for f in DATETIME_FORMATS
    }
    formats = sorted((f for f in DATETIME_FORMATS if hits[f]), key=lambda f: -hits[f])
    formats += [f for f in DATETIME_FORMATS if not hits[f]]
    for fmt, has_time in formats:
        if not todo.any():
            break
        if not hits[(fmt, has_time)] and todo.sum() > 100_000:
            continue  # a format unseen in the sample is not worth a pass over millions of rows
        part = text[todo]
        parsed = pd.to_datetime(part, format=fmt, errors="coerce")
        hit = parsed.notna().to_numpy()
        if not hit.any():
            continue
        idx = np.flatnonzero(todo)[hit]
        out[idx] = parsed[hit].astype("datetime64[ns]").to_numpy()
        known[idx] = has_time
        todo[idx] = False
    if todo.any():
        # ISO 8601 with a UTC offset, fractional seconds, ...
        part = text[todo]
        idx_all = np.flatnonzero(todo)
        try:
            parsed = pd.to_datetime(part, format="ISO8601", errors="coerce", utc=True)
            parsed = parsed.dt.tz_convert("Europe/London").dt.tz_localize(None)
        except (ValueError, TypeError):
            parsed = pd.Series(pd.NaT, index=part.index)
        hit = parsed.notna().to_numpy()
        out[idx_all[hit]] = parsed[hit].astype("datetime64[ns]").to_numpy()
        known[idx_all[hit]] = True
        todo[idx_all[hit]] = False
    return out, known, todo


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "required", "x"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "not required", "", "none", "-"}


def parse_bools(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yes/No, True/False, 1/0 -> bool (blank = False); returns (values, bad mask)."""
    low = text.str.strip().str.lower()
    t = low.isin(_TRUE).to_numpy()
    f = low.isin(_FALSE).to_numpy()
    return t, ~(t | f)


def map_codes(text: pd.Series, table: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Map text codes through ``table`` (keys compared by normalise_name).

    Returns (mapped object array with '' where unmapped, unmapped mask over
    non-blank values).  Only distinct values are looked up, so it is fast on
    millions of rows.
    """
    keyed = {normalise_name(k): v for k, v in table.items()}
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    mapped_u = np.array([keyed.get(normalise_name(u), "") for u in uniques] + [""], dtype=object)
    mapped = mapped_u[codes]  # -1 -> last ('')
    blank_u = np.array([str(u).strip() == "" for u in uniques] + [True])
    unknown = (mapped == "") & ~blank_u[codes]
    return mapped, unknown


def check_hours(text: pd.Series) -> np.ndarray:
    """Mask of values that are not licensed hours ('HH:MM-HH:MM', 'closed', blank)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    bad_u = []
    for u in uniques:
        try:
            parse_session(u)
            bad_u.append(False)
        except ValueError:
            bad_u.append(True)
    bad_u.append(False)
    return np.array(bad_u)[codes]


def postcode_key(text: pd.Series) -> pd.Series:
    """'b1 1aa', 'B11AA ' -> 'B11AA' (case and spacing removed) for matching."""
    return text.astype(str).str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)


def tidy_postcode(text: pd.Series) -> pd.Series:
    """'b11aa' -> 'B1 1AA' (outward and inward code separated by one space)."""
    key = postcode_key(text)
    return key.where(key.str.len() < 5, key.str[:-3] + " " + key.str[-3:])


def arrow_text_equal(col: pa.ChunkedArray, value: str) -> np.ndarray:
    return pc.fill_null(pc.equal(col, value), False).to_numpy(zero_copy_only=False)


_WS = re.compile(r"\s+")


def join_text(parts: list[pd.Series], sep: str = ", ") -> pd.Series:
    """Join non-blank text columns row by row (address lines -> one line)."""
    if not parts:
        return pd.Series(dtype=str)
    frame = pd.concat([p.astype(str).str.strip() for p in parts], axis=1)
    return frame.apply(lambda r: sep.join(v for v in r if v and v.lower() != "nan"), axis=1).astype(str)
