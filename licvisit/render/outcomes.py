"""Build the outcome-recording part of a crew-night route map (form, device storage, CSV export).

The form itself is drawn by ``assets/outcomes.js`` from one script-safe JSON
object (:func:`~licvisit.render.offline.json_for_script`); no input string is
ever part of a template or of markup.  The exported CSV has the visit-history
columns (:data:`EXPORT_COLUMNS`) that ``licvisit visits import`` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from licvisit.domain import OUTCOME_EXPORT_COLUMNS, Crew, Plan, Visit
from licvisit.render.cards import split_flags
from licvisit.render.offline import ASSETS, json_for_script, own_asset

EXPORT_COLUMNS = OUTCOME_EXPORT_COLUMNS
VISIT_TYPE_OF_OP = {"licensing_compliance", "sia_check", "gang_op"}
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")

OUTCOMES_CSS = "\n" + own_asset("outcomes.css")


def _visit_type(op_type: str) -> str:
    return op_type if op_type in VISIT_TYPE_OF_OP else "other"


def outcomes_file_name(crew: Crew) -> str:
    """Return the name of a crew-night's exported outcomes: ``outcomes_<night>_<crew_id>.csv``."""
    return f"outcomes_{crew.night.isoformat()}_{_SAFE.sub('_', crew.crew_id).strip('_') or 'crew'}.csv"


def outcomes_config(
    plan: Plan, crew: Crew, visits: list[Visit], info: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Return what the outcome form needs for one crew-night (plain data, no markup).

    Parameters
    ----------
    plan : the week's plan (its week names the storage key).
    crew : the crew-night.
    visits : the crew-night's visits in order (stop ``n`` is the 1-based position).
    info : premises_id -> register row (name, conditions).
    """
    stops = []
    for n, v in enumerate(visits, start=1):
        row = info.get(v.premises_id, {})
        stops.append(
            {
                "n": n,
                "premises_id": str(v.premises_id),
                "name": str(row.get("name") or v.premises_id),
                "visit_type": _visit_type(v.op_type),
                "planned": f"{v.arrival:%Y-%m-%dT%H:%M}",
                "conditions": split_flags(row.get("conditions")),
            }
        )
    return {
        "key": f"licvisit-outcomes|{plan.week_start.isoformat()}|{crew.night.isoformat()}|{crew.crew_id}",
        "file": outcomes_file_name(crew),
        "crew_id": crew.crew_id,
        "officer_ids": [str(m) for m in crew.members],
        "stops": stops,
    }


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_TEMPLATE_CHARS = {"{": "\\u007b", "}": "\\u007d", "#": "\\u0023", "%": "\\u0025"}


def _inert_json(obj: Any) -> str:
    """Script-safe JSON whose strings also hold no ``{ } # %``: inert even if a template engine sees it.

    folium (branca) renders a map's script section through Jinja2 a second time, so a
    note such as ``{{ 7*7 }}`` must not reach it as template syntax; ``\\u007b`` reads
    back as ``{`` in JavaScript.
    """
    text = json_for_script(obj)
    return _JSON_STRING.sub(
        lambda m: re.sub(r"[{}#%]", lambda c: _TEMPLATE_CHARS[c.group(0)], m.group(0)), text
    )


def outcomes_script(
    config: dict[str, Any], map_var: str | None = None, as_data: Callable[[Any], str] | None = None
) -> str:
    """Return the JavaScript that adds the outcome form to a route map page.

    ``map_var`` is the page's Leaflet map variable (a folium-generated name), so a
    stop's popup can show its recorded outcome.  ``as_data`` turns the config
    into the JSON text put in the page (``PageSlots.text_data`` on a folium page,
    so input text never reaches a template); by default it is serialised here.
    """
    js = (ASSETS / "outcomes.js").read_text(encoding="utf-8")
    # labels.js hides stop labels that would overlap (it needs the map, set below).
    js += (ASSETS / "labels.js").read_text(encoding="utf-8")
    head = (
        "(function(){var st=document.createElement('style');st.textContent="
        + _inert_json(OUTCOMES_CSS)
        + ";document.head.appendChild(st);})();\n"
        + "window.LV_OUTCOMES="
        + (as_data or _inert_json)(config)
        + ";\n"
    )
    if map_var and re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", map_var):
        head += f"window.LV_MAP={map_var};\n"
    return head + js
