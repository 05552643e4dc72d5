"""Draw named streets under the stops, offline: an OSM extract or street lines, clipped and embedded.

``[maps] streets = FILE`` names an OpenStreetMap extract or street lines,
read by :func:`licvisit.io.streets.read_streets`; this module takes the
lines it returns and reads no file.  Each map gets only the streets around
its own stops, simplified to about a metre and embedded as script-safe JSON; ``assets/streets.js`` draws them on a pane under the
stops and places each street's name along it at street zoom.  Measured on
central Leeds (0.88 km², 362 streets): about 64 KB of JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from licvisit.render.offline import ASSETS

ATTRIBUTION = "© OpenStreetMap contributors"
LABEL_MIN_M = 40.0  # a piece of street shorter than this gets no name
LABEL_SPACING_M = 180.0  # one name per street per this distance


@dataclass(frozen=True)
class StreetLines:
    """Street lines to draw under the maps, and the name of the file they came from.

    ``lines`` is the frame :func:`licvisit.io.streets.read_streets` returns (EPSG:4326,
    columns ``name``, ``major``); ``file_name`` is credited in the evidence pack's sources.
    """

    lines: Any
    file_name: str


def _metres(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude at ``lat``."""
    return 111_320.0 * math.cos(math.radians(lat)), 110_540.0


def streets_layer(streets: Any, points: list[list[float]], margin_m: float = 400.0) -> dict[str, Any] | None:
    """Return the streets around ``points`` ([lat, lon]) as plain data for ``streets.js``.

    ``streets`` are street lines as :func:`licvisit.io.streets.read_streets` returns them.

    ``{"lines": [[name index, major 0/1, [lat, lon, lat, lon, ...]], ...],
    "names": [...], "labels": [[name index, lat, lon, angle°], ...], "attribution": ...}``
    or ``None`` when no street is near the points.
    """
    import shapely

    if not points:
        return None
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


def streets_for(streets: StreetLines | None, params: Any, points: list[list[float]]) -> dict[str, Any] | None:
    """The street layer for a map whose stops are ``points``, or ``None`` without street lines."""
    if streets is None:
        return None
    return streets_layer(streets.lines, points, params.streets_margin_m)


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
