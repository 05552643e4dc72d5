"""The sergeant's overview: every crew-night as a layer, premises by risk band, a heat layer of calls."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS, Crew, Officer, Plan, Visit
from licvisit.render.cards import esc, redact_reason
from licvisit.render.map_page import (
    _ZONES_MARK,
    BAND_COLOURS,
    BAND_TEXT,
    BIRMINGHAM,
    CREW_COLOURS,
    OP_LABELS,
    ZONES_JS,
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
from licvisit.render.progress import done_visits
from licvisit.render.slots import PageSlots
from licvisit.render.streets import StreetLines, streets_for, streets_script

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
