"""Model tables and :class:`SynthParams` of the synthetic data generator (documented in docs/demo-data.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from licvisit.domain import GENERIC_CATEGORIES, PREVENTIVE_CATEGORIES

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
