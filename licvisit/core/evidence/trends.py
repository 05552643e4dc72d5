"""Count calls over time and test changes the way counts should be tested (Poisson).

Everything here works on counts, never on percentage changes: a rise from 4
to 6 is "+50 %" but well within chance.  Tests are Poisson regressions
(log-linear models, fitted by iteratively reweighted least squares) with
days as exposure; when monthly counts vary more than a Poisson count would
(over-dispersion, usual for crime), standard errors are widened by the
Pearson dispersion (quasi-Poisson, McCullagh & Nelder 1989, *Generalized
Linear Models*, 2nd ed., section 6.2) and p-values come from Student's t.
When a side has no counts at all, the exact conditional test for two
Poisson rates is used instead (binomial test on the split of the total;
Przyborowski & Wilenski 1940, *Biometrika* 31:313-323).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from licvisit.domain import CATEGORIES

# Category groups for publication: few enough that counts stay publishable.
CATEGORY_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "violence": (
        "Violence and sexual offences",
        ("violence_and_sexual_offences", "violence_with_injury", "violence_without_injury", "sexual_offence"),
    ),
    "robbery_weapons": ("Robbery and weapons", ("robbery", "possession_of_weapons", "weapons")),
    "public_order": ("Public order and drunkenness", ("public_order", "drunk_and_disorderly")),
    "asb": ("Anti-social behaviour", ("anti_social_behaviour",)),
    "drugs": ("Drugs", ("drugs",)),
    "theft": (
        "Theft and burglary",
        (
            "theft_from_the_person",
            "other_theft",
            "bicycle_theft",
            "shoplifting",
            "vehicle_crime",
            "theft",
            "burglary",
        ),
    ),
    "damage": ("Criminal damage and arson", ("criminal_damage_arson", "criminal_damage")),
    "welfare": ("Welfare and licensing concerns", ("concern_for_welfare", "licensing_concern")),
    "preventive": ("Premises asking for help", ("door_staff_request", "refusal_report")),
    "other": ("Other", ("other_crime", "other")),
}
_GROUP_OF = {c: label for _k, (label, cats) in CATEGORY_GROUPS.items() for c in cats}
GROUP_LABELS = tuple(label for label, _c in CATEGORY_GROUPS.values())
assert set(_GROUP_OF) == set(CATEGORIES), "every category needs a publication group"

WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def category_group(categories: pd.Series) -> pd.Series:
    """Return the publication group label of each category (unknown -> 'Other')."""
    return categories.astype("string").map(_GROUP_OF).fillna("Other").astype(str)


def months(start: pd.Period, end: pd.Period) -> pd.PeriodIndex:
    """Every month from ``start`` to ``end`` inclusive."""
    return pd.period_range(start, end, freq="M")


def month_days(index: pd.PeriodIndex) -> np.ndarray:
    """Days in each month of ``index``."""
    return np.asarray(index.days_in_month, dtype=float)


def data_coverage(calls: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day the calls cover: a month-only record covers its whole month."""
    if not len(calls):
        return None
    ts = pd.to_datetime(calls["occurred_at"])
    known = (
        calls["time_known"].fillna(False).astype(bool)
        if "time_known" in calls
        else pd.Series(True, index=calls.index)
    )
    month_end = ts.dt.to_period("M").dt.end_time.dt.normalize()
    last = month_end.where(~known, ts.dt.normalize())
    return ts.dt.normalize().min(), last.max()


def month_exposure(index: pd.PeriodIndex, coverage: tuple[pd.Timestamp, pd.Timestamp] | None) -> np.ndarray:
    """Days of each month of ``index`` that the data cover (0 for months with no data loaded)."""
    if coverage is None:
        return np.zeros(len(index))
    first, last = coverage
    out = []
    for p in index:
        a = max(p.start_time.normalize(), first)
        b = min(p.end_time.normalize(), last)
        out.append(max(0, (b - a).days + 1))
    return np.asarray(out, dtype=float)


def monthly_counts(
    calls: pd.DataFrame, start: pd.Period, end: pd.Period, by: str | None = "group"
) -> pd.DataFrame:
    """Count calls per month (rows 'YYYY-MM') and per category group (columns).

    ``by=None`` gives one column ``calls``.  Every month of the period is a row
    (zero if none); only groups present are columns, in ``GROUP_LABELS`` order.
    """
    idx = months(start, end)
    m = pd.to_datetime(calls["occurred_at"]).dt.to_period("M")
    if by is None:
        counts = m.value_counts().reindex(idx, fill_value=0).to_frame("calls")
    else:
        g = category_group(calls["category"])
        counts = pd.crosstab(m, g).reindex(idx, fill_value=0)
        cols = [c for c in GROUP_LABELS if c in counts.columns]
        counts = counts[cols]
    counts.index = [str(p) for p in idx]
    counts.index.name = "month"
    counts.columns.name = None
    return counts.astype("int64")


# --- Poisson regression ------------------------------------------------------------------


@dataclass(frozen=True)
class GLMFit:
    """A fitted Poisson log-linear model."""

    coef: np.ndarray
    se: np.ndarray  # quasi-Poisson standard errors (dispersion applied)
    dispersion: float  # max(1, Pearson chi-squared / residual df); 1 when df = 0
    df_resid: int
    converged: bool


def poisson_glm(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray | None = None, max_iter: int = 100
) -> GLMFit:
    """Fit log E[y] = x @ beta + offset by iteratively reweighted least squares.

    Raises ValueError when the model cannot be fitted (a level with no counts,
    which sends its coefficient to minus infinity).
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    off = np.zeros(len(y)) if offset is None else np.asarray(offset, dtype=float)
    n, p = x.shape
    if y.sum() <= 0:
        raise ValueError("Expected some counts above zero.")
    mu = y + 0.5
    eta = np.log(mu)
    beta = np.zeros(p)
    dev_old = np.inf
    converged = False
    for _ in range(max_iter):
        z = eta - off + (y - mu) / mu
        wx = x * mu[:, None]
        beta = np.linalg.solve(x.T @ wx, wx.T @ z)
        eta = x @ beta + off
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        if abs(dev - dev_old) <= 1e-10 * (abs(dev) + 1e-3):
            converged = True
            break
        dev_old = dev
    cov = np.linalg.inv(x.T @ (x * mu[:, None]))
    df = n - p
    pearson = float(np.sum((y - mu) ** 2 / mu))
    disp = max(1.0, pearson / df) if df > 0 else 1.0
    se = np.sqrt(np.diag(cov) * disp)
    if not np.all(np.isfinite(beta)) or np.any(np.abs(beta) > 30):
        raise ValueError("Poisson model did not converge (a level with no counts?).")
    return GLMFit(beta, se, disp, df, converged)


def _p_value(z: float, df: int, dispersion: float) -> float:
    from scipy import stats

    if dispersion > 1.0 and df > 0:
        return float(2 * stats.t.sf(abs(z), df))
    return float(2 * stats.norm.sf(abs(z)))


def _ci(est: float, se: float, df: int, dispersion: float, level: float = 0.95) -> tuple[float, float]:
    from scipy import stats

    q = stats.t.ppf(0.5 + level / 2, df) if dispersion > 1.0 and df > 0 else stats.norm.ppf(0.5 + level / 2)
    return float(math.exp(est - q * se)), float(math.exp(est + q * se))


@dataclass(frozen=True)
class ChangeTest:
    """A test of change in a rate of counts.

    ``ratio`` is the rate ratio (after / before, or per month for a trend);
    ``ci_low`` / ``ci_high`` its 95 % interval; ``p_value`` two-sided;
    ``method`` says which test was used; ``dispersion`` the quasi-Poisson
    scale (1 = Poisson).
    """

    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    dispersion: float = 1.0
    n: int = 0

    @property
    def significant(self) -> bool:
        return bool(self.p_value < 0.05)

    def describe(self, what: str = "rate", alpha: float = 0.05) -> str:
        """Plain words that claim only what the test shows at level ``alpha``.

        'rose by 23 % (95 % interval +5 % to +44 %; p = 0.012, quasi-Poisson)' when
        p < ``alpha``; otherwise 'showed no significant change at the 5 % level
        (+4 %, 95 % interval -3 % to +12 %; p = 0.31, Poisson)': a change the test
        cannot tell from chance is never called a rise or a fall.
        """
        if not np.isfinite(self.ratio):
            return f"no {what} before: change cannot be expressed as a ratio ({p_text(self.p_value)}, {self.method})"
        pct = 100 * (self.ratio - 1)
        lo, hi = 100 * (self.ci_low - 1), 100 * (self.ci_high - 1)
        interval = f"95 % interval {lo:+.0f} % to {hi:+.0f} %; {p_text(self.p_value)}, {self.method}"
        if not self.p_value < alpha:
            shown = "0" if round(pct) == 0 else f"{pct:+.0f}"  # never "-0 %"
            return f"showed no significant change at the {100 * alpha:g} % level ({shown} %, {interval})"
        if round(abs(pct)) == 0:
            return f"changed by less than 1 % ({interval})"
        return f"{'rose' if pct > 0 else 'fell'} by {abs(pct):.0f} % ({interval})"


def round_p(p: float) -> float:
    """A p-value to two significant figures (never rounded to 0)."""
    if not np.isfinite(p) or p <= 0:
        return float(p)
    return float(f"{p:.2g}")


def monthly_change_fields(t: ChangeTest) -> dict[str, float]:
    """A trend test's monthly change and interval [%] and its p-value, as the evidence tables show them."""
    return {
        "change_per_month_percent": round(100 * (t.ratio - 1), 1),
        "ci_low_percent": round(100 * (t.ci_low - 1), 1),
        "ci_high_percent": round(100 * (t.ci_high - 1), 1),
        "p_value": round_p(t.p_value),
    }


def p_text(p: float) -> str:
    """'p < 0.001' or 'p = 0.012'."""
    if not np.isfinite(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def trend_test(counts: np.ndarray, exposure: np.ndarray | None = None) -> ChangeTest:
    """Test for a steady rise or fall over equally spaced periods (months).

    Quasi-Poisson regression of the counts on the period number, with log
    exposure (days) as offset.  ``ratio`` is the rate ratio per period
    (1.05 = +5 % a month).
    """
    y = np.asarray(counts, dtype=float)
    n = len(y)
    if n < 3:
        raise ValueError("Expected at least 3 periods for a trend test.")
    t = np.arange(n, dtype=float) - (n - 1) / 2
    off = np.log(np.asarray(exposure, dtype=float)) if exposure is not None else None
    fit = poisson_glm(y, np.column_stack([np.ones(n), t]), off)
    b, se = float(fit.coef[1]), float(fit.se[1])
    p = _p_value(b / se, fit.df_resid, fit.dispersion)
    lo, hi = _ci(b, se, fit.df_resid, fit.dispersion)
    method = "quasi-Poisson trend" if fit.dispersion > 1 else "Poisson trend"
    return ChangeTest(math.exp(b), lo, hi, p, method, fit.dispersion, int(y.sum()))


def exact_rate_test(before: int, after: int, before_exposure: float, after_exposure: float) -> ChangeTest:
    """Exact conditional test of two Poisson rates (binomial split of the total).

    Given n = before + after, ``after`` ~ Binomial(n, T_a / (T_a + T_b)) if the
    rate did not change.  Confidence limits for the ratio come from the
    Clopper-Pearson interval of the split.
    """
    from scipy import stats

    n = int(before + after)
    share = after_exposure / (after_exposure + before_exposure)
    if n == 0:
        return ChangeTest(float("nan"), float("nan"), float("nan"), 1.0, "exact Poisson", 1.0, 0)
    res = stats.binomtest(int(after), n, share)
    ci = res.proportion_ci(0.95, method="exact")
    scale = before_exposure / after_exposure

    def ratio(q: float) -> float:
        return float("inf") if q >= 1 else q / (1 - q) * scale

    est = ratio(after / n) if before > 0 else float("inf")
    return ChangeTest(est, ratio(ci.low), ratio(ci.high), float(res.pvalue), "exact Poisson", 1.0, n)


def before_after_test(
    before: np.ndarray, after: np.ndarray, before_exposure: np.ndarray, after_exposure: np.ndarray
) -> ChangeTest:
    """Test whether the rate after differs from the rate before.

    ``before`` / ``after`` are counts per period (months) with their exposures
    (days).  With two or more periods in all and counts on both sides this is a
    quasi-Poisson regression on a before/after indicator (so month-to-month
    variation widens the interval); otherwise the exact conditional test.
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    if b.sum() == 0 or a.sum() == 0 or len(a) + len(b) < 3:
        return exact_rate_test(
            int(b.sum()), int(a.sum()), float(np.sum(before_exposure)), float(np.sum(after_exposure))
        )
    y = np.concatenate([b, a])
    ind = np.concatenate([np.zeros(len(b)), np.ones(len(a))])
    off = np.log(np.concatenate([before_exposure, after_exposure]).astype(float))
    fit = poisson_glm(y, np.column_stack([np.ones(len(y)), ind]), off)
    est, se = float(fit.coef[1]), float(fit.se[1])
    p = _p_value(est / se, fit.df_resid, fit.dispersion)
    lo, hi = _ci(est, se, fit.df_resid, fit.dispersion)
    method = "quasi-Poisson regression" if fit.dispersion > 1 else "Poisson regression"
    return ChangeTest(math.exp(est), lo, hi, p, method, fit.dispersion, int(y.sum()))


def difference_in_change_test(
    zone_before: np.ndarray,
    zone_after: np.ndarray,
    rest_before: np.ndarray,
    rest_after: np.ndarray,
    before_exposure: np.ndarray,
    after_exposure: np.ndarray,
) -> ChangeTest:
    """Test whether the zone changed differently from the rest of the area.

    Quasi-Poisson regression with zone, period and zone x period terms;
    ``ratio`` is the ratio of the two rate ratios (zone / rest).  The rest of
    the area is a *comparison*, not a matched control.
    """
    parts = [zone_before, zone_after, rest_before, rest_after]
    if any(np.sum(p) == 0 for p in parts):
        raise ValueError("Expected counts in every cell of the zone/rest x before/after comparison.")
    y = np.concatenate(parts).astype(float)
    nb, na = len(zone_before), len(zone_after)
    after = np.concatenate([np.zeros(nb), np.ones(na), np.zeros(nb), np.ones(na)])
    zone = np.concatenate([np.ones(nb + na), np.zeros(nb + na)])
    exp_ = np.concatenate([before_exposure, after_exposure, before_exposure, after_exposure]).astype(float)
    x = np.column_stack([np.ones(len(y)), after, zone, after * zone])
    fit = poisson_glm(y, x, np.log(exp_))
    est, se = float(fit.coef[3]), float(fit.se[3])
    p = _p_value(est / se, fit.df_resid, fit.dispersion)
    lo, hi = _ci(est, se, fit.df_resid, fit.dispersion)
    method = "quasi-Poisson interaction" if fit.dispersion > 1 else "Poisson interaction"
    return ChangeTest(math.exp(est), lo, hi, p, method, fit.dispersion, int(y.sum()))


def trend_word(test: ChangeTest | None, alpha: float = 0.05) -> str:
    """One word for a premises' trend: rising, falling, steady (no clear change) or '' (not tested)."""
    if test is None:
        return ""
    if test.p_value < alpha:
        return "rising" if test.ratio > 1 else "falling"
    return "no clear change"


# --- time of day ----------------------------------------------------------------------------


def hour_of_week(calls: pd.DataFrame, band_h: int = 1) -> pd.DataFrame:
    """Count calls with a known time by weekday (rows Mon..Sun) and hour band (columns '00-01' ...).

    Calls with ``time_known`` False (month-only police.uk) are left out.
    """
    if 24 % band_h:
        raise ValueError("Expected hour_band_h to divide 24 (1, 2, 3, 4, 6, 8, 12 or 24).")
    known = calls[calls["time_known"].fillna(False).astype(bool)] if "time_known" in calls else calls
    ts = pd.to_datetime(known["occurred_at"])
    wd = ts.dt.day_of_week.to_numpy()
    band = (ts.dt.hour.to_numpy() // band_h).astype(int)
    nb = 24 // band_h
    table = np.zeros((7, nb), dtype=np.int64)
    np.add.at(table, (wd, band), 1)
    cols = [f"{b * band_h:02d}-{(b + 1) * band_h:02d}" for b in range(nb)]
    out = pd.DataFrame(table, index=list(WEEKDAY_LABELS), columns=cols)
    out.index.name = "day"
    return out


def night_of(ts: pd.Series, night_start_h: int = 18, night_end_h: int = 6) -> pd.Series:
    """Return the date each night began for times in the night window, else NaT.

    A call at 01:30 on Saturday belongs to Friday night.
    """
    t = pd.to_datetime(ts)
    h = t.dt.hour
    evening = h >= night_start_h
    morning = h < night_end_h
    night = t.dt.normalize().where(evening)
    night = night.fillna((t.dt.normalize() - pd.Timedelta(days=1)).where(morning))
    return night


def count_nights(start: pd.Timestamp, end: pd.Timestamp) -> tuple[int, int]:
    """Return (weekday nights, weekend nights) beginning from ``start`` to ``end`` inclusive.

    Weekend nights are Friday and Saturday nights.
    """
    days = pd.date_range(start, end, freq="D")
    weekend = days.day_of_week.isin([4, 5])
    return int((~weekend).sum()), int(weekend.sum())


def weekday_weekend_nights(
    calls: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, night_start_h: int = 18, night_end_h: int = 6
) -> tuple[pd.DataFrame, int, int]:
    """Count night-time calls per category group on weekday and weekend nights.

    Returns (counts with columns 'Weekday nights (Sun-Thu)', 'Weekend nights (Fri-Sat)',
    n weekday nights, n weekend nights).  Only calls with a known time count.
    """
    known = calls[calls["time_known"].fillna(False).astype(bool)] if "time_known" in calls else calls
    night = night_of(known["occurred_at"], night_start_h, night_end_h)
    ok = night.notna() & (night >= pd.Timestamp(start).normalize()) & (night <= pd.Timestamp(end).normalize())
    k = known[ok.to_numpy()]
    nd = night[ok]
    kind = np.where(nd.dt.day_of_week.isin([4, 5]), "Weekend nights (Fri-Sat)", "Weekday nights (Sun-Thu)")
    groups = category_group(k["category"])
    table = pd.crosstab(groups.to_numpy(), kind)
    for c in ("Weekday nights (Sun-Thu)", "Weekend nights (Fri-Sat)"):
        if c not in table.columns:
            table[c] = 0
    table = table[["Weekday nights (Sun-Thu)", "Weekend nights (Fri-Sat)"]]
    order = [g for g in GROUP_LABELS if g in table.index]
    table = table.loc[order].astype("int64")
    table.index.name = "group"
    table.columns.name = None
    nwd, nwe = count_nights(start, end)
    return table, nwd, nwe
