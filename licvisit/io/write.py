"""Write outputs atomically: text, bytes, Excel-safe CSV, JSON and GeoPackage.

Every writer writes to a temporary file in the destination folder and renames
it into place (``os.replace``), so a crash never leaves half a file behind and
a reader never sees a partial one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Characters that make Excel (and LibreOffice) treat a cell as a formula:
# OWASP "CSV injection" guidance; tab and CR are included because some
# spreadsheet programs strip them and then see the formula behind.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def naming(exc: OSError, dest: str | os.PathLike[str]) -> OSError:
    """The same error, naming the user's file ``dest`` rather than a temporary one."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(dest))


def replace(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    """``os.replace``, with an error that names ``dest`` (e.g. a CSV open in Excel on Windows)."""
    try:
        os.replace(src, dest)
    except OSError as exc:
        raise naming(exc, dest) from exc


def check_writable_folder(path: str | os.PathLike[str]) -> None:
    """Raise the ``OSError`` that writing into folder ``path`` would meet, without creating it.

    For commands that should fail on a bad output folder before doing any work.
    """
    target = Path(path)
    probe = target
    while not probe.exists():
        if probe.parent == probe:
            return
        probe = probe.parent
    if not probe.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))


def publish(files: list[Path], out_dir: str | os.PathLike[str]) -> list[Path]:
    """Move finished ``files`` (written in a staging folder) into ``out_dir`` together.

    Every destination is checked first, so a name taken by a folder stops the run
    before any file is replaced: the folder then holds all the old outputs or all
    the new ones, not a mixture.
    """
    out = Path(out_dir)
    dests = [out / Path(f).name for f in files]
    for d in dests:
        if d.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(d))
    for f, d in zip(files, dests, strict=True):
        replace(f, d)
    return dests


@contextlib.contextmanager
def staging_folder(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """A hidden temporary folder inside ``out_dir`` for outputs to :func:`publish`; removed after."""
    import shutil

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".licvisit-", dir=out))
    except OSError as exc:
        raise naming(exc, out) from exc
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place on success.

    On an exception the temporary file is removed and ``path`` is untouched.

    Examples
    --------
    >>> with atomic_path("out/plan.gpkg") as tmp:  # doctest: +SKIP
    ...     gdf.to_file(tmp, driver="GPKG")
    """
    dest = Path(path)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=f".tmp{dest.suffix}", dir=dest.parent)
    except OSError as exc:
        raise naming(exc, dest) from exc
    os.close(fd)
    tmp = Path(name)
    # Some writers (GDAL) refuse to write over an existing empty file.
    tmp.unlink()
    try:
        yield tmp
        if not tmp.exists():
            raise OSError(f"Nothing was written to {dest}.")
        replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default); return the path."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write text or bytes to ``path`` atomically (alias used across the package)."""
    if isinstance(content, bytes):
        return atomic_write_bytes(path, content)
    return atomic_write_text(path, content)


def excel_safe(value: Any) -> Any:
    """Return ``value`` with a leading quote if it is text Excel would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _safe_text_column(s: pd.Series) -> pd.Series:
    """Neutralise formula-like text cells in one column, leaving numbers as they are."""
    is_str = s.map(lambda v: isinstance(v, str))
    if not is_str.any():
        return s
    text = s[is_str].astype(str)
    bad = text.str.startswith(FORMULA_PREFIXES)
    if not bad.any():
        return s
    out = s.copy().astype(object)
    idx = text.index[bad.to_numpy()]
    out.loc[idx] = "'" + text[bad]
    return out


def excel_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` safe to open in Excel (see :func:`write_csv`)."""
    out = pd.DataFrame(df).copy()
    if "geometry" in out.columns:
        wkt = [None if g is None else getattr(g, "wkt", g) for g in out["geometry"]]
        out = pd.DataFrame(out.drop(columns="geometry")).assign(geometry=wkt)[list(df.columns)]
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.map(lambda v: "" if pd.isna(v) else v.isoformat())
        elif pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        else:
            out[col] = _safe_text_column(s.map(_iso_if_date))
    safe_cols = [excel_safe(str(c)) for c in out.columns]
    out.columns = safe_cols
    return out


def _iso_if_date(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp):
        return v.isoformat()
    return v


_FORMULA_PATTERN = "^[" + "".join("\\" + ch if ch in "-\\^]" else ch for ch in FORMULA_PREFIXES) + "]"


def _arrow_text(arr: Any) -> Any:
    """Prefix formula-like cells of an Arrow string array with a quote."""
    import pyarrow.compute as pc

    bad = pc.match_substring_regex(arr, _FORMULA_PATTERN)
    return pc.if_else(bad, pc.binary_join_element_wise("'", arr, ""), arr)


def _arrow_column(col: pd.Series) -> Any:
    """One column as an Arrow array, Excel-safe: numbers stay numbers, text is neutralised."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if hasattr(col, "to_wkt"):  # a GeoSeries: write geometry as WKT
        col = pd.Series(col.to_wkt(), index=col.index)
    if isinstance(col.dtype, pd.CategoricalDtype):
        # neutralise each distinct value once, not each cell
        cats = [str(excel_safe(str(c))) for c in col.cat.categories] + [""]
        codes = col.cat.codes.to_numpy()
        codes = np.where(codes < 0, len(cats) - 1, codes)
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(cats, pa.string()))
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return pa.array(col.to_numpy(na_value=None) if col.hasnans else col.to_numpy(), from_pandas=True)
    if pd.api.types.is_datetime64_any_dtype(col):
        text = col.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        return pa.array(text.to_numpy(dtype=object), pa.string())
    if col.dtype == object:
        col = col.map(_iso_if_date)
    try:
        arr = pc.fill_null(pa.array(col.astype("string[pyarrow]")).cast(pa.string()), "")
    except (TypeError, ValueError, pa.ArrowException):
        arr = pa.array(col.astype("string").fillna("").to_numpy(dtype=object), pa.string())
    return _arrow_text(arr)


def excel_safe_table(df: pd.DataFrame, *, index: bool = False) -> Any:
    """``df`` as a ``pyarrow.Table`` ready for :func:`write_csv_table` (see :func:`write_csv`)."""
    import pyarrow as pa

    frame = pd.DataFrame(df)
    if index:
        frame = frame.reset_index()
    names = [str(excel_safe(str(c))) for c in frame.columns]
    return pa.table([_arrow_column(frame.iloc[:, i]) for i in range(frame.shape[1])], names=names)


def write_csv_table(table: Any, path: str | os.PathLike[str]) -> Path:
    """Write a table from :func:`excel_safe_table` as an Excel-friendly CSV, atomically.

    Pure Arrow work that releases the GIL, so it can run in a second thread.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # A native Arrow file (not a Python file object): the writer never needs the GIL.
    with atomic_path(path) as tmp, pa.OSFile(str(tmp), "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        pacsv.write_csv(
            table, fh, pacsv.WriteOptions(eol="\r\n", quoting_style="needed", quoting_header="none")
        )
    return Path(path)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write ``df`` as a CSV that opens cleanly in Excel, atomically.

    UTF-8 with a byte-order mark (so Excel shows £ and accents), CRLF line
    ends, text cells beginning with ``= + - @`` (or tab / carriage return)
    prefixed with a single quote so they are shown, not run; numbers stay
    numeric; datetimes are written in ISO 8601; a ``geometry`` column is
    written as WKT.  Text is neutralised with Arrow compute and written by
    pyarrow's CSV writer, so millions of rows take seconds.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
    path : destination file
    index : also write the index

    Returns
    -------
    Path
    """
    return write_csv_table(excel_safe_table(df, index=index), path)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, dt.datetime | dt.date | dt.time | pd.Timestamp):
        return obj.isoformat()
    if isinstance(obj, dt.timedelta | pd.Timedelta):
        return obj.total_seconds()
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, set | frozenset):
        return sorted(_clean(list(obj)), key=str)
    if obj is pd.NaT or obj is pd.NA:
        return None
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return _clean(dataclasses.asdict(obj))
    if isinstance(obj, pd.Series):
        return _clean(obj.tolist())
    if isinstance(obj, pd.DataFrame):
        return _clean(obj.to_dict(orient="records"))
    return str(obj)


def _clean(obj: Any) -> Any:
    """Replace NaN/inf floats by None, recursively (json would write NaN)."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {str(k) if not isinstance(k, str) else k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.floating):
        return _json_default(obj)
    if obj is pd.NaT:
        return None
    return obj


def to_json_text(obj: Any, *, indent: int | None = 2) -> str:
    """Serialise ``obj`` to JSON text (dates ISO, numpy scalars native, NaN -> null)."""
    return json.dumps(_clean(obj), default=_json_default, indent=indent, ensure_ascii=False, allow_nan=False)


def write_json(obj: Any, path: str | os.PathLike[str], *, indent: int | None = 2) -> Path:
    """Write ``obj`` as UTF-8 JSON atomically (see :func:`to_json_text`)."""
    return atomic_write_text(path, to_json_text(obj, indent=indent) + "\n")


def write_gpkg(gdf: Any, path: str | os.PathLike[str], layer: str) -> Path:
    """Write a GeoDataFrame as one layer of a GeoPackage, atomically.

    The whole file is replaced: write every layer you need from one call per
    file, or build the file elsewhere.
    """
    with atomic_path(path) as tmp:
        gdf.to_file(tmp, layer=layer, driver="GPKG")
    return Path(path)
