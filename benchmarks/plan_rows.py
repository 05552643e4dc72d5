"""What the planning benchmarks share: the demo week they plan, and what they record of one plan."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any


def demo_week(config: str, week: str) -> tuple[dt.date, Any, Any, Any]:
    """(Monday, config, inputs, ranking table) of ``week``: ranked as `licvisit plan` and `licvisit demo` do."""
    from licvisit.app.plan import rank_for_week
    from licvisit.cli.plan import parse_week
    from licvisit.config import load_config
    from licvisit.io import load_inputs

    monday = parse_week(week)
    cfg = load_config(config)
    inputs = load_inputs(cfg, kinds=("calls", "premises", "zones", "staff", "visits"), week_start=monday)
    return monday, cfg, inputs, rank_for_week(cfg, inputs, monday, None)[0].table


def write_rows(path: str | Path, rows: list[dict[str, Any]]) -> None:
    """Write a benchmark's rows as JSON to ``path`` (its folder made if missing)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")


def plan_digest(plan: Any) -> str:
    """A short digest of the plan's visits (crew, night, order, premises, arrival): equal plans, equal digests."""
    rows = sorted((v.crew_id, str(v.night), v.order, v.premises_id, str(v.arrival)) for v in plan.visits)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def plan_row(plan: Any, staff: list[Any], secs: float, problems: list[str]) -> dict[str, Any]:
    """The size, value, bound, gap, time, stop, parts, drops and checker result of one plan."""
    m = plan.meta
    return {
        "staff": len(staff),
        "candidates": m["n_candidates"],
        "crews": len(plan.crews),
        "visits": len(plan.visits),
        "value": m["value_planned"],
        "upper_bound": m["value_upper_bound"],
        "gap": m["optimality_gap"],
        "seconds": round(secs, 1),
        "stopped_by": m["routing_stopped_by"],
        "roster_status": m["roster_status"],
        "roster_stopped_by": m.get("roster_stopped_by", ""),
        "plan_digest": plan_digest(plan),
        "routing_work": m["routing_work"],
        "parts": len(m.get("routing_components", [])) or 1,
        "crews_full": sum(d.reason_code == "crews_full" for d in plan.dropped),
        "palo_nights": [m.get("palo_nights_used", 0), m.get("palo_nights_available", 0)],
        "checker": "pass" if not problems else f"{len(problems)} problems: {problems[0]}",
        "load_avg": os.getloadavg(),
        "routing_components": m.get("routing_components", []),
    }
