"""Send out a rostered crew the routes left at home when it can take dropped visits worth its night.

The roster offers the routing more crews than the routes need; the search
concentrates the work on fewer of them and releases the rest.  A visit can
then be dropped as "crews full" while a released crew of the right kind is
free that night.  :func:`open_free_crews` is the move that decides roster and
routes together at that point: for each free crew it builds a route from the
dropped visits it can reach (best gain first), tops it up to
``min_visits_per_crew`` with visits the busy crews of that night can give up
(never taking a busy crew below the minimum, never a locked visit), and sends
the crew out only when the week gains value net of the extra travel.
:func:`free_crew_reaches` says, for a drop still left, which free crew could
have reached it (so the reason says why it was not sent: too little work).

All insertions are time-aware (``insertion`` is the planner's check: windows,
breaks, the crew back by the end of its shift, no route over ``break_after_h``
without its break); removing a visit never makes a route late (travel times
obey the triangle inequality), so donors stay feasible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from licvisit.core.plan.params import PlanParams
    from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup

Insertion = Callable[..., Any]


def open_free_crews(
    problem: RoutingProblem, res: RoutingResult, params: PlanParams, insertion: Insertion
) -> list[int]:
    """Send out free crews for dropped visits when it gains value; return the vehicles sent out.

    Mutates ``res`` (routes, starts, back, dropped_groups).
    """
    group_of = {n: gi for gi, g in enumerate(problem.groups) for n in g.nodes}
    opened: list[int] = []
    for v in _free_vehicles(problem, res):
        dropped = _dropped_nodes_for(problem, res, v)
        if not dropped:
            continue
        plan = _build_route(problem, res, v, dropped, params, insertion, group_of)
        if plan is None:
            continue
        route, starts, back, stolen = plan
        for donor, node in stolen:
            i = res.routes[donor].index(node)
            res.routes[donor].pop(i)
            res.starts[donor].pop(i)
        res.routes[v], res.starts[v], res.back[v] = route, starts, back
        taken = {group_of[n] for n in route}
        res.dropped_groups = [gi for gi in res.dropped_groups if gi not in taken]
        opened.append(v)
    return opened


def free_crew_reaches(
    problem: RoutingProblem, res: RoutingResult, gi: int, params: PlanParams, insertion: Insertion
) -> int | None:
    """Return a free (unrouted) vehicle that could make one of group ``gi``'s visits on its own, or None."""
    for v in _free_vehicles(problem, res):
        for node in problem.groups[gi].nodes:
            if v in problem.allowed.get(node, range(problem.n_vehicles)):
                if insertion(problem, v, [], [], None, node, 0, params) is not None:
                    return v
    return None


def greedy_routes(problem: RoutingProblem, params: PlanParams, insertion: Insertion) -> list[list[int]]:
    """Routes built visit by visit: the most valuable premises first, each where it gains most.

    A start for the routing search that needs no first-solution heuristic
    (on a large week those do not finish within the time cap).  Each
    premises (group) goes on the alternative, crew and position with the
    best value less detour that keeps every visit in its window and the crew
    back in time; locked visits first.  No route is made longer than
    ``break_after_h`` (breaks are placed after the search).
    """
    routes: list[list[int]] = [[] for _ in range(problem.n_vehicles)]
    starts: list[list[int]] = [[] for _ in range(problem.n_vehicles)]
    big = max((g.penalty or 0 for g in problem.groups), default=1) * 10

    def worth_of(g: VisitGroup) -> int:
        return g.penalty if g.penalty is not None else big

    order = sorted(range(len(problem.groups)), key=lambda gi: (-worth_of(problem.groups[gi]), gi))
    for gi in order:
        g = problem.groups[gi]
        worth = worth_of(g)
        best = None
        for node in g.nodes:
            for v in problem.allowed.get(node, range(problem.n_vehicles)):
                got = _best_insert(problem, v, routes[v], starts[v], node, worth, params, insertion)
                if got is not None and got[0] > 0 and (best is None or got[0] > best[0]):
                    best = (got[0], v, got[1], got[2])
        if best is not None:
            _, v, routes[v], starts[v] = best
    return routes


def _free_vehicles(problem: RoutingProblem, res: RoutingResult) -> list[int]:
    """Vehicles with no route that some visit may still use (released weak crews are not allowed any)."""
    usable = {v for vs in problem.allowed.values() for v in vs}
    if len(problem.allowed) < sum(len(g.nodes) for g in problem.groups):
        usable = set(range(problem.n_vehicles))  # a node without an entry allows every vehicle
    return [v for v in range(problem.n_vehicles) if not res.routes[v] and v in usable]


def _dropped_nodes_for(problem: RoutingProblem, res: RoutingResult, v: int) -> list[tuple[int, int]]:
    """(penalty, node) of every dropped, optional visit vehicle ``v`` may make, most valuable first."""
    out = []
    for gi in res.dropped_groups:
        pen = problem.groups[gi].penalty
        if pen is None:
            continue
        for node in problem.groups[gi].nodes:
            if v in problem.allowed.get(node, range(problem.n_vehicles)):
                out.append((pen, node))
    out.sort(key=lambda pn: (-pn[0], pn[1]))
    return out


def _arc_delta(problem: RoutingProblem, seq: list[int], k: int, node: int) -> int:
    a, b = seq[k], seq[k + 1]
    return int(problem.cost[a, node] + problem.cost[node, b] - problem.cost[a, b])


def _best_insert(
    problem: RoutingProblem,
    v: int,
    route: list[int],
    starts: list[int],
    node: int,
    worth: int,
    params: PlanParams,
    insertion: Insertion,
) -> tuple[int, list[int], list[int], int] | None:
    """Best (gain, route, starts, back) for inserting ``node`` worth ``worth`` points into ``route``."""
    seq = [problem.starts[v], *route, problem.ends[v]]
    best = None
    for k in range(len(route) + 1):
        gain = worth - _arc_delta(problem, seq, k, node)
        if best is not None and gain <= best[0]:
            continue
        got = insertion(problem, v, route, starts, None, node, k, params)
        if got is not None:
            best = (gain, *got)
    return best


def _build_route(
    problem: RoutingProblem,
    res: RoutingResult,
    v: int,
    dropped: list[tuple[int, int]],
    params: PlanParams,
    insertion: Insertion,
    group_of: dict[int, int],
) -> tuple[list[int], list[int], int, list[tuple[int, int]]] | None:
    """Greedy route for free vehicle ``v``: dropped visits, then visits busy crews can spare.

    Returns (route, starts, back, [(donor, node), ...]) when the crew gets at least
    ``min_visits_per_crew`` visits and the week gains value; else None.
    """
    route: list[int] = []
    starts: list[int] = []
    back = 0
    gain_total = 0
    used_groups: set[int] = set()
    stolen: list[tuple[int, int]] = []
    need = params.min_visits_per_crew

    def add_dropped() -> None:
        nonlocal route, starts, back, gain_total
        for pen, node in dropped:
            if group_of[node] in used_groups:
                continue
            got = _best_insert(problem, v, route, starts, node, pen, params, insertion)
            if got is not None and got[0] > 0:
                gain_total += got[0]
                route, starts, back = got[1], got[2], got[3]
                used_groups.add(group_of[node])

    add_dropped()
    if not route:
        return None
    while len(route) < need:
        take = _best_spare(problem, res, v, route, starts, params, insertion, group_of, used_groups, stolen)
        if take is None:
            return None
        delta, donor, node, (route, starts, back) = take
        gain_total += delta
        used_groups.add(group_of[node])
        stolen.append((donor, node))
    if gain_total <= 0:
        return None
    return route, starts, back, stolen


def _best_spare(
    problem: RoutingProblem,
    res: RoutingResult,
    v: int,
    route: list[int],
    starts: list[int],
    params: PlanParams,
    insertion: Insertion,
    group_of: dict[int, int],
    used_groups: set[int],
    stolen: list[tuple[int, int]],
) -> tuple[int, int, int, tuple[list[int], list[int], int]] | None:
    """The visit a busy crew can give up that costs the least travel to move onto ``v``'s route."""
    given: dict[int, int] = {}
    for donor, _ in stolen:
        given[donor] = given.get(donor, 0) + 1
    best = None
    for donor, droute in enumerate(res.routes):
        if donor == v or len(droute) - given.get(donor, 0) <= params.min_visits_per_crew:
            continue
        dseq = [problem.starts[donor], *droute, problem.ends[donor]]
        for j, node in enumerate(droute):
            if problem.groups[group_of[node]].penalty is None or group_of[node] in used_groups:
                continue
            if (donor, node) in stolen or v not in problem.allowed.get(node, range(problem.n_vehicles)):
                continue
            # The donor saves the detour it made for the visit (ignoring visits it already gave up).
            saved = int(
                problem.cost[dseq[j], node]
                + problem.cost[node, dseq[j + 2]]
                - problem.cost[dseq[j], dseq[j + 2]]
            )
            got = _best_insert(problem, v, route, starts, node, saved, params, insertion)
            if got is not None and (best is None or got[0] > best[0]):
                best = (got[0], donor, node, got[1:])
    return best


__all__ = ["free_crew_reaches", "greedy_routes", "open_free_crews"]
