"""Harm weights: tables, overrides, THRIVE multipliers, preventive categories."""

import numpy as np
import pandas as pd
import pytest

from licvisit.core.risk.harm import HARM_SOURCES, SCHEMES, call_harm, harm_weights, thrive_multipliers
from licvisit.domain import CATEGORIES, PREVENTIVE_CATEGORIES
from licvisit.errors import ConfigError


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_category_has_a_weight_and_source(scheme):
    w = harm_weights(scheme)
    assert set(w) == set(CATEGORIES)
    assert all(v >= 0 for v in w.values())
    assert HARM_SOURCES[scheme]
    for cat in PREVENTIVE_CATEGORIES:
        assert w[cat] == 0.0


def test_cchi_orders_serious_harm_above_minor():
    w = harm_weights("cchi")
    assert w["robbery"] > w["violence_and_sexual_offences"] > w["public_order"] > w["anti_social_behaviour"]
    assert w["robbery"] == 365.0


def test_overrides_from_harm_section():
    w = harm_weights("cchi", {"weights": {"robbery": 10}, "preventive": []})
    assert w["robbery"] == 10.0
    assert w["door_staff_request"] > 0
    assert harm_weights("cchi", {"robbery": 12})["robbery"] == 12.0


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"weights": {"nonsense": 1}}, "unknown category 'nonsense'"),
        ({"weights": {"robbery": -1}}, "expected a number >= 0"),
        ({"colour": 1}, "unknown setting 'colour'"),
        ({"preventive": ["nope"]}, "unknown category 'nope'"),
    ],
)
def test_bad_overrides_are_config_errors(overrides, match):
    with pytest.raises(ConfigError, match=match):
        harm_weights("cchi", overrides)


def test_thrive_multipliers_and_call_harm():
    m = thrive_multipliers({"E": 3})
    assert m["E"] == 3 and m[""] == 1
    calls = pd.DataFrame(
        {"category": ["robbery", "door_staff_request", "made_up", None], "thrive": ["E", "", "x", None]}
    )
    h = call_harm(calls, "cchi")
    assert np.allclose(h, [365 * 1.5, 0, 1, 1])
    assert np.allclose(call_harm(calls, "count"), [1, 0, 1, 1])
    assert len(call_harm(calls.iloc[:0])) == 0


def test_call_harm_of_codes_equals_call_harm_and_leaves_the_codes_alone():
    from licvisit.core.risk.harm import call_harm_of_codes

    calls = pd.DataFrame(
        {"category": ["theft", None, "public_order", "theft", "made_up"], "thrive": ["E", "P", "", "CR", "S"]}
    )
    codes, uniq = pd.factorize(calls["category"])
    before = codes.copy()
    assert np.array_equal(call_harm_of_codes(calls, codes, uniq), call_harm(calls))
    assert np.array_equal(codes, before)  # the missing category keeps its -1 for the caller
