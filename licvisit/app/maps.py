"""``licvisit maps`` as a library call: redraw the route maps and overview of a saved plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from licvisit.config import Config
from licvisit.errors import ConfigError, LicvisitError


def read_ranking_table(path: Path) -> pd.DataFrame:
    """Read ranking.csv written by ``licvisit rank`` (text ids without the Excel-safety quote)."""
    try:
        table = pd.read_csv(path, dtype={"premises_id": str}, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise LicvisitError(f"Cannot read ranking {path}: {exc}.") from exc
    if "premises_id" not in table.columns:
        raise LicvisitError(f"{path} has no premises_id column; expected ranking.csv from 'licvisit rank'.")
    # write_csv may have prefixed text ids with a quote to keep Excel safe.
    table["premises_id"] = table["premises_id"].astype(str).str.removeprefix("'")
    return table


def maps_to_folder(
    config: Config,
    plan_dir: Path,
    out_dir: Path,
    *,
    ranking_path: Path | None = None,
    read_inputs: Callable[..., Any],
) -> list[Path]:
    """Draw every crew-night's map, the overview and the index of the plan in ``plan_dir`` into ``out_dir``.

    Risk bands come from ``ranking_path``, else ranking.csv in the plan folder,
    else a ranking of the config's calls with its ``[risk]`` and ``[harm]`` as
    at the start of the week (as ``licvisit plan`` ranks).  Each card's recent
    incidents are the calls linked to it with those same rules.  The folder is
    written all-or-nothing.
    """
    from licvisit.app.pages import write_plan_maps
    from licvisit.app.params import map_params, risk_params
    from licvisit.io.plan_io import read_plan
    from licvisit.io.write import OUTPUT_FILES, staged_folder

    params = map_params(config)
    rp = risk_params(config)
    if "premises" not in config.inputs:
        raise ConfigError(
            "No premises file given. Fix: pass --premises FILE or name it under [inputs] in --config."
        )
    plan = read_plan(plan_dir)
    inputs = read_inputs(config, ("calls", "premises", "zones", "staff", "visits"))
    folder = plan_dir if plan_dir.is_dir() else plan_dir.parent
    have_calls = inputs.calls is not None and len(inputs.calls) > 0
    ranking: Any = None
    if ranking_path is not None:
        ranking = read_ranking_table(ranking_path)
    elif (folder / "ranking.csv").is_file():
        ranking = read_ranking_table(folder / "ranking.csv")
    elif have_calls:
        from licvisit.core.risk import rank_premises

        as_of = dt.datetime.combine(plan.week_start, dt.time())
        ranking = rank_premises(inputs.calls, inputs.premises, inputs.visits, rp, as_of=as_of)
    call_links = None
    if have_calls and getattr(ranking, "links", None) is None:
        from licvisit.core.risk import link_calls_to_premises

        call_links = link_calls_to_premises(inputs.calls, inputs.premises, rp).table
    with staged_folder(out_dir, OUTPUT_FILES["maps"], "licvisit maps") as stage:
        paths = write_plan_maps(plan, inputs, stage, ranking=ranking, params=params, call_links=call_links)
    return paths
