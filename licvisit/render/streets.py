"""Draw named streets under the stops, offline: an OSM extract or street lines, clipped and embedded.

``[maps] streets = FILE`` names an OpenStreetMap extract (``.osm.pbf`` or
``.osm``, read by GDAL's OSM driver, its ``lines`` layer) or street lines
(GeoJSON, GeoPackage, ... with a ``name`` column).  Each map gets only the
streets around its own stops, simplified to about a metre and embedded as
script-safe JSON; ``assets/streets.js`` draws them on a pane under the
stops and places each street's name along it at street zoom.  Measured on
central Leeds (0.88 km², 362 streets): about 64 KB of JSON.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from licvisit.errors import LicvisitError
from licvisit.render.offline import ASSETS

ATTRIBUTION = "© OpenStreetMap contributors"
# Roads worth drawing (OSM highway=*); paths, tracks and service roads only add clutter at night.
MAJOR = {"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link", "primary_link"}
_SKIP = {"footway", "path", "cycleway", "steps", "bridleway", "track", "corridor", "proposed", "construction"}
LABEL_MIN_M = 40.0  # a piece of street shorter than this gets no name
LABEL_SPACING_M = 180.0  # one name per street per this distance


@functools.lru_cache(maxsize=4)
def read_streets(path: str) -> Any:
    """Read street lines (EPSG:4326, columns ``name``, ``major``) from an OSM extract or a line file.

    Raises
    ------
    LicvisitError
        If the file cannot be read or holds no lines.
    """
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


def _metres(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude at ``lat``."""
    return 111_320.0 * math.cos(math.radians(lat)), 110_540.0


def streets_layer(
    path: str | Path, points: list[list[float]], margin_m: float = 400.0
) -> dict[str, Any] | None:
    """Return the streets around ``points`` ([lat, lon]) as plain data for ``streets.js``.

    ``{"lines": [[name index, major 0/1, [lat, lon, lat, lon, ...]], ...],
    "names": [...], "labels": [[name index, lat, lon, angle°], ...], "attribution": ...}``
    or ``None`` when no street is near the points.
    """
    import shapely

    if not points:
        return None
    streets = read_streets(str(Path(path)))
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mx, my = _metres(sum(lats) / len(lats))
    box = (
        min(lons) - margin_m / mx,
        min(lats) - margin_m / my,
        max(lons) + margin_m / mx,
        max(lats) + margin_m / my,
    )
    clipped = streets.clip_by_rect(*box)
    keep = ~(clipped.is_empty | clipped.isna())
    if not keep.any():
        return None
    names: list[str] = []
    index: dict[str, int] = {}
    lines, labels = [], []
    placed: dict[str, list[tuple[float, float]]] = {}
    for geom, name, major in zip(clipped[keep], streets["name"][keep], streets["major"][keep], strict=True):
        g = shapely.set_precision(geom.simplify(0.00001), 1e-5)
        parts = getattr(g, "geoms", [g])
        nm = str(name or "")
        if nm not in index:
            index[nm] = len(names)
            names.append(nm)
        for part in parts:
            if part.is_empty or part.geom_type != "LineString" or len(part.coords) < 2:
                continue
            coords = [(round(y, 5), round(x, 5)) for x, y in part.coords]
            lines.append([index[nm], int(bool(major)), [v for c in coords for v in c]])
            if not nm:
                continue
            length = sum(
                math.hypot((b[1] - a[1]) * mx, (b[0] - a[0]) * my)
                for a, b in zip(coords, coords[1:], strict=False)
            )
            if length < LABEL_MIN_M:
                continue
            mid = part.interpolate(0.5, normalized=True)
            a = part.interpolate(max(part.project(mid) - 0.0001, 0))
            b = part.interpolate(min(part.project(mid) + 0.0001, part.length))
            lat, lon = mid.y, mid.x
            if any(
                math.hypot((lon - q[1]) * mx, (lat - q[0]) * my) < LABEL_SPACING_M for q in placed.get(nm, [])
            ):
                continue
            placed.setdefault(nm, []).append((lat, lon))
            angle = math.degrees(math.atan2(-(b.y - a.y) * my, (b.x - a.x) * mx))
            if angle > 90:
                angle -= 180
            elif angle < -90:
                angle += 180
            labels.append([index[nm], round(lat, 5), round(lon, 5), round(angle)])
    if not lines:
        return None
    return {"lines": lines, "names": names, "labels": labels, "attribution": ATTRIBUTION}


def streets_for(params: Any, points: list[list[float]]) -> dict[str, Any] | None:
    """The street layer for a map whose stops are ``points``, or ``None`` without ``[maps] streets``."""
    if not getattr(params, "streets", None):
        return None
    return streets_layer(params.streets, points, params.streets_margin_m)


def streets_script(
    layer: dict[str, Any] | None, map_var: str, as_data: Callable[[Any], str] | None = None
) -> str:
    """Return the JavaScript that draws ``layer`` on the map ``map_var`` (empty without streets).

    ``as_data`` turns the layer into the JSON text put in the page (``PageSlots.text_data``
    on a folium page); by default it is serialised here.
    """
    if not layer or not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", map_var):
        return ""
    # script-safe JSON whose strings are also inert to the template engine folium renders through
    from licvisit.render.outcomes import _inert_json

    js = (ASSETS / "streets.js").read_text(encoding="utf-8")
    return f"window.LV_STREETS={(as_data or _inert_json)(layer)};\nwindow.LV_MAP={map_var};\n" + js
