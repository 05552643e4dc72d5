"""Backtest: folds, measures, baselines, bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest

from licvisit.core.risk.backtest import METHODS, _top_metrics, backtest, premises_in_calls_extent
from licvisit.core.risk.params import RiskParams
from tests.paths import REPO_ROOT


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


REPO = REPO_ROOT


@pytest.mark.slow
def test_real_police_uk_headline_holds():
    """The docs/backtest.md headline on the real police.uk + FHRS data (reference configuration)."""
    from licvisit.app.params import risk_params
    from licvisit.config import load_config
    from licvisit.io import load_inputs

    cfg = load_config(REPO / "tests" / "data" / "risk" / "backtest_police_uk_reference.toml")
    inp = load_inputs(cfg, kinds=("calls", "premises"))
    c, p = inp.calls, inp.premises
    prem = premises_in_calls_extent(c, p)
    assert len(prem) == 204
    res = backtest(c, prem, risk_params(cfg), n_boot=20, seed=0)
    s = res.summary.set_index(["method", "top"])["pei"]
    assert res.settings["folds"] == 6
    assert s[("count_12m", 0.1)] == pytest.approx(0.877, abs=0.002)
    assert s[("model", 0.1)] == pytest.approx(0.905, abs=0.002)
    assert s[("model", 0.1)] > s[("count_12m", 0.1)]
    assert s[("model", 0.05)] > s[("count_12m", 0.05)]


@pytest.mark.slow
def test_real_police_uk_held_out_months_model_beats_count():
    """October and November 2017 were never used while the model was developed: scored
    there (cuts 2017-10-01 and 2017-11-01), the model beats the count in both folds."""
    from licvisit.app.params import risk_params
    from licvisit.config import load_config
    from licvisit.io import load_inputs

    cfg = load_config(REPO / "tests" / "data" / "risk" / "backtest_police_uk_heldout.toml")
    inp = load_inputs(cfg, kinds=("calls", "premises"))
    c, p = inp.calls, inp.premises
    assert len(c) == 17_260
    prem = premises_in_calls_extent(c, p)
    res = backtest(c, prem, risk_params(cfg), min_history=9, n_boot=20, seed=0)
    assert res.settings["folds"] == 2
    f = res.folds[res.folds["top"] == 0.1].pivot(index="cut", columns="method", values="pei")
    assert [str(cut)[:10] for cut in f.index] == ["2017-10-01", "2017-11-01"]
    assert (f["model"] > f["count_12m"]).all()
    s = res.summary.set_index(["method", "top"])["pei"]
    assert s[("model", 0.1)] == pytest.approx(0.833, abs=0.002)
    assert s[("count_12m", 0.1)] == pytest.approx(0.781, abs=0.002)


def test_premises_in_calls_extent_keeps_only_premises_inside_the_calls_bounding_box():
    calls = pd.DataFrame({"x": [100.0, 300.0], "y": [1000.0, 1200.0]})
    prem = pd.DataFrame(
        {
            "premises_id": ["in", "edge", "west", "north"],
            "x": [200.0, 300.0, 99.0, 150.0],
            "y": [1100.0, 1000.0, 1100.0, 1201.0],
        }
    )
    assert premises_in_calls_extent(calls, prem)["premises_id"].tolist() == ["in", "edge"]
    assert len(premises_in_calls_extent(calls.iloc[0:0], prem)) == 0
