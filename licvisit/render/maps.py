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

Modules: :mod:`~licvisit.render.route_map` (one crew-night),
:mod:`~licvisit.render.overview_map` (the week), :mod:`~licvisit.render.map_page`
(what both share); this module gathers every page of a plan
(:func:`route_map_pages`) and re-exports the public names.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

import pandas as pd

from licvisit.domain import Officer, Plan
from licvisit.errors import LicvisitError
from licvisit.render.cards import esc
from licvisit.render.map_page import (
    OP_LABELS,
    _crew_and_visits,
    _night_label,
    _prepare,
    map_file_name,
)
from licvisit.render.map_params import MapParams
from licvisit.render.offline import csp_meta, own_asset
from licvisit.render.overview_map import overview_map
from licvisit.render.route_map import _route_map, route_map
from licvisit.render.streets import StreetLines

__all__ = [
    "MapParams",
    "StreetLines",
    "route_map",
    "overview_map",
    "route_map_pages",
    "plan_map_pages",
    "map_file_name",
]


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
    call_links: pd.DataFrame | None = None,
) -> dict[str, str]:
    """Return every map page of ``plan``: file name -> HTML, for the caller to write.

    ``call_links`` (the ranking's links, columns ``call`` and ``premises_id``)
    make each card's recent incidents the calls the score counted.

    One map per crew-night (``<night>_<crew_id>.html``, by night, then crew), then
    ``overview.html``, then ``index.html``.

    Raises
    ------
    LicvisitError
        If a crew-night map would be larger than ``params.max_file_mb``.
    """
    params = params or MapParams()
    prep = _prepare(plan, premises, ranking, visit_history, calls, zones, params, call_links=call_links)
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
    call_links: pd.DataFrame | None = None,
) -> dict[str, str]:
    """Every map page of ``plan`` from loaded :class:`~licvisit.domain.Inputs` (for ``plan``, ``demo``, ``maps``).

    Same pages as :func:`route_map_pages`; ``ranking`` may be a ranking table
    or a ``Ranking`` result (its ``.table`` is used, and its links count each
    card's recent incidents unless ``call_links`` is given).
    """
    table = getattr(ranking, "table", ranking)
    if call_links is None and getattr(ranking, "links", None) is not None:
        call_links = ranking.links.table
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
        call_links=call_links,
    )
