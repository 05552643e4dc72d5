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

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from licvisit.core.plan.repair import _fit_break
from licvisit.core.plan.roster import OP_ABBR
from licvisit.domain import WEEKDAYS

if TYPE_CHECKING:
    from licvisit.core.plan.candidates import Candidate
    from licvisit.core.plan.params import PlanParams
    from licvisit.core.plan.roster import TeamAtHome, _Pair
    from licvisit.core.plan.routing import RoutingProblem, RoutingResult, VisitGroup
    from licvisit.domain import Crew, OperationType, ShiftAssignment

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
        route, starts, back, stolen, _ = plan
        _move(problem, res, params, v, (route, starts, back), stolen, group_of)
        opened.append(v)
    return opened


def _move(
    problem: RoutingProblem,
    res: RoutingResult,
    params: PlanParams,
    v: int,
    plan: tuple[list[int], list[int], int],
    stolen: list[tuple[int, int]],
    group_of: dict[int, int],
) -> None:
    """Give vehicle ``v`` its new route, take the visits it got from their donors, re-time them all.

    The groups the new route serves are no longer dropped.
    """
    for donor, node in stolen:
        i = res.routes[donor].index(node)
        res.routes[donor].pop(i)
        res.starts[donor].pop(i)
    res.routes[v], res.starts[v], res.back[v] = plan
    for u in sorted({v, *(d for d, _ in stolen)}):
        _retime(problem, res, u, params)
    taken = {group_of[n] for n in plan[0]}
    res.dropped_groups = [gi for gi in res.dropped_groups if gi not in taken]


def _retime(problem: RoutingProblem, res: RoutingResult, v: int, params: PlanParams) -> None:
    """Close the gaps a route was left with (a visit given up, visits inserted one by one).

    Earliest starts from the start of the shift, then every visit but the last as
    late as the next allows (so the crew waits as little as the windows let it);
    the break is placed again (or dropped, when the route is now short enough).
    When the tight timing leaves no room for the break, the route keeps its timing.
    """
    route = res.routes[v]
    if not route:
        res.breaks.pop(v, None)
        return
    t, svc, win = problem.time, problem.service, problem.windows
    lo_v, hi_v = problem.vehicle_windows[v]
    st: list[int] = []
    d, prev = lo_v, problem.starts[v]
    for n in route:
        st.append(max(d + int(t[prev, n]), int(win[n][0])))
        if st[-1] > int(win[n][1]):
            return
        d, prev = st[-1] + int(svc[n]), n
    for k in range(len(route) - 2, -1, -1):
        a, b = route[k], route[k + 1]
        st[k] = min(int(win[a][1]), st[k + 1] - int(t[a, b]) - int(svc[a]))
    if st[-1] + int(svc[route[-1]]) + int(t[route[-1], problem.ends[v]]) > hi_v:
        return
    placed = _fit_break(problem, v, route, st, params)
    if placed is None:
        return
    brk, starts, back = placed
    res.starts[v], res.back[v] = starts, back
    if brk is None:
        res.breaks.pop(v, None)
    else:
        res.breaks[v] = brk


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
    floor: int | None = None,
) -> tuple[int, list[int], list[int], int] | None:
    """Best (gain, route, starts, back) for inserting ``node`` worth ``worth`` points into ``route``.

    With ``floor``, only insertions gaining more than ``floor`` are checked (None if there is none).
    """
    seq = [problem.starts[v], *route, problem.ends[v]]
    best = None
    for k in range(len(route) + 1):
        gain = worth - _arc_delta(problem, seq, k, node)
        if (best is not None and gain <= best[0]) or (floor is not None and gain <= floor):
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
    v_nodes: list[int] | None = None,
) -> tuple[list[int], list[int], int, list[tuple[int, int]], int] | None:
    """Greedy route for free vehicle ``v``: dropped visits, then visits busy crews can spare.

    ``v_nodes`` are the visit nodes ``v`` may make (found from ``problem.allowed`` when not given).

    Returns (route, starts, back, [(donor, donor's node), ...], gain in points) when the
    crew gets at least ``min_visits_per_crew`` visits and the week gains value; else None.
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
            # The first visit may not pay for the trip out on its own: the night as a whole must gain.
            if got is not None and (got[0] > 0 or not route):
                gain_total += got[0]
                route, starts, back = got[1], got[2], got[3]
                used_groups.add(group_of[node])

    add_dropped()
    if not route:
        return None
    while len(route) < need:
        if v_nodes is None:
            v_nodes = _nodes_of(problem, v)
        take = _best_spare(
            problem, res, v, route, starts, params, insertion, group_of, used_groups, stolen, v_nodes
        )
        if take is None:
            return None
        delta, donor, node, (route, starts, back) = take
        gain_total += delta
        used_groups.add(group_of[node])
        stolen.append((donor, node))
    if gain_total <= 0:
        return None
    return route, starts, back, stolen, gain_total


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
    v_nodes: list[int],
) -> tuple[int, int, int, tuple[list[int], list[int], int]] | None:
    """The visit a busy crew can give up that costs the least travel to move onto ``v``'s route.

    The premises may move to ``v`` on the donor's night or on another of its nights
    (any node of its group ``v`` may make).
    """
    given: dict[int, int] = {}
    for donor, _ in stolen:
        given[donor] = given.get(donor, 0) + 1
    served = {group_of[n]: (d, j, n) for d, r in enumerate(res.routes) for j, n in enumerate(r)}
    best = None
    for alt in v_nodes:
        gi = group_of[alt]
        if gi not in served or gi in used_groups or problem.groups[gi].penalty is None:
            continue
        donor, j, node = served[gi]
        if (
            donor == v
            or (donor, node) in stolen
            or len(res.routes[donor]) - given.get(donor, 0) <= params.min_visits_per_crew
        ):
            continue
        dseq = [problem.starts[donor], *res.routes[donor], problem.ends[donor]]
        # The donor saves the detour it made for the visit (ignoring visits it already gave up).
        saved = int(
            problem.cost[dseq[j], node] + problem.cost[node, dseq[j + 2]] - problem.cost[dseq[j], dseq[j + 2]]
        )
        got = _best_insert(
            problem, v, route, starts, alt, saved, params, insertion, best[0] if best else None
        )
        if got is not None and (best is None or got[0] > best[0]):
            best = (got[0], donor, node, got[1:])
    return best


def _nodes_of(problem: RoutingProblem, v: int) -> list[int]:
    """The visit nodes vehicle ``v`` may make (a node with no entry in ``allowed`` allows every vehicle)."""
    depots = set(problem.starts) | set(problem.ends)
    return [
        n
        for n in range(problem.n_nodes)
        if n not in depots and v in problem.allowed.get(n, range(problem.n_vehicles))
    ]


@dataclass
class Home:
    """What forming crews from the officers at home needs to know about the week's routing model.

    ``crews`` and ``shifts`` are the week's crews (vehicle ``v`` is ``crews[v]``) and roster
    lines: :func:`send_out_from_home` appends the crews it forms to both.
    """

    team: TeamAtHome
    crews: list[Crew]
    shifts: list[ShiftAssignment]
    candidates: list[Candidate]
    node_info: list[tuple[int, dt.date] | None]
    depot: dict[str, int]  # base -> its depot node (a base no rostered crew starts from has none)
    busy: set[str]  # premises where a licensing crew must have uniformed support
    ops: dict[str, OperationType]
    origin: dt.datetime
    params: PlanParams
    sent: list[int] = field(default_factory=list)  # vehicles formed from home and sent out
    _nodes: dict[tuple[dt.date, str], list[int]] = field(default_factory=dict)
    # (crews booked when the offers were listed, the offers then)
    _offers_at: tuple[int, list[tuple[tuple[Any, ...], _Pair, list[int]]]] = (-1, [])
    _reach: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)  # kind of crew -> visit nodes

    def __post_init__(self) -> None:
        for n, info in enumerate(self.node_info):
            if info is not None and self.candidates[info[0]].lock is None:
                self._nodes.setdefault((info[1], self.candidates[info[0]].op_type), []).append(n)

    def window(self, p: _Pair) -> tuple[int, int]:
        return _min(p.start, self.origin), _min(p.end, self.origin)

    def reach(self, problem: RoutingProblem, p: _Pair) -> list[int]:
        """The visit nodes crew ``p`` may make: its night and type, its LPAs, support rule, in its shift."""
        depot = self.depot.get(self.team.officers[p.palo].base)
        if depot is None:
            return []
        lpas = {self.team.officers[m].lpa for m in p.members}
        lo, hi = self.window(p)
        out = []
        for n in self._nodes.get((p.night, p.op), []):
            cand = self.candidates[self.node_info[n][0]]  # type: ignore[index]
            lpa = cand.meta.get("lpa", "")
            if self.params.crews_stay_in_lpa and lpa and "" not in lpas and lpa not in lpas:
                continue
            if cand.premises_id in self.busy and self.ops[cand.op_type].support_role and not p.support:
                continue
            s0 = lo + int(problem.time[depot, n])
            s1 = hi - int(problem.time[n, depot]) - int(problem.service[n])
            if max(int(problem.windows[n][0]), s0) <= min(int(problem.windows[n][1]), s1):
                out.append(n)
        return out


def _min(t: dt.datetime, origin: dt.datetime) -> int:
    return int((t - origin).total_seconds() // 60)


def send_out_from_home(
    problem: RoutingProblem, res: RoutingResult, params: PlanParams, insertion: Insertion, home: Home
) -> list[int]:
    """Form crews from officers at home for dropped visits, as a sergeant would; return their vehicles.

    For one crew of every kind the team at home can still form (one per
    night it could have: night, type, base, shift and the visit nodes it may
    make) that reaches a dropped visit, its night is built as
    :func:`open_free_crews` does (dropped visits, topped up to
    ``min_visits_per_crew`` with visits busy crews can spare) and queued by
    its gain.  The crew at the top is built again with the week as it is now;
    if it still gains most it goes out (its members are booked, its kind
    queued again for other officers), else it is queued with its new gain.
    This stops when no crew gains.  A crew the roster had already formed and
    the routes left empty keeps its vehicle and name.  Mutates ``problem``
    (vehicles, allowed), ``res`` and ``home``.
    """
    group_of = {n: gi for gi, g in enumerate(problem.groups) for n in g.nodes}
    # Vehicles are appended below: the per-vehicle lists must be lists of their own.
    problem.starts, problem.ends = list(problem.starts), list(problem.ends)
    problem.vehicle_windows = list(problem.vehicle_windows)
    for v, c in enumerate(home.crews):
        if res.routes[v]:
            home.team.put_on_duty(c)
    # Lazy greedy: a crew's gain only falls as others go out, so each kind is re-built only when
    # it comes to the top of the queue; the one whose fresh gain still leads goes out.
    queue: list[tuple[int, int, tuple[Any, ...]]] = []
    for i, (key, p, nodes) in enumerate(_offers(problem, home)):
        plan = _try(problem, res, params, insertion, home, p, nodes, group_of)
        if plan is not None:
            heapq.heappush(queue, (-plan[4], i, key))
    while queue:
        _, i, kind = heapq.heappop(queue)
        offer = next(((p, nodes) for key, p, nodes in _offers(problem, home) if key == kind), None)
        if offer is None:  # its officers went out in another crew, or it broke a rule now
            continue
        p, nodes = offer
        plan = _try(problem, res, params, insertion, home, p, nodes, group_of)
        if plan is None:
            continue
        if queue and plan[4] < -queue[0][0]:
            heapq.heappush(queue, (-plan[4], i, kind))
            continue
        route, starts, back, stolen, _ = plan
        v = _commit(problem, res, home, p, nodes)
        _move(problem, res, params, v, (route, starts, back), stolen, group_of)
        home.team.put_on_duty(home.crews[v])
        home.sent.append(v)
        heapq.heappush(queue, (-plan[4], i, kind))  # other officers at home may form one more of its kind
    return home.sent


def _try(
    problem: RoutingProblem,
    res: RoutingResult,
    params: PlanParams,
    insertion: Insertion,
    home: Home,
    p: _Pair,
    nodes: list[int],
    group_of: dict[int, int],
) -> tuple[list[int], list[int], int, list[tuple[int, int]], int] | None:
    """The night crew ``p`` would have (see :func:`_build_route`), or None; the model is left as it was."""
    dropped_nodes = {
        n
        for gi in res.dropped_groups
        if problem.groups[gi].penalty is not None
        for n in problem.groups[gi].nodes
    }
    if dropped_nodes.isdisjoint(nodes):
        return None
    v = _add_vehicle(problem, res, home, p, nodes)
    try:
        dropped = _dropped_nodes_for(problem, res, v)
        return _build_route(problem, res, v, dropped, params, insertion, group_of, nodes)
    finally:
        _remove_vehicle(problem, res, nodes)


def _kind(home: Home, p: _Pair) -> tuple[Any, ...]:
    """Crews of one kind may make the same visits: night, type, base, shift, LPAs, with or without support."""
    lpas = tuple(sorted({home.team.officers[m].lpa for m in p.members}))
    return (p.night, p.op, home.team.officers[p.palo].base, p.start, p.end, lpas, bool(p.support))


def who_at_home_reaches(problem: RoutingProblem, home: Home, gi: int) -> _Pair | None:
    """A crew the team at home could still form that could make one of group ``gi``'s visits, or None."""
    nodes = set(problem.groups[gi].nodes)
    for _, p, reach in _offers(problem, home):
        if not nodes.isdisjoint(reach):
            return p
    return None


def _offers(problem: RoutingProblem, home: Home) -> list[tuple[tuple[Any, ...], _Pair, list[int]]]:
    """(key, crew, visit nodes it may make): one crew for each night a crew from home could have.

    Crews that would start from the same base in the same shift with the same visit nodes
    to choose from would make the same night: one of them (with uniformed support when
    one has it) stands for all, under the key (night, type, base, shift, nodes).
    """
    if home._offers_at[0] == home.team.booked:
        return home._offers_at[1]
    chosen: dict[tuple[Any, ...], tuple[_Pair, list[int]]] = {}
    for p in home.team.offers():
        kind = _kind(home, p)
        if kind not in home._reach:
            home._reach[kind] = home.reach(problem, p)
        nodes = home._reach[kind]
        if not nodes:
            continue
        key = (*kind[:5], tuple(nodes))
        if key not in chosen or (p.support and not chosen[key][0].support):
            chosen[key] = (p, nodes)
    out = [(key, p, nodes) for key, (p, nodes) in chosen.items()]
    home._offers_at = (home.team.booked, out)
    return out


def _add_vehicle(problem: RoutingProblem, res: RoutingResult, home: Home, p: _Pair, nodes: list[int]) -> int:
    """Append crew ``p`` as a vehicle allowed on ``nodes``; return its index."""
    v = problem.n_vehicles
    depot = home.depot[home.team.officers[p.palo].base]
    lo, hi = home.window(p)
    problem.starts.append(depot)  # type: ignore[attr-defined]
    problem.ends.append(depot)  # type: ignore[attr-defined]
    problem.vehicle_windows.append((lo, hi))  # type: ignore[attr-defined]
    for n in nodes:
        problem.allowed.setdefault(n, []).append(v)
    res.routes.append([])
    res.starts.append([])
    res.depart.append(lo)
    res.back.append(lo)
    return v


def _remove_vehicle(problem: RoutingProblem, res: RoutingResult, nodes: list[int]) -> None:
    """Undo :func:`_add_vehicle` (the last vehicle)."""
    v = problem.n_vehicles - 1
    for n in nodes:
        problem.allowed[n].remove(v)
    problem.starts.pop()  # type: ignore[attr-defined]
    problem.ends.pop()  # type: ignore[attr-defined]
    problem.vehicle_windows.pop()  # type: ignore[attr-defined]
    for lst in (res.routes, res.starts, res.depart, res.back):
        lst.pop()


def _commit(problem: RoutingProblem, res: RoutingResult, home: Home, p: _Pair, nodes: list[int]) -> int:
    """The vehicle crew ``p`` goes out as: its rostered vehicle if the routes left it empty, else a new one."""
    window = home.window(p)
    for v, c in enumerate(home.crews):
        if (
            c.night == p.night
            and c.op_type == p.op
            and sorted(c.members) == sorted(p.members)
            and not res.routes[v]
            and tuple(problem.vehicle_windows[v]) == window
            and problem.starts[v] == home.depot[home.team.officers[p.palo].base]
        ):
            for n in nodes:
                if v not in problem.allowed.setdefault(n, []):
                    problem.allowed[n].append(v)
            return v
    v = _add_vehicle(problem, res, home, p, nodes)
    day, abbr = WEEKDAYS[p.night.weekday()].upper(), OP_ABBR.get(p.op, p.op.upper())
    taken = {c.crew_id for c in home.crews} | {s.crew_id for s in home.shifts}  # every part's crews
    k = 1
    while f"{day}-{abbr}-{k}" in taken:
        k += 1
    crew, shifts = home.team.crew_of(p, f"{day}-{abbr}-{k}")
    home.crews.append(crew)
    home.shifts.extend(shifts)
    return v


__all__ = [
    "Home",
    "free_crew_reaches",
    "greedy_routes",
    "open_free_crews",
    "send_out_from_home",
    "who_at_home_reaches",
]
