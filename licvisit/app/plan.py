"""``licvisit plan`` as a library call: read, rank as at the week, plan, write the plan and its maps."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licvisit.config import Config
from licvisit.domain import Lock, Plan
from licvisit.errors import ConfigError


@dataclass
class PlanRun:
    """What ``licvisit plan`` did: the plan, the inputs it was made from and the files written."""

    plan: Plan
    inputs: Any
    files: list[Path]
    stale_note: str | None


def plan_to_folder(
    config: Config,
    week_start: dt.date,
    out_dir: Path,
    maps_dir: Path | None,
    params: Any,
    *,
    locks: tuple[Lock, ...] = (),
    exclude: tuple[str, ...] = (),
    previous: Path | None = None,
    as_of: dt.datetime | None = None,
    read_inputs: Callable[..., Any],
    check_folder: Callable[..., Any],
    progress: Callable[[str], None] | None = None,
) -> PlanRun:
    """Plan the week starting ``week_start`` and write ``out_dir`` (and the route maps into ``maps_dir``).

    Steps: check the output folders -> read the inputs -> check the ids in
    ``exclude`` and ``locks`` against the register -> rank as at the week's
    start (or ``as_of``) -> ``plan_week`` -> write both folders, staged and
    swapped in together, so an error or Ctrl-C leaves the previous plan and
    maps exactly as they were.  ``read_inputs(config, kinds, required=...,
    week_start=...)`` reads the inputs; ``check_folder(path, option)`` refuses
    an unusable output folder before any work.
    """
    with_maps = maps_dir is not None and importlib.util.find_spec("licvisit.render.maps") is not None
    check_folder(out_dir)  # a bad folder fails now, not after solving
    if with_maps:
        check_folder(maps_dir, "--maps-dir")
    before = _previous_plan(previous, week_start)  # a plan of another week fails now, not after solving
    inputs = read_inputs(
        config,
        ("calls", "premises", "zones", "staff", "visits"),
        required=("premises", "staff"),
        week_start=week_start,
    )
    if inputs.calls is None:
        raise ConfigError(
            "No calls file given. Fix: pass --calls FILE or name it under [inputs] in --config."
        )
    exclude = _checked_ids(inputs.premises, exclude, locks)
    ranking, stale = rank_for_week(config, inputs, week_start, as_of)
    from licvisit.core.plan import plan_week

    result = plan_week(
        ranking.table,
        inputs.premises,
        inputs.staff or [],
        week_start,
        params,
        visits=inputs.visits,
        zones=inputs.zones,
        locks=locks,
        exclude=exclude,
        previous=before,
        progress=progress,
    )
    files = _write(config, result, inputs, ranking, out_dir, maps_dir if with_maps else None)
    return PlanRun(result, inputs, files, stale)


def _previous_plan(previous: Path | None, week_start: dt.date) -> Plan | None:
    """Read the ``--previous`` plan and refuse one made for another week."""
    from licvisit.io.plan_io import read_plan

    if previous is None:
        return None
    before = read_plan(previous)
    if before.week_start != week_start:
        raise ConfigError(
            f"--previous {previous}: that plan is for the week of {before.week_start:%a %d %b %Y}, not the "
            f"week of {week_start:%a %d %b %Y} being planned. Fix: give the folder of a plan for "
            f"{week_start:%G-W%V}, or leave out --previous."
        )
    return before


def _checked_ids(premises: Any, exclude: tuple[str, ...], locks: tuple[Lock, ...]) -> tuple[str, ...]:
    """A mistyped id must not pass silently: an exclusion that matches nothing lets the premises be visited."""
    from licvisit.app.rank import known_premises_id

    checked = tuple(known_premises_id(premises, e, "--exclude") for e in exclude)
    for lk in locks:
        known_premises_id(premises, lk.premises_id, "--lock")
    return checked


def rank_for_week(
    config: Config, inputs: Any, week_start: dt.date, as_of: dt.datetime | None
) -> tuple[Any, str | None]:
    """Rank as at the start of the planned week (as ``licvisit demo`` does) unless told otherwise.

    Returns (the ranking, a staleness note or None). The planning benchmarks rank this way too.
    """
    from licvisit.app.params import risk_params
    from licvisit.core.risk import calls_for_as_of, rank_premises, staleness_note

    as_of_dt = as_of or dt.datetime.combine(week_start, dt.time())
    rp = risk_params(config)
    calls_for_as_of(inputs.calls, as_of_dt, rp)  # refuses a date before every call, as `rank` does
    stale = staleness_note(inputs.calls, week_start, "The planned week starts")
    return rank_premises(inputs.calls, inputs.premises, inputs.visits, rp, as_of=as_of_dt), stale


def _write(
    config: Config, result: Plan, inputs: Any, ranking: Any, out_dir: Path, maps_dir: Path | None
) -> list[Path]:
    from licvisit.app.pages import write_plan_folder, write_plan_maps
    from licvisit.app.params import map_params
    from licvisit.io.write import OUTPUT_FILES, staged_folders

    targets = [(out_dir, OUTPUT_FILES["plan"])] + ([(maps_dir, OUTPUT_FILES["maps"])] if maps_dir else [])
    with staged_folders(targets, "licvisit plan") as stages:
        files = write_plan_folder(result, stages[0], premises=inputs.premises, staff=inputs.staff)
        if maps_dir is not None:
            files += list(
                write_plan_maps(result, inputs, stages[1], ranking=ranking, params=map_params(config))
            )
    return files
