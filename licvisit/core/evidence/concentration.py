"""Measure how concentrated harm is among premises: top-share, Lorenz curve and Gini.

The "law of crime concentration" (Weisburd 2015, *Criminology* 53(2):133-157;
Eck, Clarke & Guerette 2007, *Crime Prevention Studies* 21:225-264, "risky
facilities") says a few places carry most of the harm.  This module reports it
for the premises of one zone, with every premises counted, including those
with no linked harm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_TOP_SHARES = (0.05, 0.10, 0.20)


@dataclass(frozen=True)
class Concentration:
    """How concentrated harm is among premises.

    Attributes
    ----------
    n_premises : int
        Premises counted (including those with zero harm).
    total : float
        Total harm linked to them.
    top : DataFrame
        One row per top share: ``top_percent``, ``n_premises`` (ceil of the
        share x n), ``harm_share_percent``.
    lorenz_x, lorenz_y : ndarray
        Cumulative share of premises (smallest harm first) and of harm, from 0 to 1.
    gini : float
        Gini coefficient of harm among premises (0 even, (n-1)/n all at one).
    """

    n_premises: int
    total: float
    top: pd.DataFrame
    lorenz_x: np.ndarray
    lorenz_y: np.ndarray
    gini: float


def gini(values: np.ndarray) -> float:
    """Return the Gini coefficient of non-negative ``values`` (NaN if empty or all zero).

    Uses the mean-difference form G = sum_i sum_j |x_i - x_j| / (2 n^2 mean),
    computed from the sorted values as (2 sum_i i x_(i)) / (n sum x) - (n + 1) / n.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return float("nan")
    if (x < 0).any():
        raise ValueError("Expected non-negative values for the Gini coefficient.")
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


def lorenz_curve(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the Lorenz curve (x, y) of ``values``, both from 0 to 1, smallest first."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0])
    cum = np.concatenate([[0.0], np.cumsum(x)]) / x.sum()
    return np.arange(n + 1) / n, cum


def top_shares(values: np.ndarray, shares: tuple[float, ...] = DEFAULT_TOP_SHARES) -> pd.DataFrame:
    """Return the share of the total held by the top ``shares`` of items (largest first).

    The top 5 % of 30 premises is ceil(1.5) = 2 premises.
    """
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    n = len(x)
    total = x.sum()
    rows = []
    for s in shares:
        if not 0 < s <= 1:
            raise ValueError(f"Expected top shares between 0 and 1; found {s}.")
        k = max(1, math.ceil(s * n - 1e-9)) if n else 0
        share = 100.0 * x[:k].sum() / total if total > 0 else float("nan")
        rows.append({"top_percent": round(100 * s, 1), "n_premises": k, "harm_share_percent": share})
    return pd.DataFrame(rows)


def concentration(
    harm: np.ndarray | pd.Series, shares: tuple[float, ...] = DEFAULT_TOP_SHARES
) -> Concentration:
    """Summarise how concentrated ``harm`` (one value per premises) is.

    Parameters
    ----------
    harm : array of non-negative harm per premises [CCHI days, CSS points or calls]
    shares : top fractions to report (default 5, 10 and 20 %)
    """
    x = np.asarray(harm, dtype=float)
    x = np.where(np.isfinite(x), x, 0.0)
    lx, ly = lorenz_curve(x)
    return Concentration(
        n_premises=len(x),
        total=float(x.sum()),
        top=top_shares(x, shares),
        lorenz_x=lx,
        lorenz_y=ly,
        gini=gini(x),
    )
