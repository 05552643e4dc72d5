"""Fixtures shared by the planning tests (the synthetic weeks themselves are built by ``teams.py``)."""

from __future__ import annotations

import pytest

from tests.core.plan.teams import CENTRE


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
