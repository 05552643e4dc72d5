"""The `licvisit validate` command: check every input and report all problems at once."""

from __future__ import annotations

from pathlib import Path

import click

from licvisit.cli.options import input_options, resolve_config


@click.command()
@input_options
@click.option(
    "--postcodes",
    type=click.Path(path_type=Path),
    help="Postcode lookup CSV (postcode, latitude, longitude) to place premises that have only a postcode.",
)
@click.option(
    "--stop-search",
    "stop_search",
    type=click.Path(path_type=Path),
    hidden=True,
    help="Removed: stop-and-search records are not used (the command says where to look instead).",
)
@click.option(
    "--week",
    help="Planned week as an ISO week, e.g. 2025-W02 (places staff availability; default: next week).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full report (every problem) as JSON to this file.",
)
@click.option(
    "--max-per-kind",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="List at most this many problems of one kind per file on screen (all go to --json).",
)
def validate(
    config_path, calls, premises, zones, staff, visits, postcodes, stop_search, week, json_path, max_per_kind
):
    """Check input files and list every problem: file, row, field, found, expected, fix.

    Prints a summary per file (rows read, used, skipped by reason), then the
    errors (files that cannot be used) and warnings (rows left out, values
    assumed).  Exits 1 if any file is unusable, 0 if there are only warnings.
    """
    from licvisit.config import STOP_SEARCH_REMOVED
    from licvisit.errors import ConfigError
    from licvisit.io.load import validate_inputs

    if stop_search is not None:
        raise ConfigError(f"--stop-search: {STOP_SEARCH_REMOVED}")
    from licvisit.io.staff import monday_of
    from licvisit.io.write import write_json

    cfg = resolve_config(
        config_path,
        calls=calls,
        premises=premises,
        zones=zones,
        staff=staff,
        visits=visits,
        postcodes=postcodes,
    )
    if not cfg.inputs:
        raise ConfigError(
            "No inputs given. Fix: pass --calls, --premises, --zones, --staff or --visits, or --config licvisit.toml."
        )
    week_start = monday_of(week) if week else None
    kinds = list(cfg.inputs)
    report = validate_inputs(cfg, kinds, week_start).report
    click.echo(report.format_text(max_per_kind=max_per_kind))
    if json_path is not None:
        write_json(report.to_dict(), json_path)
        click.echo(f"Full report written to {json_path}")
    if report.errors:
        raise SystemExit(1)
