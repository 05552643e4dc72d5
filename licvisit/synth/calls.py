"""Synthetic calls for service: premises-linked harm and preventive calls, and street calls.

See the model in :mod:`licvisit.synth` and docs/demo-data.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import GENERIC_CATEGORIES
from licvisit.synth.model import _col, _hours_table, _key_uniforms, _to_lonlat, _xy, premises_rates
from licvisit.synth.params import (
    _HARM_CATS,
    _SERIOUS,
    _THRIVE,
    CATEGORY_LABELS,
    CATEGORY_MIX,
    STREET_MIX,
    THRIVE_MIX,
    SynthParams,
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


def _choose_categories(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sample a category index per call from per-row probability rows (chunked inverse CDF)."""
    out = np.empty(len(rows), dtype=np.int16)
    step = 250_000
    for a in range(0, len(rows), step):
        cum = np.cumsum(probs[rows[a : a + step]], axis=1)
        u = rng.random(len(cum))[:, None] * cum[:, -1:]
        out[a : a + step] = (cum < u).sum(axis=1)
    return out


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
        open_any=np.asarray((hrs[:, :, 0] >= 0).any(axis=1)) if n_prem else np.zeros(0, bool),
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
    if not frames:
        return None
    when, cat, pidx = (np.concatenate([f[i] for f in frames]) for i in range(3))
    return when, cat, pidx


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
