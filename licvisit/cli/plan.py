"""The ``licvisit plan``, ``licvisit check`` and ``licvisit bench-vrptw`` commands."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click

from licvisit.app.params import plan_params
from licvisit.cli.options import check_out_folder, input_options, load_named, resolve_config, stage_printer
from licvisit.errors import ConfigError, LicvisitError, PlanCheckError


def parse_week(text: str) -> dt.date:
    """Return the Monday of '2025-W41' (ISO week) or of a 'YYYY-MM-DD' date."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", s, flags=re.IGNORECASE)
    try:
        if m:
            return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        d = dt.date.fromisoformat(s)
    except ValueError as exc:
        raise ConfigError(
            f"--week {text!r}: expected an ISO week like 2025-W41 or a date YYYY-MM-DD."
        ) from exc
    return d - dt.timedelta(days=d.weekday())


def parse_lock(text: str):
    """Parse 'PREMISES_ID@YYYY-MM-DD[:op_type[:crew_id]]' into a Lock."""
    from licvisit.domain import Lock

    m = re.fullmatch(r"\s*([^@]+)@(\d{4}-\d{2}-\d{2})(?::([A-Za-z_]+))?(?::([A-Za-z0-9_-]+))?\s*", text)
    if not m:
        raise ConfigError(
            f"--lock {text!r}: expected PREMISES_ID@YYYY-MM-DD or PREMISES_ID@YYYY-MM-DD:op_type."
        )
    return Lock(m.group(1).strip(), dt.date.fromisoformat(m.group(2)), m.group(3) or "", m.group(4) or "")


@click.command()
@input_options
@click.option("--week", required=True, help="Week to plan: ISO week (2025-W41) or any date in it.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/plan"),
    show_default=True,
    help="Folder for plan.json, roster.csv/.html, visits.csv/.json/.gpkg, dropped.csv, itineraries.",
)
@click.option(
    "--maps-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Folder for the crews' offline route maps (when the maps module is installed).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    help="Routing time limit [s] (default: [plan] time_limit_s, else 60).",
)
@click.option("--seed", type=int, help="Random seed (default from [plan], 0).")
@click.option(
    "--lock",
    "locks",
    multiple=True,
    metavar="ID@YYYY-MM-DD[:op]",
    help="Pin a visit: premises on a night, optionally of one operation type. Repeatable.",
)
@click.option("--exclude", multiple=True, metavar="ID", help="Leave a premises out this week. Repeatable.")
@click.option(
    "--previous",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="An earlier plan folder for this week: re-plan keeping as much of it as possible.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Score risk as at this date (default: the Monday the week starts).",
)
def plan(
    config_path, calls, premises, zones, staff, visits, week, out_dir, maps_dir, time_limit, seed, locks,
    exclude, previous, as_of,
):  # fmt: skip
    """Plan a week: roster and joint crews (CP-SAT), routes (OR-Tools), reasons for what is left out.

    Loads the inputs, ranks premises by harm-weighted risk, plans the week,
    checks the plan independently and writes it to --out. Every candidate
    not planned gets a reason in dropped.csv; rules bent are in bent_rules.csv.
    """
    from licvisit.app.plan import plan_to_folder

    week_start = parse_week(week)
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, staff=staff, visits=visits)
    params = plan_params(cfg, time_limit_s=time_limit, seed=seed)
    run = plan_to_folder(
        cfg,
        week_start,
        out_dir,
        maps_dir,
        params,
        locks=tuple(parse_lock(t) for t in locks),
        exclude=exclude,
        previous=previous,
        as_of=as_of,
        read_inputs=load_named,
        check_folder=check_out_folder,
        progress=stage_printer(),
    )
    if run.stale_note:
        click.echo(f"Warning: {run.stale_note}", err=True)
    result, inputs, files = run.plan, run.inputs, run.files
    _summary(result)
    _unknown_hours_summary(result, inputs.premises)
    click.echo(f"Wrote {len(files)} files to {out_dir}")


def _unknown_hours_summary(p, premises) -> None:
    """Name the visits planned at premises the register gives no licensed hours for."""
    if premises is None or "hours_known" not in premises.columns:
        return
    unknown = set(premises.loc[~premises["hours_known"].astype(bool), "premises_id"].astype(str))
    n = sum(1 for v in p.visits if v.premises_id in unknown)
    if n:
        click.echo(
            f"{n} of {len(p.visits)} visits at premises whose licensed hours are not known: check before "
            "visiting (planned inside the operation's hours; visits.csv column hours_unknown)."
        )


def _summary(p) -> None:
    from collections import Counter

    ops = Counter(v.op_type for v in p.visits)
    reasons = Counter(d.reason_code for d in p.dropped)
    click.echo(
        f"Week of {p.week_start:%d %b %Y}: {len(p.crews)} crews, {len(p.visits)} visits "
        f"({', '.join(f'{k} {n}' for k, n in sorted(ops.items()))}), value {p.total_value:.1f} "
        f"of {p.meta.get('value_candidates', 0):.1f} available"
        + (
            f"; upper bound {p.meta['value_upper_bound']:.1f}, gap {100 * p.meta['optimality_gap']:.1f} %."
            if "value_upper_bound" in p.meta
            else "."
        )
    )
    if reasons:
        click.echo("Not planned: " + ", ".join(f"{k} {n}" for k, n in sorted(reasons.items())))
    if p.meta.get("palo_nights_available"):
        used, avail = p.meta["palo_nights_used"], p.meta["palo_nights_available"]
        formed = p.meta.get("crews_formed_from_home") or []
        click.echo(
            f"PALO nights used: {used} of {avail} available ({100 * used / avail:.0f} %; availability capped "
            "by max_shifts)"
            + (f"; crews formed from officers at home: {', '.join(formed)}." if formed else ".")
        )
    for key in ("visits_kept", "visits_moved", "visits_removed", "visits_added"):
        if key in p.meta:
            click.echo(
                f"Against the previous plan: {p.meta['visits_kept']} kept, {p.meta['visits_moved']} moved, "
                f"{p.meta['visits_removed']} removed, {p.meta['visits_added']} added."
            )
            break
    if p.meta.get("replan") == "incremental":
        from licvisit.core.plan.replan import replan_summary

        click.echo(f"Re-planned {replan_summary(p.meta['nights_replanned'], len(p.meta['nights_kept']))}.")
    elif p.meta.get("replan") == "full":
        click.echo(f"Re-planned the whole week: {p.meta['replan_fallback']}.")
    if p.meta.get("crews_released"):
        click.echo(
            f"Crews released (no visits they could usefully make): {', '.join(p.meta['crews_released'])}"
        )
    for b in p.bent:
        click.echo(f"Rule bent: {b.rule} ({b.subject}): {b.detail}")
    capped = [
        what
        for what, key in (("routing", "routing_stopped_by"), ("roster", "roster_stopped_by"))
        if p.meta.get(key) == "time_limit"
    ]
    if capped:
        click.echo(
            f"Warning: the {' and the '.join(capped)} search stopped on its wall-clock cap before its work "
            "limit, so the same inputs may give another plan on a busier or quieter machine. "
            "Fix: raise --time-limit (or [plan] time_limit_s), or lower work_limit / roster_deterministic_time."
        )
    click.echo("Plan check: passed.")


@click.command()
@click.argument("plan_dir", type=click.Path(exists=True, path_type=Path))
@input_options
def check(plan_dir, config_path, calls, premises, zones, staff, visits):
    """Check a written plan against the hard rules, independently of the solver.

    Needs the premises and staff files the plan was made from. Exits 1 and
    lists every violation if any hard rule is broken.
    """
    from licvisit.core.plan import PlanParams, check_plan
    from licvisit.io.plan_io import read_plan

    _check_manifest(plan_dir if plan_dir.is_dir() else plan_dir.parent)
    p = read_plan(plan_dir)
    cfg = resolve_config(config_path, calls=calls, premises=premises, zones=zones, staff=staff, visits=visits)
    # The zones too: the busy-zone rule (uniformed support) is checked here as inside `plan`.
    inputs = load_named(
        cfg, ("premises", "staff", "zones"), required=("premises", "staff"), week_start=p.week_start
    )
    saved = dict(p.meta.get("params") or {})
    try:
        params = PlanParams(**saved) if saved else plan_params(cfg)
    except (TypeError, ValueError) as exc:
        raise LicvisitError(f"{plan_dir}: the plan's saved parameters are invalid ({exc}).") from exc
    problems = check_plan(p, inputs.premises, inputs.staff or [], params, zones=inputs.zones)
    if problems:
        for msg in problems:
            click.echo(f"- {msg}", err=True)
        raise PlanCheckError(f"{len(problems)} hard-rule violation(s) in {plan_dir} (listed above).")
    click.echo(f"Plan {plan_dir}: {len(p.visits)} visits by {len(p.crews)} crews pass every hard rule.")


def _check_manifest(folder: Path) -> None:
    """Refuse a plan folder whose files are missing, changed or not listed in its manifest.json.

    A folder written before manifests (none) gets a warning, and only plan.json is checked.
    """
    from licvisit.io.write import MANIFEST, OUTPUT_FILES, manifest_problems

    fix = "Fix: re-run licvisit plan to write the whole folder again."
    try:
        problems = manifest_problems(folder, OUTPUT_FILES["plan"])
    except ValueError as exc:
        raise PlanCheckError(f"{exc}. {fix}") from exc
    if problems is None:
        click.echo(
            f"Warning: {folder} has no {MANIFEST} (written before licvisit wrote one), so it cannot be told "
            "whether its files belong to one plan; only plan.json is checked. "
            "Fix: re-run licvisit plan to write one.",
            err=True,
        )
        return
    listed = {"missing": "is missing", "changed": "has changed since the plan was written",
              "unlisted": "is not part of this plan"}  # fmt: skip
    if not problems:
        return
    rel, what = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise PlanCheckError(
        f"{folder / rel} {listed[what]}{more}: the folder is not one complete plan "
        f"(checked against {MANIFEST}). {fix}"
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--time-limit", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Time limit [s]."
)
@click.option(
    "--vehicles", type=click.IntRange(min=1), help="Fleet size (default: the file's vehicle count)."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed (the search is deterministic).")
def bench_vrptw(file, time_limit, vehicles, seed):
    """Solve a Solomon or VRPLIB VRPTW instance with the planner's routing code; print JSON.

    Prints {routes, distance, vehicles, feasible, ...}; customers are numbered
    as in the instance's solution files (depot 0).
    """
    from licvisit.core.plan import solve_vrptw
    from licvisit.io.vrptw import read_vrptw

    try:
        inst = read_vrptw(file)
    except (ValueError, IndexError) as exc:
        raise LicvisitError(f"{file}: {exc}") from exc
    click.echo(json.dumps(solve_vrptw(inst, time_limit, vehicles, seed=seed)))
