"""The `licvisit synth` command: generate synthetic calls for service for demos and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--premises",
    type=click.Path(path_type=Path),
    help="Premises register (glossary CSV, FHRS CSV, GeoJSON...) the calls are generated around.",
)
@click.option(
    "--synthetic-premises",
    "n_synthetic",
    type=click.IntRange(min=1),
    help="Instead of --premises, invent a register of N premises around Birmingham (for benchmarks).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Calls CSV to write (glossary columns, opens in Excel).",
)
@click.option("--start", help="First day of the calls, YYYY-MM-DD (default 2024-10-07).")
@click.option("--end", help="Last day of the calls, YYYY-MM-DD (default 2025-10-05).")
@click.option(
    "--calls-per-year",
    type=click.IntRange(min=0),
    help="Expected calls per 365 days, all kinds (default 18000).",
)
@click.option("--seed", default=2025, show_default=True, type=int, help="Random seed: same seed, same calls.")
@click.option(
    "--street-points",
    type=click.Path(exists=True, path_type=Path),
    help="police.uk street CSV or a folder of them: background calls at its real snap points "
    "(default: scattered around the premises).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="licvisit.toml: premises from [inputs], generator settings from [synth].",
)
@click.option(
    "--no-lonlat", is_flag=True, help="Leave out the longitude/latitude columns (faster for millions)."
)
def synth(
    premises, n_synthetic, out_path, start, end, calls_per_year, seed, street_points, config_path, no_lonlat
):
    """Generate a year of synthetic, timestamped calls for service (demo and benchmarks).

    Calls follow a documented model (docs/demo-data.md): a "power few" of
    premises produce about half of premises-linked harm, Friday and Saturday
    nights and December are busiest, calls at a premises happen only while it
    is open (or within an hour of closing), some calls name the premises in
    free text or carry its reference, and background street calls fall on
    real police.uk snap points.  Every row is synthetic.

    Example: licvisit synth --premises data/premises_birmingham.csv
    --street-points data/police_uk_2017 --out calls.csv
    """
    import dataclasses

    from licvisit.cli.options import resolve_config
    from licvisit.config import params_from
    from licvisit.errors import ConfigError, DataValidationError
    from licvisit.io.write import write_csv
    from licvisit.synth import SynthParams, synth_calls, synth_premises

    cfg = resolve_config(config_path, premises=premises)
    params = params_from(SynthParams, cfg.section("synth"), "synth")
    changes = {}
    if start:
        changes["start"] = start
    if end:
        changes["end"] = end
    if calls_per_year is not None:
        changes["calls_per_year"] = calls_per_year
    try:
        params = dataclasses.replace(params, **changes)
    except ValueError as exc:
        raise ConfigError(f"{exc} Fix: check --start/--end/--calls-per-year.") from exc

    if n_synthetic:
        prem = synth_premises(n_synthetic, seed=seed)
    else:
        path = cfg.inputs.get("premises")
        if path is None:
            raise ConfigError(
                "No premises given. Fix: pass --premises FILE, --synthetic-premises N, "
                "or a --config naming [inputs] premises."
            )
        from licvisit.io.premises import read_premises

        prem, problems = read_premises(path, cfg.mapping.get("premises"))
        if any(p.severity == "error" for p in problems):
            raise DataValidationError(problems)
        if len(prem) == 0:
            raise ConfigError(f"No usable premises in {path}. Fix: run licvisit validate --premises {path}.")

    note = ""
    hours_cols = [f"hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    have_hours = [c for c in hours_cols if c in prem.columns]
    blank = prem[have_hours].astype("string").fillna("").apply(lambda s: s.str.strip() == "").all(axis=None)
    if not have_hours or blank:
        # A register without licence details (FHRS, OSM): invent them as the demo does, and say so.
        from licvisit.synth import synth_licence_attributes

        prem = synth_licence_attributes(prem, seed=seed)
        note = " No licensed hours in the register: licence attributes were synthesised as in the demo."

    points = None
    if street_points is not None:
        from licvisit.io.calls import read_calls

        crimes, problems = read_calls(street_points)
        if any(p.severity == "error" for p in problems):
            raise DataValidationError(problems)
        crimes = crimes[crimes["x"].notna() & crimes["y"].notna()]
        points = crimes[["x", "y", "location_text"]].reset_index(drop=True)

    calls = synth_calls(prem, points, params, seed=seed, lonlat=not no_lonlat)
    write_csv(calls, out_path)
    n_prem = int((calls["premises_ref"] != "").sum())
    click.echo(
        f"Wrote {len(calls):,} synthetic calls ({params.start} to {params.end}, seed {seed}) "
        f"around {len(prem):,} premises to {out_path} ({n_prem:,} carry a premises reference).{note}"
    )
