"""Read Solomon / VRPLIB VRPTW instances and solve them with the planner's routing code.

Used to measure :mod:`licvisit.core.routing` on standard instances
(``licvisit bench-vrptw``).  Distances are Euclidean, truncated to one
decimal as in the exact-method literature that established the optima
(Kohl et al. 1999; C101 optimum 827.3); travel time equals distance.

Customer numbers in the output follow the instance's solution-file
convention: the depot is 0 and customers are numbered by their position in
the file (for Solomon files this is the CUST NO. column; for VRPLIB files
it is the node id minus one).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from licvisit.core.routing import RoutingProblem, VisitGroup, solve_routing

# Path cheapest arc first (guided local search does best from it on wide windows); when it cannot
# fit every customer into the fixed fleet, the insertion heuristics and savings take over.
VRPTW_STRATEGIES = ("PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION", "SAVINGS", "LOCAL_CHEAPEST_INSERTION")
SCALE = 1000  # integer units per instance unit; large so guided local search penalties do not round to 0


@dataclass
class VrptwInstance:
    """A VRPTW instance; index 0 is the depot."""

    name: str
    x: np.ndarray
    y: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray
    vehicles: int
    capacity: int
    reload: bool = (
        False  # multi-trip (VRPLIB VEHICLES_RELOAD_DEPOT_SECTION): vehicles may reload at the depot
    )

    @property
    def n_customers(self) -> int:
        return len(self.x) - 1

    def distance_matrix(self) -> np.ndarray:
        """Euclidean distances truncated to one decimal (the convention behind C101's 827.3)."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        return np.floor(np.hypot(dx, dy) * 10 + 1e-9) / 10


def parse_vrptw(text: str, name: str) -> VrptwInstance:
    """Parse the text of a Solomon file or a VRPLIB (``NODE_COORD_SECTION``) VRPTW file.

    Raises
    ------
    ValueError
        When the text is in neither format.
    """
    if "NODE_COORD_SECTION" in text:
        return _read_vrplib(text, name)
    return _read_solomon(text, name)


def _read_solomon(text: str, stem: str) -> VrptwInstance:
    lines = [ln.strip() for ln in text.splitlines()]
    name = next((ln for ln in lines if ln), stem)
    vehicles = capacity = None
    rows: list[list[float]] = []
    mode = ""
    for ln in lines:
        up = ln.upper()
        if up.startswith("VEHICLE"):
            mode = "veh"
            continue
        if up.startswith("CUSTOMER"):
            mode = "cust"
            continue
        nums = ln.split()
        if not nums or not all(re.fullmatch(r"-?\d+(\.\d+)?", t) for t in nums):
            continue
        if mode == "veh" and len(nums) == 2 and vehicles is None:
            vehicles, capacity = int(float(nums[0])), int(float(nums[1]))
        elif mode == "cust" and len(nums) == 7:
            rows.append([float(t) for t in nums])
    if vehicles is None or not rows:
        raise ValueError("Expected a Solomon VRPTW file (VEHICLE and CUSTOMER sections).")
    a = np.array(rows)
    return VrptwInstance(name, a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 6], vehicles, int(capacity))


def _read_vrplib(text: str, stem: str) -> VrptwInstance:
    head: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    cur = None
    for raw in text.splitlines():
        ln = raw.strip()
        if not ln or ln == "EOF":
            continue
        if ln.endswith("_SECTION"):
            cur = ln
            sections[cur] = []
            continue
        m = re.match(r"^([A-Z_]+)\s*:\s*(.*)$", ln)
        if m:
            head[m.group(1)] = m.group(2).strip()
            cur = None
            continue
        if cur is not None:
            sections[cur].append([float(t) for t in ln.split()])
    coords = np.array(sections.get("NODE_COORD_SECTION", []))
    if coords.size == 0:
        raise ValueError("Expected a VRPLIB file with NODE_COORD_SECTION.")
    n = len(coords)

    def col(sec: str, k: int, default: float) -> np.ndarray:
        rows = sections.get(sec)
        out = np.full(n, float(default))
        if rows:
            for r in rows:
                out[int(r[0]) - 1] = r[k]
        return out

    service = col("SERVICE_TIME_SECTION", 1, float(head.get("SERVICE_TIME", 0)))
    depot = int(sections.get("DEPOT_SECTION", [[1]])[0][0]) - 1
    if depot != 0:
        raise ValueError("Expected the depot to be the first node.")
    service[0] = 0.0
    return VrptwInstance(
        name=head.get("NAME", stem),
        x=coords[:, 1],
        y=coords[:, 2],
        demand=col("DEMAND_SECTION", 1, 0),
        ready=col("TIME_WINDOW_SECTION", 1, 0),
        due=col("TIME_WINDOW_SECTION", 2, 1e9),
        service=service,
        vehicles=int(head.get("VEHICLES", n)),
        capacity=int(float(head.get("CAPACITY", 1e9))),
        reload="VEHICLES_RELOAD_DEPOT_SECTION" in sections,
    )


def route_schedule(inst: VrptwInstance, route: list[int]) -> tuple[float, bool]:
    """Return (distance, feasible) of one route, checked in floating point."""
    d = inst.distance_matrix()
    t, dist, prev, load, ok = float(inst.ready[0]), 0.0, 0, 0.0, True
    for c in route:  # a 0 inside a route is a reload at the depot (multi-trip instances)
        dist += d[prev, c]
        t = max(t + inst.service[prev] + d[prev, c], inst.ready[c])
        ok &= t <= inst.due[c] + 1e-6
        if c == 0:
            ok &= load <= inst.capacity + 1e-9
            load = 0.0
        load += inst.demand[c]
        prev = c
    dist += d[prev, 0]
    t += inst.service[prev] + d[prev, 0]
    ok &= t <= inst.due[0] + 1e-6 and load <= inst.capacity + 1e-9
    return dist, bool(ok)


def solve_vrptw(
    inst: VrptwInstance,
    time_limit_s: float,
    vehicles: int | None = None,
    seed: int = 0,
    strategies: tuple[str, ...] = VRPTW_STRATEGIES,
    mode: str = "fallback",
) -> dict:
    """Solve ``inst`` minimising total distance with at most ``vehicles`` vehicles.

    Multi-trip instances (VRPLIB ``VEHICLES_RELOAD_DEPOT_SECTION``) get
    optional reload nodes at the depot that empty the vehicle; reloads appear
    as 0 inside a route, as in the instances' solution files.

    Returns a dict with ``routes`` (customer numbers, depot 0 left out at
    both ends), ``distance`` (one decimal), ``vehicles`` (routes used),
    ``feasible`` (every customer served and every route feasible, checked
    again in floating point), ``unserved``, ``strategy`` and ``solve_s``.
    ``seed`` is accepted for interface symmetry: the search is
    deterministic apart from where the time limit stops it.  The default
    first-solution strategies and ``mode`` (see :func:`solve_routing`) were
    chosen by measurement (docs/benchmarks/vrptw.md).
    """
    del seed
    fleet = int(vehicles or inst.vehicles)
    if fleet < 1:
        raise ValueError("Expected vehicles >= 1.")
    n = len(inst.x)
    node_of = list(range(n))  # routing node -> instance index
    reloads = 0
    if inst.reload:
        reloads = int(math.ceil(float(inst.demand.sum()) / max(inst.capacity, 1))) + fleet
        node_of += [0] * reloads
    d = inst.distance_matrix()[np.ix_(node_of, node_of)]
    cost = np.round(d * SCALE).astype(np.int64)  # exact: d has one decimal
    windows = [(int(round(inst.ready[i] * SCALE)), int(round(inst.due[i] * SCALE))) for i in node_of]
    demand = [int(round(inst.demand[i])) for i in node_of]
    for k in range(n, n + reloads):
        demand[k] = -int(inst.capacity)
    problem = RoutingProblem(
        cost=cost,
        time=cost,
        service=[int(round(inst.service[i] * SCALE)) for i in node_of],
        windows=windows,
        starts=[0] * fleet,
        ends=[0] * fleet,
        vehicle_windows=[windows[0]] * fleet,
        groups=[VisitGroup((i,), None) for i in range(1, n)]
        + [VisitGroup((k,), 0) for k in range(n, n + reloads)],
        demand=demand,
        capacity=[inst.capacity] * fleet,
        load_slack=int(inst.capacity) if reloads else 0,
    )
    res = solve_routing(problem, time_limit_s, strategies=strategies, mode=mode, probe_share=0.3)
    routes = []
    for r in res.routes:
        rr = [node_of[k] for k in r]
        while rr and rr[-1] == 0:  # a reload just before returning is pointless
            rr.pop()
        while rr and rr[0] == 0:
            rr.pop(0)
        if rr:
            routes.append(rr)
    dist, feasible = 0.0, True
    for r in routes:
        rd, ok = route_schedule(inst, r)
        dist += rd
        feasible &= ok
    unserved = n - 1 - len({c for r in routes for c in r if c != 0})
    return {
        "instance": inst.name,
        "routes": [[int(c) for c in r] for r in routes],
        "distance": round(dist + 1e-9, 1),
        "vehicles": len(routes),
        "feasible": bool(feasible and unserved == 0),
        "unserved": int(unserved),
        "strategy": res.strategy,
        "solve_s": res.solve_s,
    }
