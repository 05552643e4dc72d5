"""Sniff a CSV file and parse it with Arrow, and parse the biggest input ahead of its reader.

Split from :mod:`licvisit.io.table` so that a command can start parsing its
biggest file before it imports pandas and the readers: this module imports
nothing beyond the standard library when loaded (pyarrow is imported by the
parse itself, on the parsing thread).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa


class ErrorLog(Protocol):
    """What :func:`sniff` needs of a problem log (``licvisit.io.validate.ProblemLog`` has it)."""

    def error(self, found: str, expected: str, fix: str) -> Any: ...


class _Unlogged:
    """A log that keeps nothing: the sniff of a parse ahead, done again by the reader that logs."""

    def error(self, found: str, expected: str, fix: str) -> None:
        return None


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


def sniff(path: Path, log: ErrorLog) -> tuple[str, str, list[str]] | None:
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


BadRow = tuple[int | None, str, int]  # pyarrow's row number (None if unknown), text, field count


def read_arrow(
    path: Path, names: list[str], encoding: str, delimiter: str, *, as_text: bool, careful: bool
) -> tuple[pa.Table, list[BadRow]]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad_rows: list[BadRow] = []

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
_Parsed = tuple[tuple[str, str, list[str]], tuple["pa.Table", list[BadRow]]]
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
            sniff_ = sniff(p, _Unlogged())  # read_table sniffs again and logs for real
        except Exception:  # noqa: BLE001 - read_table's own sniff reports it
            return None
        if sniff_ is None:
            return None
        encoding, delimiter, names = sniff_
        return sniff_, read_arrow(p, names, encoding, delimiter, as_text=False, careful=False)

    with _AHEAD_LOCK:
        if key in _PARSED_AHEAD:
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-parse-ahead")
        _PARSED_AHEAD[key] = pool.submit(work)
        pool.shutdown(wait=False)


def parsed_ahead(path: str | Path) -> Future[_Parsed | None] | None:
    """The parse :func:`parse_ahead` started for ``path`` (forgotten here), or None."""
    key = _file_key(Path(path))
    with _AHEAD_LOCK:
        return _PARSED_AHEAD.pop(key, None) if key is not None else None


@contextlib.contextmanager
def parsed_early(path: str | Path | None) -> Iterator[None]:
    """Parse ``path`` ahead (:func:`parse_ahead`) for the block, and drop the parse if no read took it.

    ``None``: nothing to parse.  A command that stops before it reads (a bad
    option, a config error) leaves no parse behind in the process.
    """
    if path is not None:
        parse_ahead(path)
    try:
        yield
    finally:
        if path is not None:
            parsed_ahead(path)  # taking it drops it, if no read took it first


def first_parse(
    ahead: Future[_Parsed | None] | None, path: Path, names: list[str], encoding: str, delimiter: str
) -> tuple[pa.Table, list[BadRow]]:
    """The first attempt's parse: the one started ahead if it read the file as sniffed now, else a new one.

    An exception raised by the parse ahead is raised here, as the same parse would raise it.
    """
    got = ahead.result() if ahead is not None else None
    if got is not None and got[0] == (encoding, delimiter, names):
        return got[1]
    return read_arrow(path, names, encoding, delimiter, as_text=False, careful=False)
