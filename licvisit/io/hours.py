"""Parse licensed and opening hours as councils and OpenStreetMap publish them.

Two grammars end in the same shape, one session per weekday in the glossary's
``hours_*`` syntax ('HH:MM-HH:MM', may cross midnight, or 'closed'):

- council register wordings: "Monday to Saturday 10:00 - 01:00; Sunday 12:00 -
  23:00", "Mon-Thu 11.00 to midnight, Fri & Sat 11:00-02:00", the caret form of
  per-activity registers ("Mon 10:00-00:00^Tue 10:00-00:00^...^Thu10:00-00:00"),
  with "Non standard timings" kept apart as a note;
- OpenStreetMap ``opening_hours`` ("Mo-Th 11:00-23:00; Fr-Sa 11:00-01:00"), read
  by the ``opening-hours-py`` parser (OSM's own grammar is large: PH, "+",
  "||" fallbacks, comments; we do not reimplement it).

Where a day has several sessions ("12:00-14:30, 17:30-23:00") the one ending
last is kept as that day's window (a visit is never planned inside a gap) and
the others are named in the note.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import WEEKDAYS

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS = {
    0: ("monday", "mon", "mo"),
    1: ("tuesday", "tues", "tue", "tu"),
    2: ("wednesday", "weds", "wed", "we"),
    3: ("thursday", "thurs", "thur", "thu", "th"),
    4: ("friday", "fri", "fr"),
    5: ("saturday", "sat", "sa"),
    6: ("sunday", "sun", "su"),
}
_DAY_INDEX = {w: i for i, ws in _DAY_WORDS.items() for w in ws}
_DAY = "|".join(sorted(_DAY_INDEX, key=len, reverse=True))
_CLOCK = (
    r"(?:(?P<{p}h>\d{{1,2}})(?:\s*[:.]\s*(?P<{p}m>\d{{2}}))?\s*(?P<{p}ap>a\.?m\.?|p\.?m\.?)"
    r"|(?P<{p}h2>\d{{1,2}})\s*[:.]\s*(?P<{p}m2>\d{{2}})(?:\s*(?:hrs|hours|h)(?![a-z]))?"
    r"|(?P<{p}h4>[0-2]\d)(?P<{p}m4>[0-5]\d)\s*(?:hrs|hours|h)(?![a-z])"
    r"|(?:12\s*)?(?P<{p}word>midnight|noon|midday))"
)
_RANGE_SEP = r"\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b|\btil\b)\s*"
_TOKENS = re.compile(
    r"(?P<range>" + _CLOCK.format(p="a") + _RANGE_SEP + _CLOCK.format(p="b") + r")"
    r"|(?P<all>(?:every|each|all)\s*days?(?:\s+of\s+the\s+week)?|everyday|daily|seven\s+days(?:\s+a\s+week)?"
    r"|7\s+days(?:\s+a\s+week)?|24\s*hours?|24/7)(?![a-z])"
    r"|(?P<weekdays>weekdays?)(?![a-z])|(?P<weekends>week\s*-?\s*ends?)(?![a-z])"
    r"|(?P<day>(?:" + _DAY + r"))(?:s|\.)?(?![a-z])"
    r"|(?P<holiday>(?:and\s+|&\s*)?(?:bank|public)\s+holidays?(?:\s+mondays?)?)(?![a-z])"
    r"|(?P<closed>closed|off|none|no\s+hours)(?![a-z])"
    r"|(?P<dayrange>-|–|—|\bto\b|\bthrough\b|\bthru\b|\buntil\b)"
    r"|(?P<list>,|&|\+|/|\band\b)"
    r"|(?P<clause>;|\^|\||\n|\r)"
    r"|(?P<filler>\bfrom\b|\bopen\b|\bhours\b|\bhrs\b|\bstandard\s+(?:timings|hours)\b|\binclusive\b|\bonly\b|:|\(|\)|\.)"
    r"|(?P<space>\s+)",
    re.I,
)
_NON_STANDARD = re.compile(r"non[\s-]*standard|seasonal\s+variations?", re.I)


class HoursError(ValueError):
    """Hours text that cannot be read: ``found`` is the part not understood."""

    def __init__(self, text: str, found: str, expected: str = "") -> None:
        self.text = text
        self.found = found
        super().__init__(f"cannot read {found!r} in {text!r}" + (f": {expected}" if expected else ""))


@dataclass(frozen=True)
class WeekHours:
    """One session a weekday, Monday first: (start, end) minutes or None (closed).

    ``end`` > ``start`` and ``end - start`` <= 1440; a session crossing
    midnight has ``end`` > 1440 (22:00-03:00 is (1320, 1620)).
    """

    sessions: tuple[tuple[int, int] | None, ...]
    note: str = ""

    def columns(self, prefix: str = "hours") -> dict[str, str]:
        """Glossary columns ``{prefix}_mon`` ... ``{prefix}_sun``."""
        return {f"{prefix}_{d}": format_session(s) for d, s in zip(WEEKDAYS, self.sessions, strict=True)}

    def summary(self) -> str:
        """Short text for a card: 'Mon-Thu 10:00-00:30; Fri-Sat 10:00-01:30; Sun closed'."""
        parts: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.sessions[j + 1] == self.sessions[i]:
                j += 1
            days = DAY_NAMES[i] if i == j else f"{DAY_NAMES[i]}-{DAY_NAMES[j]}"
            parts.append(f"{days} {format_session(self.sessions[i])}")
            i = j + 1
        return "; ".join(parts)


def format_session(s: tuple[int, int] | None) -> str:
    """(start, end) minutes -> 'HH:MM-HH:MM'; None -> 'closed'."""
    if s is None:
        return "closed"
    a, b = s
    if a == 0 and b == 1440:
        return "00:00-24:00"
    return f"{a // 60:02d}:{a % 60:02d}-{(b % 1440) // 60:02d}:{b % 60:02d}"


def _clock(m: re.Match[str], p: str) -> int:
    word = m.group(f"{p}word")
    if word:
        return 0 if word.lower() == "midnight" else 720
    if m.group(f"{p}h") is not None:
        h, mins = int(m.group(f"{p}h")), int(m.group(f"{p}m") or 0)
        if not 1 <= h <= 12:
            raise ValueError(f"{h} is not an hour on a 12-hour clock")
        pm = m.group(f"{p}ap").lower().startswith("p")
        h = h % 12 + (12 if pm else 0)
    elif m.group(f"{p}h2") is not None:
        h, mins = int(m.group(f"{p}h2")), int(m.group(f"{p}m2"))
    else:
        h, mins = int(m.group(f"{p}h4")), int(m.group(f"{p}m4"))
    if h == 24 and mins == 0:
        return 1440
    if h > 23 or mins > 59:
        raise ValueError(f"{h:02d}:{mins:02d} is not a time of day")
    return h * 60 + mins


def _session(start: int, end: int) -> tuple[int, int]:
    start %= 1440
    if end <= start:
        end += 1440
    return (start, end)


def split_non_standard(text: str) -> tuple[str, str]:
    """'Mon-Sun 10:00-23:00 Non standard timings: New Year's Eve ...' -> (standard, note)."""
    m = _NON_STANDARD.search(text)
    if m is None:
        return text, ""
    return text[: m.start()], text[m.start() :].strip(" ;,^\n")


def parse_council_hours(text: str) -> WeekHours:
    """Parse a council register's hours text into one session a weekday.

    Days not named are closed; a text with times but no days applies to every
    day.  Raises :class:`HoursError` naming the part not understood.
    """
    standard, note = split_non_standard(str(text))
    if not standard.strip():
        if note:
            raise HoursError(str(text), note[:60], "standard hours before the non-standard timings")
        raise HoursError(str(text), "", "hours")
    per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    closed = [False] * 7
    building: list[int] = []  # days named since the last time range
    current: list[int] = []  # days the last time range applied to
    pending_range = False  # a day-range separator seen after a day
    named_any = False
    implicit_all = False  # times given before any day was named
    caret = "^" in standard
    mentions = [0] * 7
    pos = 0
    s = standard
    notes: list[str] = [note] if note else []
    for m in _TOKENS.finditer(s):
        if m.start() != pos:
            break
        pos = m.end()
        kind = m.lastgroup
        if kind in ("space", "filler"):
            continue
        if kind == "range":
            try:
                sess = _session(_clock(m, "a"), _clock(m, "b"))
            except ValueError as exc:
                raise HoursError(str(text), m.group(0), str(exc)) from exc
            if pending_range:
                raise HoursError(str(text), m.group(0), "a day after 'to'")
            if not (building or current):
                implicit_all = True
            days = building or current or list(range(7))
            for d in days:
                per_day[d].append(sess)
            current, building = days, []
        elif kind in ("day", "all", "weekdays", "weekends"):
            named_any = True
            if kind == "all":
                new = list(range(7))
                if m.group(0).strip().lower() in ("24 hours", "24hours", "24 hour", "24/7"):
                    for d in building or current or new:
                        per_day[d].append((0, 1440))
                    current, building = building or current or new, []
                    continue
            elif kind == "weekdays":
                new = [0, 1, 2, 3, 4]
            elif kind == "weekends":
                new = [5, 6]
            else:
                new = [_DAY_INDEX[m.group("day").lower()]]
            for d in new:
                mentions[d] += 1
                if caret and mentions[d] > 1:
                    # the per-activity form names each day once; twice is a PDF page break
                    raise HoursError(str(text), f"{DAY_NAMES[d]} given twice", "each day once")
            if pending_range and building:
                a, b = building[-1], new[0]
                span = [(a + k) % 7 for k in range(1, (b - a) % 7 + 1)]
                building += span
                pending_range = False
            else:
                if current and not building:
                    current = []
                building += [d for d in new if d not in building]
        elif kind == "dayrange":
            if not building:
                raise HoursError(str(text), m.group(0), "a day before 'to'")
            pending_range = True
        elif kind == "list":
            continue
        elif kind == "holiday":
            notes.append(re.sub(r"^(?:and|&)\s*", "", m.group(0).strip(), flags=re.I))
        elif kind == "closed":
            for d in building or current:
                closed[d] = True
            current, building = building or current, []
        elif kind == "clause":
            if building:
                raise HoursError(str(text), " ".join(DAY_NAMES[d] for d in building), "times after the days")
            current, pending_range = [], False
    if pos != len(s):
        rest = s[pos:].strip()
        raise HoursError(str(text), rest[:40], "day names and times HH:MM-HH:MM")
    if building:
        raise HoursError(str(text), " ".join(DAY_NAMES[d] for d in building), "times after the days")
    if implicit_all and named_any:
        raise HoursError(str(text), s.strip()[:40], "a day name before the first times")
    if not any(per_day) and not any(closed):
        raise HoursError(str(text), s.strip()[:40], "times HH:MM-HH:MM")
    if not named_any and not any(per_day):
        raise HoursError(str(text), s.strip()[:40], "times HH:MM-HH:MM")
    return _week(per_day, closed, notes)


def _week(per_day: list[list[tuple[int, int]]], closed: list[bool], notes: list[str]) -> WeekHours:
    sessions: list[tuple[int, int] | None] = []
    for d in range(7):
        got = sorted(set(per_day[d]))
        if not got or (closed[d] and not got):
            sessions.append(None)
            continue
        merged: list[list[int]] = []
        for a, b in got:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        last = max(merged, key=lambda ab: (ab[1], ab[0]))
        a, b = last[0], min(last[1], last[0] + 1440)
        sessions.append((a, b))
        others = [format_session((x, y)) for x, y in merged if [x, y] != last]
        if others:
            notes.append(f"{DAY_NAMES[d]} also {', '.join(others)}")
    return WeekHours(tuple(sessions), "; ".join(n for n in notes if n))


_COMMENT_FALLBACK = re.compile(r'\s*\|\|\s*"([^"]*)"\s*$')
_COMMENT_ONLY = re.compile(r'\s*"[^"]*"\s*')

# a reference week: 2024-01-01 is a Monday; no country, so no public holidays
_WEEK0 = dt.datetime(2024, 1, 1)


def parse_osm_hours(text: str) -> WeekHours:
    """Parse an OpenStreetMap ``opening_hours`` value with ``opening-hours-py``.

    Each open interval of a reference week is given to the day it starts on
    (``Fr-Sa 11:00-03:00`` is Friday's and Saturday's session to 03:00).
    Comments and 'unknown' rules go to the note.  Raises :class:`HoursError`
    when the library cannot parse the value.
    """
    from opening_hours import OpeningHours

    value = str(text).strip()
    comments: list[str] = []
    # opening-hours-py 2.1 reads a comment-only fallback ('... || "Open on bank holidays."')
    # as closing every day after the first: keep such a fallback as a note instead
    fallback = _COMMENT_FALLBACK.search(value)
    rules = value
    if fallback:
        rules = value[: fallback.start()]
        comments.append(fallback.group(1))
    if _COMMENT_ONLY.fullmatch(rules):
        raise HoursError(value, value[:40], "opening hours, not only a comment")
    try:
        oh = OpeningHours(rules)
        # start on the Sunday before so a Sunday-night spill into Monday is not read as Monday's
        intervals = list(oh.intervals(_WEEK0 - dt.timedelta(days=1), _WEEK0 + dt.timedelta(days=8)))
    except Exception as exc:  # the library's ParserError derives from Exception only
        raise HoursError(
            value, value[:40], f"OpenStreetMap opening_hours ({str(exc).splitlines()[0][:80]})"
        ) from exc
    per_day = _osm_days(intervals, comments)
    if ";" in rules and any(s and s[1] == 1440 for d in per_day for s in d):
        # opening-hours-py 2.1 lets a later rule for a day cut the previous night's session at midnight
        # ("Fr-Sa 11:00-01:00; Su 12:00-22:30" closes Saturday at 00:00): read each rule alone and
        # restore a session's end past midnight where the rule that gave it says so
        for part in rules.split(";"):
            try:
                alone = _osm_days(
                    OpeningHours(part.strip()).intervals(
                        _WEEK0 - dt.timedelta(days=1), _WEEK0 + dt.timedelta(days=9)
                    ),
                    [],
                )
            except Exception:  # a part alone may not parse ('Mo off' does)
                continue
            for d in range(7):
                for k, (a, b) in enumerate(per_day[d]):
                    if b == 1440:
                        longer = [y for x, y in alone[d] if x == a and y > 1440]
                        if longer:
                            per_day[d][k] = (a, max(longer))
    return _week(per_day, [False] * 7, comments)


def _osm_days(intervals: Any, comments: list[str]) -> list[list[tuple[int, int]]]:
    from opening_hours import State

    per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for start, end, state, comment in intervals:
        if comment and comment not in comments:
            comments.append(comment)
        if state != State.OPEN:
            continue
        t0 = int((start - _WEEK0).total_seconds() // 60)
        t1 = int((end - _WEEK0).total_seconds() // 60)
        if t1 - t0 <= 1440:
            pieces = [(t0, t1)]
        else:  # longer than a day (24/7, 'Tu-Su'): one session per calendar day
            cuts = [t0, *range((t0 // 1440 + 1) * 1440, t1, 1440), t1]
            pieces = list(zip(cuts[:-1], cuts[1:], strict=True))
        for a, b in pieces:
            day = a // 1440
            if 0 <= day < 7:
                per_day[day].append((a - day * 1440, b - day * 1440))
    return per_day


def looks_like_osm(text: str) -> bool:
    """True for values in OSM's grammar (two-letter days, 'PH', '24/7', '||', '+')."""
    s = str(text)
    return bool(
        re.search(r"\b(Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)\b", s)
        and not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)", s, re.I)
    ) or bool(re.search(r"24/7|\|\||\d\+", s))


def parse_hours(text: str) -> WeekHours:
    """Parse hours in either grammar: council wording first, then OSM ``opening_hours``."""
    value = str(text)
    if looks_like_osm(value):
        try:
            return parse_osm_hours(value)
        except HoursError:
            pass
    try:
        return parse_council_hours(value)
    except HoursError as council_error:
        try:
            return parse_osm_hours(value)
        except HoursError:
            raise council_error from None


# -- door supervision: when the licence requires SIA door supervisors ---------------------

_DOOR = re.compile(r"door\s*(?:supervisors?|staff)|\bSIA\b", re.I)
_DOOR_DAYS = re.compile(
    r"(?P<a>"
    + _DAY
    + r")(?:s|\.)?(?![a-z])(?:\s*(?:-|–|\bto\b|\bthrough\b)\s*(?P<b>"
    + _DAY
    + r")(?:s|\.)?(?![a-z]))?"
    r"|(?P<all>every\s+(?:day|night)|each\s+(?:day|night)|daily|nightly|at\s+all\s+times)"
    r"|(?P<weekends>week\s*-?\s*ends?)(?![a-z])",
    re.I,
)
_DOOR_FROM = re.compile(r"\bfrom\s+" + _CLOCK.format(p="a"), re.I)
_DOOR_TO = re.compile(
    r"\b(?:to|until|till|til)\s+(?:(?P<close>(?:the\s+)?clos(?:e|ing)(?:\s+time)?|the\s+premises\s+(?:is\s+)?clos\w*"
    r"|the\s+end\s+of\s+(?:licensed|trading|permitted)\s+hours)|" + _CLOCK.format(p="b") + r")",
    re.I,
)
_DOOR_EVENT = re.compile(r"\b(whenever|when|during|where|if)\b", re.I)


def door_condition_text(conditions: str) -> str:
    """The licence condition(s) about door supervisors, '; '-joined ('' if none)."""
    return "; ".join(c.strip() for c in re.split(r";|\n", str(conditions)) if _DOOR.search(c))


def parse_door_condition(condition: str) -> list[tuple[int, int | None] | None] | None:
    """Nights and start times of a door-supervision condition, or None if not readable.

    Returns a list of seven entries (Monday first): None for a night without
    door supervisors, else ``(start, end)`` minutes where ``end`` is None for
    "until close" (the end of that day's licensed hours).
    "SIA registered door supervisors from 21:00 Fri and Sat (minimum 4)" ->
    Fri and Sat (1260, None).  A condition tied to events ("whenever
    regulated entertainment is provided") gives None: the nights are unknown.
    """
    text = str(condition)
    start_m = _DOOR_FROM.search(text)
    if start_m is None:
        return None
    try:
        start = _clock(start_m, "a") % 1440
    except ValueError:
        return None
    end: int | None = None
    to_m = _DOOR_TO.search(text, start_m.end())
    if to_m is not None and not to_m.group("close"):
        try:
            end = _clock(to_m, "b")
        except ValueError:
            return None
    days: set[int] = set()
    for m in _DOOR_DAYS.finditer(text):
        if m.group("all"):
            days |= set(range(7))
        elif m.group("weekends"):
            days |= {5, 6}
        else:
            a = _DAY_INDEX[m.group("a").lower()]
            b = _DAY_INDEX[m.group("b").lower()] if m.group("b") else a
            days |= {(a + k) % 7 for k in range((b - a) % 7 + 1)}
    if not days:
        if _DOOR_EVENT.search(text):
            return None
        days = set(range(7))  # "door supervisors from 21:00 until close": every night
    out: list[tuple[int, int | None] | None] = []
    for d in range(7):
        if d not in days:
            out.append(None)
        elif end is None:
            out.append((start, None))
        else:
            out.append(_session(start, end))
    return out


def door_hours_for(
    nights: list[tuple[int, int | None] | None] | None, licensed: tuple[str, ...]
) -> tuple[str, ...]:
    """Door hours per night in ``hours_*`` syntax, "until close" resolved against ``licensed``.

    A night whose licensed hours are unknown (blank) and whose door hours run
    "until close" is blank (unknown); a night not licensed is 'closed'.
    """
    from licvisit.domain import parse_session

    if nights is None:
        return ("",) * 7
    out = []
    for d, night in enumerate(nights):
        if night is None:
            out.append("closed")
            continue
        start, end = night
        if end is not None:
            out.append(format_session((start, end)))
            continue
        try:
            lic = parse_session(licensed[d])
        except ValueError:
            lic = None
        if not licensed[d]:
            out.append("")
        elif lic is None:
            out.append("closed")
        else:
            a, b = lic
            if a <= start < b:
                s0 = start
            elif a <= start + 1440 < b:  # 01:00 on a session from 20:00 is next morning
                s0 = start + 1440
            else:  # from 21:00 at a premises that opens at 22:00: from opening
                s0 = a
            out.append(format_session((s0 % 1440, b - (s0 - s0 % 1440))))
    return tuple(out)


# -- a register's hours columns -> the glossary's ------------------------------------------

HOURS_FIX = (
    "write the hours as 'Monday to Saturday 10:00 - 01:00; Sunday 12:00 - 23:00', 'Mon 10:00-00:00^Tue ...' "
    "or OpenStreetMap 'Mo-Sa 10:00-01:00'; none needed to use the rest of the file: this premises' hours are unknown"
)
HOURS_EXPECTED = "hours for each day (council wording or OpenStreetMap opening_hours)"


HOURS_SOURCES = {
    "hours": "opening hours",
    "alcohol_hours": "hours of sale of alcohol",
    "late_night_hours": "late-night refreshment hours",
}


def _parse_column(values: np.ndarray) -> tuple[list[WeekHours | None], np.ndarray, list[str]]:
    """Parse every distinct value once: (weekly hours or None, unreadable mask, text found per row)."""
    cache: dict[str, WeekHours | HoursError | None] = {}
    out: list[WeekHours | None] = []
    found: list[str] = []
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        v = str(v).strip()
        if v not in cache:
            if not v:
                cache[v] = None
            else:
                try:
                    cache[v] = parse_hours(v)
                except HoursError as exc:
                    cache[v] = exc
        r = cache[v]
        if isinstance(r, HoursError):
            bad[i] = True
            shown = v if len(v) <= 90 else v[:87] + "..."
            found.append(f'"{shown}" (cannot read "{r.found[:40]}")')
            out.append(None)
        else:
            found.append("")
            out.append(r)
    return out, bad, found


def _log_unreadable(
    log: Any, field: str, bad: np.ndarray, found: list[str], source: list[str], name: str
) -> None:
    """Name every unreadable value by row; the fix says which hours the visit window uses instead, if any."""
    src = np.asarray(source, dtype=object)
    log.rows(bad & (src == ""), field, lambda i: found[i], HOURS_EXPECTED, HOURS_FIX, "", exclude=False)
    for other, label in HOURS_SOURCES.items():
        if other == name:
            continue
        fix = HOURS_FIX.split("; none needed")[0] + (
            f"; none needed to use the rest of the file: this premises' visit window uses its {label}"
        )
        log.rows(bad & (src == other), field, lambda i: found[i], HOURS_EXPECTED, fix, "", exclude=False)


def licence_hours_columns(
    text: Any,
    fields: Mapping[str, str],
    log: Any,
    *,
    premises_type: np.ndarray,
    door_supervision: np.ndarray,
    params: Any,
) -> dict[str, Any]:
    """Glossary hours columns from whatever hours a register gives.

    ``text(name)`` returns a glossary field as a text Series.  Returns
    ``hours_*`` (the visit window), ``hours_known``, ``hours_note``,
    ``opening_hours`` and ``alcohol_hours`` (weekly summaries for the card),
    ``door_hours_*`` and ``activities``.
    """
    from licvisit.io.parse import check_hours

    n = len(premises_type)
    cols: dict[str, Any] = {}
    notes = [""] * n
    parsed: dict[str, tuple[list[WeekHours | None], np.ndarray, list[str]]] = {}
    for name in HOURS_SOURCES:
        if name in fields:
            parsed[name] = _parse_column(text(name).to_numpy())
    weekly = {name: p[0] for name, p in parsed.items()}
    opening = weekly.get("hours", [None] * n)
    alcohol = weekly.get("alcohol_hours", [None] * n)
    lnr = weekly.get("late_night_hours", [None] * n)
    per_day = any(f"hours_{d}" in fields for d in WEEKDAYS)
    window: list[tuple[str, ...]] = []
    source = [""] * n  # which hours column made each visit window
    for i in range(n):
        chosen: WeekHours | None = None
        if params.window_hours == "alcohol":
            if premises_type[i] == "late_night_refreshment" and lnr[i] is not None:
                chosen, source[i] = lnr[i], "late_night_hours"
            elif alcohol[i] is not None:
                chosen, source[i] = alcohol[i], "alcohol_hours"
        if chosen is None and opening[i] is not None:
            chosen, source[i] = opening[i], "hours"
        if chosen is None:
            window.append(("",) * 7)
        else:
            window.append(tuple(chosen.columns().values()))
            notes[i] = chosen.note
    for name, (_, bad, found) in parsed.items():
        _log_unreadable(log, fields[name], bad, found, source, name)
    for k, d in enumerate(WEEKDAYS):
        if per_day and f"hours_{d}" in fields:
            h = text(f"hours_{d}")
            bad = check_hours(h)
            log.rows(
                bad,
                fields[f"hours_{d}"],
                h.to_numpy(),
                "licensed hours HH:MM-HH:MM (may cross midnight) or 'closed'",
                "none needed: that day's hours were left blank; correct them to use them",
                "",
                exclude=False,
            )
            h = h.where(~bad, "")
            # a text 'hours' column fills days the per-day columns leave blank
            fill = pd.Series([w[k] for w in window], dtype=str)
            cols[f"hours_{d}"] = h.where(h != "", fill)
        else:
            cols[f"hours_{d}"] = pd.Series([w[k] for w in window], dtype=str)
    known = np.zeros(n, dtype=bool)
    for d in WEEKDAYS:
        known |= cols[f"hours_{d}"].to_numpy() != ""
    cols["hours_known"] = known
    if "hours_note" in fields:
        given = text("hours_note").to_numpy()
        notes = [("; ".join(x for x in (g, m) if x)) for g, m in zip(given, notes, strict=True)]
    cols["hours_note"] = pd.Series(notes, dtype=str)
    cols["opening_hours"] = pd.Series([w.summary() if w else "" for w in opening], dtype=str)
    cols["alcohol_hours"] = pd.Series([w.summary() if w else "" for w in alcohol], dtype=str)
    if not per_day and not weekly:
        log.note("no licensed hours in this file (hours, or hours_mon..hours_sun): hours are unknown")
    elif (~known).any():
        log.note(f"{int((~known).sum()):,} premises with no licensed hours: hours unknown")
    if "activities" in fields:
        cols["activities"] = text("activities")
    else:
        acts = []
        for i in range(n):
            a = [lab for lab, w in (("sale of alcohol", alcohol[i]), ("late-night refreshment", lnr[i])) if w]
            acts.append("; ".join(a))
        cols["activities"] = pd.Series(acts, dtype=str)
    cols.update(_door_hours(text, fields, log, door_supervision, cols))
    return cols


def _door_hours(
    text: Any, fields: Mapping[str, str], log: Any, door_supervision: np.ndarray, cols: Mapping[str, Any]
) -> dict:
    n = len(door_supervision)
    licensed = list(zip(*(cols[f"hours_{d}"].to_numpy() for d in WEEKDAYS), strict=True))
    out = [[""] * 7 for _ in range(n)]
    if any(f"door_hours_{d}" in fields for d in WEEKDAYS):
        for k, d in enumerate(WEEKDAYS):
            vals = text(f"door_hours_{d}").to_numpy() if f"door_hours_{d}" in fields else [""] * n
            for i, v in enumerate(vals):
                v = str(v).strip()
                m = re.fullmatch(r"(\d{1,2}[:.]\d{2})\s*(?:-|to)\s*(?:close|until close|closing)", v, re.I)
                if m:
                    h, mm = re.split(r"[:.]", m.group(1))
                    one: list[tuple[int, int | None] | None] = [None] * 7
                    one[k] = (int(h) * 60 + int(mm), None)
                    v = door_hours_for(one, licensed[i])[k]
                out[i][k] = v
        bad = np.zeros(n, dtype=bool)
        from licvisit.domain import parse_session

        for i in range(n):
            for k in range(7):
                try:
                    parse_session(out[i][k])
                except ValueError:
                    bad[i] = True
                    out[i][k] = ""
        log.rows(
            bad,
            "door_hours",
            "door hours not in HH:MM-HH:MM, 'HH:MM-close' or 'closed'",
            "door supervision hours HH:MM-HH:MM, 'HH:MM-close' or 'closed'",
            "none needed: those nights' door hours are unknown",
            "",
            exclude=False,
        )
    else:
        conditions = text("conditions").to_numpy() if "conditions" in fields else [""] * n
        bad = np.zeros(n, dtype=bool)
        found = [""] * n
        no_times = 0
        # A register repeats a few standard conditions and hours: each is read once.
        read: dict[str, tuple[str, list[tuple[int, int | None] | None] | None]] = {}
        hours: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for i in range(n):
            text_i = str(conditions[i])
            if text_i not in read:
                c = door_condition_text(text_i)
                read[text_i] = (c, parse_door_condition(c) if c else None)
            cond, nights = read[text_i]
            if cond:
                if nights is None:
                    bad[i] = True
                    found[i] = f'"{cond[:90]}"'
                key = (cond, licensed[i])
                if key not in hours:
                    hours[key] = list(door_hours_for(nights, licensed[i]))
                out[i] = list(hours[key])
            elif bool(door_supervision[i]):
                no_times += 1  # required, but the source does not say when: unknown
            else:
                out[i] = ["closed"] * 7
        log.rows(
            bad,
            fields.get("conditions", "conditions"),
            lambda i: found[i],
            "a door-supervision condition with nights and a start time "
            "('SIA registered door supervisors from 21:00 Fri and Sat')",
            "none needed: the nights door supervisors are required are unknown; give door_hours_mon..sun to set them",
            "",
            exclude=False,
        )
        if no_times:
            log.note(
                f"{no_times:,} premises require door supervisors without saying when: door hours unknown"
            )
    return {f"door_hours_{d}": pd.Series([o[k] for o in out], dtype=str) for k, d in enumerate(WEEKDAYS)}
