"""Vectorised value parsers shared by the readers: dates, booleans, codes, hours."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from licvisit.domain import parse_session
from licvisit.io.table import normalise_name, trim_text

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
    # 12-hour clocks of CAD exports ("03/01/2025 9:26 PM")
    ("%d/%m/%Y %I:%M:%S %p", True),
    ("%d/%m/%Y %I:%M %p", True),
    ("%Y-%m-%d %I:%M:%S %p", True),
    ("%Y-%m-%d %I:%M %p", True),
    ("%d/%m/%Y", False),
    ("%Y-%m-%d", False),
    ("%d-%m-%Y", False),
    ("%Y-%m", False),
    ("%m/%Y", False),
)
DATETIME_EXPECTED = "a date and time such as 2025-01-03 23:15 or 03/01/2025 23:15 (day first)"
# Dates outside these years are typing errors in a calls or visits export, and
# beyond 2262 they would overflow nanosecond datetimes: they count as bad dates.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def _plausible(values: pd.Series) -> np.ndarray:
    """True where a parsed timestamp lies in EARLIEST_YEAR..LATEST_YEAR (NaT -> False)."""
    years = values.dt.year
    return (years >= EARLIEST_YEAR).to_numpy(dtype=bool, na_value=False) & (years <= LATEST_YEAR).to_numpy(
        dtype=bool, na_value=False
    )


def parse_datetimes(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of dates/times.

    Returns (datetime64[ns] values with NaT, time_known bool, bad mask of
    non-blank values that are not dates).  Times with a UTC offset are
    converted to Europe/London wall-clock time.

    Each candidate format is tried on a sample first; the column is then
    parsed with Arrow's vectorised ``strptime``, and the day written is checked
    against the day parsed (Arrow would turn 31/02 into 03/03); values that
    fail that check are parsed strictly by pandas (and so rejected).
    """
    n = len(col)
    if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
        s = col.to_pandas()
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("Europe/London").dt.tz_localize(None)
        vals = pd.to_datetime(s).astype("datetime64[ns]").to_numpy()
        return vals, np.full(n, not pa.types.is_date(col.type)), np.zeros(n, dtype=bool)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    text = trim_text(col).combine_chunks()
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    known = np.zeros(n, dtype=bool)
    todo = pc.not_equal(text, "").to_numpy(zero_copy_only=False)
    if not todo.any():
        return out, known, np.zeros(n, dtype=bool)
    first = np.flatnonzero(todo[:4000])
    if len(first) < 2000:
        first = np.flatnonzero(todo)
    sample = text.take(pa.array(first[:2000]))  # the first 2,000 non-blank values
    hits = {
        f: int(len(sample) - pc.strptime(sample, format=f[0], unit="s", error_is_null=True).null_count)
        for f in DATETIME_FORMATS
    }
    formats = sorted((f for f in DATETIME_FORMATS if hits[f]), key=lambda f: -hits[f])
    formats += [f for f in DATETIME_FORMATS if not hits[f]]
    # The rows still to parse, and their text: shrunk after each format, so the
    # formats tried on the few leftover rows never touch the whole column again.
    idx = np.flatnonzero(todo)
    part = text if len(idx) == n else text.filter(pa.array(todo))
    for fmt, has_time in formats:
        remaining = len(idx)
        if not remaining:
            break
        if not hits[(fmt, has_time)] and remaining > 100_000:
            continue  # a format unseen in the sample is not worth a pass over millions of rows
        parsed = pc.strptime(part, format=fmt, unit="s", error_is_null=True)
        ok = pc.is_valid(parsed).to_numpy(zero_copy_only=False)
        if ok.any():
            years = pc.year(parsed)
            ok &= pc.fill_null(
                pc.and_(pc.greater_equal(years, EARLIEST_YEAR), pc.less_equal(years, LATEST_YEAR)), False
            ).to_numpy(zero_copy_only=False)
        if not ok.any():
            continue
        same = _day_matches(part, parsed, fmt)
        good = ok & same
        vals = parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
        if remaining == n:  # idx is 0..n-1: masks instead of index arrays
            np.copyto(out, vals, where=good)
            if has_time:
                known |= good
            todo &= ~good
        else:
            rows = idx[good]
            out[rows] = vals[good]
            known[rows] = has_time
            todo[rows] = False
        odd = ok & ~same  # parsed but not in canonical form, or an impossible date
        if odd.any():
            _pandas_parse(part.filter(pa.array(odd)), idx[odd], fmt, has_time, out, known, todo)
        left = todo[idx]
        if not left.all():
            idx = idx[left]
            part = part.filter(pa.array(left))
    if todo.any():
        # ISO 8601 with a UTC offset, fractional seconds, ...
        idx_all = np.flatnonzero(todo)
        part = pd.Series(text.filter(pa.array(todo)).to_pylist(), dtype=object)
        try:
            parsed = pd.to_datetime(part, format="ISO8601", errors="coerce", utc=True)
            parsed = parsed.dt.tz_convert("Europe/London").dt.tz_localize(None)
        except (ValueError, TypeError):
            parsed = pd.Series(pd.NaT, index=part.index)
        hit = _plausible(parsed)
        out[idx_all[hit]] = parsed[hit].astype("datetime64[ns]").to_numpy()
        known[idx_all[hit]] = True
        todo[idx_all[hit]] = False
    return out, known, todo


def _day_matches(part: pa.Array, parsed: pa.Array, fmt: str) -> np.ndarray:
    """True where the day written equals the day parsed (Arrow rolls 31/02 over to 03/03)."""
    if fmt.startswith("%d"):
        pattern = r"^(?P<d>\d{1,2})"
    elif fmt.startswith("%Y") and "%d" in fmt:
        pattern = r"^\d{4}[-/.]\d{1,2}[-/.](?P<d>\d{1,2})"
    else:
        return np.ones(len(part), dtype=bool)
    out = np.ones(len(part), dtype=bool)
    # A rolled-over date (31/02 -> 03/03) always lands on day 1, 2 or 3: check only those.
    early = pc.fill_null(pc.less_equal(pc.day(parsed), 3), False).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(early)
    if len(idx) == 0:
        return out
    sub = part.take(pa.array(idx))
    written = pc.struct_field(pc.extract_regex(sub, pattern), "d")
    same = pc.equal(pc.cast(pc.fill_null(written, "0"), pa.int64()), pc.day(parsed.take(pa.array(idx))))
    out[idx] = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    return out


def _pandas_parse(
    part: pa.Array,
    idx: np.ndarray,
    fmt: str,
    has_time: bool,
    out: np.ndarray,
    known: np.ndarray,
    todo: np.ndarray,
) -> None:
    """Strict pandas parse of a few values (rejects 31/02, accepts '3/1/2025').

    For each value it parses (position ``idx[i]``), writes the datetime64[ns] into
    ``out``, ``has_time`` into ``known`` and False into ``todo``.
    """
    try:
        parsed = pd.to_datetime(pd.Series(part.to_pylist(), dtype=object), format=fmt, errors="coerce")
    except (ValueError, OverflowError):  # pandas raises OutOfBoundsDatetime (a ValueError) for some years
        return
    hit = _plausible(parsed)
    out[idx[hit]] = parsed[hit].astype("datetime64[ns]").to_numpy()
    known[idx[hit]] = has_time
    todo[idx[hit]] = False


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "required", "x"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "not required", "", "none", "-"}


def parse_bools(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yes/No, True/False, 1/0 -> bool (blank = False); returns (values, bad mask)."""
    low = text.str.strip().str.lower()
    t = low.isin(_TRUE).to_numpy()
    f = low.isin(_FALSE).to_numpy()
    return t, ~(t | f)


def map_codes(
    text: pd.Series | pa.Array | pa.ChunkedArray,
    table: Mapping[str, str],
    *,
    unknown_as: str = "",
    blank_as: str = "",
) -> tuple[pd.Series, np.ndarray]:
    """Map text codes through ``table`` (keys compared by normalise_name).

    Returns (mapped str Series, with ``unknown_as`` for unmapped values and
    ``blank_as`` for blanks; mask of non-blank values not in ``table``).
    Only distinct values are looked up (Arrow dictionary encoding), so it is
    fast on millions of rows.
    """
    mapped, unknown = map_codes_arrow(text, table, unknown_as=unknown_as, blank_as=blank_as)
    return pc.cast(mapped, pa.string()).to_pandas().astype(str), unknown


def map_codes_arrow(
    text: pd.Series | pa.Array | pa.ChunkedArray,
    table: Mapping[str, str],
    *,
    unknown_as: str = "",
    blank_as: str = "",
) -> tuple[pa.DictionaryArray, np.ndarray]:
    """:func:`map_codes` with the mapped values left as an Arrow dictionary array.

    Filtering the result (dropping rows) then moves only the integer codes;
    cast it to ``pa.string()`` at the end.
    """
    keyed = {normalise_name(k): v for k, v in table.items()}
    enc = text if isinstance(text, pa.DictionaryArray) else encoded_text(text)
    uniques = enc.dictionary.to_pylist()
    mapped_u, unknown_u = [], []
    for u in uniques:
        blank = str(u).strip() == ""
        hit = keyed.get(normalise_name(u), "") if not blank else ""
        unknown_u.append(not blank and not hit)
        mapped_u.append(hit or (blank_as if blank else unknown_as))
    indices = enc.indices.to_numpy(zero_copy_only=False)
    mapped = _relabelled(indices, mapped_u)  # several codes map to one value
    if len(unknown_u):
        unknown = np.asarray(unknown_u, dtype=bool)[indices]
    else:
        unknown = np.zeros(len(enc), dtype=bool)
    return mapped, unknown


def encoded_text(text: pd.Series | pa.Array | pa.ChunkedArray, *, trim: bool = False) -> pa.DictionaryArray:
    """Text as one Arrow dictionary array (blanks and nulls as ''), each distinct value once.

    Encoding millions of calls' codes once lets every later step look at the
    few distinct values only (:func:`map_codes_arrow`, :func:`categorical`).
    ``trim``: strip surrounding whitespace, from the distinct values only (the
    same result as trimming every row first).
    """
    arr = text if isinstance(text, pa.Array | pa.ChunkedArray) else pa.array(text, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    enc = pc.dictionary_encode(pc.fill_null(arr, ""))
    if not trim:
        return enc
    words = enc.dictionary
    trimmed = pc.utf8_trim_whitespace(words)
    if trimmed.equals(words):
        return enc
    # " theft" and "theft" are one value once trimmed: their codes are merged
    return _relabelled(enc.indices.to_numpy(zero_copy_only=False), trimmed.to_pylist())


def _relabelled(indices: np.ndarray, labels: list[str] | list[str | None]) -> pa.DictionaryArray:
    """Dictionary codes ``indices`` with entry k relabelled ``labels[k]``: each label once in the dictionary."""
    values, inverse = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    codes = inverse.astype(np.int32)[indices] if len(indices) else np.zeros(0, np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values.tolist(), type=pa.string()))


def categorical(values: pa.DictionaryArray | pa.ChunkedArray) -> pd.Categorical:
    """An Arrow dictionary array (without nulls) as a pandas Categorical of the values it holds.

    The categories are the distinct values present, sorted, so the column groups,
    sorts and compares as the same text column would; its values are never copied
    per row.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    idx = values.indices.to_numpy(zero_copy_only=False)
    words = np.asarray(values.dictionary.to_pylist(), dtype=object).astype(str)
    present = np.bincount(idx, minlength=len(words)) > 0 if len(idx) else np.zeros(len(words), bool)
    cats, inverse = np.unique(words[present], return_inverse=True)
    if present.all() and (inverse == np.arange(len(words))).all():  # sorted already: the codes as they are
        return pd.Categorical.from_codes(idx, categories=cats, validate=False)
    remap = np.full(len(words), -1, dtype=np.int32)
    remap[present] = inverse
    return pd.Categorical.from_codes(remap[idx] if len(idx) else np.zeros(0, np.int32), categories=cats)


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


_WS = re.compile(r"\s+")


def join_text(parts: list[pd.Series], sep: str = ", ") -> pd.Series:
    """Join non-blank text columns row by row (address lines -> one line)."""
    if not parts:
        return pd.Series(dtype=str)
    frame = pd.concat([p.astype(str).str.strip() for p in parts], axis=1)
    return frame.apply(lambda r: sep.join(v for v in r if v and v.lower() != "nan"), axis=1).astype(str)


def const_text(value: str, n: int) -> pd.Series:
    """A str Series of ``n`` copies of ``value``, built in Arrow (fast for millions of rows).

    Built as ``large_string``, the layout pandas keeps its Arrow strings in, so
    pandas takes it over without another copy.
    """
    return pa.repeat(pa.scalar(value, pa.large_string()), n).to_pandas().astype(str)


def _strictly_increasing(arr: pa.Array) -> bool:
    """True if every value is longer than, or as long as and greater than, the one before.

    That order is strict and total, so such a column has no repeated value:
    ids exported in the order they were issued (INC9, INC10, ...) pass this
    check in one comparison of neighbours, without sorting.
    """
    n = len(arr)
    prev, nxt = arr.slice(0, n - 1), arr.slice(1)
    len_prev, len_next = pc.binary_length(prev), pc.binary_length(nxt)
    later = pc.or_(
        pc.greater(len_next, len_prev),
        pc.and_(pc.equal(len_next, len_prev), pc.greater(nxt, prev)),
    )
    return bool(pc.all(later).as_py())


def duplicated(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Mask of non-blank values seen before in the column (first occurrence not marked).

    Ids in issue order are recognised as distinct at once; otherwise a stable
    Arrow sort and one comparison of neighbours: much faster than hashing
    millions of distinct ids.
    """
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    arr = pc.fill_null(arr, "")
    n = len(arr)
    out = np.zeros(n, dtype=bool)
    if n < 2 or _strictly_increasing(arr):
        return out
    order = pc.sort_indices(arr)  # stable: among equal ids the earlier row comes first
    ordered = arr.take(order)
    same = pc.equal(ordered.slice(1), ordered.slice(0, n - 1))
    same = pc.and_(same, pc.not_equal(ordered.slice(1), ""))
    hit = np.flatnonzero(same.to_numpy(zero_copy_only=False)) + 1
    if len(hit):
        out[order.to_numpy()[hit]] = True
    return out
