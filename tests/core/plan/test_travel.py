"""Travel times from straight-line distance (licvisit.core.plan.travel): walk inside a zone, drive between."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from licvisit.core.plan.travel import NO_ZONE, matrix_from_table, travel_minutes, zone_of_points
from tests.core.plan.teams import CENTRE


def test_a_kilometre_in_one_zone_is_walked_at_the_given_speed():
    # 1000 m crow-fly x 1.3 circuity = 1300 m of street; 4.8 km/h = 80 m/min -> 16.25 min
    t = travel_minutes(
        np.array([0.0, 1000.0]), np.array([0.0, 0.0]), np.array(["NTE1", "NTE1"], dtype=object)
    )
    np.testing.assert_allclose(t, [[0.0, 16.25], [16.25, 0.0]])


def test_a_kilometre_between_zones_is_driven_with_the_parking_overhead():
    # 1300 m at 25 km/h (416.67 m/min) = 3.12 min, plus 5 min to park and get back to the car
    t = travel_minutes(
        np.array([0.0, 1000.0]), np.array([0.0, 0.0]), np.array(["NTE1", "NTE2"], dtype=object)
    )
    assert t[0, 1] == pytest.approx(1300 / (25_000 / 60) + 5.0)
    assert t[0, 1] == pytest.approx(8.12)


def test_outside_every_zone_is_not_one_zone_and_short_hops_are_walked():
    x, y = np.array([0.0, 1000.0, 1100.0]), np.zeros(3)
    t = travel_minutes(x, y, np.array([NO_ZONE, NO_ZONE, NO_ZONE], dtype=object))
    assert t[0, 1] == pytest.approx(8.12)  # driven: two points outside zones are not "in the same zone"
    # 100 m: a 1.625 min walk beats a 5.31 min drive, so the hop is walked
    assert t[1, 2] == pytest.approx(130 / 80)
    np.testing.assert_array_equal(t, travel_minutes(x, y))  # no zones given: the same as all outside


def test_speeds_circuity_and_overhead_are_the_callers():
    t = travel_minutes(
        np.array([0.0, 0.0]),
        np.array([0.0, 3000.0]),
        walk_kmh=6.0,
        drive_kmh=30.0,
        circuity=1.0,
        drive_overhead_min=2.0,
    )
    assert t[0, 1] == pytest.approx(3000 / 500 + 2.0)  # 8 min driven, against a 30 min walk


def test_matrix_is_symmetric_with_a_zero_diagonal():
    rng = np.random.default_rng(3)
    x, y = CENTRE[0] + rng.uniform(-2000, 2000, 12), CENTRE[1] + rng.uniform(-2000, 2000, 12)
    zone = np.array(["NTE1", "NTE2", NO_ZONE] * 4, dtype=object)
    t = travel_minutes(x, y, zone)
    assert t.shape == (12, 12)
    np.testing.assert_array_equal(np.diag(t), np.zeros(12))
    np.testing.assert_allclose(t, t.T)


def test_zone_of_points_names_the_zone_each_point_is_in(centre_zone):
    x = np.array([CENTRE[0], CENTRE[0] + 250, CENTRE[0] + 400])
    y = np.array([CENTRE[1], CENTRE[1] - 250, CENTRE[1]])
    assert zone_of_points(x, y, centre_zone).tolist() == ["NTE1", "NTE1", NO_ZONE]
    assert zone_of_points(x, y, None).tolist() == [NO_ZONE] * 3
    assert zone_of_points(x, y, centre_zone.iloc[:0]).tolist() == [NO_ZONE] * 3


def test_matrix_from_table_places_each_pair_and_names_a_missing_one():
    table = pd.DataFrame(
        {"from_id": ["A", "B", "A", "C", "B", "C"], "to_id": ["B", "A", "C", "A", "C", "B"],
         "travel_min": [4, 5, 7, 8, 2, 3]}
    )  # fmt: skip
    np.testing.assert_array_equal(
        matrix_from_table(table, ["A", "B", "C"]), [[0.0, 4.0, 7.0], [5.0, 0.0, 2.0], [8.0, 3.0, 0.0]]
    )
    with pytest.raises(ValueError, match=r"^Expected a travel time from C to B in the travel matrix\.$"):
        matrix_from_table(table.iloc[:5], ["A", "B", "C"])
    with pytest.raises(
        ValueError, match=r"^Expected travel matrix columns \['from_id', 'to_id', 'travel_min'\]\.$"
    ):
        matrix_from_table(table.rename(columns={"travel_min": "minutes"}), ["A", "B"])
