"""Build the premises card a PALO reads at the door: hours, licence, history, incidents, why.

Every string from an input file goes through :func:`esc` (``html.escape``)
here; the card is HTML that Leaflet puts into a popup and that the itinerary
panel shows, so nothing in it may be raw input.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS, OpeningHours, Visit, parse_session

PREMISES_TYPES = {
    "pub": "Pub",
    "bar": "Bar",
    "nightclub": "Nightclub",
    "late_night_refreshment": "Late-night refreshment",
    "off_licence": "Off-licence",
    "club": "Club",
    "restaurant": "Restaurant",
    "hotel": "Hotel",
    "venue": "Cinema, theatre or venue",
    "other": "Other",
}
VISIT_TYPES = {
    "licensing_compliance": "Licensing compliance",
    "sia_check": "SIA check",
    "gang_op": "Gang operation",
    "other": "Other",
}
OUTCOMES = {
    "compliant": "Compliant",
    "advice_given": "Advice given",
    "breach_found": "Breach found",
    "action_plan": "Action plan",
    "review_requested": "Review requested",
    "other": "Other",
}


def esc(value: Any) -> str:
    """Return ``value`` as HTML-escaped text ('' for None/NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return escape(str(value), quote=True)


def _present(value: Any) -> bool:
    return esc(value).strip() != ""


def label(value: Any, table: Mapping[str, str] | None = None) -> str:
    """Return a readable label for a code such as ``late_night_refreshment`` (escaped)."""
    s = "" if not _present(value) else str(value)
    if table and s in table:
        return esc(table[s])
    return esc(s.replace("_", " ").capitalize())


def licensed_hours_text(row: Mapping[str, Any], night: dt.date) -> str:
    """Return the licensed hours of the session starting on ``night`` as plain text."""
    raw = row.get(f"hours_{WEEKDAYS[night.weekday()]}")
    try:
        window = OpeningHours.from_row(row).window_on(night)
    except ValueError:
        return f"not readable ({raw})"
    if window is None:
        return "closed" if _present(raw) else "not known"
    start, end = window
    after = " (next day)" if end.date() > night and end.time() != dt.time() else ""
    return f"{start:%H:%M} to {end:%H:%M}{after}"


def format_hhmm(minutes: int) -> str:
    """Minutes after the night's midnight -> 'HH:MM' on a 24-hour clock (past midnight wraps)."""
    return f"{(minutes % 1440) // 60:02d}:{minutes % 60:02d}"


def door_tonight_text(row: Mapping[str, Any], night: dt.date, door_text: str) -> str:
    """Say whether SIA door supervisors are required on ``night`` and from when (``door_hours_*``)."""
    key = f"door_hours_{WEEKDAYS[night.weekday()]}"
    if key not in row:
        return door_text
    raw = row.get(key)
    value = str(raw).strip() if _present(raw) else ""
    staff = door_text.partition(", ")[2]
    extra = f", {staff}" if staff else ""
    if value.lower() == "closed":
        nights = [
            d[:3].title()
            for d in WEEKDAYS
            if str(row.get(f"door_hours_{d}", "")).strip() not in ("", "closed")
        ]
        return "not required tonight" + (f" (required {', '.join(nights)})" if nights else "")
    if not value:
        return door_text + " (which nights not known)" if door_text.startswith("required") else door_text
    try:
        sess = parse_session(value)
    except ValueError:
        return f"{door_text} (door hours not readable: {value})"
    if sess is None:
        return door_text
    return f"required tonight from {format_hhmm(sess[0])} to {format_hhmm(sess[1])}{extra}"


def is_gang_flag(flag: str, words: tuple[str, ...]) -> bool:
    f = flag.lower()
    return any(w in f for w in words)


def split_flags(text: Any) -> list[str]:
    if not _present(text):
        return []
    return [s.strip() for s in re.split(r"[;|]", str(text)) if s.strip()]


def redact_reason(reason: str, words: tuple[str, ...]) -> str:
    """Replace clauses of a 'why chosen' text that mention gang intelligence."""
    if not reason:
        return reason
    parts = re.split(r"(;\s*|,\s*)", reason)
    out = []
    for p in parts:
        if any(w in p.lower() for w in words):
            out.append("intelligence (restricted)")
        else:
            out.append(p)
    return "".join(out)


def recent_incidents(
    calls: pd.DataFrame | None,
    premises: pd.DataFrame,
    premises_ids: list[str],
    *,
    until: dt.datetime | None,
    days: int,
    radius_m: float,
    links: pd.DataFrame | None = None,
) -> tuple[dict[str, list[tuple[str, int]]], dt.date | None, dt.date | None]:
    """Count recent calls by category for each premises.

    With ``links`` (the ranking's links: columns ``call``, the row position in
    ``calls``, and ``premises_id``), a call counts for the premises the ranking
    linked it to, so the card agrees with the score it explains.  Without
    them, a call counts for a premises if it names it (``premises_ref``) or,
    when it names none, lies within ``radius_m`` of it.  The window is the ``days``
    days up to ``until`` or the last call in the data, whichever is earlier
    (demo data are historical).

    Returns
    -------
    counts : premises_id -> [(category, count), ...] most frequent first
    start, end : the window's dates (None when there are no calls)
    """
    if calls is None or len(calls) == 0 or not premises_ids or "occurred_at" not in calls:
        return {}, None, None
    when = pd.to_datetime(calls["occurred_at"], errors="coerce")
    last = when.max()
    if pd.isna(last):
        return {}, None, None
    end = last if until is None else min(last, pd.Timestamp(until))
    start = end - pd.Timedelta(days=days)
    in_window = ((when > start) & (when <= end)).to_numpy()
    if links is not None:
        return _linked_incidents(calls, links, premises_ids, in_window), start.date(), end.date()
    sel = calls[in_window]
    cat = sel["category"].astype(str) if "category" in sel else pd.Series("other", index=sel.index)
    ref = (
        sel["premises_ref"].fillna("").astype(str)
        if "premises_ref" in sel
        else pd.Series("", index=sel.index)
    )
    wanted = set(premises_ids)
    counts: dict[str, Counter[str]] = {pid: Counter() for pid in premises_ids}
    named = ref.isin(wanted)
    for pid, c in zip(ref[named], cat[named], strict=True):
        counts[pid][c] += 1
    unnamed = sel[(ref == "").to_numpy()]
    if len(unnamed) and radius_m > 0 and {"x", "y"}.issubset(unnamed.columns):
        from scipy.spatial import cKDTree

        p = premises[premises["premises_id"].astype(str).isin(wanted)]
        pxy = p[["x", "y"]].to_numpy(dtype=float)
        cxy = unnamed[["x", "y"]].to_numpy(dtype=float)
        ok = np.isfinite(cxy).all(axis=1)
        pok = np.isfinite(pxy).all(axis=1)
        if ok.any() and pok.any():
            tree = cKDTree(cxy[ok])
            ucat = cat[(ref == "").to_numpy()].to_numpy()[ok]
            pids = p["premises_id"].astype(str).to_numpy()[pok]
            for pid, hits in zip(pids, tree.query_ball_point(pxy[pok], r=radius_m), strict=True):
                for h in hits:
                    counts[pid][ucat[h]] += 1
    out = {pid: c.most_common() for pid, c in counts.items() if c}
    return out, start.date(), end.date()


def _linked_incidents(
    calls: pd.DataFrame, links: pd.DataFrame, premises_ids: list[str], in_window: np.ndarray
) -> dict[str, list[tuple[str, int]]]:
    """Recent calls by category per premises, read from the ranking's links (one count per link)."""
    call = links["call"].to_numpy(dtype=np.int64)
    pid = links["premises_id"].astype(str).to_numpy()
    ok = (call >= 0) & (call < len(calls))
    keep = ok.copy()
    keep[ok] = in_window[call[ok]]
    keep &= np.isin(pid, list(premises_ids))
    cat_all = (
        calls["category"].astype(str).to_numpy()
        if "category" in calls
        else np.full(len(calls), "other", dtype=object)
    )
    counts: dict[str, Counter[str]] = {p: Counter() for p in premises_ids}
    for p, c in zip(pid[keep], cat_all[call[keep]], strict=True):
        counts[p][c] += 1
    return {p: c.most_common() for p, c in counts.items() if c}


def _row(label_text: str, value_html: str) -> str:
    return f"<tr><th>{label_text}</th><td>{value_html}</td></tr>"


def premises_card(
    row: Mapping[str, Any],
    *,
    night: dt.date,
    visit: Visit | None = None,
    ranking: Mapping[str, Any] | None = None,
    history: pd.DataFrame | None = None,
    incidents: list[tuple[str, int]] | None = None,
    incident_window: tuple[dt.date | None, dt.date | None] = (None, None),
    show_intel: bool = False,
    gang_words: tuple[str, ...] = ("gang",),
    last_visits: int = 3,
) -> str:
    """Return the premises card as escaped HTML.

    Parameters
    ----------
    row : the premises' register row (glossary columns).
    night : the night of the visit (chooses the licensed hours shown).
    visit : the planned visit (arrival, window, why chosen), if any.
    ranking : the premises' row of the risk ranking (rank, score, band), if any.
    history : past visits to this premises (``VISIT_COLUMNS``).
    incidents : recent calls as (category, count), most frequent first.
    show_intel : False redacts gang intelligence (flags and gang-operation notes).
    """
    parts = [_card_heading(row)]
    parts.append(_facts_table(row, night, visit, ranking, show_intel, gang_words))
    parts.append(_conditions_list(row))
    parts.append(_last_visits_list(history, show_intel, gang_words, last_visits))
    parts.append(_incidents_list(incidents, incident_window))
    parts.append("</div>")
    return "".join(parts)


def _card_heading(row: Mapping[str, Any]) -> str:
    """The card's opening: the premises' name, then its address and type."""
    name = esc(row.get("name")) or esc(row.get("premises_id"))
    addr = ", ".join(esc(row.get(k)) for k in ("address", "postcode") if _present(row.get(k)))
    parts = [f"<div class='lv-card'><h3>{name}</h3>"]
    sub = [
        s
        for s in (
            addr,
            label(row.get("premises_type"), PREMISES_TYPES) if _present(row.get("premises_type")) else "",
        )
        if s
    ]
    if sub:
        parts.append(f"<p class='lv-sub'>{' · '.join(sub)}</p>")
    return "".join(parts)


def _facts_table(
    row: Mapping[str, Any],
    night: dt.date,
    visit: Visit | None,
    ranking: Mapping[str, Any] | None,
    show_intel: bool,
    gang_words: tuple[str, ...],
) -> str:
    """The facts table: planned times, licensed hours, capacity, DPS, door supervision, risk, why, intelligence."""
    rows = []
    if visit is not None:
        rows.append(
            _row(
                "Planned",
                f"arrive {visit.arrival:%H:%M}, leave {visit.departure:%H:%M}; "
                f"window {visit.window_open:%H:%M} to {visit.window_close:%H:%M}",
            )
        )
    rows += _hours_rows(row, night)
    cap = row.get("capacity")
    try:
        cap_text = "not known" if cap is None or not math.isfinite(float(cap)) else f"{float(cap):,.0f}"
    except (TypeError, ValueError):
        cap_text = esc(cap)
    rows.append(_row("Capacity", cap_text))
    rows.append(_row("DPS", esc(row.get("dps")) or "not known"))
    rows.append(_row("Door supervision", esc(door_tonight_text(row, night, _door_text(row)))))
    if ranking:
        rows.append(_row("Risk", _risk_text(ranking)))
    if visit is not None and visit.reason:
        reason = visit.reason if show_intel else redact_reason(visit.reason, gang_words)
        rows.append(_row("Why chosen", esc(reason)))
    flags = split_flags(row.get("intel_flags"))
    if not show_intel:
        flags = [f for f in flags if not is_gang_flag(f, gang_words)]
    if flags:
        rows.append(_row("Intelligence", esc("; ".join(flags))))
    return "<table class='lv-facts'>" + "".join(rows) + "</table>"


def _hours_rows(row: Mapping[str, Any], night: dt.date) -> list[str]:
    """The licensed hours of ``night`` (or a warning that they are not known), then any other hours and notes."""
    rows = []
    if row.get("hours_known", True) is False or (
        isinstance(row.get("hours_known"), np.bool_) and not row.get("hours_known")
    ):
        rows.append(_row("Licensed hours", "licensed hours not known: check before visiting"))
    else:
        rows.append(_row("Licensed hours", esc(licensed_hours_text(row, night)) + f" ({night:%a})"))
    # a register with hours per activity: the week's opening and alcohol hours, side by side
    for key, title in (("opening_hours", "Opening hours"), ("alcohol_hours", "Alcohol hours")):
        if _present(row.get(key)):
            rows.append(_row(title, esc(row.get(key))))
    if _present(row.get("hours_note")):
        rows.append(_row("Hours note", esc(row.get("hours_note"))))
    return rows


def _door_text(row: Mapping[str, Any]) -> str:
    """Whether the register requires door supervision, and how many SIA door supervisors usually work."""
    door = row.get("door_supervision")
    door_text = "not known"
    if isinstance(door, bool | np.bool_) or (isinstance(door, str) and door.strip()):
        yes = str(door).strip().lower() in ("true", "1", "yes", "y")
        door_text = "required" if yes else "not required"
        staff = row.get("door_staff")
        try:
            if yes and staff is not None and math.isfinite(float(staff)) and float(staff) > 0:
                door_text += f", usually {int(float(staff))} SIA door supervisors"
        except (TypeError, ValueError):
            pass
    return door_text


def _risk_text(ranking: Mapping[str, Any]) -> str:
    """The premises' risk band (coloured), rank and score (HTML)."""
    band = esc(ranking.get("band"))
    rank = ranking.get("rank")
    score = ranking.get("score")
    bits = []
    if band:
        bits.append(f"<span class='lv-band lv-band-{band}'>band {band}</span>")
    if rank is not None and _present(rank):
        bits.append(f"rank {int(rank)}")
    if score is not None and _present(score):
        bits.append(f"score {float(score):.2f}")
    return ", ".join(bits)


def _conditions_list(row: Mapping[str, Any]) -> str:
    """The licence conditions as a list ('' when the register gives none)."""
    conds = split_flags(row.get("conditions"))
    if not conds:
        return ""
    items = "".join(f"<li>{esc(c)}</li>" for c in conds)
    return f"<h4>Licence conditions</h4><ul class='lv-conds'>{items}</ul>"


def _last_visits_list(
    history: pd.DataFrame | None, show_intel: bool, gang_words: tuple[str, ...], last_visits: int
) -> str:
    """The last ``last_visits`` visits on record, newest first (gang operations only with ``show_intel``)."""
    hist_items = []
    if history is not None and len(history) and last_visits > 0:
        h = history.copy()
        h["_when"] = pd.to_datetime(h["visited_at"], errors="coerce")
        if not show_intel:
            # That a gang operation visited at all is gang intelligence.
            h = h[h.get("visit_type", pd.Series("", index=h.index)).astype(str) != "gang_op"]
        h = h.sort_values("_when", ascending=False).head(last_visits)
        for _, v in h.iterrows():
            when = "date not known" if pd.isna(v["_when"]) else f"{v['_when']:%d %b %Y}"
            vtype = str(v.get("visit_type", "") or "")
            text = f"{esc(when)}: {label(vtype, VISIT_TYPES)}, {label(v.get('outcome'), OUTCOMES)}"
            notes = v.get("notes")
            if _present(notes) and (
                show_intel or (vtype != "gang_op" and not is_gang_flag(str(notes), gang_words))
            ):
                text += f" ({esc(str(notes)[:140])})"
            hist_items.append(f"<li>{text}</li>")
    return "<h4>Last visits</h4>" + (
        f"<ul class='lv-hist'>{''.join(hist_items)}</ul>" if hist_items else "<p>No visits on record.</p>"
    )


def _incidents_list(
    incidents: list[tuple[str, int]] | None, incident_window: tuple[dt.date | None, dt.date | None]
) -> str:
    """Recent incidents nearby by category (the six most frequent, then the rest together)."""
    start, end = incident_window
    span = f" ({start:%d %b} to {end:%d %b %Y})" if start and end else ""
    head = f"<h4>Recent incidents{span}</h4>"
    if incidents:
        items = "".join(f"<li>{label(c)}: {int(n)}</li>" for c, n in incidents[:6])
        more = sum(n for _, n in incidents[6:])
        if more:
            items += f"<li>Other categories: {int(more)}</li>"
        return head + f"<ul class='lv-inc'>{items}</ul>"
    return head + ("<p>None recorded nearby.</p>" if span else "<p>No call data loaded.</p>")
