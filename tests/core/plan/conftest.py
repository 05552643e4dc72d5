"""Fixtures shared by the planning tests (the synthetic weeks themselves are built by ``teams.py``)."""

from __future__ import annotations

import pytest

from licvisit.core.plan.week import plan_week
from tests.core.plan.teams import CENTRE, FAST, WEEK, make_premises, make_ranking, make_staff


@pytest.fixture
def centre_zone():
    """One night-time-economy zone, "NTE1": a 600 m square centred on Birmingham city centre
    (``teams.CENTRE``), EPSG:27700, as ``licvisit.io.zones.read_zones`` returns zones."""
    import geopandas as gpd
    from shapely.geometry import box

    x, y = CENTRE
    return gpd.GeoDataFrame(
        {"zone_id": ["NTE1"], "name": ["City Centre"]},
        geometry=[box(x - 300, y - 300, x + 300, y + 300)],
        crs="EPSG:27700",
    )


@pytest.fixture(scope="module")
def week():
    """Forty premises, a ranking, nine officers and the plan made from them with a short search."""
    prem = make_premises(40)
    rk = make_ranking(prem)
    staff = make_staff(5, 2, 1, 1)
    return prem, rk, staff, plan_week(rk, prem, staff, WEEK, FAST)
