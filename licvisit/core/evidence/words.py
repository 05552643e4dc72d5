"""The pack's words: findings, methods, limitations and sources, each number read from a published table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.evidence import concentration as conc
from licvisit.core.evidence import disclosure as sdc
from licvisit.core.evidence import trends as tr
from licvisit.core.evidence.params import EvidenceParams, Month, _month_label


def _day(t: pd.Timestamp) -> str:
    return f"{t.day} {t:%B %Y}"


def _round_sig(x: float, sig: int = 2) -> float:
    if not np.isfinite(x) or x == 0:
        return 0.0 if x == 0 else float("nan")
    return float(round(x, sig - 1 - int(math.floor(math.log10(abs(x))))))


def _visible(v: Any) -> bool:
    return v is not None and not pd.isna(v)


def _fmt_int(v: Any) -> str:
    return f"{int(v):,}" if _visible(v) else sdc.SUPPRESSED_SYMBOL


def _n_or_fewer(n: int | None, threshold: int) -> str:
    """``n`` as text, or "fewer than 5" when it is hidden (None) or between 1 and the threshold."""
    if n is None or 0 < n < threshold:
        return f"fewer than {threshold}"
    return f"{n:,}"


def _all_premises(n: int, threshold: int) -> str:
    """ "All 24 premises", or "All the premises (fewer than 5)" when the number is a small count."""
    return f"All {n:,} premises" if not 0 < n < threshold else f"All the premises (fewer than {threshold})"


def _sources(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    zc: pd.DataFrame,
    zp: pd.DataFrame,
    names: dict[str, str] | None,
    per: tuple[pd.Period, pd.Period],
) -> list[dict[str, str]]:
    names = names or {}
    out = []
    if len(calls):
        tk = (
            calls["time_known"].fillna(False).astype(bool)
            if "time_known" in calls
            else pd.Series(True, index=calls.index)
        )
        m = pd.to_datetime(calls["occurred_at"]).dt.to_period("M")
        files = sorted(set(calls["source_file"].astype(str))) if "source_file" in calls else []
        police_uk = float((~tk).mean()) > 0.5
        caveats = []
        if police_uk:
            caveats.append(
                "police.uk street-level data: locations are anonymised to the nearest of a fixed set of "
                "'On or near' snap points (many crimes share one point) and dates are month only, so no "
                "time of day is available; some crimes (e.g. sexual offences) may be mapped away from where "
                "they happened."
            )
        else:
            caveats.append(
                "Calls for service record what was reported, where the caller said, when it was logged: not all "
                "are crimes, and repeat calls about one incident may be counted more than once."
            )
        out.append(
            {
                "source": "Calls / crime records",
                "file": names.get("calls", ", ".join(files[:3]) + (" ..." if len(files) > 3 else "")),
                "dates": f"{_month_label(m.min())} to {_month_label(m.max())}",
                "rows": f"{len(calls):,} loaded; period {_month_label(per[0])} to {_month_label(per[1])}",
                "caveats": " ".join(caveats),
            }
        )
    syn = bool(premises["synthetic"].fillna(False).astype(bool).any()) if "synthetic" in premises else False
    pcave = "Premises register: trading names, types and locations."
    if syn:
        pcave += " Some licence attributes (hours, capacity, door supervision) are synthesised for the demo and are not real."
    out.append(
        {
            "source": "Licensed premises",
            "file": names.get("premises", ""),
            "dates": "as supplied",
            "rows": f"{len(premises):,} loaded; {len(zp):,} in the zone",
            "caveats": pcave,
        }
    )
    out.append(
        {
            "source": "Zone boundary",
            "file": names.get("zones", ""),
            "dates": "as supplied",
            "rows": "1 zone",
            "caveats": "The zone is the polygon supplied; if it is illustrative (as in the demo) it is not an "
            "official cumulative impact or NTE boundary.",
        }
    )
    return out


def _findings(
    zone_name: str,
    per: tuple[pd.Period, pd.Period],
    t_month: sdc.PublishedTable,
    tables: dict[str, sdc.PublishedTable],
    stats: dict[str, Any],
    con: conc.Concentration,
    ba: Any,  # pack.BeforeAfter or None (pack imports this module, so not named here)
    params: EvidenceParams,
    noun: str = "calls",
) -> list[str]:
    """Key findings in plain words, using only published (suppressed) numbers."""
    out = []
    grand = t_month.frame.loc[sdc.TOTAL, sdc.TOTAL]
    out.append(
        f"{_fmt_int(grand)} {noun} were recorded in {zone_name} from {_month_label(per[0])} to "
        f"{_month_label(per[1])}."
    )
    totals = t_month.frame.loc[sdc.TOTAL].drop(sdc.TOTAL)
    vis = totals.dropna()
    if len(vis) and _visible(grand) and grand > 0:
        top = vis.sort_values(ascending=False).head(3)
        parts = [f"{g} {int(v):,} ({100 * v / grand:.0f} %)" for g, v in top.items()]
        out.append("Largest groups: " + "; ".join(parts) + ".")
    h = stats["hotspots"]
    out.append(
        f"{h['hot_in_zone']} of the zone's {h['cells_in_zone']} grid cells ({params.cell_m:g} m) are statistically "
        f"significant hot spots of {'harm' if params.hotspot_weight == 'harm' else noun} (Getis-Ord Gi*, false "
        f"discovery rate {params.fdr_alpha:g}); {h['cold_in_zone']} are cold spots."
    )
    t = stats.get("trend_all")
    if t is not None:
        out.append(f"Month on month, all {noun} {t.describe(noun, params.trend_alpha)}.")
    if np.isfinite(con.gini) and con.n_premises:
        row = tables["concentration"].frame.iloc[min(1, len(tables["concentration"].frame) - 1)]
        k = row["premises"]
        of = _n_or_fewer(None if pd.isna(k) else int(k), params.threshold)
        out.append(
            f"The top {row['top % of premises']:g} % of premises ({of} of "
            f"{_n_or_fewer(con.n_premises, params.threshold)}) account "
            f"for {row['% of linked harm']:.0f} % of the harm linked to premises (Gini {con.gini:.2f})."
        )
    nr = tables.get("night_rates")
    if nr is not None and sdc.TOTAL not in nr.frame.index and "All groups" in nr.frame.index:
        r = nr.frame.loc["All groups"]
        if _visible(r.get("weekend_to_weekday_ratio")):
            out.append(
                f"Weekend nights average {r['weekend_per_night']:.1f} night-time calls against {r['weekday_per_night']:.1f} "
                f"on weekday nights (ratio {r['weekend_to_weekday_ratio']:.2f}, {tr.p_text(float(r['p_value']))})."
            )
    if ba is not None and ba.zone is not None:
        row = tables["before_after"].frame.loc["Zone"]
        if _visible(row["calls before"]):
            out.append(
                f"Before/after ({ba.label}): in the zone {noun} {ba.zone.describe(noun, params.trend_alpha)}"
                + (
                    f"; in the rest of the loaded area they {ba.rest.describe(noun, params.trend_alpha)}"
                    if ba.rest is not None
                    else ""
                )
                + ". This alone does not show that any intervention worked (see limitations)."
            )
        else:
            out.append("Before/after: numbers too small to publish.")
    return out


def _methods(
    params: EvidenceParams,
    risk_params: Any,  # licvisit.core.risk.RiskParams
    weights: dict[str, float],
    harm_source: str,
    per: tuple[pd.Period, pd.Period],
    cmp_: tuple[pd.Period, pd.Period] | None,
    intervention: Month | None,
    tables: dict[str, sdc.PublishedTable],
    used: set[str],
) -> list[str]:
    """Methods paragraphs generated from the parameters actually used."""
    p = params
    rp = risk_params
    w_text = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in weights.items() if k in used)
    gi_nb = (
        "the cell and its 8 touching cells (queen contiguity)"
        if p.gi_neighbourhood == "queen"
        else f"every cell whose centre lies within {p.gi_distance_m:g} m, including the cell itself"
    )
    inference = (
        "normal approximation"
        if p.gi_permutations == 0
        else f"{p.gi_permutations} conditional permutations (seed {p.seed})"
    )
    out = [
        f"Period: {_month_label(per[0])} to {_month_label(per[1])} (whole months, inclusive)."
        + (f" Comparison period: {_month_label(cmp_[0])} to {_month_label(cmp_[1])}." if cmp_ else "")
        + (f" Intervention month: {intervention}." if intervention else ""),
        f"Map: calls in the period on a {p.cell_m:g} m grid aligned to the British National Grid, extending "
        f"{p.grid_margin_m:g} m beyond the zone. Density: Gaussian kernel, bandwidth (standard deviation) "
        f"{p.kde_bandwidth_m:g} m on {p.kde_pixel_m:g} m pixels, in calls per km². Hot and cold spots: Getis-Ord "
        f"Gi* (PySAL esda.G_Local, star=True, binary weights) of {'harm' if p.hotspot_weight == 'harm' else 'call counts'} "
        f"per cell, neighbourhood {gi_nb}; two-sided p-values by {inference}; cells flagged when the "
        f"Benjamini-Hochberg false discovery rate q <= {p.fdr_alpha:g}.",
        "Trends: counts per calendar month by category group; a steady change is tested by Poisson regression on "
        "month number with days in the month as exposure, widened to quasi-Poisson (Pearson dispersion, "
        "t-distribution) when months vary more than a Poisson count would. Percentages of change are reported "
        "with their 95 % intervals and p-values, never on their own.",
        f"Nights run from {p.night_start_h:02d}:00 to {p.night_end_h:02d}:00 and belong to the evening they start; "
        "weekend nights are Friday and Saturday nights. The weekend/weekday rate ratio per night is tested with the "
        "exact conditional (binomial) test for two Poisson rates.",
        f"Harm: {harm_source} Weights of the categories present: {w_text or 'none'}.",
        f"Premises: calls are linked to premises in the zone by licvisit's attribution rules (reference, name, "
        f"then the nearest premises within {getattr(rp, 'radius_m', float('nan')):g} m; premises within "
        f"{getattr(rp, 'tie_m', float('nan')):g} m of the nearest share a call). A premises' harm is the sum of its "
        f"share of each linked call's harm. Concentration: share of linked harm held by the top "
        + ", ".join(f"{100 * s:g}" for s in p.top_shares)
        + " % of all premises in the zone, Lorenz curve and Gini coefficient. The top-premises table lists up to "
        f"{p.top_n} premises with at least {p.threshold} linked calls; its trend word comes from a Poisson trend "
        f"test at the {p.trend_alpha:g} level."
        + (" Premises are shown by ID, not name." if p.anonymise else ""),
        f"Disclosure control: every published count from 1 to {p.threshold - 1} is hidden ([c]); where a row or "
        "column total is shown, further cells are hidden so that no hidden cell can be worked out from the totals "
        "(checked for every hidden cell). Statistics resting on a hidden count are not published. "
        "No names of people and no free text from calls are published.",
    ]
    if "before_after" in tables:
        out.append(
            "Before/after: rate per day before and after, compared by Poisson regression on monthly counts "
            "(quasi-Poisson when over-dispersed); the rest of the loaded area is shown as a comparison, and a "
            "Poisson interaction term tests whether the zone changed differently from it."
        )
    return out


def _limitations(params: EvidenceParams, share_timed: float, ba: Any, zc: pd.DataFrame) -> list[str]:
    out = [
        "Recorded calls and crimes measure police demand and recording, not all harm: under-reporting varies by "
        "offence and place, and changes in recording practice or patrol presence change the counts.",
        "Linking a call to a premises by distance does not mean the premises caused it; calls in the street "
        "outside several venues are shared between them.",
        f"Hot spots depend on the grid ({params.cell_m:g} m), the neighbourhood and the false discovery rate; a "
        "different grid origin or cell size can move them (the modifiable areal unit problem). Gi* finds clusters "
        "of high counts relative to the whole mapped area, not causes.",
    ]
    if share_timed < 0.5:
        out.append(
            "Most records are month-only police.uk data: no time-of-day or night-time analysis is possible, and "
            "locations are snap points, so a hot spot may mark a snap point (a street or landmark) rather than "
            "the exact place."
        )
    if ba is not None:
        out.append(
            "Before/after comparisons cannot show cause. Regression to the mean: areas chosen because they were "
            "bad often improve anyway. Displacement: harm may move to nearby streets or other times (the rest of "
            "the area is shown, but it is not a matched control). No control group: other changes in the same "
            "period (events, weather, policing, student terms, seasonality) are not accounted for; compare "
            "like-for-like months where possible."
        )
    out.append(
        f"Small numbers: counts below {params.threshold} are hidden, which loses detail; tests are not run where "
        "hidden numbers would be needed."
    )
    return out
