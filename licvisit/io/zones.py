"""Read night-time economy (NTE) zone polygons from GeoJSON, GeoPackage or Shapefile."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from licvisit.domain import ANALYSIS_CRS
from licvisit.errors import Problem
from licvisit.io.table import normalise_name
from licvisit.io.validate import FileSummary, ProblemLog

ID_HEADERS = ("zone_id", "id", "code", "zone_code", "ref")
NAME_HEADERS = ("name", "zone_name", "zone", "label", "title")


def empty_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": pd.Series(dtype=str), "name": pd.Series(dtype=str)},
        geometry=gpd.GeoSeries([], crs=ANALYSIS_CRS),
        crs=ANALYSIS_CRS,
    )


def read_zones(path: str | Path) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read NTE zone polygons: columns ``zone_id``, ``name``, ``geometry`` (EPSG:27700).

    Invalid polygons (e.g. self-intersecting) are repaired with
    ``shapely.make_valid`` and reported; MultiPolygons are kept as one zone
    and reported; features that are not polygons are listed and left out.
    """
    gdf, problems, _ = zones_with_summary(path)
    return gdf, problems


def zones_with_summary(path: str | Path) -> tuple[gpd.GeoDataFrame, list[Problem], FileSummary]:
    p = Path(path)
    log = ProblemLog(str(p), "zones")
    if not p.exists():
        log.error("no such file", "a GeoJSON, GeoPackage or Shapefile of zone polygons", "check the path")
        return empty_zones(), log.problems, log.summary
    if p.suffix.lower() == ".csv":
        log.error(
            "a CSV file",
            "zone polygons as GeoJSON, GeoPackage or Shapefile",
            "export the zones from your GIS as GeoJSON",
        )
        return empty_zones(), log.problems, log.summary
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        log.error(
            f"a file that cannot be read as GeoJSON/GeoPackage/Shapefile ({first})",
            "zone polygons",
            "open it in QGIS and save it as GeoJSON",
        )
        return empty_zones(), log.problems, log.summary
    log.summary.format = {
        ".geojson": "GeoJSON",
        ".json": "GeoJSON",
        ".gpkg": "GeoPackage",
        ".shp": "Shapefile",
    }.get(p.suffix.lower(), p.suffix)
    n = len(gdf)
    log.set_rows(np.arange(1, n + 1))
    if n == 0:
        log.error("no features", "at least one zone polygon", "check the export")
        return empty_zones(), log.problems, log.summary
    if gdf.crs is None:
        b = gdf.total_bounds
        guess = "EPSG:4326" if -180 <= b[0] <= 180 and -90 <= b[1] <= 90 else ANALYSIS_CRS
        log.warn(
            "no coordinate reference system",
            "a CRS in the file",
            f"none needed: assumed {guess} from the coordinates; set the CRS when exporting",
        )
        gdf = gdf.set_crs(guess)
    gdf = gdf.to_crs(ANALYSIS_CRS)
    keyed = {normalise_name(c): c for c in gdf.columns if c != gdf.geometry.name}
    id_col = next((keyed[h] for h in ID_HEADERS if h in keyed), None)
    name_col = next((keyed[h] for h in NAME_HEADERS if h in keyed), None)
    names = gdf[name_col].fillna("").astype(str).str.strip() if name_col else pd.Series([""] * n)
    if id_col:
        ids = gdf[id_col].fillna("").astype(str).str.strip()
    else:
        ids = pd.Series([_slug(nm) or f"zone_{i + 1}" for i, nm in enumerate(names)])
        log.note("no zone_id column: ids made from the names")
    names = names.where(names != "", ids)
    geoms = gdf.geometry.reset_index(drop=True)
    empty = (geoms.isna() | geoms.is_empty).to_numpy()
    log.rows(
        empty,
        "geometry",
        "an empty geometry",
        "a polygon",
        "draw the zone or delete the feature",
        "empty geometry",
    )
    gtype = geoms.geom_type.fillna("").to_numpy()
    not_poly = ~empty & ~np.isin(gtype, ["Polygon", "MultiPolygon"])
    log.rows(
        not_poly,
        "geometry",
        lambda i: f"a {gtype[i]}",
        "a Polygon or MultiPolygon",
        "draw the zone as a polygon",
        "not a polygon",
    )
    invalid = ~empty & ~not_poly & ~geoms.is_valid.to_numpy()
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid].to_numpy())
        reason_of = dict(zip(np.flatnonzero(invalid), reasons, strict=True))
        log.rows(
            invalid,
            "geometry",
            lambda i: f"an invalid polygon ({reason_of[i]})",
            "a valid polygon",
            "none needed: repaired with make_valid; check the boundary in your GIS",
            "",
            exclude=False,
        )
        fixed = shapely.make_valid(geoms[invalid].to_numpy())
        # make_valid may return a GeometryCollection: keep its polygonal part.
        fixed = [_polygonal(g) for g in fixed]
        geoms = geoms.copy()
        geoms.iloc[np.flatnonzero(invalid)] = fixed
        gtype = geoms.geom_type.fillna("").to_numpy()
    multi = ~empty & (gtype == "MultiPolygon")
    log.rows(
        multi,
        "geometry",
        lambda i: f"a MultiPolygon with {len(geoms.iloc[i].geoms)} parts (zone {ids.iloc[i]!r})",
        "one Polygon per zone",
        "none needed: the parts are kept as one zone; if they are different zones, explode them (QGIS: Multipart to Singleparts) and name each",
        "",
        exclude=False,
    )
    id_arr = ids.to_numpy()
    log.rows(
        (id_arr == "") & log.keep,
        id_col or "zone_id",
        "a blank",
        "a zone id",
        "give every zone an id",
        "zone id missing",
    )
    dup = pd.Series(id_arr).duplicated().to_numpy() & (id_arr != "")
    log.rows(
        dup,
        id_col or "zone_id",
        id_arr,
        "a unique zone id",
        "give each zone its own id, or merge (dissolve) the duplicates",
        "duplicate zone id",
    )
    keep = log.keep
    extra = [c for c in gdf.columns if c not in (gdf.geometry.name, id_col, name_col)]
    out = gpd.GeoDataFrame(
        {"zone_id": id_arr[keep].astype(str), "name": names.to_numpy()[keep].astype(str)},
        geometry=gpd.GeoSeries(geoms.to_numpy()[keep], crs=ANALYSIS_CRS),
        crs=ANALYSIS_CRS,
    )
    for c in extra:
        if c not in out.columns:
            out[c] = gdf[c].to_numpy()[keep]
    log.finish(n, len(out))
    return out, log.problems, log.summary


def _polygonal(g):
    if g is None or g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")
