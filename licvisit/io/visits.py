"""Read the history of past licensing visits and their outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from licvisit.domain import VISIT_COLUMNS, VISIT_OUTCOMES
from licvisit.errors import Problem
from licvisit.io.calls import resolve_fields, wrong_kind
from licvisit.io.parse import DATETIME_EXPECTED, map_codes, parse_datetimes
from licvisit.io.table import read_table
from licvisit.io.validate import FileSummary, ProblemLog

VISIT_TYPES = ("licensing_compliance", "sia_check", "gang_op", "other")
VISIT_ALIASES = {
    "premises_id": ("premises_id", "premises", "premises_ref", "fhrsid", "licence_number"),
    "visited_at": ("visited_at", "visit_date", "date_time", "datetime", "date", "when"),
    "visit_type": ("visit_type", "type", "operation"),
    "outcome": ("outcome", "result", "visit_outcome"),
    "notes": ("notes", "comments", "remarks"),
}
TYPE_LOOKUP = {
    **{t: t for t in VISIT_TYPES},
    "licensing compliance": "licensing_compliance",
    "licensing visit": "licensing_compliance",
    "compliance": "licensing_compliance",
    "sia check": "sia_check",
    "sia": "sia_check",
    "gang op": "gang_op",
    "gang operation": "gang_op",
}
OUTCOME_LOOKUP = {
    **{o: o for o in VISIT_OUTCOMES},
    "advice given": "advice_given",
    "advice": "advice_given",
    "breach": "breach_found",
    "breach found": "breach_found",
    "action plan": "action_plan",
    "review": "review_requested",
    "review requested": "review_requested",
    "no issues": "compliant",
}


def empty_visits() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=str) for c in VISIT_COLUMNS})
    df["visited_at"] = pd.Series(dtype="datetime64[ns]")
    return df


def read_visits(
    path: str | Path,
    premises_ids: Iterable[str] | None = None,
    before: tuple[dt.datetime, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read past visits (``VISIT_COLUMNS`` plus ``source_row``).

    Visits to a premises not in ``premises_ids`` (when given) are listed and left
    out, as are visits dated on or after ``before`` = (moment, what it is, e.g.
    "the start of the planned week (2025-10-06)"): history from the future.
    """
    df, problems, _ = visits_with_summary(path, premises_ids, before)
    return df, problems


def visits_with_summary(
    path: str | Path,
    premises_ids: Iterable[str] | None = None,
    before: tuple[dt.datetime, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem], FileSummary]:
    p = Path(path)
    log = ProblemLog(str(p), "visits")
    if not p.is_file():
        log.error("no such file", "a visit history CSV", "check the path given to --visits")
        return empty_visits(), log.problems, log.summary
    raw = read_table(p, log)
    if raw is None:
        return empty_visits(), log.problems, log.summary
    log.summary.notes += raw.notes
    log.summary.format = "visit history CSV"
    if wrong_kind(log, raw.columns, "visits", "a visit history"):
        return empty_visits(), log.problems, log.summary
    fields = resolve_fields(
        raw, None, log, "visits", VISIT_ALIASES, required=("premises_id", "visited_at"), location=False
    )
    if fields is None:
        return empty_visits(), log.problems, log.summary
    n = len(raw)
    pid = raw.text(fields["premises_id"]).to_numpy()
    log.rows(
        pid == "",
        fields["premises_id"],
        "a blank",
        "a premises id",
        "add the premises id or delete the row",
        "premises id missing",
    )
    if premises_ids is not None:
        known = pd.Index(pd.unique(np.asarray(list(premises_ids), dtype=object).astype(str)))
        unknown = (pid != "") & (known.get_indexer(pid) < 0)
        log.rows(
            unknown,
            fields["premises_id"],
            pid,
            "a premises id in the premises register",
            "correct the id, or add the premises to the register",
            "unknown premises",
        )
    when, _, bad = parse_datetimes(raw.table.column(fields["visited_at"]))
    log.rows(
        bad,
        fields["visited_at"],
        raw.text(fields["visited_at"]).to_numpy(),
        DATETIME_EXPECTED,
        "correct the date or delete the row",
        "date not understood",
    )
    log.rows(
        np.isnat(when) & ~bad,
        fields["visited_at"],
        "a blank",
        DATETIME_EXPECTED,
        "add the date or delete the row",
        "date missing",
    )

    if before is not None:
        cutoff, what = before
        log.rows(
            ~np.isnat(when) & (when >= np.datetime64(pd.Timestamp(cutoff).to_datetime64(), "ns")),
            fields["visited_at"],
            raw.text(fields["visited_at"]).to_numpy(),
            f"a past visit, before {what}",
            "correct the date (day and month swapped?) or delete the row; a visit not yet made is not history",
            "dated in the future",
        )

    def coded(name: str, table: dict, allowed: tuple[str, ...]) -> np.ndarray:
        if name not in fields:
            return np.full(n, "other", dtype=object)
        t = raw.text(fields[name])
        vals, unk = map_codes(t, table, unknown_as="other", blank_as="other")
        log.rows(
            unk,
            fields[name],
            t,
            f"one of {', '.join(allowed)}",
            "none needed: counted as 'other'",
            "",
            exclude=False,
        )
        return vals.to_numpy().astype(object)

    vtype = coded("visit_type", TYPE_LOOKUP, VISIT_TYPES)
    outcome = coded("outcome", OUTCOME_LOOKUP, VISIT_OUTCOMES)
    notes = raw.text(fields["notes"]).to_numpy() if "notes" in fields else np.full(n, "", dtype=object)
    keep = log.keep
    df = pd.DataFrame(
        {
            "premises_id": pid[keep].astype(str),
            "visited_at": when[keep],
            "visit_type": vtype[keep].astype(str),
            "outcome": outcome[keep].astype(str),
            "notes": notes[keep].astype(str),
            "source_row": raw.row_numbers[keep],
        }
    )
    log.finish(raw.rows_read, len(df))
    return df, log.problems, log.summary
