"""Read the staff availability sheet into Officer objects for one planned week."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from licvisit.domain import STAFF_ROLES, WEEKDAYS, Availability, Officer, parse_session
from licvisit.errors import ConfigError, Problem
from licvisit.io.calls import _list, coordinates, resolve_fields, wrong_kind
from licvisit.io.parse import parse_bools
from licvisit.io.table import RawTable, normalise_name, read_table
from licvisit.io.validate import FileSummary, ProblemLog

STAFF_ALIASES = {
    "officer_id": ("officer_id", "id", "staff_id", "collar_number", "warrant_number", "payroll_number"),
    "name": ("name", "officer_name", "full_name"),
    "role": ("role", "rank_role", "job_role"),
    "base": ("base", "base_station", "station"),
    "base_easting": ("base_easting", "base_x"),
    "base_northing": ("base_northing", "base_y"),
    "base_lon": ("base_lon", "base_longitude"),
    "base_lat": ("base_lat", "base_latitude"),
    "lpa": ("lpa", "local_policing_area", "npu"),
    "part_time": ("part_time", "parttime"),
    "max_shifts": ("max_shifts", "maximum_shifts"),
    "contracted_hours": ("contracted_hours", "hours_per_week", "weekly_hours"),
    **{f"avail_{d}": (f"avail_{d}", f"available_{d}") for d in WEEKDAYS},
    "preferences": ("preferences", "prefs"),
}
ROLE_LOOKUP = {
    **{r: r for r in STAFF_ROLES},
    "licensing sergeant": "licensing_sergeant",
    "licensing sgt": "licensing_sergeant",
    "sergeant": "licensing_sergeant",
    "sgt": "licensing_sergeant",
    "licensing pc": "licensing_pc",
    "licensing constable": "licensing_pc",
    "licensing police constable": "licensing_pc",
    "pc": "licensing_pc",
    "palo": "licensing_staff",
    "licensing police staff": "licensing_staff",
    "licensing officer police staff": "licensing_staff",
    "police staff licensing officer": "licensing_staff",
    "licensing staff": "licensing_staff",
    "council licensing officer": "council_licensing",
    "council licensing": "council_licensing",
    "local authority licensing officer": "council_licensing",
    "sia enforcement officer": "sia_enforcement",
    "sia investigator": "sia_enforcement",
    "sia": "sia_enforcement",
    "gang spotter": "gang_spotter",
    "spotter": "gang_spotter",
    "uniformed support": "uniformed_support",
    "response officer": "uniformed_support",
}
_ROLE_KEYED = {normalise_name(k): v for k, v in ROLE_LOOKUP.items()}
AVAIL_EXPECTED = "hours HH:MM-HH:MM (may cross midnight), or blank when not available"


def monday_of(week: str) -> dt.date:
    """'2025-W02' -> the Monday of that ISO week; raise ConfigError otherwise."""
    m = re.fullmatch(r"\s*(\d{4})-?W(\d{1,2})\s*", str(week), flags=re.I)
    if not m:
        raise ConfigError(f"Week {week!r} not understood; expected an ISO week such as 2025-W02.")
    try:
        return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as exc:
        raise ConfigError(f"Week {week!r} does not exist; expected an ISO week such as 2025-W02.") from exc


def next_monday(today: dt.date | None = None) -> dt.date:
    """The first Monday after ``today`` (a week later when ``today`` is a Monday).

    Parameters
    ----------
    today : datetime.date, optional
        Default: today's date.

    Returns
    -------
    datetime.date
    """
    today = today or dt.date.today()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def read_staff(path: str | Path, week_start: dt.date) -> tuple[list[Officer], list[Problem]]:
    """Read the staff sheet; availability becomes one Availability per night of the week.

    Parameters
    ----------
    path : staff CSV (``officer_id, name, role, base, base_easting, base_northing``
        or ``base_lon, base_lat``, ``lpa, part_time, max_shifts, contracted_hours,
        avail_mon..avail_sun``, optional ``preferences``)
    week_start : the Monday of the planned week

    Raises
    ------
    ConfigError if ``week_start`` is not a Monday.
    """
    officers, problems, _ = staff_with_summary(path, week_start)
    return officers, problems


def staff_with_summary(
    path: str | Path, week_start: dt.date
) -> tuple[list[Officer], list[Problem], FileSummary]:
    """Read the staff sheet as :func:`read_staff` does, with the file's summary.

    Parameters
    ----------
    path : str or Path
        The staff availability CSV.
    week_start : datetime.date
        The Monday of the planned week.

    Returns
    -------
    officers : list of Officer
        One per kept row, with one Availability per available night.
    problems : list of Problem
    summary : FileSummary

    Raises
    ------
    ConfigError
        If ``week_start`` is not a Monday.
    """
    if week_start.weekday() != 0:
        raise ConfigError(f"Week start {week_start.isoformat()} is a {week_start:%A}; expected a Monday.")
    p = Path(path)
    log = ProblemLog(str(p), "staff")
    read = _staff_table(p, log)
    if read is None:
        return [], log.problems, log.summary
    raw, fields = read
    base = _base_locations(raw, fields, log)
    if base is None:
        return [], log.problems, log.summary
    ids, roles = _ids_and_roles(raw, fields, log)
    sessions = _sessions(raw, fields, log)
    max_shifts, hours, pt = _contract(raw, fields, log)
    officers = _officers(
        raw, fields, log.keep, week_start, ids, roles, base, sessions, (max_shifts, hours, pt)
    )
    log.finish(raw.rows_read, len(officers))
    return officers, log.problems, log.summary


def _staff_table(p: Path, log: ProblemLog) -> tuple[RawTable, dict[str, str]] | None:
    """The sheet and its glossary fields, or None (reported) if it is missing or not a staff sheet."""
    if not p.is_file():
        log.error("no such file", "a staff availability CSV", "check the path given to --staff")
        return None
    raw = read_table(p, log)
    if raw is None:
        return None
    log.summary.notes += raw.notes
    log.summary.format = "staff CSV"
    keys = {normalise_name(c) for c in raw.columns}
    if "officer_id" not in keys and wrong_kind(log, raw.columns, "staff", "a staff availability sheet"):
        return None
    fields = resolve_fields(
        raw, None, log, "staff", STAFF_ALIASES, required=("officer_id", "name", "role"), location=False
    )
    if fields is None:
        return None
    if not any(f"avail_{d}" in fields for d in WEEKDAYS):
        log.error(
            f"no availability columns; columns are {_list(raw.columns)}",
            "columns avail_mon .. avail_sun with hours HH:MM-HH:MM",
            "add one availability column per weekday (blank = not available)",
            field="avail_mon",
        )
        return None
    return raw, fields


def _base_locations(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog
) -> tuple[np.ndarray, np.ndarray] | None:
    """Each officer's base in EPSG:27700 (rows without one left out), or None if there is no base column."""
    loc_fields = {}
    if "base_easting" in fields and "base_northing" in fields:
        loc_fields = {"easting": fields["base_easting"], "northing": fields["base_northing"]}
    elif "base_lon" in fields and "base_lat" in fields:
        loc_fields = {"longitude": fields["base_lon"], "latitude": fields["base_lat"]}
    xy = coordinates(raw, loc_fields, log) if loc_fields else None
    if log.has_error:
        return None
    if xy is None:
        log.error(
            f"no base location columns; columns are {_list(raw.columns)}",
            "base_easting, base_northing (or base_lon, base_lat)",
            "add the base station's location to every row",
        )
        return None
    x, y, missing = xy
    log.rows(
        missing,
        None,
        "a blank base location",
        "the base station's location",
        "add base_easting/base_northing",
        "base location missing",
    )
    return x, y


def _ids_and_roles(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog
) -> tuple[np.ndarray, np.ndarray]:
    """Officer ids and glossary roles; rows with a blank or repeated id or an unknown role are left out."""
    ids = raw.text(fields["officer_id"]).to_numpy()
    log.rows(
        ids == "",
        fields["officer_id"],
        "a blank",
        "an officer id",
        "give every officer an id",
        "officer id missing",
    )
    dup = np.zeros(len(raw), dtype=bool)
    dup[ids != ""] = pd.Series(ids[ids != ""]).duplicated().to_numpy()
    log.rows(
        dup,
        fields["officer_id"],
        ids,
        "a unique officer id",
        "delete the duplicate row or give it its own id",
        "duplicate officer id",
    )
    role_raw = raw.text(fields["role"]).to_numpy()
    roles = np.array([_ROLE_KEYED.get(normalise_name(r), "") for r in role_raw], dtype=object)
    log.rows(
        roles == "",
        fields["role"],
        role_raw,
        f"a role: {', '.join(STAFF_ROLES)}",
        "correct the role",
        "role not recognised",
    )
    return ids, roles


def _sessions(raw: RawTable, fields: Mapping[str, str], log: ProblemLog) -> dict[str, list]:
    """Per weekday, each row's available session in minutes (None: not available or unreadable, reported)."""
    n = len(raw)
    sessions: dict[str, list] = {}
    for d in WEEKDAYS:
        col = fields.get(f"avail_{d}")
        vals = raw.text(col).to_numpy() if col else np.full(n, "", dtype=object)
        parsed, bad = [], np.zeros(n, dtype=bool)
        for i, v in enumerate(vals):
            try:
                parsed.append(parse_session(v))
            except ValueError:
                parsed.append(None)
                bad[i] = True
        sessions[d] = parsed
        if col:
            log.rows(
                bad,
                col,
                vals,
                AVAIL_EXPECTED,
                "correct the hours; this night is treated as not available",
                "",
                exclude=False,
            )
    return sessions


def _contract(
    raw: RawTable, fields: Mapping[str, str], log: ProblemLog
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max shifts, contracted hours and part-time flag per row (impossible max_shifts: row left out)."""
    n = len(raw)

    def numbers(name: str, default: float, expected: str) -> np.ndarray:
        if name not in fields:
            return np.full(n, default)
        v, bad = raw.numbers(fields[name])
        log.rows(
            bad,
            fields[name],
            raw.text(fields[name]).to_numpy(),
            expected,
            f"none needed: {default:g} used",
            "",
            exclude=False,
        )
        return np.where(np.isnan(v), default, v)

    max_shifts = numbers("max_shifts", 5, "a whole number of shifts per week")
    hours = numbers("contracted_hours", 37.0, "hours per week")
    # impossible counts: the officer cannot be rostered safely, so the row is left out
    with np.errstate(invalid="ignore"):
        no_shifts = ~np.isfinite(max_shifts) | (max_shifts < 1) | (max_shifts != np.floor(max_shifts))
    if "max_shifts" in fields:
        shifts_text = raw.text(fields["max_shifts"]).to_numpy()
        log.rows(
            no_shifts,
            fields["max_shifts"],
            lambda i: (
                f'"{shifts_text[i] or format(max_shifts[i], "g")}"'
            ),  # inf shows blank in a numeric column
            "a whole number of shifts per week, 1 or more",
            "correct max_shifts; for a week off leave the officer's availability blank",
            "max_shifts not positive",
        )
    with np.errstate(invalid="ignore"):
        no_hours = ~np.isfinite(hours) | (hours <= 0)
    if "contracted_hours" in fields:
        hours_text = raw.text(fields["contracted_hours"]).to_numpy()
        log.rows(
            no_hours,
            fields["contracted_hours"],
            lambda i: f'"{hours_text[i] or format(hours[i], "g")}"',
            "hours per week, more than 0",
            "none needed: 37 used; correct contracted_hours",
            "",
            exclude=False,
        )
        hours = np.where(no_hours, 37.0, hours)
    if "part_time" in fields:
        pt, bad = parse_bools(raw.text(fields["part_time"]))
        log.rows(
            bad,
            fields["part_time"],
            raw.text(fields["part_time"]).to_numpy(),
            "yes or no",
            "none needed: read as no",
            "",
            exclude=False,
        )
    else:
        pt = np.zeros(n, dtype=bool)
    return max_shifts, hours, pt


def _officers(
    raw: RawTable,
    fields: Mapping[str, str],
    keep: np.ndarray,
    week_start: dt.date,
    ids: np.ndarray,
    roles: np.ndarray,
    base: tuple[np.ndarray, np.ndarray],
    sessions: dict[str, list],
    contract: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> list[Officer]:
    """One Officer per kept row, each available session dated in the planned week."""
    n = len(raw)
    x, y = base
    max_shifts, hours, pt = contract

    def text(name: str) -> np.ndarray:
        return raw.text(fields[name]).to_numpy() if name in fields else np.full(n, "", dtype=object)

    names, bases, lpas, prefs = text("name"), text("base"), text("lpa"), text("preferences")
    officers = []
    for i in np.flatnonzero(keep):
        avail = []
        for k, d in enumerate(WEEKDAYS):
            sess = sessions[d][i]
            if sess is None:
                continue
            night = week_start + dt.timedelta(days=k)
            start = dt.datetime.combine(night, dt.time())
            avail.append(
                Availability(
                    night, start + dt.timedelta(minutes=sess[0]), start + dt.timedelta(minutes=sess[1])
                )
            )
        officers.append(
            Officer(
                officer_id=str(ids[i]),
                name=str(names[i]),
                role=str(roles[i]),
                base=str(bases[i]),
                base_x=float(x[i]),
                base_y=float(y[i]),
                lpa=str(lpas[i]),
                part_time=bool(pt[i]),
                max_shifts=int(max_shifts[i]),
                contracted_hours=float(hours[i]),
                availability=tuple(avail),
                preferences=tuple(s.strip() for s in re.split(r"[;,]", str(prefs[i])) if s.strip()),
            )
        )
    return officers
