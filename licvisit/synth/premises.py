"""Synthetic licence attributes for a register of real premises, and an invented register."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS
from licvisit.synth.model import _col, _hours_table, _key_uniforms, _to_lonlat, _xy

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

    Each premises' attributes depend only on its id and ``seed``, except the
    ``gang`` flag, given to the ``gang_count`` late city-centre venues with the
    highest seeded score.  The steps: type (from the FHRS type and the name, if
    absent) → weekly hours → capacity → door supervision → conditions → door
    hours → designated premises supervisor → local policing area → gang flags.

    Parameters
    ----------
    premises : DataFrame
        ``premises_id``, ``name``, ``x``, ``y`` and either ``premises_type`` or
        an FHRS business type column (``fhrs_type_column``).
    seed : int
    centre_xy : tuple of float
        The city centre [m, EPSG:27700] (default: Birmingham, Victoria Square area).
    centre_radius_m : float
        Radius of the city centre [m].
    gang_count : int
        Late city-centre venues given a ``gang`` intelligence flag.
    fhrs_type_column : str
        The FHRS business type column, read when ``premises_type`` is absent or blank.

    Returns
    -------
    DataFrame
        A copy with ``premises_type`` (if absent), ``hours_mon`` .. ``hours_sun``,
        ``capacity``, ``door_supervision``, ``door_staff``, ``conditions``,
        ``door_hours_mon`` .. ``door_hours_sun``, ``dps`` (invented names),
        ``lpa``, ``intel_flags`` and ``synthetic=True``.
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
