"""Synthetic planning weeks: premises with hours and door supervision, a ranking, a team per LPA.

Used by the planner's tests and by ``benchmarks/bench_plan_force.py``: a
seeded, pure builder (no printing, no file I/O) of a force-wide week of
``lpas`` local policing areas side by side, each with a base, its premises
(pubs, bars, nightclubs, late-night refreshment) and its own team.  All of
it is synthetic and exists only to exercise the planner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS, Availability, Officer

PREMISES_KINDS = ("pub", "bar", "nightclub", "late_night_refreshment")
# Per LPA at 1x: role -> count (13 officers, so 7 LPAs give 91).
FORCE_TEAM: Mapping[str, int] = {
    "licensing_staff": 5,
    "council_licensing": 2,
    "sia_enforcement": 2,
    "gang_spotter": 2,
    "uniformed_support": 2,
}
LPA_SPACING_M = 6000.0  # east-west distance between neighbouring LPAs' centres
FORCE_ORIGIN = (400000.0, 286000.0)  # EPSG:27700


def premises_hours(kind: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return (licensed hours, door-supervision hours) per weekday for a premises of ``kind``.

    Nightclubs open Thursday to Saturday 22:00-04:00 with door supervisors whenever open;
    bars 17:00-00:00 (02:00 Friday and Saturday) with door supervisors from 21:00 Friday and
    Saturday; late-night refreshment 23:00-05:00 nightly; pubs 11:00-23:00 (01:00 at weekends).
    """
    if kind == "nightclub":
        hours = {d: ("22:00-04:00" if d in ("thu", "fri", "sat") else "closed") for d in WEEKDAYS}
        return hours, dict(hours)
    if kind == "bar":
        hours = {d: ("17:00-02:00" if d in ("fri", "sat") else "17:00-00:00") for d in WEEKDAYS}
        return hours, {d: ("21:00-02:00" if d in ("fri", "sat") else "closed") for d in WEEKDAYS}
    closed = {d: "closed" for d in WEEKDAYS}
    if kind == "late_night_refreshment":
        return {d: "23:00-05:00" for d in WEEKDAYS}, closed
    return {d: ("11:00-01:00" if d in ("fri", "sat") else "11:00-23:00") for d in WEEKDAYS}, closed


def premises_row(
    rng: np.random.Generator,
    premises_id: str,
    name: str,
    kind: str,
    gang: bool,
    centre: tuple[float, float],
    spread_m: float,
    lpa: str | None = None,
) -> dict[str, object]:
    """One synthetic register row of ``kind``: hours, door supervision, capacity, flags, position.

    Draws from ``rng`` in a fixed order (capacity, door staff for bars and
    nightclubs, x, y), so the same seed gives the same register.
    """
    hours, door = premises_hours(kind)
    row: dict[str, object] = {
        "premises_id": premises_id,
        "name": name,
        "premises_type": kind,
        **{f"hours_{d}": h for d, h in hours.items()},
        **{f"door_hours_{d}": h for d, h in door.items()},
        "capacity": float(rng.integers(50, 600)),
        "door_supervision": kind in ("nightclub", "bar"),
        "door_staff": int(rng.integers(2, 8)) if kind in ("nightclub", "bar") else 0,
        "intel_flags": "gang" if gang else "",
    }
    if lpa is not None:
        row["lpa"] = lpa
    row["x"] = centre[0] + float(rng.normal(0, spread_m))
    row["y"] = centre[1] + float(rng.normal(0, spread_m))
    return row


def force_week(
    week: dt.date,
    lpas: int,
    premises_per_lpa: int,
    factor: int = 1,
    seed: int = 0,
    team: Mapping[str, int] = FORCE_TEAM,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Officer]]:
    """Return (premises, ranking, staff) for a synthetic force of ``lpas`` areas, team x ``factor``.

    Parameters
    ----------
    week : the Monday of the week the staff are available in.
    lpas : number of LPAs ("LPA 0", "LPA 1", ...), ``LPA_SPACING_M`` apart east to west.
    premises_per_lpa : premises per LPA (within about 1.2 km of its centre; every 7th flagged gang).
    factor : the team per LPA is ``team`` times ``factor``.
    seed : random seed (positions, capacities, harm, availability).
    team : role -> officers per LPA at 1x; each officer is based at its LPA's base and
        available on 3 to 5 random nights from 18:00 or 20:00 to 04:00, at most 4 shifts.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(lpas):
        cx, cy = FORCE_ORIGIN[0] + LPA_SPACING_M * a, FORCE_ORIGIN[1]
        for i in range(premises_per_lpa):
            kind = PREMISES_KINDS[i % 4]
            rows.append(
                premises_row(
                    rng, f"A{a}P{i:04d}", f"Premises {a}-{i}", kind, i % 7 == 3, (cx, cy), 1200.0, f"LPA {a}"
                )
            )
    prem = pd.DataFrame(rows)
    harm = rng.gamma(2.0, 5.0, len(prem))
    rk = pd.DataFrame({"premises_id": prem["premises_id"], "score": harm, "expected_harm_week": harm})
    rk = rk.sort_values(["score", "premises_id"], ascending=[False, True]).reset_index(drop=True)
    rk["rank"] = np.arange(1, len(rk) + 1)
    nights = [week + dt.timedelta(days=i) for i in range(7)]
    staff = []
    k = 0
    for a in range(lpas):
        bx, by = FORCE_ORIGIN[0] + LPA_SPACING_M * a, FORCE_ORIGIN[1]
        for role, n in team.items():
            for _ in range(n * factor):
                pick = sorted(rng.choice(7, size=int(rng.integers(3, 6)), replace=False))
                start = dt.time(18) if rng.random() < 0.6 else dt.time(20)
                av = tuple(
                    Availability(
                        nights[d],
                        dt.datetime.combine(nights[d], start),
                        dt.datetime.combine(nights[d] + dt.timedelta(days=1), dt.time(4)),
                    )
                    for d in pick
                )
                staff.append(
                    Officer(f"O{k:03d}", f"Officer {k}", role, f"Base {a}", bx, by, lpa=f"LPA {a}",
                            max_shifts=4, availability=av)
                )  # fmt: skip
                k += 1
    return prem, rk, staff


__all__ = ["FORCE_TEAM", "PREMISES_KINDS", "force_week", "premises_hours", "premises_row"]
