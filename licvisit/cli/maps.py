"""The ``licvisit maps`` command: redraw the offline route maps and overview from a saved plan."""

from __future__ import annotations

from pathlib import Path

import click

from licvisit.cli.options import check_out_folder, input_options, load_named, resolve_config


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
    from licvisit.app.maps import maps_to_folder

    check_out_folder(out_dir)  # a bad --out fails now, not after the work
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, staff=staff, visits=visits)
    paths = maps_to_folder(cfg, plan_dir, out_dir, ranking_path=ranking_path, read_inputs=load_named)
    crew_maps = len(paths) - 2
    click.echo(
        f"Wrote {crew_maps} route map{'s' * (crew_maps != 1)}, overview.html and index.html to {out_dir}"
    )
