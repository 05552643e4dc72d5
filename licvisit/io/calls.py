"""Read calls for service and crime records: police.uk downloads, police.uk API CSVs, force exports.

Every source ends as one DataFrame with exactly the columns of
``licvisit.domain.CALL_COLUMNS`` (x, y in EPSG:27700).  Readers never print:
they return the data and a list of :class:`~licvisit.errors.Problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from licvisit.domain import (
    CALL_COLUMNS,
    GENERIC_CATEGORIES,
    POLICE_UK_CATEGORIES,
    POLICE_UK_SLUGS,
    THRIVE_GRADES,
)
from licvisit.errors import ConfigError, Problem
from licvisit.fields import CALL_ALIASES, LOCATION_FIELDS
from licvisit.io.geo import BngJob, find_coordinate_columns, locate
from licvisit.io.parse import (
    DATETIME_EXPECTED,
    categorical,
    const_text,
    duplicated,
    encoded_text,
    map_codes,
    map_codes_arrow,
    parse_datetimes,
)
from licvisit.io.recode import add_constants, check_recode, split_mapping
from licvisit.io.table import RawTable, closest, normalise_name, read_table, text_arrow
from licvisit.io.validate import FileSummary, ProblemLog, show

POLICE_UK_STREET = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "Crime type",
)
POLICE_UK_SLUG = ("type", "street", "month", "latitude", "longitude")
STOP_SEARCH = ("Type", "Date", "Latitude", "Longitude", "Object of search")

# Every spelling we accept for a category -> licvisit category.
CATEGORY_LOOKUP: dict[str, str] = {
    **{c: c for c in GENERIC_CATEGORIES},
    **{v: v for v in POLICE_UK_CATEGORIES.values()},
    **POLICE_UK_CATEGORIES,
    **POLICE_UK_SLUGS,
}
THRIVE_LOOKUP = {
    **{g: g for g in THRIVE_GRADES},
    "emergency": "E",
    "priority": "P",
    "scheduled": "S",
    "contact resolution": "CR",
    "contact_resolution": "CR",
    "resolution without deployment": "CR",
}
# police.uk stop-and-search "Object of search" -> licvisit category.
OBJECT_OF_SEARCH = {
    "Controlled drugs": "drugs",
    "Offensive weapons": "possession_of_weapons",
    "Firearms": "possession_of_weapons",
    "Articles for use in criminal damage": "criminal_damage_arson",
    "Stolen goods": "other_theft",
    "Article for use in theft": "other_theft",
    "Articles for use in theft": "other_theft",
    "Anything to threaten or harm anyone": "possession_of_weapons",
    "Evidence of offences under the Act": "other_crime",
    "Fireworks": "public_order",
    "Psychoactive substances": "drugs",
}


_PREMISES_MARKERS = {"fhrsid", "businessname", "premises_id", "premises_type", "dps", "capacity", "hours_fri"}
_STAFF_MARKERS = {"officer_id", "avail_fri", "avail_mon", "contracted_hours", "max_shifts"}
_VISIT_MARKERS = {"visited_at", "visit_type", "outcome"}
_CALL_MARKERS = {"call_id", "occurred_at", "time_known", "thrive", "premises_ref", "location_text"}


def detect_kind(columns: list[str]) -> str | None:
    """Guess which licvisit input a header row belongs to (for wrong-file messages)."""
    keys = {normalise_name(c) for c in columns}
    if len(keys & _STAFF_MARKERS) >= 2:
        return "staff"
    if len(keys & _VISIT_MARKERS) >= 2:
        return "visits"
    if len(keys & _PREMISES_MARKERS) >= 2 or "fhrsid" in keys:
        return "premises"
    if {"crime_id", "month", "crime_type"} <= keys or {"type", "month", "street"} <= keys:
        return "calls"
    if len(keys & _CALL_MARKERS) >= 2:
        return "calls"
    if {"object_of_search", "type", "date"} <= keys:
        return "stop_search"
    return None


WRONG_KIND = {
    "premises": ("a premises register", "--premises"),
    "staff": ("a staff availability sheet", "--staff"),
    "visits": ("a visit history", "--visits"),
    "stop_search": (
        "a police.uk stop-and-search file",
        "licvisit.io.read_stop_search: stop and search is not an input of the risk score (docs/risk.md)",
    ),
    "calls": ("a calls/crime file", "--calls"),
}


def wrong_kind(log: ProblemLog, columns: list[str], expected_kind: str, expected_text: str) -> bool:
    """Log an error if the header says this is another kind of input."""
    kind = detect_kind(columns)
    if kind is None or kind == expected_kind:
        return False
    what, where = WRONG_KIND[kind]
    log.error(
        f"{what} (columns {', '.join(columns[:6])}{', ...' if len(columns) > 6 else ''})",
        expected_text,
        f"give this file with {where}",
    )
    return True


def empty_calls() -> pd.DataFrame:
    return _frame({c: [] for c in CALL_COLUMNS})


# Columns of a few distinct values over millions of calls, kept categorical as read.
CODE_COLUMNS = ("category", "category_raw", "thrive", "source_file")


def _frame(cols: dict) -> pd.DataFrame:
    df = pd.DataFrame(cols)
    df = df[list(CALL_COLUMNS)]
    if df["occurred_at"].dtype != "datetime64[ns]":
        df["occurred_at"] = pd.to_datetime(df["occurred_at"]).astype("datetime64[ns]")
    df["time_known"] = df["time_known"].astype(bool)
    for c in ("x", "y"):
        df[c] = df[c].astype(np.float64)
    df["source_row"] = df["source_row"].astype(np.int64)
    for c in ("call_id", "premises_ref", "location_text"):
        df[c] = df[c].astype(str)
    for c in CODE_COLUMNS:  # categorical when read
        if not isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(str)
    return df


def one_file(file: str, k: int) -> pd.Categorical:
    """``source_file`` of ``k`` rows from one file: one category, not ``k`` copies of its path.

    Millions of calls come from a handful of files; a copy of the path per row
    costs memory and time to build and to group (about 0.3 s at 2 M calls).
    """
    return pd.Categorical.from_codes(np.zeros(k, dtype=np.int8), categories=[file])


def concat_calls(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Calls frames of several files as one; a column categorical in each stays categorical, else str."""
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    for c in CODE_COLUMNS:
        if c not in out.columns or isinstance(out[c].dtype, pd.CategoricalDtype):
            continue  # absent, or one set of categories in every file
        parts = [f[c] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            out[c] = union_categoricals([p.array for p in parts], sort_categories=True)
        else:
            out[c] = out[c].astype(str)
    return out


def read_calls(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    *,
    source: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read calls for service or crime records into the glossary's call table.

    Parameters
    ----------
    path : a CSV file, or a folder of CSV files (police.uk monthly downloads)
    mapping : glossary name -> header in the file (``[mapping.calls]``)
    source : force a format: 'police_uk', 'police_uk_api' or 'generic'
        (default: detected from the header)

    Returns
    -------
    (DataFrame with columns ``CALL_COLUMNS``, list of Problem)
    """
    df, problems, _ = calls_with_summary(path, mapping, source=source)
    return df, problems


def calls_with_summary(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, source: str | None = None
) -> tuple[pd.DataFrame, list[Problem], list[FileSummary]]:
    """Like :func:`read_calls`, also returning one summary per file read."""
    if source not in (None, "police_uk", "police_uk_api", "generic"):
        raise ConfigError(f"Unknown calls source {source!r}; expected police_uk, police_uk_api or generic.")
    p = Path(path)
    files = _files_in(p)
    if isinstance(files, Problem):
        s = FileSummary("calls", str(p), usable=False)
        return empty_calls(), [files], [s]
    frames, problems, summaries = [], [], []
    for f in files:
        df, log = _calls_from_file(f, mapping, source)
        problems += log.problems
        summaries.append(log.summary)
        if df is not None and len(df):
            frames.append(df)
    if not frames:
        return empty_calls(), problems, summaries
    return concat_calls(frames), problems, summaries


def _files_in(p: Path) -> list[Path] | Problem:
    if p.is_dir():
        files = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".csv", ".txt"))
        if not files:
            return Problem(
                str(p),
                None,
                None,
                "a folder with no .csv files",
                "a CSV file or a folder of monthly CSV files",
                "check the path",
            )
        return files
    if not p.exists():
        return Problem(
            str(p),
            None,
            None,
            "no such file or folder",
            "an existing CSV file or folder",
            "check the path and spelling",
        )
    return [p]


def _calls_from_file(
    path: Path, mapping: Mapping[str, Any] | None, source: str | None
) -> tuple[pd.DataFrame | None, ProblemLog]:
    mapping, extras = split_mapping(mapping, "calls")
    log = ProblemLog(str(path), "calls")
    raw = read_table(path, log)
    if raw is None:
        return None, log
    log.summary.notes += raw.notes
    cols = set(raw.columns)
    fmt = source
    if fmt is None:
        if mapping:
            fmt = "generic"
        elif set(POLICE_UK_STREET) <= cols:
            fmt = "police_uk"
        elif set(POLICE_UK_SLUG) <= cols:
            fmt = "police_uk_api"
        else:
            fmt = "generic"
    fields: dict[str, str] | None
    if (
        fmt == "generic"
        and not mapping
        and wrong_kind(log, raw.columns, "calls", "calls for service or crime records")
    ):
        return None, log
    if fmt == "police_uk":
        log.summary.format = "police.uk street CSV"
        fields = {
            "call_id": "Crime ID",
            "occurred_at": "Month",
            "category": "Crime type",
            "location_text": "Location",
            "longitude": "Longitude",
            "latitude": "Latitude",
        }
    elif fmt == "police_uk_api":
        log.summary.format = "police.uk API CSV"
        fields = {
            "occurred_at": "month",
            "category": "type",
            "location_text": "street",
            "longitude": "longitude",
            "latitude": "latitude",
        }
        if "id" in cols:
            fields["call_id"] = "id"
    else:
        log.summary.format = "CSV with column mapping" if mapping else "CSV with glossary headers"
        plain = dict(mapping or {})
        add_constants(raw, extras["constants"], plain)
        fields = resolve_fields(
            raw, plain or None, log, "calls", CALL_ALIASES, required=("occurred_at", "category")
        )
        if fields is None:
            return None, log
    df = _calls_frame(raw, fields, log, police_uk=fmt in ("police_uk", "police_uk_api"), extras=extras)
    return df, log


def resolve_fields(
    raw: RawTable,
    mapping: Mapping[str, str] | None,
    log: ProblemLog,
    kind: str,
    aliases: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    location: bool = True,
) -> dict[str, str] | None:
    """Match glossary fields to the file's headers (mapping first, then aliases).

    Returns glossary -> header, or None after logging why the file is unusable
    (a required column missing, with the closest header suggested).
    """
    keyed = {normalise_name(c): c for c in raw.columns}
    fields: dict[str, str] = {}
    ok = True
    for name, header in (mapping or {}).items():
        if header in raw.columns:
            fields[name] = header
        elif normalise_name(header) in keyed:
            fields[name] = keyed[normalise_name(header)]
        else:
            near = closest(header, raw.columns)
            log.error(
                f'no column "{header}" (named in [mapping.{kind}] for {name}); columns are {_list(raw.columns)}',
                f'a column "{header}"',
                f'use "{near}" in [mapping.{kind}]' if near else f"correct [mapping.{kind}] {name}",
                field=header,
            )
            ok = False
    used = set(fields.values())
    for name, names in aliases.items():
        if name in fields:
            continue
        for alias in names:
            hit = keyed.get(alias)
            if hit and hit not in used:
                fields[name] = hit
                used.add(hit)
                break
    for name in required:
        if name in fields or not ok:
            continue
        near = closest(name, [c for c in raw.columns if c not in used])
        fix = f'rename column "{near}" to "{name}"' if near else f'add a "{name}" column'
        log.error(
            f'no column "{name}"; columns are {_list(raw.columns)}',
            f'a column "{name}"',
            f"{fix}, or map it in [mapping.{kind}] of licvisit.toml",
            field=name,
        )
        ok = False
    if ok and location:
        mapped_loc = {k: v for k, v in fields.items() if k in LOCATION_FIELDS}
        if not mapped_loc:
            pair = find_coordinate_columns([c for c in raw.columns if c not in used])
            if pair:
                a, b, named = pair
                if named == "lonlat":
                    fields["longitude"], fields["latitude"] = a, b
                elif named == "xy":
                    fields["x"], fields["y"] = a, b
                else:
                    fields["easting"], fields["northing"] = a, b
    return fields if ok else None


def _list(cols: list[str], limit: int = 8) -> str:
    shown = ", ".join(cols[:limit])
    return shown + (", ..." if len(cols) > limit else "")


def coordinates(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog, *, pending: list[BngJob | Future] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(x, y, missing) from whichever coordinate fields were found; None if none.

    ``pending``: see :func:`licvisit.io.geo.locate` (x, y complete only after its Futures).
    """
    for a, b, named in (("longitude", "latitude", "lonlat"), ("easting", "northing", "en"), ("x", "y", "xy")):
        if a in fields and b in fields:
            va, bad_a = raw.numbers(fields[a])
            vb, bad_b = raw.numbers(fields[b])
            log.rows(
                bad_a,
                fields[a],
                _cell(raw, fields[a]),
                "a number",
                "correct the coordinate or delete the row",
                "coordinate not a number",
            )
            log.rows(
                bad_b & ~bad_a,
                fields[b],
                _cell(raw, fields[b]),
                "a number",
                "correct the coordinate or delete the row",
                "coordinate not a number",
            )
            x, y, missing = locate(va, vb, named, log, (fields[a], fields[b]), pending=pending)
            missing &= ~(bad_a | bad_b)
            return x, y, missing
    return None


def _text(raw: RawTable, name: str) -> pa.ChunkedArray | pa.Array:
    """Column as stripped Arrow text (the values of ``raw.text(name)``)."""
    return text_arrow(raw.table.column(name))


def _codes(raw: RawTable, name: str) -> pa.DictionaryArray:
    """Column of codes (a category, a THRIVE grade) as stripped text, dictionary-encoded.

    Text columns are trimmed on their few distinct values, not on every row.
    """
    col = raw.table.column(name)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return encoded_text(col, trim=True)
    return encoded_text(_text(raw, name))


def _series(values: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Arrow text (or a dictionary of text) -> str Series."""
    if pa.types.is_dictionary(values.type):
        values = pc.cast(values, pa.large_string())  # pandas keeps its Arrow text as large_string
    return values.to_pandas().astype(str)


def _value(values: pa.ChunkedArray | pa.Array) -> Callable[[int], str]:
    """Lazy 'found' for ProblemLog.rows from Arrow text, converted only for listed rows."""
    return lambda i: show(values[int(i)].as_py())


def _cell(raw: RawTable, name: str) -> Callable[[int], str]:
    """Lazy 'found' for ProblemLog.rows: the raw cell, converted only for listed rows."""
    col = raw.table.column(name)
    return lambda i: show(col[int(i)].as_py())


def _calls_frame(
    raw: RawTable,
    fields: Mapping[str, str],
    log: ProblemLog,
    police_uk: bool,
    extras: Mapping[str, Any] | None = None,
) -> pd.DataFrame | None:
    extras = extras or {}
    # [mapping.calls.categories] / [mapping.calls.thrive]: a force's own codes, looked up first
    category_lookup = {
        **CATEGORY_LOOKUP,
        **check_recode(extras.get("categories", {}), CATEGORY_LOOKUP, "categories"),
    }
    thrive_lookup = {**THRIVE_LOOKUP, **check_recode(extras.get("thrive", {}), THRIVE_LOOKUP, "thrive")}
    # The transformation to British National Grid runs in the background while
    # the dates, categories and ids are checked; x and y are used only at the end.
    pending: list[BngJob | Future] = []
    ready = _prepared_text(raw, fields)
    xy = _calls_xy(raw, fields, log, pending)
    if xy is None:
        return None
    when, time_known = _calls_when(raw, fields, log, police_uk)
    cat, cat_raw = _calls_category(raw, fields, log, category_lookup, ready)
    thrive = _calls_thrive(raw, fields, log, thrive_lookup, ready)
    call_id = _calls_ids(raw, fields, log, police_uk, ready)
    columns = {"call_id": call_id, "category": cat, "category_raw": cat_raw, "thrive": thrive}
    df = _calls_kept(raw, fields, log, pending, when, time_known, xy, columns, ready)
    _note_dates(df, log)
    log.finish(raw.rows_read, len(df))
    if log.has_error:
        return None
    return df


_Ready = Mapping[str, "Future[Any]"]


def _prepared_text(raw: RawTable, fields: Mapping[str, str]) -> _Ready:
    """The text columns the checks read, trimmed (and codes encoded) on a worker thread, by glossary name.

    Arrow's trimming and encoding release the GIL, so on two cores they run
    beside the coordinate and date checks; the checks and their messages stay
    on the calling thread, in the same order, with the same results.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-calls-text")
    jobs: dict[str, Future[Any]] = {}
    for name, prepare in (
        ("category", _codes),
        ("thrive", _codes),
        ("call_id", _text),
        ("premises_ref", _text),
        ("location_text", _text),
    ):
        if name in fields:
            jobs[name] = pool.submit(prepare, raw, fields[name])
    pool.shutdown(wait=False)
    return jobs


def _calls_xy(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog, pending: list[BngJob | Future]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The calls' x and y (filled once ``pending`` is done), or None after an error."""
    xy = coordinates(raw, fields, log, pending=pending)
    if xy is None:
        cols = raw.columns
        near = closest("longitude", cols) or closest("easting", cols)
        log.error(
            f"no coordinate columns; columns are {_list(cols)}",
            "longitude/latitude or easting/northing (or x/y) columns",
            (f'rename "{near}" or ' if near else "")
            + 'name them in [mapping.calls] (e.g. longitude = "Lon")',
        )
        return None
    if log.has_error:
        return None
    x, y, missing = xy
    log.rows(
        missing,
        None,
        "a blank location",
        "coordinates for every call",
        "add the location or delete the row",
        "location missing",
    )
    return x, y


def _calls_when(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog, police_uk: bool
) -> tuple[np.ndarray, np.ndarray]:
    """When each call happened and whether its time of day is known (never for police.uk)."""
    n = len(raw)
    when, time_known, bad_when = parse_datetimes(raw.table.column(fields["occurred_at"]))
    blank_when = np.isnat(when) & ~bad_when
    log.rows(
        bad_when,
        fields["occurred_at"],
        _cell(raw, fields["occurred_at"]),
        DATETIME_EXPECTED,
        "correct the date or delete the row",
        "date not understood",
    )
    log.rows(
        blank_when,
        fields["occurred_at"],
        "a blank",
        DATETIME_EXPECTED,
        "add the date or delete the row",
        "date missing",
    )
    if police_uk:
        time_known = np.zeros(n, dtype=bool)
    return when, time_known


def _calls_category(
    raw: RawTable,
    fields: Mapping[str, str],
    log: ProblemLog,
    category_lookup: Mapping[str, str],
    ready: _Ready,
) -> tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array]:
    """Each call's licvisit category and its text as read; unknown ones are warned of and 'other'."""
    cat_raw = ready["category"].result()
    cat, unknown = map_codes_arrow(cat_raw, category_lookup, unknown_as="other", blank_as="other")
    if unknown.any():
        unk_raw = _series(cat_raw.filter(pa.array(unknown)))
        counts = unk_raw.value_counts()
        unk_idx = np.flatnonzero(unknown)
        first_row: dict[str, int] = {}
        for v, i in zip(unk_raw.iloc[:100_000].tolist(), unk_idx[:100_000], strict=True):
            first_row.setdefault(v, int(raw.row_numbers[i]))
        for value, count in counts.items():
            log.warn(
                f'category "{value}" in {count:,} row(s) (first at row {first_row.get(value)})',
                "a police.uk crime type or a licvisit category (see docs/data-contracts.md)",
                "none needed: these rows were counted as 'other'; map the category in your export to use it",
                field=fields["category"],
            )
    return cat, cat_raw


def _calls_thrive(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog, thrive_lookup: Mapping[str, str], ready: _Ready
) -> pa.ChunkedArray | pa.Array | None:
    """Each call's THRIVE grade (bad ones left blank), or None without a thrive column."""
    thrive = None
    if "thrive" in fields:
        t_raw = ready["thrive"].result()
        thrive, t_bad = map_codes_arrow(t_raw, thrive_lookup)
        log.rows(
            t_bad,
            fields["thrive"],
            _value(t_raw),
            "a THRIVE grade E, P, S or CR (or blank)",
            "none needed: the grade was left blank",
            "",
            exclude=False,
        )
    return thrive


def _calls_ids(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog, police_uk: bool, ready: _Ready
) -> pa.ChunkedArray | pa.Array | None:
    """The call ids (duplicates logged, except in police.uk files), or None without the column."""
    call_id = ready["call_id"].result() if "call_id" in fields else None
    if call_id is not None and not police_uk:
        dup = duplicated(raw.table.column(fields["call_id"]))
        log.rows(
            dup & log.keep,
            fields["call_id"],
            _value(call_id),
            "a unique call id",
            "delete the duplicate row or give it its own id",
            "duplicate call id",
        )
    return call_id


def _calls_kept(
    raw: RawTable,
    fields: Mapping[str, str],
    log: ProblemLog,
    pending: list[BngJob | Future],
    when: np.ndarray,
    time_known: np.ndarray,
    xy: tuple[np.ndarray, np.ndarray],
    columns: Mapping[str, pa.ChunkedArray | pa.Array | None],
    ready: _Ready,
) -> pd.DataFrame:
    """The calls frame of the rows kept, once the coordinates are transformed."""
    x, y = xy
    file = str(log.file)
    # Rows are dropped once, here, from every column (Arrow text moves before pandas sees it).
    keep = log.keep
    everything = bool(keep.all())
    mask = None if everything else pa.array(keep)
    k = int(keep.sum())

    for job in pending:
        job.result()

    def kept(values: np.ndarray) -> np.ndarray:
        return values if everything else values[keep]

    def kept_text(name: str, values: pa.ChunkedArray | pa.Array | None = None) -> pd.Series | pd.Categorical:
        if values is None:
            if name not in fields:
                return const_text("", k)
            values = ready[name].result()  # every text field given is prepared
        if mask is not None:
            values = values.filter(mask)
        if pa.types.is_dictionary(values.type):  # codes (category, THRIVE): a few values, millions of rows
            return categorical(values)
        return _series(values)

    out = {
        "call_id": kept_text("call_id", columns["call_id"]),
        "occurred_at": kept(when),
        "time_known": kept(time_known),
        "category": kept_text("category", columns["category"]),
        "category_raw": kept_text("category_raw", columns["category_raw"]),
        "thrive": kept_text("thrive", columns["thrive"]),
        "premises_ref": kept_text("premises_ref"),
        "location_text": kept_text("location_text"),
        "x": kept(x),
        "y": kept(y),
        "source_file": one_file(file, k),
        "source_row": kept(raw.row_numbers),
    }
    return _frame(out)


def _note_dates(df: pd.DataFrame, log: ProblemLog) -> None:
    """Note the months or dates the calls cover."""
    if len(df):
        first, last = df["occurred_at"].min(), df["occurred_at"].max()
        if not df["time_known"].any() and (df["occurred_at"].dt.day == 1).all():
            span = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} to {last:%Y-%m}"
            log.note(f"month {span} (no day or time of day)")
        else:
            share = df["time_known"].mean()
            log.note(f"dates {first:%Y-%m-%d} to {last:%Y-%m-%d} ({share:.0%} with a time of day)")


# --- stop and search --------------------------------------------------------------
def read_stop_search(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read police.uk stop-and-search CSVs (a file or a folder) as call-like records.

    Columns are ``CALL_COLUMNS`` (``time_known`` True; ``category`` from
    'Object of search'; ``category_raw`` the object of search) plus
    ``search_type``, ``legislation`` and ``outcome``.
    """
    df, problems, _ = stop_search_with_summary(path)
    return df, problems


def stop_search_with_summary(path: str | Path) -> tuple[pd.DataFrame, list[Problem], list[FileSummary]]:
    p = Path(path)
    files = _files_in(p)
    extra = ("search_type", "legislation", "outcome")
    if isinstance(files, Problem):
        return (
            empty_calls().assign(**{c: "" for c in extra}),
            [files],
            [FileSummary("stop_search", str(p), usable=False)],
        )
    frames, problems, summaries = [], [], []
    for f in files:
        log = ProblemLog(str(f), "stop_search")
        raw = read_table(f, log)
        df = None
        if raw is not None:
            log.summary.notes += raw.notes
            log.summary.format = "police.uk stop-and-search CSV"
            missing = [c for c in STOP_SEARCH if c not in raw.columns]
            if missing:
                if not wrong_kind(log, raw.columns, "stop_search", "a police.uk stop-and-search CSV"):
                    near = closest(missing[0], raw.columns)
                    log.error(
                        f'no column "{missing[0]}"; columns are {_list(raw.columns)}',
                        "the police.uk stop-and-search columns (Type, Date, Latitude, Longitude, Object of search, ...)",
                        f'rename "{near}" to "{missing[0]}"'
                        if near
                        else "give the file as downloaded from police.uk",
                        field=missing[0],
                    )
            else:
                fields = {
                    "occurred_at": "Date",
                    "category": "Object of search",
                    "longitude": "Longitude",
                    "latitude": "Latitude",
                }
                # Many searches have no location (e.g. in a police vehicle): list them, keep the rest.
                lookup = {**OBJECT_OF_SEARCH}
                obj = raw.text("Object of search")
                cat, unknown = map_codes(obj, lookup, unknown_as="other", blank_as="other")
                df = _calls_frame_stop(raw, fields, log, cat, unknown, obj)
        problems += log.problems
        summaries.append(log.summary)
        if df is not None and len(df):
            frames.append(df)
    if not frames:
        return empty_calls().assign(**{c: "" for c in extra}), problems, summaries
    return concat_calls(frames), problems, summaries


def _calls_frame_stop(
    raw: RawTable,
    fields: Mapping[str, str],
    log: ProblemLog,
    cat: pd.Series,
    unknown: np.ndarray,
    obj: pd.Series,
) -> pd.DataFrame | None:
    xy = coordinates(raw, fields, log)
    if xy is None or log.has_error:
        return None
    x, y, missing = xy
    log.rows(
        missing,
        None,
        "a blank location",
        "coordinates for every search",
        "none needed: searches without a location cannot be mapped",
        "location missing",
    )
    when, _, bad = parse_datetimes(raw.table.column("Date"))
    log.rows(
        bad | np.isnat(when),
        "Date",
        _cell(raw, "Date"),
        DATETIME_EXPECTED,
        "correct the date or delete the row",
        "date not understood",
    )
    cat = cat.to_numpy()
    keep = log.keep
    k = int(keep.sum())
    df = _frame(
        {
            "call_id": np.full(k, "", dtype=object),
            "occurred_at": when[keep],
            "time_known": np.ones(k, dtype=bool),
            "category": cat[keep],
            "category_raw": obj.to_numpy()[keep],
            "thrive": np.full(k, "", dtype=object),
            "premises_ref": np.full(k, "", dtype=object),
            "location_text": np.full(k, "", dtype=object),
            "x": x[keep],
            "y": y[keep],
            "source_file": np.full(k, log.file, dtype=object),
            "source_row": raw.row_numbers[keep],
        }
    )
    for col, header in (("search_type", "Type"), ("legislation", "Legislation"), ("outcome", "Outcome")):
        df[col] = raw.text(header).to_numpy()[keep] if header in raw.columns else ""
    log.finish(raw.rows_read, len(df))
    return None if log.has_error else df
