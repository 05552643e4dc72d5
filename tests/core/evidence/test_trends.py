"""Trend and before/after tests on constructed counts with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from licvisit.core.evidence import trends as tr


def test_trend_recovers_an_exact_growth_rate():
    t = np.arange(8)
    counts = 20 * 1.1**t  # fits the model exactly: dispersion 1, ratio 1.1
    res = tr.trend_test(counts)
    assert res.ratio == pytest.approx(1.1, rel=1e-8)
    assert res.dispersion == pytest.approx(1.0)
    assert res.ci_low < 1.1 < res.ci_high
    assert res.p_value < 0.05 and res.method == "Poisson trend"


def test_flat_series_has_no_trend():
    res = tr.trend_test(np.full(6, 12.0), np.full(6, 30.0))
    assert res.ratio == pytest.approx(1.0)
    assert res.p_value == pytest.approx(1.0)
    assert not res.significant


def test_exposure_is_respected():
    days = np.array([31, 28, 31, 30, 31, 30], float)
    res = tr.trend_test(2 * days, days)  # two a day every month: no trend in the rate
    assert res.ratio == pytest.approx(1.0, abs=1e-9)


def test_before_after_known_answer():
    before, after = np.array([10.0, 10, 10]), np.array([20.0, 20, 20])
    days = np.full(3, 30.0)
    res = tr.before_after_test(before, after, days, days)
    assert res.ratio == pytest.approx(2.0, rel=1e-9)
    se = math.sqrt(1 / 30 + 1 / 60)  # Poisson: var(log RR) = 1/n_before + 1/n_after
    assert res.p_value == pytest.approx(2 * stats.norm.sf(math.log(2) / se), rel=1e-6)
    assert res.ci_low == pytest.approx(math.exp(math.log(2) - 1.959964 * se), rel=1e-5)
    assert "rose by 100 %" in res.describe()


def test_over_dispersion_widens_the_interval():
    before = np.array([5.0, 25, 8, 30])
    after = np.array([12.0, 40, 9, 45])
    days = np.full(4, 30.0)
    res = tr.before_after_test(before, after, days, days)
    assert res.dispersion > 1 and res.method == "quasi-Poisson regression"
    naive = tr.exact_rate_test(int(before.sum()), int(after.sum()), 120.0, 120.0)
    assert res.p_value > naive.p_value
    assert res.ratio == pytest.approx(after.sum() / before.sum())


def test_exact_rate_test_matches_binomial():
    res = tr.exact_rate_test(5, 15, 10.0, 10.0)
    assert res.p_value == pytest.approx(stats.binomtest(15, 20, 0.5).pvalue)
    assert res.ratio == pytest.approx(3.0)
    none_before = tr.before_after_test(np.zeros(3), np.array([3.0, 4, 5]), np.full(3, 30.0), np.full(3, 30.0))
    assert none_before.method == "exact Poisson" and math.isinf(none_before.ratio)


def test_difference_in_change():
    days = np.full(3, 30.0)
    zb, za = np.full(3, 10.0), np.full(3, 20.0)
    rb, ra = np.full(3, 50.0), np.full(3, 50.0)
    res = tr.difference_in_change_test(zb, za, rb, ra, days, days)
    assert res.ratio == pytest.approx(2.0, rel=1e-9)
    same = tr.difference_in_change_test(zb, za, rb, 2 * rb, days, days)
    assert same.ratio == pytest.approx(1.0) and same.p_value == pytest.approx(1.0)


def test_trend_word():
    assert tr.trend_word(tr.trend_test(20 * 1.3 ** np.arange(6))) == "rising"
    assert tr.trend_word(tr.trend_test(np.full(6, 9.0))) == "no clear change"
    assert tr.trend_word(None) == ""


def _calls(times, cats=None, known=True):
    return pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(times),
            "time_known": known,
            "category": cats or ["public_order"] * len(times),
        }
    )


def test_hour_of_week_counts_known_times_only():
    calls = _calls(["2017-01-06 23:30", "2017-01-07 01:10", "2017-01-07 01:50", "2017-01-09 14:00"])
    calls.loc[3, "time_known"] = False
    how = tr.hour_of_week(calls)
    assert how.loc["Fri", "23-24"] == 1 and how.loc["Sat", "01-02"] == 2
    assert how.to_numpy().sum() == 3
    assert tr.hour_of_week(calls, band_h=6).loc["Sat", "00-06"] == 2


def test_nights_belong_to_the_evening_they_start():
    night = tr.night_of(
        pd.Series(pd.to_datetime(["2017-01-07 01:30", "2017-01-06 22:00", "2017-01-06 12:00"]))
    )
    assert night.iloc[0] == pd.Timestamp("2017-01-06") and night.iloc[1] == pd.Timestamp("2017-01-06")
    assert pd.isna(night.iloc[2])
    # January 2017: Fridays 6, 13, 20, 27 and Saturdays 7, 14, 21, 28
    assert tr.count_nights(pd.Timestamp("2017-01-01"), pd.Timestamp("2017-01-31")) == (23, 8)


def test_weekday_weekend_nights_table():
    calls = _calls(
        ["2017-01-07 01:30", "2017-01-06 22:00", "2017-01-09 23:00", "2017-01-10 12:00"],
        ["public_order", "violence_with_injury", "public_order", "public_order"],
    )
    table, nwd, nwe = tr.weekday_weekend_nights(calls, pd.Timestamp("2017-01-01"), pd.Timestamp("2017-01-31"))
    assert (nwd, nwe) == (23, 8)
    assert table.loc["Public order and drunkenness", "Weekend nights (Fri-Sat)"] == 1
    assert table.loc["Public order and drunkenness", "Weekday nights (Sun-Thu)"] == 1
    assert table.loc["Violence and sexual offences", "Weekend nights (Fri-Sat)"] == 1
    assert table.to_numpy().sum() == 3  # the midday call is not a night-time call


def test_monthly_counts_fill_empty_months():
    calls = _calls(["2017-01-15", "2017-03-02", "2017-03-03"], ["drugs", "drugs", "robbery"], known=False)
    m = tr.monthly_counts(calls, pd.Period("2017-01", "M"), pd.Period("2017-04", "M"))
    assert list(m.index) == ["2017-01", "2017-02", "2017-03", "2017-04"]
    assert m["Drugs"].tolist() == [1, 0, 1, 0] and m["Robbery and weapons"].tolist() == [0, 0, 1, 0]


def test_exposure_counts_only_the_days_the_data_cover():
    calls = pd.DataFrame(
        {"occurred_at": pd.to_datetime(["2024-10-07 07:34", "2025-01-10 22:00"]), "time_known": True}
    )
    cov = tr.data_coverage(calls)
    assert cov == (pd.Timestamp("2024-10-07"), pd.Timestamp("2025-01-10"))
    idx = tr.months(pd.Period("2024-09", "M"), pd.Period("2025-01", "M"))
    assert tr.month_exposure(idx, cov).tolist() == [0, 25, 30, 31, 10]
    month_only = pd.DataFrame(
        {"occurred_at": pd.to_datetime(["2017-01-01", "2017-03-01"]), "time_known": False}
    )
    assert tr.data_coverage(month_only) == (pd.Timestamp("2017-01-01"), pd.Timestamp("2017-03-31"))
