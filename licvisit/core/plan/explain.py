"""Why each candidate was left out, and what changed between two plans (``dropped.csv``, ``changes.csv``)."""

from __future__ import annotations

from licvisit.core.plan.repair import _displaced_by
from licvisit.domain import (
    DroppedCandidate,
    Plan,
    Visit,
)


def _explain(
    candidates,
    groups,
    group_cands,
    dropped_groups,
    no_crew,
    covered,
    visits,
    res,
    problem,
    ops,
    node_info,
    per_min,
    params,
) -> list[DroppedCandidate]:
    """Say why each candidate no planned visit serves was left out (one row per candidate)."""
    out: list[DroppedCandidate] = []
    displaced: dict[int, list[tuple[str, float]]] = {}
    value_of = {}
    if res is not None:
        planned = {(v.premises_id, v.night): v.value for v in visits}
        for r in res.routes:
            for n in r:
                ci, night = node_info[n]
                value_of[n] = planned.get((candidates[ci].premises_id, night), 0.0)
    visit_of = {}
    for v in visits:
        visit_of.setdefault(v.premises_id, v)
    in_group = {ci for g in group_cands for ci in g}
    for ci, code in sorted(no_crew.items()):
        if ci in in_group or ci in covered:
            continue
        cand = candidates[ci]
        label = ops[cand.op_type].label if cand.op_type in ops else cand.op_type
        open_nights = ", ".join(f"{n:%a}" for n in sorted(cand.windows))
        if code == "no_window":
            out.append(
                DroppedCandidate(
                    cand.premises_id,
                    cand.op_type,
                    cand.value,
                    "no_crew_when_open",
                    f"Not open long enough for a {label.lower()} ({cand.service_min} min) during its hours on any night this week.",
                )
            )
        elif code == "no_crew_when_open":
            out.append(
                DroppedCandidate(
                    cand.premises_id,
                    cand.op_type,
                    cand.value,
                    code,
                    f"No {label.lower()} crew is rostered on the nights it is open ({open_nights}).",
                )
            )
        else:
            out.append(
                DroppedCandidate(
                    cand.premises_id,
                    cand.op_type,
                    cand.value,
                    "outside_shifts",
                    f"Open on {open_nights}, but no {label.lower()} crew's shift leaves time to travel there, "
                    "visit while it is open and return to base.",
                )
            )
    for gi, cis in enumerate(group_cands):
        for ci in cis:
            if ci in covered:
                continue
            cand = candidates[ci]
            label = ops[cand.op_type].label if cand.op_type in ops else cand.op_type
            v = visit_of.get(cand.premises_id)
            if gi not in dropped_groups and v is not None:
                vlabel = ops[v.op_type].label if v.op_type in ops else v.op_type
                out.append(
                    DroppedCandidate(
                        cand.premises_id,
                        cand.op_type,
                        cand.value,
                        "one_visit_per_premises",
                        f"Visited this week by {v.crew_id} ({vlabel.lower()}, {v.night:%a}), which cannot serve "
                        f"a {label.lower()}; one visit per premises a week unless a rule asks for another.",
                    )
                )
                continue
            pen = groups[gi].penalty or 0
            detour = _cheapest_detour(groups[gi].nodes, res, problem)
            if detour is not None and detour >= pen:
                minutes = detour / per_min if per_min > 0 else float("inf")
                out.append(
                    DroppedCandidate(
                        cand.premises_id,
                        cand.op_type,
                        cand.value,
                        "not_worth_travel",
                        f"Not worth the travel at its value: at least {minutes:.0f} extra minutes on the road "
                        f"for a value of {cand.value:.3g}.",
                    )
                )
            else:
                nights = sorted({node_info[n][1] for n in groups[gi].nodes})
                if gi not in displaced:
                    displaced[gi] = [
                        (candidates[node_info[n][0]].premises_id, value_of.get(n, 0.0))
                        for n in _displaced_by(problem, res, gi, params)
                    ]
                    displaced[gi].sort(key=lambda pv: (-pv[1], pv[0]))
                lost_to = displaced[gi]
                on = ", ".join(f"{n:%a}" for n in nights)
                if lost_to:
                    text = (
                        f"{label} crews on the nights it could be visited ({on}) had no time left for it: it fits "
                        f"only in place of one of {len(lost_to)} planned visits (displaced_by, most valuable "
                        f"first); it would have added {cand.value:.3g}."
                    )
                else:
                    text = (
                        f"{label} crews on the nights it could be visited ({on}) had no time left for it, and "
                        f"no single planned visit makes room; it would have added {cand.value:.3g}."
                    )
                out.append(
                    DroppedCandidate(
                        cand.premises_id,
                        cand.op_type,
                        cand.value,
                        "crews_full",
                        text,
                        "; ".join(f"{pid} ({val:.4g})" for pid, val in lost_to[:10]),
                    )
                )
    return out


def _cheapest_detour(nodes, res, problem) -> int | None:
    """Cheapest travel-cost detour to insert one of ``nodes`` into any allowed route (time ignored)."""
    if res is None:
        return None
    best = None
    for node in nodes:
        for v in problem.allowed.get(node, range(problem.n_vehicles)):
            seq = [problem.starts[v], *res.routes[v], problem.ends[v]]
            for a, b in zip(seq, seq[1:], strict=False):
                d = int(problem.cost[a, node] + problem.cost[node, b] - problem.cost[a, b])
                if best is None or d < best:
                    best = d
    return best


def compare_plans(previous: Plan, plan: Plan) -> dict[str, int]:
    """Count visits kept, moved (other night or crew) and removed since ``previous``."""
    new = {(v.premises_id, v.op_type): v for v in plan.visits}
    kept = moved = removed = 0
    for pv in previous.visits:
        nv = new.get((pv.premises_id, pv.op_type))
        if nv is None:
            removed += 1
        elif nv.night == pv.night and nv.crew_id == pv.crew_id:
            kept += 1
        else:
            moved += 1
    old = {(v.premises_id, v.op_type) for v in previous.visits}
    added = sum(1 for k in new if k not in old)
    return {"visits_kept": kept, "visits_moved": moved, "visits_removed": removed, "visits_added": added}


def plan_changes(previous: Plan, plan: Plan) -> list[dict[str, str]]:
    """One row per visit of either plan: kept, moved (from where to where), removed or added, and why."""

    def where(v: Visit) -> str:
        return f"{v.night:%a %d %b} {v.crew_id} {v.arrival:%H:%M}"

    new = {(v.premises_id, v.op_type): v for v in plan.visits}
    old = {(v.premises_id, v.op_type): v for v in previous.visits}
    why_dropped = {(d.premises_id, d.op_type): f"{d.reason_code}: {d.reason}" for d in plan.dropped}
    excluded = {d.premises_id for d in plan.dropped if d.reason_code == "excluded"}
    locked = {(lk.premises_id, lk.night) for lk in plan.locks}
    rows = []
    for key, pv in sorted(old.items(), key=lambda kv: (kv[1].night, kv[1].crew_id, kv[1].order)):
        nv = new.get(key)
        if nv is None:
            other = next((v for v in plan.visits if v.premises_id == pv.premises_id), None)
            if pv.premises_id in excluded:
                why = "excluded this time"
            elif other is not None:
                why = f"now visited as {other.op_type} ({where(other)})"
            else:
                why = why_dropped.get(key, "left out")
            rows.append({"premises_id": pv.premises_id, "op_type": pv.op_type, "change": "removed",
                         "from": where(pv), "to": "", "why": why})  # fmt: skip
        elif nv.night == pv.night and nv.crew_id == pv.crew_id:
            rows.append({"premises_id": pv.premises_id, "op_type": pv.op_type, "change": "kept",
                         "from": where(pv), "to": where(nv), "why": "same night and crew"})  # fmt: skip
        else:
            if (nv.premises_id, nv.night) in locked:
                why = "locked to this night"
            elif nv.night != pv.night:
                why = "another night fits the week better"
            else:
                why = "another crew that night fits better (crews changed)"
            rows.append({"premises_id": pv.premises_id, "op_type": pv.op_type, "change": "moved",
                         "from": where(pv), "to": where(nv), "why": why})  # fmt: skip
    for key, nv in sorted(new.items(), key=lambda kv: (kv[1].night, kv[1].crew_id, kv[1].order)):
        if key not in old:
            why = "locked by the sergeant" if nv.locked else f"room in the re-plan; {nv.reason}"
            rows.append({"premises_id": nv.premises_id, "op_type": nv.op_type, "change": "added",
                         "from": "", "to": where(nv), "why": why})  # fmt: skip
    return rows
