"""Tiny hand-made routing problems shared by the routing-engine tests (OR-Tools and PyVRP)."""

from __future__ import annotations

import numpy as np

from licvisit.core.plan.routing import RoutingProblem, VisitGroup


def line_problem(penalties=(None, None, None), allowed=None, far=False) -> RoutingProblem:
    """Depot 0 and three customers on a line at 10, 20, 30 (100 if ``far``); two vehicles."""
    pos = np.array([0, 10, 20, 100 if far else 30])
    d = np.abs(pos[:, None] - pos[None, :])
    return RoutingProblem(
        cost=d,
        time=d,
        service=[0, 5, 5, 5],
        windows=[(0, 0), (0, 500), (0, 500), (0, 500)],
        starts=[0, 0],
        ends=[0, 0],
        vehicle_windows=[(0, 500), (0, 500)],
        groups=[VisitGroup((i,), p) for i, p in zip((1, 2, 3), penalties, strict=True)],
        allowed=allowed or {},
    )
