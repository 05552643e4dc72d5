"""Grid, kernel density and Getis-Ord Gi*: a hand-checked case matches PySAL."""

from __future__ import annotations

import math

import numpy as np
import pytest

from licvisit.core.evidence import hotspots as hs

# A 5 x 5 grid of counts (row 0 at the bottom) with a cluster round cell (3, 3).
VALUES = np.array(
    [
        [0, 1, 0, 2, 0],
        [1, 0, 0, 1, 3],
        [0, 2, 1, 6, 4],
        [1, 0, 5, 9, 7],
        [0, 0, 2, 5, 2],
    ],
    dtype=float,
)


def gi_star_by_hand(x: np.ndarray, members: list[int]) -> float:
    """Ord & Getis (1995) eq. 14 with binary weights that include the cell itself.

    z = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n - 1))),
    W_i = sum_j w_ij, S1_i = sum_j w_ij^2 (= W_i for binary weights),
    xbar and S the mean and standard deviation (divisor n) of all n values.
    """
    n = len(x)
    wi = float(len(members))
    xbar = x.sum() / n
    s = math.sqrt((x**2).sum() / n - xbar**2)
    return (x[members].sum() - xbar * wi) / (s * math.sqrt((n * wi - wi**2) / (n - 1)))


def test_gi_star_by_hand_matches_pysal_queen():
    import libpysal
    from esda.getisord import G_Local

    grid = hs.Grid(0.0, 0.0, 100.0, 5, 5)
    x = VALUES.ravel()
    # cell (row 3, col 3) = index 18; queen neighbours + itself: rows 2..4, cols 2..4
    i = 3 * 5 + 3
    members = [r * 5 + c for r in (2, 3, 4) for c in (2, 3, 4)]
    # worked by hand: sum = 1+6+4 + 5+9+7 + 2+5+2 = 41; n = 25, total 52, xbar = 2.08,
    # sum of squares = 5 + 11 + 57 + 156 + 33 = 262, S = sqrt(262/25 - 2.08^2) = sqrt(6.1536) = 2.48064...
    assert x[members].sum() == 41
    z_hand = gi_star_by_hand(x, members)
    expected = (41 - 2.08 * 9) / (math.sqrt(262 / 25 - 2.08**2) * math.sqrt((25 * 9 - 81) / 24))
    assert z_hand == pytest.approx(expected, rel=1e-12)
    assert z_hand == pytest.approx(3.66670, abs=1e-5)  # = 22.28 / (2.48064 * 2.44949)
    w = libpysal.weights.lat2W(5, 5, rook=False)
    pysal = G_Local(x, w, transform="B", star=True, permutations=0)
    assert pysal.Zs[i] == pytest.approx(z_hand, rel=1e-9)
    ours = hs.getis_ord(VALUES, grid, "queen", permutations=0)
    assert ours.z[i] == pytest.approx(z_hand, rel=1e-9)
    # a corner cell has only 3 neighbours (plus itself)
    corner = [0, 1, 5, 6]
    assert ours.z[0] == pytest.approx(gi_star_by_hand(x, corner), rel=1e-9)


def test_gi_star_distance_band_matches_by_hand():
    grid = hs.Grid(0.0, 0.0, 100.0, 5, 5)
    x = VALUES.ravel()
    # 100 m band: the cell and its 4 rook neighbours (centres exactly 100 m away)
    ours = hs.getis_ord(VALUES, grid, "distance", distance_m=100.0, permutations=0)
    i = 2 * 5 + 2
    members = [i, i - 1, i + 1, i - 5, i + 5]
    assert ours.z[i] == pytest.approx(gi_star_by_hand(x, members), rel=1e-9)


def test_fdr_flags_a_cluster_and_nothing_in_noise():
    grid = hs.Grid(0.0, 0.0, 100.0, 20, 20)
    rng = np.random.default_rng(1)
    noise = rng.poisson(2, (20, 20)).astype(float)
    flat = hs.getis_ord(noise, grid, alpha=0.05)
    assert flat.n_hot == 0 and flat.n_cold == 0
    assert np.all(flat.q >= flat.p - 1e-12)
    hot = noise.copy()
    hot[8:11, 8:11] += 15
    res = hs.getis_ord(hot, grid, alpha=0.05)
    assert res.label[9 * 20 + 9] == 1
    assert res.n_hot >= 9
    # hot cells are where the cluster is
    rows, cols = np.divmod(np.flatnonzero(res.label > 0), 20)
    assert rows.min() >= 6 and rows.max() <= 12 and cols.min() >= 6 and cols.max() <= 12


def test_all_zero_grid_has_no_spots():
    grid = hs.Grid(0.0, 0.0, 100.0, 4, 4)
    res = hs.getis_ord(np.zeros((4, 4)), grid)
    assert res.n_hot == 0 and res.n_cold == 0


def test_grid_is_snapped_and_indexes_points():
    g = hs.make_grid((406_950.0, 286_420.0, 407_310.0, 286_780.0), cell_m=100, margin_m=200)
    assert g.x0 % 100 == 0 and g.y0 % 100 == 0
    assert g.x0 <= 406_750 and g.extent[1] >= 407_510
    idx = g.cell_index(np.array([g.x0 + 150, g.x0 - 1]), np.array([g.y0 + 250, g.y0]))
    assert idx[0] == 2 * g.n_cols + 1 and idx[1] == -1
    counts = hs.grid_counts(g, np.array([g.x0 + 150, g.x0 + 160]), np.array([g.y0 + 250, g.y0 + 260]))
    assert counts[2, 1] == 2 and counts.sum() == 2


def test_kernel_density_keeps_mass_and_peaks_at_the_points():
    x = np.full(10, 500.0)
    y = np.full(10, 500.0)
    d = hs.kernel_density(x, y, (0.0, 1000.0, 0.0, 1000.0), bandwidth_m=50.0, pixel_m=10.0)
    total = d.values.sum() * (10.0 * 10.0) / 1e6
    assert total == pytest.approx(10.0, rel=1e-3)
    r, c = np.unravel_index(np.argmax(d.values), d.values.shape)
    assert abs(c * 10 + 5 - 500) <= 10 and abs(r * 10 + 5 - 500) <= 10
