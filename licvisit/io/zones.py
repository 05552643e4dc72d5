"""Read night-time economy (NTE) zone polygons from GeoJSON, GeoPackage or Shapefile."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from licvisit.domain import ANALYSIS_CRS
from licvisit.errors import ConfigError, Problem
from licvisit.io.geo import in_bng_box, in_lonlat_box
from licvisit.io.table import closest, normalise_name
from licvisit.io.validate import FileSummary, ProblemLog

if TYPE_CHECKING:
    from pyproj import CRS
    from shapely.geometry.base import BaseGeometry

ID_HEADERS = ("zone_id", "id", "code", "zone_code", "ref")
NAME_HEADERS = ("name", "zone_name", "zone", "label", "title")


def empty_zones() -> gpd.GeoDataFrame:
    """An empty zones table: ``zone_id``, ``name`` and an EPSG:27700 geometry.

    Returns
    -------
    GeoDataFrame
    """
    return gpd.GeoDataFrame(
        {"zone_id": pd.Series(dtype=str), "name": pd.Series(dtype=str)},
        geometry=gpd.GeoSeries([], crs=ANALYSIS_CRS),
        crs=ANALYSIS_CRS,
    )


def zones_matching(zones: gpd.GeoDataFrame | None, key: str, needed_by: str) -> tuple[gpd.GeoDataFrame, str]:
    """Every zone whose name or zone_id is ``key`` (trimmed, case-insensitive), and their names joined.

    The one zone picker: ``licvisit rank --zone`` and the evidence pack both use it,
    so a name given twice in a zones file means the same area to both (all of it).

    Raises
    ------
    ConfigError
        No zones loaded (``needed_by`` says what needed them), or no zone of that
        name (the message lists the zones there are).
    """
    if zones is None or len(zones) == 0:
        raise ConfigError(
            f"{needed_by} needs NTE zones. Fix: pass `zones` FILE or name it under [inputs] in `config`."
        )
    blank = pd.Series([""] * len(zones), index=zones.index)
    names = zones["name"].astype(str) if "name" in zones.columns else blank
    ids = zones["zone_id"].astype(str) if "zone_id" in zones.columns else blank
    want = str(key).strip().casefold()
    m = ((names.str.strip().str.casefold() == want) | (ids.str.strip().str.casefold() == want)).to_numpy()
    if not m.any():
        raise ConfigError(f"Zone '{key}' not found; expected one of: {', '.join(names)}.")
    label = ", ".join(names[m]) if "name" in zones.columns else str(key)
    return zones[m], label


def select_zone(zones: gpd.GeoDataFrame | None, name: str) -> gpd.GeoDataFrame:
    """Return the one-row frame of the zone called ``name`` (or with that zone_id), case-insensitive.

    Zones are picked by :func:`zones_matching`; when several rows
    match (a zone drawn in parts), the row holds all of them: their union and names.

    Raises
    ------
    ConfigError
        No zones, or no zone of that name (the message lists the zones there are).
    """
    matches, label = zones_matching(zones, name, "The evidence pack")
    if len(matches) == 1:
        return matches
    one = matches.iloc[[0]].copy()
    one["geometry"] = [matches.geometry.union_all()]
    if "name" in one.columns:
        one["name"] = label
    return one


def read_zones(
    path: str | Path, mapping: Mapping[str, str] | None = None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read NTE zone polygons: columns ``zone_id``, ``name``, ``geometry`` (EPSG:27700).

    ``mapping`` (``[mapping.zones]``) names the file's id and name columns,
    e.g. ``{"zone_id": "WD23CD", "name": "WD23NM"}`` for an ONS ward file.
    A file without a CRS (a GeoJSON without a ``crs`` member) is read as
    longitude/latitude or, with a warning, as British National Grid when its
    coordinates are clearly one of these inside Great Britain; otherwise it is
    refused, as are zones outside Great Britain.  Invalid polygons (e.g.
    self-intersecting) are repaired with ``shapely.make_valid`` and reported;
    MultiPolygons are kept as one zone and reported; features that are not
    polygons are listed and left out.
    """
    gdf, problems, _ = zones_with_summary(path, mapping)
    return gdf, problems


def zones_with_summary(
    path: str | Path, mapping: Mapping[str, str] | None = None
) -> tuple[gpd.GeoDataFrame, list[Problem], FileSummary]:
    """Read zone polygons as :func:`read_zones` does, with the file's summary.

    Parameters
    ----------
    path : str or Path
        A GeoJSON, GeoPackage or Shapefile of zone polygons.
    mapping : mapping of str to str, optional
        ``[mapping.zones]``: glossary name (``zone_id``, ``name``) -> column in the file.

    Returns
    -------
    zones : GeoDataFrame
        ``zone_id``, ``name``, the file's other columns and the polygons in EPSG:27700
        (empty after a file error).
    problems : list of Problem
    summary : FileSummary
    """
    p = Path(path)
    log = ProblemLog(str(p), "zones")
    gdf = _read_zone_file(p, log)
    if gdf is None:
        return empty_zones(), log.problems, log.summary
    moved = _to_analysis_crs(gdf, _declared_crs(p, gdf), log)
    if moved is None:
        return empty_zones(), log.problems, log.summary
    gdf, inside = moved
    columns = _zone_columns(gdf, mapping, log)
    if columns is None:
        return empty_zones(), log.problems, log.summary
    id_col, name_col = columns
    ids, names = _ids_and_names(gdf, id_col, name_col, log)
    geoms = _checked_geometries(gdf.geometry.reset_index(drop=True), inside, ids, log)
    _check_ids(ids.to_numpy(), id_col, log)
    out = _zone_frame(gdf, ids.to_numpy(), names, geoms, id_col, name_col, log.keep)
    log.finish(len(gdf), len(out))
    return out, log.problems, log.summary


def _read_zone_file(p: Path, log: ProblemLog) -> gpd.GeoDataFrame | None:
    """The file's features (rows numbered from 1), or None (reported) if missing, a CSV, unreadable or empty."""
    if not p.exists():
        log.error("no such file", "a GeoJSON, GeoPackage or Shapefile of zone polygons", "check the path")
        return None
    if p.suffix.lower() == ".csv":
        log.error(
            "a CSV file",
            "zone polygons as GeoJSON, GeoPackage or Shapefile",
            "export the zones from your GIS as GeoJSON",
        )
        return None
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        log.error(
            f"a file that cannot be read as GeoJSON/GeoPackage/Shapefile ({first})",
            "zone polygons",
            "open it in QGIS and save it as GeoJSON",
        )
        return None
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
        return None
    return gdf


def _ids_and_names(
    gdf: gpd.GeoDataFrame, id_col: str | None, name_col: str | None, log: ProblemLog
) -> tuple[pd.Series, pd.Series]:
    """Zone ids (made from the names when there is no id column) and names (the id when blank)."""
    n = len(gdf)
    names = gdf[name_col].fillna("").astype(str).str.strip() if name_col else pd.Series([""] * n)
    if id_col:
        ids = gdf[id_col].fillna("").astype(str).str.strip()
    else:
        ids = pd.Series(_ids_from_names(names.tolist()))
        log.note("no zone_id column: ids made from the names")
    return ids, names.where(names != "", ids)


def _checked_geometries(
    geoms: gpd.GeoSeries, inside: np.ndarray, ids: pd.Series, log: ProblemLog
) -> gpd.GeoSeries:
    """Leave out empty, non-polygon and outside-GB zones; repair invalid polygons; report MultiPolygons."""
    empty = (geoms.isna() | geoms.is_empty).to_numpy()
    log.rows(
        empty,
        "geometry",
        "an empty geometry",
        "a polygon",
        "draw the zone or delete the feature",
        "empty geometry",
    )
    log.rows(
        ~empty & ~inside,
        "geometry",
        lambda i: f"a zone outside Great Britain (zone {ids.iloc[i]!r})",
        "a zone inside Great Britain",
        "check the zone's coordinates and the file's CRS in your GIS, or delete the feature",
        "outside Great Britain",
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
    return geoms


def _check_ids(id_arr: np.ndarray, id_col: str | None, log: ProblemLog) -> None:
    """Leave out kept zones with a blank id, and repeats of an id."""
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


def _zone_frame(
    gdf: gpd.GeoDataFrame,
    id_arr: np.ndarray,
    names: pd.Series,
    geoms: gpd.GeoSeries,
    id_col: str | None,
    name_col: str | None,
    keep: np.ndarray,
) -> gpd.GeoDataFrame:
    """The kept zones: ``zone_id``, ``name``, polygons, then the file's other columns."""
    extra = [c for c in gdf.columns if c not in (gdf.geometry.name, id_col, name_col)]
    out = gpd.GeoDataFrame(
        {"zone_id": id_arr[keep].astype(str), "name": names.to_numpy()[keep].astype(str)},
        geometry=gpd.GeoSeries(geoms.to_numpy()[keep], crs=ANALYSIS_CRS),
        crs=ANALYSIS_CRS,
    )
    for c in extra:
        if c not in out.columns:
            out[c] = gdf[c].to_numpy()[keep]
    return out


def _declared_crs(p: Path, gdf: gpd.GeoDataFrame) -> CRS | None:
    """The CRS the file itself states, or None.

    GDAL reports EPSG:4326 for every GeoJSON without a ``crs`` member (RFC 7946),
    so for GeoJSON the member is looked for in the file: a British National Grid
    export without one must not be read as degrees.
    """
    if gdf.crs is None or p.suffix.lower() not in (".geojson", ".json"):
        return gdf.crs
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError, OSError):
        return gdf.crs
    return gdf.crs if isinstance(doc, dict) and doc.get("crs") is not None else None


def _example(xy: np.ndarray) -> str:
    return f"{xy[0]:.6g}, {xy[1]:.6g}"


def _to_analysis_crs(
    gdf: gpd.GeoDataFrame, declared: CRS | str | None, log: ProblemLog
) -> tuple[gpd.GeoDataFrame, np.ndarray] | None:
    """``gdf`` in EPSG:27700 and, per feature, whether it lies in Great Britain.

    Returns None after logging a file-level error (coordinates in neither form,
    a CRS that contradicts them, or every zone outside Great Britain).
    """
    geoms = gdf.geometry
    xy = shapely.get_coordinates(geoms.to_numpy())
    if not len(xy):
        return gdf.set_crs(ANALYSIS_CRS, allow_override=True), np.ones(len(gdf), dtype=bool)
    finite = bool(np.isfinite(xy).all())
    lonlat = finite and bool(in_lonlat_box(xy[:, 0], xy[:, 1]).all())
    metres = finite and bool(in_bng_box(xy[:, 0], xy[:, 1]).all())
    degrees = finite and bool(((np.abs(xy[:, 0]) <= 180) & (np.abs(xy[:, 1]) <= 90)).all())
    first = xy[0]
    if declared is None:
        if degrees:  # zones outside Great Britain are left out below, one by one
            if log.summary.format != "GeoJSON":  # GeoJSON without a CRS is longitude/latitude by definition
                log.warn(
                    "no coordinate reference system",
                    "a CRS in the file",
                    "none needed: read as longitude/latitude (EPSG:4326) from the coordinates; set the CRS "
                    "when exporting",
                )
            declared = "EPSG:4326"
        elif metres:
            log.warn(
                f"no coordinate reference system, and coordinates in metres (e.g. {_example(first)})",
                "a CRS in the file",
                "none needed: read as British National Grid (EPSG:27700); set the CRS when exporting "
                "(QGIS: Export > Save Features As, CRS EPSG:27700)",
            )
            declared = ANALYSIS_CRS
        else:
            log.error(
                f"no coordinate reference system, and coordinates that are neither longitude/latitude nor "
                f"British National Grid metres inside Great Britain (e.g. {_example(first)})",
                "zone polygons in Great Britain, in EPSG:4326 or EPSG:27700",
                "export the zones from your GIS as GeoJSON in EPSG:4326 or EPSG:27700",
            )
            return None
    gdf = gdf.set_crs(declared, allow_override=True)
    crs = gdf.crs
    if crs.to_epsg() == 27700 and lonlat and not metres:
        log.error(
            f"longitude/latitude coordinates (e.g. {_example(first)}) in a file labelled EPSG:27700",
            "eastings and northings in metres for EPSG:27700",
            "set the layer's CRS to EPSG:4326 in your GIS (QGIS: Layer > Set CRS) and export again",
        )
        return None
    if crs.is_geographic and metres and not lonlat:
        log.error(
            f"coordinates in metres (e.g. {_example(first)}) in a file labelled {crs.to_string()}",
            "longitude/latitude in degrees for a geographic CRS",
            "set the layer's CRS to EPSG:27700 in your GIS (QGIS: Layer > Set CRS) and export again",
        )
        return None
    try:
        with np.errstate(all="ignore"):
            moved = gdf.to_crs(ANALYSIS_CRS)
    except Exception as exc:  # pyproj raises several types for an impossible transformation
        log.error(
            f"coordinates that cannot be converted from {crs.to_string()} to EPSG:27700 ({exc})",
            "zone polygons in Great Britain",
            "export the zones from your GIS as GeoJSON in EPSG:4326 or EPSG:27700",
        )
        return None
    inside = np.array(
        [
            g is None or g.is_empty or bool(np.isfinite(c).all() and in_bng_box(c[:, 0], c[:, 1]).all())
            for g, c in ((g, shapely.get_coordinates(g)) for g in moved.geometry.to_numpy())
        ],
        dtype=bool,
    )
    if not inside.any():
        log.error(
            f"every zone outside Great Britain (e.g. {_example(first)} in {crs.to_string()})",
            "zone polygons in Great Britain",
            "check the file covers your force area and that its CRS is right (EPSG:4326 for "
            "longitude/latitude, EPSG:27700 for eastings/northings)",
        )
        return None
    return moved, inside


def _zone_columns(
    gdf: gpd.GeoDataFrame, mapping: Mapping[str, str] | None, log: ProblemLog
) -> tuple[str | None, str | None] | None:
    """The id and name columns: ``[mapping.zones]`` first, then the usual headers; None after an error."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    keyed = {normalise_name(c): c for c in columns}
    found: dict[str, str | None] = {}
    for field_name, header in (mapping or {}).items():
        hit = header if header in columns else keyed.get(normalise_name(header))
        if hit is None:
            near = closest(header, columns)
            log.error(
                f'no column "{header}" (named in [mapping.zones] for {field_name}); columns are '
                f"{', '.join(columns) or 'none'}",
                f'a column "{header}"',
                f'use "{near}" in [mapping.zones]' if near else f"correct [mapping.zones] {field_name}",
                field=header,
            )
            return None
        found[field_name] = hit
    id_col = found.get("zone_id") or next((keyed[h] for h in ID_HEADERS if h in keyed), None)
    name_col = found.get("name") or next((keyed[h] for h in NAME_HEADERS if h in keyed), None)
    # ONS boundary files: LSOA11CD/LSOA11NM, WD23CD/WD23NM; council files: ward_code/ward_name
    if id_col is None and "zone_id" not in found:
        id_col = _one_column(columns, _ONS_CODE, log, "zone ids", "zone_id")
    if name_col is None and "name" not in found:
        name_col = _one_column(columns, _ONS_NAME, log, "zone names", "name")
    if name_col is None and columns:
        guess = next((c for c in columns if c != id_col and not _numeric(gdf[c])), columns[0])
        log.warn(
            f"no zone name column among {', '.join(columns)}",
            'a "name" column',
            f'map it in licvisit.toml: [mapping.zones] name = "{guess}"; until then zones are named by '
            "their ids",
        )
    return id_col, name_col


_ONS_CODE = re.compile(r"[a-z]{2,6}\d{2}cd|[a-z]+_code")
_ONS_NAME = re.compile(r"[a-z]{2,6}\d{2}nm|[a-z]+_name")


def _one_column(
    columns: list[str], pattern: re.Pattern, log: ProblemLog, what: str, field: str
) -> str | None:
    """The one column whose normalised header matches ``pattern`` (noted), or None."""
    hits = [c for c in columns if pattern.fullmatch(normalise_name(c))]
    if len(hits) != 1:
        return None
    log.note(f'{what} read from column "{hits[0]}" (choose another with [mapping.zones] {field} = "...")')
    return hits[0]


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s)


def _ids_from_names(names: list[str]) -> list[str]:
    """A unique id per zone from its name (letters of any script kept); ``zone_N`` only for a blank name."""
    ids: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        base = _slug(name) or name.strip() or f"zone_{i + 1}"
        key, k = base, 2
        while key in seen:
            key, k = f"{base}_{k}", k + 1
        seen.add(key)
        ids.append(key)
    return ids


def _polygonal(g: BaseGeometry | None) -> BaseGeometry | None:
    if g is None or g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g


def _slug(text: str) -> str:
    # \w keeps letters and digits of every script ("Ōld Town", "Caerdydd Canol")
    return re.sub(r"[\W_]+", "_", text.casefold()).strip("_")
