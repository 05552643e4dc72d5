"""Read VRPTW benchmark instances (Solomon text or VRPLIB format) from disk."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from licvisit.domain import VrptwInstance


def read_vrptw(path: str | Path) -> VrptwInstance:
    """Read a Solomon text file or a VRPLIB (``NODE_COORD_SECTION``) VRPTW file.

    Raises
    ------
    ValueError
        When the file is in neither format.
    """
    p = Path(path)
    return parse_vrptw(p.read_text(encoding="utf-8", errors="replace"), p.stem)


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
    if vehicles is None or capacity is None or not rows:
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
