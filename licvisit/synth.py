"""Generate realistic synthetic calls for service, licence attributes and visits.

A pure, seeded generator (no printing, no file I/O) behind ``licvisit synth``
and the bundled demo data.  Everything here is *synthetic* and labelled so:
it exists to exercise the product end to end, never to stand in for real
evidence.  The model, in brief (parameters in :class:`SynthParams`, full
description in ``docs/demo-data.md``):

* every premises has a hidden harm rate: a base rate for its type, scaled by
  capacity and late hours, times heavy-tailed (log-normal) noise, so that a
  "power few" of premises produce most premises-linked harm;
* each premises' rate drifts slowly (a random log-linear trend) and a few
  premises change abruptly part-way (new management, a new crowd), so the
  future is not a copy of the past;
* premises calls happen only on nights the premises is open, between opening
  and an hour after closing, weighted towards the end of the session;
  Friday and Saturday nights and December are busier;
* a separate stream of preventive calls (door staff asking for help, refusal
  reports) comes from well-run, door-supervised premises;
* background street calls happen at real police.uk snap points, not linked
  to any premises.

All public functions are deterministic for a given seed and vectorised, so
2,000,000 calls over 10,000 premises take seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import GENERIC_CATEGORIES, PREVENTIVE_CATEGORIES, WEEKDAYS, parse_session

# --- model tables (documented in docs/demo-data.md) --------------------------

#: Relative premises-linked harm rate by premises type (pub = 1).
TYPE_RATE = {
    "nightclub": 3.0,
    "bar": 1.6,
    "pub": 1.0,
    "late_night_refreshment": 0.8,
    "club": 0.45,
    "off_licence": 0.5,
    "restaurant": 0.35,
    "other": 0.15,
}

# Category mix of (non-preventive) premises calls, by premises type.  Order:
_HARM_CATS = tuple(c for c in GENERIC_CATEGORIES if c not in PREVENTIVE_CATEGORIES)
_SERIOUS = np.array(
    [c in ("violence_with_injury", "sexual_offence", "robbery", "weapons") for c in _HARM_CATS]
)
# fmt: off
CATEGORY_MIX = {
    #                          VWI   VWO   SEX   ROB   WPN   PO    D&D   CD    THF   DRG   ASB   CFW   LIC   OTH
    "nightclub":              (0.15, 0.17, 0.04, 0.02, 0.02, 0.10, 0.09, 0.03, 0.12, 0.07, 0.05, 0.08, 0.03, 0.03),
    "bar":                    (0.12, 0.18, 0.03, 0.02, 0.01, 0.11, 0.10, 0.04, 0.13, 0.04, 0.07, 0.07, 0.04, 0.04),
    "pub":                    (0.10, 0.19, 0.02, 0.01, 0.01, 0.12, 0.11, 0.06, 0.09, 0.03, 0.11, 0.05, 0.04, 0.06),
    "late_night_refreshment": (0.08, 0.18, 0.01, 0.05, 0.02, 0.14, 0.06, 0.07, 0.07, 0.04, 0.20, 0.02, 0.02, 0.04),
    "club":                   (0.07, 0.18, 0.02, 0.01, 0.01, 0.12, 0.10, 0.07, 0.12, 0.02, 0.12, 0.06, 0.04, 0.06),
    "off_licence":            (0.05, 0.12, 0.01, 0.06, 0.02, 0.10, 0.08, 0.06, 0.25, 0.05, 0.13, 0.03, 0.02, 0.02),
    "restaurant":             (0.05, 0.14, 0.02, 0.02, 0.01, 0.10, 0.08, 0.05, 0.25, 0.02, 0.08, 0.08, 0.04, 0.06),
    "other":                  (0.04, 0.12, 0.01, 0.04, 0.01, 0.10, 0.06, 0.08, 0.25, 0.04, 0.15, 0.04, 0.01, 0.05),
}
# fmt: on
#: Category mix of background street calls (not linked to premises).
STREET_MIX = {
    "violence_with_injury": 0.06,
    "violence_without_injury": 0.12,
    "sexual_offence": 0.01,
    "robbery": 0.04,
    "weapons": 0.02,
    "public_order": 0.08,
    "drunk_and_disorderly": 0.04,
    "criminal_damage": 0.08,
    "theft": 0.20,
    "drugs": 0.05,
    "anti_social_behaviour": 0.20,
    "concern_for_welfare": 0.07,
    "other": 0.03,
}
#: THRIVE grade mix (E, P, S, CR) by category.
THRIVE_MIX = {
    "violence_with_injury": (0.40, 0.45, 0.12, 0.03),
    "violence_without_injury": (0.15, 0.45, 0.30, 0.10),
    "sexual_offence": (0.35, 0.45, 0.18, 0.02),
    "robbery": (0.45, 0.40, 0.12, 0.03),
    "weapons": (0.60, 0.35, 0.05, 0.00),
    "public_order": (0.15, 0.50, 0.25, 0.10),
    "drunk_and_disorderly": (0.10, 0.50, 0.25, 0.15),
    "criminal_damage": (0.05, 0.30, 0.45, 0.20),
    "theft": (0.03, 0.22, 0.45, 0.30),
    "drugs": (0.05, 0.35, 0.40, 0.20),
    "anti_social_behaviour": (0.03, 0.30, 0.42, 0.25),
    "concern_for_welfare": (0.25, 0.50, 0.20, 0.05),
    "licensing_concern": (0.00, 0.15, 0.50, 0.35),
    "door_staff_request": (0.30, 0.55, 0.12, 0.03),
    "refusal_report": (0.00, 0.05, 0.35, 0.60),
    "other": (0.05, 0.30, 0.40, 0.25),
}
#: How the category is written in a CAD-style export (``category_raw``).
CATEGORY_LABELS = {
    "violence_with_injury": "Assault - with injury",
    "violence_without_injury": "Assault - no injury",
    "sexual_offence": "Sexual offence",
    "robbery": "Robbery",
    "weapons": "Weapons",
    "public_order": "Public order / fighting",
    "drunk_and_disorderly": "Drunk and disorderly",
    "criminal_damage": "Criminal damage",
    "theft": "Theft",
    "drugs": "Drugs",
    "anti_social_behaviour": "ASB - rowdy / nuisance",
    "concern_for_welfare": "Concern for welfare",
    "licensing_concern": "Licensing concern",
    "door_staff_request": "Door staff request assistance",
    "refusal_report": "Refusal / ejection report",
    "other": "Other",
}
_THRIVE = np.array(["E", "P", "S", "CR"], dtype=object)

CALL_OUTPUT_COLUMNS = (
    "call_id",
    "occurred_at",
    "time_known",
    "category",
    "category_raw",
    "thrive",
    "premises_ref",
    "location_text",
    "x",
    "y",
    "longitude",
    "latitude",
)


def _parse_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"Expected {name} as a date YYYY-MM-DD, got {value!r}.") from exc


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the synthetic calls generator (defaults are the demo's).

    These defaults were fixed and documented (docs/demo-data.md) before the
    risk model was tuned, so the demo cannot be shaped to flatter the model.

    Parameters
    ----------
    start, end : first and last day [date] of the generated period (inclusive).
    calls_per_year : expected calls for service per 365 days, all streams.
    premises_share : share of calls linked to a premises (the rest are street calls).
    preventive_share : share of premises calls that are preventive
        (``door_staff_request``, ``refusal_report``).
    rate_sigma : standard deviation of the log-normal noise on premises rates;
        0.65 gives a "power few" (top 10 % of premises about half the harm).
    capacity_elasticity : exponent of capacity/100 in the premises rate.
    late_coef : log-rate increase per licensed hour after midnight in a week [1/h].
    gang_factor : rate multiplier for premises with a ``gang`` intelligence flag.
    severity_sigma : spread of each premises' log-odds tilt towards serious
        categories (violence with injury, sexual offences, robbery, weapons).
    trend_sd : standard deviation of each premises' log-rate trend [1/year].
    global_trend : log-rate trend shared by all calls [1/year].
    change_share : share of premises whose rate changes abruptly once.
    change_factor : multiplier (or its inverse, half of the time) at that change.
    weekday_weights : relative busyness of the night starting Mon..Sun.
    december_peak : extra busyness at the peak of the Christmas season (mid-December).
    summer_bump : extra busyness in mid-summer.
    after_close_min : premises calls may happen up to this long after closing [min].
    lateness : Beta(lateness, 1.5) shape of when in the session a call falls
        (higher = later in the night).
    jitter_m : standard deviation of premises call locations around the premises [m].
    street_jitter_m : standard deviation around a street snap point [m] (0 = on it).
    name_share : share of premises calls whose free text names the premises.
    ref_share : share of premises calls that carry the premises reference.
    """

    start: dt.date = dt.date(2024, 10, 7)
    end: dt.date = dt.date(2025, 10, 5)
    calls_per_year: int = 18_000
    premises_share: float = 0.55
    preventive_share: float = 0.08
    rate_sigma: float = 0.65
    capacity_elasticity: float = 0.25
    late_coef: float = 0.03
    gang_factor: float = 2.0
    severity_sigma: float = 0.25
    trend_sd: float = 0.35
    global_trend: float = 0.04
    change_share: float = 0.05
    change_factor: float = 2.5
    weekday_weights: tuple[float, ...] = (0.55, 0.55, 0.65, 0.9, 1.7, 1.9, 0.75)
    december_peak: float = 0.45
    summer_bump: float = 0.10
    after_close_min: int = 60
    lateness: float = 2.5
    jitter_m: float = 12.0
    street_jitter_m: float = 0.0
    name_share: float = 0.25
    ref_share: float = 0.15
    type_rate: dict[str, float] = field(default_factory=lambda: dict(TYPE_RATE))

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _parse_date(self.start, "start"))
        object.__setattr__(self, "end", _parse_date(self.end, "end"))
        object.__setattr__(self, "weekday_weights", tuple(float(w) for w in self.weekday_weights))
        if self.end < self.start:
            raise ValueError("Expected end on or after start.")
        if int(self.calls_per_year) < 0:
            raise ValueError("Expected calls_per_year >= 0.")
        for name in ("premises_share", "preventive_share", "change_share", "name_share", "ref_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"Expected {name} between 0 and 1.")
        if self.name_share + self.ref_share > 1.0:
            raise ValueError("Expected name_share + ref_share <= 1.")
        for name in (
            "rate_sigma",
            "severity_sigma",
            "trend_sd",
            "jitter_m",
            "street_jitter_m",
            "december_peak",
            "summer_bump",
            "capacity_elasticity",
            "late_coef",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"Expected {name} >= 0.")
        if self.gang_factor <= 0 or self.change_factor < 1:
            raise ValueError("Expected gang_factor > 0 and change_factor >= 1.")
        if len(self.weekday_weights) != 7 or min(self.weekday_weights) < 0 or sum(self.weekday_weights) <= 0:
            raise ValueError("Expected weekday_weights as 7 non-negative numbers (Mon..Sun), not all 0.")
        if not 0 <= self.after_close_min <= 180:
            raise ValueError("Expected after_close_min between 0 and 180.")
        if self.lateness <= 0:
            raise ValueError("Expected lateness > 0.")
        unknown = sorted(set(self.type_rate) - set(TYPE_RATE))
        if unknown or any(v < 0 for v in self.type_rate.values()):
            raise ValueError(f"Expected type_rate keys from {', '.join(TYPE_RATE)} with values >= 0.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# --- helpers ----------------------------------------------------------------


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


def _day_weights(p: SynthParams) -> tuple[np.ndarray, np.ndarray]:
    """Return (dates as datetime64[D], weight per day) with weekday, season and trend."""
    days = np.arange(np.datetime64(p.start), np.datetime64(p.end) + 1)
    dow = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    w = np.asarray(p.weekday_weights)[dow]
    # Christmas party season peak in mid-December (day 349), a milder summer bump.
    dec = np.exp(-0.5 * (np.minimum(np.abs(doy - 349), 365 - np.abs(doy - 349)) / 12.0) ** 2)
    summer = np.exp(-0.5 * ((doy - 200) / 25.0) ** 2)
    t = (days - days[0]).astype(float) / 365.25
    w = w * (1 + p.december_peak * dec + p.summer_bump * summer) * np.exp(p.global_trend * t)
    return days, w / w.sum()


_STREET_WORDS = re.compile(
    r"\b(street|st|road|rd|lane|ln|row|square|way|walk|avenue|ave|place|hill|parade|circus|queensway|"
    r"terrace|drive|green|gate|close|crescent|grove|court|high street|middleway|ringway|quay|wharf)\b\.?$",
    re.I,
)


_NUMBER = re.compile(r"^((unit|units|flat|suite|shop)\s+)?\d+[a-zA-Z]?(\s*[-/&]\s*\d+[a-zA-Z]?)*\s*", re.I)


def _street_name(address: str) -> str:
    """Pick the street from a one-line address: '54-57 Allison Street, Birmingham' -> 'Allison Street'."""
    parts = [p.strip() for p in str(address).split(",") if p.strip()]
    for part in parts:
        s = _NUMBER.sub("", part).strip()
        if _STREET_WORDS.search(s):
            return s
    if not parts:
        return ""
    return _NUMBER.sub("", parts[0]).strip()


_NAMED_TEMPLATES = ("outside {n}, {s}", "{n}, {s}", "at {n}, {s}", "near {n}, {s}", "inside {n}, {s}")


def _premises_text_vocab(names: np.ndarray, streets: np.ndarray) -> np.ndarray:
    """Return the free-text variants of every premises, variant-major.

    Variants 0-4 name the premises (``_NAMED_TEMPLATES``), 5 is 'On or near
    <street>', 6 the bare street.  Entry ``v * n + i`` is variant v of premises i.
    """
    out: list[str] = []
    for t in _NAMED_TEMPLATES:
        out.extend(t.format(n=n, s=s) if s else str(n) for n, s in zip(names, streets, strict=True))
    out.extend(f"On or near {s}" if s else "Location not given" for s in streets)
    out.extend(s if s else "Location not given" for s in streets)
    return np.array(out, dtype=object)


def _location_codes(rng: np.random.Generator, idx: np.ndarray, n_prem: int, named: np.ndarray) -> np.ndarray:
    """Pick a free-text variant per premises call: a named one, else the street."""
    n = len(idx)
    variant = np.where(
        named, rng.integers(0, len(_NAMED_TEMPLATES), n), np.where(rng.random(n) < 0.5, 5, 6)
    ).astype(np.int64)
    return variant * n_prem + idx


def _to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)


def _choose_categories(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sample a category index per call from per-row probability rows (chunked inverse CDF)."""
    out = np.empty(len(rows), dtype=np.int16)
    step = 250_000
    for a in range(0, len(rows), step):
        cum = np.cumsum(probs[rows[a : a + step]], axis=1)
        u = rng.random(len(cum))[:, None] * cum[:, -1:]
        out[a : a + step] = (cum < u).sum(axis=1)
    return out


# --- public generators --------------------------------------------------------


def synth_calls(
    premises: pd.DataFrame,
    street_points: pd.DataFrame | None,
    params: SynthParams | None = None,
    seed: int = 0,
    truth: bool = False,
    lonlat: bool = True,
) -> pd.DataFrame:
    """Generate timestamped calls for service around ``premises`` and ``street_points``.

    Parameters
    ----------
    premises : DataFrame or GeoDataFrame with glossary columns (``premises_id``,
        ``name``, ``address``, ``premises_type``, ``hours_mon`` .. ``hours_sun``,
        ``capacity``, ``door_staff``, ``intel_flags``) and ``x``, ``y`` [m,
        EPSG:27700] (or point geometry).
    street_points : DataFrame with ``x``, ``y`` [m] and ``location_text``, one
        row per real crime (so busier snap points are drawn more often), or None
        to scatter street calls around the premises.
    params : :class:`SynthParams` (defaults: the bundled demo).
    seed : random seed; the same seed gives an identical frame.
    truth : add ``true_premises_id`` (the premises that generated each call,
        '' for street calls), for tests and evaluation only.
    lonlat : add ``longitude``, ``latitude`` (WGS84) beside ``x``, ``y``;
        False saves about 1 s per million calls.

    Returns
    -------
    pandas.DataFrame with columns :data:`CALL_OUTPUT_COLUMNS`, sorted by time,
    ``call_id`` 'SYN' + 7 digits in time order.
    """
    p = params or SynthParams()
    rng = np.random.default_rng([int(seed), 20251006])
    prem = pd.DataFrame(premises).reset_index(drop=True)
    if len(prem) == 0 and street_points is None:
        raise ValueError("Expected at least one premises or street point.")
    reg = _register(prem)
    n_harm, n_prev, n_street = _stream_sizes(rng, p, reg.open_any)
    days, day_w = _day_weights(p)
    parts = _CallParts()
    prem_calls = _premises_calls(rng, p, prem, reg, seed, days, day_w, n_harm, n_prev)
    if prem_calls is not None:
        parts.add_premises_calls(rng, p, reg, prem_calls)
    if n_street:
        parts.add_street_calls(
            *_street_stream(rng, p, street_points, reg.px, reg.py, reg.streets, days, day_w, n_street)
        )
    return parts.frame(rng, reg.ids, truth, lonlat)


@dataclass
class _Register:
    """The columns of the premises register that the calls generator reads, as arrays."""

    px: np.ndarray
    py: np.ndarray
    ids: np.ndarray
    types: np.ndarray
    names: np.ndarray
    streets: np.ndarray
    hrs: np.ndarray
    open_any: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


def _register(prem: pd.DataFrame) -> _Register:
    """Locations, ids, types, names, streets and weekly hours of the premises (any open night?)."""
    n_prem = len(prem)
    px, py = _xy(prem) if n_prem else (np.zeros(0), np.zeros(0))
    hrs = _hours_table(prem) if n_prem else np.zeros((0, 7, 2), np.int32)
    return _Register(
        px=px,
        py=py,
        ids=_col(prem, "premises_id", "").astype(str).to_numpy(dtype=object),
        types=_col(prem, "premises_type", "other").astype("string").fillna("other").to_numpy(dtype=object),
        names=_col(prem, "name", "").astype("string").fillna("").to_numpy(dtype=object),
        streets=np.array(
            [_street_name(a) for a in _col(prem, "address", "").astype("string").fillna("")], dtype=object
        ),
        hrs=hrs,
        open_any=(hrs[:, :, 0] >= 0).any(axis=1) if n_prem else np.zeros(0, bool),
    )


def _stream_sizes(rng: np.random.Generator, p: SynthParams, open_any: np.ndarray) -> tuple[int, int, int]:
    """Numbers of harm, preventive and street calls: Poisson total, binomial shares."""
    total = int(rng.poisson(p.calls_per_year * p.days / 365.0))
    n_premises_calls = int(rng.binomial(total, p.premises_share)) if open_any.any() else 0
    n_prev = int(rng.binomial(n_premises_calls, p.preventive_share))
    return n_premises_calls - n_prev, n_prev, total - n_premises_calls


def _premises_calls(
    rng: np.random.Generator,
    p: SynthParams,
    prem: pd.DataFrame,
    reg: _Register,
    seed: int,
    days: np.ndarray,
    day_w: np.ndarray,
    n_harm: int,
    n_prev: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(time, category, premises index) of the harm calls then the preventive calls; None if there are none.

    The hidden premises model: a base rate, a severity tilt, a trend and one-off
    change per premises (keyed on its id, so independent of row order).
    """
    n_prem, ndays = reg.n, len(days)
    rate = premises_rates(prem, p, seed) * reg.open_any if n_prem else np.zeros(0)
    u = _key_uniforms(reg.ids, seed, "dynamics", 4) if n_prem else np.zeros((0, 4))
    from scipy.special import ndtri

    z = ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    trend = p.trend_sd * z[:, 0]  # log-rate per year
    severity = p.severity_sigma * z[:, 1]
    changes = u[:, 2] < p.change_share
    change_day = (u[:, 3] * ndays).astype(int)
    change_mult = np.where(u[:, 3] * 1000 % 1 < 0.5, p.change_factor, 1.0 / p.change_factor)
    horizon = ndays / 365.25
    # Mean multiplier over the period, so expected shares account for trends.
    mean_trend = np.where(
        np.abs(trend) > 1e-9, np.expm1(trend * horizon) / np.where(trend == 0, 1, trend * horizon), 1.0
    )
    weight = rate * mean_trend
    weight = weight * np.where(changes, (change_day + (ndays - change_day) * change_mult) / ndays, 1.0)
    frames = []
    if n_harm:
        frames.append(
            _premises_stream(
                rng,
                p,
                prem,
                reg.hrs,
                days,
                day_w,
                weight,
                trend,
                changes,
                change_day,
                change_mult,
                severity,
                reg.types,
                n_harm,
                preventive=False,
            )
        )
    if n_prev:
        pw = _preventive_weights(prem, reg)
        frames.append(
            _premises_stream(
                rng,
                p,
                prem,
                reg.hrs,
                days,
                day_w,
                pw,
                np.zeros(n_prem),
                np.zeros(n_prem, bool),
                change_day,
                change_mult,
                np.zeros(n_prem),
                reg.types,
                n_prev,
                preventive=True,
            )
        )
    return tuple(np.concatenate([f[i] for f in frames]) for i in range(3)) if frames else None


def _preventive_weights(prem: pd.DataFrame, reg: _Register) -> np.ndarray:
    """Weight of each premises in the preventive stream: door staff and size, not hidden harm."""
    door = pd.to_numeric(_col(prem, "door_staff", 0), errors="coerce").fillna(0).to_numpy(float)
    cap = pd.to_numeric(_col(prem, "capacity", np.nan), errors="coerce").fillna(50).to_numpy(float)
    # Well-run premises with door staff report more: not related to hidden harm.
    pw = (0.3 + door) * np.sqrt(np.clip(cap, 10, None) / 100.0) * reg.open_any
    pw = pw * np.isin(reg.types, ["nightclub", "bar", "pub", "late_night_refreshment", "club"])
    if pw.sum() <= 0:
        pw = reg.open_any.astype(float)
    return pw


@dataclass
class _CallParts:
    """The generated streams before sorting: time, category, place, text code, reference, true premises."""

    when: list[np.ndarray] = field(default_factory=list)
    cat: list[np.ndarray] = field(default_factory=list)
    x: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)
    code: list[np.ndarray] = field(default_factory=list)
    ref: list[np.ndarray] = field(default_factory=list)
    true: list[np.ndarray] = field(default_factory=list)
    vocab: list[np.ndarray] = field(default_factory=lambda: [np.array(["Location not given"], dtype=object)])

    def add_premises_calls(
        self, rng: np.random.Generator, p: SynthParams, reg: _Register, calls: tuple[np.ndarray, ...]
    ) -> None:
        """Place premises calls around their premises; some name it, some carry its reference."""
        pw, pc, pidx = calls
        k = len(pidx)
        r = rng.random(k)
        named = r < p.name_share
        with_ref = (r >= p.name_share) & (r < p.name_share + p.ref_share)
        ang = rng.random(k) * 2 * np.pi
        rad = np.abs(rng.normal(0, p.jitter_m, k))
        self.when.append(pw)
        self.cat.append(pc)
        self.x.append(np.round(reg.px[pidx] + rad * np.cos(ang), 1))
        self.y.append(np.round(reg.py[pidx] + rad * np.sin(ang), 1))
        self.code.append(_location_codes(rng, pidx, reg.n, named) + 1)
        self.vocab.append(_premises_text_vocab(reg.names, reg.streets))
        self.ref.append(np.where(with_ref, pidx + 1, 0))
        self.true.append(pidx + 1)

    def add_street_calls(
        self,
        sw: np.ndarray,
        sc: np.ndarray,
        sx: np.ndarray,
        sy: np.ndarray,
        scode: np.ndarray,
        svocab: np.ndarray,
    ) -> None:
        """Add the street stream (no premises reference, no true premises)."""
        n_street = len(sw)
        offset = sum(len(v) for v in self.vocab)
        self.when.append(sw)
        self.cat.append(sc)
        self.x.append(sx)
        self.y.append(sy)
        self.code.append(scode + offset)
        self.vocab.append(svocab)
        self.ref.append(np.zeros(n_street, np.int64))
        self.true.append(np.zeros(n_street, np.int64))

    def frame(self, rng: np.random.Generator, ids: np.ndarray, truth: bool, lonlat: bool) -> pd.DataFrame:
        """All calls in time order as the output table (THRIVE grades drawn here)."""
        if not self.when:  # nothing generated: an empty table with the same columns and types
            self.when, self.cat, self.code = (
                [np.zeros(0, "datetime64[m]")],
                [np.zeros(0, np.int64)],
                [np.zeros(0, np.int64)],
            )
            self.x, self.y, self.ref, self.true = (
                [np.zeros(0)],
                [np.zeros(0)],
                [np.zeros(0, np.int64)],
                [np.zeros(0, np.int64)],
            )
        when = np.concatenate(self.when)
        # Time order; ties keep the (deterministic) generation order.
        order = np.argsort(when.astype(np.int64), kind="stable")
        when = when[order]
        x, y = np.concatenate(self.x)[order], np.concatenate(self.y)[order]
        cat = np.concatenate(self.cat)[order].astype(np.int64)
        code = np.concatenate(self.code)[order]
        ref = np.concatenate(self.ref)[order]
        ids0 = np.concatenate([np.array([""], dtype=object), ids.astype(object)])
        labels = [CATEGORY_LABELS[c] for c in GENERIC_CATEGORIES]
        n = len(when)
        data: dict[str, Any] = {
            "call_id": _call_ids(n),
            "occurred_at": when.astype("datetime64[ns]"),
            "time_known": np.ones(n, dtype=bool),
            "category": _str_column(list(GENERIC_CATEGORIES), cat),
            "category_raw": _str_column(labels, cat),
            "thrive": _str_column(list(_THRIVE), _thrive_codes(rng, cat)),
            "premises_ref": _str_column(ids0, ref),
            "location_text": _str_column(np.concatenate(self.vocab), code),
            "x": x,
            "y": y,
        }
        if lonlat:
            data["longitude"], data["latitude"] = _to_lonlat(x, y)
        if truth:
            data["true_premises_id"] = _str_column(ids0, np.concatenate(self.true)[order])
        return pd.DataFrame(data)


def _str_column(vocab: Any, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Return ``vocab[codes]`` as a pandas string array, built in Arrow (fast for millions)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    v = pa.array([str(s) for s in vocab], type=pa.string())
    return pd.array(pc.take(v, pa.array(np.asarray(codes, dtype=np.int64))), dtype="str")


def _call_ids(n: int) -> pd.api.extensions.ExtensionArray:
    """Return 'SYN0000001', 'SYN0000002', ... as a pandas string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    k = np.arange(1, n + 1, dtype=np.int64)
    width = max(7, len(str(n)))
    lo_w = 3
    hi = pa.array([f"SYN{i:0{width - lo_w}d}" for i in range(int(n // 10**lo_w) + 1)], type=pa.string())
    lo = pa.array([f"{i:0{lo_w}d}" for i in range(10**lo_w)], type=pa.string())
    joined = pc.binary_join_element_wise(
        pc.take(hi, pa.array(k // 10**lo_w)), pc.take(lo, pa.array(k % 10**lo_w)), ""
    )
    return pd.array(joined, dtype="str")


_CAT_INDEX = {c: i for i, c in enumerate(GENERIC_CATEGORIES)}


def _premises_stream(
    rng: np.random.Generator,
    p: SynthParams,
    prem: pd.DataFrame,
    hrs: np.ndarray,
    days: np.ndarray,
    day_w: np.ndarray,
    weight: np.ndarray,
    trend: np.ndarray,
    changes: np.ndarray,
    change_day: np.ndarray,
    change_mult: np.ndarray,
    severity: np.ndarray,
    types: np.ndarray,
    n: int,
    preventive: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``n`` premises calls: premises by weight, night by season/weekday/trend
    (rejecting nights it is closed), time within the session."""
    ndays = len(days)
    dow0 = int((days[0].astype("int64") + 3) % 7)
    wsum = weight.sum()
    if wsum <= 0:
        return np.zeros(0, "datetime64[m]"), np.zeros(0, np.int16), np.zeros(0, np.int64)
    prob = weight / wsum
    # Trend/change multipliers relative to their maximum, for rejection.
    t_end = ndays / 365.25
    tmax = np.exp(np.maximum(trend * t_end, 0.0)) * np.where(changes, np.maximum(change_mult, 1.0), 1.0)
    pidx = np.empty(0, np.int64)
    day = np.empty(0, np.int64)
    need = n
    for _ in range(200):
        m = int(need * 1.6) + 16
        cp = rng.choice(len(prob), m, p=prob)
        cd = rng.choice(ndays, m, p=day_w)
        dow = (dow0 + cd) % 7
        ok = hrs[cp, dow, 0] >= 0
        tm = np.exp(trend[cp] * cd / 365.25) * np.where(
            changes[cp] & (cd >= change_day[cp]), change_mult[cp], 1.0
        )
        ok &= rng.random(m) * tmax[cp] < tm
        pidx = np.concatenate([pidx, cp[ok]])
        day = np.concatenate([day, cd[ok]])
        need = n - len(pidx)
        if need <= 0:
            break
    pidx, day = pidx[:n], day[:n]
    dow = (dow0 + day) % 7
    s = hrs[pidx, dow, 0].astype(float)
    e = hrs[pidx, dow, 1].astype(float)
    # When in the session: skewed late (Beta), up to after_close_min past closing.
    span = e - s + p.after_close_min
    frac = rng.beta(p.lateness, 1.5, len(pidx))
    if preventive:
        frac = rng.beta(p.lateness + 1.0, 1.2, len(pidx))  # ejections cluster near closing
    minute = np.floor(s + frac * span)
    when = days[day].astype("datetime64[m]") + minute.astype("timedelta64[m]")
    last = days[-1].astype("datetime64[m]") + np.timedelta64(1440 + 6 * 60, "m")
    when = np.minimum(when, last - 1)  # keep the last night's tail within early next morning
    if preventive:
        cat = np.where(
            rng.random(len(pidx)) < 0.6, _CAT_INDEX["door_staff_request"], _CAT_INDEX["refusal_report"]
        )
    else:
        cat = _harm_categories(rng, types, severity, pidx)
    return when, cat.astype(np.int16), pidx.astype(np.int64)


def _harm_categories(
    rng: np.random.Generator, types: np.ndarray, severity: np.ndarray, pidx: np.ndarray
) -> np.ndarray:
    """Sample categories from the type mix tilted by each premises' severity."""
    type_keys = list(CATEGORY_MIX)
    tcode = pd.Index(type_keys).get_indexer(types)
    tcode[tcode < 0] = type_keys.index("other")
    mix = np.array([CATEGORY_MIX[k] for k in type_keys], float)
    mix = mix / mix.sum(axis=1, keepdims=True)
    # Per premises: type mix with serious categories scaled by exp(severity).
    probs = mix[tcode] * np.where(_SERIOUS[None, :], np.exp(severity)[:, None], 1.0)
    probs = probs / probs.sum(axis=1, keepdims=True)
    local = _choose_categories(rng, probs, pidx)
    to_global = np.array([_CAT_INDEX[c] for c in _HARM_CATS], dtype=np.int16)
    return to_global[local]


def _street_stream(
    rng: np.random.Generator,
    p: SynthParams,
    street_points: pd.DataFrame | None,
    px: np.ndarray,
    py: np.ndarray,
    streets: np.ndarray,
    days: np.ndarray,
    day_w: np.ndarray,
    n: int,
) -> tuple[np.ndarray, ...]:
    """Background calls at real street snap points, not linked to premises."""
    if street_points is not None and len(street_points):
        sx = street_points["x"].to_numpy(float)
        sy = street_points["y"].to_numpy(float)
        st = _col(street_points, "location_text", "").astype("string").fillna("").to_numpy(dtype=object)
        svocab, scode = np.unique(st.astype(str), return_inverse=True)
        svocab = svocab.astype(object)
        svocab[svocab == ""] = "Location not given"
        k = rng.integers(0, len(sx), n)
        jit = p.street_jitter_m
        x = sx[k] + (rng.normal(0, jit, n) if jit > 0 else 0.0)
        y = sy[k] + (rng.normal(0, jit, n) if jit > 0 else 0.0)
        code = scode[k]
    else:
        k = rng.integers(0, len(px), n)
        ang = rng.random(n) * 2 * np.pi
        rad = np.abs(rng.normal(0, 150.0, n)) + 60.0
        x, y = px[k] + rad * np.cos(ang), py[k] + rad * np.sin(ang)
        svocab = np.array([f"On or near {s}" if s else "Location not given" for s in streets], dtype=object)
        code = k
    d = rng.choice(len(days), n, p=day_w)
    # Night-time economy (60 %): peaked around 00:30; the rest in the day, 07:00-20:00.
    night = rng.random(n) < 0.6
    minute = np.where(night, 20 * 60 + rng.beta(2.2, 2.0, n) * 9 * 60, 7 * 60 + rng.random(n) * 13 * 60)
    when = days[d].astype("datetime64[m]") + np.floor(minute).astype("timedelta64[m]")
    cats = list(STREET_MIX)
    w = np.array([STREET_MIX[c] for c in cats])
    c = rng.choice(len(cats), n, p=w / w.sum())
    to_global = np.array([_CAT_INDEX[x] for x in cats], dtype=np.int16)
    return when, to_global[c], np.round(x, 1), np.round(y, 1), code.astype(np.int64), svocab


def _thrive_codes(rng: np.random.Generator, cat: np.ndarray) -> np.ndarray:
    """Sample a THRIVE grade code (index into E, P, S, CR) per call from its category's mix."""
    rows = [THRIVE_MIX.get(c, THRIVE_MIX["other"]) for c in GENERIC_CATEGORIES]
    tab = np.cumsum(np.array(rows, float), axis=1)
    tab = tab / tab[:, -1:]
    u = rng.random(len(cat))
    g = (tab[cat] < u[:, None]).sum(axis=1)
    return np.minimum(g, 3)


# --- licence attributes (synthetic) -------------------------------------------

_NIGHTCLUB_WORDS = re.compile(
    r"night\s*club|nightclub|\bdisco\b|\bvenue\b|gatecrasher|\blive\b|\bjam house\b", re.I
)
_MEMBERS_CLUB_WORDS = re.compile(
    r"social|sports|conservative|labour|legion|cricket|golf|rugby|tennis|bowl|athletic|association|"
    r"ex.?service|working\s*men|institute|\bw\.?m\.?c\b|liberal|union|community|hockey|football|squash|"
    r"leisure|theatre|church|centre|members|snooker|sailing|old boys|bingo|residents|services|courts|league|"
    r"lions|masonic|rifle|angling|boxing|darts|pool club|ltd club|\bclub ltd",
    re.I,
)
_BAR_WORDS = re.compile(
    r"\bbar\b|lounge|cocktail|\bwine|\bgin\b|brewdog|\btap\b|kitchen|bistro|coffee|\bcafe", re.I
)
_PUB_WORDS = re.compile(
    r"\binn\b|arms|tavern|\bhead\b|\bp\.?h\.?\b|hotel|\boak\b|\blion\b|\bswan\b|crown|\bbell\b|\bvaults\b|"
    r"\bhorse\b|\bbull\b|\bstar\b|\bplough\b|\bwheatsheaf|\bpub\b|\bale\b|brewer|prince|\bking|queen|duke|royal|"
    r"george|anchor|\bfox\b|\bdog\b|\bhare\b|\bstag\b|wetherspoon|public house|railway|mitre|castle|\bcock\b|"
    r"eagle|\bhart\b|\bharp\b|green man|\bcottage\b|beefeater|harvester|toby",
    re.I,
)
_NOT_LNR_WORDS = re.compile(
    r"sandwich|greggs|subway|bakery|baker|coffee|cafe|café|costa|pret\b|deli\b|juice|tea room", re.I
)

# fmt: off
_FIRST = (
    "Alex", "Sam", "Jordan", "Casey", "Morgan", "Riley", "Jamie", "Taylor", "Robin", "Avery", "Harper", "Quinn",
    "Rowan", "Sasha", "Drew", "Kit", "Ellis", "Reese", "Parker", "Hayden", "Noor", "Priya", "Tariq", "Amara",
)
_LAST = (
    "Ashdown", "Brackenridge", "Carrow", "Dunmore", "Ellerby", "Fernhill", "Gorsedale", "Hollowmere", "Inglenook",
    "Juniperfield", "Kestrelford", "Larkspur", "Marshgate", "Nettlecombe", "Oakhollow", "Pennywhistle", "Quarrybank",
    "Rookwood", "Sallowmere", "Thistlewood", "Underhay", "Vexleigh", "Willowby", "Yarrowdale",
)
# fmt: on


def fictitious_names(keys: Any, seed: int, salt: str = "person") -> list[str]:
    """Return one invented person's name per key (word-list surnames; deterministic)."""
    u = _key_uniforms(keys, seed, salt, 2)
    return [f"{_FIRST[int(a * len(_FIRST))]} {_LAST[int(b * len(_LAST))]}" for a, b in u]


def classify_premises_type(name: str, fhrs_type: str, city_centre: bool, u: float) -> str:
    """Guess a licensing premises type from an FHRS business type and a trading name.

    ``u`` is a uniform draw used for the seeded split when the name says nothing.
    """
    t = (fhrs_type or "").lower()
    if t.startswith("takeaway"):
        return "other" if _NOT_LNR_WORDS.search(name) else "late_night_refreshment"
    if t.startswith("restaurant"):
        return "restaurant"
    if t.startswith("pub"):
        if re.search(r"night\s*club|nightclub|\bdisco\b", name, re.I):
            return "nightclub"
        if _MEMBERS_CLUB_WORDS.search(name):
            return "club"
        if _NIGHTCLUB_WORDS.search(name) or (re.search(r"\bclub\b", name, re.I) and city_centre):
            return "nightclub"
        if re.search(r"\bclub\b", name, re.I):
            return "club"
        if _BAR_WORDS.search(name):
            return "bar"
        if _PUB_WORDS.search(name):
            return "pub"
        # The name says nothing: a seeded split, more bars and clubs in the centre.
        if city_centre:
            return "nightclub" if u < 0.15 else ("bar" if u < 0.6 else "pub")
        return "nightclub" if u < 0.02 else ("bar" if u < 0.12 else "pub")
    if "off" in t or "retailer" in t:
        return "off_licence"
    return "other"


def _hhmm(minutes: int) -> str:
    m = int(minutes) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def _session(a: int, b: int) -> str:
    return f"{_hhmm(a)}-{_hhmm(b)}"


def _weekly_hours(ptype: str, centre: bool, u: np.ndarray) -> list[str]:
    """Return the 7 licensed-hours strings (Mon..Sun) for one premises from uniforms ``u``."""
    H = 60
    if ptype == "nightclub":
        late = 5 * H if centre and u[0] < 0.35 else 4 * H
        days = ["closed"] * 7
        days[3] = _session(22 * H, 27 * H) if u[1] < 0.8 else "closed"  # Thursday (student night)
        days[4] = _session(22 * H, 24 * H + late)
        days[5] = _session(22 * H, 24 * H + late)
        if u[2] < 0.35:
            days[2] = _session(22 * H, 27 * H)  # Wednesday
        if u[3] < 0.3:
            days[6] = _session(22 * H, 26 * H)  # Sunday
        if u[4] < 0.2:
            days[0] = _session(22 * H, 27 * H)  # Monday
        return days
    if ptype == "bar":
        wk = 24 * H if u[0] < 0.5 else 25 * H
        we = (26 * H if u[1] < 0.6 else 27 * H) if centre else (25 * H if u[1] < 0.7 else 26 * H)
        return [_session(12 * H, wk)] * 4 + [_session(12 * H, we)] * 2 + [_session(12 * H, 23 * H + 30)]
    if ptype == "pub":
        wk = 23 * H if u[0] < 0.7 else 23 * H + 30
        we = (25 * H if u[1] < 0.5 else 26 * H) if centre else (24 * H if u[1] < 0.6 else 25 * H)
        return [_session(11 * H, wk)] * 4 + [_session(11 * H, we)] * 2 + [_session(12 * H, 22 * H + 30)]
    if ptype == "late_night_refreshment":
        wk = (24 * H, 25 * H, 26 * H)[int(u[0] * 3)]
        we = wk + (H if u[1] < 0.5 else 2 * H) + (H if centre else 0)
        we = min(we, 29 * H)
        return [_session(17 * H, wk)] * 4 + [_session(17 * H, we)] * 2 + [_session(17 * H, 24 * H)]
    if ptype == "club":
        return (
            [_session(12 * H, 23 * H)] * 4 + [_session(12 * H, 24 * H)] * 2 + [_session(12 * H, 22 * H + 30)]
        )
    if ptype == "restaurant":
        we = 24 * H if u[0] < 0.6 else 25 * H
        return [_session(12 * H, 23 * H)] * 4 + [_session(12 * H, we)] * 2 + [_session(12 * H, 22 * H + 30)]
    if ptype == "off_licence":
        return [_session(8 * H, 23 * H)] * 7
    return [_session(7 * H, 19 * H)] * 6 + ["closed"]


_CAPACITY = {  # median, log-sd, minimum, maximum [persons]
    "nightclub": (650, 0.6, 150, 3000),
    "bar": (200, 0.5, 50, 800),
    "pub": (150, 0.5, 40, 600),
    "late_night_refreshment": (20, 0.5, 5, 80),
    "club": (120, 0.5, 30, 400),
    "restaurant": (80, 0.5, 20, 300),
    "off_licence": (15, 0.4, 5, 40),
    "other": (20, 0.5, 5, 80),
}


def synth_licence_attributes(
    premises: pd.DataFrame,
    seed: int = 0,
    centre_xy: tuple[float, float] = (406900.0, 286900.0),
    centre_radius_m: float = 1600.0,
    gang_count: int = 10,
    fhrs_type_column: str = "fhrs_business_type",
) -> pd.DataFrame:
    """Add synthesised licence attributes to a register of real premises.

    Needs ``premises_id``, ``name``, ``x``, ``y`` and either ``premises_type``
    or an FHRS business type column (``fhrs_type_column``).  Adds
    ``premises_type`` (if absent), ``hours_mon`` .. ``hours_sun``,
    ``capacity``, ``door_supervision``, ``door_staff``, ``conditions``,
    ``dps`` (invented names), ``lpa``, ``intel_flags`` and ``synthetic=True``.
    Each premises' attributes depend only on its id and ``seed``, except the
    ``gang`` flag, given to the ``gang_count`` late city-centre venues with the
    highest seeded score.

    ``centre_xy`` / ``centre_radius_m``: the city centre (default: Birmingham,
    Victoria Square area; radius [m]).
    """
    df = pd.DataFrame(premises).copy().reset_index(drop=True)
    ids = df["premises_id"].astype(str).to_numpy()
    u = _key_uniforms(ids, seed, "licence", 8)
    x, y = _xy(df)
    dx, dy = x - centre_xy[0], y - centre_xy[1]
    centre = np.hypot(dx, dy) <= centre_radius_m
    if "premises_type" not in df.columns or df["premises_type"].isna().all():
        df["premises_type"] = _types_by_name(df, fhrs_type_column, centre, u[:, 0])
    types = df["premises_type"].to_numpy(dtype=object)
    hours = [_weekly_hours(t, bool(c), row) for t, c, row in zip(types, centre, u[:, 1:6], strict=False)]
    for d, day in enumerate(WEEKDAYS):
        df[f"hours_{day}"] = [h[d] for h in hours]
    cap = _capacities(types, centre, u[:, 6])
    df["capacity"] = cap
    late_close = _hours_table(df)[:, 4:6, 1].max(
        axis=1
    )  # Fri/Sat closing [min after Friday/Saturday midnight-0]
    big_late_bar = (types == "bar") & ((cap >= 250) | ((late_close >= 26 * 60) & (u[:, 7] < 0.5)))
    late_pub = (types == "pub") & centre & (cap >= 300)
    door = (types == "nightclub") | big_late_bar | late_pub
    df["door_supervision"] = door
    df["door_staff"] = np.where(
        types == "nightclub",
        np.maximum(2, np.round(cap / 100)),
        np.where(door, np.maximum(2, np.round(cap / 150)), 0),
    ).astype(int)
    alcohol = np.isin(types, ["nightclub", "bar", "pub", "club", "restaurant", "off_licence"])
    conds = _conditions(types, alcohol, door, df["door_staff"].to_numpy(), late_close, u[:, 7])
    df["conditions"] = conds
    door_rows = _door_hours(df, conds, door)
    for k, day in enumerate(WEEKDAYS):
        df[f"door_hours_{day}"] = [r[k] for r in door_rows]
    dps = fictitious_names(ids, seed, "dps")
    df["dps"] = [n if a else "" for n, a in zip(dps, alcohol, strict=False)]
    df["lpa"] = _sectors(centre, dx, dy)
    df["intel_flags"] = _gang_flags(types, centre, late_close, u[:, 7], gang_count)
    df["synthetic"] = True
    return df


def _types_by_name(df: pd.DataFrame, fhrs_type_column: str, centre: np.ndarray, u: np.ndarray) -> list[str]:
    """Premises types from the FHRS business type and the name (see :func:`classify_premises_type`)."""
    ftype = _col(df, fhrs_type_column, "Pub/bar/nightclub").astype("string").fillna("").to_numpy(dtype=object)
    names = df["name"].astype("string").fillna("").to_numpy(dtype=object)
    return [
        classify_premises_type(n, t, bool(c), float(v))
        for n, t, c, v in zip(names, ftype, centre, u, strict=False)
    ]


def _capacities(types: np.ndarray, centre: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Capacity [persons] per premises: log-normal around the type's median (x1.3 in the centre), rounded to 10."""
    from scipy.special import ndtri

    z = ndtri(np.clip(u, 1e-9, 1 - 1e-9))
    med = np.array([_CAPACITY.get(t, _CAPACITY["other"])[0] for t in types], float)
    sd = np.array([_CAPACITY.get(t, _CAPACITY["other"])[1] for t in types], float)
    lo = np.array([_CAPACITY.get(t, _CAPACITY["other"])[2] for t in types], float)
    hi = np.array([_CAPACITY.get(t, _CAPACITY["other"])[3] for t in types], float)
    return np.clip(np.round(med * np.exp(sd * z) * np.where(centre, 1.3, 1.0), -1), lo, hi)


def _conditions(
    types: np.ndarray,
    alcohol: np.ndarray,
    door: np.ndarray,
    door_staff: np.ndarray,
    late_close: np.ndarray,
    u: np.ndarray,
) -> list[str]:
    """Licence conditions per premises, '; '-joined, by type, alcohol, door supervision and lateness."""
    conds = []
    for i, t in enumerate(types):
        c: list[str] = []
        if t != "other":
            c.append("CCTV to be installed, maintained and recordings kept for 31 days")
        if alcohol[i]:
            c.append("Challenge 25 policy with a written refusals log")
        if door[i]:
            k = int(door_staff[i])
            c.append(f"SIA registered door supervisors from 21:00 Fri and Sat (minimum {k})")
        if t == "nightclub" or (t == "bar" and late_close[i] >= 26 * 60):
            c.append("Polycarbonate or toughened glasses only after 22:00")
            c.append("Written dispersal policy kept and followed")
        if t == "nightclub" and u[i] < 0.5:
            c.append("Search policy on entry; drugs and weapons amnesty box")
        if t == "late_night_refreshment":
            c.append("Staff trained in conflict management; litter patrol within 50 m at closing")
        if t == "pub" and u[i] < 0.3:
            c.append("No drinks to be taken outside after 22:00")
        if t == "other":
            c.append("No licensable activity (late-night refreshment not licensed)")
        conds.append("; ".join(c))
    return conds


def _door_hours(df: pd.DataFrame, conds: list[str], door: np.ndarray) -> list[tuple[str, ...]]:
    """Door supervision by night, structured from the condition as the reader would parse it."""
    from licvisit.io.hours import door_condition_text, door_hours_for, parse_door_condition

    week = list(zip(*(df[f"hours_{day}"].to_numpy() for day in WEEKDAYS), strict=True))
    return [
        door_hours_for(parse_door_condition(door_condition_text(c)), w) if door[i] else ("closed",) * 7
        for i, (c, w) in enumerate(zip(conds, week, strict=True))
    ]


def _sectors(centre: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Local policing area: the city centre, else the compass sector from it."""
    ang = np.degrees(np.arctan2(dy, dx))  # 0 = east, 90 = north
    return np.where(
        centre,
        "Birmingham City Centre",
        np.where(
            (ang > 45) & (ang <= 135),
            "Birmingham North",
            np.where(
                (ang > -45) & (ang <= 45),
                "Birmingham East",
                np.where((ang > -135) & (ang <= -45), "Birmingham South", "Birmingham West"),
            ),
        ),
    )


def _gang_flags(
    types: np.ndarray, centre: np.ndarray, late_close: np.ndarray, u: np.ndarray, gang_count: int
) -> np.ndarray:
    """Gang intelligence on a few late venues in the centre, chosen by a seeded score."""
    late_venue = (
        centre & np.isin(types, ["nightclub", "bar", "late_night_refreshment"]) & (late_close >= 26 * 60)
    )
    score = np.where(late_venue, u + (types == "nightclub") * 0.6 + (types == "bar") * 0.3, -1.0)
    order = np.argsort(-score, kind="stable")
    flags = np.array([""] * len(types), dtype=object)
    chosen = [i for i in order[:gang_count] if score[i] >= 0]
    flags[chosen] = "gang"
    return flags


def synth_premises(
    n: int,
    seed: int = 0,
    centre: tuple[float, float] = (406900.0, 286900.0),
    radius_m: float = 8000.0,
) -> pd.DataFrame:
    """Generate an invented register of ``n`` premises around ``centre`` (EPSG:27700).

    For benchmarks needing a larger register than the real one.  Half the
    premises cluster within 1.5 km of the centre (as a city's NTE does), the
    rest spread over ``radius_m``.  Columns: the premises glossary plus
    ``longitude``, ``latitude``; ids 'SP000001'...
    """
    if n < 0:
        raise ValueError("Expected n >= 0.")
    rng = np.random.default_rng([int(seed), 27700])
    near = rng.random(n) < 0.5
    r = np.where(near, np.abs(rng.normal(0, 700, n)), np.sqrt(rng.random(n)) * radius_m)
    a = rng.random(n) * 2 * np.pi
    x = np.round(centre[0] + r * np.cos(a), 1)
    y = np.round(centre[1] + r * np.sin(a), 1)
    u = rng.random(n)
    types = np.where(
        u < 0.30,
        "pub",
        np.where(
            u < 0.45,
            "bar",
            np.where(
                u < 0.50,
                "nightclub",
                np.where(u < 0.80, "late_night_refreshment", np.where(u < 0.9, "restaurant", "club")),
            ),
        ),
    )
    ids = [f"SP{i:06d}" for i in range(1, n + 1)]
    words = (
        "Crown",
        "Anchor",
        "Lamp",
        "Forge",
        "Canal",
        "Foundry",
        "Lantern",
        "Quay",
        "Vault",
        "Mill",
        "Wharf",
    )
    kinds = {
        "pub": "Inn",
        "bar": "Bar",
        "nightclub": "Club",
        "late_night_refreshment": "Grill",
        "restaurant": "Kitchen",
        "club": "Social Club",
    }
    streets = (
        "High Street",
        "Station Road",
        "Church Road",
        "Broad Street",
        "Mill Lane",
        "Park Road",
        "New Street",
    )
    names = [f"The {words[i % len(words)]} {kinds[t]} {i}" for i, t in enumerate(types)]
    addr = [f"{(i % 200) + 1} {streets[i % len(streets)]}" for i in range(n)]
    df = pd.DataFrame(
        {
            "premises_id": ids,
            "name": names,
            "address": addr,
            "postcode": "",
            "premises_type": types,
            "x": x,
            "y": y,
        }
    )
    df = synth_licence_attributes(df, seed=seed, centre_xy=centre, gang_count=max(1, n // 100) if n else 0)
    if n:
        df["longitude"], df["latitude"] = _to_lonlat(x, y)
    else:
        df["longitude"], df["latitude"] = np.zeros(0), np.zeros(0)
    return df


# --- visit history -------------------------------------------------------------

VISIT_NOTES = {
    "compliant": (
        "All conditions met; refusals log up to date.",
        "CCTV checked and working, 31 days kept; DPS on site.",
        "Door team licensed and logged; no issues.",
        "Challenge 25 signage displayed; staff aware of policy.",
    ),
    "advice_given": (
        "Refusals log incomplete; advice given to DPS.",
        "CCTV retention only 14 days; advised to extend to 31.",
        "Door staff signing-in sheet missing times; advised.",
        "Dispersal at closing slow; advice on staggered exit.",
    ),
    "breach_found": (
        "Door supervisor without SIA badge on display; breach of condition.",
        "No CCTV recordings available for last weekend; breach of condition.",
        "Sales after licensed hours observed; breach recorded.",
        "Glass in use after 22:00 contrary to licence; breach recorded.",
    ),
    "action_plan": (
        "Action plan agreed with DPS after repeated disorder at closing.",
        "Action plan: extra door staff Fri/Sat and search policy.",
    ),
    "review_requested": ("Persistent breaches; licence review application being prepared.",),
    "other": ("Premises closed on arrival.", "DPS not on site; follow-up booked."),
}


def synth_visits(
    premises: pd.DataFrame,
    params: SynthParams | None = None,
    seed: int = 0,
    visits_per_week: float = 22.0,
    recent_breaches: int = 3,
) -> pd.DataFrame:
    """Generate a visit history with outcomes over ``params.start`` .. ``params.end``.

    PALOs visit risky premises more often (by the hidden rate, softened) and
    at times they are open; breaches are likelier at high-rate premises.
    ``recent_breaches`` breach_found visits are placed in the last three
    weeks so the next week's plan has follow-ups.  Columns: the visit
    glossary (``premises_id, visited_at, visit_type, outcome, notes``).
    """
    p = params or SynthParams()
    rng = np.random.default_rng([int(seed), 1003])
    prem = pd.DataFrame(premises).reset_index(drop=True)
    ids = prem["premises_id"].astype(str).to_numpy(dtype=object)
    hrs = _hours_table(prem)
    open_any = (hrs[:, :, 0] >= 0).any(axis=1)
    types = _col(prem, "premises_type", "other").astype("string").fillna("other").to_numpy(dtype=object)
    licensable = open_any & (types != "other")
    rate = premises_rates(prem, p, seed)
    w = np.sqrt(rate) * licensable
    if w.sum() <= 0:
        return pd.DataFrame(
            {"premises_id": [], "visited_at": [], "visit_type": [], "outcome": [], "notes": []}
        )
    n = int(rng.poisson(visits_per_week * p.days / 7.0))
    days = np.arange(np.datetime64(p.start), np.datetime64(p.end) + 1)
    dow0 = int((days[0].astype("int64") + 3) % 7)
    dw = np.array([0.3, 0.5, 0.6, 1.0, 1.6, 1.6, 0.3])
    pick, dsel = [], []
    need = n
    while need > 0:
        cp = rng.choice(len(w), need * 2, p=w / w.sum())
        cd = rng.choice(
            len(days),
            need * 2,
            p=(dw[(dow0 + np.arange(len(days))) % 7] / dw[(dow0 + np.arange(len(days))) % 7].sum()),
        )
        ok = hrs[cp, (dow0 + cd) % 7, 0] >= 0
        pick.extend(cp[ok][:need])
        dsel.extend(cd[ok][:need])
        need = n - len(pick)
    pick_a, d_a = np.array(pick[:n], int), np.array(dsel[:n], int)
    # Force a few breaches near the end (follow-ups for the demo week).
    ranked = np.argsort(-rate * licensable, kind="stable")
    top_late = [i for i in ranked[:60] if types[i] in ("nightclub", "bar")][:recent_breaches]
    last = len(days) - 1
    rec_days = [max(0, last - k) for k in (3, 9, 16, 6, 12)[: len(top_late)]]
    for i, dd in zip(top_late, rec_days, strict=False):
        # Move to a night it is open, on or before dd.
        while hrs[i, (dow0 + dd) % 7, 0] < 0 and dd > 0:
            dd -= 1
        pick_a = np.append(pick_a, i)
        d_a = np.append(d_a, dd)
    forced = np.zeros(len(pick_a), bool)
    forced[n:] = True
    dow = (dow0 + d_a) % 7
    s = hrs[pick_a, dow, 0]
    e = hrs[pick_a, dow, 1]
    start_min = np.maximum(s, 19 * 60)
    end_min = np.maximum(np.minimum(e - 15, 26 * 60), start_min + 1)
    minute = (start_min + rng.random(len(pick_a)) * (end_min - start_min)).astype(int) // 5 * 5
    when = days[d_a].astype("datetime64[m]") + minute.astype("timedelta64[m]")
    door = _flag(_col(prem, "door_supervision", False).astype(str))
    gang = _col(prem, "intel_flags", "").astype("string").fillna("").str.contains("gang").to_numpy()
    r = rng.random(len(pick_a))
    vtype = np.where(
        gang[pick_a] & (r < 0.4),
        "gang_op",
        np.where(door[pick_a] & (r < 0.7), "sia_check", "licensing_compliance"),
    )
    # Outcome: breach probability rises with the hidden rate.
    rel = np.clip(np.log(rate[pick_a] / np.median(rate[licensable])) / 3.0, -1, 1)
    pb = np.clip(0.06 + 0.08 * rel, 0.01, 0.25)
    pa = 0.25 + 0.05 * rel
    u2 = rng.random(len(pick_a))
    outcome = np.where(
        u2 < pb,
        "breach_found",
        np.where(
            u2 < pb + 0.02,
            "action_plan",
            np.where(
                u2 < pb + 0.025,
                "review_requested",
                np.where(
                    u2 < pb + 0.045, "other", np.where(u2 < pb + 0.045 + pa, "advice_given", "compliant")
                ),
            ),
        ),
    ).astype(object)
    outcome[forced] = "breach_found"
    k = rng.integers(0, 1000, len(pick_a))
    notes = [VISIT_NOTES[o][j % len(VISIT_NOTES[o])] for o, j in zip(outcome, k, strict=False)]
    out = pd.DataFrame(
        {
            "premises_id": ids[pick_a],
            "visited_at": when.astype("datetime64[ns]"),
            "visit_type": vtype.astype(object),
            "outcome": outcome,
            "notes": notes,
        }
    )
    return out.sort_values(["visited_at", "premises_id"], kind="stable").reset_index(drop=True)
