"""``licvisit rank`` and ``licvisit backtest`` as library calls: read, check, rank or backtest, write.

The CLI parses options, calls :func:`rank_command` or :func:`backtest_command`
once and prints what comes back; everything else (zone filters, premises-id
checks, clipping to the calls' extent, the staged output folder) is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from licvisit.config import Config
from licvisit.errors import ConfigError, LicvisitError

if TYPE_CHECKING:  # pragma: no cover
    from licvisit.core.risk import BacktestResult, Ranking, RiskParams


def _quiet(_msg: str) -> None:
    return None


@dataclass
class RankRun:
    """What ``licvisit rank`` did: the ranking, the rows written, and what to tell the user."""

    ranking: Ranking
    table: pd.DataFrame
    files: list[Path]
    zone_label: str | None
    outside: int
    premises_total: int
    stale_note: str | None
    explained: dict[str, Any] | None = None


@dataclass
class BacktestRun:
    """What ``licvisit backtest`` did: the result and the premises left outside the calls' extent."""

    result: BacktestResult
    outside: int
    premises_total: int
    notes: list[str] = field(default_factory=list)


def zone_filter(zones: Any, zone: str) -> tuple[Callable[[pd.DataFrame], pd.DataFrame], str]:
    """Check ``zone`` names an NTE zone (before any work); return a ranking-table filter and its name."""
    from licvisit.io.zones import zones_matching

    matches, label = zones_matching(zones, zone, "`zone`")
    poly = matches.geometry.union_all()

    def select(table):
        import geopandas as gpd

        pts = gpd.GeoSeries(gpd.points_from_xy(table["x"], table["y"]), crs=zones.crs)
        out = table[pts.within(poly).to_numpy()].copy()
        out.insert(out.columns.get_loc("rank") + 1, "zone_rank", range(1, len(out) + 1))
        return out

    return select, label


def known_premises_id(premises: pd.DataFrame, wanted: str, option: str | None = None) -> str:
    """``wanted`` (trimmed) if the register has it, else a one-line error naming ``option`` and the closest ids."""
    import difflib

    ids = premises["premises_id"].astype(str)
    key = wanted.strip()
    if (ids == key).any():
        return key
    names = premises["name"].astype(str) if "name" in premises.columns else ids
    by_name = ids[names.str.lower() == key.lower()].tolist()
    close = by_name or difflib.get_close_matches(key, ids.tolist(), n=3)
    hint = f" (closest: {', '.join(close)})" if close else ""
    given = f" given to {option}" if option else ""
    raise ConfigError(
        f"Premises '{wanted}'{given} is not in the premises register{hint}. Fix: give a premises_id from "
        "the register, as listed in ranking.csv."
    )


def clip_to_calls(inputs: Any, clip: bool, progress: Callable[[str], None]) -> int:
    """With ``clip``, keep only the premises inside the calls' bounding box; return how many lie outside."""
    from licvisit.core.risk import premises_in_calls_extent

    inside = premises_in_calls_extent(inputs.calls, inputs.premises)
    outside = len(inputs.premises) - len(inside)
    if clip:
        if len(inside) == 0:
            raise ConfigError(
                "No premises lie inside the calls' extent. Fix: check both files cover one area."
            )
        inputs.premises = inside
        progress(f"kept {len(inside):,} premises inside the calls' extent")
    return outside


def outside_note(outside: int, total: int, why: str, verb: str) -> str:
    return (
        f"Note: {outside:,} of {total:,} premises lie outside the area the calls cover (their bounding box): "
        f"few or no calls can be linked to them, {why}. Fix: pass --clip-to-calls to {verb} only the "
        "premises inside it."
    )


def rank_to_folder(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    visits: pd.DataFrame | None,
    params: RiskParams,
    out_dir: str | Path,
    *,
    as_of: dt.datetime | dt.date | None = None,
    select: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
) -> tuple[Ranking, pd.DataFrame, list[Path]]:
    """Link, score and write a ranking into ``out_dir`` (see ``write_ranking``).

    ``attribution.csv`` (one row per linked call, by far the biggest output) is
    written by a second thread while the links are scored and the other files
    written: pyarrow's CSV writer releases the GIL, so on two cores the write
    costs little extra time.  ``select`` picks the rows written to
    ranking.csv/.gpkg/.json (e.g. one NTE zone's premises).

    Returns
    -------
    (Ranking, the table written, the files written)
    """
    from concurrent.futures import wait

    import numpy as np

    from licvisit.core.risk import calls_for_as_of, link_calls_to_premises, rank_premises
    from licvisit.io.ranking_io import write_attribution_in_background, write_ranking
    from licvisit.io.write import OUTPUT_FILES, staged_folder

    out = Path(out_dir)
    # Link only the calls the ranking uses (before --as-of, within history_days), so
    # attribution.csv and the link counts describe exactly the calls behind the scores.
    _, used = calls_for_as_of(calls, as_of, params)
    pos = np.flatnonzero(used)
    subset = calls if len(pos) == len(calls) else calls.iloc[pos].reset_index(drop=True)
    progress(f"linking {len(subset):,} calls to {len(premises):,} premises")
    links = link_calls_to_premises(subset, premises, params)
    if subset is not calls:
        links.table["call"] = pos[links.table["call"].to_numpy()]  # positions in ``calls`` again
        links.clock = None  # worked out for ``subset``: scoring ``calls`` works out its own
    # Every file is written into a hidden staging folder beside ``out``, which replaces it
    # only when all are done, so a failed run leaves the previous outputs as they were.
    with staged_folder(out, OUTPUT_FILES["rank"], "licvisit rank") as stage:
        attribution = write_attribution_in_background(links, stage, calls)
        try:
            progress("scoring premises")
            ranking = rank_premises(calls, premises, visits, params, as_of=as_of, links=links)
            table = ranking.table if select is None else select(ranking.table)
            progress(f"writing outputs to {out}")
            staged = write_ranking(ranking, stage, table=table, attribution=False)
        finally:
            wait([attribution])  # the thread must finish before the staging folder is removed
        staged += attribution.result()
    files = [out / p.relative_to(stage) for p in staged]
    return ranking, table, files


def rank_command(
    config: Config,
    params: RiskParams,
    out_dir: Path,
    *,
    as_of: dt.datetime | None = None,
    zone: str | None = None,
    explain_id: str | None = None,
    clip: bool = False,
    progress: Callable[[str], None] = _quiet,
    read_inputs: Callable[..., Any] | None = None,
) -> RankRun:
    """Read the calls, premises and visits ``config`` names, rank them and write ``out_dir``.

    ``zone`` limits the rows written to one NTE zone; ``explain_id`` (checked
    against the register before the work) adds that premises' breakdown;
    ``clip`` ranks only premises inside the calls' bounding box.
    ``read_inputs(config, kinds, required=...)`` reads the inputs (the CLI
    passes one that also prints the input warnings).
    """
    from licvisit.core.risk import explain, staleness_note
    from licvisit.io.csv_parse import parsed_early

    progress("reading inputs")
    # the biggest file, parsed while the others are read (once the command has what it needs)
    calls_path = config.inputs.get("calls") if "premises" in config.inputs else None
    kinds = ("calls", "premises", "visits") + (("zones",) if zone is not None else ())
    with parsed_early(calls_path):  # normally taken by the read; dropped if the read fails first
        inputs = _read(config, kinds, read_inputs)
    if inputs.calls is None or inputs.premises is None or len(inputs.premises) == 0:
        raise ConfigError("Ranking needs calls and at least one premises.")
    select, zone_label = zone_filter(inputs.zones, zone) if zone is not None else (None, None)
    if explain_id is not None:
        explain_id = known_premises_id(inputs.premises, explain_id)  # checked before the work
    total = len(inputs.premises)
    outside = clip_to_calls(inputs, clip, progress)
    ranking, table, files = rank_to_folder(
        inputs.calls,
        inputs.premises,
        inputs.visits,
        params,
        out_dir,
        as_of=as_of,
        select=select,
        progress=progress,
    )
    progress("done")
    run = RankRun(
        ranking, table, files, zone_label, outside, total, staleness_note(inputs.calls, ranking.as_of)
    )
    if explain_id:
        try:
            run.explained = explain(ranking, explain_id, calls=inputs.calls)
        except KeyError:
            raise ConfigError(
                f"Premises '{explain_id}' is not in the ranking. Fix: drop --zone or --clip-to-calls, "
                "which leave it out."
            ) from None
    return run


def backtest_command(
    config: Config,
    params: RiskParams,
    *,
    period: str = "month",
    horizon: int = 3,
    min_history: int = 3,
    n_boot: int = 500,
    seed: int = 0,
    clip: bool = False,
    progress: Callable[[str], None] = _quiet,
    read_inputs: Callable[..., Any] | None = None,
) -> BacktestRun:
    """Read the inputs ``config`` names and run the rolling-origin backtest of the ranking."""
    from licvisit.core.risk.backtest import backtest as run_backtest

    progress("reading inputs")
    inputs = _read(config, ("calls", "premises", "visits"), read_inputs)
    if inputs.calls is None or inputs.premises is None or len(inputs.premises) == 0:
        raise ConfigError("The backtest needs calls and at least one premises.")
    total = len(inputs.premises)
    outside = clip_to_calls(inputs, clip, progress)
    notes = []
    if outside and not clip:
        why = "and padding the list with them flatters every method's hit rate and PAI"
        notes.append(outside_note(outside, total, why, "score"))
    progress(f"backtesting on {len(inputs.calls):,} calls and {len(inputs.premises):,} premises")
    try:
        res = run_backtest(
            inputs.calls,
            inputs.premises,
            params,
            visits=inputs.visits,
            period=period,
            horizon=horizon,
            min_history=min_history,
            n_boot=n_boot,
            seed=seed,
            progress=progress,
        )
    except ValueError as exc:
        raise LicvisitError(str(exc)) from exc
    return BacktestRun(res, outside, total, notes)


def _read(config: Config, kinds: tuple[str, ...], read_inputs: Callable[..., Any] | None) -> Any:
    if read_inputs is not None:
        return read_inputs(config, kinds, required=("calls", "premises"))
    from licvisit.io import load_inputs

    for kind in ("calls", "premises"):
        if kind not in config.inputs:
            raise ConfigError(f"No {kind} file given. Fix: name it under [inputs] in the config.")
    return load_inputs(config, kinds=tuple(k for k in kinds if k in config.inputs))
