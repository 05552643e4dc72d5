"""Backtest: folds, measures, baselines, bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest

from licvisit.core.backtest import METHODS, _top_metrics, backtest
from licvisit.core.risk import RiskParams


def stable_world(n_prem=40, months=8, seed=1):
    """Premises with stable Poisson call rates, month-only dates (police.uk-like)."""
    rng = np.random.default_rng(seed)
    prem = pd.DataFrame(
        {
            "premises_id": [f"P{i:02d}" for i in range(n_prem)],
            "name": "x",
            "premises_type": "pub",
            "x": np.arange(n_prem) * 300.0,
            "y": 0.0,
        }
    )
    rate = rng.gamma(0.6, 3.0, n_prem)
    rows = []
    for m in range(months):
        k = rng.poisson(rate)
        for i in np.flatnonzero(k):
            for _ in range(k[i]):
                rows.append(
                    {
                        "occurred_at": pd.Timestamp(2017, m + 1, 1),
                        "time_known": False,
                        "category": "violence_and_sexual_offences",
                        "thrive": "",
                        "premises_ref": "",
                        "location_text": "",
                        "x": i * 300.0 + 3,
                        "y": 0.0,
                    }
                )
    return pd.DataFrame(rows), prem


def test_top_metrics_known_answer():
    pred = np.array([3.0, 2.0, 1.0, 0.0])
    target = np.array([0.0, 5.0, 1.0, 4.0])
    hr, pai, pei = _top_metrics(pred, target, np.arange(4), (0.25, 0.5))[0.5]
    assert hr == pytest.approx(0.5) and pai == pytest.approx(1.0) and pei == pytest.approx(5 / 9)


def test_backtest_folds_and_baselines():
    calls, prem = stable_world()
    res = backtest(calls, prem, RiskParams(), horizon=3, min_history=3, n_boot=30, seed=0)
    assert res.settings["folds"] == 5
    assert set(res.folds["method"]) == set(METHODS)
    s = res.summary.set_index(["method", "top"])
    assert s.loc[("model", 0.1), "pei"] > s.loc[("random", 0.1), "pei"]
    assert s.loc[("model", 0.1), "pei_lo"] <= s.loc[("model", 0.1), "pei"] <= s.loc[("model", 0.1), "pei_hi"]
    assert (res.folds["pei"].dropna() <= 1 + 1e-9).all()
    d = res.to_dict()
    assert d["settings"]["horizon"] == 3 and len(d["folds"]) == len(res.folds)


def test_backtest_needs_enough_history():
    calls, prem = stable_world(months=3)
    with pytest.raises(ValueError, match="at least 4 months"):
        backtest(calls, prem, min_history=3, n_boot=10)
