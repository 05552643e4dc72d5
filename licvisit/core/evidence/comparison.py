"""The zone against the rest of the area, the other zones and the same months a year before.

"Up 12 %" means little without the same figure for the rest of the city,
other zones, or the same months last year.  Each area's counts per month are
published under disclosure control; rates are per month, per km² and per
1,000 licensed capacity where capacity is known; the year-on-year change is a
Poisson rate ratio with its 95 % interval (``trends.before_after_test``).
Pure functions; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.evidence import disclosure as sdc
from licvisit.core.evidence import trends as tr


@dataclass(frozen=True)
class Area:
    """One area of the comparison: which records fall in it, its size and its premises' capacity."""

    name: str
    mask: np.ndarray  # over the records
    km2: float
    premises: int
    capacity: float  # sum of known capacities [persons]; NaN when none known
    capacity_share: float  # share of the area's premises with a known capacity


def compare_areas(
    months_of: pd.Series,
    areas: list[Area],
    months: pd.PeriodIndex,
    days: np.ndarray,
    prev_days: np.ndarray | None,
    threshold: int,
    noun: str,
    alpha: float = 0.05,
    force_hidden: set[tuple[str, str]] | None = None,
) -> tuple[sdc.PublishedTable, pd.DataFrame, list[str]]:
    """Monthly counts per area and a summary with rates and the change on a year before.

    Parameters
    ----------
    months_of : monthly Period of every record (aligned with each ``Area.mask``)
    areas : the areas, the zone first
    months : the period's months with data; ``days`` the days covered in each
    prev_days : days covered in each of the same months a year before, or None when the data do not reach them
    threshold : disclosure threshold
    noun : what is counted ("crimes", "calls for service")
    alpha : level for the year-on-year words
    force_hidden : (month label or 'Total', area name) cells to hide (linked tables)

    Returns
    -------
    (monthly table, summary frame, findings)
    """
    counts = pd.DataFrame(index=months.astype(str))
    prev = {}
    prev_months = months - 12
    for a in areas:
        m = months_of[a.mask]
        counts[a.name] = m.value_counts().reindex(months, fill_value=0).to_numpy()
        if prev_days is not None:
            prev[a.name] = m.value_counts().reindex(prev_months, fill_value=0).to_numpy(float)
    counts.index.name = "month"
    monthly = sdc.publish_counts(
        "comparison_monthly",
        f"{noun.capitalize()} per month: the zone beside the rest of the area and the other zones",
        counts,
        threshold,
        row_totals=False,
        col_totals=True,
        index_name="month",
        force_hidden=force_hidden,
        caption="Columns are areas (they are not added up: the rest of the area contains the other zones).",
    )
    n_months = len(months)
    rows, findings = [], []
    c_now, c_prev = f"{noun} in period", f"{noun} same months a year before"
    for a in areas:
        shown = monthly.frame.loc[sdc.TOTAL, a.name]
        n = float(counts[a.name].sum())
        row: dict[str, Any] = {
            "area": a.name,
            "area_km2": round(a.km2, 2),
            "premises": a.premises,
            "capacity known": round(a.capacity) if np.isfinite(a.capacity) else np.nan,
            c_now: int(n),
            "per month": round(n / n_months, 1),
            "per km² per month": round(n / n_months / a.km2, 1) if a.km2 > 0 else np.nan,
            "per 1000 capacity per month": round(1000 * n / n_months / a.capacity, 1)
            if np.isfinite(a.capacity) and a.capacity > 0
            else np.nan,
        }
        if not sdc_visible(shown):
            row[c_now] = pd.NA
        if prev_days is not None:
            pb = prev[a.name]
            row[c_prev] = int(pb.sum())
            now = counts[a.name].to_numpy(float)
            if pb.sum() + now.sum() > 0:
                t = tr.before_after_test(pb, now, prev_days, days)
                if np.isfinite(t.ratio):
                    row.update(
                        year_on_year_ratio=round(t.ratio, 3),
                        ci_low=round(t.ci_low, 3),
                        ci_high=round(t.ci_high, 3),
                        p_value=tr.round_p(t.p_value),
                        change=change_words(t, alpha),
                    )
        rows.append(row)
    df = pd.DataFrame(rows).set_index("area")
    cnt = [c for c in (c_now, c_prev) if c in df]
    derived = [c for c in df.columns if c not in cnt and c not in ("area_km2", "premises", "capacity known")]
    df = sdc.suppress_rows(df, cnt, derived, threshold)
    hidden_now = df[c_now].isna()
    df.loc[hidden_now, derived] = pd.NA
    zone = areas[0].name
    if prev_days is not None and "change" in df and sdc_visible(df.loc[zone, "change"]):
        findings.append(f"Against the same months a year before, {noun} in {zone} {df.loc[zone, 'change']}.")
    return monthly, df, findings


def change_words(t: tr.ChangeTest, alpha: float) -> str:
    """'rose by 23 %' / 'fell by 9 %' only when significant at ``alpha``; else 'showed no significant change'."""
    return t.describe("", alpha=alpha)


def sdc_visible(v: object) -> bool:
    return v is not None and not pd.isna(v)
