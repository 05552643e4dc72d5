"""Steps after the routing search: release weak crews, insert what still gains, place breaks, fit shifts.

Each works on the routing result in place and is checked again by :mod:`licvisit.core.plan.checker`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from licvisit.core.plan.params import PlanParams
from licvisit.core.plan.routing import RoutingProblem, RoutingResult, prune_unprofitable, solve_routing
from licvisit.domain import (
    Crew,
)

if TYPE_CHECKING:
    import numpy as np


def _insertion(
    problem: RoutingProblem,
    v: int,
    route: list[int],
    starts: list[int],
    brk: tuple[int, int] | None,
    node: int,
    k: int,
    params: PlanParams,
) -> tuple[list[int], list[int], int] | None:
    """Return (route, starts, back) with ``node`` inserted at position ``k`` of vehicle ``v``, or None.

    Time-aware: every visit keeps inside its window, none overlaps the
    crew's break (a break on a leg delays the arrival by its length), the
    crew is back by the end of its window, and a route with no break stays
    within ``break_after_h``.
    """
    t, svc, win = problem.time, problem.service, problem.windows
    new_route = [*route[:k], node, *route[k:]]
    new_starts = list(starts[:k])
    was = dict(zip(route, starts, strict=True))  # visits already planned are never moved earlier
    lo_v, hi_v = problem.vehicle_windows[v]
    prev = problem.starts[v] if k == 0 else route[k - 1]
    d = lo_v if k == 0 else starts[k - 1] + int(svc[prev])
    for n in new_route[k:]:
        st = max(d + int(t[prev, n]), int(win[n][0]), was.get(n, 0))
        # The break falls between leaving the last visit and finishing this one (on the leg or in
        # the visit): the crew takes it first, then travels.  A break that began before the crew was
        # free overlaps the previous visit: no room here.
        if brk is not None and brk[1] > d and brk[0] < st + int(svc[n]):
            if d > brk[0]:
                return None
            st = max(brk[1] + int(t[prev, n]), int(win[n][0]), was.get(n, 0))
        if st > int(win[n][1]):
            return None
        new_starts.append(st)
        d, prev = st + int(svc[n]), n
    back = d + int(t[prev, problem.ends[v]])
    if back > hi_v:
        return None
    leave = new_starts[0] - int(t[problem.starts[v], new_route[0]])
    if brk is None and back - leave > params.break_after_h * 60 and params.break_min > 0:
        return None
    return new_route, new_starts, back


def _insert_if_gain(problem: RoutingProblem, res: RoutingResult, params: PlanParams) -> int:
    """Insert every dropped visit that fits a route in time and is worth its detour; return how many.

    A short search can leave out a visit that still fits; the time-aware
    insertion check finds it and, when its value beats the extra travel,
    the planner puts it in (best gain first, most valuable premises first).
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    served = {n for r in res.routes for n in r}
    inserted = 0
    order = sorted(
        (gi for gi in res.dropped_groups if problem.groups[gi].penalty is not None),
        key=lambda gi: (-(problem.groups[gi].penalty or 0), gi),
    )
    for gi in order:
        g = problem.groups[gi]
        if served.intersection(g.nodes):
            continue
        best = None
        for node in g.nodes:
            for v in problem.allowed.get(node, range(problem.n_vehicles)):
                route = res.routes[v]
                if not route:  # a released or unused crew stays released
                    continue
                seq = [problem.starts[v], *route, problem.ends[v]]
                for k in range(len(route) + 1):
                    a, b = seq[k], seq[k + 1]
                    gain = (g.penalty or 0) - int(
                        problem.cost[a, node] + problem.cost[node, b] - problem.cost[a, b]
                    )
                    if gain <= 0 or (best is not None and gain <= best[0]):
                        continue
                    got = _insertion(problem, v, route, res.starts[v], res.breaks.get(v), node, k, params)
                    if got is not None:
                        best = (gain, v, got)
        if best is None:
            continue
        _, v, (route, starts, back) = best
        res.routes[v], res.starts[v], res.back[v] = route, starts, back
        served.update(route)
        res.dropped_groups.remove(gi)
        inserted += 1
    del group_of
    return inserted


def _displaced_by(problem: RoutingProblem, res: RoutingResult, gi: int, params: PlanParams) -> list[int]:
    """Planned visit nodes whose removal would let group ``gi`` in (time-aware), most valuable first."""
    out = set()
    for node in problem.groups[gi].nodes:
        for v in problem.allowed.get(node, range(problem.n_vehicles)):
            route = res.routes[v]
            for j in range(len(route)):
                rest = route[:j] + route[j + 1 :]
                st = res.starts[v][:j] + res.starts[v][j + 1 :]
                for k in range(len(rest) + 1):
                    if _insertion(problem, v, rest, st, res.breaks.get(v), node, k, params) is not None:
                        out.add(route[j])
                        break
    return sorted(out)


def _release_weak_crews(
    problem: RoutingProblem, res: RoutingResult, crews: list[Crew], params: PlanParams
) -> tuple[list[int], RoutingResult | None]:
    """Release crews with fewer than ``min_visits_per_crew`` visits and re-route their work; repeat.

    A crew sent out for one or two visits is a poor use of two or three
    officers: it is released, its visits are offered to the other crews
    (a re-route that starts from the current routes, with a quarter of the
    work limit), and the check repeats until every crew left has enough
    work or nothing changes.  Crews holding a locked visit are kept.

    Returns
    -------
    (released vehicle indices, the final result or None when nothing was released)
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    released: list[int] = []
    final = None

    def weak_of(res: RoutingResult) -> list[int]:
        return [
            v
            for v, r in enumerate(res.routes)
            if 0 < len(r) < params.min_visits_per_crew
            and all(problem.groups[group_of[n]].penalty is not None for n in r)
        ]

    for _ in range(params.release_rounds):
        weak = weak_of(res)
        if not weak:
            break
        released.extend(weak)
        gone = set(released)
        for node, vs in list(problem.allowed.items()):
            problem.allowed[node] = [v for v in vs if v not in gone]
        start = [[] if v in gone else list(r) for v, r in enumerate(res.routes)]
        res = solve_routing(
            problem,
            params.time_limit_s,
            work_limit=(params.work_limit // 4) or None,
            strategies=params.first_solution_strategies,
            initial_routes=start,
        )
        prune_unprofitable(problem, res)
        _place_breaks(problem, res, params)
        final = res
    # Out of re-routes: crews still short of work are released and their visits left out.
    for v in weak_of(res):
        released.append(v)
        res.dropped_groups.extend(group_of[n] for n in res.routes[v])
        res.routes[v], res.starts[v] = [], []
        res.breaks.pop(v, None)
        final = res
    res.dropped_groups.sort()
    del crews
    return sorted(released), final


def _fit_shift(crew: Crew, v: int, res: RoutingResult, problem: RoutingProblem, origin: dt.datetime) -> Crew:
    """Fit a crew's shift to its work: leave base in time for the first visit, end when back.

    Also records its minutes on the road and idle (waiting that is neither a
    visit, travel nor its break), so on-site + travel + breaks + idle = shift.
    """
    route = res.routes[v]
    if not route:
        return crew
    t = problem.time
    seq = [problem.starts[v], *route, problem.ends[v]]
    travel = int(sum(int(t[a, b]) for a, b in zip(seq, seq[1:], strict=False)))
    on_site = int(sum(int(problem.service[n]) for n in route))
    first = res.starts[v][0] - int(t[problem.starts[v], route[0]])
    last = res.starts[v][-1] + int(problem.service[route[-1]])
    brk = res.breaks.get(v)
    if brk is not None:
        first = min(first, brk[0])
        last = max(last, brk[1])
    end = last + int(t[route[-1], problem.ends[v]])
    lo, hi = problem.vehicle_windows[v]
    start, end = max(lo, first), min(hi, end)
    break_min = (brk[1] - brk[0]) if brk is not None else 0
    return dataclasses.replace(
        crew,
        shift_start=origin + dt.timedelta(minutes=start),
        shift_end=origin + dt.timedelta(minutes=end),
        breaks=((origin + dt.timedelta(minutes=brk[0]), origin + dt.timedelta(minutes=brk[1])),)
        if brk
        else (),
        travel_min=travel,
        idle_min=(end - start) - on_site - travel - break_min,
    )


def _place_breaks(problem: RoutingProblem, res: RoutingResult, params: PlanParams) -> int:
    """Give every route longer than ``break_after_h`` a break between two visits; return visits removed.

    The routing search itself does not carry the breaks (OR-Tools' vehicle
    break intervals made each search step about six times slower, so the work
    limit could not be met in the time cap).  A route's span runs from leaving
    base for its first visit to getting back; when it is longer than
    ``break_after_h`` the break goes between two visits, at least an hour
    after leaving and an hour before getting back, where it delays the later
    visits least (they may be pushed as far as their windows and the end of
    the shift allow).  When no place has room, the least valuable visit whose
    removal makes room (or shortens the route below ``break_after_h``) is
    dropped; removing a visit never delays the others (travel times obey the
    triangle inequality).  Locked visits are never dropped.  Breaks are
    written to ``res.breaks`` (vehicle -> (start, end)).
    """
    group_of = {n: k for k, g in enumerate(problem.groups) for n in g.nodes}
    res.breaks = {}
    removed = 0
    for v in range(problem.n_vehicles):
        while res.routes[v]:
            placed = _fit_break(problem, v, res.routes[v], res.starts[v], params)
            if placed is not None:
                brk, starts, back = placed
                if brk is not None:
                    res.breaks[v], res.starts[v], res.back[v] = brk, starts, back
                break
            options = []
            for i, node in enumerate(res.routes[v]):
                pen = problem.groups[group_of[node]].penalty
                if pen is None:
                    continue
                rest = res.routes[v][:i] + res.routes[v][i + 1 :]
                st = res.starts[v][:i] + res.starts[v][i + 1 :]
                options.append((_fit_break(problem, v, rest, st, params) is None, pen, i))
            if not options:  # only locked visits: leave them, unbroken (the checker will say so)
                break
            _, _, i = min(options)
            node = res.routes[v].pop(i)
            res.starts[v].pop(i)
            res.dropped_groups.append(group_of[node])
            removed += 1
    res.dropped_groups.sort()
    return removed


def _fit_break(
    problem: RoutingProblem, v: int, route: list[int], starts: list[int], params: PlanParams
) -> tuple[tuple[int, int] | None, list[int], int] | None:
    """Return (break, starts, back) for ``route``; (None, starts, back) when it needs none; None if no room.

    Ties between places go to the earliest.
    """
    t = problem.time
    if not route:
        return None, starts, 0
    leave = starts[0] - int(t[problem.starts[v], route[0]])
    back = starts[-1] + int(problem.service[route[-1]]) + int(t[route[-1], problem.ends[v]])
    dur = params.break_min
    if back - leave <= params.break_after_h * 60 or dur <= 0:
        return None, starts, back
    lo_b, hi_b = leave + 60, back - 60 - dur
    best = None
    for k in range(1, len(route)):
        prev = route[k - 1]
        free = starts[k - 1] + int(problem.service[prev])
        b = max(free, lo_b)
        if b > hi_b:
            break
        new, tt, at, ok = list(starts[:k]), b + dur, prev, True
        for j in range(k, len(route)):
            node = route[j]
            st = max(tt + int(t[at, node]), starts[j])
            if st > problem.windows[node][1]:
                ok = False
                break
            new.append(st)
            tt, at = st + int(problem.service[node]), node
        end = tt + int(t[at, problem.ends[v]])
        if ok and end <= problem.vehicle_windows[v][1]:
            delay = sum(a - o for a, o in zip(new[k:], starts[k:], strict=True))
            if best is None or (delay, k) < best[0]:
                best = ((delay, k), ((b, b + dur), new, end))
    return best[1] if best else None


def _route_travel(
    route: list[int], v: int, starts: Sequence[int], node_loc: list[int], tmin_int: np.ndarray
) -> int:
    if not route:
        return 0
    seq = [starts[v]] + [node_loc[n] for n in route] + [starts[v]]
    return int(sum(tmin_int[a, b] for a, b in zip(seq, seq[1:], strict=False)))
