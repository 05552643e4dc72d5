"""The route map of one crew-night: numbered stops, the route, premises cards and the itinerary."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from licvisit.domain import Crew, Officer, Plan, Visit
from licvisit.render.cards import esc, premises_card
from licvisit.render.map_page import (
    _ZONES_MARK,
    BIRMINGHAM,
    OP_LABELS,
    ZONES_JS,
    _crew_and_visits,
    _finish,
    _finite,
    _members,
    _new_map,
    _night_label,
    _prepare,
    _Prepared,
    _script,
    _to_lonlat,
)
from licvisit.render.map_params import MapParams
from licvisit.render.offline import own_asset
from licvisit.render.outcomes import outcomes_config, outcomes_script
from licvisit.render.slots import PageSlots
from licvisit.render.streets import StreetLines, streets_for, streets_script


def _nav_links(lat: float, lon: float, name: str) -> str:
    ll = f"{lat:.6f},{lon:.6f}"
    geo = f"geo:{ll}?q={ll}({quote(name, safe='')})"
    web = f"https://www.google.com/maps/dir/?api=1&destination={ll}"
    return (
        f"<a class='lv-nav' href='{escape(geo)}'>Navigate</a>"
        f"<a class='lv-nav lv-alt' href='{escape(web)}' target='_blank' rel='noopener noreferrer'>Google Maps</a>"
    )


# --- route map -----------------------------------------------------------------------
ROUTE_JS = "\n" + own_asset("route.js").replace(_ZONES_MARK, ZONES_JS)


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
