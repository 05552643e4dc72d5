"""Write a risk ranking: CSV for Excel, GeoPackage for QGIS, JSON, and the attribution tables.

An attribution table longer than one Excel sheet holds (:data:`EXCEL_MAX_ROWS`
rows, the header among them) is written as ``attribution.parquet`` instead of
``attribution.csv``: Excel would cut the CSV short without saying so, and
Parquet is several times smaller and quicker to write and to read (pandas,
R ``arrow``, DuckDB, QGIS).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from licvisit.domain import ANALYSIS_CRS
from licvisit.io.write import (
    atomic_path,
    atomic_write_text,
    excel_safe_table,
    to_json_text,
    write_csv,
    write_csv_table,
    write_gpkg,
)

EXCEL_MAX_ROWS = 1_048_576  # rows in one Excel worksheet, the header row among them


def _write_ranking_json(ranking: Any, table: pd.DataFrame, path: Path) -> Path:
    """ranking.json: parameters, summary and notes, then one record per premises (pandas' fast writer)."""
    doc = ranking.to_dict(top=0)
    doc.pop("premises", None)
    head = to_json_text(doc).rstrip()
    rows = table.drop(columns=[c for c in ("geometry",) if c in table.columns]).to_json(
        orient="records", double_precision=10, force_ascii=False
    )
    return atomic_write_text(path, head[:-1].rstrip() + ',\n  "premises": ' + rows + "\n}\n")


def _attribution_frames(links: Any, calls: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    att = links.table.drop(columns=["premises_idx"]).reset_index(drop=True)
    if calls is not None:
        pos = att["call"].to_numpy()
        if "call_id" in calls.columns:
            att.insert(1, "call_id", calls["call_id"].take(pos).reset_index(drop=True))
        # where each call came from, so every link can be traced to its row (police.uk ASB has no id)
        if "source_file" in calls.columns and "source_row" in calls.columns:
            codes, files = pd.factorize(calls["source_file"])  # a few files, millions of calls
            names = [Path(str(f)).name for f in files]
            cats = names if len(set(names)) == len(names) else [str(f) for f in files]
            att["source_file"] = pd.Categorical.from_codes(codes[pos], categories=cats)
            att["source_row"] = calls["source_row"].to_numpy()[pos]
    return {attribution_file(len(att)): att, "attribution_sensitivity.csv": links.sensitivity}


def attribution_file(n_rows: int) -> str:
    """``attribution.csv``, or ``attribution.parquet`` when ``n_rows`` links and a header overflow a sheet."""
    return "attribution.parquet" if n_rows + 1 > EXCEL_MAX_ROWS else "attribution.csv"


def attribution_note(n_rows: int) -> str | None:
    """The sentence telling the user the links went to Parquet (None when they fit a CSV Excel opens)."""
    if attribution_file(n_rows) == "attribution.csv":
        return None
    return (
        f"The attribution table has {n_rows:,} rows, more than Excel opens ({EXCEL_MAX_ROWS:,} rows a sheet), "
        "so it is written as attribution.parquet instead of attribution.csv (read it with pandas, R arrow, "
        "DuckDB or QGIS)."
    )


def _write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as Parquet (zstd), atomically."""
    import pyarrow as pa

    return _write_arrow(pa.Table.from_pandas(df, preserve_index=False), path)


def write_attribution(links: Any, out_dir: str | Path, calls: pd.DataFrame | None = None) -> list[Path]:
    """Write ``links`` (a ``licvisit.core.risk.attribution.Links``) into ``out_dir``.

    Files: ``attribution.csv`` (one row per call-premises link, with the call's
    ``call_id`` when ``calls`` has one; ``attribution.parquet`` instead when
    the links overflow an Excel sheet, see :func:`attribution_file`) and
    ``attribution_sensitivity.csv`` (calls linked at 25/50/100 m).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [
        _write_parquet(df, out / name) if name.endswith(".parquet") else write_csv(df, out / name)
        for name, df in _attribution_frames(links, calls).items()
    ]


def write_attribution_in_background(
    links: Any, out_dir: str | Path, calls: pd.DataFrame | None = None
) -> Future[list[Path]]:
    """Start writing the files of :func:`write_attribution`; return a Future of their paths.

    The Excel-safe Arrow tables are built here, in the calling thread (that work
    needs the GIL); only the CSV writing, pure Arrow work that releases the GIL,
    runs in a second thread, so it overlaps whatever the caller does next.  Write
    into a staging folder and wait for the Future before removing it.
    """
    import pyarrow as pa

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        name: pa.Table.from_pandas(df, preserve_index=False)
        if name.endswith(".parquet")
        else excel_safe_table(df)
        for name, df in _attribution_frames(links, calls).items()
    }
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-attribution")
    try:
        return pool.submit(lambda: [_write_arrow(t, out / name) for name, t in tables.items()])
    finally:
        pool.shutdown(wait=False)


def _write_arrow(table: Any, path: Path) -> Path:
    """Write an Arrow table as Parquet (zstd) or Excel-safe CSV, by ``path``'s suffix, atomically.

    Pure Arrow work that releases the GIL, so it can run in a second thread.
    """
    if path.suffix != ".parquet":
        return write_csv_table(table, path)
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Dictionary pages only where the values repeat (columns already Arrow dictionaries,
    # booleans), and min/max statistics only for numbers: a page dictionary and the
    # statistics of 1.4 million distinct call ids cost a third of the write and help no reader.
    fields = list(table.schema)
    repeated = [f.name for f in fields if pa.types.is_dictionary(f.type) or pa.types.is_boolean(f.type)]
    numbers = [f.name for f in fields if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)]
    with atomic_path(path) as tmp:
        pq.write_table(table, str(tmp), compression="zstd", use_dictionary=repeated, write_statistics=numbers)
    return path


def _tidy_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Floats rounded to 9 decimals (6314.83, not 6314.829999999998) and no negative zeros."""
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    if not floats:
        return table
    out = table.copy()
    out[floats] = out[floats].round(9) + 0.0  # -0.0 + 0.0 == +0.0
    return out


def write_ranking(
    ranking: Any,
    out_dir: str | Path,
    calls: pd.DataFrame | None = None,
    table: pd.DataFrame | None = None,
    *,
    attribution: bool = True,
) -> list[Path]:
    """Write ``ranking`` (a ``licvisit.core.risk.Ranking``) into ``out_dir``.

    ``table`` replaces ``ranking.table`` (e.g. filtered to one zone); ``calls``
    adds each linked call's ``call_id`` to the attribution table.

    Files: ``ranking.csv`` (Excel-safe), ``ranking.gpkg`` (layer ``ranking``,
    EPSG:27700), ``ranking.json`` and, unless ``attribution`` is False (the
    caller writes them with :func:`write_attribution`), ``attribution.csv`` and
    ``attribution_sensitivity.csv``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = _tidy_numbers(ranking.table if table is None else table)
    # Arrow's CSV writer releases the GIL: ranking.csv is written beside the GeoPackage and JSON
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-ranking-csv") as pool:
        csv_file = pool.submit(write_csv, table, out / "ranking.csv")
        gpkg = _write_ranking_gpkg(table, out / "ranking.gpkg")
        json_file = _write_ranking_json(ranking, table, out / "ranking.json")
        written = [csv_file.result(), gpkg, json_file]
    if attribution:
        written += write_attribution(ranking.links, out, calls)
    return [Path(p) for p in written]


def _write_ranking_gpkg(table: pd.DataFrame, path: Path) -> Path:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["x"], table["y"]), crs=ANALYSIS_CRS)
    return write_gpkg(gdf, path, layer="ranking")
