"""The hidden premises model (each premises' harm rate) and the helpers every generator shares.

Random draws keyed on a premises id (:func:`_key_uniforms`) keep a premises'
synthetic attributes stable whatever the rest of the register.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS, parse_session
from licvisit.synth.params import SynthParams


def _key_uniforms(keys: Any, seed: int, salt: str, k: int = 1) -> np.ndarray:
    """Return ``k`` uniforms in [0, 1) per key, from a hash of (seed, salt, key).

    Stable whatever the row order or the other rows: a premises keeps its
    synthetic attributes when the register changes around it.
    """
    out = np.empty((len(keys), k))
    for i, key in enumerate(keys):
        h = hashlib.blake2b(f"{seed}:{salt}:{key}".encode(), digest_size=8 * k).digest()
        out[i] = np.frombuffer(h, dtype="<u8") / 2.0**64
    return out


def _hours_table(premises: pd.DataFrame) -> np.ndarray:
    """Return an (n, 7, 2) int array of session (start, end) minutes; -1 = closed."""
    n = len(premises)
    out = np.full((n, 7, 2), -1, dtype=np.int32)
    for d, day in enumerate(WEEKDAYS):
        col = f"hours_{day}"
        if col not in premises.columns:
            continue
        vals = premises[col].to_numpy(dtype=object)
        cache: dict[Any, tuple[int, int] | None] = {}
        for i, v in enumerate(vals):
            key = v if isinstance(v, str) else None
            if key not in cache:
                try:
                    cache[key] = parse_session(v)
                except ValueError:
                    cache[key] = None
            s = cache[key]
            if s is not None:
                out[i, d] = s
    return out


def _xy(premises: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "x" in premises.columns and "y" in premises.columns:
        return premises["x"].to_numpy(float), premises["y"].to_numpy(float)
    if "geometry" in premises.columns:
        import shapely

        g = np.asarray(premises["geometry"], dtype=object)
        return shapely.get_x(g).astype(float), shapely.get_y(g).astype(float)
    raise ValueError("Expected premises with x, y (EPSG:27700) columns or point geometry.")


def _col(df: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index)


def _flag(series: pd.Series) -> np.ndarray:
    s = series.astype("string").fillna("").str.strip().str.lower()
    return s.isin(["true", "1", "yes", "y", "t"]).to_numpy()


def premises_rates(premises: pd.DataFrame, params: SynthParams | None = None, seed: int = 0) -> np.ndarray:
    """Return each premises' hidden base harm rate (relative; mean about 1 for a pub).

    rate = type_rate[type] * (capacity/100)^capacity_elasticity
           * exp(late_coef * licensed hours after midnight per week)
           * gang_factor (if flagged 'gang') * LogNormal(0, rate_sigma)

    The noise is keyed on the premises id and ``seed`` so it does not depend on
    row order.
    """
    p = params or SynthParams()
    types = _col(premises, "premises_type", "other").astype("string").fillna("other").to_numpy(dtype=object)
    base = np.array([p.type_rate.get(t, p.type_rate.get("other", 0.1)) for t in types], dtype=float)
    cap = pd.to_numeric(_col(premises, "capacity", np.nan), errors="coerce").to_numpy(float)
    cap = np.where(np.isfinite(cap) & (cap > 0), cap, 100.0)
    hrs = _hours_table(premises)
    late = np.clip(hrs[:, :, 1] - 1440, 0, None).sum(axis=1) / 60.0
    gang = _col(premises, "intel_flags", "").astype("string").fillna("").str.contains("gang").to_numpy()
    ids = _col(premises, "premises_id", "").astype(str).to_numpy()
    u = _key_uniforms(ids, seed, "rate")[:, 0]
    from scipy.special import ndtri

    noise = np.exp(p.rate_sigma * ndtri(np.clip(u, 1e-12, 1 - 1e-12)) - p.rate_sigma**2 / 2)
    return (
        base
        * (cap / 100.0) ** p.capacity_elasticity
        * np.exp(p.late_coef * late)
        * np.where(gang, p.gang_factor, 1.0)
        * noise
    )


def _to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)
