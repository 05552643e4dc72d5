"""Disclosure control: small counts hidden, and no hidden count recoverable from totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licvisit.core.evidence import disclosure as sdc
from tests.core.evidence.disclosure_checks import check_published, relations


def test_small_counts_hidden_and_totals_protected():
    counts = pd.DataFrame({"a": [10, 3, 8], "b": [7, 9, 12]}, index=["r1", "r2", "r3"])
    t = sdc.publish_counts("t", "T", counts, 5)
    f = t.frame
    assert pd.isna(f.loc["r2", "a"])  # primary
    # secondary: row r2 and column a each need a second hidden cell
    assert f.loc["r2"].isna().sum() >= 2
    assert f["a"].isna().sum() >= 2
    assert int(f.loc["Total", "Total"]) == 49
    check_published(t, 5)
    assert t.display_frame().loc["r2", "a"] == "[c]"


def test_zero_is_published_and_no_totals_needs_no_secondary():
    counts = pd.DataFrame({"a": [0, 6, 2]}, index=["x", "y", "z"])
    frame, trow, tcol = sdc.suppress_counts(counts, 5, row_totals=False, col_totals=False)
    assert trow is None and tcol is None
    assert frame.loc["x", "a"] == 0
    assert pd.isna(frame.loc["z", "a"])
    assert frame.loc["y", "a"] == 6


def test_small_total_is_hidden_too():
    counts = pd.DataFrame({"a": [1, 0], "b": [2, 0]}, index=["x", "y"])
    t = sdc.publish_counts("t", "T", counts, 5)
    assert t.frame.loc["Total", "Total"] is pd.NA or pd.isna(t.frame.loc["Total", "Total"])
    check_published(t, 5)


def test_forced_hidden_cell_is_protected():
    counts = pd.DataFrame({"wd": [20, 30], "we": [25, 40]}, index=["g1", "g2"])
    t = sdc.publish_counts("t", "T", counts, 5, force_hidden={("Total", "we")})
    assert pd.isna(t.frame.loc["Total", "we"])
    check_published(t, 5)


def test_suppress_rows_hides_derived_values():
    df = pd.DataFrame({"before": [3, 40], "after": [10, 50], "ratio": [3.3, 1.25]}, index=["zone", "rest"])
    out = sdc.suppress_rows(df, ["before", "after"], ["ratio"], 5)
    assert out.loc["zone"].isna().all()
    assert out.loc["rest", "ratio"] == 1.25


def test_lp_ranges_agree_on_a_known_case():
    # 2 x 2 with margins, one hidden cell: fixed by its row total.
    values = np.array([[4.0, 6, 10], [7, 8, 15], [11, 14, 25]])
    hidden = np.zeros_like(values, bool)
    hidden[0, 0] = True
    eqs = sdc._equations(2, 2, True, True)
    lo, hi = sdc.feasible_ranges(values, hidden, eqs)
    assert lo[0, 0] == pytest.approx(4) and hi[0, 0] == pytest.approx(4)
    assert sdc.exposed_cells(values, hidden, eqs) == [(0, 0)]
    hidden[[0, 0, 1, 1], [0, 1, 0, 1]] = True  # the classic 2 x 2 square of hidden cells
    lo, hi = sdc.feasible_ranges(values, hidden, eqs)
    assert hi[0, 0] - lo[0, 0] >= 1
    assert sdc.exposed_cells(values, hidden, eqs) == []


tables = st.integers(1, 6).flatmap(
    lambda r: st.integers(1, 6).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, 12), min_size=c, max_size=c), min_size=r, max_size=r)
    )
)


@settings(max_examples=50, deadline=None)
@given(tables, st.booleans(), st.booleans(), st.integers(2, 10))
def test_property_no_small_count_visible_and_none_recoverable(rows, row_totals, col_totals, threshold):
    counts = pd.DataFrame(rows, index=[f"r{i}" for i in range(len(rows))])
    counts.columns = [f"c{j}" for j in range(counts.shape[1])]
    t = sdc.publish_counts("t", "T", counts, threshold, row_totals=row_totals, col_totals=col_totals)
    check_published(t, threshold)
    # visible cells keep their true values
    full = counts.copy()
    if row_totals:
        full["Total"] = full.sum(axis=1)
    if col_totals:
        full.loc["Total"] = full.sum(axis=0)
    shown = t.frame.astype("Float64")
    mask = shown.notna().to_numpy()
    assert np.array_equal(shown.to_numpy(dtype=float, na_value=np.nan)[mask], full.to_numpy(float)[mask])
    # the hidden inner cells of a row or column never add up to a small count
    for rel in relations(t.frame, t.total_row, t.total_column):
        inner = [(r, c) for r, c, k in rel if k == 1 and pd.isna(t.frame.loc[r, c])]
        total_hidden = any(pd.isna(t.frame.loc[r, c]) for r, c, k in rel if k == -1)
        if len(inner) > 1 and not total_hidden:
            mass = sum(full.loc[r, c] for r, c in inner)
            assert mass == 0 or mass >= threshold, (rel, mass)
    # and, by linear programming, every hidden non-zero cell could take at least two whole values
    values, eqs = sdc.table_equations(full, list(full.columns), t.total_row, t.total_column)
    hidden = t.frame.isna().to_numpy()
    lo, hi = sdc.feasible_ranges(values, hidden, eqs)
    for i, j in np.argwhere(hidden):
        if values[i, j] > 0 and eqs:
            assert (not np.isfinite(hi[i, j])) or np.floor(hi[i, j] + 1e-7) - np.ceil(lo[i, j] - 1e-7) >= 1
