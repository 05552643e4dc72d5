"""Turn a risk ranking into candidate visits for the week: value, windows, exclusions.

A candidate is one (premises, operation type) pair: at most one visit of a
type per premises per week.  Its value is the expected harm addressed by a
visit of that type (the premises' expected harm this week × the operation's
value factor); its windows are, for each night, the licensed hours ∩ the
operation's hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from licvisit.domain import (
    WEEKDAYS,
    DroppedCandidate,
    Lock,
    OpeningHours,
    OperationType,
    parse_hhmm,
    parse_session,
)

if TYPE_CHECKING:  # pragma: no cover
    from licvisit.core.plan.params import PlanParams

FOLLOW_UP_OUTCOMES = ("breach_found", "action_plan")


@dataclass
class Candidate:
    """One possible visit: a premises and an operation type, with its nightly windows."""

    premises_id: str
    name: str
    op_type: str
    value: float
    service_min: int
    x: float
    y: float
    windows: dict[dt.date, tuple[dt.datetime, dt.datetime]]  # night -> (open, close) for the visit
    mandatory: bool = False  # breach follow-up
    lock: Lock | None = None
    why: str = ""
    rank: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


def week_nights(week_start: dt.date) -> list[dt.date]:
    """Return the seven nights Monday..Sunday of the week starting ``week_start``."""
    return [week_start + dt.timedelta(days=i) for i in range(7)]


def op_window(op: OperationType, night: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Return the operation's hours for the session starting on ``night``."""
    a, b = parse_hhmm(op.earliest), parse_hhmm(op.latest)
    if b <= a:
        b += 1440
    base = dt.datetime.combine(night, dt.time())
    return base + dt.timedelta(minutes=a), base + dt.timedelta(minutes=b)


def service_minutes(op: OperationType, capacity: Any, door_staff: Any) -> int:
    """Return the time a visit of type ``op`` takes at a premises [min]."""
    cap = _num(capacity)
    doors = _num(door_staff)
    t = op.service_min + op.service_min_per_100_capacity * cap / 100 + op.service_min_per_door_staff * doors
    return int(round(min(max(t, op.service_min), max(op.max_service_min, op.service_min))))


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if f != f else max(0.0, f)


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "y", "t")
    try:
        return bool(v) and v == v
    except (TypeError, ValueError):
        return False


def applies(op: OperationType, row: Any) -> bool:
    """True when premises ``row`` qualifies for operation ``op``."""
    if op.requires == "door_supervision":
        return _truthy(row.get("door_supervision", False))
    if op.requires:
        flags = str(row.get("intel_flags", "") or "").lower()
        return op.requires.lower() in [f.strip() for f in flags.replace(",", ";").split(";")]
    return True


def visit_windows(
    op: OperationType, hours: OpeningHours, nights: Iterable[dt.date], service_min: int
) -> dict[dt.date, tuple[dt.datetime, dt.datetime]]:
    """Return night -> (open, close) where a visit of ``service_min`` fits in licensed ∩ op hours."""
    out = {}
    for night in nights:
        lic = hours.window_on(night)
        if lic is None:
            continue
        a, b = op_window(op, night)
        lo, hi = max(lic[0], a), min(lic[1], b)
        if hi - lo >= dt.timedelta(minutes=service_min):
            out[night] = (lo, hi)
    return out


DOOR_HOURS_UNKNOWN = "door-supervision hours not known"


def door_window(row: Any, night: dt.date) -> tuple[tuple[dt.datetime, dt.datetime] | None, str]:
    """Return the door-supervision window of the session starting on ``night``, or why there is none.

    Reads ``door_hours_<day>`` ('HH:MM-HH:MM', may cross midnight; 'closed' =
    no door supervisors that night; blank or a missing column = not known).
    An SIA check is planned only inside this window, so an unknown night gets
    none.

    Returns
    -------
    ((start, end) or None, reason) - the reason is '' when there is a window.
    """
    day = WEEKDAYS[night.weekday()]
    raw = row.get(f"door_hours_{day}") if hasattr(row, "get") else None
    if raw is None or (isinstance(raw, float) and raw != raw) or not str(raw).strip():
        return None, DOOR_HOURS_UNKNOWN
    text = str(raw).strip()
    if text.lower() == "closed":
        return None, f"no door supervisors on {day.title()}"
    try:
        sess = parse_session(text)
    except ValueError:
        return None, f"{DOOR_HOURS_UNKNOWN} ('{text}' on {day.title()})"
    if sess is None:
        return None, f"no door supervisors on {day.title()}"
    base = dt.datetime.combine(night, dt.time())
    return (base + dt.timedelta(minutes=sess[0]), base + dt.timedelta(minutes=sess[1])), ""


def _lower(label: str) -> str:
    """'Licensing compliance visit' -> 'licensing compliance visit'; 'SIA compliance check' stays."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def door_limited(
    windows: dict[dt.date, tuple[dt.datetime, dt.datetime]], row: Any, service_min: int
) -> tuple[dict[dt.date, tuple[dt.datetime, dt.datetime]], list[str]]:
    """Cut visit ``windows`` to the door-supervision hours; return them and the reasons per lost night."""
    out, lost = {}, []
    for night, (lo, hi) in windows.items():
        win, why = door_window(row, night)
        if win is not None:
            lo2, hi2 = max(lo, win[0]), min(hi, win[1])
            if hi2 - lo2 >= dt.timedelta(minutes=service_min):
                out[night] = (lo2, hi2)
                continue
            why = f"door supervisors only {win[0]:%H:%M}-{win[1]:%H:%M} on {night:%A}"
        lost.append(why)
    return out, lost


def why_chosen(row: Any, components: list[str]) -> str:
    """Describe in words why a premises is a candidate (rank, band, main risk components)."""
    parts = []
    if "rank" in row and pd.notna(row["rank"]):
        parts.append(f"rank {int(row['rank'])}")
    if "band" in row and isinstance(row.get("band"), str) and row["band"]:
        parts.append(f"band {row['band']}")
    vals = []
    for c in components:
        try:
            v = float(row[c])
        except (TypeError, ValueError, KeyError):
            continue
        if v == v and v > 0:
            vals.append((v, c))
    vals.sort(key=lambda t: (-t[0], t[1]))
    total = sum(v for v, _ in vals)
    if vals and total > 0:
        drivers = ", ".join(f"{c[2:].replace('_', ' ')} {100 * v / total:.0f}%" for v, c in vals[:3])
        parts.append(f"driven by {drivers}")
    return "; ".join(parts)


def build_candidates(
    ranking: pd.DataFrame,
    premises: pd.DataFrame,
    week_start: dt.date,
    operations: tuple[OperationType, ...],
    params: PlanParams,
    *,
    visits: pd.DataFrame | None = None,
    locks: Iterable[Lock] = (),
    exclude: Iterable[str] = (),
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """Select candidate visits from the ranking and explain those left out up front.

    The top ``params.max_candidates`` premises by rank are considered, plus
    breach follow-ups (mandatory) and locked premises.  Premises visited
    within ``params.min_days_since_visit`` days (and not followed up or
    locked) and excluded premises are returned as dropped with reason codes
    ``recently_visited`` and ``excluded``.

    Returns
    -------
    (candidates, dropped)
    """
    nights = week_nights(week_start)
    prem = premises.copy()
    prem["premises_id"] = prem["premises_id"].astype(str)
    prem = prem.drop_duplicates("premises_id").set_index("premises_id", drop=False)
    rk = _ranked(ranking, prem)
    components = sorted(c for c in rk.columns if c.startswith("c_"))
    locks = list(locks)
    locked_ids = {lk.premises_id for lk in locks}
    excluded = {str(e) for e in exclude}
    last_visit, follow_up = _visit_history(visits, week_start, params)
    week = _Week(
        week_start,
        nights,
        params,
        components,
        locks,
        excluded,
        last_visit,
        follow_up,
        premises.attrs.get("unknown_hours") == "exclude",
    )

    top = rk.head(params.max_candidates)
    chosen_ids = list(top["premises_id"])
    extra = [p for p in sorted(set(follow_up) | locked_ids) if p not in set(chosen_ids) and p in prem.index]
    rows = {r["premises_id"]: r for _, r in rk.iterrows() if r["premises_id"] in set(chosen_ids) | set(extra)}
    mean_harm = float(top["_harm"][top["_harm"] > 0].mean()) if (top["_harm"] > 0).any() else 1.0

    candidates: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    for pid in chosen_ids + extra:
        p = prem.loc[pid]
        r = rows.get(pid)
        base_value = float(r["_harm"]) if r is not None else 0.0
        if base_value <= 0:
            base_value = 0.01 * mean_harm  # still worth a visit if locked or followed up
        hours = OpeningHours.from_row(p)
        # no licensed hours in the source: unknown, not closed ([premises] unknown_hours)
        hours_unknown = not _truthy(p.get("hours_known", True))
        for op in [o for o in operations if applies(o, p)]:
            got = _candidate(week, pid, p, r, op, base_value, hours, hours_unknown)
            if isinstance(got, Candidate):
                candidates.append(got)
            else:
                dropped.append(got)
    _check_locks(locks, candidates, operations, params)
    return candidates, dropped


@dataclass
class _Week:
    """What each premises' candidates are judged by: the week, the visit history, the user's choices."""

    week_start: dt.date
    nights: list[dt.date]
    params: PlanParams
    components: list[str]
    locks: list[Lock]
    excluded: set[str]
    last_visit: dict[str, dt.datetime]
    follow_up: dict[str, dt.datetime]
    exclude_unknown_hours: bool  # [premises] unknown_hours = "exclude"


def _ranked(ranking: pd.DataFrame, prem: pd.DataFrame) -> pd.DataFrame:
    """The ranking's known premises in rank order, with their expected harm (``_harm``, never negative)."""
    rk = ranking.copy()
    rk["premises_id"] = rk["premises_id"].astype(str)
    rk = rk[rk["premises_id"].isin(prem.index)]
    if "rank" in rk:
        rk = rk.sort_values(["rank", "premises_id"])
    elif "score" in rk:
        rk = rk.sort_values(["score", "premises_id"], ascending=[False, True])
    harm_col = "expected_harm_week" if "expected_harm_week" in rk else "score"
    harm = pd.to_numeric(rk.get(harm_col, pd.Series(0.0, index=rk.index)), errors="coerce").fillna(0.0)
    if harm.max() <= 0 and "score" in rk:
        harm = pd.to_numeric(rk["score"], errors="coerce").fillna(0.0)
    return rk.assign(_harm=harm.clip(lower=0.0))


def _visit_history(
    visits: pd.DataFrame | None, week_start: dt.date, params: PlanParams
) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime]]:
    """Each premises' last visit before the week, and those whose breach visit is due a follow-up."""
    last_visit: dict[str, dt.datetime] = {}
    follow_up: dict[str, dt.datetime] = {}
    if visits is not None and len(visits):
        vv = visits.copy()
        vv["premises_id"] = vv["premises_id"].astype(str)
        vv["visited_at"] = pd.to_datetime(vv["visited_at"], errors="coerce")
        start_dt = pd.Timestamp(week_start)
        vv = vv[vv["visited_at"].notna() & (vv["visited_at"] < start_dt)].sort_values("visited_at")
        for pid, g in vv.groupby("premises_id", sort=True):
            last = g.iloc[-1]
            last_visit[pid] = last["visited_at"].to_pydatetime()
            age = (start_dt - last["visited_at"]).days
            if str(last.get("outcome", "")) in FOLLOW_UP_OUTCOMES and age <= params.follow_up_days:
                follow_up[pid] = last["visited_at"].to_pydatetime()
    return last_visit, follow_up


def _candidate(
    week: _Week,
    pid: str,
    p: Any,
    r: Any,
    op: OperationType,
    base_value: float,
    hours: OpeningHours,
    hours_unknown: bool,
) -> Candidate | DroppedCandidate:
    """The candidate visit of ``op`` at premises ``pid`` (row ``p``, ranking row ``r``), or why it is dropped."""
    params = week.params
    value = round(base_value * params.op_value_factor.get(op.name, 1.0), 4)
    lk = next(
        (
            lk
            for lk in week.locks
            if lk.premises_id == pid and (lk.op_type or params.default_lock_op) == op.name
        ),
        None,
    )
    mandatory = pid in week.follow_up and op.name == "licensing_compliance"
    why = why_chosen(r, week.components) if r is not None else "not in the ranking"
    if mandatory:
        why = f"follow-up of {week.follow_up[pid]:%d %b %Y} breach visit; " + why
    if lk is not None:
        why = "locked by the sergeant; " + why
    early = _dropped_up_front(week, pid, op, value, lk, hours_unknown)
    if early is not None:
        return early
    service = service_minutes(op, p.get("capacity"), p.get("door_staff"))
    if hours_unknown:
        windows = {
            night: w
            for night in week.nights
            if (w := op_window(op, night))[1] - w[0] >= dt.timedelta(minutes=service)
        }
    else:
        windows = visit_windows(op, hours, week.nights, service)
    if op.requires == "door_supervision" and windows:
        windows, lost = door_limited(windows, p, service)
        if not windows and lk is None:
            return _no_door_supervision(pid, op, value, lost)
    return Candidate(
        premises_id=pid,
        name=str(p.get("name", "")),
        op_type=op.name,
        value=value,
        service_min=service,
        x=float(p["x"]),
        y=float(p["y"]),
        windows=windows,
        mandatory=mandatory,
        lock=lk,
        why=why,
        rank=int(r["rank"]) if r is not None and "rank" in r and pd.notna(r["rank"]) else 0,
        meta={"lpa": _text(p.get("lpa")), **({"hours_unknown": True} if hours_unknown else {})},
    )


def _dropped_up_front(
    week: _Week, pid: str, op: OperationType, value: float, lk: Lock | None, hours_unknown: bool
) -> DroppedCandidate | None:
    """Excluded by the user, visited too recently, or licensed hours unknown and excluded; else None."""
    params = week.params
    if pid in week.excluded and lk is None:
        return DroppedCandidate(
            pid, op.name, value, "excluded", "Excluded from this week's plan by the user."
        )
    lv = week.last_visit.get(pid)
    # A breach follow-up is due whatever the operation: an SIA check or gang operation that
    # also serves as the licensing visit is not kept out because of the breach visit itself.
    if (
        lv is not None
        and lk is None
        and pid not in week.follow_up
        and (dt.datetime.combine(week.week_start, dt.time()) - lv).days < params.min_days_since_visit
    ):
        return DroppedCandidate(
            pid,
            op.name,
            value,
            "recently_visited",
            f"Last visited {lv:%d %b %Y}, less than {params.min_days_since_visit} days before the week.",
        )
    if hours_unknown and week.exclude_unknown_hours:
        return DroppedCandidate(
            pid,
            op.name,
            value,
            "hours_unknown",
            'Licensed hours not known and [premises] unknown_hours = "exclude".',
        )
    return None


def _no_door_supervision(pid: str, op: OperationType, value: float, lost: list[str]) -> DroppedCandidate:
    """Dropped: door supervisors are not required (or their hours are not known) while it is open."""
    whys = list(dict.fromkeys(lost))
    if all(w.startswith(DOOR_HOURS_UNKNOWN) for w in whys):
        text = f"No {_lower(op.label)}: {'; '.join(whys)} (door_hours_mon ... door_hours_sun)."
    else:
        text = (
            f"No {_lower(op.label)}: door supervisors are not required while it is open during "
            f"{_lower(op.label)} hours on any night this week ({'; '.join(whys)})."
        )
    return DroppedCandidate(pid, op.name, value, "no_door_supervision", text)


def _check_locks(
    locks: list[Lock], candidates: list[Candidate], operations: Iterable[OperationType], params: PlanParams
) -> None:
    from licvisit.errors import InfeasiblePlanError

    by_key = {(c.premises_id, c.op_type): c for c in candidates}
    names = {o.name for o in operations}
    for lk in locks:
        op = lk.op_type or params.default_lock_op
        if op not in names:
            raise InfeasiblePlanError(
                f"Lock {lk.premises_id}@{lk.night}: unknown operation type '{op}'; expected one of {', '.join(sorted(names))}."
            )
        c = by_key.get((lk.premises_id, op))
        if c is None:
            raise InfeasiblePlanError(
                f"Lock {lk.premises_id}@{lk.night}:{op} cannot be honoured: the premises is unknown or "
                f"does not qualify for {op}. Fix: check the premises id and operation type."
            )
        if lk.night not in c.windows:
            raise InfeasiblePlanError(
                f"Lock {lk.premises_id}@{lk.night}:{op} cannot be honoured: the premises is closed (or open too "
                f"briefly for the visit) during {op} hours that night. Fix: pick another night."
            )


def mean_value(candidates: list[Candidate]) -> float:
    vals = np.array([c.value for c in candidates if c.value > 0])
    return float(vals.mean()) if len(vals) else 1.0
