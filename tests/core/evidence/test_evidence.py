"""build_evidence on small fixtures: the published tables obey disclosure control, no personal data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licvisit.config import params_from
from licvisit.core import evidence as ev
from licvisit.errors import ConfigError
from licvisit.io.zones import select_zone
from tests.core.evidence.disclosure_checks import check_published, relations
from tests.paths import TEST_DATA

DATA = TEST_DATA / "evidence"


@pytest.fixture(scope="module")
def inputs():
    """The evidence fixtures (tests/data/evidence, made by make_fixtures.py) read by the io readers:
    780 timed calls in 2017 (rate in the zone doubles from July), 24 premises whose DPS are people's
    names, one hostile premises name, and two zones, "Test Quarter" (600 m square) and "Far Side"."""
    from licvisit.io.calls import read_calls
    from licvisit.io.premises import read_premises
    from licvisit.io.zones import read_zones

    calls, p1 = read_calls(DATA / "calls.csv")
    premises, p2 = read_premises(DATA / "premises.csv")
    zones, p3 = read_zones(DATA / "zones.geojson")
    assert not [p for p in p1 + p2 + p3 if p.severity == "error"]
    return calls, premises, zones


@pytest.fixture(scope="module")
def pack(inputs):
    """The pack for Test Quarter, 2017, intervention from July."""
    calls, premises, zones = inputs
    zone = select_zone(zones, "test quarter")
    return ev.build_evidence(
        calls, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), intervention="2017-07"
    )


def test_every_published_table_passes_disclosure_control(pack):
    assert {
        "monthly_by_group",
        "trend_tests",
        "hour_of_week",
        "nights",
        "night_rates",
        "concentration",
    } <= set(pack.tables)
    for t in pack.tables.values():
        check_published(t, pack.params.threshold)
    assert sum(t.n_suppressed for t in pack.tables.values()) > 0


def test_numbers_add_up(pack, inputs):
    calls = inputs[0]
    m = pack.tables["monthly_by_group"].frame
    assert int(m.loc["Total", "Total"]) == pack.stats["calls_in_zone_and_period"]
    # every call in the zone: the fixture puts 30 a month in the zone to June and 60 from July
    assert pack.stats["calls_in_zone_and_period"] == 6 * 30 + 6 * 60
    assert len(calls) == 780


def test_before_after_finds_the_doubling(pack):
    ba = pack.before_after
    assert ba is not None and ba.label == "intervention"
    assert ba.zone.ratio == pytest.approx(2.0, rel=0.05)
    assert ba.zone.p_value < 0.001
    assert ba.rest.p_value > 0.05
    assert any("does not show that any intervention worked" in f for f in pack.findings)
    lim = " ".join(pack.limitations)
    for words in ("Regression to the mean", "Displacement", "No control group"):
        assert words in lim


def test_hot_spots_sit_on_the_clusters(pack):
    spots = pack.figures["hotspots"]
    assert pack.stats["hotspots"]["hot_in_zone"] >= 1
    hot = np.flatnonzero(spots.label > 0)
    cx, cy = spots.grid.centres()
    # the fixture's two clusters are at premises P001 and P002
    p = [(407071.0, 286641.7), (407014.9, 286726.4)]
    d = np.min([np.hypot(cx[hot] - x, cy[hot] - y) for x, y in p], axis=0)
    assert d.min() < 100


def test_concentration_and_top_premises(pack):
    assert 0 < pack.stats["gini"] < 1
    top = pack.tables["top_premises"].frame
    assert top.iloc[0]["premises_id"] in {"P001", "P002"}
    assert (pd.to_numeric(top["calls"]) >= 5).all()
    assert set(top["trend"]) <= {"rising", "falling", "no clear change", "not tested", ""}


def test_no_personal_data_or_free_text(pack, inputs):
    _calls, premises, _z = inputs
    dps = set(premises["dps"].astype(str))
    for t in pack.tables.values():
        text = t.display_frame().reset_index().to_csv()
        assert "FREETEXT" not in text and "Jane Witness" not in text
        assert not any(name in text for name in dps)
        assert "dps" not in [str(c).lower() for c in t.frame.columns]
    words = " ".join(pack.findings + pack.methods + pack.limitations + pack.notes)
    assert "FREETEXT" not in words and not any(name in words for name in dps)


def test_anonymise_replaces_names_by_ids(inputs):
    calls, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    params = ev.EvidenceParams(anonymise=True)
    p = ev.build_evidence(calls, premises, zone, params, ("2017-01", "2017-06"))
    top = p.tables["top_premises"].frame
    assert "premises_id" not in top.columns
    assert all(str(v).startswith("P0") for v in top["premises"])
    names = set(premises["name"].astype(str))
    assert not any(n in top.to_csv() for n in names)
    assert "before_after" not in p.tables


def test_methods_follow_the_parameters(inputs):
    calls, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    params = ev.EvidenceParams(
        threshold=10, cell_m=150, kde_bandwidth_m=120, fdr_alpha=0.1, harm_scheme="ons_css"
    )
    p = ev.build_evidence(calls, premises, zone, params, ("2017-03", "2017-08"))
    text = " ".join(p.methods)
    assert "150 m grid" in text and "bandwidth (standard deviation) 120 m" in text
    assert "q <= 0.1" in text and "from 1 to 9" in text and "ONS Crime Severity Score" in text
    assert "March 2017 to August 2017" in text
    for t in p.tables.values():
        check_published(t, 10)


def test_month_only_data_leaves_out_time_of_day(inputs):
    calls, premises, zones = inputs
    month_only = calls.assign(
        occurred_at=pd.to_datetime(calls["occurred_at"]).dt.to_period("M").dt.to_timestamp(), time_known=False
    )
    zone = select_zone(zones, "Test Quarter")
    p = ev.build_evidence(month_only, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"))
    assert "hour_of_week" not in p.tables and "nights" not in p.tables
    assert any("month only" in n for n in p.notes)
    assert any("police.uk" in s["caveats"] and "snap points" in s["caveats"] for s in p.sources)


def test_bad_arguments_are_one_line_errors(inputs):
    calls, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    with pytest.raises(ConfigError, match="expected a month YYYY-MM"):
        ev.build_evidence(calls, premises, zone, period=("2017-1", "2017-12"))
    with pytest.raises(ConfigError, match="not both"):
        ev.build_evidence(
            calls,
            premises,
            zone,
            period=("2017-04", "2017-12"),
            compare=("2017-01", "2017-03"),
            intervention="2017-06",
        )
    with pytest.raises(ConfigError, match="must end before the period starts"):
        ev.build_evidence(
            calls, premises, zone, period=("2017-03", "2017-12"), compare=("2017-01", "2017-03")
        )
    with pytest.raises(ConfigError, match="ends .* before it starts"):
        ev.build_evidence(calls, premises, zone, period=("2017-05", "2017-01"))
    with pytest.raises(
        ConfigError, match=r"Zone 'Nowhere' not found; expected one of: Test Quarter, Far Side\."
    ):
        select_zone(zones, "Nowhere")


def test_params_validate_and_load_from_config():
    with pytest.raises(ValueError, match="Expected gi_neighbourhood"):
        ev.EvidenceParams(gi_neighbourhood="rook")
    with pytest.raises(ValueError, match="Expected threshold"):
        ev.EvidenceParams(threshold=0)
    p = params_from(ev.EvidenceParams, {"threshold": 10, "cell_m": 50, "top_shares": [0.1, 0.5]}, "evidence")
    assert p.threshold == 10 and p.top_shares == (0.1, 0.5)
    with pytest.raises(ConfigError, match=r"\[evidence\]: unknown setting 'radius'"):
        params_from(ev.EvidenceParams, {"radius": 3}, "evidence")


def test_ranking_links_are_reused(inputs):
    from licvisit.core.risk.rank import rank_premises

    calls, premises, zones = inputs
    ranking = rank_premises(calls, premises)
    zone = select_zone(zones, "Test Quarter")
    p = ev.build_evidence(calls, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), ranking=ranking)
    top = p.tables["top_premises"].frame
    assert "risk band" in top.columns
    assert top.iloc[0]["premises_id"] in {"P001", "P002"}


def test_calls_are_linked_against_every_premises_not_only_the_zones(inputs):
    """A call is given to the premises the ranking gives it to, even when that premises lies outside the zone."""
    from licvisit.core.risk import RiskParams, link_calls_to_premises

    calls, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    rp = RiskParams()
    links = link_calls_to_premises(calls.reset_index(drop=True), premises, rp)
    given = ev.build_evidence(calls, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), links=links)
    linked_here = ev.build_evidence(
        calls, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), risk_params=rp
    )
    # linking inside the pack uses the same rules against the same premises: the same table
    pd.testing.assert_frame_equal(
        given.tables["top_premises"].frame, linked_here.tables["top_premises"].frame
    )

    # An edge case built on purpose: calls just inside the zone, 6 m from a premises just outside it
    # and 39 m from one inside it, belong to the outside premises (as in the ranking), not to the zone's.
    from shapely.geometry import box

    cx, cy = premises["x"].median(), premises["y"].median()
    square = box(cx - 200, cy - 200, cx + 200, cy + 200)
    edge = premises.iloc[:2].copy()
    edge["premises_id"], edge["name"] = ["IN", "OUT"], ["Inside Bar", "Outside Bar"]
    edge["x"], edge["y"] = [cx + 160, cx + 205], [cy, cy]
    few = calls.iloc[:150].copy()
    few["x"], few["y"] = cx + 199.0, cy
    for col in ("premises_ref", "location_text"):
        if col in few.columns:
            few[col] = None
    pack = ev.build_evidence(
        few, edge, ("Edge", square), ev.EvidenceParams(), ("2017-01", "2017-12"), risk_params=rp
    )
    assert "IN" not in set(pack.tables["top_premises"].frame["premises_id"].astype(str))


# --- property: whatever the calls, the report's tables are safe ---------------------------------

CATS = ["violence_with_injury", "public_order", "anti_social_behaviour", "theft", "drugs", "robbery"]


def linked_small_counts_recovered(pack) -> list:
    """Hidden small counts that the monthly table and the zone's before/after counts give back together.

    Independent of the library: unknowns are every hidden cell of both tables; relations are the monthly
    table's margins plus, with an intervention month, "calls before" = sum of the monthly totals before it
    and "calls after" = the sum from it on (with a comparison period, "calls after" = the grand total).
    A hidden cell is fixed when its unit vector lies in the row space of the relations (rank test); its
    value is then what an attacker would read, and must not be a count from 1 to threshold - 1.
    """
    t = pack.params.threshold
    m = pack.tables["monthly_by_group"].frame
    ba = pack.tables["before_after"].frame.loc["Zone"]
    value = {("m", r, c): m.loc[r, c] for r in m.index for c in m.columns}
    value[("ba", "before")], value[("ba", "after")] = ba["calls before"], ba["calls after"]
    rels = [[(("m", r, c), k) for r, c, k in rel] for rel in relations(m, "Total", "Total")]
    months = [r for r in m.index if r != "Total"]
    after_start = str(pack.before_after.after[0])
    if str(pack.before_after.before[0]) == months[0]:  # intervention: both sides are sums of months
        rels.append([(("m", r, "Total"), 1) for r in months if r < after_start] + [(("ba", "before"), -1)])
        rels.append([(("m", r, "Total"), 1) for r in months if r >= after_start] + [(("ba", "after"), -1)])
    else:
        rels.append([(("m", "Total", "Total"), 1), (("ba", "after"), -1)])
    hidden = [k for k, v in value.items() if pd.isna(v)]
    if not hidden:
        return []
    pos = {h: i for i, h in enumerate(hidden)}
    a = np.zeros((len(rels), len(hidden)))
    b = np.zeros(len(rels))
    for i, rel in enumerate(rels):
        for key, coef in rel:
            if key in pos:
                a[i, pos[key]] += coef
            else:
                b[i] -= coef * float(value[key])
    x = np.linalg.lstsq(a, b, rcond=None)[0]
    rank = np.linalg.matrix_rank(a)
    out = []
    for h, k in pos.items():
        e = np.zeros(len(hidden))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank and 1 <= round(x[k]) < t:
            out.append((h, round(x[k])))
    return out


@st.composite
def call_sets(draw):
    n = draw(st.integers(0, 60))
    cells = draw(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=n, max_size=n))
    months = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    hours = draw(st.lists(st.sampled_from([0, 1, 2, 21, 22, 23, 14]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(1, 28), min_size=n, max_size=n))
    cats = draw(st.lists(st.sampled_from(CATS), min_size=n, max_size=n))
    # two calls far outside the zone mark the first and last day the data cover
    days = [1, *days, 30]
    months = [1, *months, 6]
    hours = [1, *hours, 23]
    cats = ["theft", *cats, "theft"]
    cells = [(40, 40), *cells, (40, 40)]
    n += 2
    return pd.DataFrame(
        {
            "call_id": [f"H{i}" for i in range(n)],
            "occurred_at": pd.to_datetime(
                [f"2017-{m:02d}-{d:02d} {h:02d}:15" for m, d, h in zip(months, days, hours, strict=True)]
            ),
            "time_known": True,
            "category": cats,
            "category_raw": cats,
            "thrive": "",
            "premises_ref": "",
            "location_text": "",
            "x": [407000.0 + 90 * a + 7 for a, _ in cells],
            "y": [286600.0 + 90 * b + 7 for _, b in cells],
        }
    )


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call_sets(), st.sampled_from([3, 5]), st.booleans())
def test_property_tables_in_the_report_are_safe(inputs, calls, threshold, split):
    _c, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    params = dataclasses.replace(ev.EvidenceParams(), threshold=threshold, hour_band_h=3)
    if split:  # before/after inside the period
        p = ev.build_evidence(calls, premises, zone, params, ("2017-01", "2017-06"), intervention="2017-04")
    else:  # a separate comparison period
        p = ev.build_evidence(
            calls, premises, zone, params, ("2017-04", "2017-06"), compare=("2017-01", "2017-03")
        )
    for t in p.tables.values():
        check_published(t, threshold)
    # linked tables: together, the monthly and before/after counts give back no hidden small count
    assert linked_small_counts_recovered(p) == []
    # findings quote only published numbers
    grand = p.tables["monthly_by_group"].frame.loc["Total", "Total"]
    if pd.isna(grand):
        assert p.findings[0].startswith("[c] calls")


def test_months_without_data_are_left_out(inputs):
    calls, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    p = ev.build_evidence(calls, premises, zone, ev.EvidenceParams(), ("2016-10", "2017-03"))
    assert list(p.tables["monthly_by_group"].frame.index) == ["2017-01", "2017-02", "2017-03", "Total"]
    assert any("not every day of the period" in n for n in p.notes)
    with pytest.raises(ConfigError, match="No calls loaded for January 2016 to March 2016"):
        ev.build_evidence(calls, premises, zone, period=("2016-01", "2016-03"))
    with pytest.raises(ConfigError, match="No calls loaded for the before period"):
        ev.build_evidence(
            calls, premises, zone, period=("2017-01", "2017-03"), compare=("2016-01", "2016-03")
        )


def test_before_after_counts_never_give_back_a_hidden_monthly_total(inputs):
    calls, premises, zones = inputs
    zone = select_zone(zones, "Test Quarter")
    # keep only three zone calls in January: January's monthly total is hidden
    m = pd.to_datetime(calls["occurred_at"]).dt.month
    jan = calls.index[m == 1]
    keep = calls.drop(index=jan[3:]).reset_index(drop=True)
    p = ev.build_evidence(
        keep, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-06"), intervention="2017-03"
    )
    monthly = p.tables["monthly_by_group"].frame
    assert monthly["Total"].isna().any()
    assert p.tables["before_after"].frame.loc["Zone"].isna().all()
