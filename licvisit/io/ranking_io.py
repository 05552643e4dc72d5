"""Write a risk ranking: CSV for Excel, GeoPackage for QGIS, JSON, and the attribution tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from licvisit.domain import ANALYSIS_CRS
from licvisit.io.write import atomic_write_text, to_json_text, write_csv, write_gpkg


def _write_ranking_json(ranking: Any, table: pd.DataFrame, path: Path) -> Path:
    """ranking.json: parameters, summary and notes, then one record per premises (pandas' fast writer)."""
    doc = ranking.to_dict(top=0)
    doc.pop("premises", None)
    head = to_json_text(doc).rstrip()
    rows = table.drop(columns=[c for c in ("geometry",) if c in table.columns]).to_json(
        orient="records", double_precision=10, force_ascii=False
    )
    return atomic_write_text(path, head[:-1].rstrip() + ',\n  "premises": ' + rows + "\n}\n")


def write_ranking(
    ranking: Any, out_dir: str | Path, calls: pd.DataFrame | None = None, table: pd.DataFrame | None = None
) -> list[Path]:
    """Write ``ranking`` (a ``licvisit.core.risk.Ranking``) into ``out_dir``.

    ``table`` replaces ``ranking.table`` (e.g. filtered to one zone); ``calls``
    adds each linked call's ``call_id`` to the attribution table.

    Files: ``ranking.csv`` (Excel-safe), ``ranking.gpkg`` (layer ``ranking``,
    EPSG:27700), ``ranking.json``, ``attribution.csv`` (one row per linked
    call) and ``attribution_sensitivity.csv`` (links at 25/50/100 m).
    """
    from concurrent.futures import ThreadPoolExecutor

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = ranking.table if table is None else table
    att = ranking.links.table.drop(columns=["premises_idx"])
    if calls is not None and "call_id" in calls.columns:
        ids = calls["call_id"].take(att["call"].to_numpy()).reset_index(drop=True)
        att = att.reset_index(drop=True)
        att.insert(1, "call_id", ids)
    # attribution.csv (one row per linked call: the biggest file by far) is written by a
    # second thread while this one writes the rest; pyarrow and GDAL release the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        att_written = pool.submit(write_csv, att, out / "attribution.csv")
        written = [write_csv(table, out / "ranking.csv"), _write_ranking_gpkg(table, out / "ranking.gpkg")]
        written.append(_write_ranking_json(ranking, table, out / "ranking.json"))
        written.append(att_written.result())
    written.append(write_csv(ranking.links.sensitivity, out / "attribution_sensitivity.csv"))
    return [Path(p) for p in written]


def _write_ranking_gpkg(table: pd.DataFrame, path: Path) -> Path:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["x"], table["y"]), crs=ANALYSIS_CRS)
    return write_gpkg(gdf, path, layer="ranking")
