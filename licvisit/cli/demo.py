"""The ``licvisit demo`` command: the whole pipeline on the bundled Birmingham data."""

from __future__ import annotations

import time
from pathlib import Path

import click

from licvisit.cli.options import check_out_folder, input_options, resolve_config, stage_printer


@click.command()
@input_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Folder for the maps; tables go in sub-folders beside them (ranking/, plan/, evidence/).",
)
@click.option(
    "--week", default="2025-W41", show_default=True, help="Week to plan (ISO week or a date in it)."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed for the solver and bootstrap."
)
@click.option(
    "--time-limit", type=click.FloatRange(min=0.1), help="Routing time limit [s] (default from [plan])."
)
@click.option(
    "--zone",
    "evidence_zone",
    default="Broad Street",
    show_default=True,
    help="NTE zone for the evidence pack.",
)
def demo(config_path, calls, premises, zones, staff, visits, out_dir, week, seed, time_limit, evidence_zone):
    """Run everything on the bundled Birmingham demo data and say where the outputs are.

    Validates the inputs, ranks premises, backtests the ranking, plans the week
    (roster, joint crews, routes), draws the offline route maps and overview,
    and writes an evidence pack for one NTE zone. Inputs default to
    data/licvisit.toml; any --calls/--premises/... given replaces that input.
    """
    from licvisit.app.pipeline import BUNDLED_CONFIG, run_pipeline
    from licvisit.cli.plan import parse_week

    t0 = time.perf_counter()
    check_out_folder(out_dir)  # a bad --out fails now, not after the work
    if config_path is None and BUNDLED_CONFIG.is_file():
        config_path = BUNDLED_CONFIG
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, staff=staff, visits=visits)

    result = run_pipeline(
        cfg,
        out_dir,
        week_start=parse_week(week),
        seed=seed,
        time_limit_s=time_limit,
        evidence_zone=evidence_zone or None,
        progress=stage_printer(),
    )
    for line in result.lines:
        click.echo(line)
    click.echo("")
    click.echo("Outputs:")
    out = result.out_dir
    where = [
        ("maps", "Route maps (open index.html)", out / "index.html"),
        ("maps", "Sergeant's overview", out / "overview.html"),
        ("ranking", "Risk ranking", out / "ranking" / "ranking.csv"),
        ("backtest", "Backtest", out / "backtest.json"),
        ("plan", "Weekly plan and roster", out / "plan" / "roster.html"),
        ("evidence", "Evidence pack", out / "evidence" / "report.html"),
        ("validation", "Validation report", out / "validation.json"),
    ]
    for key, label, path in where:
        if key in result.files:
            click.echo(f"  {label:<28} {path}")
    click.echo(f"Done in {time.perf_counter() - t0:.0f} s.")
