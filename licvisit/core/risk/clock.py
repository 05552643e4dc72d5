"""Time of a call as the risk stage reads it: dates as days, local clock time, opening hours as arrays.

Shared by attribution, the score and the backtest, so none of them reaches into another's privates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS, parse_session


def to_days(ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Datetimes -> float days since 1970-01-01 (NaN for NaT)."""
    v = pd.to_datetime(ts, errors="coerce")
    ns = np.asarray(v.astype("datetime64[ns]").astype("int64"), dtype=np.float64)
    ns[np.asarray(pd.isna(v))] = np.nan
    return ns / 86_400e9


def _call_days(calls: pd.DataFrame, time_known: np.ndarray) -> np.ndarray:
    """Each call's date in days since 1970 (NaN if missing); month-only records dated mid-month."""
    ns, valid = datetime_ns(calls["occurred_at"])
    day = np.where(valid, ns / 86_400e9, np.nan)
    return np.where(time_known, day, day + 14.5)


def is_month_only(calls: pd.DataFrame) -> bool:
    """True when most calls have month-only dates (police.uk)."""
    if not len(calls) or "time_known" not in calls.columns:
        return False
    return float((~calls["time_known"].fillna(False).to_numpy(bool)).mean()) > 0.5


def hours_arrays(premises: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (start, end, known): sessions [min] per premises and weekday (Mon first).

    ``start``/``end`` are float arrays of shape (n, 7), NaN where closed that
    day; ``known`` is False for premises with no hours at all (e.g. FHRS), which
    are treated as open whenever asked.  Unparseable hours count as unknown.
    """
    n = len(premises)
    start = np.full((n, 7), np.nan)
    end = np.full((n, 7), np.nan)
    known = np.zeros(n, dtype=bool)
    cols = [f"hours_{d}" for d in WEEKDAYS]
    if n == 0 or not all(c in premises.columns for c in cols):
        return start, end, known
    cache: dict[Any, tuple[int, int] | None | bool] = {}
    any_given = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    for j, c in enumerate(cols):
        values = premises[c].to_numpy(dtype=object)
        # hashing, not sorting: each distinct text is parsed once
        inv, uniq_index = pd.factorize(pd.Series(values).fillna("").astype(str).to_numpy(dtype=object))
        uniq = [str(u) for u in uniq_index]
        parsed = []
        for u in uniq:
            if u not in cache:
                try:
                    cache[u] = parse_session(u)
                except ValueError:
                    cache[u] = False
            parsed.append(cache[u])
        s = np.array([p[0] if isinstance(p, tuple) else np.nan for p in parsed], dtype=float)
        e = np.array([p[1] if isinstance(p, tuple) else np.nan for p in parsed], dtype=float)
        given = np.array([u.strip() != "" and u.strip().lower() != "nan" for u in uniq])
        invalid = np.array([p is False for p in parsed])
        start[:, j], end[:, j] = s[inv], e[inv]
        any_given |= given[inv]
        bad |= invalid[inv]
    known = any_given & ~bad
    start[~known] = np.nan
    end[~known] = np.nan
    return start, end, known


def open_at(
    start: np.ndarray,
    end: np.ndarray,
    known: np.ndarray,
    prem: np.ndarray,
    weekday: np.ndarray,
    minute: np.ndarray,
) -> np.ndarray:
    """Vectorised ``OpeningHours.is_open``: True/False, True where hours are unknown."""
    # (premises, weekday) as one index into the flattened (n, 7) arrays: quicker than 2-D indexing
    at = prem * 7
    start_f, end_f = start.ravel(), end.ravel()
    today_s = start_f.take(at + weekday)
    today_e = end_f.take(at + weekday)
    y_e = end_f.take(at + (weekday + 6) % 7)  # the day before
    with np.errstate(invalid="ignore"):
        is_open = ((today_s <= minute) & (minute < today_e)) | (minute + 1440 < y_e)
    return is_open | ~known[prem]


def datetime_ns(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (int64 nanoseconds since 1970, valid mask) for a datetime-like column, fast."""
    v = values
    if not pd.api.types.is_datetime64_any_dtype(v):
        v = pd.to_datetime(v, errors="coerce")
    if getattr(v.dt, "tz", None) is not None:
        v = v.dt.tz_localize(None)
    ns = np.asarray(v.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype(np.int64))
    valid = ns != np.iinfo(np.int64).min
    return ns, valid


def call_time_known(calls: pd.DataFrame, valid: np.ndarray | None = None) -> np.ndarray:
    """True for calls with a time of day: ``time_known`` (True if absent) and a date (``valid``)."""
    n = len(calls)
    if "occurred_at" not in calls.columns:
        return np.zeros(n, bool)
    if valid is None:
        valid = datetime_ns(calls["occurred_at"])[1]
    tk = (
        calls["time_known"].fillna(False).to_numpy(dtype=bool)
        if "time_known" in calls.columns
        else np.ones(n, dtype=bool)
    )
    return tk & valid


def call_clock(calls: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (time_known, weekday Mon=0, minute of day) arrays for the calls (integer arithmetic)."""
    n = len(calls)
    if "occurred_at" not in calls.columns:
        return np.zeros(n, bool), np.zeros(n, np.int64), np.zeros(n, np.int64)
    ns, valid = datetime_ns(calls["occurred_at"])
    tk = call_time_known(calls, valid)
    minutes = np.where(valid, ns, 0) // 60_000_000_000
    days = minutes // 1440
    minute = minutes - days * 1440
    days += 3  # 1970-01-01 was a Thursday
    wd = days - (days // 7) * 7  # == days % 7 (floor division), and several times quicker
    return tk, wd, minute
