"""Define licvisit's domain types, glossary of column names and parameter objects.

Large tables (calls, premises, zones, visit history) are pandas/geopandas
frames whose columns follow the glossary below (see docs/data-contracts.md);
small, structured things (officers, crews, visits in a plan) are frozen
dataclasses.  Coordinates for analysis are British National Grid
(EPSG:27700) in metres, held in ``x`` (easting) and ``y`` (northing).
All times are naive local (Europe/London wall-clock) datetimes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ANALYSIS_CRS = "EPSG:27700"
MAP_CRS = "EPSG:4326"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# --- glossary -------------------------------------------------------------
# Calls for service / crime records (pandas DataFrame, one row per call).
CALL_COLUMNS = {
    "call_id": "str: the force's incident/crime reference (blank allowed for police.uk ASB)",
    "occurred_at": "datetime64: when it happened (local time); for month-only data the first of the month",
    "time_known": "bool: False when only the month is known (police.uk)",
    "category": "str: licvisit category (see licvisit.core.risk.harm.CATEGORIES), 'other' if unmapped",
    "category_raw": "str: the category exactly as in the source",
    "thrive": "str: THRIVE grade E / P / S / CR, or '' when not given",
    "premises_ref": "str: premises_id named in the call, or ''",
    "location_text": "str: free-text location, e.g. 'outside The Victoria, John Bright St'",
    "x": "float: easting [m], EPSG:27700",
    "y": "float: northing [m], EPSG:27700",
    "source_file": "str: file the row came from",
    "source_row": "int: row number in that file (header = 1)",
}

# Premises register (GeoDataFrame, geometry = Point in EPSG:27700).
PREMISES_COLUMNS = {
    "premises_id": "str: unique id (FHRSID, licence number, OSM id...)",
    "name": "str: trading name",
    "address": "str: one-line address",
    "postcode": "str",
    "premises_type": "str: pub, bar, nightclub, late_night_refreshment, off_licence, club, restaurant, other",
    "hours_mon": "str: licensed hours for the session starting that day, 'HH:MM-HH:MM' (may cross midnight) or 'closed'",
    "hours_tue": "str",
    "hours_wed": "str",
    "hours_thu": "str",
    "hours_fri": "str",
    "hours_sat": "str",
    "hours_sun": "str",
    "capacity": "float: licensed capacity [persons], NaN if unknown",
    "door_supervision": "bool: SIA door supervisors required by the licence",
    "door_staff": "int: typical number of door supervisors on a busy night",
    "conditions": "str: licence conditions, '; '-separated",
    "dps": "str: Designated Premises Supervisor",
    "lpa": "str: local policing area",
    "intel_flags": "str: '; '-separated intelligence flags, e.g. 'gang'",
    "synthetic": "bool: True where licence attributes were synthesised (demo data)",
    "x": "float: easting [m]",
    "y": "float: northing [m]",
}

# Columns every premises reader adds after PREMISES_COLUMNS (licvisit.io.hours)
PREMISES_HOURS_COLUMNS = {
    "hours_known": "bool: False where the source gives no licensed hours (unknown, not closed)",
    "hours_note": "str: non-standard timings, other sessions of the day, comments from the source",
    "opening_hours": "str: weekly opening hours as published, e.g. 'Mon-Thu 10:00-00:30; Fri-Sat 10:00-01:30'",
    "alcohol_hours": "str: weekly hours of sale of alcohol where the register gives them per activity",
    "activities": "str: '; '-separated licensable activities",
    "left_out": "str: why the premises is not ranked or planned ('' = it is), e.g. 'FHRS School/college/university'",
    **{
        f"door_hours_{d}": "str: SIA door supervisors that night, 'HH:MM-HH:MM', 'closed' (none) or '' (unknown)"
        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
}

VISIT_COLUMNS = {
    "premises_id": "str",
    "visited_at": "datetime64",
    "visit_type": "str: licensing_compliance, sia_check, gang_op, other",
    "outcome": "str: compliant, advice_given, breach_found, action_plan, review_requested, no_access, other",
    "notes": "str",
}

ZONE_COLUMNS = {"zone_id": "str", "name": "str", "geometry": "Polygon in EPSG:27700"}

THRIVE_GRADES = ("E", "P", "S", "CR")

STAFF_ROLES = (
    "licensing_sergeant",
    "licensing_pc",
    "licensing_staff",
    "council_licensing",
    "sia_enforcement",
    "gang_spotter",
    "uniformed_support",
)
# PALO: a police alcohol licensing officer (sworn or police staff).
PALO_ROLES = frozenset({"licensing_sergeant", "licensing_pc", "licensing_staff"})

# Columns of an outcomes file exported from a crew map (Export outcomes) and read back by
# ``licvisit visits import``: the visit-history columns, then who recorded the visit and what they found.
OUTCOME_HISTORY_COLUMNS = ("premises_id", "visited_at", "visit_type", "outcome", "notes")
OUTCOME_EXTRA_COLUMNS = (
    "crew_id",
    "officer_ids",
    "breached_conditions",
    "door_staff_checked",
    "door_staff_valid",
    "recorded_at",
)
OUTCOME_EXPORT_COLUMNS = (*OUTCOME_HISTORY_COLUMNS, *OUTCOME_EXTRA_COLUMNS)

VISIT_OUTCOMES = (
    "compliant",
    "advice_given",
    "breach_found",
    "action_plan",
    "review_requested",
    "no_access",
    "other",
)

_HHMM = re.compile(r"^\s*(\d{1,2})[:.]?(\d{2})\s*$")


def parse_hhmm(text: str) -> int:
    """Return minutes after midnight for 'HH:MM' (24:00 allowed); raise ValueError."""
    m = _HHMM.match(str(text))
    if not m:
        raise ValueError(f"not a time HH:MM: {text!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 24 or mi > 59 or (h == 24 and mi):
        raise ValueError(f"not a time HH:MM: {text!r}")
    return h * 60 + mi


def parse_session(text: Any) -> tuple[int, int] | None:
    """Parse one day's hours 'HH:MM-HH:MM' into (start, end) minutes.

    ``end`` is > ``start``; a session crossing midnight has ``end`` > 1440
    (e.g. '22:00-03:00' -> (1320, 1620)).  'closed', '' and NaN give None.
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    s = str(text).strip().lower()
    if s in ("", "closed", "none", "-", "nan"):
        return None
    if s in ("24h", "24 hours", "00:00-24:00"):
        return (0, 1440)
    parts = re.split(r"\s*(?:-|–|\bto\b)\s*", s, maxsplit=1)
    if len(parts) != 2:
        raise ValueError(f"not hours HH:MM-HH:MM: {text!r}")
    a, b = parse_hhmm(parts[0]), parse_hhmm(parts[1])
    if b == a:  # '22:00-22:00' is no time at all, not 24 hours (write '24h')
        raise ValueError(f"zero-length hours {text!r}: write 24h for all day")
    if b < a:
        b += 1440
    return (a, b)


@dataclass(frozen=True)
class OpeningHours:
    """Licensed hours for each weekday's session; a session may cross midnight."""

    sessions: tuple[tuple[int, int] | None, ...]  # 7 entries, Monday first

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> OpeningHours:
        return cls(tuple(parse_session(row.get(f"hours_{d}")) for d in WEEKDAYS))

    def window_on(self, night: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """Return (open, close) of the session starting on ``night``, or None if closed."""
        sess = self.sessions[night.weekday()]
        if sess is None:
            return None
        base = dt.datetime.combine(night, dt.time())
        return base + dt.timedelta(minutes=sess[0]), base + dt.timedelta(minutes=sess[1])

    def is_open(self, when: dt.datetime) -> bool:
        """True if licensed at wall-clock ``when`` (checks today's and yesterday's session)."""
        minute = when.hour * 60 + when.minute
        wd = when.weekday()
        today = self.sessions[wd]
        if today is not None and today[0] <= minute < today[1]:
            return True
        yday = self.sessions[(wd - 1) % 7]
        return yday is not None and minute + 1440 < yday[1]


@dataclass(frozen=True)
class Availability:
    """One officer's availability on one night: start and end wall-clock datetimes."""

    night: dt.date
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Officer:
    """A member of the licensing team or a partner agency."""

    officer_id: str
    name: str
    role: str  # one of STAFF_ROLES
    base: str  # base station name
    base_x: float  # easting [m]
    base_y: float  # northing [m]
    lpa: str = ""
    part_time: bool = False
    max_shifts: int = 5  # per week
    contracted_hours: float = 37.0  # per week [h]
    availability: tuple[Availability, ...] = ()
    preferences: tuple[str, ...] = ()  # e.g. 'prefers_fri_off'

    @property
    def is_palo(self) -> bool:
        return self.role in PALO_ROLES


@dataclass(frozen=True)
class OperationType:
    """A kind of visit and the crew it needs."""

    name: str  # licensing_compliance, sia_check, gang_op
    label: str
    roles: tuple[str, ...]  # one officer of each listed role; 'palo' means any PALO role
    service_min: int  # base time at the premises [min]
    service_min_per_100_capacity: float = 0.0
    service_min_per_door_staff: float = 0.0
    max_service_min: int = 60
    earliest: str = "18:00"  # earliest start of visits (wall clock)
    latest: str = "04:00"  # latest end (may be after midnight)
    requires: str = ""  # premises predicate: '', 'door_supervision', 'gang'
    # Other purposes a visit of this type also serves when the premises is a candidate for them
    # (an SIA check by a PALO also counts as the week's licensing compliance visit).
    covers: tuple[str, ...] = ()
    # Crew templates: ``roles`` or any of ``alt_roles`` (each one officer per listed role), plus at
    # most one ``support_role`` officer when one is rostered (crews of two or three).
    alt_roles: tuple[tuple[str, ...], ...] = ()
    support_role: str = ""

    def templates(self) -> tuple[tuple[str, ...], ...]:
        """Return the alternative core compositions of a crew for this operation."""
        return (tuple(self.roles), *(tuple(r) for r in self.alt_roles))


DEFAULT_OPERATIONS = (
    OperationType(
        "licensing_compliance",
        "Licensing compliance visit",
        ("palo", "council_licensing"),
        20,
        service_min_per_100_capacity=4.0,
        max_service_min=40,
        earliest="18:00",
        latest="02:00",
        alt_roles=(("palo", "palo"),),
        support_role="uniformed_support",
    ),
    OperationType(
        "sia_check",
        "SIA compliance check",
        ("palo", "sia_enforcement"),
        15,
        service_min_per_door_staff=5.0,
        max_service_min=45,
        earliest="22:00",
        latest="03:00",
        requires="door_supervision",
        covers=("licensing_compliance",),
    ),
    OperationType(
        "gang_op",
        "Licensing and gang-spotting operation",
        ("palo", "gang_spotter"),
        30,
        max_service_min=45,
        earliest="22:00",
        latest="03:00",
        requires="gang",
        covers=("licensing_compliance",),
    ),
)


@dataclass(frozen=True)
class Crew:
    """A crew formed for one night and one operation type; routed as one vehicle."""

    crew_id: str  # e.g. 'FRI-SIA-1'
    night: dt.date
    op_type: str
    members: tuple[str, ...]  # officer_ids
    base: str
    base_x: float
    base_y: float
    shift_start: dt.datetime
    shift_end: dt.datetime
    breaks: tuple[tuple[dt.datetime, dt.datetime], ...] = ()  # (start, end) of each break, no visit in it
    lpas: tuple[str, ...] = ()  # local policing areas its members cover ('' = any)
    travel_min: int = 0  # minutes on the road (on-site + travel + breaks + idle = shift length)
    idle_min: int = 0  # minutes waiting: not on site, not travelling, not on a break


@dataclass(frozen=True)
class Visit:
    """One planned visit."""

    premises_id: str
    crew_id: str
    night: dt.date
    op_type: str
    order: int  # 1-based within the crew-night
    arrival: dt.datetime
    departure: dt.datetime
    window_open: dt.datetime
    window_close: dt.datetime
    value: float
    locked: bool = False
    reason: str = ""  # why chosen: risk components in words
    purposes: tuple[str, ...] = ()  # operation types this visit serves (op_type first); () = (op_type,)
    repeat_reason: str = ""  # why the premises is visited again this week ('' = first visit)


@dataclass(frozen=True)
class DroppedCandidate:
    """A candidate visit not in the plan, and why."""

    premises_id: str
    op_type: str
    value: float
    # excluded, recently_visited, no_door_supervision, no_crew_when_open, outside_shifts,
    # not_worth_travel, crews_full, too_little_work, one_visit_per_premises (docs/planning.md, step 6)
    reason_code: str
    reason: str
    displaced_by: str = ""  # crews_full: planned visits it could replace, 'premises_id (value); ...'


@dataclass(frozen=True)
class BentRule:
    """A soft rule the plan bent, with its named penalty."""

    rule: str
    subject: str
    penalty: float
    detail: str


@dataclass(frozen=True)
class ShiftAssignment:
    """An officer rostered on a night."""

    officer_id: str
    night: dt.date
    start: dt.datetime
    end: dt.datetime
    crew_id: str = ""


@dataclass(frozen=True)
class Lock:
    """A visit pinned by the sergeant: premises on a night, optionally by a crew."""

    premises_id: str
    night: dt.date
    op_type: str = ""
    crew_id: str = ""


@dataclass
class Plan:
    """A week's plan: roster, crews, visits, and what was left out and bent."""

    week_start: dt.date  # the Monday
    roster: list[ShiftAssignment]
    crews: list[Crew]
    visits: list[Visit]
    dropped: list[DroppedCandidate]
    bent: list[BentRule] = field(default_factory=list)
    locks: list[Lock] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # seed, time limit, objective, solver status

    @property
    def total_value(self) -> float:
        return float(sum(v.value for v in self.visits))


@dataclass
class Inputs:
    """Everything loaded for a run, in analysis form (EPSG:27700)."""

    calls: pd.DataFrame | None = None
    premises: Any = None  # geopandas.GeoDataFrame
    zones: Any = None  # geopandas.GeoDataFrame
    staff: list[Officer] | None = None
    visits: pd.DataFrame | None = None
    stop_search: pd.DataFrame | None = None
    other_evidence: list[pd.DataFrame] | None = None  # licvisit.io.other_evidence.OTHER_EVIDENCE_COLUMNS
    report: Any = None  # licvisit.io.validate.ValidationReport


# --- call categories --------------------------------------------------------
# police.uk street-level crime types (download label -> our category name).
POLICE_UK_CATEGORIES = {
    "Anti-social behaviour": "anti_social_behaviour",
    "Bicycle theft": "bicycle_theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal_damage_arson",
    "Drugs": "drugs",
    "Other crime": "other_crime",
    "Other theft": "other_theft",
    "Possession of weapons": "possession_of_weapons",
    "Public order": "public_order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft_from_the_person",
    "Vehicle crime": "vehicle_crime",
    "Violence and sexual offences": "violence_and_sexual_offences",
}
# police.uk API slugs (as in crimeclean.csv) -> our category name.
POLICE_UK_SLUGS = {
    "anti-social-behaviour": "anti_social_behaviour",
    "bicycle-theft": "bicycle_theft",
    "burglary": "burglary",
    "criminal-damage-arson": "criminal_damage_arson",
    "drugs": "drugs",
    "other-crime": "other_crime",
    "other-theft": "other_theft",
    "possession-of-weapons": "possession_of_weapons",
    "public-order": "public_order",
    "robbery": "robbery",
    "shoplifting": "shoplifting",
    "theft-from-the-person": "theft_from_the_person",
    "vehicle-crime": "vehicle_crime",
    "violent-crime": "violence_and_sexual_offences",
}
# Generic calls-for-service categories for force CAD exports (documented set).
GENERIC_CATEGORIES = (
    "violence_with_injury",
    "violence_without_injury",
    "sexual_offence",
    "robbery",
    "weapons",
    "public_order",
    "drunk_and_disorderly",
    "criminal_damage",
    "theft",
    "drugs",
    "anti_social_behaviour",
    "concern_for_welfare",
    "licensing_concern",
    "door_staff_request",  # preventive: door staff asking for help
    "refusal_report",  # preventive: premises reporting a refusal / ejection
    "other",
)
# Categories that usually mean the premises is helping; kept out of risk by default.
PREVENTIVE_CATEGORIES = frozenset({"door_staff_request", "refusal_report"})
CATEGORIES = tuple(dict.fromkeys([*POLICE_UK_CATEGORIES.values(), *GENERIC_CATEGORIES]))


@dataclass
class VrptwInstance:
    """A VRPTW instance; index 0 is the depot."""

    name: str
    x: np.ndarray
    y: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray
    vehicles: int
    capacity: int
    reload: bool = (
        False  # multi-trip (VRPLIB VEHICLES_RELOAD_DEPOT_SECTION): vehicles may reload at the depot
    )

    @property
    def n_customers(self) -> int:
        return len(self.x) - 1

    def distance_matrix(self) -> np.ndarray:
        """Euclidean distances truncated to one decimal (the convention behind C101's 827.3)."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        return np.floor(np.hypot(dx, dy) * 10 + 1e-9) / 10
