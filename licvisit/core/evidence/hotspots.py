"""Find where calls cluster: a regular grid, kernel density and Getis-Ord Gi* hot spots.

* **Grid**: square cells (default 100 m) aligned to the British National
  Grid, covering the zone plus a margin so that cells at the zone's edge have
  neighbours (edge effects).
* **Kernel density**: counts on a fine raster smoothed with a Gaussian kernel
  of fixed bandwidth [m] (``scipy.ndimage.gaussian_filter``); calls per km².
* **Gi***: Getis & Ord (1992) *Geographical Analysis* 24(3):189-206 and Ord &
  Getis (1995) *Geographical Analysis* 27(4):286-306, computed by PySAL
  (``esda.G_Local`` with ``star=True``, binary weights that include the cell
  itself).  Two-sided p-values (normal approximation, or conditional
  permutation when ``permutations`` > 0), adjusted for testing many cells at
  once by the Benjamini-Hochberg false discovery rate
  (``scipy.stats.false_discovery_control``; Benjamini & Hochberg 1995, *JRSS B*
  57(1):289-300).

PySAL is imported inside the functions that need it (about 1.5 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

NEIGHBOURHOODS = ("queen", "distance")


@dataclass(frozen=True)
class Grid:
    """A regular grid of square cells; cell (row, col) has lower-left corner
    (x0 + col * cell_m, y0 + row * cell_m).  Cells are numbered row-major."""

    x0: float
    y0: float
    cell_m: float
    n_rows: int
    n_cols: int

    @property
    def n_cells(self) -> int:
        return self.n_rows * self.n_cols

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) [m]."""
        return (self.x0, self.x0 + self.n_cols * self.cell_m, self.y0, self.y0 + self.n_rows * self.cell_m)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Centre coordinates of every cell, row-major, [m]."""
        cols, rows = np.meshgrid(np.arange(self.n_cols), np.arange(self.n_rows))
        return (
            (self.x0 + (cols.ravel() + 0.5) * self.cell_m),
            (self.y0 + (rows.ravel() + 0.5) * self.cell_m),
        )

    def cell_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Row-major cell number of each point, -1 outside the grid."""
        col = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell_m)
        row = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell_m)
        ok = (col >= 0) & (col < self.n_cols) & (row >= 0) & (row < self.n_rows)
        out = np.full(len(col), -1, dtype=np.int64)
        out[ok] = (row[ok] * self.n_cols + col[ok]).astype(np.int64)
        return out

    def polygons(self) -> list:
        """Shapely squares for every cell, row-major."""
        import shapely

        cx, cy = self.centres()
        h = self.cell_m / 2
        return list(shapely.box(cx - h, cy - h, cx + h, cy + h))


def make_grid(
    bounds: tuple[float, float, float, float], cell_m: float = 100.0, margin_m: float = 200.0
) -> Grid:
    """Return a grid over ``bounds`` (xmin, ymin, xmax, ymax) [m] plus ``margin_m``, snapped to multiples of ``cell_m``."""
    if cell_m <= 0:
        raise ValueError("Expected cell_m > 0.")
    xmin, ymin, xmax, ymax = bounds
    x0 = math.floor((xmin - margin_m) / cell_m) * cell_m
    y0 = math.floor((ymin - margin_m) / cell_m) * cell_m
    x1 = math.ceil((xmax + margin_m) / cell_m) * cell_m
    y1 = math.ceil((ymax + margin_m) / cell_m) * cell_m
    return Grid(
        float(x0), float(y0), float(cell_m), int(round((y1 - y0) / cell_m)), int(round((x1 - x0) / cell_m))
    )


def grid_counts(grid: Grid, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum ``weights`` (default 1) of the points in each cell; shape (n_rows, n_cols)."""
    idx = grid.cell_index(x, y)
    ok = idx >= 0
    w = np.ones(len(idx)) if weights is None else np.asarray(weights, dtype=float)
    flat = np.bincount(idx[ok], weights=w[ok], minlength=grid.n_cells)
    return flat.reshape(grid.n_rows, grid.n_cols)


@dataclass(frozen=True)
class Density:
    """A kernel density surface: ``values`` [per km²] on pixels, row 0 at the bottom."""

    values: np.ndarray
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax [m]
    bandwidth_m: float
    pixel_m: float


def kernel_density(
    x: np.ndarray,
    y: np.ndarray,
    extent: tuple[float, float, float, float],
    bandwidth_m: float = 150.0,
    pixel_m: float = 10.0,
    weights: np.ndarray | None = None,
) -> Density:
    """Gaussian kernel density of points over ``extent`` (xmin, xmax, ymin, ymax) [m].

    Points are binned on ``pixel_m`` pixels and smoothed with a Gaussian of
    standard deviation ``bandwidth_m`` (scipy.ndimage); mass that falls
    outside the extent is lost, so keep a margin around the area of interest.
    Values are points (or weights) per km².
    """
    from scipy import ndimage

    if bandwidth_m <= 0 or pixel_m <= 0:
        raise ValueError("Expected bandwidth_m > 0 and pixel_m > 0.")
    xmin, xmax, ymin, ymax = extent
    nx = max(1, int(math.ceil((xmax - xmin) / pixel_m)))
    ny = max(1, int(math.ceil((ymax - ymin) / pixel_m)))
    g = Grid(xmin, ymin, pixel_m, ny, nx)
    raw = grid_counts(g, x, y, weights)
    smooth = ndimage.gaussian_filter(raw, sigma=bandwidth_m / pixel_m, mode="constant", truncate=4.0)
    per_km2 = smooth / (pixel_m * pixel_m) * 1e6
    return Density(per_km2, (xmin, xmin + nx * pixel_m, ymin, ymin + ny * pixel_m), bandwidth_m, pixel_m)


@dataclass(frozen=True)
class HotSpots:
    """Gi* for every cell of a grid (row-major arrays).

    ``z``: Gi* z-score; ``p``: two-sided p-value; ``q``: Benjamini-Hochberg
    adjusted p-value; ``label``: +1 hot spot, -1 cold spot, 0 not significant
    (q > alpha).
    """

    grid: Grid
    values: np.ndarray
    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    label: np.ndarray
    alpha: float
    neighbourhood: str
    distance_m: float
    permutations: int

    @property
    def n_hot(self) -> int:
        return int((self.label > 0).sum())

    @property
    def n_cold(self) -> int:
        return int((self.label < 0).sum())


def grid_weights(grid: Grid, neighbourhood: str = "queen", distance_m: float = 150.0) -> Any:
    """Binary spatial weights between grid cells (libpysal ``W``), without self-weights.

    ``queen``: the 8 surrounding cells; ``distance``: cells whose centres lie
    within ``distance_m``.  Gi* adds the cell itself.
    """
    import libpysal

    if neighbourhood == "queen":
        return libpysal.weights.lat2W(grid.n_rows, grid.n_cols, rook=False)
    if neighbourhood == "distance":
        cx, cy = grid.centres()
        return libpysal.weights.DistanceBand.from_array(
            np.column_stack([cx, cy]), threshold=distance_m, binary=True, silence_warnings=True
        )
    raise ValueError(
        f"Expected gi_neighbourhood one of {', '.join(NEIGHBOURHOODS)}; found {neighbourhood!r}."
    )


def getis_ord(
    values: np.ndarray,
    grid: Grid,
    neighbourhood: str = "queen",
    distance_m: float = 150.0,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int = 0,
) -> HotSpots:
    """Compute Gi* for every cell of ``grid`` from ``values`` (n_rows, n_cols) and flag hot/cold spots.

    Parameters
    ----------
    values : counts (or harm) per cell
    neighbourhood : "queen" (8 neighbours) or "distance" (centres within ``distance_m`` [m])
    alpha : false discovery rate
    permutations : 0 for the normal approximation, else conditional permutations (seeded)
    """
    from scipy import stats

    y = np.asarray(values, dtype=float).ravel()
    n = len(y)
    if n != grid.n_cells:
        raise ValueError("Expected one value per grid cell.")
    nan = np.full(n, np.nan)
    if n < 3 or y.sum() <= 0 or np.all(y == y[0]):
        return HotSpots(
            grid,
            y,
            nan,
            np.ones(n),
            np.ones(n),
            np.zeros(n, int),
            alpha,
            neighbourhood,
            distance_m,
            permutations,
        )
    import warnings

    from esda.getisord import G_Local

    w = grid_weights(grid, neighbourhood, distance_m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands / numba notices
        g = G_Local(
            y,
            w,
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            n_jobs=1,
            keep_simulations=False,
        )
    z = np.asarray(g.Zs, dtype=float)
    if permutations:
        # esda's p_sim is one-sided towards the observed tail: double it for a two-sided test.
        p = np.minimum(1.0, 2.0 * np.asarray(g.p_sim, dtype=float))
    else:
        p = 2.0 * stats.norm.sf(np.abs(z))
    p = np.where(np.isfinite(p), p, 1.0)
    q = stats.false_discovery_control(p, method="bh")
    label = np.where(q <= alpha, np.sign(z), 0).astype(int)
    return HotSpots(grid, y, z, p, q, label, alpha, neighbourhood, distance_m, permutations)
