"""The evidence pack's parameters (``[evidence]`` in licvisit.toml): :class:`EvidenceParams`, and month parsing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import pandas as pd

from licvisit.core.evidence import hotspots as hs
from licvisit.errors import ConfigError

HOTSPOT_WEIGHTS = ("count", "harm")
Month: TypeAlias = str | pd.Period


@dataclass(frozen=True)
class EvidenceParams:
    """Parameters of the evidence pack (``[evidence]`` in licvisit.toml).

    Disclosure: ``threshold`` counts 1 .. threshold-1 are hidden.
    Map: ``cell_m`` [m] grid cell side, ``grid_margin_m`` [m] grid beyond the
    zone, ``kde_bandwidth_m`` [m] Gaussian kernel standard deviation,
    ``kde_pixel_m`` [m] density raster resolution; Gi*: ``gi_neighbourhood``
    ("queen": the 8 touching cells, or "distance": centres within
    ``gi_distance_m``), always including the cell itself, ``gi_permutations``
    (0 = normal approximation), ``fdr_alpha`` false discovery rate,
    ``hotspot_weight`` ("count" or "harm").
    Harm: ``harm_scheme`` (cchi, ons_css, count).
    Time: ``hour_band_h`` hours per column of the hour-of-week table,
    ``night_start_h`` / ``night_end_h`` the night window (wall clock hours).
    Premises: ``top_n`` rows in the top-premises table, ``anonymise``
    (premises IDs instead of names), ``top_shares`` for concentration.
    ``trend_alpha`` significance level for the one-word premises trend and
    for every "rose"/"fell" in the text.
    Displacement: ``ring_m`` [m] width of the ring round the zone,
    ``street_buffer_m`` [m] street space round each of the zone's premises.
    """

    threshold: int = 5
    cell_m: float = 100.0
    grid_margin_m: float = 200.0
    kde_bandwidth_m: float = 100.0
    kde_pixel_m: float = 10.0
    fdr_alpha: float = 0.05
    gi_neighbourhood: str = "queen"
    gi_distance_m: float = 150.0
    gi_permutations: int = 0
    hotspot_weight: str = "count"
    harm_scheme: str = "cchi"
    anonymise: bool = False
    top_n: int = 20
    hour_band_h: int = 1
    night_start_h: int = 18
    night_end_h: int = 6
    top_shares: tuple[float, ...] = (0.05, 0.10, 0.20)
    trend_alpha: float = 0.05
    ring_m: float = 250.0
    street_buffer_m: float = 50.0
    seed: int = 0

    def __post_init__(self) -> None:
        from licvisit.core.risk.harm import SCHEMES

        object.__setattr__(self, "top_shares", tuple(float(s) for s in self.top_shares))
        if int(self.threshold) != self.threshold or self.threshold < 1:
            raise ValueError("Expected threshold to be a whole number >= 1.")
        for name in ("cell_m", "kde_bandwidth_m", "kde_pixel_m", "gi_distance_m"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Expected {name} > 0.")
        if self.grid_margin_m < 0:
            raise ValueError("Expected grid_margin_m >= 0.")
        if not 0 < self.fdr_alpha < 1 or not 0 < self.trend_alpha < 1:
            raise ValueError("Expected fdr_alpha and trend_alpha between 0 and 1.")
        if self.gi_neighbourhood not in hs.NEIGHBOURHOODS:
            raise ValueError(f"Expected gi_neighbourhood one of {', '.join(hs.NEIGHBOURHOODS)}.")
        if self.gi_neighbourhood == "distance" and self.gi_distance_m < self.cell_m:
            raise ValueError("Expected gi_distance_m >= cell_m (or no cell would have a neighbour).")
        if self.gi_permutations < 0:
            raise ValueError("Expected gi_permutations >= 0.")
        if self.hotspot_weight not in HOTSPOT_WEIGHTS:
            raise ValueError(f"Expected hotspot_weight one of {', '.join(HOTSPOT_WEIGHTS)}.")
        if self.harm_scheme not in SCHEMES:
            raise ValueError(f"Expected harm_scheme one of {', '.join(SCHEMES)}.")
        if not self.ring_m > 0 or not self.street_buffer_m > 0:
            raise ValueError("Expected ring_m > 0 and street_buffer_m > 0.")
        if self.top_n < 1:
            raise ValueError("Expected top_n >= 1.")
        if self.hour_band_h not in (1, 2, 3, 4, 6, 8, 12, 24):
            raise ValueError("Expected hour_band_h to divide 24 (1, 2, 3, 4, 6, 8, 12 or 24).")
        if not (
            0 <= self.night_start_h <= 23
            and 0 <= self.night_end_h <= 12
            and self.night_end_h < self.night_start_h
        ):
            raise ValueError("Expected night_start_h 0-23 and night_end_h 0-12, the night crossing midnight.")
        if not self.top_shares or any(not 0 < s <= 1 for s in self.top_shares):
            raise ValueError("Expected top_shares between 0 and 1.")


# --- helpers -------------------------------------------------------------------------------


def parse_month(value: Month, what: str = "month") -> pd.Period:
    """Parse 'YYYY-MM' (or a Period) into a monthly Period; ConfigError otherwise."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    text = str(value).strip()
    try:
        if len(text) != 7 or text[4] != "-":
            raise ValueError
        return pd.Period(text, freq="M")
    except (ValueError, TypeError):
        raise ConfigError(f"{what}: found {value!r}; expected a month YYYY-MM, e.g. 2017-01.") from None


def _period(pair: tuple[Month, Month] | None, what: str) -> tuple[pd.Period, pd.Period] | None:
    if pair is None:
        return None
    a, b = parse_month(pair[0], f"{what} start"), parse_month(pair[1], f"{what} end")
    if b < a:
        raise ConfigError(f"{what}: ends ({b}) before it starts ({a}); expected start <= end.")
    return a, b


def _month_label(p: pd.Period) -> str:
    return p.strftime("%B %Y")
