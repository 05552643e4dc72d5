"""What every section of the evidence pack reads: the calls and premises in the zone and period.

Built once by ``licvisit.core.evidence.pack`` and read by its sections and by
``licvisit.core.evidence.hearing``.  Pure data; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Scope:
    """What every section of the pack reads: the calls and premises in the zone and period."""

    calls: pd.DataFrame
    geom: Any
    start: pd.Period
    end: pd.Period
    coverage: tuple[pd.Timestamp, pd.Timestamp]  # (first day, last day) of the data (_scope raises if none)
    exposure: np.ndarray  # days of data per month of the period
    covered: np.ndarray  # months of the period with any data
    notes: list[str]
    cx: np.ndarray
    cy: np.ndarray
    has_xy: np.ndarray
    in_zone: np.ndarray
    in_period: np.ndarray
    harm_all: np.ndarray
    zc: pd.DataFrame  # calls in the zone and period
    px: np.ndarray
    py: np.ndarray
    p_ok: np.ndarray
    p_in: np.ndarray
    zp: pd.DataFrame  # premises in the zone
    time_known: pd.Series
    share_timed: float
    premises: pd.DataFrame
