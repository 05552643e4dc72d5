"""The ``licvisit evidence`` command: a hotspot evidence pack for one NTE zone."""

from __future__ import annotations

from pathlib import Path

import click

from licvisit.cli.options import (
    check_out_folder,
    input_options,
    load_named,
    resolve_config,
    stage_printer,
)
from licvisit.errors import ConfigError

MONTH = "YYYY-MM"


@click.command()
@input_options
@click.option("--zone", "zone_name", required=True, help="NTE zone name (or zone_id) from the zones file.")
@click.option(
    "--from", "from_", required=True, metavar=MONTH, help="First month of the period, e.g. 2017-04."
)
@click.option("--to", "to", required=True, metavar=MONTH, help="Last month of the period (inclusive).")
@click.option("--compare-from", metavar=MONTH, help="First month of a comparison ('before') period.")
@click.option("--compare-to", metavar=MONTH, help="Last month of the comparison period (inclusive).")
@click.option(
    "--intervention",
    metavar=MONTH,
    help="Month an intervention began inside the period: before/after is split there (instead of --compare-*).",
)
@click.option(
    "--other-evidence",
    "other_evidence",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Evidence beyond police data (ambulance call-outs, A&E assaults, noise complaints): a CSV with a date or "
    "month, a location or zone name and a category. Repeatable; or [inputs] other_evidence = [...].",
)
@click.option("--anonymise", is_flag=True, help="Show premises by ID instead of name (for public documents).")
@click.option("--pdf", is_flag=True, help="Also write report.pdf (needs the weasyprint package).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/evidence"),
    show_default=True,
    help="Folder for report.html, tables/*.csv, charts/*.png and evidence.json.",
)
def evidence(
    config_path, calls, premises, zones, staff, visits, zone_name, from_, to, compare_from, compare_to,
    intervention, other_evidence, anonymise, pdf, out_dir,
):  # fmt: skip
    """Write a hotspot evidence pack for one zone: map, trends, concentration, before/after.

    For partnership bids and Cumulative Impact Assessments: a self-contained
    HTML report (no network needed), with kernel density and Getis-Ord Gi*
    hot spots, monthly trends with Poisson tests, concentration among
    premises, the top premises and a before/after comparison, plus the CSV
    tables and PNG charts it shows.  Counts below the disclosure threshold
    (default 5, [evidence] threshold) are hidden, with secondary suppression.
    """
    from licvisit.app.evidence import evidence_to_folder

    stage = stage_printer()
    if bool(compare_from) != bool(compare_to):
        raise ConfigError("Give both --compare-from and --compare-to, or neither.")
    if compare_from and intervention:
        raise ConfigError("Give either --compare-from/--compare-to or --intervention, not both.")
    check_out_folder(out_dir)  # a bad --out fails now, not after the work
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones).with_other_evidence(
        list(other_evidence)
    )
    pack, written = evidence_to_folder(
        cfg,
        zone_name,
        out_dir,
        period=(from_, to),
        compare=(compare_from, compare_to) if compare_from else None,
        intervention=intervention,
        anonymise=anonymise,
        pdf=pdf,
        read_inputs=load_named,
        progress=stage,
    )
    hidden = sum(t.n_suppressed for t in pack.tables.values())
    click.echo(f"Evidence pack for {pack.zone_name}, {from_} to {to}: {written[0]}")
    click.echo(f"{len(written)} files written; {hidden} table cells hidden to protect small numbers.")
    for f in pack.findings:
        click.echo(f"- {f}")
