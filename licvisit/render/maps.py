"""Draw offline route maps for each crew-night and the sergeant's overview (folium + Leaflet).

Design (see docs/maps.md):

* folium builds the Leaflet map, layer groups, layer control, full-screen and
  locate-me controls and the heat layer; :mod:`licvisit.render.offline` then
  strips every CDN link folium adds and embeds the vendored assets, so a page
  makes no request at all unless a tile server is configured.
* Stops, routes, zones and premises are drawn by one small script from one
  JSON blob (serialised with :func:`~licvisit.render.offline.json_for_script`)
  rather than one folium object per marker: smaller pages and one place where
  escaping happens.  Every string that reaches ``innerHTML`` (popups,
  tooltips) is ``html.escape``-d in Python first; the itinerary panel is
  server-rendered, escaped HTML.
* No input text is ever folium template source: the panel, the script and its
  data, layer names, the tile URL and attribution go in through
  :class:`~licvisit.render.slots.PageSlots` placeholders filled after folium
  renders (folium compiles element text, and branca compiles each
  ``MacroElement``'s output a second time).
* No jQuery, Bootstrap or Font Awesome: markers are ``L.divIcon`` and popups
  are plain Leaflet popups.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from licvisit.domain import DEFAULT_OPERATIONS, WEEKDAYS, Crew, Officer, Plan, Visit
from licvisit.errors import LicvisitError
from licvisit.render.cards import esc, premises_card, recent_incidents, redact_reason
from licvisit.render.map_params import MapParams
from licvisit.render.offline import _walk, assert_offline, csp_meta, make_offline, own_asset
from licvisit.render.outcomes import outcomes_config, outcomes_script
from licvisit.render.progress import done_visits
from licvisit.render.slots import PageSlots, raw_element
from licvisit.render.streets import StreetLines, streets_for, streets_script

__all__ = [
    "MapParams",
    "StreetLines",
    "route_map",
    "overview_map",
    "route_map_pages",
    "plan_map_pages",
    "map_file_name",
]

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
            calls, df, visited, until=last_night, days=params.incident_days, radius_m=params.incident_radius_m
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


def _nav_links(lat: float, lon: float, name: str) -> str:
    ll = f"{lat:.6f},{lon:.6f}"
    geo = f"geo:{ll}?q={ll}({quote(name, safe='')})"
    web = f"https://www.google.com/maps/dir/?api=1&destination={ll}"
    return (
        f"<a class='lv-nav' href='{escape(geo)}'>Navigate</a>"
        f"<a class='lv-nav lv-alt' href='{escape(web)}' target='_blank' rel='noopener noreferrer'>Google Maps</a>"
    )


def _finite(*vals: Any) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in vals)
    except (TypeError, ValueError):
        return False


# NTE zone outlines and their names, drawn the same way on every map; spliced into the
# %-formatted script templates below (at their _ZONES_MARK line), which fill in zone_fill.
_ZONES_MARK = "  // lv:zones.js\n"
ZONES_JS = own_asset("zones.js")

# --- route map -----------------------------------------------------------------------
ROUTE_JS = "\n" + own_asset("route.js").replace(_ZONES_MARK, ZONES_JS)


def _crew_and_visits(plan: Plan, crew_id: str, night: dt.date | None = None) -> tuple[Crew, list[Visit]]:
    crews = [c for c in plan.crews if c.crew_id == crew_id and (night is None or c.night == night)]
    if not crews:
        raise LicvisitError(f"Crew {crew_id!r} is not in the plan; expected one of its crew_ids.")
    crew = crews[0]
    visits = sorted(
        (v for v in plan.visits if v.crew_id == crew.crew_id and v.night == crew.night), key=lambda v: v.order
    )
    return crew, visits


def _route_map(
    plan: Plan,
    crew: Crew,
    visits: list[Visit],
    prep: _Prepared,
    params: MapParams,
    staff: list[Officer] | None = None,
    streets: StreetLines | None = None,
) -> str:
    """One crew-night's route map page: its stops and itinerary, the folium map, the side panel."""
    show_intel = not params.redacts(crew.op_type)
    base = _base_point(crew)
    stops, items, route = _route_stops(crew, visits, prep, params, show_intel, base)
    pts = route or ([[base["lat"], base["lon"]]] if base else [])
    slots = PageSlots()
    m = _route_folium_map(plan, crew, visits, prep, params, slots, streets, base, stops, route, pts)
    panel = _route_panel(crew, visits, items, staff, show_intel)
    title = f"{crew.crew_id} {_night_label(crew.night)}: route map"
    return _finish(m, panel, ["fullscreen", "locate"], params, title, slots)


def _base_point(crew: Crew) -> dict[str, Any] | None:
    """The crew's base as a map point (lat, lon, label), or None when its position is not known."""
    blon, blat = _to_lonlat(np.array([crew.base_x]), np.array([crew.base_y]))
    if not _finite(blat[0], blon[0]):
        return None
    return {
        "lat": round(float(blat[0]), 6),
        "lon": round(float(blon[0]), 6),
        "label": "Base: " + esc(crew.base),
    }


def _route_stops(
    crew: Crew,
    visits: list[Visit],
    prep: _Prepared,
    params: MapParams,
    show_intel: bool,
    base: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], list[str], list[list[float]]]:
    """The map's stops (with their cards), the itinerary items and the route (base, stops, base)."""
    stops, items, route = [], [], []
    if base:
        route.append([base["lat"], base["lon"]])
    for i, v in enumerate(visits, start=1):
        row = prep.info.get(v.premises_id, {"premises_id": v.premises_id})
        name_raw = str(row.get("name") or v.premises_id)
        card = premises_card(
            row,
            night=crew.night,
            visit=v,
            ranking=prep.ranking.get(v.premises_id),
            history=prep.history.get(v.premises_id),
            incidents=prep.incidents.get(v.premises_id),
            incident_window=prep.incident_window,
            show_intel=show_intel,
            gang_words=params.gang_flag_words,
            last_visits=params.last_visits,
        )
        lat, lon = row.get("lat"), row.get("lon")
        located = _finite(lat, lon)
        when = f"{v.arrival:%H:%M} · visit window {v.window_open:%H:%M} to {v.window_close:%H:%M}"
        if located:
            lat, lon = round(float(lat), 6), round(float(lon), 6)
            stops.append(
                {
                    "n": i,
                    "lat": lat,
                    "lon": lon,
                    "card": card,
                    "label": f"{i}. {esc(name_raw)} {v.arrival:%H:%M}",
                }
            )
            route.append([lat, lon])
            actions = _nav_links(lat, lon, name_raw)
            go = f"<button type='button' class='lv-go' data-goto='{i}' aria-label='Show stop {i} on the map'>"
        else:
            actions = "<span class='lv-muted'>Location not known: not on the map.</span>"
            go = "<button type='button' class='lv-go' disabled>"
        items.append(
            f"<li class='lv-item' id='stop-{i}'>{go}<span class='lv-num'>{i}</span><span class='lv-go-text'>"
            f"<span class='lv-name'>{esc(name_raw)}</span><span class='lv-time'>Arrive {esc(when)}</span>"
            f"</span></button><div class='lv-actions'>{actions}</div>"
            f"<details class='lv-more'><summary>Premises card</summary>{card}</details></li>"
        )
    if base and len(route) > 1:
        route.append([base["lat"], base["lon"]])
    return stops, items, route


def _route_folium_map(
    plan: Plan,
    crew: Crew,
    visits: list[Visit],
    prep: _Prepared,
    params: MapParams,
    slots: PageSlots,
    streets: StreetLines | None,
    base: dict[str, Any] | None,
    stops: list[dict[str, Any]],
    route: list[list[float]],
    pts: list[list[float]],
):
    """The folium map of a route: layers, controls and the drawing script (data through ``slots``)."""
    import folium
    from folium.plugins import Fullscreen, LocateControl

    center = (float(np.mean([p[0] for p in pts])), float(np.mean([p[1] for p in pts]))) if pts else BIRMINGHAM
    m = _new_map(center, params, slots)
    zones_fg = folium.FeatureGroup(name="NTE zones", show=True).add_to(m)
    route_fg = folium.FeatureGroup(name="Route", show=True).add_to(m)
    stops_fg = folium.FeatureGroup(name="Stops", show=True).add_to(m)
    if len(pts) > 1:
        lats, lons = [p[0] for p in pts], [p[1] for p in pts]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(40, 40), max_zoom=17)
    Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen").add_to(m)
    LocateControl(
        position="topleft",
        flyTo=False,
        keepCurrentZoomLevel=True,
        strings={"title": "Show where I am"},
        locateOptions={"enableHighAccuracy": True},
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    data = {"zones": prep.zones, "route": route, "stops": stops, "base": base}
    code = ROUTE_JS % {
        "zone_fill": "0.06",
        "map": m.get_name(),
        "data": slots.data(data),
        "zones": zones_fg.get_name(),
        "route": route_fg.get_name(),
        "stops": stops_fg.get_name(),
    }
    code += outcomes_script(outcomes_config(plan, crew, visits, prep.info), m.get_name(), slots.text_data)
    code += streets_script(streets_for(streets, params, pts), m.get_name(), slots.text_data)
    m.add_child(_script(slots.markup(code)))
    return m


def _route_panel(
    crew: Crew, visits: list[Visit], items: list[str], staff: list[Officer] | None, show_intel: bool
) -> str:
    """The route map's side panel: the crew, its shift, and the itinerary (escaped HTML)."""
    op_label = OP_LABELS.get(crew.op_type, crew.op_type.replace("_", " "))
    redaction = "" if show_intel else "<p class='lv-muted'>Gang intelligence is not shown on this map.</p>"
    ret = ""
    if visits:
        ret = f"<p>Back at {esc(crew.base)} by {crew.shift_end:%H:%M}.</p>"
    return (
        "<aside id='lv-panel' aria-label='Itinerary'>"
        f"<h1>{esc(crew.crew_id)}: {esc(_night_label(crew.night))}</h1>"
        f"<p>{esc(op_label)}</p>"
        f"<p class='lv-muted'>Shift {crew.shift_start:%H:%M} to {crew.shift_end:%H:%M} from {esc(crew.base)}. "
        f"Crew: {esc(_members(crew, staff))}.</p>{redaction}"
        "<p class='lv-noprint'><button type='button' id='lv-print' class='lv-btn'>Print itinerary</button></p>"
        f"<h2>Itinerary: {len(visits)} visit{'s' * (len(visits) != 1)}</h2>"
        + (
            f"<ol class='lv-itin'>{''.join(items)}</ol>"
            if items
            else "<p>No visits planned for this crew.</p>"
        )
        + ret
        + "<p class='lv-muted'>Navigate opens the device's maps app. Times are planned arrivals; "
        "the visit window is when this visit can take place (licensed hours are on the card).</p></aside>"
    )


def route_map(
    plan: Plan,
    crew_id: str,
    premises: Any,
    *,
    ranking: pd.DataFrame | None = None,
    visit_history: pd.DataFrame | None = None,
    calls: pd.DataFrame | None = None,
    zones: Any = None,
    params: MapParams | None = None,
    night: dt.date | None = None,
    staff: list[Officer] | None = None,
    streets: StreetLines | None = None,
) -> str:
    """Return one crew-night's route map as a complete offline HTML page.

    Parameters
    ----------
    plan : the week's plan.
    crew_id : the crew to draw (``night`` picks one when a crew_id repeats across nights).
    premises : premises register (GeoDataFrame or DataFrame with ``x``/``y`` in EPSG:27700).
    ranking : risk ranking table (premises_id, rank, score, band).
    visit_history : past visits (``VISIT_COLUMNS``) for the cards.
    calls : calls for service (``CALL_COLUMNS``) for recent incidents on the cards.
    zones : NTE zones (GeoDataFrame) drawn as outlines.
    params : :class:`MapParams`.
    staff : officers, to show crew members by name and role (else by officer id).
    streets : street lines to draw under the stops (``[maps] streets``, read by
        :func:`licvisit.io.streets.read_streets`), or None.

    Raises
    ------
    LicvisitError
        If the crew is not in the plan.
    """
    params = params or MapParams()
    crew, visits = _crew_and_visits(plan, crew_id, night)
    sub = Plan(week_start=plan.week_start, roster=[], crews=[crew], visits=visits, dropped=[])
    prep = _prepare(sub, premises, ranking, visit_history, calls, zones, params)
    return _route_map(plan, crew, visits, prep, params, staff, streets)


# --- overview ----------------------------------------------------------------------------
OVERVIEW_JS = "\n" + own_asset("overview.js").replace(_ZONES_MARK, ZONES_JS)


def _heat_points(calls: pd.DataFrame | None, params: MapParams) -> list[list[float]]:
    """Bin calls into ``heat_cell_m`` squares; return [lat, lon, weight 0..1] per busy cell."""
    if (
        calls is None
        or len(calls) == 0
        or not {"x", "y"}.issubset(calls.columns)
        or params.max_heat_points == 0
    ):
        return []
    xy = calls[["x", "y"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) == 0:
        return []
    cells, counts = np.unique(np.floor(xy / params.heat_cell_m).astype(np.int64), axis=0, return_counts=True)
    order = np.lexsort((cells[:, 1], cells[:, 0], -counts))[: params.max_heat_points]
    cells, counts = cells[order], counts[order]
    cx = (cells[:, 0] + 0.5) * params.heat_cell_m
    cy = (cells[:, 1] + 0.5) * params.heat_cell_m
    lon, lat = _to_lonlat(cx, cy)
    top = max(float(np.quantile(counts, 0.98)), 1.0)
    w = np.minimum(counts / top, 1.0)
    return [
        [round(float(a), 5), round(float(b), 5), round(float(c), 3)]
        for a, b, c in zip(lat, lon, w, strict=True)
    ]


def overview_map(
    plan: Plan,
    premises: Any,
    *,
    ranking: pd.DataFrame | None = None,
    calls: pd.DataFrame | None = None,
    zones: Any = None,
    params: MapParams | None = None,
    staff: list[Officer] | None = None,
    visit_history: pd.DataFrame | None = None,
    streets: StreetLines | None = None,
) -> str:
    """Return the sergeant's overview as a complete offline HTML page.

    With ``visit_history`` (e.g. after ``licvisit visits import``), planned
    visits found in it are marked done with their outcome.

    All crew-nights as layers that can be switched on and off (and buttons to
    show one night), premises as circles coloured by risk band (canvas, so
    thousands stay quick), a heat layer of calls, NTE zones, a legend and the
    roster summary.  Popups show no intelligence details.  ``streets``: street
    lines drawn under the stops, or None.
    """
    import folium
    from folium.plugins import Fullscreen, HeatMap

    params = params or MapParams()
    prep = _prepare(plan, premises, ranking, None, None, zones, params, with_incidents=False)
    pf, prem_data = _overview_premises(prep.premises, ranking, params)
    crews = sorted(plan.crews, key=lambda c: (c.night, c.crew_id))
    center = (float(pf["lat"].median()), float(pf["lon"].median())) if len(pf) else BIRMINGHAM
    slots = PageSlots()
    m = _new_map(center, params, slots, zoom=14)
    zones_fg = folium.FeatureGroup(name="NTE zones", show=True).add_to(m)
    heat = _heat_points(calls, params)
    if heat:
        HeatMap(
            heat,
            name="Calls for service (heat)",
            radius=18,
            blur=22,
            min_opacity=0.25,
            max_zoom=17,
            show=True,
        ).add_to(m)
    prem_fg = folium.FeatureGroup(name="Premises by risk band", show=True).add_to(m)
    done = done_visits(crews, plan.visits, visit_history)
    crew_data, crew_layers, all_pts, roster_rows = _overview_crews(
        plan, crews, prep, params, m, slots, staff, done
    )
    if all_pts:
        lats, lons = [p[0] for p in all_pts], [p[1] for p in all_pts]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))
    Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    data = {"zones": prep.zones, "premises": prem_data, "crews": crew_data, "bandColours": BAND_COLOURS}
    code = OVERVIEW_JS % {
        "zone_fill": "0.05",
        "map": m.get_name(),
        "data": slots.data(data),
        "zones": zones_fg.get_name(),
        "premises": prem_fg.get_name(),
        "crews": ", ".join(crew_layers),
    }
    code += streets_script(streets_for(streets, params, all_pts), m.get_name(), slots.text_data)
    m.add_child(_script(slots.markup(code)))
    legend = _overview_legend(pf, heat, calls, params)
    panel = _overview_panel(plan, crews, done, visit_history, legend, roster_rows)
    bundles = ["fullscreen", "heat"] if heat else ["fullscreen"]
    return _finish(
        m, panel, bundles, params, f"Licensing visits overview, week of {plan.week_start:%d %b %Y}", slots
    )


def _overview_premises(
    df: pd.DataFrame, ranking: pd.DataFrame | None, params: MapParams
) -> tuple[pd.DataFrame, list[list[Any]]]:
    """The premises drawn on the overview (highest risk first, capped) and their map data."""
    bands = pd.Series("", index=df.index, dtype=object)
    ranks = pd.Series(0, index=df.index, dtype=np.int64)
    if ranking is not None and len(ranking):
        r = pd.DataFrame(ranking).copy()
        r["premises_id"] = r["premises_id"].astype(str)
        r = r.drop_duplicates("premises_id").set_index("premises_id")
        if "band" in r:
            bands = df["premises_id"].map(r["band"]).fillna("").astype(str)
        if "rank" in r:
            ranks = (
                pd.to_numeric(df["premises_id"].map(r["rank"]), errors="coerce").fillna(0).astype(np.int64)
            )
    bands = bands.where(bands.isin(list(BAND_COLOURS)), "")
    ok = np.isfinite(df["lat"].to_numpy(dtype=float)) & np.isfinite(df["lon"].to_numpy(dtype=float))
    pf = df.assign(_band=bands, _rank=ranks)[ok]
    # Highest risk drawn last (on top) and kept first when capped.
    pf = pf.assign(_key=pf["_rank"].where(pf["_rank"] > 0, 10**9)).sort_values(["_key", "premises_id"])
    pf = pf.head(params.max_overview_premises).iloc[::-1]
    prem_data = [
        [round(float(a), 5), round(float(b), 5), band, esc(name), int(rk)]
        for a, b, band, name, rk in zip(
            pf["lat"], pf["lon"], pf["_band"], pf.get("name", pf["premises_id"]), pf["_rank"], strict=True
        )
    ]
    return pf, prem_data


def _overview_crews(
    plan: Plan,
    crews: list[Crew],
    prep: _Prepared,
    params: MapParams,
    m: Any,
    slots: PageSlots,
    staff: list[Officer] | None,
    done: dict[Any, Any],
) -> tuple[list[dict[str, Any]], list[str], list[list[float]], list[str]]:
    """One layer per crew-night on ``m``; returns their map data, layer names, all points and roster rows."""
    import folium

    lonlat = {pid: (row.get("lat"), row.get("lon")) for pid, row in prep.info.items()}
    crew_data, crew_layers, roster_rows = [], [], []
    all_pts: list[list[float]] = []
    for i, crew in enumerate(crews):
        colour = CREW_COLOURS[i % len(CREW_COLOURS)]
        visits = sorted(
            (v for v in plan.visits if v.crew_id == crew.crew_id and v.night == crew.night),
            key=lambda v: v.order,
        )
        blon, blat = _to_lonlat(np.array([crew.base_x]), np.array([crew.base_y]))
        route = [[round(float(blat[0]), 6), round(float(blon[0]), 6)]] if _finite(blat[0], blon[0]) else []
        stops = []
        for n, v in enumerate(visits, start=1):
            lat, lon = lonlat.get(v.premises_id, (None, None))
            if not _finite(lat, lon):
                continue
            lat, lon = round(float(lat), 6), round(float(lon), 6)
            route.append([lat, lon])
            rec = done.get((crew.crew_id, str(v.premises_id), crew.night, v.op_type))
            popup = _overview_popup(n, v, crew, prep, params, rec)
            stops.append({"n": n, "lat": lat, "lon": lon, "popup": popup, "done": bool(rec)})
        if len(route) > 1 and _finite(blat[0], blon[0]):
            route.append(route[0])
        all_pts.extend(route)
        op_label = OP_LABELS.get(crew.op_type, crew.op_type.replace("_", " "))
        name = f"{_night_label(crew.night)} · {crew.crew_id} · {op_label} ({len(visits)})"
        fg = folium.FeatureGroup(name=slots.js_text(escape(name)), show=True).add_to(m)
        crew_layers.append(fg.get_name())
        crew_data.append({"night": crew.night.isoformat(), "colour": colour, "route": route, "stops": stops})
        roster_rows.append(
            f"<tr><td><span class='lv-swatch' style='display:inline-block;background:{colour}'></span></td>"
            f"<td>{esc(_night_label(crew.night))}</td><td>{esc(crew.crew_id)}<br>"
            f"<span class='lv-muted'>{esc(op_label)}</span></td>"
            f"<td>{crew.shift_start:%H:%M} to {crew.shift_end:%H:%M}<br>{esc(_members(crew, staff))}</td>"
            f"<td>{len(visits)}</td></tr>"
        )
    return crew_data, crew_layers, all_pts, roster_rows


def _overview_popup(
    n: int, v: Visit, crew: Crew, prep: _Prepared, params: MapParams, rec: dict[str, Any] | None
) -> str:
    """A stop's popup on the overview (escaped HTML; the overview is shared widely: never gang intelligence)."""
    show_intel = False
    name = prep.info.get(v.premises_id, {}).get("name") or v.premises_id
    band = prep.ranking.get(v.premises_id, {}).get("band", "")
    reason = v.reason if show_intel else redact_reason(v.reason, params.gang_flag_words)
    popup = (
        f"<b>{n}. {esc(name)}</b><br>{esc(crew.crew_id)}, {esc(_night_label(crew.night))}<br>"
        f"Arrive {v.arrival:%H:%M}; visit window {v.window_open:%H:%M} to {v.window_close:%H:%M}"
        + (f"<br>Risk band {esc(band)}" if band else "")
        + (f"<br>Why: {esc(reason)}" if reason else "")
    )
    if rec:
        popup += f"<br><b>Done {rec['visited_at']:%H:%M}: {esc(rec['outcome'].replace('_', ' '))}</b>"
    return popup


def _overview_legend(
    pf: pd.DataFrame, heat: list[list[float]], calls: pd.DataFrame | None, params: MapParams
) -> str:
    """The overview's legend: risk bands with their counts, zones, stops, the heat layer and tiles."""
    counts = pf["_band"].value_counts()
    legend = "".join(
        f"<div class='lv-legend-row'><span class='lv-swatch' style='background:{col}'></span>"
        f"{esc(BAND_TEXT[b])} ({int(counts.get(b, 0))})</div>"
        for b, col in BAND_COLOURS.items()
    )
    unranked = int((pf["_band"] == "").sum())
    if unranked:
        legend += (
            "<div class='lv-legend-row'><span class='lv-swatch' style='background:#607d8b'></span>"
            f"not ranked ({unranked})</div>"
        )
    legend += (
        "<div class='lv-legend-row'><span class='lv-line' style='border-color:#ffd60a;border-top-style:dashed'>"
        "</span>NTE zone</div>"
        "<div class='lv-legend-row'><span class='lv-stop-icon lv-stop-small' style='display:inline-block'>1</span>"
        "planned stop, numbered in visit order, coloured by crew</div>"
    )
    if heat:
        legend += f"<p class='lv-muted'>Heat: {len(calls) if calls is not None else 0:,} calls for service in {params.heat_cell_m:g} m squares.</p>"
    if not params.tiles_url:
        legend += "<p class='lv-muted'>No base map: tiles are not configured (see docs/maps.md).</p>"
    return legend


def _overview_panel(
    plan: Plan,
    crews: list[Crew],
    done: dict[Any, Any],
    visit_history: pd.DataFrame | None,
    legend: str,
    roster_rows: list[str],
) -> str:
    """The overview's side panel: the week in numbers, buttons to show one night, the legend and the roster."""
    nights = sorted({c.night for c in crews})
    buttons = "".join(
        f"<button type='button' class='lv-btn' data-night='{n.isoformat()}'>{esc(WEEKDAYS[n.weekday()].title())}</button>"
        for n in nights
    )
    if nights:
        buttons = f"<p class='lv-noprint'>{buttons}<button type='button' class='lv-btn' data-night='all'>All</button></p>"
    dropped = len(plan.dropped)
    week_end = plan.week_start + dt.timedelta(days=6)
    return (
        "<aside id='lv-panel' aria-label='Legend and roster'>"
        f"<h1>Licensing visits: {plan.week_start:%d %b} to {week_end:%d %b %Y}</h1>"
        f"<p class='lv-muted'>{len(crews)} crew-nights, {len(plan.visits)} visits, "
        f"{dropped} candidate{'s' * (dropped != 1)} not planned.</p>"
        + (
            f"<p>Done so far (visit history): {len(done)} of {len(plan.visits)} planned visits; "
            "done stops are ticked in green, their outcome in the popup.</p>"
            if visit_history is not None
            else ""
        )
        + f"<h2>Show crews</h2>{buttons or '<p>No crews rostered.</p>'}"
        f"<h2>Legend</h2>{legend}"
        "<h2>Roster</h2>"
        + (
            "<table class='lv-roster'><tr><th></th><th>Night</th><th>Crew</th><th>Shift and members</th>"
            f"<th>Visits</th></tr>{''.join(roster_rows)}</table>"
            if roster_rows
            else "<p>No crews.</p>"
        )
        + "</aside>"
    )


# --- all the pages of a plan ------------------------------------------------------------------
def route_map_pages(
    plan: Plan,
    premises: Any,
    *,
    ranking: pd.DataFrame | None = None,
    visit_history: pd.DataFrame | None = None,
    calls: pd.DataFrame | None = None,
    zones: Any = None,
    params: MapParams | None = None,
    staff: list[Officer] | None = None,
    streets: StreetLines | None = None,
) -> dict[str, str]:
    """Return every map page of ``plan``: file name -> HTML, for the caller to write.

    One map per crew-night (``<night>_<crew_id>.html``, by night, then crew), then
    ``overview.html``, then ``index.html``.

    Raises
    ------
    LicvisitError
        If a crew-night map would be larger than ``params.max_file_mb``.
    """
    params = params or MapParams()
    prep = _prepare(plan, premises, ranking, visit_history, calls, zones, params)
    pages: dict[str, str] = {}
    links = []
    for crew in sorted(plan.crews, key=lambda c: (c.night, c.crew_id)):
        _, visits = _crew_and_visits(plan, crew.crew_id, crew.night)
        html = _route_map(plan, crew, visits, prep, params, staff, streets)
        size_mb = len(html.encode("utf-8")) / 1e6
        if size_mb > params.max_file_mb:
            raise LicvisitError(
                f"Map for {crew.crew_id} on {crew.night} is {size_mb:.1f} MB; expected at most "
                f"{params.max_file_mb:g} MB. Fix: simplify the zones or raise [maps] max_file_mb."
            )
        name = map_file_name(crew)
        pages[name] = html
        op_label = OP_LABELS.get(crew.op_type, crew.op_type.replace("_", " "))
        links.append(
            f"<li><a href='{escape(quote(name))}'>{esc(_night_label(crew.night))}: {esc(crew.crew_id)}</a> "
            f"<span class='lv-muted'>{esc(op_label)}, {len(visits)} visit{'s' * (len(visits) != 1)}</span></li>"
        )
    pages["overview.html"] = overview_map(
        plan,
        premises,
        ranking=ranking,
        calls=calls,
        zones=zones,
        params=params,
        staff=staff,
        visit_history=visit_history,
        streets=streets,
    )
    pages["index.html"] = _index_page(plan, links)
    return pages


def _index_page(plan: Plan, links: list[str]) -> str:
    """The index of a plan's maps: the overview, then one link per crew-night map."""
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        + csp_meta()
        + "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Maps: week of {plan.week_start:%d %b %Y}</title><style>"
        + own_asset("index.css").rstrip("\n")
        + "</style></head><body>"
        f"<h1>Maps: week of {plan.week_start:%d %B %Y}</h1>"
        "<p><a href='overview.html'>Overview: all crews, premises by risk band, calls</a></p>"
        "<h2>Route maps</h2>"
        + (f"<ul>{''.join(links)}</ul>" if links else "<p>No crews in this plan.</p>")
        + "</body></html>"
    )


def plan_map_pages(
    plan: Plan,
    inputs: Any,
    *,
    ranking: pd.DataFrame | None = None,
    params: MapParams | None = None,
    streets: StreetLines | None = None,
) -> dict[str, str]:
    """Every map page of ``plan`` from loaded :class:`~licvisit.domain.Inputs` (for ``plan``, ``demo``, ``maps``).

    Same pages as :func:`route_map_pages`; ``ranking`` may be a ranking table
    or a ``Ranking`` result (its ``.table`` is used).
    """
    table = getattr(ranking, "table", ranking)
    return route_map_pages(
        plan,
        inputs.premises,
        ranking=table,
        visit_history=inputs.visits,
        calls=inputs.calls,
        zones=inputs.zones,
        params=params,
        staff=inputs.staff,
        streets=streets,
    )
