"""Rank licensed premises by expected harm per week, with a breakdown that explains each score.

Method (details and citations in docs/risk.md)
----------------------------------------------
1. Calls are linked to premises (``licvisit.core.attribution``) and weighed by
   harm (``licvisit.core.harm``: CCHI, ONS CSS or counts, x THRIVE multiplier).
2. Each linked call is discounted by its age at ``as_of`` with half-life
   ``half_life_days`` (month-only police.uk records are dated mid-month).
3. **Rate of calls**: empirical-Bayes Poisson-Gamma shrinkage (Clayton & Kaldor
   1987; method-of-moments prior as in Marshall 1991) of each premises' decayed
   call count towards the mean rate of premises of the same type, per unit of
   exposure.  Exposure = capacity x licensed hours per week relative to the
   type's median where both are known, otherwise 1 (the typical premises of
   that type): unknown is never treated as small or large.
4. **Harm per call**: each premises' mean harm per call, shrunk towards its
   type's mean with the weight of ``harm_prior_calls`` pseudo-calls, so that
   one robbery does not make a premises look like a robbery hotspot.
5. ``c_incidents`` = rate x harm per call = expected harm per week.
6. Static licence risk in the way liquor regulators load fees and inspection
   rates (late trading, patron capacity, compliance history; e.g. Liquor &
   Gaming NSW risk-based licensing, Victorian Commission for Gambling and
   Liquor Regulation risk-based fees): late hours, capacity, door supervision,
   a recent breach, intelligence flags, each add a documented share of the
   reference harm (the mean ``c_incidents`` over all premises); recent
   compliant visits reduce the total by a capped share.  The ``c_`` columns
   sum to ``score``.
7. Bands A-D by position in the ranking (``band_shares``), each with the visit
   frequency it implies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.attribution import Links, _call_clock, datetime_ns, hours_arrays, link_calls_to_premises
from licvisit.core.harm import HARM_SOURCES, SCHEMES, call_harm
from licvisit.domain import CATEGORIES, PREVENTIVE_CATEGORIES

BANDS = ("A", "B", "C", "D")
COMPONENTS = ("c_incidents", "c_licence", "c_breach", "c_intel", "c_compliant")


@dataclass
class RiskParams:
    """Parameters of the risk ranking; every default is documented in docs/risk.md.

    Attribution: ``radius_m`` [m] nearest-premises radius, ``tie_m`` [m] near-tie
    margin (premises within it of the nearest share the call equally),
    ``max_candidates`` premises considered per call, ``name_max_m`` [m] how far a
    premises named in the location text may be, ``closed_hours`` "exclude" or
    "downweight" (x ``closed_factor``).

    Harm: ``scheme`` (cchi, ons_css, count), ``harm_overrides`` (the ``[harm]`` config
    section), ``preventive`` categories kept out of risk.

    Time: NTE window ``nte_start``-``nte_end`` (wall clock), ``outside_nte_weight``
    for calls with a known time outside it, ``half_life_days`` recency half-life
    (0 = no decay), ``history_days`` how far back to look (0 = everything).

    Score: ``shrinkage`` on/off, ``group_by`` premises column for "similar
    premises", ``harm_prior_calls`` pseudo-calls for the harm-per-call shrinkage,
    ``use_exposure``; static weights (shares of the reference harm)
    ``w_late``, ``late_after`` (closing time after which hours count as late),
    ``w_capacity`` per ``capacity_unit`` persons (capped at ``capacity_cap`` units),
    ``w_door``, ``w_breach`` per recent breach, ``w_intel`` per flag (capped at
    ``intel_cap`` flags), ``w_compliant`` reduction per recent compliant visit
    (capped at ``compliant_cap``), ``visit_window_days`` what counts as recent.

    Bands: ``band_shares`` cumulative shares of premises in bands A, B, C
    (the rest are D), ``band_frequencies`` visit frequency per band and
    ``band_visits_per_week``.
    """

    radius_m: float = 50.0
    tie_m: float = 0.5
    max_candidates: int = 4
    name_max_m: float = 250.0
    closed_hours: str = "exclude"
    closed_factor: float = 0.25
    scheme: str = "cchi"
    harm_overrides: dict[str, Any] = field(default_factory=dict)
    preventive: tuple[str, ...] = tuple(sorted(PREVENTIVE_CATEGORIES))
    nte_start: str = "20:00"
    nte_end: str = "06:00"
    outside_nte_weight: float = 1.0
    half_life_days: float = 180.0
    history_days: float = 0.0
    shrinkage: bool = True
    group_by: str = "premises_type"
    harm_prior_calls: float | str = "auto"
    use_exposure: bool = True
    w_late: float = 0.25
    late_after: str = "01:00"
    w_capacity: float = 0.10
    capacity_unit: float = 250.0
    capacity_cap: float = 4.0
    w_door: float = 0.15
    w_breach: float = 0.50
    w_intel: float = 0.25
    intel_cap: int = 3
    w_compliant: float = 0.10
    compliant_cap: float = 0.30
    visit_window_days: float = 180.0
    band_shares: tuple[float, float, float] = (0.05, 0.20, 0.50)
    band_frequencies: tuple[str, str, str, str] = ("weekly", "fortnightly", "monthly", "quarterly")
    band_visits_per_week: tuple[float, float, float, float] = (1.0, 0.5, 0.25, 1.0 / 13.0)

    def __post_init__(self) -> None:
        from licvisit.domain import parse_hhmm

        self.preventive = tuple(self.preventive)
        self.band_shares = tuple(float(s) for s in self.band_shares)  # type: ignore[assignment]
        self.band_frequencies = tuple(self.band_frequencies)  # type: ignore[assignment]
        self.band_visits_per_week = tuple(float(v) for v in self.band_visits_per_week)  # type: ignore[assignment]
        if not self.radius_m > 0:
            raise ValueError("Expected radius_m > 0.")
        if not self.tie_m >= 0:
            raise ValueError("Expected tie_m >= 0.")
        if not 1 <= self.max_candidates <= 16:
            raise ValueError("Expected 1 <= max_candidates <= 16.")
        if not self.name_max_m > 0:
            raise ValueError("Expected name_max_m > 0.")
        if self.closed_hours not in ("exclude", "downweight"):
            raise ValueError("Expected closed_hours 'exclude' or 'downweight'.")
        if not 0 <= self.closed_factor <= 1:
            raise ValueError("Expected 0 <= closed_factor <= 1.")
        if self.scheme not in SCHEMES:
            raise ValueError(f"Expected scheme one of {', '.join(SCHEMES)}.")
        unknown = sorted(set(self.preventive) - set(CATEGORIES))
        if unknown:
            raise ValueError(
                f"Expected preventive categories from licvisit.domain.CATEGORIES, not '{unknown[0]}'."
            )
        for name in ("nte_start", "nte_end", "late_after"):
            try:
                parse_hhmm(getattr(self, name))
            except ValueError:
                raise ValueError(f"Expected {name} as HH:MM.") from None
        if not 0 <= self.outside_nte_weight <= 1:
            raise ValueError("Expected 0 <= outside_nte_weight <= 1.")
        if not self.half_life_days >= 0:
            raise ValueError("Expected half_life_days >= 0 (0 = no decay).")
        if not self.history_days >= 0:
            raise ValueError("Expected history_days >= 0 (0 = all history).")
        if self.harm_prior_calls != "auto":
            try:
                self.harm_prior_calls = float(self.harm_prior_calls)
            except (TypeError, ValueError):
                raise ValueError("Expected harm_prior_calls >= 0 or 'auto'.") from None
            if not self.harm_prior_calls >= 0:
                raise ValueError("Expected harm_prior_calls >= 0 or 'auto'.")
        for name in ("w_late", "w_capacity", "w_door", "w_breach", "w_intel", "w_compliant"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"Expected {name} >= 0.")
        if not self.capacity_unit > 0 or not self.capacity_cap >= 0 or self.intel_cap < 0:
            raise ValueError("Expected capacity_unit > 0, capacity_cap >= 0 and intel_cap >= 0.")
        if not 0 <= self.compliant_cap < 1:
            raise ValueError("Expected 0 <= compliant_cap < 1.")
        if not self.visit_window_days > 0:
            raise ValueError("Expected visit_window_days > 0.")
        s = self.band_shares
        if len(s) != 3 or not (0 < s[0] <= s[1] <= s[2] <= 1):
            raise ValueError(
                "Expected band_shares as three increasing shares in (0, 1], e.g. [0.05, 0.2, 0.5]."
            )
        if len(self.band_frequencies) != 4 or len(self.band_visits_per_week) != 4:
            raise ValueError("Expected four band_frequencies and four band_visits_per_week (bands A-D).")

    @property
    def harm_config(self) -> dict[str, Any]:
        """The ``[harm]`` overrides with this object's preventive categories applied."""
        cfg = dict(self.harm_overrides)
        cfg["preventive"] = list(self.preventive)
        cfg.pop("scheme", None)
        return cfg


@dataclass
class Ranking:
    """The result of ``rank_premises``: one row per premises, best first, and how it was made."""

    table: pd.DataFrame
    links: Links
    summary: dict[str, Any]
    notes: list[str]
    params: RiskParams
    as_of: dt.datetime
    calls: pd.DataFrame | None = None  # the linked calls with harm and weights (for explain)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready dict: parameters, summary, notes and the table (first ``top`` rows)."""
        t = self.table if top is None else self.table.head(top)
        cols = [c for c in t.columns if c != "geometry"]
        return {
            "as_of": self.as_of.isoformat(),
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self.params).items()},
            "harm_source": HARM_SOURCES[self.params.scheme],
            "summary": self.summary,
            "notes": list(self.notes),
            "premises": t[cols].to_dict(orient="records"),
        }


# --- time ---------------------------------------------------------------------------------


def _days(ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Datetimes -> float days since 1970-01-01 (NaN for NaT)."""
    v = pd.to_datetime(ts, errors="coerce")
    ns = np.asarray(v.astype("datetime64[ns]").astype("int64"), dtype=np.float64)
    ns[np.asarray(pd.isna(v))] = np.nan
    return ns / 86_400e9


def default_as_of(calls: pd.DataFrame) -> dt.datetime:
    """The day after the last call (the first of the next month for month-only data)."""
    occ = (
        pd.to_datetime(calls["occurred_at"], errors="coerce")
        if len(calls)
        else pd.Series(dtype="datetime64[ns]")
    )
    if occ.notna().sum() == 0:
        return dt.datetime.combine(dt.date.today(), dt.time())
    last = occ.max()
    tk = calls["time_known"].fillna(True).astype(bool) if "time_known" in calls.columns else None
    if tk is not None and not bool(tk[occ == last].any()):
        return (last + pd.offsets.MonthBegin(1)).normalize().to_pydatetime()
    return (last.normalize() + pd.Timedelta(days=1)).to_pydatetime()


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


# --- the score ------------------------------------------------------------------------------


def _call_days(calls: pd.DataFrame, time_known: np.ndarray) -> np.ndarray:
    """Each call's date in days since 1970 (NaN if missing); month-only records dated mid-month."""
    ns, valid = datetime_ns(calls["occurred_at"])
    day = np.where(valid, ns / 86_400e9, np.nan)
    return np.where(time_known, day, day + 14.5)


def _link_frame(calls: pd.DataFrame, links: Links, params: RiskParams) -> pd.DataFrame:
    """Per (call, premises) link: premises_idx, weight, harm, day, NTE flags."""
    t = links.table
    c = t["call"].to_numpy()
    harm = call_harm(calls, params.scheme, params.harm_config)
    tk, weekday, minute = _call_clock(calls)
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
            "cat": pd.factorize(calls["category"])[0][c]
            if "category" in calls.columns
            else np.zeros(len(c), int),
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


def _exposure_factor(premises: pd.DataFrame, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relative exposure (capacity x weekly licensed hours / type median) and a known flag."""
    n = len(premises)
    cap = (
        pd.to_numeric(premises["capacity"], errors="coerce").to_numpy(float)
        if "capacity" in premises.columns
        else np.full(n, np.nan)
    )
    start, end, known = hours_arrays(premises)
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
    for c in np.unique(cat):
        s1 = np.bincount(p, weights=w * (cat == c), minlength=n)  # indicator: s2 == s1
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
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Compute per-premises features and components (unsorted, premises order)."""
    n = len(premises)
    sel = (lf["day"].to_numpy() < as_of_day) & (lf["day"].to_numpy() >= start_day) & (lf["w"].to_numpy() > 0)
    lf = lf[sel]
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

    weeks = _exposure_weeks(as_of_day - start_day, params.half_life_days)
    groups = (
        premises[params.group_by].astype("string").fillna("other").to_numpy(dtype=object)
        if params.group_by in premises.columns
        else np.full(n, "all", dtype=object)
    )
    if params.use_exposure:
        xf, xknown = _exposure_factor(premises, groups)
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
    c_incidents = rate * hpc
    reference = float(c_incidents.mean()) if n else 0.0

    # static licence risk ------------------------------------------------------------------
    from licvisit.domain import parse_hhmm

    start, end, hknown = hours_arrays(premises)
    late_min = parse_hhmm(params.late_after) + 1440
    late = (
        hknown & (np.nanmax(np.where(np.isfinite(end), end, -1), axis=1) > late_min)
        if n
        else np.zeros(0, bool)
    )
    cap = (
        pd.to_numeric(premises["capacity"], errors="coerce").to_numpy(float)
        if "capacity" in premises.columns
        else np.full(n, np.nan)
    )
    cap_units = np.clip(np.nan_to_num(cap, nan=0.0) / params.capacity_unit, 0, params.capacity_cap)
    door = (
        premises["door_supervision"].astype("boolean").fillna(False).to_numpy(bool)
        if "door_supervision" in premises.columns
        else np.zeros(n, bool)
    )
    flags = (
        premises["intel_flags"]
        .astype("string")
        .fillna("")
        .str.split(";")
        .map(lambda xs: sum(1 for x in xs if x.strip()))
        .to_numpy(dtype=float)
        if "intel_flags" in premises.columns and n
        else np.zeros(n)
    )
    c_licence = reference * (params.w_late * late + params.w_capacity * cap_units + params.w_door * door)
    c_intel = reference * params.w_intel * np.minimum(flags, params.intel_cap)

    breaches = np.zeros(n)
    compliant = np.zeros(n)
    last_visit = np.full(n, np.nan)
    if visits is not None and len(visits):
        vid = pd.Index(premises["premises_id"].astype(str)).get_indexer(visits["premises_id"].astype(str))
        vday = _days(visits["visited_at"])
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
    c_breach = reference * params.w_breach * breaches
    positive = c_incidents + c_licence + c_breach + c_intel
    reduction = np.minimum(params.w_compliant * compliant, params.compliant_cap)
    c_compliant = -reduction * positive
    score = positive + c_compliant

    table = pd.DataFrame(
        {
            "premises_idx": np.arange(n),
            "score": score,
            "expected_harm_week": c_incidents,
            "n_calls": n_calls,
            "harm": harm_total,
            "nte_weekday_harm": nte_wkday,
            "nte_weekend_harm": nte_wkend,
            "calls_per_week": rate,
            "harm_per_call": hpc,
            "prior_calls_per_week": prior_rate,
            "shrinkage_weight": shrink_w,
            "exposure_known": xknown,
            "exposure_factor": xf,
            "late_hours": late,
            "recent_breaches": breaches,
            "recent_compliant": compliant,
            "intel_flag_count": flags,
            "c_incidents": c_incidents,
            "c_licence": c_licence,
            "c_breach": c_breach,
            "c_intel": c_intel,
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
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score from a prepared link frame (used by ``rank_premises`` and the backtest)."""
    as_of_day = float(_days(pd.Series([pd.Timestamp(as_of)]))[0])
    if start is None:
        start_day = float(np.nanmin(lf["day"].to_numpy())) if len(lf) else as_of_day - 365
        start_day = min(start_day, as_of_day - 1)
    else:
        start_day = float(_days(pd.Series([pd.Timestamp(start)]))[0])
    if params.history_days > 0:
        start_day = max(start_day, as_of_day - params.history_days)
    return _score_table(lf, premises, visits, params, as_of_day, start_day)


def _month_only(calls: pd.DataFrame) -> bool:
    """True when most calls have month-only dates (police.uk)."""
    if not len(calls) or "time_known" not in calls.columns:
        return False
    return float((~calls["time_known"].fillna(False).to_numpy(bool)).mean()) > 0.5


def resolve_as_of(
    calls: pd.DataFrame, as_of: dt.datetime | dt.date | str | None = None
) -> tuple[dt.datetime, list[str]]:
    """The moment to score as at, and notes about it.

    Default: the day after the last call (the first of the next month for
    month-only data).  With month-only data a date inside a month is moved back
    to the first of that month: which records of that month came before it
    cannot be known.
    """
    notes: list[str] = []
    if as_of is None:
        return default_as_of(calls), notes
    when = pd.Timestamp(as_of)
    if _month_only(calls) and (when != when.normalize() or when.day != 1):
        start = when.normalize().replace(day=1)
        notes.append(
            f"police.uk dates are months only: scored as at {start:%Y-%m-%d}, the start of the month of "
            f"{when:%Y-%m-%d}."
        )
        when = start
    stale = staleness_note(calls, when)
    if stale:
        notes.append(stale)
    return when.to_pydatetime(), notes


# A ranking or a planned week more than this many days after the last call gets a warning.
STALE_AFTER_DAYS = 90


def staleness_note(
    calls: pd.DataFrame, when: dt.datetime | dt.date | pd.Timestamp, what: str = "Scored as at"
) -> str | None:
    """A warning when ``when`` is more than ``STALE_AFTER_DAYS`` after the last call, else None.

    ``what`` starts the sentence: "Scored as at" for a ranking, "The week of" for a plan.
    """
    occ = pd.to_datetime(calls["occurred_at"], errors="coerce") if len(calls) else pd.Series(dtype=object)
    if not occ.notna().any():
        return None
    last = occ.max()
    gap = (pd.Timestamp(when) - last).days
    if gap <= STALE_AFTER_DAYS:
        return None
    return (
        f"{what} {pd.Timestamp(when):%Y-%m-%d}, {gap:,} days after the last call ({last:%Y-%m-%d}): "
        "the calls may be out of date and older harm counts for less (recency decay), so the order "
        "may differ from a ranking made when the data were current. Fix: load calls up to the last "
        "few weeks."
    )


def calls_for_as_of(
    calls: pd.DataFrame,
    as_of: dt.datetime | dt.date | None,
    params: RiskParams,
    option: str = "--as-of",
) -> tuple[dt.datetime, np.ndarray]:
    """The moment to score as at and the mask of the calls a ranking then uses.

    The one check shared by ``rank`` and ``plan``: raises ``ConfigError`` naming
    ``option`` when no call falls before ``as_of`` (within ``history_days``).
    """
    from licvisit.errors import ConfigError

    as_of_dt, _ = resolve_as_of(calls, as_of)
    if as_of is None and params.history_days == 0:
        return as_of_dt, np.ones(len(calls), dtype=bool)  # the default as-of follows the last call
    used = calls_in_window(calls, as_of_dt, params)
    if not len(calls) or used.any():
        return as_of_dt, used
    occ = pd.to_datetime(calls["occurred_at"], errors="coerce")
    moved = (
        f" ({option} {pd.Timestamp(as_of):%Y-%m-%d} taken as the start of its month: the dates are months only)"
        if as_of is not None and pd.Timestamp(as_of).normalize() != pd.Timestamp(as_of_dt).normalize()
        else ""
    )
    first = occ.min()
    if params.history_days > 0 and calls_in_window(calls, as_of_dt, replace(params, history_days=0)).any():
        raise ConfigError(
            f"No calls in the {params.history_days:g} days before {as_of_dt:%Y-%m-%d}{moved} to rank on; "
            f"the last is dated {occ.max():%Y-%m-%d}. Fix: give an earlier {option}, or raise history_days "
            "in [risk] of the config (0 = all history)."
        )
    earliest = default_as_of(calls[(occ == first).to_numpy()])  # the first date that includes a call
    raise ConfigError(
        f"No calls before {as_of_dt:%Y-%m-%d}{moved} to rank on; the first is dated {first:%Y-%m-%d}. "
        f"Fix: give {option} {earliest:%Y-%m-%d} or later."
    )


def calls_in_window(calls: pd.DataFrame, as_of: dt.datetime, params: RiskParams) -> np.ndarray:
    """Boolean mask of the calls a ranking as at ``as_of`` uses (before it, within ``history_days``).

    Month-only records are dated mid-month, as in scoring.
    """
    day = _call_days(calls, _call_clock(calls)[0])
    as_of_day = float(_days(pd.Series([pd.Timestamp(as_of)]))[0])
    with np.errstate(invalid="ignore"):
        keep = day < as_of_day
        if params.history_days > 0:
            keep &= day >= as_of_day - params.history_days
    return keep


def _history_start(calls: pd.DataFrame) -> dt.datetime | None:
    occ = pd.to_datetime(calls["occurred_at"], errors="coerce")
    if occ.notna().sum() == 0:
        return None
    return occ.min().normalize().to_pydatetime()


def rank_premises(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    visits: pd.DataFrame | None = None,
    params: RiskParams | None = None,
    as_of: dt.datetime | dt.date | str | None = None,
    links: Links | None = None,
) -> Ranking:
    """Rank premises by expected harm per week plus static licence risk.

    Parameters
    ----------
    calls : DataFrame
        ``licvisit.domain.CALL_COLUMNS``.
    premises : DataFrame or GeoDataFrame
        ``licvisit.domain.PREMISES_COLUMNS``.
    visits : DataFrame, optional
        ``licvisit.domain.VISIT_COLUMNS`` (compliance history).
    params : RiskParams, optional
    as_of : datetime or date or str, optional
        Score as at this moment; calls on or after it are ignored. Default: the
        day after the last call (first of the next month for month-only data).
    links : Links, optional
        Reuse an attribution already made with the same calls, premises and params.

    Returns
    -------
    Ranking
    """
    params = params or RiskParams()
    as_of_dt, as_of_notes = resolve_as_of(calls, as_of)
    if links is None:
        links = link_calls_to_premises(calls, premises, params)
    lf = _link_frame(calls, links, params)
    table, info = score_premises(
        lf, premises, visits, params, as_of_dt, _history_start(calls) if len(calls) else None
    )

    # premises that are not licensed premises (a school, a shop) keep the calls nearest to them
    # but are neither ranked nor planned
    ranked = (
        premises["left_out"].astype(str).to_numpy() == ""
        if "left_out" in premises.columns
        else np.ones(len(premises), dtype=bool)
    )
    n_all, n = len(premises), int(ranked.sum())
    # rank: score desc, then harm, then premises_id for determinism (left-out premises last)
    pid = premises["premises_id"].astype(str).to_numpy()
    order = np.lexsort((pid, -table["harm"].to_numpy(), -table["score"].to_numpy(), ~ranked))
    pos = np.empty(n_all, dtype=np.int64)
    pos[order] = np.arange(n_all)
    band = _bands(pos, n_all, params, table["score"].to_numpy())
    band[ranked] = _bands(pos[ranked], n, params, table["score"].to_numpy()[ranked])
    bi = np.searchsorted(np.array(BANDS), band) if n else np.zeros(0, int)
    table.insert(0, "premises_id", pid)
    table.insert(1, "name", premises["name"].astype(str).to_numpy() if "name" in premises.columns else "")
    table.insert(
        2,
        "premises_type",
        premises["premises_type"].astype(str).to_numpy() if "premises_type" in premises else "",
    )
    table.insert(3, "rank", pos + 1)
    table["band"] = band
    table["visit_frequency"] = np.array(params.band_frequencies, dtype=object)[bi] if n else []
    table["visits_per_week"] = np.array(params.band_visits_per_week)[bi] if n else []
    table["x"] = pd.to_numeric(premises["x"], errors="coerce").to_numpy(float)
    table["y"] = pd.to_numeric(premises["y"], errors="coerce").to_numpy(float)
    for extra in ("address", "postcode", "lpa"):
        if extra in premises.columns:
            table[extra] = premises[extra].astype("string").fillna("").to_numpy(dtype=object)
    table = table.iloc[order[:n]].reset_index(drop=True)
    table = table.drop(columns=["premises_idx"])

    month_only = _month_only(calls)
    notes = [n for n in links.notes if not (month_only and n.startswith("Most calls have month-only"))]
    if month_only:
        notes.insert(
            0,
            "police.uk data are month-only: no time-of-night or closed-hours filter was applied and NTE "
            "weekday/weekend harm is not available; locations are anonymised snap points, often near "
            "several premises: each record goes to the nearest (see the radius sensitivity).",
        )
    notes += as_of_notes
    if n < n_all:
        left = premises.loc[~ranked, "left_out"].astype(str).value_counts()
        notes.append(
            f"{n_all - n:,} premises left out of the ranking as not licensed premises ("
            + ", ".join(f"{k} {v:,}" for k, v in left.head(5).items())
            + (", ..." if len(left) > 5 else "")
            + "); the calls nearest to them stay with them (attribution.csv, column premises_left_out)."
        )
    if n and not table["exposure_known"].any():
        notes.append(
            "No premises has both capacity and licensed hours: exposure was taken as equal within each "
            "premises type (unknown is neither small nor large)."
        )
    if params.shrinkage:
        notes.append(
            f"Scores are shrunk towards the mean of premises of the same {params.group_by} (empirical Bayes)."
        )
        if info.get("harm_prior_calls", 0) >= 1e5 and params.scheme != "count":
            notes.append(
                f"The data show no reliable difference in harm mix between premises of the same "
                f"{params.group_by}, so each premises' harm per call is its {params.group_by}'s mean "
                "(harm mix fully pooled); the call rate is still each premises' own."
            )
    summary = {
        "counts": dict(links.counts),
        "sensitivity": links.sensitivity.to_dict(orient="records"),
        "month_only": month_only,
        "scheme": params.scheme,
        "harm_source": HARM_SOURCES[params.scheme],
        "premises": int(n),
        "premises_with_calls": int((table["n_calls"] > 0).sum()) if n else 0,
        "bands": {b: int((table["band"] == b).sum()) for b in BANDS} if n else {},
        **info,
    }
    cols = ["call", "premises_id", "w", "harm"]
    linked = lf[lf["day"] < float(_days(pd.Series([pd.Timestamp(as_of_dt)]))[0])][
        ["call", "premises_idx", "w", "harm"]
    ]
    return Ranking(
        table=table,
        links=links,
        summary=summary,
        notes=notes,
        params=params,
        as_of=as_of_dt,
        calls=linked.assign(
            premises_id=pd.Categorical.from_codes(linked["premises_idx"].to_numpy(), categories=pid)
            if pd.Index(pid).is_unique
            else pid[linked["premises_idx"].to_numpy()]
        )[cols]
        if n
        else None,
    )


def explain(
    ranking: Ranking, premises_id: str, calls: pd.DataFrame | None = None, max_calls: int = 50
) -> dict[str, Any]:
    """Return the breakdown of one premises' score and the calls behind it.

    ``calls`` (the same frame given to ``rank_premises``) adds the call details
    (date, category, location, source file and row) to each linked call.

    Raises
    ------
    KeyError
        If ``premises_id`` is not in the ranking.
    """
    t = ranking.table
    hit = t.index[t["premises_id"].astype(str) == str(premises_id)]
    if len(hit) == 0:
        raise KeyError(premises_id)
    row = t.loc[hit[0]]
    p = ranking.params
    comp = {c: float(row[c]) for c in COMPONENTS}
    words = {
        "c_incidents": (
            f"expected harm per week from linked calls: {row['calls_per_week']:.3f} calls/week "
            f"x {row['harm_per_call']:.1f} harm per call ({p.scheme}); shrinkage weight on own history "
            f"{row['shrinkage_weight']:.2f}"
        ),
        "c_licence": "static licence risk: late hours, capacity, door supervision",
        "c_breach": f"recent breaches ({row['recent_breaches']:.2f}, decayed) in the last {p.visit_window_days:g} days",
        "c_intel": f"{int(row['intel_flag_count'])} intelligence flag(s)",
        "c_compliant": f"{int(row['recent_compliant'])} recent compliant visit(s) reduce the score",
    }
    out: dict[str, Any] = {
        "premises_id": str(row["premises_id"]),
        "name": str(row["name"]),
        "rank": int(row["rank"]),
        "band": str(row["band"]),
        "visit_frequency": str(row["visit_frequency"]),
        "score": float(row["score"]),
        "components": comp,
        "component_reasons": words,
        "n_calls": float(row["n_calls"]),
        "harm": float(row["harm"]),
        "reference_harm_week": ranking.summary.get("reference_harm_week"),
        "as_of": ranking.as_of.isoformat(),
        "scheme": p.scheme,
        "harm_source": HARM_SOURCES[p.scheme],
        "calls": [],
    }
    if ranking.calls is not None:
        mine = ranking.calls[ranking.calls["premises_id"] == str(premises_id)]
        out["calls_total"] = len(mine)
        mine = mine.sort_values("harm", ascending=False).head(max_calls)
        lt = ranking.links.table
        rules = (
            lt[(lt["premises_id"] == str(premises_id)).to_numpy()].drop_duplicates("call").set_index("call")
        )
        for _, r in mine.iterrows():
            rec: dict[str, Any] = {"call": int(r["call"]), "weight": float(r["w"]), "harm": float(r["harm"])}
            key = int(r["call"])
            if key in rules.index:
                lr = rules.loc[key]
                rec["rule"] = str(lr["rule"])
                rec["distance_m"] = None if pd.isna(lr["distance_m"]) else round(float(lr["distance_m"]), 1)
                rec["open"] = None if pd.isna(lr["open"]) else bool(lr["open"])
            if calls is not None:
                src = calls.iloc[int(r["call"])]
                for col in (
                    "call_id",
                    "occurred_at",
                    "time_known",
                    "category",
                    "thrive",
                    "location_text",
                    "source_file",
                    "source_row",
                ):
                    if col in calls.columns:
                        v = src[col]
                        if pd.isna(v):
                            rec[col] = None
                        elif hasattr(v, "isoformat"):
                            rec[col] = v.isoformat()
                        else:
                            rec[col] = v.item() if isinstance(v, np.generic) else v
            out["calls"].append(rec)
    return out
