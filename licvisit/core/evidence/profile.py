"""The premises profile of a zone beside the rest of the area: type, capacity band, terminal hours, density.

The s182 guidance (Home Office, *Revised Guidance issued under section 182 of
the Licensing Act 2003*, chapter 14, cumulative impact) and Scottish
overprovision statements turn on the number, type, capacity and closing times
of premises in an area.  Counts are under the same disclosure control as the
crime tables (counts 1 .. threshold-1 hidden, with secondary suppression where
a total is shown).  Pure functions; no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from licvisit.core.evidence import disclosure as sdc
from licvisit.domain import WEEKDAYS, parse_session

TYPE_WORDS = {
    "pub": "Pub",
    "bar": "Bar",
    "nightclub": "Nightclub",
    "late_night_refreshment": "Late-night refreshment (takeaway)",
    "off_licence": "Off-licence or shop",
    "club": "Members' club",
    "restaurant": "Restaurant or café",
    "other": "Other",
}
CAPACITY_BANDS = ((0, 100, "under 100"), (100, 250, "100 to 249"), (250, 500, "250 to 499"),
                  (500, 1000, "500 to 999"), (1000, np.inf, "1,000 or more"))  # fmt: skip
CAPACITY_UNKNOWN = "not known"
DAY_WORDS = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def type_words(code: object) -> str:
    """A premises type code in words ('late_night_refreshment' -> 'Late-night refreshment (takeaway)')."""
    s = str(code).strip()
    return TYPE_WORDS.get(s, s.replace("_", " ").capitalize() or "Other")


def capacity_band(capacity: pd.Series) -> pd.Series:
    """Capacity [persons] in bands; NaN or non-positive -> 'not known'."""
    v = pd.to_numeric(capacity, errors="coerce").to_numpy(float)
    out = np.full(len(v), CAPACITY_UNKNOWN, dtype=object)
    for lo, hi, label in CAPACITY_BANDS:
        out[(v > lo if lo == 0 else v >= lo) & (v < hi)] = label
    return pd.Series(out, index=capacity.index)


def terminal_minutes(hours: pd.Series) -> np.ndarray:
    """End of each day's licensed session in minutes after that day's midnight (>1440 past midnight); NaN if
    closed, blank or unreadable."""
    out = np.full(len(hours), np.nan)
    for i, text in enumerate(hours.tolist()):
        try:
            s = parse_session(text)
        except ValueError:
            s = None
        if s is not None:
            out[i] = s[1]
    return out


def clock(minutes: float) -> str:
    """1620 -> '03:00 (next day)'."""
    if not np.isfinite(minutes):
        return ""
    m = int(minutes)
    text = f"{(m // 60) % 24:02d}:{m % 60:02d}"
    return text + (" (next day)" if m > 1440 else "")


def _section(counts: pd.DataFrame, threshold: int, with_total: bool) -> pd.DataFrame:
    frame, _r, _c = sdc.suppress_counts(counts, threshold, row_totals=False, col_totals=with_total,
                                        total_label="All premises")  # fmt: skip
    return frame


def premises_profile(
    zone: pd.DataFrame,
    rest: pd.DataFrame,
    zone_km2: float,
    rest_km2: float,
    threshold: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile the premises of the zone beside the rest of the area.

    Parameters
    ----------
    zone, rest : premises frames (``premises_type``, ``capacity``, ``hours_mon`` .. ``hours_sun``)
    zone_km2, rest_km2 : land areas [km²] for densities
    threshold : disclosure threshold

    Returns
    -------
    (profile, latest_hours)
        ``profile`` rows (section, group) with published counts ``zone premises``
        / ``rest premises``, densities per km² and shares [%]; ``latest_hours``
        per weekday, the latest licensed hour in each area and how many premises
        are licensed past midnight and past 02:00.
    """
    cols = ["zone premises", "rest premises"]
    parts = []

    def counts_by(labels_z: pd.Series, labels_r: pd.Series, order: list[str]) -> pd.DataFrame:
        c = pd.DataFrame({cols[0]: labels_z.value_counts(), cols[1]: labels_r.value_counts()})
        c = c.reindex([o for o in order if o in c.index]).fillna(0).astype("int64")
        return c

    types_z = zone["premises_type"].map(type_words) if len(zone) else pd.Series(dtype=object)
    types_r = rest["premises_type"].map(type_words) if len(rest) else pd.Series(dtype=object)
    order = list(dict.fromkeys([*TYPE_WORDS.values(), *types_z, *types_r]))
    t = _section(counts_by(types_z, types_r, order), threshold, True)
    parts.append(("Licensing type", t))
    cap_z = (
        capacity_band(zone["capacity"]) if "capacity" in zone else pd.Series([CAPACITY_UNKNOWN] * len(zone))
    )
    cap_r = (
        capacity_band(rest["capacity"]) if "capacity" in rest else pd.Series([CAPACITY_UNKNOWN] * len(rest))
    )
    c = _section(
        counts_by(cap_z, cap_r, [b[2] for b in CAPACITY_BANDS] + [CAPACITY_UNKNOWN]), threshold, False
    )
    parts.append(("Capacity band", c))
    late_rows, latest, any_known = {}, [], False
    for d in WEEKDAYS:
        col = f"hours_{d}"
        ez = terminal_minutes(zone[col]) if col in zone else np.full(len(zone), np.nan)
        er = terminal_minutes(rest[col]) if col in rest else np.full(len(rest), np.nan)
        day = DAY_WORDS[d]
        any_known |= bool(np.isfinite(ez).any() or np.isfinite(er).any())
        late_rows[f"{day}: licensed past midnight"] = [int((ez > 1440).sum()), int((er > 1440).sum())]
        late_rows[f"{day}: licensed past 02:00"] = [int((ez > 1560).sum()), int((er > 1560).sum())]
        latest.append(
            {
                "weekday": day,
                "zone latest licensed hour": clock(np.nanmax(ez)) if np.isfinite(ez).any() else "not known",
                "rest latest licensed hour": clock(np.nanmax(er)) if np.isfinite(er).any() else "not known",
            }
        )
    if any_known:  # without hours in the register, zeros here would wrongly say no premises open late
        h = _section(pd.DataFrame.from_dict(late_rows, orient="index", columns=cols), threshold, False)
        parts.append(("Licensed hours", h))
    frames = []
    for section, f in parts:
        f = f.copy()
        f.index = pd.MultiIndex.from_arrays([[section] * len(f), f.index], names=["section", "group"])
        frames.append(f)
    prof = pd.concat(frames)
    zt = prof.loc[("Licensing type", "All premises")]
    for side, km2 in ((0, zone_km2), (1, rest_km2)):
        n = prof[cols[side]].astype("Float64")
        label = "zone" if side == 0 else "rest"
        prof[f"{label} per km²"] = (n / km2).round(1) if km2 > 0 else np.nan
        total = zt[cols[side]]
        prof[f"{label} share %"] = (
            (100 * n / float(total)).round(0) if sdc_visible(total) and total else np.nan
        )
    prof = prof[[cols[0], "zone per km²", "zone share %", cols[1], "rest per km²", "rest share %"]]
    flat = prof.reset_index()
    flat.index = pd.Index(
        [f"{s}: {g}" for s, g in zip(flat["section"], flat["group"], strict=True)], name="row"
    )
    return flat.drop(columns=["section", "group"]).rename_axis("group"), pd.DataFrame(latest).set_index(
        "weekday"
    )


def sdc_visible(v: object) -> bool:
    return v is not None and not pd.isna(v)
