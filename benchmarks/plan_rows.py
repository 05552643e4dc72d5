"""What the planning benchmarks record of one plan (shared by bench_plan_scale and bench_plan_force)."""

from __future__ import annotations

import hashlib
import os
from typing import Any


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
