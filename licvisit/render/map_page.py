"""What every map page shares: inputs prepared once, the folium map, page furniture, finishing.

Used by :mod:`licvisit.render.route_map` and :mod:`licvisit.render.overview_map`; the design is
described in :mod:`licvisit.render.maps`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import DEFAULT_OPERATIONS, WEEKDAYS, Crew, Officer, Plan, Visit
from licvisit.errors import LicvisitError
from licvisit.render.cards import esc, recent_incidents
from licvisit.render.map_params import MapParams
from licvisit.render.offline import _walk, assert_offline, csp_meta, make_offline, own_asset
from licvisit.render.slots import PageSlots, raw_element

OP_LABELS = {op.name: op.label for op in DEFAULT_OPERATIONS}
BAND_COLOURS = {"A": "#ff3b30", "B": "#ff9500", "C": "#ffd60a", "D": "#8e8e93"}
BAND_TEXT = {
    "A": "A: highest risk",
    "B": "B: high",
    "C": "C: medium",
    "D": "D: lower",
}
CREW_COLOURS = (
    "#00e5ff", "#ff4fd8", "#76ff03", "#ffab00", "#b388ff",
    "#ff5252", "#64ffda", "#ffd740", "#40c4ff", "#eeff41",
)  # fmt: skip
BIRMINGHAM = (52.4796, -1.9026)


# --- shared preparation -------------------------------------------------------
@dataclass
class _Prepared:
    """Inputs turned into what every map of one plan needs, computed once."""

    info: dict[str, dict[str, Any]]  # premises_id -> register row (+ lat, lon)
    ranking: dict[str, dict[str, Any]]
    history: dict[str, pd.DataFrame]
    incidents: dict[str, list[tuple[str, int]]]
    incident_window: tuple[dt.date | None, dt.date | None]
    zones: dict[str, Any] | None
    calls: pd.DataFrame | None
    premises: pd.DataFrame


@functools.cache
def _transformer():
    from pyproj import Transformer

    # Building a transformer costs about 0.2 s; build it once per process.
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def _premises_frame(premises: Any) -> pd.DataFrame:
    if premises is None:
        return pd.DataFrame(columns=["premises_id", "x", "y"])
    df = pd.DataFrame(premises).copy()
    if "geometry" in df.columns:
        if not {"x", "y"}.issubset(df.columns):
            df["x"] = [getattr(g, "x", np.nan) for g in df["geometry"]]
            df["y"] = [getattr(g, "y", np.nan) for g in df["geometry"]]
        df = df.drop(columns="geometry")
    if "premises_id" not in df.columns:
        raise LicvisitError("Premises register has no premises_id column; expected the glossary columns.")
    df["premises_id"] = df["premises_id"].astype(str)
    df = df.drop_duplicates("premises_id")
    for c in ("x", "y"):
        df[c] = pd.to_numeric(df[c], errors="coerce") if c in df.columns else np.nan
    return df


def _zones_geojson(zones: Any) -> dict[str, Any] | None:
    if zones is None or len(zones) == 0 or "geometry" not in getattr(zones, "columns", []):
        return None
    import shapely
    from shapely.geometry import mapping

    z = zones
    if getattr(z, "crs", None) is not None and str(z.crs).upper() != "EPSG:4326":
        z = z.to_crs("EPSG:4326")
    feats = []
    for _, row in z.iterrows():
        g = row.geometry
        if g is None or g.is_empty:
            continue
        g = shapely.set_precision(g.simplify(0.00001, preserve_topology=True), 1e-5)
        c = g.representative_point()
        feats.append(
            {
                "type": "Feature",
                "geometry": mapping(g),
                "properties": {
                    "name": esc(row.get("name", "") or row.get("zone_id", "")),
                    "lat": round(c.y, 5),
                    "lon": round(c.x, 5),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats} if feats else None


def _prepare(
    plan: Plan,
    premises: Any,
    ranking: pd.DataFrame | None,
    visit_history: pd.DataFrame | None,
    calls: pd.DataFrame | None,
    zones: Any,
    params: MapParams,
    *,
    with_incidents: bool = True,
    call_links: pd.DataFrame | None = None,
) -> _Prepared:
    df = _premises_frame(premises)
    lon, lat = _to_lonlat(df["x"].to_numpy(), df["y"].to_numpy())
    df["lon"], df["lat"] = lon, lat
    visited = sorted({v.premises_id for v in plan.visits})
    info = df[df["premises_id"].isin(visited)].set_index("premises_id", drop=False).to_dict(orient="index")
    rank: dict[str, dict[str, Any]] = {}
    if ranking is not None and len(ranking):
        r = pd.DataFrame(ranking).copy()
        r["premises_id"] = r["premises_id"].astype(str)
        keep = [c for c in ("premises_id", "rank", "score", "band") if c in r.columns]
        rank = (
            r[keep]
            .drop_duplicates("premises_id")
            .set_index("premises_id", drop=False)
            .to_dict(orient="index")
        )
    hist: dict[str, pd.DataFrame] = {}
    if visit_history is not None and len(visit_history):
        h = pd.DataFrame(visit_history).copy()
        h["premises_id"] = h["premises_id"].astype(str)
        h = h[h["premises_id"].isin(visited)]
        h["visited_at"] = pd.to_datetime(h["visited_at"], errors="coerce")
        hist = {pid: g for pid, g in h.groupby("premises_id", sort=False)}
    incidents: dict[str, list[tuple[str, int]]] = {}
    window: tuple[dt.date | None, dt.date | None] = (None, None)
    if with_incidents and calls is not None and visited:
        last_night = max((c.shift_end for c in plan.crews), default=None)
        incidents, start, end = recent_incidents(
            calls,
            df,
            visited,
            until=last_night,
            days=params.incident_days,
            radius_m=params.incident_radius_m,
            links=call_links,
        )
        window = (start, end)
    return _Prepared(info, rank, hist, incidents, window, _zones_geojson(zones), calls, df)


# --- page furniture --------------------------------------------------------------
BASE_CSS = "\n" + own_asset("maps.css")  # the page style of every route map and the overview

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def map_file_name(crew: Crew) -> str:
    """Return the file name of a crew-night map: ``<night>_<crew_id>.html`` (unsafe characters replaced)."""
    return f"{crew.night.isoformat()}_{_SAFE_NAME.sub('_', crew.crew_id).strip('_') or 'crew'}.html"


def _members(crew: Crew, staff: list[Officer] | None) -> str:
    """Crew members as 'Name (role)' when staff are known, else their officer ids (plain text)."""
    names = {o.officer_id: f"{o.name} ({o.role.replace('_', ' ')})" for o in staff or []}
    return ", ".join(names.get(m, m) for m in crew.members)


def _night_label(night: dt.date) -> str:
    return f"{WEEKDAYS[night.weekday()].title()} {night:%d %b %Y}"


def _new_map(center: tuple[float, float], params: MapParams, slots: PageSlots, zoom: int = 15):
    import folium

    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        max_zoom=params.tiles_max_zoom if params.tiles_url else 20,
        width="100%",
        height="100%",
    )
    if params.tiles_url:
        folium.TileLayer(
            tiles=slots.js_text(params.tiles_url),
            attr=slots.js_text(escape(params.tiles_attribution or "Map tiles")),
            name="Base map",
            max_zoom=params.tiles_max_zoom,
            overlay=False,
            control=True,
        ).add_to(m)
    return m


@functools.cache
def _script_class():
    """A folium element holding our drawing script; built once (Jinja compiles its template)."""
    from branca.element import MacroElement
    from jinja2 import Template

    class LicvisitScript(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}\n{{ this.code }}\n{% endmacro %}")

        def __init__(self, code: str):
            super().__init__()
            self._name = "LicvisitScript"
            self.code = code

    return LicvisitScript


def _script(code: str):
    """Return the element that runs ``code`` after folium's own layers are created (add it last).

    branca compiles a ``MacroElement``'s output once more as a template, so
    ``code`` must be a :class:`~licvisit.render.slots.PageSlots` placeholder,
    never the script itself.
    """
    return _script_class()(code)


_HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def _stable_ids(html: str, fig) -> str:
    """Replace folium's random element ids (uuid4 hex) by ids numbered in page order.

    Only the ids of elements in the map's tree are replaced, so the same plan gives
    byte-identical map files (diffable, cacheable) and nothing else is touched.
    """
    ids = {el._id for el in _walk(fig) if isinstance(getattr(el, "_id", None), str)}
    numbered: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        key = m.group(0)
        if key not in ids:
            return key
        return numbered.setdefault(key, f"{len(numbered) + 1:032x}")

    out = _HEX32.sub(sub, html)
    # All or nothing: an id written next to other hex digits would have been skipped,
    # leaving the page's references inconsistent; keep folium's ids then.
    return html if any(old in out for old in numbered) else out


def _finish(m, fig_html: str, bundles: list[str], params: MapParams, title: str, slots: PageSlots) -> str:
    """Render the page; input text goes in through ``slots`` after rendering, never as template source."""
    fig = make_offline(m, bundles)
    fig.header.add_child(raw_element(csp_meta(params.tiles_url)), name="lv_csp", index=0)
    # The charset must come in the first 1024 bytes, before the embedded assets.
    fig.header.add_child(raw_element('<meta charset="utf-8">'), name="lv_charset", index=0)
    fig.header.add_child(raw_element(f"<title>{escape(title)}</title>"), name="lv_title")
    fig.header.add_child(raw_element(f"<style>{BASE_CSS}</style>"), name="lv_css")
    fig.html.add_child(raw_element(slots.markup(fig_html)), name="lv_panel")
    html = _stable_ids(slots.fill_markup(fig.render()), fig)
    html = html.replace("<html>", "<html lang='en-GB'>", 1)
    allowed = (params.tiles_url.split("{", 1)[0],) if params.tiles_url else ()
    # Checked on our markup: the data (input text, JSON) is not in the page yet, only its markup is checked.
    assert_offline(html, allowed)
    bad = [u for u in slots.data_resources() if not u.startswith(allowed)]
    if bad:
        raise ValueError(
            f"map popups would load {len(bad)} remote resource(s), first {bad[0]!r}; expected none"
        )
    return slots.fill_data(html)


def _finite(*vals: Any) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in vals)
    except (TypeError, ValueError):
        return False


# NTE zone outlines and their names, drawn the same way on every map; spliced into the
# %-formatted script templates below (at their _ZONES_MARK line), which fill in zone_fill.
_ZONES_MARK = "  // lv:zones.js\n"
ZONES_JS = own_asset("zones.js")


def _crew_and_visits(plan: Plan, crew_id: str, night: dt.date | None = None) -> tuple[Crew, list[Visit]]:
    crews = [c for c in plan.crews if c.crew_id == crew_id and (night is None or c.night == night)]
    if not crews:
        raise LicvisitError(f"Crew {crew_id!r} is not in the plan; expected one of its crew_ids.")
    crew = crews[0]
    visits = sorted(
        (v for v in plan.visits if v.crew_id == crew.crew_id and v.night == crew.night), key=lambda v: v.order
    )
    return crew, visits
