"""Write outputs atomically: text, bytes, Excel-safe CSV, JSON, GeoPackage and whole folders.

Every writer writes to a temporary file in the destination folder and renames
it into place (``os.replace``), so a crash never leaves half a file behind and
a reader never sees a partial one.  :func:`staged_folders` does the same for
output folders: they are built beside their targets, listed in a
``manifest.json`` and swapped in together, or not at all.
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


def check_writable_folder(path: str | os.PathLike[str], *, replaced: bool = True) -> None:
    """Raise the ``OSError`` that writing folder ``path`` would meet, without creating it.

    For commands that should fail on a bad output folder before doing any work.
    A folder ``replaced`` as a whole (see :func:`staged_folders`) must be a folder
    (or not exist yet) and the folder that holds it must be writable; otherwise
    files are written into ``path`` itself.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target))
    probe = target.parent if replaced and target.exists() else target
    while not probe.exists():
        if probe.parent == probe:
            return
        probe = probe.parent
    if not probe.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))


# --- all-or-nothing output folders -------------------------------------------------------
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "licvisit-manifest/1"

# The files each command writes into its output folder (fnmatch patterns, "*" also matches
# "/"). A file the previous run of licvisit wrote (listed in its manifest) that matches is
# replaced by the new run; every other file in the folder is carried over untouched.
OUTPUT_FILES: dict[str, tuple[str, ...]] = {
    "rank": ("ranking.csv", "ranking.gpkg", "ranking.json", "attribution*.csv", "attribution.parquet"),
    "plan": (
        "plan.json", "roster.csv", "roster.html", "visits.csv", "visits.json", "visits.gpkg",
        "dropped.csv", "bent_rules.csv", "changes.csv", "itineraries/*",
    ),
    "maps": ("index.html", "overview.html", "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]_*.html"),
    "evidence": ("report.html", "report.pdf", "evidence.json", "tables/*", "charts/*"),
}  # fmt: skip
OUTPUT_FILES["demo"] = (
    *OUTPUT_FILES["maps"], "validation.json", "backtest.json", "ranking/*", "plan/*", "evidence/*",
)  # fmt: skip


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_files(folder: Path) -> list[str]:
    """Every file under ``folder`` as a relative POSIX path, sorted (symlinks are not followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        found += [(rel / n).as_posix() for n in filenames]
        found += [(rel / n).as_posix() for n in dirnames if (Path(dirpath) / n).is_symlink()]
    return sorted(found)


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, dict[str, Any]] | None:
    """The files listed in ``folder/manifest.json`` (path -> bytes, sha256), or None if there is none.

    Raises
    ------
    ValueError
        If manifest.json exists but is not a licvisit manifest.
    """
    f = Path(folder) / MANIFEST
    if not f.is_file():
        return None
    try:
        doc = json.loads(f.read_text(encoding="utf-8"))
        if doc.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}")
        files = {str(e["path"]): {"bytes": int(e["bytes"]), "sha256": str(e["sha256"])} for e in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{f} is not a licvisit manifest ({exc})") from exc
    return files


def manifest_problems(
    folder: str | os.PathLike[str], owned: tuple[str, ...] = ()
) -> list[tuple[str, str]] | None:
    """Check the files of ``folder`` against its manifest; None if it has no manifest.

    Returns ``(path, what)`` pairs, ``what`` one of ``"missing"``, ``"changed"`` or
    ``"unlisted"`` (a file matching ``owned`` that the manifest does not list).

    Raises
    ------
    ValueError
        If manifest.json is not a licvisit manifest.
    """
    import fnmatch

    folder = Path(folder)
    listed = read_manifest(folder)
    if listed is None:
        return None
    problems = []
    for rel, entry in sorted(listed.items()):
        f = folder / rel
        if not f.is_file():
            problems.append((rel, "missing"))
        elif f.stat().st_size != entry["bytes"] or file_sha256(f) != entry["sha256"]:
            problems.append((rel, "changed"))
    for rel in _tree_files(folder):
        if rel != MANIFEST and rel not in listed and any(fnmatch.fnmatchcase(rel, p) for p in owned):
            problems.append((rel, "unlisted"))
    return problems


def _carry_over(old: Path, stage: Path, owned: tuple[str, ...], files: dict[str, dict[str, Any]]) -> None:
    """Link into ``stage`` every file of the previous folder ``old`` that the new run does not replace.

    A file is replaced when it matches ``owned`` and the previous manifest lists it
    (or there is no manifest: a folder written before manifests), or when the new
    run writes a file of the same name.  Everything else (the user's own files,
    other commands' outputs) is hard-linked (or copied) across, so ``old`` itself
    is never changed; a carried file the old manifest listed keeps its entry.
    """
    import fnmatch
    import shutil

    try:
        previous = read_manifest(old)
    except ValueError:
        previous = None
    for dirpath, dirnames, filenames in os.walk(old):
        here = Path(dirpath)
        rel_dir = here.relative_to(old)
        for name in [n for n in dirnames if (here / n).is_symlink()]:
            dirnames.remove(name)
            filenames.append(name)
        if rel_dir != Path(".") and not dirnames and not filenames:  # an empty folder
            dest = stage / rel_dir
            if dest.exists() and not dest.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(old / rel_dir))
            dest.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            rel = (rel_dir / name).as_posix()
            if rel == MANIFEST:
                continue
            ours = previous is None or rel in previous
            if ours and any(fnmatch.fnmatchcase(rel, p) for p in owned):
                continue
            dest = stage / rel
            if dest.is_dir() and not dest.is_symlink():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(old / rel))
            if dest.exists() or dest.is_symlink():
                continue  # the new run writes this name: the new file wins
            for parent in reversed(Path(rel).parents[:-1]):
                if (stage / parent).exists() and not (stage / parent).is_dir():
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(old / parent))
            dest.parent.mkdir(parents=True, exist_ok=True)
            src = here / name
            if src.is_symlink():
                os.symlink(os.readlink(src), dest)
            else:
                try:
                    os.link(src, dest)
                except OSError:
                    shutil.copy2(src, dest)
            if previous is not None and rel in previous:
                files[rel] = previous[rel]


def _write_manifest(stage: Path, old: Path | None, owned: tuple[str, ...], written_by: str) -> None:
    """List every file written in ``stage`` with its size and SHA-256, carry the old folder's others over."""
    from licvisit import __version__

    files: dict[str, dict[str, Any]] = {}
    for rel in _tree_files(stage):
        f = stage / rel
        if rel != MANIFEST and f.is_file():
            files[rel] = {"bytes": f.stat().st_size, "sha256": file_sha256(f)}
    if old is not None and old.is_dir():
        _carry_over(old, stage, owned, files)
    doc = {
        "format": MANIFEST_FORMAT,
        "written_by": f"{written_by} {__version__}",
        "files": [{"path": k, **files[k]} for k in sorted(files)],
    }
    atomic_write_text(stage / MANIFEST, to_json_text(doc) + "\n")


def _spare_name(target: Path, what: str, *, make: bool = False) -> Path:
    """A free hidden name beside ``target``; with ``make``, a new folder of that name.

    The folder is made with ``os.mkdir`` (not ``mkdtemp``) so that it gets the
    permissions the user's umask gives any folder, as the target would.
    """
    import secrets

    while True:
        name = target.parent / f".{target.name}.licvisit-{secrets.token_hex(4)}.{what}"
        if not make:
            if not (name.exists() or name.is_symlink()):
                return name
            continue
        try:
            name.mkdir()
        except FileExistsError:
            continue
        return name


@contextlib.contextmanager
def staged_folders(
    targets: list[tuple[str | os.PathLike[str], tuple[str, ...]]], written_by: str
) -> Iterator[list[Path]]:
    """Stage output folders beside their targets and swap them all into place on success.

    ``targets`` pairs each output folder with the patterns of the files the
    command writes there (:data:`OUTPUT_FILES`).  The body writes into the
    yielded staging folders.  When it finishes, each staging folder gets a
    ``manifest.json`` (every file's size and SHA-256), the files of the previous
    folder that the run does not replace are linked across (see
    :func:`_carry_over`), and each folder is swapped in: target -> backup,
    staging -> target, backup removed.  If the body or any swap fails (an error,
    Ctrl-C), the folders already swapped are swapped back, so every previous
    folder is left exactly as it was, and the staging folders are removed.

    A target inside another (e.g. ``--maps-dir`` inside ``--out``) is written
    inside that one's staging folder, gets a manifest of its own and commits
    with it.

    Raises
    ------
    OSError
        If a target is a file, a folder cannot be made, or a carried-over file's
        name is taken by a new folder (or the reverse).
    """
    import shutil

    paths = [Path(t) for t, _ in targets]
    paths = [p.resolve() if p.is_symlink() else p for p in paths]
    for p in paths:
        if p.exists() and not p.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(p))
    absolute = [Path(os.path.abspath(p)) for p in paths]
    outer: list[int] = []  # targets that get a staging folder of their own
    parent_of: dict[int, int] = {}
    for i in sorted(range(len(paths)), key=lambda i: len(absolute[i].parts)):
        host = next((j for j in outer if absolute[i].is_relative_to(absolute[j])), None)
        if host is None:
            outer.append(i)
        else:
            parent_of[i] = host
    owned = {i: tuple(targets[i][1]) for i in outer}
    for i, j in parent_of.items():
        rel = absolute[i].relative_to(absolute[j]).as_posix()
        owned[j] += tuple(p if rel == "." else f"{rel}/{p}" for p in targets[i][1])
    created: list[Path] = []  # folders above the targets that this run made
    stages: dict[int, Path] = {}
    try:
        for i in outer:
            missing = [q for q in [paths[i].parent, *paths[i].parent.parents] if not q.exists()]
            try:
                paths[i].parent.mkdir(parents=True, exist_ok=True)
                created += reversed(missing)
                stages[i] = _spare_name(paths[i], "staging", make=True)
            except OSError as exc:
                raise naming(exc, paths[i]) from exc
        yielded = []
        for i in range(len(paths)):
            if i in stages:
                yielded.append(stages[i])
            else:
                sub = stages[parent_of[i]] / absolute[i].relative_to(absolute[parent_of[i]])
                sub.mkdir(parents=True, exist_ok=True)
                yielded.append(sub)
        yield yielded
        for i, j in parent_of.items():  # a folder inside another gets its own manifest too
            if absolute[i] != absolute[j]:
                _write_manifest(yielded[i], None, (), written_by)
        for i in outer:
            _write_manifest(stages[i], paths[i], owned[i], written_by)
        swapped: list[list[Any]] = []  # [target, backup or None, staging folder, new one in place]
        try:
            for i in outer:
                step: list[Any] = [paths[i], None, stages[i], False]
                swapped.append(step)
                if paths[i].exists() or paths[i].is_symlink():
                    backup = _spare_name(paths[i], "previous")
                    replace(paths[i], backup)
                    step[1] = backup
                replace(stages[i], paths[i])
                step[3] = True
        except BaseException:
            for target, backup, stage, in_place in reversed(swapped):
                with contextlib.suppress(OSError):
                    if in_place:
                        os.replace(target, stage)
                    if backup is not None:
                        os.replace(backup, target)
            raise
        created.clear()
        for _, backup, _, _ in swapped:
            if backup is not None:
                shutil.rmtree(backup, ignore_errors=True)
    finally:
        for stage in stages.values():
            shutil.rmtree(stage, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty


@contextlib.contextmanager
def staged_folder(target: str | os.PathLike[str], owned: tuple[str, ...], written_by: str) -> Iterator[Path]:
    """One output folder written all-or-nothing (see :func:`staged_folders`)."""
    with staged_folders([(target, owned)], written_by) as (stage,):
        yield stage


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
    file, or build the file elsewhere.  Written through GDAL's Arrow interface
    (``use_arrow``): the same tables, several times quicker than feature by
    feature (10,000 premises: about 0.2 s instead of 0.6 s).
    """
    with atomic_path(path) as tmp:
        gdf.to_file(tmp, layer=layer, driver="GPKG", use_arrow=True)
    return Path(path)
