"""Did harm move next door? Zone, ring and street-space counts before and after, with difference-in-differences.

Targeted policing of licensed premises can cut assaults inside premises while
street assaults nearby rise (Warburton & Shepherd 2006, *Addiction* 101(11));
after Sydney's 2014 lockout laws assaults fell in Kings Cross and rose in the
surrounding areas (Donnelly et al. 2017, BOCSAR *Crime and Justice Bulletin*
no. 201).  A before/after for the zone alone cannot show either.  This module
compares the zone, a ring around it and the rest of the area, and street space
near the zone's premises against incidents inside them, with a
difference-in-differences rate ratio (a Poisson log-linear model with an
area x period interaction; Wooldridge 2010, ch. 6) and its 95 % interval.

Pure functions over arrays and shapely geometries; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.evidence import disclosure as sdc
from licvisit.core.evidence import trends as tr


@dataclass(frozen=True)
class AreaSeries:
    """Monthly counts of one area in the before and after months."""

    name: str
    before: np.ndarray
    after: np.ndarray


@dataclass(frozen=True)
class DidResult:
    """A difference-in-differences comparison of ``target`` against ``reference``.

    ``test.ratio`` is (rate after / before in target) / (the same in reference).
    ``verdict`` is the plain-words reading at level ``alpha``.
    """

    name: str
    target: str
    reference: str
    test: tr.ChangeTest | None
    verdict: str


def ring_geometry(zone: Any, ring_m: float) -> Any:
    """The band from the zone's edge out to ``ring_m`` [m] (the zone itself left out)."""
    return zone.buffer(ring_m).difference(zone)


def premises_buffer(x: np.ndarray, y: np.ndarray, buffer_m: float) -> Any:
    """Union of circles of radius ``buffer_m`` [m] round each premises (None if there are none)."""
    import shapely

    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    return shapely.union_all(shapely.buffer(shapely.points(x[ok], y[ok]), buffer_m))


def inside(geom: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which points lie inside ``geom`` (False where a coordinate is missing or geom is None)."""
    import shapely

    out = np.zeros(len(x), bool)
    if geom is None or getattr(geom, "is_empty", False):
        return out
    ok = np.isfinite(x) & np.isfinite(y)
    out[ok] = shapely.contains_xy(geom, x[ok], y[ok])
    return out


def did_test(
    target: AreaSeries, reference: AreaSeries, db: np.ndarray, da: np.ndarray
) -> tr.ChangeTest | None:
    """Ratio of rate ratios target/reference with its interval; None when a cell has no counts."""
    try:
        return tr.difference_in_change_test(
            target.before, target.after, reference.before, reference.after, db, da
        )
    except ValueError:
        return None


def did_verdict(test: tr.ChangeTest | None, target: str, reference: str, noun: str, alpha: float) -> str:
    """Plain words for a displacement test: claim a shift only when the test says so at ``alpha``.

    A ratio above 1 means the target's rate rose relative to the reference's
    (or fell less); below 1, fell relative to it.
    """
    if test is None:
        return f"Not tested: too few {noun} in one of the periods for {target} or {reference}."
    pct = 100 * (test.ratio - 1)
    ci = f"ratio {test.ratio:.2f}, 95 % interval {test.ci_low:.2f} to {test.ci_high:.2f}; {tr.p_text(test.p_value)}"
    return _sentence(_verdict(test, target, reference, noun, alpha, pct, ci))


def difference_verdict(test: tr.ChangeTest | None, target: str, reference: str, alpha: float) -> str:
    """Plain words for the zone against a comparison area (no displacement claim either way)."""
    if test is None:
        return f"Not tested: too few records in one of the periods for {target} or {reference}."
    pct = 100 * (test.ratio - 1)
    ci = f"ratio {test.ratio:.2f}, 95 % interval {test.ci_low:.2f} to {test.ci_high:.2f}; {tr.p_text(test.p_value)}"
    if test.p_value < alpha:
        word = "rose" if pct > 0 else "fell"
        return _sentence(f"{target} {word} by {abs(pct):.0f} % relative to {reference} ({ci}).")
    return _sentence(
        f"{target} did not change significantly differently from {reference} at the {alpha:g} level ({ci})."
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _verdict(
    test: tr.ChangeTest, target: str, reference: str, noun: str, alpha: float, pct: float, ci: str
) -> str:
    if test.p_value < alpha and pct > 0:
        return (
            f"{target} rose by {pct:.0f} % relative to {reference} ({ci}): consistent with displacement "
            f"into {target}, though other causes are possible."
        )
    if test.p_value < alpha and pct < 0:
        return (
            f"{target} fell by {-pct:.0f} % relative to {reference} ({ci}): no sign of displacement; "
            "if anything a diffusion of benefit."
        )
    return (
        f"No evidence of displacement into {target} at this sample size: its change did not differ "
        f"significantly from {reference} at the {alpha:g} level ({ci})."
    )


def displacement_table(
    areas: list[AreaSeries],
    db: np.ndarray,
    da: np.ndarray,
    threshold: int,
    noun: str,
    force_hidden: set[str] | None = None,
    hide_together: list[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Counts and rates per 30 days before and after for each area, rows resting on small counts hidden.

    Parameters
    ----------
    areas : the areas, in the order shown
    db, da : days covered in each before / after month
    threshold : counts 1 .. threshold-1 hide their row
    noun : "crimes", "calls for service" or "incidents" (column names)
    force_hidden : area names to hide whatever their counts (linked to another published table)
    hide_together : (a, b) pairs: if a is hidden, hide b too (b's count plus a's is published elsewhere)
    """
    rows = []
    for a in areas:
        b, f = float(a.before.sum()), float(a.after.sum())
        test = tr.before_after_test(a.before, a.after, db, da) if b + f else None
        row: dict[str, Any] = {
            "area": a.name,
            f"{noun} before": int(b),
            f"{noun} after": int(f),
            "per 30 days before": round(30 * b / db.sum(), 1),
            "per 30 days after": round(30 * f / da.sum(), 1),
        }
        if test is not None and np.isfinite(test.ratio):
            row.update(
                rate_ratio=round(test.ratio, 3),
                ci_low=round(test.ci_low, 3),
                ci_high=round(test.ci_high, 3),
                p_value=tr.round_p(test.p_value),
            )
        rows.append(row)
    df = pd.DataFrame(rows).set_index("area")
    for c in ("rate_ratio", "ci_low", "ci_high", "p_value"):
        if c not in df:
            df[c] = np.nan
    counts = [f"{noun} before", f"{noun} after"]
    derived = [c for c in df.columns if c not in counts]
    df = sdc.suppress_rows(df, counts, derived, threshold)
    for name in force_hidden or ():
        if name in df.index:
            df.loc[name, counts + derived] = pd.NA
    for first, second in hide_together or ():
        if first in df.index and second in df.index and df.loc[first, counts].isna().any():
            df.loc[second, counts + derived] = pd.NA
    return df


def did_table(results: list[DidResult]) -> pd.DataFrame:
    """One row per difference-in-differences comparison, with its verdict."""
    rows = []
    for r in results:
        t = r.test
        rows.append(
            {
                "comparison": r.name,
                "ratio_of_rate_ratios": round(t.ratio, 3) if t is not None else np.nan,
                "ci_low": round(t.ci_low, 3) if t is not None else np.nan,
                "ci_high": round(t.ci_high, 3) if t is not None else np.nan,
                "p_value": tr.round_p(t.p_value) if t is not None else np.nan,
                "method": t.method if t is not None else "not tested",
                "reading": r.verdict,
            }
        )
    return pd.DataFrame(rows).set_index("comparison")
