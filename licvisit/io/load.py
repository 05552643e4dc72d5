"""Load every input a config names, cross-check them, and report once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np

from licvisit.config import Config, params_from
from licvisit.domain import Inputs
from licvisit.errors import DataValidationError, Problem
from licvisit.io.calls import calls_with_summary
from licvisit.io.postcodes import postcodes_with_summary
from licvisit.io.premises import premises_with_summary
from licvisit.io.premises_params import PremisesParams
from licvisit.io.staff import next_monday, staff_with_summary
from licvisit.io.validate import MAX_PROBLEMS_PER_KIND, ValidationReport
from licvisit.io.visits import visits_with_summary
from licvisit.io.zones import zones_with_summary

LOAD_ORDER = ("premises", "calls", "zones", "staff", "visits")


def validate_inputs(
    config: Config,
    kinds: Iterable[str] | None = None,
    week_start: dt.date | None = None,
) -> Inputs:
    """Read every input named in ``config`` and return them with a ValidationReport.

    Never raises for bad data: look at ``Inputs.report``.  ``kinds`` limits
    the inputs read (default: all named in ``config.inputs``); ``week_start``
    (a Monday) places staff availability (default: next Monday).  Visits dated
    after the planned week (without ``week_start``: after today) are listed and
    left out: a plan cannot use history from its future.
    """
    wanted = set(kinds) if kinds is not None else set(config.inputs)
    report = ValidationReport()
    inputs = Inputs(report=report)
    paths = config.inputs
    mapping = config.mapping
    postcodes = paths.get("postcodes")
    if "premises" in wanted and "premises" in paths:
        gdf, problems, summaries = premises_with_summary(
            paths["premises"],
            mapping.get("premises"),
            postcodes=postcodes,
            params=params_from(PremisesParams, config.section("premises"), "premises"),
        )
        # the premises summary first, then the postcode lookup's
        report.files += summaries
        report.problems += problems
        inputs.premises = gdf if summaries and summaries[0].usable else None
    elif postcodes is not None and (kinds is None or "postcodes" in wanted or "premises" in wanted):
        # a lookup given on its own is still checked
        _, problems, summary = postcodes_with_summary(postcodes)
        report.add(summary, problems)
    premises_ids = None if inputs.premises is None else inputs.premises["premises_id"].to_numpy()
    if "calls" in wanted and "calls" in paths:
        df, problems, summaries = calls_with_summary(paths["calls"], mapping.get("calls"))
        report.files += summaries
        report.problems += problems
        if premises_ids is not None and len(df):
            _check_call_refs(df, premises_ids, report)
        inputs.calls = df if any(s.usable for s in summaries) else None
    if "other_evidence" in wanted and config.other_evidence:
        from licvisit.io.other_evidence import other_evidence_with_summary

        inputs.other_evidence = []
        for path in config.other_evidence:
            df, problems, summary = other_evidence_with_summary(path, mapping.get("other_evidence"))
            report.add(summary, problems)
            if summary.usable:
                inputs.other_evidence.append(df)
    if "zones" in wanted and "zones" in paths:
        gdf, problems, summary = zones_with_summary(paths["zones"], mapping.get("zones"))
        report.add(summary, problems)
        inputs.zones = gdf if summary.usable else None
    if "staff" in wanted and "staff" in paths:
        officers, problems, summary = staff_with_summary(paths["staff"], week_start or next_monday())
        report.add(summary, problems)
        inputs.staff = officers if summary.usable else None
    if "visits" in wanted and "visits" in paths:
        df, problems, summary = visits_with_summary(paths["visits"], premises_ids, _visits_before(week_start))
        report.add(summary, problems)
        inputs.visits = df if summary.usable else None
    return inputs


def _visits_before(week_start: dt.date | None) -> tuple[dt.datetime, str]:
    """The moment visit history must precede, and how to name it in a message."""
    if week_start is not None:
        # a re-plan mid-week has this week's visits already; Sunday's night shift ends on Monday morning
        end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(12))
        last = week_start + dt.timedelta(days=6)
        return end, f"the planned week (nights {week_start:%Y-%m-%d} to {last:%Y-%m-%d}) ends"
    today = dt.date.today()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time()), f"today ({today:%Y-%m-%d}) ends"


def load_inputs(
    config: Config,
    kinds: Iterable[str] | None = None,
    week_start: dt.date | None = None,
) -> Inputs:
    """Read and cross-check every input the config names (see :func:`validate_inputs`).

    Raises
    ------
    DataValidationError
        if any file is unusable (a problem of severity "error"); rows with
        problems are excluded and listed in ``Inputs.report`` as warnings.
    """
    inputs = validate_inputs(config, kinds, week_start)
    if inputs.report.errors:
        raise DataValidationError(inputs.report.errors)
    return inputs


def _check_call_refs(df: Any, premises_ids: np.ndarray, report: ValidationReport) -> None:
    """Calls naming a premises not in the register keep their location but lose the link."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Arrow compute on the column's Arrow text: no Python string per call.
    ref = pa.array(df["premises_ref"], type=pa.large_string())
    known = pa.array(np.unique(premises_ids.astype(str)), type=pa.large_string())
    bad_arr = pc.and_(pc.not_equal(ref, ""), pc.invert(pc.is_in(ref, value_set=known)))
    bad = np.asarray(pc.fill_null(bad_arr, False).to_numpy(zero_copy_only=False), dtype=bool)
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    files, rows = df["source_file"], df["source_row"]
    for i in idx[:MAX_PROBLEMS_PER_KIND]:
        report.problems.append(
            Problem(
                str(files.iat[i]),
                int(rows.iat[i]),
                "premises_ref",
                f'"{ref[int(i)].as_py()}"',
                "a premises id in the premises register",
                "none needed: the call is used by its location only; correct the id to link it",
                "warning",
            )
        )
    if len(idx) > MAX_PROBLEMS_PER_KIND:
        report.problems.append(
            Problem(
                str(files.iat[idx[0]]),
                None,
                "premises_ref",
                f"{len(idx) - MAX_PROBLEMS_PER_KIND:,} more calls naming unknown premises",
                "a premises id in the premises register",
                "same fix as for the rows listed above",
                "warning",
            )
        )
    df.loc[bad, "premises_ref"] = ""
