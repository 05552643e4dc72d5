"""The ``licvisit maps`` command: redraw the offline route maps and overview from a saved plan."""

from __future__ import annotations

from pathlib import Path

import click

from licvisit.cli.options import check_out_folder, input_options, load_named, resolve_config
from licvisit.errors import ConfigError, LicvisitError


def _read_ranking(path: Path):
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype={"premises_id": str}, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise LicvisitError(f"Cannot read ranking {path}: {exc}.") from exc
    if "premises_id" not in table.columns:
        raise LicvisitError(f"{path} has no premises_id column; expected ranking.csv from 'licvisit rank'.")
    # write_csv may have prefixed text ids with a quote to keep Excel safe.
    table["premises_id"] = table["premises_id"].astype(str).str.removeprefix("'")
    return table


@click.command("maps")
@click.option(
    "--plan",
    "plan_dir",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Plan folder written by 'licvisit plan' (or its plan.json).",
)
@input_options
@click.option(
    "--ranking",
    "ranking_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="ranking.csv from 'licvisit rank' for risk bands; default: ranking.csv in the plan folder, "
    "else the premises are ranked from --calls with the config's [risk] and [harm].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Folder for the maps: one <night>_<crew>.html per crew-night, overview.html, index.html.",
)
def maps(config_path, calls, premises, zones, staff, visits, plan_dir, ranking_path, out_dir):
    """Draw offline route maps for every crew-night, and the overview, from a saved plan.

    Every page works with no network (Leaflet and plugins are embedded); map
    tiles appear only when [maps] tiles_url is set in --config.  Gang
    intelligence is shown only on maps of crews whose operation needs it
    ([maps] redact_intel_for).  Needs --premises; --calls, --zones and
    --visits add incidents, zone outlines and past visits to the cards, and
    --staff names the crew members.

    \b
    Example:
      licvisit maps --plan out/plan --config data/licvisit.toml --out maps
    """
    import datetime as dt

    from licvisit.app.pages import write_plan_maps
    from licvisit.app.params import map_params, risk_params
    from licvisit.io.plan_io import read_plan
    from licvisit.io.write import OUTPUT_FILES, staged_folder

    check_out_folder(out_dir)  # a bad --out fails now, not after the work
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, staff=staff, visits=visits)
    params = map_params(cfg)
    rp = risk_params(cfg)
    if "premises" not in cfg.inputs:
        raise ConfigError(
            "No premises file given. Fix: pass --premises FILE or name it under [inputs] in --config."
        )
    plan = read_plan(plan_dir)
    inputs = load_named(cfg, ("calls", "premises", "zones", "staff", "visits"))
    folder = plan_dir if plan_dir.is_dir() else plan_dir.parent
    ranking = None
    if ranking_path is not None:
        ranking = _read_ranking(ranking_path)
    elif (folder / "ranking.csv").is_file():
        ranking = _read_ranking(folder / "ranking.csv")
    elif inputs.calls is not None and len(inputs.calls):
        from licvisit.core.risk import rank_premises

        # with the config's [risk] and [harm], as at the start of the week, as `licvisit plan` ranks
        as_of = dt.datetime.combine(plan.week_start, dt.time())
        ranking = rank_premises(inputs.calls, inputs.premises, inputs.visits, rp, as_of=as_of).table
    with staged_folder(out_dir, OUTPUT_FILES["maps"], "licvisit maps") as stage:
        paths = write_plan_maps(plan, inputs, stage, ranking=ranking, params=params)
    crew_maps = len(paths) - 2
    click.echo(
        f"Wrote {crew_maps} route map{'s' * (crew_maps != 1)}, overview.html and index.html to {out_dir}"
    )
