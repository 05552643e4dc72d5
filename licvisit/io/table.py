"""Read any CSV robustly and fast: sniff encoding and delimiter, skip repeated headers.

The reading itself is pyarrow's multi-threaded CSV parser; everything here is
about accepting the awkward-but-valid files forces and councils produce (a
byte-order mark, cp1252 with ``£``, semicolons, header rows repeated inside
the data, reordered columns) and naming the unusable ones (empty, binary,
a spreadsheet saved as .xlsx).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from licvisit.errors import Problem
from licvisit.io.csv_parse import (
    BadRow,
    first_parse,
    parsed_ahead,
    read_arrow,
    sniff,
)
from licvisit.io.validate import ProblemLog, show


@dataclass
class RawTable:
    """A parsed CSV: an Arrow table of the data rows plus where each row came from."""

    table: pa.Table
    columns: list[str]
    row_numbers: np.ndarray  # spreadsheet row number of each data row (header = 1)
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0  # data rows in the file, including skipped ones

    def __len__(self) -> int:
        return self.table.num_rows

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str) -> pd.Series:
        """Column as stripped text, blanks as ''."""
        return text_series(self.table.column(name))

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Column as float64 and a mask of non-blank values that are not numbers.

        In a semicolon-separated file a comma is a decimal comma (European
        spreadsheets); otherwise it is a thousands separator ("406,950").
        """
        return number_array(self.table.column(name), decimal_comma=self.delimiter == ";")


def trim_text(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """``utf8_trim_whitespace(fill_null(col, ""))``, trimming only the values that can need it.

    Unicode trimming is slow on millions of values; a value can only change if
    its first or last byte is ASCII whitespace/control or part of a non-ASCII
    character, which the offsets show without decoding.  Only those values are
    passed to Arrow's trim; the result is the same as trimming everything.
    """
    col = pc.fill_null(col, "")
    if isinstance(col, pa.ChunkedArray):
        return pa.chunked_array([_trim_chunk(c) for c in col.chunks], type=col.type)
    return _trim_chunk(col)


def _trim_chunk(arr: pa.Array) -> pa.Array:
    n = len(arr)
    if n == 0 or arr.null_count or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return pc.utf8_trim_whitespace(arr)
    _, off_buf, data_buf = arr.buffers()
    if data_buf is None or data_buf.size == 0:
        return arr  # every value is ""
    off_type: type[np.signedinteger[Any]] = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(off_buf, dtype=off_type)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)
    start, end = offsets[:-1], offsets[1:]
    first = data.take(start, mode="clip")
    last = data.take(end - 1, mode="clip")
    odd = (first <= 0x20) | (first >= 0x7F) | (last <= 0x20) | (last >= 0x7F)
    odd &= end > start
    if not odd.any():
        return arr
    if int(odd.sum()) > n // 8:
        return pc.utf8_trim_whitespace(arr)
    mask = pa.array(odd)
    return pc.replace_with_mask(arr, mask, pc.utf8_trim_whitespace(arr.filter(mask)))


def text_arrow(col: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """The values of :func:`text_series` as Arrow strings (for filtering before pandas)."""
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return trim_text(col)
    return pa.array(text_series(col), type=pa.string())


def text_series(col: pa.ChunkedArray) -> pd.Series:
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        if pa.types.is_floating(col.type):
            # 123.0 -> "123": ids read as numbers must not gain a ".0"
            arr = col.to_numpy(zero_copy_only=False)
            whole = np.isfinite(arr) & (arr == np.round(arr))
            out = pd.Series(arr.astype(object))
            out[whole] = pd.Series(arr[whole].astype(np.int64)).astype(str).to_numpy()
            out[~np.isfinite(arr)] = ""
            return out.astype(str)
        col = pc.cast(col, pa.string())
    return trim_text(col).to_pandas().astype(str)


def number_array(col: pa.ChunkedArray, *, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return (float64 values with NaN for blanks/bad, mask of bad non-blank values)."""
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        vals = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(vals, dtype=np.float64), np.zeros(len(vals), dtype=bool)
    s = text_series(col)
    if decimal_comma:
        # "1.234,5" -> 1234.5 and "-1,9" -> -1.9; values without a comma ("52.477") are left alone
        has_comma = s.str.contains(",", regex=False)
        cleaned = s.where(~has_comma, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    else:
        cleaned = s.str.replace(r"(?<=\d),(?=\d{3}(?:\D|$))", "", regex=True)
    vals = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(vals) & (s.to_numpy() != "")
    return vals, bad


def normalise_name(name: str) -> str:
    """Header -> comparable key: 'Geocode - Latitude' -> 'geocode_latitude'."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate most like ``name`` (difflib), or None."""
    keyed = {normalise_name(c): c for c in candidates}
    hit = difflib.get_close_matches(normalise_name(name), list(keyed), n=1, cutoff=0.6)
    return keyed[hit[0]] if hit else None


def read_table(path: Path, log: ProblemLog) -> RawTable | None:
    """Parse a CSV file into a :class:`RawTable`, or return None after logging an error."""
    sniffed = sniff(path, log)
    if sniffed is None:
        return None
    encoding, delimiter, names = sniffed
    ahead = parsed_ahead(path)
    notes = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding} (not UTF-8)")
    if delimiter != ",":
        notes.append(f"delimiter {delimiter!r}")
    table: pa.Table | None = None
    bad_rows: list[BadRow] | None = None
    careful = False
    as_text = False
    for attempt in range(6):
        try:
            if attempt == 0:
                table, bad_rows = first_parse(ahead, path, names, encoding, delimiter)
            else:
                table, bad_rows = read_arrow(
                    path, names, encoding, delimiter, as_text=as_text, careful=careful
                )
        except UnicodeDecodeError:
            table = None
            if encoding == "latin-1":
                raise
            encoding = "latin-1"  # cp1252 leaves five bytes undefined; latin-1 decodes anything
            notes.append("read as latin-1 (not UTF-8 or Windows-1252)")
            continue
        except pa.ArrowInvalid as exc:
            table = None
            msg = str(exc)
            if "UTF8" in msg.upper() and encoding == "utf-8":
                encoding = "cp1252"
                notes.append("read as cp1252 (not UTF-8)")
                continue
            if ("conversion error" in msg.lower() or "CSV conversion" in msg) and not as_text:
                as_text = True  # a column's type changes further down: read every column as text
                continue
            if not careful:
                careful = True
                continue
            log.error(
                f"a file that cannot be parsed as CSV ({_short(msg)})",
                "a CSV file",
                "open it in a spreadsheet and save it as CSV UTF-8",
            )
            return None
        if encoding == "utf-8" and any(pa.types.is_binary(f.type) for f in table.schema):
            # Arrow reads text that is not UTF-8 as binary: the file is Windows-1252.
            encoding = "cp1252"
            notes.append("read as cp1252 (not UTF-8)")
            table = None
            continue
        if bad_rows and not careful:
            careful = True  # quoted line breaks? re-read single-threaded with exact row numbers
            try:
                table, bad_rows = read_arrow(path, names, encoding, delimiter, as_text=as_text, careful=True)
            except pa.ArrowInvalid:
                table, bad_rows = read_arrow(path, names, encoding, delimiter, as_text=True, careful=True)
        break
    if table is None:
        log.error(
            "a file that cannot be parsed as CSV",
            "a CSV file",
            "open it in a spreadsheet and save it as CSV UTF-8",
        )
        return None
    bad_numbers = sorted({int(n) for n, _, _ in bad_rows or [] if n and n > 0})
    n_total = table.num_rows + len(bad_rows or [])
    if bad_numbers and len(bad_numbers) == len(bad_rows or []):
        all_rows = np.arange(2, n_total + 2, dtype=np.int64)
        # pyarrow numbers a bad row by its line in the file, the header (skipped) being line 1.
        bad_set = np.array(bad_numbers, dtype=np.int64)
        row_numbers = all_rows[~np.isin(all_rows, bad_set)][: table.num_rows]
    else:
        row_numbers = np.arange(2, table.num_rows + 2, dtype=np.int64)
    log.set_rows(row_numbers)
    if bad_rows:
        for number, text, actual in bad_rows[: log.cap]:
            log.problems.append(
                _bad_row_problem(
                    log.file, number if number and number > 0 else None, text, actual, len(names)
                )
            )
        if len(bad_rows) > log.cap:
            log.warn(
                f"{len(bad_rows) - log.cap:,} more rows with the wrong number of fields",
                f"{len(names)} fields per row",
                "check quoting in the file",
            )
        log.skip_silently_counted(len(bad_rows), "wrong number of fields")
    raw = RawTable(table, names, row_numbers, encoding, delimiter, notes, rows_read=n_total)
    log.summary.rows_read = n_total
    if n_total == 0:
        log.error(
            f"a header row but no data rows (columns {', '.join(names[:6])}{', ...' if len(names) > 6 else ''})",
            "at least one data row",
            "check the export's date range and filters",
        )
        return None
    _drop_repeated_headers(raw, log)
    return raw


def _bad_row_problem(file: str, row: int | None, text: str, actual: int, expected: int) -> Problem:
    return Problem(
        file,
        row,
        None,
        f"{actual} fields in {show(text)}",
        f"{expected} fields, as in the header",
        "fix the quoting or the number of delimiters in this row",
        "warning",
    )


def _drop_repeated_headers(raw: RawTable, log: ProblemLog) -> None:
    """Remove rows that repeat the header (some police.uk extracts have them).

    A row is a repeated header when at least half of its cells equal their
    column's name.  Only rows whose first text cell equals its column name are
    examined, so a clean file costs one comparison of one column.
    """
    t = raw.table
    text_cols = [n for n in raw.columns if pa.types.is_string(t.column(n).type)]
    if t.num_rows == 0 or len(text_cols) < max(1, len(raw.columns) // 2):
        return
    first = text_cols[0]
    cand = pc.equal(
        pc.utf8_trim_whitespace(t.column(first)) if t.num_rows < 100_000 else t.column(first), first
    )
    cand_idx = np.flatnonzero(pc.fill_null(cand, False).to_numpy(zero_copy_only=False))
    if len(cand_idx) == 0:
        return
    sub = t.take(pa.array(cand_idx))
    need = max(1, (len(raw.columns) + 1) // 2)
    hits = np.zeros(len(cand_idx), dtype=int)
    for n in text_cols:
        eq = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(sub.column(n)), n), False)
        hits += eq.to_numpy(zero_copy_only=False).astype(int)
    drop = cand_idx[hits >= need]
    if len(drop) == 0:
        return
    mask = np.zeros(t.num_rows, dtype=bool)
    mask[drop] = True
    raw.table = t.filter(pa.array(~mask))
    raw.row_numbers = raw.row_numbers[~mask]
    log.set_rows(raw.row_numbers)
    log.skip_silently_counted(len(drop), "repeated header row")
    raw.notes.append(f"{len(drop)} repeated header row(s) inside the data skipped")


def _short(msg: str, limit: int = 120) -> str:
    msg = msg.strip().splitlines()[0] if msg.strip() else msg
    return msg if len(msg) <= limit else msg[: limit - 3] + "..."
