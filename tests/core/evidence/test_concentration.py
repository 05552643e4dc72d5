"""Concentration of harm among premises: Gini, Lorenz curve and top shares (known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from licvisit.core.evidence import concentration as conc


def test_gini_known_values():
    assert conc.gini(np.ones(10)) == pytest.approx(0.0)
    assert conc.gini(np.array([0, 0, 0, 10.0])) == pytest.approx(3 / 4)
    # mean absolute difference: sum_i sum_j |xi - xj| = 20, n = 4, mean 2.5 -> 20 / (2 * 16 * 2.5)
    assert conc.gini(np.array([1, 2, 3, 4.0])) == pytest.approx(0.25)
    assert np.isnan(conc.gini(np.zeros(3)))


def test_lorenz_curve_ends_and_shape():
    lx, ly = conc.lorenz_curve(np.array([4, 1, 3, 2.0]))
    assert lx[0] == 0 and lx[-1] == 1 and ly[0] == 0 and ly[-1] == pytest.approx(1)
    assert np.allclose(ly, [0, 0.1, 0.3, 0.6, 1.0])


def test_top_shares_round_up_the_number_of_premises():
    harm = np.array([50.0, 20, 10, 5, 5, 4, 3, 2, 1, 0] + [0] * 10)  # 20 premises, total 100
    top = conc.top_shares(harm, (0.05, 0.10, 0.20))
    assert top["n_premises"].tolist() == [1, 2, 4]
    assert top["harm_share_percent"].tolist() == pytest.approx([50.0, 70.0, 85.0])


def test_concentration_counts_premises_without_harm():
    c = conc.concentration(np.array([10.0, 0, 0, 0, np.nan]))
    assert c.n_premises == 5 and c.total == 10
    assert c.gini == pytest.approx(0.8)
    assert c.top["harm_share_percent"].iloc[0] == pytest.approx(100.0)
