"""Render a weekly plan as a printable HTML roster (no scripts, no network)."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from licvisit.domain import WEEKDAYS, Officer, Plan
from licvisit.render.offline import own_asset

CSS = "\n" + own_asset("roster.css")


def _e(v: Any) -> str:
    return escape("" if v is None else str(v), quote=True)


def roster_html(plan: Plan, staff: list[Officer] | None = None, premises: pd.DataFrame | None = None) -> str:
    """Return a self-contained printable HTML page: crews and visits per night, then what was left out."""
    names = {o.officer_id: f"{o.name} ({o.role.replace('_', ' ')})" for o in staff or []}
    pnames: dict[str, str] = {}
    if premises is not None and "name" in premises:
        pnames = dict(zip(premises["premises_id"].astype(str), premises["name"].astype(str), strict=False))
    week_end = plan.week_start.toordinal() + 6
    import datetime as dt

    parts = [
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>",
        f"<title>Licensing visits roster, week of {plan.week_start:%d %B %Y}</title><style>{CSS}</style></head><body>",
        f"<h1>Licensing visits roster: {plan.week_start:%a %d %b} to {dt.date.fromordinal(week_end):%a %d %b %Y}</h1>",
        f"<p class='small'>{len(plan.crews)} crews, {len(plan.visits)} visits, value {plan.total_value:.1f}; "
        f"{len(plan.dropped)} candidates not planned (reasons below). Seed {_e(plan.meta.get('seed'))}, "
        f"time limit {_e(plan.meta.get('time_limit_s'))} s.</p>",
    ]
    parts.extend(_officer_grid(plan, staff or []))
    for i in range(7):
        night = plan.week_start + dt.timedelta(days=i)
        crews = [c for c in plan.crews if c.night == night]
        parts.append(f"<div class='night'><h2>{_e(WEEKDAYS[i].title())} {night:%d %B}</h2>")
        if not crews:
            parts.append("<p>No crews rostered.</p></div>")
            continue
        for c in crews:
            members = ", ".join(names.get(m, m) for m in c.members)
            parts.append(
                f"<p><b>{_e(c.crew_id)}</b> - {_e(c.op_type.replace('_', ' '))} - {_e(members)} - "
                f"{c.shift_start:%H:%M} to {c.shift_end:%H:%M} from {_e(c.base)}"
                + "".join(f"; break {a:%H:%M}-{b:%H:%M}" for a, b in c.breaks)
                + "</p>"
            )
            vs = sorted((v for v in plan.visits if v.crew_id == c.crew_id), key=lambda v: v.order)
            if not vs:
                parts.append("<p class='small'>No visits.</p>")
                continue
            parts.append("<table><tr><th>#</th><th>Time</th><th>Premises</th><th>Why</th></tr>")
            for v in vs:
                nm = pnames.get(v.premises_id, "")
                parts.append(
                    f"<tr><td>{v.order}</td><td>{v.arrival:%H:%M}-{v.departure:%H:%M}</td>"
                    f"<td>{_e(nm)} <span class='small'>{_e(v.premises_id)}</span>{' (locked)' if v.locked else ''}</td>"
                    f"<td class='small'>{_e(v.reason)}</td></tr>"
                )
            parts.append("</table>")
        parts.append("</div>")
    if plan.bent:
        parts.append("<h2>Rules bent</h2><table><tr><th>Rule</th><th>Who / what</th><th>Detail</th></tr>")
        for b in plan.bent:
            parts.append(f"<tr><td>{_e(b.rule)}</td><td>{_e(b.subject)}</td><td>{_e(b.detail)}</td></tr>")
        parts.append("</table>")
    if plan.dropped:
        parts.append(
            "<h2>Not planned, and why</h2><table><tr><th>Premises</th><th>Type</th><th>Reason</th></tr>"
        )
        for d in sorted(plan.dropped, key=lambda d: -d.value):
            nm = pnames.get(d.premises_id, "")
            parts.append(
                f"<tr><td>{_e(nm)} <span class='small'>{_e(d.premises_id)}</span></td>"
                f"<td>{_e(d.op_type.replace('_', ' '))}</td><td>{_e(d.reason)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _officer_grid(plan: Plan, staff: list[Officer]) -> list[str]:
    """Officer x night grid: on duty (crew and shift), available and unused, or not available."""
    import datetime as dt

    if not staff:
        return []
    nights = [plan.week_start + dt.timedelta(days=i) for i in range(7)]
    duty = {(s.officer_id, s.night): s for s in plan.roster}
    rows = [
        "<h2>Who is on</h2><table class='grid'><tr><th>Officer</th><th>Role</th><th>LPA</th>"
        + "".join(f"<th>{_e(WEEKDAYS[n.weekday()].title())}</th>" for n in nights)
        + "</tr>"
    ]
    unused = 0
    for o in sorted(staff, key=lambda o: (not o.is_palo, o.role, o.officer_id)):
        cells = []
        for n in nights:
            s = duty.get((o.officer_id, n))
            if s is not None:
                cells.append(
                    f"<td class='on'>{_e(s.crew_id)}<br><span class='small'>{s.start:%H:%M}-{s.end:%H:%M}</span></td>"
                )
            elif any(a.night == n for a in o.availability):
                unused += 1
                cells.append("<td class='free'>available</td>")
            else:
                cells.append("<td class='off'>-</td>")
        rows.append(
            f"<tr><td>{_e(o.name)} <span class='small'>{_e(o.officer_id)}</span></td>"
            f"<td>{_e(o.role.replace('_', ' '))}</td><td>{_e(o.lpa)}</td>{''.join(cells)}</tr>"
        )
    rows.append("</table>")
    rows.append(
        f"<p class='small'>On duty: crew and shift. Available: free that night but not rostered "
        f"({unused} officer-nights). -: not available.</p>"
    )
    return rows
