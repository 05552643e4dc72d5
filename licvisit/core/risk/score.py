"""The score of each premises from its linked calls: decay, empirical-Bayes shrinkage, licence components.

See :mod:`licvisit.core.risk.rank` for the method and docs/risk.md for the citations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.risk.attribution import (
    Links,
    call_clock,
    hours_arrays,
)
from licvisit.core.risk.clock import _call_days, to_days
from licvisit.core.risk.harm import call_harm, call_harm_of_codes
from licvisit.core.risk.params import RiskParams


@dataclass(frozen=True)
class PremisesArrays:
    """The premises columns scoring reads, as arrays worked out once per premises table.

    The backtest scores the same premises hundreds of times, and a ranking has
    the licensed hours from linking already: neither parses them again.
    """

    start: np.ndarray  # (n, 7) session start [min], NaN when closed or unknown
    end: np.ndarray  # (n, 7) session end [min], may pass 1440
    hours_known: np.ndarray  # (n,) bool
    capacity: np.ndarray  # (n,) float, NaN when not given
    door: np.ndarray  # (n,) bool, door supervision required
    intel_flags: np.ndarray  # (n,) float, how many intelligence flags


def premises_arrays(
    premises: pd.DataFrame, hours: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> PremisesArrays:
    """:class:`PremisesArrays` of ``premises``; ``hours`` is its :func:`hours_arrays` if already known."""
    n = len(premises)
    start, end, known = hours if hours is not None else hours_arrays(premises)
    cap = (
        pd.to_numeric(premises["capacity"], errors="coerce").to_numpy(float)
        if "capacity" in premises.columns
        else np.full(n, np.nan)
    )
    door = (
        premises["door_supervision"].astype("boolean").fillna(False).to_numpy(bool)
        if "door_supervision" in premises.columns
        else np.zeros(n, bool)
    )
    flags = np.zeros(n)
    if "intel_flags" in premises.columns and n:
        # "drugs; weapons": counted once per distinct text (most premises share a few)
        codes, uniq = pd.factorize(premises["intel_flags"].astype("string").fillna(""))
        per = np.array([sum(1 for x in str(u).split(";") if x.strip()) for u in uniq] + [0], dtype=float)
        flags = per[codes]
    return PremisesArrays(start, end, known, cap, door, flags)


def _nte_flags(
    minute: np.ndarray, weekday: np.ndarray, tk: np.ndarray, params: RiskParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (in_nte, weekend_night, weekday_night) for calls with known times; False when unknown."""
    from licvisit.domain import parse_hhmm

    s, e = parse_hhmm(params.nte_start), parse_hhmm(params.nte_end)
    if e <= s:
        in_nte = (minute >= s) | (minute < e)
        after_midnight = minute < e
    else:
        in_nte = (minute >= s) & (minute < e)
        after_midnight = np.zeros(len(minute), dtype=bool)
    night_wd = (weekday - after_midnight.astype(np.int64)) % 7
    weekend = (night_wd == 4) | (night_wd == 5)  # Friday and Saturday nights
    in_nte = in_nte & tk
    return in_nte, in_nte & weekend, in_nte & ~weekend


def link_frame(calls: pd.DataFrame, links: Links, params: RiskParams) -> pd.DataFrame:
    """Per (call, premises) link: premises_idx, weight, harm, day, NTE flags."""
    t = links.table
    c = t["call"].to_numpy()
    # the categories factorised once, for the harm weights and the harm-mix prior's codes
    cat_codes, cat_uniq = (
        pd.factorize(calls["category"]) if "category" in calls.columns else (np.zeros(len(calls), int), None)
    )
    harm = (
        call_harm_of_codes(calls, cat_codes, cat_uniq, params.scheme, params.harm_config)
        if "category" in calls.columns
        else call_harm(calls, params.scheme, params.harm_config)
    )
    # the clock the linking worked out for these calls, else worked out here
    clock = links.clock if links.clock is not None and len(links.clock[0]) == len(calls) else None
    tk, weekday, minute = clock if clock is not None else call_clock(calls)
    day = _call_days(calls, tk)
    nte, wkend, wkday = _nte_flags(minute, weekday, tk, params)
    w = t["weight"].to_numpy(dtype=float)
    if params.outside_nte_weight < 1:
        w = w * np.where(tk[c] & ~nte[c], params.outside_nte_weight, 1.0)
    return pd.DataFrame(
        {
            "call": c,
            "premises_idx": t["premises_idx"].to_numpy(),
            "w": w,
            "harm": harm[c],
            "cat": cat_codes[c],
            "day": day[c],
            "nte_weekend": wkend[c],
            "nte_weekday": wkday[c],
        }
    )


def _decay(age_days: np.ndarray, half_life: float) -> np.ndarray:
    if half_life <= 0:
        return np.ones_like(age_days)
    return np.power(0.5, np.maximum(age_days, 0) / half_life)


def _exposure_weeks(span_days: float, half_life: float) -> float:
    """Decay-weighted length of the history [weeks]."""
    span_days = max(span_days, 1.0)
    if half_life <= 0:
        return span_days / 7.0
    lam = np.log(2) / half_life
    return float((1 - np.exp(-lam * span_days)) / lam / 7.0)


def _exposure_factor(arrays: PremisesArrays, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relative exposure (capacity x weekly licensed hours / type median) and a known flag."""
    n = len(groups)
    cap, start, end, known = arrays.capacity, arrays.start, arrays.end, arrays.hours_known
    weekly_h = np.nansum(end - start, axis=1) / 60.0
    raw = np.where(known & np.isfinite(cap) & (cap > 0) & (weekly_h > 0), cap * weekly_h, np.nan)
    out = np.ones(n)
    ok = np.isfinite(raw)
    for g in np.unique(groups[ok]) if ok.any() else []:
        m = ok & (groups == g)
        med = np.median(raw[m])
        if med > 0:
            out[m] = raw[m] / med
    return out, ok


def _gamma_prior(counts: np.ndarray, expo: np.ndarray) -> tuple[float, float]:
    """Method-of-moments Gamma prior (mean rate m, variance A) for Poisson counts with exposure."""
    tot_e = expo.sum()
    if tot_e <= 0:
        return 0.0, 0.0
    m = counts.sum() / tot_e
    r = counts / np.where(expo > 0, expo, np.nan)
    s2 = np.nansum(expo * (r - m) ** 2) / tot_e
    a = s2 - m / expo.mean()
    return float(m), float(max(a, 1e-12 * max(m, 1e-12) ** 2))


def _small_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(codes, return_inverse=True)`` for integer codes of a small range, without sorting."""
    if len(codes) == 0:
        return np.zeros(0, codes.dtype), np.zeros(0, np.int64)
    lo = int(codes.min())
    present = np.bincount(codes - lo) > 0
    lookup = np.cumsum(present) - 1
    return np.flatnonzero(present) + lo, lookup[codes - lo]


def _harm_prior_calls(p: np.ndarray, w: np.ndarray, cat: np.ndarray, n: int) -> float:
    """Estimate the pseudo-call weight for harm-per-call shrinkage from the history itself.

    Each premises' mix of call categories is taken as Dirichlet-multinomial with
    precision kappa around the overall mix; kappa is estimated by the method of
    moments (one-way ANOVA of the category indicators, pooled over categories:
    kappa = within-premises variance / between-premises variance).  A noisy mix
    gives a large kappa (strong pooling), real differences a small one.  It uses
    category counts only, not the harm weights, so raising a weight can never
    lower a score through kappa.
    """
    if len(p) == 0:
        return 1.0
    n_i = np.bincount(p, weights=w, minlength=n)
    has = n_i > 0
    big = n_i > 1
    k = int(has.sum())
    if k < 3 or not big.any():
        return 1e6
    tot = n_i[has].sum()
    n0 = (tot - (n_i[has] ** 2).sum() / tot) / (k - 1)
    df_w = (n_i[big] - 1).sum()
    sigma2 = tau2 = 0.0
    # every category's weighted count per premises in one pass: column j is category uniq[j]
    # (the sums are those of one bincount per category, the other rows adding exact zeros)
    uniq, inv = _small_codes(cat)
    by_cat = np.bincount(p * len(uniq) + inv, weights=w, minlength=n * len(uniq))
    by_cat = by_cat.reshape(n, len(uniq))
    for j in range(len(uniq)):
        s1 = by_cat[:, j]  # indicator: s2 == s1
        within = (s1[big] - s1[big] ** 2 / n_i[big]).sum() / df_w
        pbar = s1[has].sum() / tot
        ssb = (n_i[has] * (s1[has] / n_i[has] - pbar) ** 2).sum()
        sigma2 += max(within, 0.0)
        tau2 += (ssb / (k - 1) - within) / n0 if n0 > 0 else 0.0
    if tau2 <= 0:
        return 1e6
    return float(np.clip(sigma2 / tau2, 1.0, 1e6))


def _score_table(
    lf: pd.DataFrame,
    premises: pd.DataFrame,
    visits: pd.DataFrame | None,
    params: RiskParams,
    as_of_day: float,
    start_day: float,
    arrays: PremisesArrays,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Compute per-premises features and components (unsorted, premises order)."""
    n = len(premises)
    sel = (lf["day"].to_numpy() < as_of_day) & (lf["day"].to_numpy() >= start_day) & (lf["w"].to_numpy() > 0)
    lf = lf[sel]
    sums = _incident_sums(lf, n, params, as_of_day)
    rates, kappa = _incident_rates(lf, premises, arrays, params, sums, as_of_day, start_day)
    c_incidents = rates["calls_per_week"] * rates["harm_per_call"]
    reference = float(c_incidents.mean()) if n else 0.0
    static = _static_risk(arrays, params, reference)
    breaches, compliant, last_visit = _visit_history(premises, visits, params, as_of_day)
    c_breach = reference * params.w_breach * breaches
    positive = c_incidents + static["c_licence"] + c_breach + static["c_intel"]
    reduction = np.minimum(params.w_compliant * compliant, params.compliant_cap)
    c_compliant = -reduction * positive
    score = positive + c_compliant

    table = pd.DataFrame(
        {
            "premises_idx": np.arange(n),
            "score": score,
            "expected_harm_week": c_incidents,
            "n_calls": sums["n_calls"],
            "harm": sums["harm"],
            "nte_weekday_harm": sums["nte_weekday_harm"],
            "nte_weekend_harm": sums["nte_weekend_harm"],
            "calls_per_week": rates["calls_per_week"],
            "harm_per_call": rates["harm_per_call"],
            "prior_calls_per_week": rates["prior_calls_per_week"],
            "shrinkage_weight": rates["shrinkage_weight"],
            "exposure_known": rates["exposure_known"],
            "exposure_factor": rates["exposure_factor"],
            "late_hours": static["late_hours"],
            "recent_breaches": breaches,
            "recent_compliant": compliant,
            "intel_flag_count": static["intel_flag_count"],
            "c_incidents": c_incidents,
            "c_licence": static["c_licence"],
            "c_breach": c_breach,
            "c_intel": static["c_intel"],
            "c_compliant": c_compliant,
        }
    )
    lv = pd.to_datetime(pd.Series(last_visit) * 86_400e9, errors="coerce")
    table["last_visit"] = lv.dt.date.astype("string").fillna("")
    info = {
        "reference_harm_week": reference,
        "history_weeks": (as_of_day - start_day) / 7.0,
        "harm_prior_calls": kappa,
    }
    return table, info


def _incident_sums(lf: pd.DataFrame, n: int, params: RiskParams, as_of_day: float) -> dict[str, np.ndarray]:
    """Per premises: calls, harm, night-time harm, and the decayed calls ``dn`` and harm ``dh``."""
    p = lf["premises_idx"].to_numpy()
    w = lf["w"].to_numpy()
    age = as_of_day - lf["day"].to_numpy()
    dw = w * _decay(age, params.half_life_days)
    h = lf["harm"].to_numpy()

    n_calls = np.bincount(p, weights=w, minlength=n)
    harm_total = np.bincount(p, weights=w * h, minlength=n)
    nte_wkend = np.bincount(p, weights=w * h * lf["nte_weekend"].to_numpy(), minlength=n)
    nte_wkday = np.bincount(p, weights=w * h * lf["nte_weekday"].to_numpy(), minlength=n)
    dn = np.bincount(p, weights=dw, minlength=n)
    dh = np.bincount(p, weights=dw * h, minlength=n)
    return {
        "n_calls": n_calls,
        "harm": harm_total,
        "nte_weekend_harm": nte_wkend,
        "nte_weekday_harm": nte_wkday,
        "dn": dn,
        "dh": dh,
    }


def _incident_rates(
    lf: pd.DataFrame,
    premises: pd.DataFrame,
    arrays: PremisesArrays,
    params: RiskParams,
    sums: dict[str, np.ndarray],
    as_of_day: float,
    start_day: float,
) -> tuple[dict[str, np.ndarray], float]:
    """Calls per week and harm per call, shrunk towards each group's prior; and kappa."""
    n = len(premises)
    p = lf["premises_idx"].to_numpy()
    w = lf["w"].to_numpy()
    dn, dh = sums["dn"], sums["dh"]
    weeks = _exposure_weeks(as_of_day - start_day, params.half_life_days)
    groups = (
        premises[params.group_by].astype("string").fillna("other").to_numpy(dtype=object)
        if params.group_by in premises.columns
        else np.full(n, "all", dtype=object)
    )
    if params.use_exposure:
        xf, xknown = _exposure_factor(arrays, groups)
    else:
        xf, xknown = np.ones(n), np.zeros(n, dtype=bool)
    expo = weeks * xf

    rate = np.zeros(n)  # calls per week
    hpc = np.zeros(n)  # harm per call
    prior_rate = np.zeros(n)
    shrink_w = np.ones(n)
    kappa = (
        _harm_prior_calls(p, w, lf["cat"].to_numpy(), n)
        if params.harm_prior_calls == "auto"
        else float(params.harm_prior_calls)
    )
    for g in np.unique(groups):
        m = groups == g
        gm, ga = _gamma_prior(dn[m], expo[m])
        hbar = dh[m].sum() / dn[m].sum() if dn[m].sum() > 0 else 0.0
        if params.shrinkage and gm > 0:
            alpha, beta = gm * gm / ga, gm / ga
            rate[m] = (alpha + dn[m]) / (beta + expo[m]) * xf[m]
            shrink_w[m] = expo[m] / (beta + expo[m])
            k = kappa
            hpc[m] = np.where(dn[m] + k > 0, (dh[m] + k * hbar) / np.maximum(dn[m] + k, 1e-12), 0.0)
        else:
            rate[m] = dn[m] / weeks
            hpc[m] = np.where(dn[m] > 0, dh[m] / np.maximum(dn[m], 1e-12), 0.0)
        prior_rate[m] = gm * xf[m]
    rates = {
        "calls_per_week": rate,
        "harm_per_call": hpc,
        "prior_calls_per_week": prior_rate,
        "shrinkage_weight": shrink_w,
        "exposure_known": xknown,
        "exposure_factor": xf,
    }
    return rates, kappa


def _static_risk(arrays: PremisesArrays, params: RiskParams, reference: float) -> dict[str, np.ndarray]:
    """Licence (late hours, capacity, door supervision) and intelligence components."""
    n = len(arrays.door)
    from licvisit.domain import parse_hhmm

    end, hknown = arrays.end, arrays.hours_known
    late_min = parse_hhmm(params.late_after) + 1440
    late = (
        hknown & (np.nanmax(np.where(np.isfinite(end), end, -1), axis=1) > late_min)
        if n
        else np.zeros(0, bool)
    )
    cap_units = np.clip(
        np.nan_to_num(arrays.capacity, nan=0.0) / params.capacity_unit, 0, params.capacity_cap
    )
    flags = arrays.intel_flags
    c_licence = reference * (
        params.w_late * late + params.w_capacity * cap_units + params.w_door * arrays.door
    )
    c_intel = reference * params.w_intel * np.minimum(flags, params.intel_cap)
    return {"late_hours": late, "intel_flag_count": flags, "c_licence": c_licence, "c_intel": c_intel}


def _visit_history(
    premises: pd.DataFrame, visits: pd.DataFrame | None, params: RiskParams, as_of_day: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recent breaches (decayed), recent compliant visits and the day of the last visit."""
    n = len(premises)
    breaches: np.ndarray = np.zeros(n)
    compliant: np.ndarray = np.zeros(n)
    last_visit = np.full(n, np.nan)
    if visits is not None and len(visits):
        vid = pd.Index(premises["premises_id"].astype(str)).get_indexer(visits["premises_id"].astype(str))
        vday = to_days(visits["visited_at"])
        ok = (vid >= 0) & (vday < as_of_day)
        recent = ok & (vday >= as_of_day - params.visit_window_days)
        outc = visits["outcome"].astype("string").fillna("").str.strip().str.lower().to_numpy(dtype=object)
        bad = np.isin(outc, ("breach_found", "action_plan", "review_requested"))
        good = outc == "compliant"
        vdec = _decay(as_of_day - vday, params.visit_window_days / 2)
        breaches = np.bincount(vid[recent & bad], weights=vdec[recent & bad], minlength=n)
        compliant = np.bincount(vid[recent & good], minlength=n).astype(float)
        if ok.any():
            lv = pd.Series(vday[ok]).groupby(vid[ok]).max()
            last_visit[lv.index.to_numpy()] = lv.to_numpy()
    return breaches, compliant, last_visit


def _bands(order_pos: np.ndarray, n: int, params: RiskParams, score: np.ndarray | None = None) -> np.ndarray:
    """Band by position in the ranking (0 = top); a premises scoring 0 is always band D.

    With no linked harm and no static risk there is nothing to rank on: the order of
    zero scores is only the premises_id tie-break, which must not earn a weekly visit.
    """
    cuts = [int(np.ceil(s * n)) for s in params.band_shares]
    band = np.full(n, "D", dtype=object)
    band[order_pos < cuts[2]] = "C"
    band[order_pos < cuts[1]] = "B"
    band[order_pos < cuts[0]] = "A"
    if score is not None:
        band[~(score > 0)] = "D"
    return band


def score_premises(
    lf: pd.DataFrame,
    premises: pd.DataFrame,
    visits: pd.DataFrame | None,
    params: RiskParams,
    as_of: dt.datetime,
    start: dt.datetime | None = None,
    arrays: PremisesArrays | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score from a prepared link frame (used by ``rank_premises`` and the backtest).

    ``arrays``: :func:`premises_arrays` of ``premises``, when the caller scores it more than once.
    """
    as_of_day = float(to_days(pd.Series([pd.Timestamp(as_of)]))[0])
    if start is None:
        start_day = float(np.nanmin(lf["day"].to_numpy())) if len(lf) else as_of_day - 365
        start_day = min(start_day, as_of_day - 1)
    else:
        start_day = float(to_days(pd.Series([pd.Timestamp(start)]))[0])
    if params.history_days > 0:
        start_day = max(start_day, as_of_day - params.history_days)
    arrays = premises_arrays(premises) if arrays is None else arrays
    return _score_table(lf, premises, visits, params, as_of_day, start_day, arrays)
