"""Run the whole weekly pipeline on one config: load, rank, backtest, plan, map, evidence.

This is the edge of the library that ``licvisit demo`` calls: it reads and
writes files, but prints nothing (progress goes to a callback).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from licvisit.config import Config
from licvisit.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    pass

BUNDLED_CONFIG = Path(__file__).resolve().parents[2] / "data" / "licvisit.toml"
DEMO_WEEK = dt.date(2025, 10, 6)  # ISO week 2025-W41, the week after the demo calls end
DEMO_ZONE = "Broad Street"


@dataclass
class PipelineResult:
    """What a run wrote and the headline figures, for the CLI to report."""

    out_dir: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def _last_full_months(last_call: pd.Timestamp, n: int) -> tuple[str, str]:
    """The ``n`` whole months ending with the last month the data cover completely."""
    last = last_call.to_period("M")
    if (last_call + pd.Timedelta(days=1)).to_period("M") == last:  # data stop part-way through the month
        last -= 1
    return str(last - (n - 1)), str(last)


def run_pipeline(
    config: Config,
    out_dir: str | Path,
    *,
    week_start: dt.date = DEMO_WEEK,
    seed: int = 0,
    time_limit_s: float | None = None,
    evidence_zone: str | None = DEMO_ZONE,
    backtest_boot: int = 200,
    progress: Callable[[str], None] = lambda _msg: None,
) -> PipelineResult:
    """Run every stage on ``config``'s inputs and write the outputs under ``out_dir``.

    Layout: route maps, ``overview.html`` and ``index.html`` in ``out_dir``;
    ``validation.json``; ``ranking/`` (ranking.csv/.gpkg/.json, attribution);
    ``backtest.json``; ``plan/`` (plan.json, roster.csv/.html, visits.csv/
    .json/.gpkg, dropped.csv, itineraries); ``evidence/`` (report.html, tables,
    charts) for ``evidence_zone`` over the last twelve whole months of calls.

    Raises
    ------
    LicvisitError
        for unusable inputs, an infeasible plan or a plan that fails the checker.
    """
    from licvisit.io.write import OUTPUT_FILES, check_writable_folder, staged_folder

    target = Path(out_dir)
    check_writable_folder(target)  # a bad folder fails now, not after the work
    missing = [k for k in ("calls", "premises", "zones", "staff") if k not in config.inputs]
    if missing:
        raise ConfigError(
            f"No {missing[0]} file given. Fix: name it under [inputs] in the config or pass --{missing[0]}."
        )
    # The whole folder (maps and every sub-folder) is built beside ``target`` and swapped in
    # only when complete, so a failure or Ctrl-C leaves the previous one exactly as it was.
    with staged_folder(target, OUTPUT_FILES["demo"], "licvisit demo") as out:
        res = _run_stages(config, out, week_start, seed, time_limit_s, evidence_zone, backtest_boot, progress)
    res.out_dir = target
    res.files = {k: [target / p.relative_to(out) for p in v] for k, v in res.files.items()}
    return res


def _run_stages(
    config: Config,
    out: Path,
    week_start: dt.date,
    seed: int,
    time_limit_s: float | None,
    evidence_zone: str | None,
    backtest_boot: int,
    progress: Callable[[str], None],
) -> PipelineResult:
    """Every stage of :func:`run_pipeline`, writing into the staging folder ``out``."""
    from licvisit.app.evidence import evidence_for_zone
    from licvisit.app.pages import write_evidence, write_plan_folder, write_route_maps
    from licvisit.app.params import evidence_params, map_params, plan_params, risk_params
    from licvisit.app.rank import rank_to_folder
    from licvisit.core.plan import plan_week
    from licvisit.core.risk import link_calls_to_premises
    from licvisit.core.risk.backtest import backtest
    from licvisit.io import load_inputs
    from licvisit.io.write import OUTPUT_FILES, staged_folder, write_json

    rp = risk_params(config)
    pp = plan_params(config, seed=seed, time_limit_s=time_limit_s)
    mp = map_params(config)
    res = PipelineResult(out)

    progress("Loading and validating inputs")
    inputs = load_inputs(config, week_start=week_start)
    report = inputs.report
    res.files["validation"] = [write_json(report.to_dict(), out / "validation.json")]
    for f in report.files:
        res.lines.append(f"Loaded {f.kind} from {f.file}: {f.rows_used:,} of {f.rows_read:,} rows used.")

    progress(f"Ranking {len(inputs.premises):,} premises on {len(inputs.calls):,} calls")
    as_of = dt.datetime.combine(week_start, dt.time())
    ranking, _, res.files["ranking"] = rank_to_folder(
        inputs.calls, inputs.premises, inputs.visits, rp, out / "ranking", as_of=as_of
    )
    bands = ranking.table["band"].value_counts().sort_index()
    res.lines.append(
        "Risk bands: " + ", ".join(f"{b} {n}" for b, n in bands.items()) + f" (as of {as_of:%Y-%m-%d})."
    )

    progress("Backtesting the ranking against simple baselines")
    # Every call linked once, with the ranking's rules, for the backtest and the evidence pack
    # (the ranking itself links only the calls it scores, which attribution.csv lists).
    links = link_calls_to_premises(inputs.calls, inputs.premises, rp)
    bt = backtest(
        inputs.calls, inputs.premises, rp, visits=inputs.visits, n_boot=backtest_boot, seed=seed, links=links
    )
    res.files["backtest"] = [write_json(bt.to_dict(), out / "backtest.json")]
    s = bt.summary
    for method in ("model", "count_12m"):
        row = s[(s["method"] == method) & (s["top"].round(2) == 0.10)]
        if len(row):
            res.lines.append(f"Backtest PEI@10% {method}: {float(row['pei'].iloc[0]):.3f}")

    progress(f"Planning the week of {week_start:%d %b %Y} (time limit {pp.time_limit_s:g} s)")
    plan = plan_week(
        ranking.table,
        inputs.premises,
        inputs.staff or [],
        week_start,
        pp,
        visits=inputs.visits,
        zones=inputs.zones,
        progress=lambda msg: progress(f"  {msg}"),
    )
    with staged_folder(out / "plan", OUTPUT_FILES["plan"], "licvisit demo") as folder:  # own manifest
        written = write_plan_folder(plan, folder, premises=inputs.premises, staff=inputs.staff)
    res.files["plan"] = [out / "plan" / p.relative_to(folder) for p in written]
    ops = pd.Series([v.op_type for v in plan.visits]).value_counts()
    res.lines.append(
        f"Plan: {len(plan.crews)} crew-nights, {len(plan.visits)} visits ("
        + ", ".join(f"{k} {n}" for k, n in ops.items())
        + f"), {len(plan.dropped)} candidates not planned, each with a reason."
    )

    progress("Drawing offline route maps and the sergeant's overview")
    res.files["maps"] = write_route_maps(
        plan,
        inputs.premises,
        out,
        ranking=ranking.table,
        visit_history=inputs.visits,
        calls=inputs.calls,
        zones=inputs.zones,
        params=mp,
        staff=inputs.staff,
        call_links=ranking.links.table,  # the card counts the calls the score counted
    )

    if evidence_zone:
        progress(f"Building the evidence pack for {evidence_zone}")
        period = _last_full_months(pd.Timestamp(inputs.calls["occurred_at"].max()), 12)
        ep = evidence_params(config, rp)
        names = {k: Path(v).name for k, v in config.inputs.items() if k in ("calls", "premises", "zones")}
        pack = evidence_for_zone(
            inputs,
            evidence_zone,
            period,
            None,
            None,
            ep,
            risk_params=rp,
            harm_overrides=config.section("harm"),
            source_names=names,
            links=links,
        )
        with staged_folder(out / "evidence", OUTPUT_FILES["evidence"], "licvisit demo") as folder:
            written = write_evidence(pack, folder)
        res.files["evidence"] = [out / "evidence" / p.relative_to(folder) for p in written]
    return res
