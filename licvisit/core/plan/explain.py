"""Why each candidate was left out, and what changed between two plans (``dropped.csv``, ``changes.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from licvisit.core.plan.recruit import free_crew_reaches, who_at_home_reaches
from licvisit.core.plan.repair import _displaced_by, _insertion
from licvisit.domain import (
    DroppedCandidate,
    Plan,
    Visit,
)

if TYPE_CHECKING:
    import datetime as dt

    from licvisit.core.plan.candidates import Candidate
    from licvisit.core.plan.params import PlanParams
    from licvisit.core.plan.recruit import Home
    from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup
    from licvisit.domain import OperationType


class PartModel(Protocol):
    """What explaining a part's drops reads of its model (``week._PartModel`` is one)."""

    candidates: list[Candidate]
    groups: list[VisitGroup]
    group_cands: list[list[int]]
    no_crew: dict[int, str]
    ops: dict[str, OperationType]
    node_info: list[tuple[int, dt.date] | None]
    per_min: float


@dataclass
class Routed:
    """What the routing made of a part: the problem it solved, its result and the planned visits."""

    problem: RoutingProblem
    res: RoutingResult | None
    visits: list[Visit]
    covered: set[int]  # candidates a planned visit serves
    dropped_groups: set[int]
    crew_ids: list[str]  # per vehicle of ``problem``
    home: Home | None = None  # officers at home who could have formed a crew


def explain_drops(model: PartModel, routed: Routed, params: PlanParams) -> list[DroppedCandidate]:
    """Say why each candidate no planned visit serves was left out (one row per candidate).

    Steps: candidates with no visit node (no crew when open, outside
    shifts); candidates of a premises visited by a crew that cannot serve
    them; drops not worth their travel; drops a free crew could reach with
    too little work; the rest lost to full crews, with what displaced them.
    """
    in_group = {ci for g in model.group_cands for ci in g}
    out = [
        _no_node_row(model.candidates[ci], code, model.ops)
        for ci, code in sorted(model.no_crew.items())
        if ci not in in_group and ci not in routed.covered
    ]
    ctx = _Context(model, routed, params)
    for gi, cis in enumerate(model.group_cands):
        for ci in cis:
            if ci not in routed.covered:
                out.append(ctx.group_row(gi, model.candidates[ci], gi in routed.dropped_groups))
    return out


def _visit_info(node_info: list[tuple[int, dt.date] | None], node: int) -> tuple[int, dt.date]:
    """(candidate, night) of a visit node (only the bases' depot nodes have none)."""
    info = node_info[node]
    assert info is not None, node
    return info


def _label(ops: dict[str, OperationType], op_type: str) -> str:
    return ops[op_type].label if op_type in ops else op_type


def _no_node_row(cand: Candidate, code: str, ops: dict[str, OperationType]) -> DroppedCandidate:
    """A candidate with no visit node: not open long enough, no crew when open, or outside every shift."""
    label = _label(ops, cand.op_type)
    open_nights = ", ".join(f"{n:%a}" for n in sorted(cand.windows))
    if code == "no_window":
        return DroppedCandidate(
            cand.premises_id,
            cand.op_type,
            cand.value,
            "no_crew_when_open",
            f"Not open long enough for a {label.lower()} ({cand.service_min} min) during its hours on any night this week.",
        )
    if code == "no_crew_when_open":
        return DroppedCandidate(
            cand.premises_id,
            cand.op_type,
            cand.value,
            code,
            f"No {label.lower()} crew is rostered on the nights it is open ({open_nights}).",
        )
    if code == "outside_lpas":
        return DroppedCandidate(
            cand.premises_id,
            cand.op_type,
            cand.value,
            "no_crew_when_open",
            f"Open on {open_nights}, but no {label.lower()} crew rostered on those nights covers its LPA "
            f"({cand.meta.get('lpa', '')}); crews work only in their members' LPAs (crews_stay_in_lpa).",
        )
    return DroppedCandidate(
        cand.premises_id,
        cand.op_type,
        cand.value,
        "outside_shifts",
        f"Open on {open_nights}, but no {label.lower()} crew's shift leaves time to travel there, "
        "visit while it is open and return to base.",
    )


class _Context:
    """What the reasons for dropped groups look at: the routes, the planned visits, the model."""

    def __init__(self, model: PartModel, routed: Routed, params: PlanParams) -> None:
        self.model, self.routed, self.params = model, routed, params
        res, node_info, candidates, visits = routed.res, model.node_info, model.candidates, routed.visits
        self.value_of: dict[int, float] = {}
        if res is not None:
            planned = {(v.premises_id, v.night): v.value for v in visits}
            for r in res.routes:
                for n in r:
                    ci, night = _visit_info(node_info, n)
                    self.value_of[n] = planned.get((candidates[ci].premises_id, night), 0.0)
        self.visit_of: dict[str, Visit] = {}
        for v in visits:
            self.visit_of.setdefault(v.premises_id, v)
        self.displaced: dict[int, list[tuple[str, float]]] = {}

    def group_row(self, gi: int, cand: Candidate, dropped: bool) -> DroppedCandidate:
        label = _label(self.model.ops, cand.op_type)
        v = self.visit_of.get(cand.premises_id)
        if not dropped and v is not None:
            return DroppedCandidate(
                cand.premises_id,
                cand.op_type,
                cand.value,
                "one_visit_per_premises",
                f"Visited this week by {v.crew_id} ({_label(self.model.ops, v.op_type).lower()}, {v.night:%a}), which "
                f"cannot serve a {label.lower()}; one visit per premises a week unless a rule asks for another.",
            )
        pen = self.model.groups[gi].penalty or 0
        detour = _cheapest_detour(self.model.groups[gi].nodes, self.routed.res, self.routed.problem)
        if detour is not None and detour >= pen:
            minutes = detour / self.model.per_min if self.model.per_min > 0 else float("inf")
            return DroppedCandidate(
                cand.premises_id,
                cand.op_type,
                cand.value,
                "not_worth_travel",
                f"Not worth the travel at its value: at least {minutes:.0f} extra minutes on the road "
                f"for a value of {cand.value:.3g}.",
            )
        return self.full_row(gi, cand, label)

    def full_row(self, gi: int, cand: Candidate, label: str) -> DroppedCandidate:
        """A drop no crew had room for: a free crew with too little work, or what it lost to."""
        assert self.routed.res is not None  # groups are dropped only by a routing search
        free = free_crew_reaches(self.routed.problem, self.routed.res, gi, self.params, _insertion)
        if free is not None:
            return _too_little_work(cand, self.routed.crew_ids[free], self.params)
        nights = sorted({_visit_info(self.model.node_info, n)[1] for n in self.model.groups[gi].nodes})
        at_home = ""
        if self.routed.home is not None:
            pair = who_at_home_reaches(self.routed.problem, self.routed.home, gi)
            if pair is not None:
                return _too_little_work_at_home(cand, pair.members, pair.night, label, self.params)
            at_home = (
                " No officer at home on those nights can form a crew that reaches it within the roster's "
                "rules (availability, max_shifts, contracted hours, rest, late shifts, crew templates, LPAs)."
            )
        if gi not in self.displaced:
            self.displaced[gi] = sorted(
                (
                    (
                        self.model.candidates[_visit_info(self.model.node_info, n)[0]].premises_id,
                        self.value_of.get(n, 0.0),
                    )
                    for n in _displaced_by(self.routed.problem, self.routed.res, gi, self.params)
                ),
                key=lambda pv: (-pv[1], pv[0]),
            )
        lost_to = self.displaced[gi]
        on = ", ".join(f"{n:%a}" for n in nights)
        if lost_to:
            text = (
                f"{label} crews on the nights it could be visited ({on}) had no time left for it: it fits "
                f"only in place of one of {len(lost_to)} planned visits (displaced_by, most valuable "
                f"first); it would have added {cand.value:.3g}.{at_home}"
            )
        else:
            text = (
                f"{label} crews on the nights it could be visited ({on}) had no time left for it, and "
                f"no single planned visit makes room; it would have added {cand.value:.3g}.{at_home}"
            )
        return DroppedCandidate(
            cand.premises_id,
            cand.op_type,
            cand.value,
            "crews_full",
            text,
            "; ".join(f"{pid} ({val:.4g})" for pid, val in lost_to[:10]),
        )


def _too_little_work(cand: Candidate, crew_id: str, params: PlanParams) -> DroppedCandidate:
    """A drop a free crew could reach, but not with enough visits worth its night."""
    return DroppedCandidate(
        cand.premises_id,
        cand.op_type,
        cand.value,
        "too_little_work",
        f"Crew {crew_id} is free that night and could reach it, but the dropped visits it can reach and the "
        f"visits other crews can spare do not make the {params.min_visits_per_crew} visits "
        f"(min_visits_per_crew) worth its travel; it would have added {cand.value:.3g}.",
    )


def _too_little_work_at_home(
    cand: Candidate, members: tuple[str, ...], night: dt.date, label: str, params: PlanParams
) -> DroppedCandidate:
    """A drop officers at home could form a crew for, but not with enough visits worth its night."""
    who = " and ".join([", ".join(members[:-1]), members[-1]] if len(members) > 1 else members)
    return DroppedCandidate(
        cand.premises_id,
        cand.op_type,
        cand.value,
        "too_little_work",
        f"{who} are at home on {night:%a} and could form a {label.lower()} crew that reaches it, but the "
        f"dropped visits it can reach and the visits other crews can spare do not make the "
        f"{params.min_visits_per_crew} visits (min_visits_per_crew) worth its travel; it would have added "
        f"{cand.value:.3g}.",
    )


def _cheapest_detour(
    nodes: tuple[int, ...], res: RoutingResult | None, problem: RoutingProblem
) -> int | None:
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
