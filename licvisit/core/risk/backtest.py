"""Evaluate the risk ranking by rolling-origin backtest against simple baselines.

For each cut (the start of a period, after at least ``min_history`` periods of
data), every method ranks the premises using only calls before the cut; the
ranking is then scored on the harm linked to each premises in the ``horizon``
periods that follow (fewer at the end of the data).  Measures at each top
share *s* of premises (k = ceil(s x n)):

* **hit rate**: share of the next periods' harm at the top k premises;
* **PAI** (predictive accuracy index, Chainey, Tompson & Uhlig 2008): hit rate
  divided by the share of premises flagged, k/n;
* **PEI** (predictive efficiency index, Hunt 2016): harm captured by the top k
  divided by the most any k premises could have captured (the oracle).

Baselines: previous-12-months count and harm-weighted count, last-period count,
random (its expected value).  Confidence intervals: percentile bootstrap over
premises (resampled jointly across folds, so the mean's interval keeps the
fold-to-fold correlation); ``diff_vs_count`` is the paired difference.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.risk.attribution import Links, link_calls_to_premises
from licvisit.core.risk.clock import is_month_only, to_days
from licvisit.core.risk.params import RiskParams
from licvisit.core.risk.score import PremisesArrays, link_frame, premises_arrays, score_premises

METHODS = ("model", "model_nested", "count_12m", "harm_12m", "last_period", "random")
METHOD_LABELS = {
    "model": "licvisit model, parameters as given",
    "model_nested": "licvisit model, parameters chosen on earlier folds only (nested)",
    "count_12m": "count, previous 12 months",
    "harm_12m": "harm-weighted count, previous 12 months",
    "last_period": "count, last period",
    "random": "random (expected)",
}


@dataclass
class BacktestResult:
    """Per-fold and mean hit rate, PAI and PEI for the model and baselines, with bootstrap CIs."""

    folds: (
        pd.DataFrame
    )  # one row per fold x method x top: fold, cut, horizon_end, method, top, hit_rate, pai, pei
    summary: pd.DataFrame  # one row per method x top: mean and CI of each measure, worst fold PEI
    params: RiskParams
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "params": {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in dataclasses.asdict(self.params).items()
            },
            "methods": METHOD_LABELS,
            "summary": self.summary.to_dict(orient="records"),
            "folds": self.folds.assign(
                cut=self.folds["cut"].astype(str), horizon_end=self.folds["horizon_end"].astype(str)
            ).to_dict(orient="records"),
            "notes": list(self.notes),
        }


def premises_in_calls_extent(calls: pd.DataFrame, premises: pd.DataFrame) -> pd.DataFrame:
    """The premises inside the bounding box of the calls' ``x``/``y`` (renumbered from 0).

    For a crime extract that covers only part of the premises register (police.uk
    for a city centre): premises outside it would score 0 because no data was
    asked for, not because nothing happens there.
    """
    if len(calls) == 0:
        return premises.iloc[0:0].reset_index(drop=True)
    x, y = calls["x"], calls["y"]
    inside = premises["x"].between(x.min(), x.max()) & premises["y"].between(y.min(), y.max())
    return premises[inside.to_numpy()].reset_index(drop=True)


def _periods(days: np.ndarray, period: str) -> tuple[np.ndarray, list[pd.Timestamp]]:
    """Assign each day to a period; return period codes and the period starts."""
    ts = pd.to_datetime(pd.Series(days * 86_400e9), errors="coerce")
    freq = {"month": "M", "week": "W-SUN", "quarter": "Q"}[period]
    per = ts.dt.to_period(freq)
    uniq = sorted(per.dropna().unique())
    if not uniq:
        return np.full(len(days), -1), []
    full = pd.period_range(uniq[0], uniq[-1] + 1, freq=freq)  # one extra: the end of the last period
    codes = pd.Index(full[:-1]).get_indexer(per)
    return codes, [p.start_time for p in full]


_Measures = tuple[float, float, float]  # hit rate, PAI, PEI (NaN where undefined)


def _top_metrics(
    pred: np.ndarray, target: np.ndarray, tie: np.ndarray, shares: tuple[float, ...]
) -> dict[float, _Measures]:
    n = len(pred)
    order = np.lexsort((tie, -pred))
    tsorted = np.sort(target)[::-1]
    total = target.sum()
    out = {}
    for s in shares:
        k = max(1, int(np.ceil(s * n)))
        cap = target[order[:k]].sum()
        best = tsorted[:k].sum()
        hr = cap / total if total > 0 else np.nan
        out[s] = (hr, hr / (k / n) if total > 0 else np.nan, cap / best if best > 0 else np.nan)
    return out


def _random_metrics(target: np.ndarray, shares: tuple[float, ...]) -> dict[float, _Measures]:
    n = len(target)
    tsorted = np.sort(target)[::-1]
    total = target.sum()
    out = {}
    for s in shares:
        k = max(1, int(np.ceil(s * n)))
        best = tsorted[:k].sum()
        hr = k / n if total > 0 else np.nan
        out[s] = (hr, 1.0 if total > 0 else np.nan, (k / n * total) / best if best > 0 else np.nan)
    return out


# Candidate values for the nested choice; the first of each is the a-priori default.
NESTED_GRID: dict[str, list[Any]] = {
    "harm_prior_calls": ["auto", 5.0, 30.0],
    "half_life_days": [180.0, 0.0, 90.0],
}


def _grid(params: RiskParams, select: dict[str, list[Any]]) -> list[RiskParams]:
    keys = list(select)
    out = []
    for combo in itertools.product(*(select[k] for k in keys)):
        out.append(dataclasses.replace(params, **dict(zip(keys, combo, strict=True))))
    return out or [params]


def backtest(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    params: RiskParams | None = None,
    *,
    visits: pd.DataFrame | None = None,
    period: str = "month",
    horizon: int = 3,
    min_history: int = 3,
    top: tuple[float, ...] = (0.05, 0.10),
    n_boot: int = 500,
    seed: int = 0,
    links: Links | None = None,
    select: dict[str, list[Any]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of ``rank_premises`` against baselines.

    Parameters
    ----------
    calls, premises, visits
        As for ``rank_premises``.
    params : RiskParams, optional
        Fixed in advance: the backtest never tunes them on the periods it scores.
    period : {"month", "week", "quarter"}
        Length of a period; cuts fall on period starts.
    horizon : int
        Periods scored after each cut (fewer at the end of the data).
    min_history : int
        Periods of history needed before the first cut.
    top : tuple of float
        Shares of premises flagged.
    n_boot : int
        Bootstrap resamples of premises for the confidence intervals.
    seed : int
    select : dict of parameter name -> candidate values, optional
        Grid for the ``model_nested`` method: at each cut the candidate with the
        best mean PEI at the largest ``top`` share over *earlier* cuts (scored
        only on periods before this cut) is used; the first candidate of each
        list is used when there is no earlier cut.  Default
        ``NESTED_GRID``.

    progress : callable, optional
        Called with a short message after each fold and before the bootstrap.

    Returns
    -------
    BacktestResult

    Raises
    ------
    ValueError
        If there are not enough periods for one fold.
    """
    params = params or RiskParams()
    _check_settings(calls, period, horizon, min_history)
    if links is None:
        links = link_calls_to_premises(calls, premises, params)
    data = _periodised(calls, links, params, period, min_history, len(premises))
    select = NESTED_GRID if select is None else select
    # the premises' arrays once (the hours as linking read them), scored at every cut by every method
    arrays = premises_arrays(premises, hours=links.hours)
    folds_run = _run_folds(
        data, premises, arrays, visits, params, select, horizon, min_history, top, progress
    )
    folds = _fold_rows(folds_run, top, data.tie)
    boot, diff, fold_pei = _bootstrap(folds_run, data, top, n_boot, seed, progress)
    _add_fold_intervals(folds, fold_pei)
    summary = _summary(folds, boot, diff, top)
    settings = _settings(
        calls, links, params, period, horizon, min_history, top, n_boot, seed, len(folds_run), data.n
    )
    return BacktestResult(
        folds=folds, summary=summary, params=params, settings=settings, notes=_notes(calls, links)
    )


def _check_settings(calls: pd.DataFrame, period: str, horizon: int, min_history: int) -> None:
    """Refuse a period, horizon or history the backtest cannot score."""
    if period not in ("month", "week", "quarter"):
        raise ValueError("Expected period 'month', 'week' or 'quarter'.")
    if horizon < 1 or min_history < 1:
        raise ValueError("Expected horizon >= 1 and min_history >= 1.")
    if period == "week" and is_month_only(calls):
        raise ValueError(
            "The calls have month-only dates (police.uk), so weekly periods cannot be scored. "
            "Fix: use `period` month or `period` quarter."
        )


@dataclass
class _Periodised:
    """The linked calls with weight, harm, day and period of each link, and the period starts."""

    lf: pd.DataFrame
    codes: np.ndarray
    starts: list[pd.Timestamp]
    n_per: int
    n: int
    pidx: np.ndarray
    w: np.ndarray
    h: np.ndarray
    day: np.ndarray
    tie: np.ndarray

    def harm_between(self, i: int, j_end: int) -> np.ndarray:
        """Linked harm per premises in periods ``i`` .. ``j_end - 1``."""
        m = (self.codes >= i) & (self.codes < j_end)
        return np.bincount(self.pidx[m], weights=self.w[m] * self.h[m], minlength=self.n)


def _periodised(
    calls: pd.DataFrame, links: Links, params: RiskParams, period: str, min_history: int, n: int
) -> _Periodised:
    """Weighted links with their period; raise ValueError if there are too few periods for one fold."""
    lf = link_frame(calls, links, params)
    lf = lf[lf["w"] > 0]
    # Period of each call: month-only rows are dated mid-month in lf, fine for periods.
    codes, starts = _periods(lf["day"].to_numpy(), period)
    n_per = max(len(starts) - 1, 0)  # starts has one extra entry: the end of the data
    if n_per < min_history + 1:
        raise ValueError(
            f"Expected at least {min_history + 1} {period}s of calls for one fold; found {n_per}. "
            "Fix: lower `min_history` or give more history."
        )
    return _Periodised(
        lf=lf,
        codes=codes,
        starts=starts,
        n_per=n_per,
        n=n,
        pidx=lf["premises_idx"].to_numpy(),
        w=lf["w"].to_numpy(),
        h=lf["harm"].to_numpy(),
        day=lf["day"].to_numpy(),
        tie=np.arange(n),
    )


@dataclass
class _Folds:
    """What each fold scored: (fold, cut, horizon end, horizon periods), target harm, predictions, nested choice."""

    meta: list[tuple] = field(default_factory=list)
    targets: list[np.ndarray] = field(default_factory=list)
    preds: list[dict[str, np.ndarray]] = field(default_factory=list)
    chosen: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.meta)


def _run_folds(
    data: _Periodised,
    premises: pd.DataFrame,
    arrays: PremisesArrays,
    visits: pd.DataFrame | None,
    params: RiskParams,
    select: dict[str, list[Any]],
    horizon: int,
    min_history: int,
    top: tuple[float, ...],
    progress: Callable[[str], None] | None,
) -> _Folds:
    """Rank with every method at each cut and keep the harm of the periods that follow."""
    grid = _grid(params, select)
    history_start = data.starts[0].to_pydatetime()
    target_cache: dict[tuple[int, int], np.ndarray] = {}
    pred_cache: dict[tuple[int, int], np.ndarray] = {}

    def target_of(i: int, j_end: int) -> np.ndarray:
        if (i, j_end) not in target_cache:
            target_cache[(i, j_end)] = data.harm_between(i, j_end)
        return target_cache[(i, j_end)]

    def model_pred(g: int, i: int) -> np.ndarray:
        if (g, i) not in pred_cache:
            t, _ = score_premises(
                data.lf, premises, visits, grid[g], data.starts[i].to_pydatetime(), history_start, arrays
            )
            pred_cache[(g, i)] = t["score"].to_numpy()
        return pred_cache[(g, i)]

    out = _Folds()
    for i in range(min_history, data.n_per):
        cut = data.starts[i]
        end_i = min(data.n_per, i + horizon)
        table, _ = score_premises(
            data.lf, premises, visits, params, cut.to_pydatetime(), history_start, arrays
        )
        best_g = _nested_choice(model_pred, target_of, len(grid), i, horizon, top, data.tie)
        out.chosen.append({k: getattr(grid[best_g], k) for k in select})
        out.targets.append(data.harm_between(i, end_i))
        out.preds.append(_baseline_preds(data, i, cut, table["score"].to_numpy(), model_pred(best_g, i)))
        end_day = (data.starts[end_i] - pd.Timedelta(days=1)).date()
        out.meta.append((len(out.meta) + 1, cut.date(), end_day, end_i - i))
        if progress is not None:
            progress(f"fold {len(out.meta)}/{data.n_per - min_history}: cut {cut.date()}")
    return out


def _nested_choice(
    model_pred: Callable[[int, int], np.ndarray],
    target_of: Callable[[int, int], np.ndarray],
    n_grid: int,
    i: int,
    horizon: int,
    top: tuple[float, ...],
    tie: np.ndarray,
) -> int:
    """The grid candidate with the best mean PEI at the largest top share over the cuts before ``i``.

    Inner cut ``j`` is scored on periods ``j .. min(j + horizon, i) - 1``, so
    nothing from period ``i`` on is seen; 0 (the first candidate) when there is
    no inner cut or only one candidate.
    """
    best_g, best_v = 0, -np.inf
    inner = list(range(1, i))
    if inner and n_grid > 1:
        for g in range(n_grid):
            vals = [
                _top_metrics(model_pred(g, j), target_of(j, min(j + horizon, i)), tie, (max(top),))[max(top)][
                    2
                ]
                for j in inner
            ]
            v = float(np.nanmean(vals)) if not np.all(np.isnan(vals)) else -np.inf
            if v > best_v + 1e-12:
                best_g, best_v = g, v
    return best_g


def _baseline_preds(
    data: _Periodised, i: int, cut: pd.Timestamp, model: np.ndarray, nested: np.ndarray
) -> dict[str, np.ndarray]:
    """Each method's score per premises at cut ``i`` (random is scored by its expected value)."""
    cut_day = float(to_days(pd.Series([cut]))[0])
    pidx, w, h, day, n = data.pidx, data.w, data.h, data.day, data.n
    y12 = (day < cut_day) & (day >= cut_day - 365)
    lastp = data.codes == i - 1
    return {
        "model": model,
        "model_nested": nested,
        "count_12m": np.bincount(pidx[y12], weights=w[y12], minlength=n),
        "harm_12m": np.bincount(pidx[y12], weights=w[y12] * h[y12], minlength=n),
        "last_period": np.bincount(pidx[lastp], weights=w[lastp], minlength=n),
    }


def _metrics(
    m: str,
    preds: dict[str, np.ndarray],
    target: np.ndarray,
    tie: np.ndarray,
    top: tuple[float, ...],
    ix: np.ndarray | None = None,
) -> dict[float, _Measures]:
    """Hit rate, PAI and PEI of method ``m`` at each top share (on the premises ``ix`` if given)."""
    if ix is None:
        return _random_metrics(target, top) if m == "random" else _top_metrics(preds[m], target, tie, top)
    tb = target[ix]
    return _random_metrics(tb, top) if m == "random" else _top_metrics(preds[m][ix], tb, tie, top)


def _fold_rows(run: _Folds, top: tuple[float, ...], tie: np.ndarray) -> pd.DataFrame:
    """One row per fold x method x top share."""
    rows = []
    for (fold, cut, hend, hlen), target, preds, ch in zip(
        run.meta, run.targets, run.preds, run.chosen, strict=True
    ):
        for m in METHODS:
            met = _metrics(m, preds, target, tie, top)
            for s in top:
                hr, pai, pei = met[s]
                rows.append(
                    {
                        "fold": fold,
                        "cut": cut,
                        "horizon_end": hend,
                        "horizon_periods": hlen,
                        "method": m,
                        "top": s,
                        "hit_rate": hr,
                        "pai": pai,
                        "pei": pei,
                        "target_harm": float(target.sum()),
                        "chosen": ", ".join(f"{k}={v}" for k, v in ch.items()) if m == "model_nested" else "",
                    }
                )
    return pd.DataFrame(rows)


def _bootstrap(
    run: _Folds,
    data: _Periodised,
    top: tuple[float, ...],
    n_boot: int,
    seed: int,
    progress: Callable[[str], None] | None,
) -> tuple[dict, dict, dict]:
    """Resample premises jointly across folds: mean measures, paired PEI difference, per-fold PEI."""
    n, tie = data.n, data.tie
    rng = np.random.default_rng(seed)
    boot = {(m, s, k): np.empty(n_boot) for m in METHODS for s in top for k in ("hit_rate", "pai", "pei")}
    diff = {(m, s): np.empty(n_boot) for m in METHODS for s in top}
    n_f = len(run.targets)
    fold_pei = {(m, s): np.empty((n_boot, n_f)) for m in METHODS for s in top}
    if progress is not None:
        progress(f"bootstrap: {n_boot} resamples of {n} premises")
    for b in range(n_boot):
        ix = rng.integers(0, n, n)
        acc: dict[tuple, list] = {}
        for target, preds in zip(run.targets, run.preds, strict=True):
            for m in METHODS:
                met = _metrics(m, preds, target, tie, top, ix)
                for s in top:
                    acc.setdefault((m, s), []).append(met[s])
        for (m, s), vals in acc.items():
            arr = np.array(vals, dtype=float)
            fold_pei[(m, s)][b] = arr[:, 2]
            mean = np.nanmean(arr, axis=0)
            boot[(m, s, "hit_rate")][b], boot[(m, s, "pai")][b], boot[(m, s, "pei")][b] = mean
        for m in METHODS:
            for s in top:
                diff[(m, s)][b] = boot[(m, s, "pei")][b] - boot[("count_12m", s, "pei")][b]
    return boot, diff, fold_pei


def _add_fold_intervals(folds: pd.DataFrame, fold_pei: dict) -> None:
    """Per-fold intervals of PEI and of its paired difference from the count baseline (columns added)."""
    lo_hi = {}
    for (m, s), arr in fold_pei.items():
        d = arr - fold_pei[("count_12m", s)]
        lo_hi[(m, s)] = (
            np.nanpercentile(arr, 2.5, axis=0),
            np.nanpercentile(arr, 97.5, axis=0),
            np.nanpercentile(d, 2.5, axis=0),
            np.nanpercentile(d, 97.5, axis=0),
        )
    fi = folds["fold"].to_numpy() - 1
    for col, j in (("pei_lo", 0), ("pei_hi", 1), ("pei_diff_lo", 2), ("pei_diff_hi", 3)):
        folds[col] = [
            float(lo_hi[(m, s)][j][f]) for m, s, f in zip(folds["method"], folds["top"], fi, strict=True)
        ]
    count_pei = folds[folds["method"] == "count_12m"].set_index(["fold", "top"])["pei"]
    folds["pei_diff_vs_count"] = (
        folds["pei"].to_numpy()
        - count_pei.loc[list(zip(folds["fold"], folds["top"], strict=True))].to_numpy()
    )


def _summary(folds: pd.DataFrame, boot: dict, diff: dict, top: tuple[float, ...]) -> pd.DataFrame:
    """One row per method x top share: mean of each measure over folds with its bootstrap interval."""
    srows = []
    for m in METHODS:
        for s in top:
            f = folds[(folds["method"] == m) & (folds["top"] == s)]
            rec: dict[str, Any] = {"method": m, "top": s}
            for k in ("hit_rate", "pai", "pei"):
                rec[k] = float(f[k].mean())
                lo, hi = np.nanpercentile(boot[(m, s, k)], [2.5, 97.5])
                rec[f"{k}_lo"], rec[f"{k}_hi"] = float(lo), float(hi)
            rec["pei_worst_fold"] = float(f["pei"].min())
            d = diff[(m, s)]
            rec["pei_diff_vs_count"] = float(
                rec["pei"] - folds[(folds["method"] == "count_12m") & (folds["top"] == s)]["pei"].mean()
            )
            rec["pei_diff_lo"], rec["pei_diff_hi"] = (float(v) for v in np.nanpercentile(d, [2.5, 97.5]))
            srows.append(rec)
    return pd.DataFrame(srows)


def _notes(calls: pd.DataFrame, links: Links) -> list[str]:
    """The linking notes that hold for the backtest, month-only dates first."""
    notes = [n for n in links.notes if not n.startswith("Most calls have month-only")]
    if is_month_only(calls):
        notes.insert(
            0,
            "Month-only dates (police.uk): no time-of-night or closed-hours filter; targets are all "
            "linked harm in each month.",
        )
    return notes


def _settings(
    calls: pd.DataFrame,
    links: Links,
    params: RiskParams,
    period: str,
    horizon: int,
    min_history: int,
    top: tuple[float, ...],
    n_boot: int,
    seed: int,
    n_folds: int,
    n: int,
) -> dict[str, Any]:
    """The settings recorded with the result (``backtest.json``)."""
    return {
        "period": period,
        "horizon": horizon,
        "min_history": min_history,
        "top": list(top),
        "n_boot": n_boot,
        "seed": seed,
        "folds": n_folds,
        "premises": n,
        "calls": int(len(calls)),
        "linked_calls": {k: v for k, v in links.counts.items()},
        "scheme": params.scheme,
        "target": f"harm ({params.scheme}) linked to each premises in the {horizon} {period}"
        + ("s" if horizon > 1 else "")
        + " after the cut (fewer where the data end sooner)",
    }
