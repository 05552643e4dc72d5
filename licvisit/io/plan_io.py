"""Write a weekly plan to a folder and read it back.

``plan.json`` is the canonical form (read by :func:`read_plan`, e.g. for
``licvisit check`` and ``licvisit maps --plan``); the CSV, GeoPackage and
text files are views of it for people and GIS.  The HTML roster is rendered
by :mod:`licvisit.render.roster_html` and written beside them by the caller.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from licvisit.domain import (
    WEEKDAYS,
    BentRule,
    Crew,
    DroppedCandidate,
    Lock,
    Officer,
    Plan,
    ShiftAssignment,
    Visit,
)
from licvisit.errors import LicvisitError
from licvisit.io.write import atomic_write_text, to_json_text, write_csv, write_gpkg

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")

PLAN_FORMAT = "licvisit-plan/1"


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Return ``plan`` as JSON-ready dicts (datetimes as ISO 8601 strings)."""
    return {
        "format": PLAN_FORMAT,
        "week_start": plan.week_start.isoformat(),
        "roster": [dataclasses.asdict(s) for s in plan.roster],
        "crews": [_crew_dict(c) for c in plan.crews],
        "visits": [dataclasses.asdict(v) for v in plan.visits],
        "dropped": [dataclasses.asdict(d) for d in plan.dropped],
        "bent": [dataclasses.asdict(b) for b in plan.bent],
        "locks": [dataclasses.asdict(lk) for lk in plan.locks],
        "meta": plan.meta,
        "total_value": plan.total_value,
    }


def _crew_dict(crew: Crew) -> dict[str, Any]:
    d = dataclasses.asdict(crew)
    d["breaks"] = [{"start": a.isoformat(), "end": b.isoformat()} for a, b in crew.breaks]
    return d


def _conv(cls: type[_D], d: dict[str, Any]) -> _D:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in d:
            continue
        v = d[f.name]
        t = str(f.type)
        if v is None:
            kwargs[f.name] = v
        elif f.name == "breaks":
            kwargs[f.name] = tuple(
                (dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"])) for b in v
            )
        elif "dt.datetime" in t:
            kwargs[f.name] = dt.datetime.fromisoformat(v)
        elif "dt.date" in t:
            kwargs[f.name] = dt.date.fromisoformat(v)
        elif "tuple" in t:
            kwargs[f.name] = tuple(v)
        else:
            kwargs[f.name] = v
    return cls(**kwargs)


def plan_from_dict(d: dict[str, Any]) -> Plan:
    """Rebuild a Plan from :func:`plan_to_dict` output."""
    return Plan(
        week_start=dt.date.fromisoformat(d["week_start"]),
        roster=[_conv(ShiftAssignment, s) for s in d.get("roster", [])],
        crews=[_conv(Crew, c) for c in d.get("crews", [])],
        visits=[_conv(Visit, v) for v in d.get("visits", [])],
        dropped=[_conv(DroppedCandidate, x) for x in d.get("dropped", [])],
        bent=[_conv(BentRule, b) for b in d.get("bent", [])],
        locks=[_conv(Lock, lk) for lk in d.get("locks", [])],
        meta=dict(d.get("meta", {})),
    )


def read_plan(path: str | Path) -> Plan:
    """Read ``plan.json`` from a plan folder (or the file itself).

    Raises
    ------
    LicvisitError
        When the folder has no readable plan.json.
    """
    p = Path(path)
    f = p / "plan.json" if p.is_dir() else p
    if not f.is_file():
        raise LicvisitError(
            f"No plan found at {p}: expected a folder containing plan.json from 'licvisit plan'."
        )
    try:
        d = json.loads(f.read_text(encoding="utf-8"))
        if d.get("format") != PLAN_FORMAT:
            raise ValueError(f"format {d.get('format')!r}")
        return plan_from_dict(d)
    except (ValueError, KeyError, TypeError) as exc:
        raise LicvisitError(
            f"{f} is not a licvisit plan ({exc}); expected plan.json written by 'licvisit plan'."
        ) from exc


HOURS_UNKNOWN_TEXT = "licensed hours not known: check before visiting"


def _hours_unknown(row: Mapping[str, Any]) -> bool:
    """True where the register had no licensed hours (the visit window is the operation's)."""
    known = row.get("hours_known", True)
    return known is False or (isinstance(known, bool | np.bool_) and not bool(known))


def visits_frame(plan: Plan, premises: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per planned visit with crew, night, order, arrival and departure."""
    crews = {c.crew_id: c for c in plan.crews}
    rows = []
    for v in plan.visits:
        c = crews.get(v.crew_id)
        rows.append(
            {
                "night": v.night.isoformat(),
                "weekday": WEEKDAYS[v.night.weekday()].title(),
                "crew_id": v.crew_id,
                "order": v.order,
                "premises_id": v.premises_id,
                "op_type": v.op_type,
                "arrival": v.arrival.strftime("%Y-%m-%d %H:%M"),
                "departure": v.departure.strftime("%Y-%m-%d %H:%M"),
                "window_open": v.window_open.strftime("%Y-%m-%d %H:%M"),
                "window_close": v.window_close.strftime("%Y-%m-%d %H:%M"),
                "value": round(v.value, 4),
                "locked": v.locked,
                "crew_members": "; ".join(c.members) if c else "",
                "base": c.base if c else "",
                "reason": v.reason,
                "purposes": "; ".join(v.purposes or (v.op_type,)),
                "repeat_reason": v.repeat_reason,
            }
        )
    cols = [
        "night", "weekday", "crew_id", "order", "premises_id", "op_type", "arrival", "departure",
        "window_open", "window_close", "value", "locked", "crew_members", "base", "reason",
        "purposes", "repeat_reason",
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    if premises is not None and len(df):
        p = premises.copy()
        p["premises_id"] = p["premises_id"].astype(str)
        keep = [c for c in ("premises_id", "name", "address", "postcode", "x", "y") if c in p.columns]
        df = df.merge(p[keep].drop_duplicates("premises_id"), on="premises_id", how="left")
    df["hours_unknown"] = False
    if premises is not None and "hours_known" in premises.columns and len(df):
        known = dict(
            zip(premises["premises_id"].astype(str), premises["hours_known"].astype(bool), strict=True)
        )
        df["hours_unknown"] = [not known.get(pid, True) for pid in df["premises_id"]]
    return df


def roster_frame(plan: Plan, staff: list[Officer] | None = None) -> pd.DataFrame:
    """Return one row per officer per rostered night."""
    names = {o.officer_id: (o.name, o.role) for o in staff or []}
    crews = {c.crew_id: c for c in plan.crews}
    rows = []
    for s in sorted(plan.roster, key=lambda s: (s.night, s.crew_id, s.officer_id)):
        c = crews.get(s.crew_id)
        name, role = names.get(s.officer_id, ("", ""))
        rows.append(
            {
                "night": s.night.isoformat(),
                "weekday": WEEKDAYS[s.night.weekday()].title(),
                "officer_id": s.officer_id,
                "name": name,
                "role": role,
                "crew_id": s.crew_id,
                "op_type": c.op_type if c else "",
                "start": s.start.strftime("%Y-%m-%d %H:%M"),
                "end": s.end.strftime("%Y-%m-%d %H:%M"),
                "base": c.base if c else "",
                "visits": sum(1 for v in plan.visits if v.crew_id == s.crew_id),
                "breaks": "; ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in c.breaks) if c else "",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "night",
            "weekday",
            "officer_id",
            "name",
            "role",
            "crew_id",
            "op_type",
            "start",
            "end",
            "base",
            "visits",
            "breaks",
        ],
    )


def dropped_frame(plan: Plan) -> pd.DataFrame:
    """Return every candidate not in the plan with its reason code and reason."""
    return pd.DataFrame(
        [dataclasses.asdict(d) for d in plan.dropped],
        columns=["premises_id", "op_type", "value", "reason_code", "reason", "displaced_by"],
    )


def itinerary_text(plan: Plan, crew: Crew, premises: pd.DataFrame | None = None) -> str:
    """Return a plain-text itinerary for one crew-night, for printing or a phone."""
    info: dict[str, dict[str, Any]] = {}
    if premises is not None:
        # Only this crew's premises: the whole register as dicts, once per crew, took 7 s on the demo week.
        ids = {v.premises_id for v in plan.visits if v.crew_id == crew.crew_id}
        pid = premises["premises_id"].astype(str)
        p = pd.DataFrame(premises[pid.isin(ids)])
        p["premises_id"] = pid[pid.isin(ids)]
        info = p.drop_duplicates("premises_id").set_index("premises_id").to_dict(orient="index")
    lines = [
        f"Crew {crew.crew_id} - {crew.night:%A %d %B %Y} - {crew.op_type.replace('_', ' ')}",
        f"Members: {', '.join(crew.members)}",
        f"Shift: {crew.shift_start:%H:%M} to {crew.shift_end:%H:%M}, from and back to {crew.base}",
        "",
    ]
    vs = sorted((v for v in plan.visits if v.crew_id == crew.crew_id), key=lambda v: v.order)
    if not vs:
        lines.append("No visits planned.")
    breaks = sorted(crew.breaks)
    for v in vs:
        while breaks and breaks[0][0] < v.arrival:
            a, b = breaks.pop(0)
            lines.append(f"    Break {a:%H:%M}-{b:%H:%M} (no visit)")
        row = info.get(v.premises_id, {})
        name = row.get("name", "") or v.premises_id
        addr = ", ".join(
            str(row.get(k)) for k in ("address", "postcode") if row.get(k) and row.get(k) == row.get(k)
        )
        lines.append(f"{v.order:>2}. {v.arrival:%H:%M}-{v.departure:%H:%M}  {name} ({v.premises_id})")
        if addr:
            lines.append(f"    {addr}")
        if _hours_unknown(row):
            lines.append(f"    {HOURS_UNKNOWN_TEXT}")
        lines.append(f"    Open for this visit {v.window_open:%H:%M}-{v.window_close:%H:%M}. Why: {v.reason}")
        if len(v.purposes) > 1:
            lines.append(f"    Also serves: {', '.join(p.replace('_', ' ') for p in v.purposes[1:])}")
    for a, b in breaks:
        lines.append(f"    Break {a:%H:%M}-{b:%H:%M} (no visit)")
    return "\n".join(lines) + "\n"


def write_plan(
    plan: Plan, out_dir: str | Path, premises: pd.DataFrame | None = None, staff: list[Officer] | None = None
) -> list[Path]:
    """Write the tables of ``plan`` into ``out_dir``; return the files written.

    Files: ``plan.json`` (canonical), ``roster.csv``, ``visits.csv``,
    ``visits.json``, ``visits.gpkg`` (when ``premises`` with x/y is given),
    ``dropped.csv``, ``changes.csv`` (a re-plan), ``bent_rules.csv`` and one
    ``itineraries/<crew>.txt`` per crew-night.  The printable ``roster.html``
    is a rendered page: :func:`licvisit.app.pages.write_plan_folder` adds it.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [atomic_write_text(out / "plan.json", to_json_text(plan_to_dict(plan)) + "\n")]
    written.append(write_csv(roster_frame(plan, staff), out / "roster.csv"))
    vf = visits_frame(plan, premises)
    written.append(write_csv(vf, out / "visits.csv"))
    written.append(atomic_write_text(out / "visits.json", to_json_text(vf.to_dict(orient="records")) + "\n"))
    if premises is not None and {"x", "y"}.issubset(vf.columns) and len(vf):
        import geopandas as gpd

        gdf = gpd.GeoDataFrame(vf.copy(), geometry=gpd.points_from_xy(vf["x"], vf["y"]), crs="EPSG:27700")
        written.append(write_gpkg(gdf, out / "visits.gpkg", layer="visits"))
    written.append(write_csv(dropped_frame(plan), out / "dropped.csv"))
    if "changes" in plan.meta:  # a re-plan: what happened to each visit of the previous plan, and why
        cols = ["premises_id", "op_type", "change", "from", "to", "why"]
        written.append(write_csv(pd.DataFrame(plan.meta["changes"], columns=cols), out / "changes.csv"))
    written.append(
        write_csv(
            pd.DataFrame(
                [dataclasses.asdict(b) for b in plan.bent], columns=["rule", "subject", "penalty", "detail"]
            ),
            out / "bent_rules.csv",
        )
    )
    for crew in plan.crews:
        written.append(
            atomic_write_text(
                out / "itineraries" / f"{crew.crew_id}.txt", itinerary_text(plan, crew, premises)
            )
        )
    return written
