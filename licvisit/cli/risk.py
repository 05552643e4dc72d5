"""The ``licvisit rank`` and ``licvisit backtest`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from licvisit.cli.options import (
    check_out_folder,
    input_options,
    load_named,
    no_huge_page_advice,
    resolve_config,
    stage_printer,
)
from licvisit.errors import as_cli_options

SCHEME_CHOICE = click.Choice(["cchi", "ons_css", "count"])


def _print_table(table, top: int, zone: str | None = None) -> None:
    in_zone = "zone_rank" in table.columns
    if in_zone:
        click.echo(
            f"{len(table):,} premises in zone '{zone}' (zone rank first, then rank in the whole area):"
        )
    cols = ["rank", "band", "score", "expected_harm_week", "n_calls", "premises_id", "name"]
    head = table.head(top)
    zr = f"{'zone':>5} " if in_zone else ""
    click.echo(
        f"{zr}{'rank':>5} {'band':<4} {'score':>9} {'harm/wk':>9} {'calls':>7}  {'premises_id':<14} name"
    )
    for _, r in head[cols + (["zone_rank"] if in_zone else [])].iterrows():
        z = f"{int(r['zone_rank']):>5} " if in_zone else ""
        click.echo(
            f"{z}{int(r['rank']):>5} {r['band']:<4} {r['score']:>9.2f} {r['expected_harm_week']:>9.2f} "
            f"{r['n_calls']:>7.1f}  {str(r['premises_id'])[:14]:<14} {str(r['name'])[:40]}"
        )


def _print_explain(exp: dict[str, Any]) -> None:
    click.echo(
        f"\n{exp['name']} ({exp['premises_id']}): rank {exp['rank']}, band {exp['band']} "
        f"(visit {exp['visit_frequency']}), score {exp['score']:.3f} as of {exp['as_of'][:10]}"
    )
    click.echo(f"Harm scheme: {exp['harm_source']}")
    click.echo("Components (sum to the score):")
    for k, v in exp["components"].items():
        click.echo(f"  {k:<13} {v + 0.0:>10.3f}  {exp['component_reasons'][k]}")
    total = exp.get("calls_total", len(exp["calls"]))
    click.echo(
        f"Calls behind it ({len(exp['calls'])} of {total:,} shown, highest harm first; "
        "weight = share x hours factor):"
    )
    for c in exp["calls"]:
        when = str(c.get("occurred_at", ""))
        when = when[:7] if c.get("time_known") is False else when[:16]  # month-only: no day or time
        closed = " (closed hours)" if c.get("open") is False else ""
        click.echo(
            f"  {when:<16} {str(c.get('category', '')):<28} harm {c['harm']:>7.1f} weight {c['weight']:.2f}"
            f"{closed} {c.get('rule', '')} {'' if c.get('distance_m') is None else str(c['distance_m']) + ' m'} "
            f"{str(c.get('location_text', '') or '')[:40]}"
        )


@click.command()
@input_options
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Score as at this date; later calls are ignored. Default: the day after the last call.",
)
@click.option("--zone", help="Only list premises inside this NTE zone (name or zone_id).")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True, help="Rows to print.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/rank"),
    show_default=True,
    help="Folder for ranking.csv, ranking.gpkg, ranking.json, attribution*.csv (attribution.parquet when "
    "longer than an Excel sheet).",
)
@click.option(
    "--explain",
    "explain_id",
    metavar="PREMISES_ID",
    help="Print the score breakdown and the calls behind it.",
)
@click.option("--scheme", type=SCHEME_CHOICE, help="Harm weights: cchi (default), ons_css or count.")
@click.option(
    "--clip-to-calls",
    is_flag=True,
    help="Rank only premises inside the bounding box of the calls (e.g. a city-centre police.uk extract).",
)
def rank(
    config_path, calls, premises, zones, staff, visits, as_of, zone, top, out_dir, explain_id, scheme,
    clip_to_calls,
):  # fmt: skip
    """Rank licensed premises by harm-weighted risk and explain each score.

    Links calls to premises (reference, name, nearest within radius), weighs them
    by harm, shrinks noisy counts towards similar premises, adds static licence
    risk, and writes ranking.csv (Excel-safe), ranking.gpkg, ranking.json and the
    attribution table with its 25/50/100 m sensitivity.
    """
    stage = stage_printer()
    # Parsing the calls (the biggest file, Arrow's threads, no GIL) starts before
    # pandas and the readers are imported: this module and the parser import
    # neither, so the parse overlaps half a second of imports (docs/benchmarks.md).
    # A parse the command did not take (it stopped first) is dropped at the end.
    from licvisit.io.csv_parse import parsed_early

    with parsed_early(calls if calls is not None and premises is not None else None):
        from licvisit.app.params import risk_params
        from licvisit.app.rank import outside_note, rank_command

        no_huge_page_advice()  # millions of rows in short-lived arrays: see its docstring
        cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, visits=visits)
        params = risk_params(cfg, scheme)
        check_out_folder(out_dir)  # a bad --out fails now, not after the work
        run = rank_command(
            cfg,
            params,
            out_dir,
            as_of=as_of,
            zone=zone,
            explain_id=explain_id,
            clip=clip_to_calls,
            progress=stage,
            read_inputs=load_named,
        )
        ranking, table = run.ranking, run.table
        c = ranking.summary["counts"]
        click.echo(
            f"Ranked {len(ranking.table):,} premises as of {ranking.as_of:%Y-%m-%d} ({params.scheme} harm). "
            f"Calls linked: {c['reference']:,} by reference, {c['name']:,} by name, {c['nearest']:,} nearest "
            f"within {params.radius_m:g} m; {c['unlinked']:,} unlinked; {c['closed_excluded'] + c['closed_downweighted']:,} "
            f"at closed hours {'excluded' if params.closed_hours == 'exclude' else 'down-weighted'}."
        )
        sens = ranking.links.sensitivity
        click.echo(
            "Calls with a premises within "
            + "; ".join(
                f"{r['radius_m']:g} m: {int(r['calls_linked']):,} ({r['share_linked']:.0%}; "
                f"{int(r['calls_with_several_premises']):,} with two or more)"
                for _, r in sens.iterrows()
            )
            + "."
        )
        for note in ranking.notes:
            if note == run.stale_note:
                click.echo(f"Warning: {as_cli_options(note)}", err=True)
            else:
                click.echo(f"Note: {as_cli_options(note)}")
        if run.outside and not clip_to_calls:
            click.echo(
                outside_note(
                    run.outside,
                    run.premises_total,
                    "so they are ranked mostly on static licence risk and their type's average",
                    "rank",
                )
            )
        if top:
            _print_table(table, top, run.zone_label)
        if run.explained is not None:
            _print_explain(run.explained)
        from licvisit.io.ranking_io import attribution_note

        att_note = attribution_note(len(ranking.links.table))
        if att_note:
            click.echo(f"Note: {att_note}")
        att_file = next((p.name for p in run.files if p.name.startswith("attribution.")), "attribution.csv")
        click.echo(
            f"Wrote {out_dir / 'ranking.csv'}, ranking.gpkg, ranking.json, {att_file}, attribution_sensitivity.csv"
        )


@click.command()
@input_options
@click.option(
    "--horizon",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Periods (months by default) scored after each cut.",
)
@click.option(
    "--min-history",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Periods (months by default) of history before the first cut.",
)
@click.option(
    "--period",
    type=click.Choice(["month", "week", "quarter"]),
    default="month",
    show_default=True,
    help="Length of a period (cuts fall on period starts).",
)
@click.option(
    "--n-boot",
    type=click.IntRange(min=10),
    default=500,
    show_default=True,
    help="Bootstrap resamples for the confidence intervals.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed for the bootstrap.")
@click.option("--scheme", type=SCHEME_CHOICE, help="Harm weights: cchi (default), ons_css or count.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the full result (folds, summary, settings) as JSON here.",
)
@click.option(
    "--clip-to-calls",
    is_flag=True,
    help="Keep only premises inside the bounding box of the calls (e.g. a city-centre police.uk extract).",
)
def backtest(
    config_path,
    calls,
    premises,
    zones,
    staff,
    visits,
    horizon,
    min_history,
    period,
    n_boot,
    seed,
    scheme,
    json_path,
    clip_to_calls,
):
    """Rolling-origin backtest of the ranking against simple baselines.

    At each period start after --min-history periods, rank with data up to the
    cut and score on the harm of the next --horizon periods: hit rate, PAI and
    PEI at the top 5 % and 10 % of premises, with bootstrap 95 % intervals.
    """
    from licvisit.app.params import risk_params
    from licvisit.app.rank import backtest_command
    from licvisit.core.risk import METHOD_LABELS
    from licvisit.io.write import write_json

    stage = stage_printer()
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, visits=visits)
    params = risk_params(cfg, scheme)
    if json_path is not None:
        # before the work, not after it
        check_out_folder(json_path.parent, "--json", replaced=False, shown=json_path)
    run = backtest_command(
        cfg,
        params,
        period=period,
        horizon=horizon,
        min_history=min_history,
        n_boot=n_boot,
        seed=seed,
        clip=clip_to_calls,
        progress=stage,
        read_inputs=load_named,
    )
    for note in run.notes:
        click.echo(note, err=True)
    res = run.result
    s = res.summary
    nf = res.settings["folds"]
    click.echo(f"{nf} fold{'s' * (nf != 1)}; target: {res.settings['target']}; 95 % bootstrap intervals.")
    short = {
        "model": "model",
        "model_nested": "model, nested parameter choice",
        "count_12m": "count, previous 12 months",
        "harm_12m": "harm-weighted count, previous 12 months",
        "last_period": f"count, last {period}",
        "random": "random (expected)",
    }
    click.echo(f"{'method':<40} {'top':>4} {'hit rate':>16} {'PAI':>6} {'PEI':>18} {'worst':>6}")
    for _, r in s.iterrows():
        click.echo(
            f"{short.get(r['method'], METHOD_LABELS.get(r['method'], r['method'])):<40} {r['top'] * 100:>3.0f}% "
            f"{r['hit_rate']:>6.3f} [{r['hit_rate_lo']:.2f},{r['hit_rate_hi']:.2f}] {r['pai']:>6.2f} "
            f"{r['pei']:>6.3f} [{r['pei_lo']:.2f},{r['pei_hi']:.2f}] {r['pei_worst_fold']:>6.3f}"
        )
    click.echo(
        "PEI: share of the best possible capture; 'worst' is the lowest fold's PEI. "
        "nested: harm_prior_calls and half_life_days chosen at each cut on earlier cuts only."
    )
    for note in res.notes:
        click.echo(f"Note: {as_cli_options(note)}")
    if json_path:
        write_json(res.to_dict(), json_path)
        click.echo(f"Wrote {json_path}")
