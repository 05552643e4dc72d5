"""Read any CSV robustly and fast: sniff encoding and delimiter, skip repeated headers.

The reading itself is pyarrow's multi-threaded CSV parser; everything here is
about accepting the awkward-but-valid files forces and councils produce (a
byte-order mark, cp1252 with ``£``, semicolons, header rows repeated inside
the data, reordered columns) and naming the unusable ones (empty, binary,
a spreadsheet saved as .xlsx).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from licvisit.errors import Problem
from licvisit.io.validate import ProblemLog, show

SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
# Values pyarrow must not turn into nulls in text columns (a pub called "NA"...).
NULL_VALUES = ["", "NULL", "null", "NaN", "nan", "N/A", "#N/A"]

_MAGIC = (
    (
        b"PK\x03\x04",
        "an Excel workbook or other zip archive",
        "save it as CSV (in Excel: File > Save As > CSV UTF-8)",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Excel (.xls) workbook",
        "save it as CSV (in Excel: File > Save As > CSV UTF-8)",
    ),
    (b"%PDF", "a PDF document", "export the table as CSV from the system it came from"),
    (
        b"SQLite format 3",
        "a GeoPackage/SQLite database",
        "give a CSV here (GeoPackages are read as premises or zones)",
    ),
    (b"\x1f\x8b", "a gzip archive", "unzip it first"),
)


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


def _sniff(path: Path, log: ProblemLog) -> tuple[str, str, list[str]] | None:
    """Return (encoding, delimiter, header names) or None after logging why not."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        log.error("an empty file", "a CSV file with a header row and data rows", "check the export finished")
        return None
    for magic, what, fix in _MAGIC:
        if head.startswith(magic):
            log.error(what, "a CSV text file", fix)
            return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        log.error("a UTF-16 text file", "a CSV file in UTF-8 or Windows-1252", "save it as 'CSV UTF-8'")
        return None
    if b"\x00" in head or _control_share(head) > 0.05:
        log.error("a binary file", "a CSV text file", "check this is the right file; export it as CSV")
        return None
    encoding = "utf-8"
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(body, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        encoding = "cp1252"
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError:
            encoding = "latin-1"  # cp1252 leaves five bytes undefined; latin-1 decodes anything
            text = body.decode("latin-1")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        log.error("an empty file", "a CSV file with a header row and data rows", "check the export finished")
        return None
    first = lines[0]
    counts = {d: _count_outside_quotes(first, d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    header = next(csv.reader([first], delimiter=delimiter))
    names = _unique([h.strip().strip("\ufeff").strip() or f"column_{i + 1}" for i, h in enumerate(header)])
    return encoding, delimiter, names


def _control_share(head: bytes) -> float:
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return ctrl / max(1, len(head))


def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}_{seen[n]}")
        else:
            seen[n] = 1
            out.append(n)
    return out


_BadRow = tuple[int | None, str, int]  # pyarrow's row number (None if unknown), text, field count


def _read_arrow(
    path: Path, names: list[str], encoding: str, delimiter: str, *, as_text: bool, careful: bool
) -> tuple[pa.Table, list[_BadRow]]:
    bad_rows: list[_BadRow] = []

    def handler(row: Any) -> str:  # pyarrow InvalidRow
        bad_rows.append((row.number, row.text, row.actual_columns))
        return "skip"

    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1,
        encoding=encoding,
        use_threads=not careful,
        block_size=1 << 24,
    )
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=careful, invalid_row_handler=handler)
    conv = pacsv.ConvertOptions(
        null_values=NULL_VALUES,
        strings_can_be_null=False,
        column_types={n: pa.string() for n in names} if as_text else None,
        timestamp_parsers=[pacsv.ISO8601],
    )
    table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=conv)
    return table, bad_rows


_FileKey = tuple[str, int, int]  # resolved path, size [bytes], modification time [ns]
_Parsed = tuple[tuple[str, str, list[str]], tuple[pa.Table, list[_BadRow]]]
# Parses started by parse_ahead, taken (and forgotten) by the next read_table of the same
# unchanged file.  A cache of work in flight, not a setting: nothing else reads it.
_PARSED_AHEAD: dict[_FileKey, Future[_Parsed | None]] = {}
_AHEAD_LOCK = threading.Lock()


def _file_key(path: Path) -> _FileKey | None:
    try:
        st = path.stat()
        return str(path.resolve()), st.st_size, st.st_mtime_ns
    except OSError:
        return None


def parse_ahead(path: str | Path) -> None:
    """Start parsing the CSV file ``path`` in a background thread, for the next :func:`read_table` of it.

    Arrow's parser releases the GIL, so a command that knows its biggest file
    early (``licvisit rank``: the calls) lets the parse overlap the imports and
    the smaller files read first.  :func:`read_table` takes the result only if
    the file is unchanged and its own sniff (encoding, delimiter, header) agrees,
    and it handles the result exactly as a parse of its own (the same retries,
    the same messages); otherwise it parses as always.  Folders and missing
    files are left alone.
    """
    p = Path(path)
    key = _file_key(p) if p.is_file() else None
    if key is None:
        return

    def work() -> _Parsed | None:
        try:
            sniff = _sniff(p, ProblemLog(str(p), "calls"))  # a throwaway log: read_table logs for real
        except Exception:  # noqa: BLE001 - read_table's own sniff reports it
            return None
        if sniff is None:
            return None
        encoding, delimiter, names = sniff
        return sniff, _read_arrow(p, names, encoding, delimiter, as_text=False, careful=False)

    with _AHEAD_LOCK:
        if key in _PARSED_AHEAD:
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-parse-ahead")
        _PARSED_AHEAD[key] = pool.submit(work)
        pool.shutdown(wait=False)


def _parsed_ahead(path: str | Path) -> Future[_Parsed | None] | None:
    """The parse :func:`parse_ahead` started for ``path`` (forgotten here), or None."""
    key = _file_key(Path(path))
    with _AHEAD_LOCK:
        return _PARSED_AHEAD.pop(key, None) if key is not None else None


def forget_parse_ahead(path: str | Path) -> None:
    """Drop a parse of ``path`` that :func:`parse_ahead` started and no read took (e.g. after an error)."""
    _parsed_ahead(path)


def _first_parse(
    ahead: Future[_Parsed | None] | None, path: Path, names: list[str], encoding: str, delimiter: str
) -> tuple[pa.Table, list[_BadRow]]:
    """The first attempt's parse: the one started ahead if it read the file as sniffed now, else a new one.

    An exception raised by the parse ahead is raised here, as the same parse would raise it.
    """
    got = ahead.result() if ahead is not None else None
    if got is not None and got[0] == (encoding, delimiter, names):
        return got[1]
    return _read_arrow(path, names, encoding, delimiter, as_text=False, careful=False)


def read_table(path: Path, log: ProblemLog) -> RawTable | None:
    """Parse a CSV file into a :class:`RawTable`, or return None after logging an error."""
    sniff = _sniff(path, log)
    if sniff is None:
        return None
    encoding, delimiter, names = sniff
    ahead = _parsed_ahead(path)
    notes = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding} (not UTF-8)")
    if delimiter != ",":
        notes.append(f"delimiter {delimiter!r}")
    table: pa.Table | None = None
    bad_rows: list[_BadRow] | None = None
    careful = False
    as_text = False
    for attempt in range(6):
        try:
            if attempt == 0:
                table, bad_rows = _first_parse(ahead, path, names, encoding, delimiter)
            else:
                table, bad_rows = _read_arrow(
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
                table, bad_rows = _read_arrow(path, names, encoding, delimiter, as_text=as_text, careful=True)
            except pa.ArrowInvalid:
                table, bad_rows = _read_arrow(path, names, encoding, delimiter, as_text=True, careful=True)
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
