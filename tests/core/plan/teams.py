"""Build small synthetic planning weeks (premises, ranking, staff) for the planner tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from licvisit.core.plan.params import PlanParams
from licvisit.domain import Availability, Officer
from licvisit.synth.teams import PREMISES_KINDS, premises_row

WEEK = dt.date(2025, 10, 6)  # Monday of 2025-W41
CENTRE = (407000.0, 286700.0)  # Birmingham city centre, EPSG:27700
FAST = PlanParams(time_limit_s=20.0, work_limit=20000)  # the short, repeatable search of the planner tests


def make_premises(n: int = 30, seed: int = 0, spread_m: float = 1500.0) -> pd.DataFrame:
    """Return ``n`` premises around Birmingham centre with mixed hours, door staff and gang flags."""
    rng = np.random.default_rng(seed)
    rows = [
        premises_row(rng, f"P{i:03d}", f"Premises {i}", PREMISES_KINDS[i % 4], i % 5 == 2, CENTRE, spread_m)
        for i in range(n)
    ]
    return pd.DataFrame(rows)


def make_ranking(premises: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Return a stand-in risk ranking table for ``premises``."""
    rng = np.random.default_rng(seed + 1)
    harm = rng.gamma(2.0, 5.0, len(premises))
    df = pd.DataFrame(
        {
            "premises_id": premises["premises_id"],
            "name": premises["name"],
            "score": harm / harm.max() * 100,
            "expected_harm_week": harm,
            "c_violence": harm * 0.6,
            "c_night_calls": harm * 0.4,
            "x": premises["x"],
            "y": premises["y"],
        }
    )
    df = df.sort_values("score", ascending=False).reset_index(drop=True)
    df["rank"] = np.arange(1, len(df) + 1)
    df["band"] = np.where(df["rank"] <= len(df) // 4, "high", "medium")
    return df


def _avail(nights, start="18:00", end="04:00") -> tuple[Availability, ...]:
    out = []
    for n in nights:
        s = dt.datetime.combine(n, dt.time.fromisoformat(start))
        e = dt.datetime.combine(n, dt.time.fromisoformat(end))
        if e <= s:
            e += dt.timedelta(days=1)
        out.append(Availability(n, s, e))
    return tuple(out)


def make_staff(
    n_palo: int = 4, n_council: int = 2, n_sia: int = 1, n_gang: int = 1, seed: int = 0, week: dt.date = WEEK
) -> list[Officer]:
    """Return officers: PALOs and partners, each available on a random subset of nights."""
    rng = np.random.default_rng(seed + 2)
    nights = [week + dt.timedelta(days=i) for i in range(7)]
    staff = []
    roles = (
        [("licensing_staff", n_palo)]
        + [("council_licensing", n_council)]
        + [("sia_enforcement", n_sia)]
        + [("gang_spotter", n_gang)]
    )
    k = 0
    for role, count in roles:
        for _ in range(count):
            pick = sorted(rng.choice(7, size=int(rng.integers(3, 6)), replace=False))
            if role != "licensing_staff":
                pick = sorted(set(pick) | {4, 5})  # partners come out at weekends
            start = "18:00" if rng.random() < 0.6 else "20:00"
            staff.append(
                Officer(
                    officer_id=f"O{k:02d}",
                    name=f"Officer {k}",
                    role=role,
                    base="Steelhouse Lane" if k % 2 == 0 else "Digbeth",
                    base_x=CENTRE[0] + (300.0 if k % 2 == 0 else -600.0),
                    base_y=CENTRE[1] + (400.0 if k % 2 == 0 else -500.0),
                    max_shifts=4,
                    contracted_hours=37.0,
                    availability=_avail([nights[i] for i in pick], start, "04:00"),
                    preferences=("prefers_sun_off",) if k % 3 == 0 else (),
                )
            )
            k += 1
    return staff
