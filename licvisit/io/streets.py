"""Read street lines for the maps: an OpenStreetMap extract or a line file (``[maps] streets``).

``[maps] streets = FILE`` names an OpenStreetMap extract (``.osm.pbf`` or
``.osm``, read by GDAL's OSM driver, its ``lines`` layer) or street lines
(GeoJSON, GeoPackage, ... with a ``name`` column).  :func:`read_streets`
returns them as data; :mod:`licvisit.render.streets` and
:mod:`licvisit.render.evidence` draw that data and read no file themselves.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from licvisit.errors import LicvisitError

# Roads worth drawing (OSM highway=*); paths, tracks and service roads only add clutter at night.
MAJOR = {"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link", "primary_link"}
_SKIP = {"footway", "path", "cycleway", "steps", "bridleway", "track", "corridor", "proposed", "construction"}


@functools.lru_cache(maxsize=4)
def _read(path: str) -> Any:
    import geopandas as gpd
    import pyogrio

    p = Path(path)
    osm = p.name.lower().endswith((".osm.pbf", ".pbf", ".osm"))
    try:
        df = pyogrio.read_dataframe(p, layer="lines") if osm else pyogrio.read_dataframe(p)
    except Exception as exc:  # pyogrio raises its own DataSourceError, OSError, ...
        raise LicvisitError(
            f"Cannot read streets from {p}: {exc}. Fix: point [maps] streets at an OpenStreetMap extract "
            "(.osm.pbf or .osm) or a GeoJSON/GeoPackage of street lines with a name column."
        ) from exc
    df = gpd.GeoDataFrame(df, geometry="geometry")
    if df.crs is None:
        df = df.set_crs("EPSG:4326")
    elif str(df.crs).upper() != "EPSG:4326":
        df = df.to_crs("EPSG:4326")
    df = df[df.geometry.notna() & df.geom_type.isin(["LineString", "MultiLineString"])]
    highway = df["highway"].astype("string").fillna("") if "highway" in df.columns else None
    if osm and highway is not None:
        df = df[(highway != "") & ~highway.isin(_SKIP)]
        highway = highway.loc[df.index]
    if not len(df):
        raise LicvisitError(
            f"{p} has no street lines. Fix: use an extract that covers the plan's area, with highway lines."
        )
    name = df["name"].astype("string").fillna("") if "name" in df.columns else ""
    major = highway.isin(MAJOR) if highway is not None else False
    out = gpd.GeoDataFrame({"name": name, "major": major}, geometry=df.geometry.values, crs="EPSG:4326")
    return out.explode(index_parts=False).reset_index(drop=True)


def read_streets(path: str | Path) -> Any:
    """Read street lines (EPSG:4326, columns ``name``, ``major``) from an OSM extract or a line file.

    The last few files read are cached (a plan's maps and the evidence pack read the
    same file); the frame returned is shared, so treat it as read-only.

    Raises
    ------
    LicvisitError
        If the file cannot be read or holds no lines.
    """
    return _read(str(Path(path)))
