"""Which planned visits were done, and with what outcome, from the visit history (for the overview)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from licvisit.domain import Crew, Visit

# A recorded visit counts for a planned one if it falls in the crew's shift, give or take this.
SLACK = dt.timedelta(hours=2)


def done_visits(
    crews: list[Crew], visits: list[Visit], history: pd.DataFrame | None
) -> dict[tuple[str, str, dt.date, str], dict[str, Any]]:
    """Return (crew_id, premises_id, night, op_type) -> the history record of each planned visit done.

    A planned visit is done when the history has a visit to the same premises
    during the crew's shift (``SLACK`` either side); the latest such record wins.
    """
    if history is None or not len(history) or not visits:
        return {}
    h = pd.DataFrame(history)[["premises_id", "visited_at", "outcome"]].copy()
    h["premises_id"] = h["premises_id"].astype(str)
    planned = {str(v.premises_id) for v in visits}  # only their history: sorting every premises' took seconds
    h = h[h["premises_id"].isin(planned)].copy()
    h["visited_at"] = pd.to_datetime(h["visited_at"], errors="coerce")
    h = h[h["visited_at"].notna()]
    shifts = {(c.crew_id, c.night): (c.shift_start - SLACK, c.shift_end + SLACK) for c in crews}
    by_pid = {pid: g.sort_values("visited_at") for pid, g in h.groupby("premises_id", sort=False)}
    done: dict[tuple[str, str, dt.date, str], dict[str, Any]] = {}
    for v in visits:
        g = by_pid.get(str(v.premises_id))
        span = shifts.get((v.crew_id, v.night))
        if g is None or span is None:
            continue
        hit = g[(g["visited_at"] >= span[0]) & (g["visited_at"] <= span[1])]
        if len(hit):
            last = hit.iloc[-1]
            done[(v.crew_id, str(v.premises_id), v.night, v.op_type)] = {
                "visited_at": last["visited_at"].to_pydatetime(),
                "outcome": str(last["outcome"]),
            }
    return done
