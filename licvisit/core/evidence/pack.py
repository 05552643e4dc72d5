"""Build the hotspot evidence pack for one zone: where, when, how concentrated, how it changed.

``build_evidence`` is a pure coordinator over ``hotspots``, ``trends``,
``concentration`` and ``disclosure``: it takes loaded frames and returns an
``EvidencePack`` whose tables are already under disclosure control, so a
renderer can publish them as they are.  Every number in the findings text is
read from a published table, never from the raw counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.evidence import concentration as conc
from licvisit.core.evidence import disclosure as sdc
from licvisit.core.evidence import hotspots as hs
from licvisit.core.evidence import trends as tr
from licvisit.core.evidence.params import EvidenceParams, Month, _month_label, _period, parse_month
from licvisit.core.evidence.scope import Scope
from licvisit.core.evidence.words import (
    _all_premises,
    _day,
    _findings,
    _limitations,
    _methods,
    _round_sig,
    _sources,
    _visible,
)
from licvisit.errors import ConfigError


@dataclass
class BeforeAfter:
    """The before/after comparison: periods, the published table and the tests."""

    before: tuple[pd.Period, pd.Period]
    after: tuple[pd.Period, pd.Period]
    label: str  # "comparison period" or "intervention"
    zone: tr.ChangeTest | None
    rest: tr.ChangeTest | None
    difference: tr.ChangeTest | None


@dataclass
class EvidencePack:
    """Everything the report shows, with every published count under disclosure control."""

    zone_name: str
    zone_id: str
    zone_geometry: Any  # shapely geometry, EPSG:27700
    zone_area_km2: float
    period: tuple[pd.Period, pd.Period]
    params: EvidenceParams
    risk_params: Any
    sources: list[dict[str, str]]
    tables: dict[str, sdc.PublishedTable]
    figures: dict[str, Any]
    stats: dict[str, Any]
    findings: list[str]
    methods: list[str]
    limitations: list[str]
    before_after: BeforeAfter | None = None
    notes: list[str] = field(default_factory=list)
    noun: str = "calls"  # "crimes" (police.uk), "calls for service" (CAD) or "incidents" (mixed)
    checklist: list[dict[str, str]] = field(default_factory=list)
    # displacement, comparison, premises_profile, other_evidence (licvisit.core.evidence.hearing)
    hearing: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Hotspot evidence pack: {self.zone_name}, {_month_label(self.period[0])} to {_month_label(self.period[1])}"


def _in_months(calls: pd.DataFrame, start: pd.Period, end: pd.Period) -> np.ndarray:
    m = pd.to_datetime(calls["occurred_at"]).dt.to_period("M")
    return ((m >= start) & (m <= end)).fillna(False).to_numpy(bool)


def _zone_parts(zone: Any) -> tuple[str, str, Any]:
    """Accept a one-row (Geo)DataFrame, a row, a (name, geometry) pair or a geometry (EPSG:27700)."""
    if isinstance(zone, pd.DataFrame):
        crs = getattr(zone, "crs", None)
        if crs is not None and getattr(crs, "to_epsg", lambda: None)() != 27700:
            zone = zone.to_crs(27700)
        zone = zone.iloc[0]
    if isinstance(zone, pd.Series):
        geom = zone["geometry"]
        return str(zone.get("name", "zone")), str(zone.get("zone_id", "")), geom
    if isinstance(zone, tuple):
        return str(zone[0]), "", zone[1]
    return "zone", "", zone


# --- the coordinator ---------------------------------------------------------------------


def build_evidence(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    zone: Any,
    params: EvidenceParams | None = None,
    period: tuple[Month, Month] | None = None,
    compare: tuple[Month, Month] | None = None,
    intervention: Month | None = None,
    ranking: Any = None,
    *,
    risk_params: Any = None,
    harm_overrides: dict[str, Any] | None = None,
    source_names: dict[str, str] | None = None,
    other_zones: list[tuple[str, Any]] | None = None,
    other_evidence: list[pd.DataFrame] | None = None,
    links: Any = None,
) -> EvidencePack:
    """Build the evidence pack for one zone and period.

    Parameters
    ----------
    calls : DataFrame
        ``licvisit.domain.CALL_COLUMNS`` (``x``, ``y`` EPSG:27700, ``occurred_at``,
        ``time_known``, ``category``, ``thrive``).
    premises : DataFrame or GeoDataFrame
        ``licvisit.domain.PREMISES_COLUMNS`` (``premises_id``, ``name``, ``x``, ``y``).
    zone : one-row GeoDataFrame, GeoSeries row, (name, geometry) or geometry (EPSG:27700)
    params : EvidenceParams
    period : (from, to) months 'YYYY-MM', inclusive; default: every month in ``calls``.
    compare : (from, to) months of a comparison ("before") period, optional.
    intervention : month 'YYYY-MM' an intervention began inside ``period``, optional
        (before = period start to the month before, after = that month to the end).
    ranking : licvisit.core.risk.Ranking, optional
        A ranking made from the same ``calls`` and ``premises``; its links (which
        call is about which premises) and bands are reused.  Without it calls
        are linked with ``licvisit.core.risk.attribution.link_calls_to_premises``,
        against every premises (so a call near the zone's edge goes to the same
        premises as in the ranking), keeping the links to the zone's premises.
    risk_params : licvisit.core.risk.RiskParams, optional (radius etc. for linking)
    harm_overrides : the ``[harm]`` config section, optional
    source_names : {"calls": "...", "premises": "...", "zones": "..."} file names for the sources section
    other_zones : (name, geometry EPSG:27700) of every other zone, for the comparison section
    other_evidence : frames from ``licvisit.io.other_evidence`` (ambulance call-outs, complaints ...)
    links : licvisit.core.risk.Links, optional
        Links of every call in ``calls`` to ``premises``, made with the ranking's
        rules (e.g. the ones the pipeline passes to the backtest); used instead of
        the ranking's own links, which cover only the calls it scored.

    Returns
    -------
    EvidencePack

    Raises
    ------
    ConfigError
        Bad months, or ``compare`` and ``intervention`` both given.
    """
    from licvisit.core.evidence import hearing as hr
    from licvisit.core.risk.harm import HARM_SOURCES, harm_weights

    params = params or EvidenceParams()
    risk_params = _risk_params_for(params, ranking, risk_params, harm_overrides)
    zone_name, zone_id, geom = _zone_parts(zone)
    calls = calls.reset_index(drop=True)
    per, cmp_ = _periods(calls, period, compare, intervention)
    s = _scope(calls, premises, geom, per, params, harm_overrides)
    tables: dict[str, sdc.PublishedTable] = {}
    figures: dict[str, Any] = {}
    stats: dict[str, Any] = {"calls_in_zone_and_period": None}

    _map_section(s, params, tables, figures, stats)  # 1. grid, density and Gi*
    t_month = _trend_section(s, params, tables, figures, stats)  # 2. monthly counts and trend tests
    _hour_section(s, params, tables, figures, stats)  # 3. hour of week, weekday/weekend nights
    given = links if links is not None else getattr(ranking, "links", None)
    con = _premises_section(s, params, ranking, given, risk_params, tables, figures, stats)  # 4. premises
    ba = None  # 5. before / after
    if cmp_ is not None or intervention is not None:
        ba, ba_table, ba_diff = _before_after(
            calls, s.in_zone, s.has_xy, per, cmp_, intervention, t_month, params, s.coverage
        )
        tables["before_after"] = ba_table
        if ba_diff is not None:
            tables["before_after_difference"] = ba_diff

    # 6. For a hearing: displacement, comparison, premises profile, other evidence
    noun = hr.noun_for(calls)
    hearing = hr.hearing_sections(
        s, zone_name, per, t_month, tables, ba, params, noun, other_zones or [], other_evidence or []
    )
    figures["displacement_geoms"] = hearing.pop("_geoms", {})

    # 7. Words
    weights = harm_weights(params.harm_scheme, harm_overrides)
    sources = _sources(calls, premises, s.zc, s.zp, source_names, per)
    sources += [s_ for h in hearing.get("other_evidence", []) for s_ in [h["source_row"]]]
    findings = _findings(zone_name, per, t_month, tables, stats, con, ba, params, noun)
    findings += hearing.pop("_findings", [])
    used = set(s.zc["category"].astype(str)) if len(s.zc) else set()
    methods = _methods(
        params, risk_params, weights, HARM_SOURCES[params.harm_scheme], per, cmp_, intervention, tables, used
    )
    return EvidencePack(
        zone_name=zone_name,
        zone_id=zone_id,
        zone_geometry=geom,
        zone_area_km2=float(geom.area) / 1e6,
        period=per,
        params=params,
        risk_params=risk_params,
        sources=sources,
        tables=tables,
        figures=figures,
        stats=stats,
        findings=findings,
        methods=methods,
        limitations=_limitations(params, s.share_timed, ba, s.zc),
        before_after=ba,
        notes=s.notes,
        noun=noun,
        checklist=hr.cia_checklist(tables, noun, hearing),
        hearing=hearing,
    )


# --- the steps of build_evidence -----------------------------------------------------------


def _risk_params_for(params: EvidenceParams, ranking: Any, risk_params: Any, harm_overrides: Any) -> Any:
    """The risk parameters to link calls with: as given, the ranking's, or the defaults with [harm]."""
    if risk_params is None:
        risk_params = ranking.params if ranking is not None else None
    if risk_params is None:
        from licvisit.core.risk.params import RiskParams

        risk_params = RiskParams(scheme=params.harm_scheme, harm_overrides=dict(harm_overrides or {}))
    return risk_params


def _periods(
    calls: pd.DataFrame,
    period: tuple[Month, Month] | None,
    compare: tuple[Month, Month] | None,
    intervention: Month | None,
) -> tuple[tuple[pd.Period, pd.Period], tuple[pd.Period, pd.Period] | None]:
    """The period (default: every month of ``calls``) and comparison period, checked."""
    if period is None:
        if not len(calls):
            raise ConfigError("No calls loaded, so no period can be inferred; expected `from` and `to`.")
        m = pd.to_datetime(calls["occurred_at"]).dt.to_period("M")
        period = (m.min(), m.max())
    per = _period(period, "Period")
    assert per is not None
    cmp_ = _period(compare, "Comparison period")
    if cmp_ is not None and intervention is not None:
        raise ConfigError("Give either a comparison period or an intervention month, not both.")
    if cmp_ is not None and cmp_[1] >= per[0]:
        raise ConfigError(
            f"The comparison period ({cmp_[0]} to {cmp_[1]}) must end before the period starts ({per[0]}); "
            "expected an earlier 'before' period."
        )
    return per, cmp_


def _scope(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    geom: Any,
    per: tuple[pd.Period, pd.Period],
    params: EvidenceParams,
    harm_overrides: dict[str, Any] | None,
) -> Scope:
    """Which calls and premises fall in the zone and period, and which months the data cover."""
    import shapely

    from licvisit.core.risk.harm import call_harm

    start, end = per
    notes: list[str] = []
    coverage = tr.data_coverage(calls)
    exposure = tr.month_exposure(tr.months(start, end), coverage)
    covered = exposure > 0
    if coverage is None or not covered.any():  # no coverage means no month covered
        first = "none" if coverage is None else f"{_day(coverage[0])} to {_day(coverage[1])}"
        raise ConfigError(
            f"No calls loaded for {_month_label(start)} to {_month_label(end)} (the data cover {first}); "
            "expected a period the data cover."
        )
    if not covered.all() or (exposure < tr.month_days(tr.months(start, end))).any():
        notes.append(
            f"The data cover {_day(coverage[0])} to {_day(coverage[1])}, not every day of the period: "
            "months with no data are left out of the tables and tests, and rates use the days covered."
        )
    cx = pd.to_numeric(calls["x"], errors="coerce").to_numpy(float)
    cy = pd.to_numeric(calls["y"], errors="coerce").to_numpy(float)
    has_xy = np.isfinite(cx) & np.isfinite(cy)
    in_zone = np.zeros(len(calls), bool)
    in_zone[has_xy] = shapely.contains_xy(geom, cx[has_xy], cy[has_xy])
    in_period = _in_months(calls, start, end) if len(calls) else np.zeros(0, bool)
    harm_all = call_harm(calls, params.harm_scheme, harm_overrides) if len(calls) else np.zeros(0)
    zc = calls[in_zone & in_period]
    px = pd.to_numeric(premises["x"], errors="coerce").to_numpy(float)
    py = pd.to_numeric(premises["y"], errors="coerce").to_numpy(float)
    p_ok = np.isfinite(px) & np.isfinite(py)
    p_in = np.zeros(len(premises), bool)
    p_in[p_ok] = shapely.contains_xy(geom, px[p_ok], py[p_ok])
    zp = premises[p_in].reset_index(drop=True)
    time_known = (
        zc["time_known"].fillna(False).astype(bool) if "time_known" in zc else pd.Series(True, index=zc.index)
    )
    share_timed = float(time_known.mean()) if len(zc) else 0.0
    return Scope(
        calls, geom, start, end, coverage, exposure, covered, notes, cx, cy, has_xy, in_zone, in_period,
        harm_all, zc, px, py, p_ok, p_in, zp, time_known, share_timed, premises,
    )  # fmt: skip


def _map_section(
    s: Scope,
    params: EvidenceParams,
    tables: dict[str, sdc.PublishedTable],
    figures: dict[str, Any],
    stats: dict[str, Any],
) -> None:
    """1. Map: the grid, kernel density and Getis-Ord Gi* hot and cold spot cells."""
    import shapely

    geom, cx, cy, px, py = s.geom, s.cx, s.cy, s.px, s.py
    grid = hs.make_grid(tuple(geom.bounds), params.cell_m, params.grid_margin_m)
    xmin, xmax, ymin, ymax = grid.extent
    in_view = s.has_xy & s.in_period & (cx >= xmin) & (cx < xmax) & (cy >= ymin) & (cy < ymax)
    w = s.harm_all[in_view] if params.hotspot_weight == "harm" else None
    dens = hs.kernel_density(
        cx[in_view], cy[in_view], grid.extent, params.kde_bandwidth_m, params.kde_pixel_m, w
    )
    cell_values = hs.grid_counts(grid, cx[in_view], cy[in_view], w)
    spots = hs.getis_ord(
        cell_values,
        grid,
        params.gi_neighbourhood,
        params.gi_distance_m,
        params.fdr_alpha,
        params.gi_permutations,
        params.seed,
    )
    ccx, ccy = grid.centres()
    cell_in_zone = shapely.contains_xy(geom, ccx, ccy)
    figures["density"] = dens
    figures["hotspots"] = spots
    figures["zone_geometry"] = geom
    view_p = s.p_ok & (px >= xmin) & (px < xmax) & (py >= ymin) & (py < ymax)
    figures["premises_xy"] = np.column_stack([px[view_p], py[view_p]])
    hot_in, cold_in = (
        int(((spots.label > 0) & cell_in_zone).sum()),
        int(((spots.label < 0) & cell_in_zone).sum()),
    )
    stats["hotspots"] = {
        "cells": grid.n_cells,
        "cells_in_zone": int(cell_in_zone.sum()),
        "hot": spots.n_hot,
        "cold": spots.n_cold,
        "hot_in_zone": hot_in,
        "cold_in_zone": cold_in,
    }
    spot_rows = pd.DataFrame(
        {
            "cell_id": np.arange(grid.n_cells),
            "x_centre_m": ccx,
            "y_centre_m": ccy,
            "in_zone": cell_in_zone,
            "gi_star_z": np.round(spots.z, 3),
            "p_value": np.round(spots.p, 5),
            "fdr_q_value": np.round(spots.q, 5),
            "spot": np.where(spots.label > 0, "hot spot", np.where(spots.label < 0, "cold spot", "")),
        }
    )
    tables["hotspot_cells"] = sdc.PublishedTable(
        "hotspot_cells",
        "Hot and cold spot cells (Getis-Ord Gi*, FDR controlled)",
        spot_rows[spot_rows["spot"] != ""].set_index("cell_id"),
        caption=f"{params.cell_m:g} m cells (British National Grid centres) flagged at a false discovery rate of "
        f"{params.fdr_alpha:g}. Counts per cell are not published.",
    )


def _trend_section(
    s: Scope,
    params: EvidenceParams,
    tables: dict[str, sdc.PublishedTable],
    figures: dict[str, Any],
    stats: dict[str, Any],
) -> sdc.PublishedTable:
    """2. Trends: calls per month by category group, and a test of steady change per group."""
    monthly = tr.monthly_counts(s.zc, s.start, s.end)[s.covered]
    if monthly.shape[1] == 0:
        monthly["Total calls"] = 0
    t_month = sdc.publish_counts(
        "monthly_by_group",
        "Calls per month by category group",
        monthly,
        int(params.threshold),
        index_name="month",
        caption="Rows are months, columns category groups; [c] = hidden to protect small numbers.",
    )
    tables["monthly_by_group"] = t_month
    grand = t_month.frame.loc[sdc.TOTAL, sdc.TOTAL]
    stats["calls_in_zone_and_period"] = None if not _visible(grand) else int(grand)
    figures["monthly"] = t_month.frame
    days = s.exposure[s.covered]
    trend_rows = [_trend_row(col, monthly, t_month, days, stats) for col in [*monthly.columns, sdc.TOTAL]]
    tf = pd.DataFrame(trend_rows).set_index("group")
    tf["calls"] = tf["calls"].astype("Int64")
    tables["trend_tests"] = sdc.PublishedTable(
        "trend_tests",
        "Test of steady change per month (Poisson regression)",
        tf,
        count_columns=["calls"],
        caption="Rate ratio per month from a Poisson (quasi-Poisson when months vary more than chance) "
        "regression on month number with days in month as exposure; tested only where no month is hidden.",
    )
    return t_month


def _trend_row(
    col: str, monthly: pd.DataFrame, t_month: sdc.PublishedTable, days: np.ndarray, stats: dict[str, Any]
) -> dict[str, Any]:
    """One row of the trend tests: a group's calls and its monthly change (untested where a month is hidden)."""
    n_months = len(days)
    shown = t_month.frame[col]
    label = "All calls" if col == sdc.TOTAL else col
    row: dict[str, Any] = {"group": label, "calls": shown.loc[sdc.TOTAL]}
    untested = dict(
        change_per_month_percent=np.nan, ci_low_percent=np.nan, ci_high_percent=np.nan, p_value=np.nan
    )
    if shown.isna().any() or n_months < 3:
        row.update(
            **untested,
            method="not tested: small numbers hidden" if n_months >= 3 else "not tested: fewer than 3 months",
        )
        return row
    series = (monthly.sum(axis=1) if col == sdc.TOTAL else monthly[col]).to_numpy(float)
    try:
        t = tr.trend_test(series, days)
        row.update(**tr.monthly_change_fields(t), method=t.method)
        if col == sdc.TOTAL:
            stats["trend_all"] = t
    except ValueError:
        row.update(**untested, method="not tested: no calls")
    return row


def _hour_section(
    s: Scope,
    params: EvidenceParams,
    tables: dict[str, sdc.PublishedTable],
    figures: dict[str, Any],
    stats: dict[str, Any],
) -> None:
    """3. Hour of week and weekday/weekend nights, only when most calls have a time of day."""
    threshold = int(params.threshold)
    stats["share_with_time"] = s.share_timed
    zc = s.zc
    timed = zc[s.time_known.to_numpy(bool)] if len(zc) else zc
    if not (len(timed) and s.share_timed >= 0.5):
        s.notes.append(
            "Times of day are not known for most calls (police.uk publishes the month only), so the "
            "hour-of-week table and the weekday/weekend night comparison are left out."
        )
        return
    how = tr.hour_of_week(timed, params.hour_band_h)
    t_how = sdc.publish_counts(
        "hour_of_week",
        "Calls by day and hour of the week",
        how,
        threshold,
        index_name="day",
        caption=f"Calls with a known time, {params.hour_band_h}-hour columns (local time).",
    )
    tables["hour_of_week"] = t_how
    figures["hour_of_week"] = t_how.frame
    p_start = max(s.start.start_time, s.coverage[0])
    p_end = min(s.end.end_time.normalize(), s.coverage[1])
    nights, nwd, nwe = tr.weekday_weekend_nights(
        timed, p_start, p_end, params.night_start_h, params.night_end_h
    )
    if len(nights):
        force = _night_links(t_how, params)
        t_n = sdc.publish_counts(
            "nights",
            "Night-time calls: weekday against weekend nights",
            nights,
            threshold,
            index_name="group",
            force_hidden=force,
            caption=f"Night = {params.night_start_h:02d}:00 to {params.night_end_h:02d}:00, belonging to the "
            f"evening it starts; {nwd} weekday nights (Sun-Thu) and {nwe} weekend nights (Fri-Sat) in the period.",
        )
        tables["nights"] = t_n
        tables["night_rates"] = _night_rates(t_n, nights, nwd, nwe, threshold)
        stats["nights"] = {"weekday_nights": nwd, "weekend_nights": nwe}


def _premises_section(
    s: Scope,
    params: EvidenceParams,
    ranking: Any,
    links: Any,
    risk_params: Any,
    tables: dict[str, sdc.PublishedTable],
    figures: dict[str, Any],
    stats: dict[str, Any],
) -> conc.Concentration:
    """4. Premises: link calls, sum harm per premises, how concentrated it is, the top premises."""
    calls, zp = s.calls, s.zp
    link_tab = _links(calls, s.premises, s.in_zone & s.in_period, s.p_in, links, risk_params)
    zone_call_pos = np.flatnonzero(s.in_zone & s.in_period)
    harm_by_p, n_by_p, group_counts, monthly_p = _premises_harm(
        calls, s.harm_all, link_tab, zp, zone_call_pos, s.start, s.end
    )
    con = conc.concentration(harm_by_p, params.top_shares)
    figures["lorenz"] = (con.lorenz_x, con.lorenz_y)
    stats["gini"] = con.gini
    stats["n_premises"] = con.n_premises
    stats["linked_calls"] = (
        int(len(set(link_tab["call"].tolist()) & set(zone_call_pos.tolist()))) if len(link_tab) else 0
    )
    tables["concentration"] = _concentration_table(con, params)
    tables["top_premises"] = _top_premises(
        zp, harm_by_p, n_by_p, group_counts, monthly_p[:, s.covered], ranking, params, s.exposure[s.covered]
    )
    figures["top_premises_xy"] = _top_xy(tables["top_premises"], zp)
    return con


def _concentration_table(con: conc.Concentration, params: EvidenceParams) -> sdc.PublishedTable:
    """The share of linked harm at the top few per cent of premises (small premises counts hidden)."""
    ctab = con.top.rename(
        columns={
            "top_percent": "top % of premises",
            "n_premises": "premises",
            "harm_share_percent": "% of linked harm",
        }
    )
    ctab["% of linked harm"] = ctab["% of linked harm"].round(1)
    # the number of premises in a top share is published only from the threshold up, like any count
    k = ctab["premises"].astype("Int64")
    ctab["premises"] = k.mask((k >= 1) & (k < params.threshold))
    ctab.index = [f"Top {p:g} %" for p in con.top["top_percent"]]
    ctab.index.name = "group"
    return sdc.PublishedTable(
        "concentration",
        "How concentrated harm is among premises",
        ctab,
        count_columns=["premises"],
        caption=f"{_all_premises(con.n_premises, params.threshold)} in the zone, including those with no "
        f"linked calls; Gini coefficient {con.gini:.2f}."
        if np.isfinite(con.gini)
        else "No harm was linked to any premises.",
        notes=[
            f"{sdc.SUPPRESSED_SYMBOL}: fewer than {params.threshold} premises; the share of premises is shown instead."
        ]
        if ctab["premises"].isna().any()
        else [],
    )


# --- private steps -------------------------------------------------------------------------


def _night_links(t_how: sdc.PublishedTable, params: EvidenceParams) -> set[tuple[str, str]]:
    """Night-table cells to hide because the hour-of-week table hides a night-time cell.

    The night table's column totals are sums of hour-of-week cells (the
    weekday- and weekend-night windows); if one of those cells is hidden, a
    published night total would give it back.
    """
    f = t_how.frame
    band = params.hour_band_h
    force: set[tuple[str, str]] = set()
    kinds = {"Weekday nights (Sun-Thu)": (6, 0, 1, 2, 3), "Weekend nights (Fri-Sat)": (4, 5)}
    for kind, start_days in kinds.items():
        hidden = False
        for d in start_days:
            for b in range(24 // band):
                h0, h1 = b * band, (b + 1) * band
                col = f.columns[b]
                if h1 > params.night_start_h:  # evening of day d
                    hidden |= bool(pd.isna(f.iloc[d][col]))
                if h0 < params.night_end_h:  # small hours of day d + 1
                    hidden |= bool(pd.isna(f.iloc[(d + 1) % 7][col]))
        if hidden:
            force.add((sdc.TOTAL, kind))
    return force


def _night_rates(
    t_n: sdc.PublishedTable, nights: pd.DataFrame, nwd: int, nwe: int, threshold: int
) -> sdc.PublishedTable:
    """Rates per night and the weekend/weekday rate ratio, for rows whose counts are published."""
    wd_col, we_col = "Weekday nights (Sun-Thu)", "Weekend nights (Fri-Sat)"
    rows = []
    for g in t_n.frame.index:
        a, b = t_n.frame.loc[g, wd_col], t_n.frame.loc[g, we_col]
        row: dict[str, Any] = {
            "group": "All groups" if g == sdc.TOTAL else g,
            "weekday nights": a,
            "weekend nights": b,
        }
        if _visible(a) and _visible(b) and (a + b) > 0:
            t = tr.exact_rate_test(int(a), int(b), float(nwd), float(nwe))
            row.update(
                weekday_per_night=round(a / nwd, 2) if nwd else np.nan,
                weekend_per_night=round(b / nwe, 2) if nwe else np.nan,
                weekend_to_weekday_ratio=round(t.ratio, 2) if np.isfinite(t.ratio) else np.nan,
                ci_low=round(t.ci_low, 2),
                ci_high=round(t.ci_high, 2) if np.isfinite(t.ci_high) else np.nan,
                p_value=tr.round_p(t.p_value),
            )
        rows.append(row)
    df = pd.DataFrame(rows).set_index("group")
    derived = [c for c in df.columns if c not in ("weekday nights", "weekend nights")]
    df = sdc.suppress_rows(df, ["weekday nights", "weekend nights"], derived, threshold)
    return sdc.PublishedTable(
        "night_rates",
        "Calls per night: weekend against weekday nights",
        df,
        count_columns=["weekday nights", "weekend nights"],
        caption="Rate ratio weekend/weekday per night with an exact Poisson (conditional binomial) test; "
        "rows with a hidden count are not tested.",
    )


def _links(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    call_mask: np.ndarray,
    p_in: np.ndarray,
    links: Any,
    risk_params: Any,
) -> pd.DataFrame:
    """Which zone call is about which zone premises: columns call (row position in ``calls``),
    premises_idx (row position in ``premises[p_in]``), weight.

    ``links`` (a ``Links`` of ``calls`` to ``premises``, e.g. the ranking's) are
    reused as they are.  Without them the zone's calls are linked with the same
    rules (:func:`licvisit.core.risk.attribution.link_calls_to_premises`) against
    every premises, not only the zone's, so a call at the zone's edge is given to
    the premises the ranking would give it to; links to premises outside the zone
    are then left out.
    """
    zone_idx = np.flatnonzero(p_in)
    if links is None:
        links = _link_zone_calls(calls, premises, call_mask, risk_params)
        if links is None:
            return pd.DataFrame(
                {"call": np.zeros(0, int), "premises_idx": np.zeros(0, int), "weight": np.zeros(0)}
            )
    t = links.table
    pid_all = premises["premises_id"].astype(str).to_numpy()
    pos = pd.Index(pid_all[zone_idx]).get_indexer(t["premises_id"].astype(str))
    call = t["call"].to_numpy(int)
    keep = (pos >= 0) & call_mask[call]
    return pd.DataFrame(
        {"call": call[keep], "premises_idx": pos[keep], "weight": t["weight"].to_numpy(float)[keep]}
    )


def _link_zone_calls(
    calls: pd.DataFrame, premises: pd.DataFrame, call_mask: np.ndarray, risk_params: Any
) -> Any:
    """Links of the calls in ``call_mask`` to every premises; ``call`` as row positions in ``calls``."""
    from licvisit.core.risk.attribution import link_calls_to_premises

    pos_calls = np.flatnonzero(call_mask)
    if not len(pos_calls) or not len(premises):
        return None
    links = link_calls_to_premises(calls.iloc[pos_calls].reset_index(drop=True), premises, risk_params)
    links.table["call"] = pos_calls[links.table["call"].to_numpy(int)]
    return links


def _premises_harm(
    calls: pd.DataFrame,
    harm_all: np.ndarray,
    link_tab: pd.DataFrame,
    zp: pd.DataFrame,
    zone_call_pos: np.ndarray,
    start: pd.Period,
    end: pd.Period,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray]:
    """Harm, call counts, counts by group and monthly counts per zone premises."""
    n = len(zp)
    harm = np.zeros(n)
    ncalls = np.zeros(n, dtype=np.int64)
    groups = pd.DataFrame(index=range(n))
    monthly = np.zeros((n, len(tr.months(start, end))), dtype=np.int64)
    lt = link_tab[link_tab["weight"] > 0]
    if not len(lt) or not n:
        return harm, ncalls, groups, monthly
    c = lt["call"].to_numpy(int)
    p = lt["premises_idx"].to_numpy(int)
    np.add.at(harm, p, lt["weight"].to_numpy(float) * harm_all[c])
    np.add.at(ncalls, p, 1)
    g = tr.category_group(calls["category"].iloc[c].reset_index(drop=True)).to_numpy()
    groups = pd.crosstab(p, g).reindex(range(n), fill_value=0)
    groups = groups[[x for x in tr.GROUP_LABELS if x in groups.columns]]
    mi = (
        (pd.to_datetime(calls["occurred_at"].iloc[c]).dt.to_period("M") - start)
        .map(lambda d: d.n)
        .to_numpy(int)
    )
    np.add.at(monthly, (p, mi), 1)
    return harm, ncalls, groups, monthly


def _top_premises(
    zp: pd.DataFrame,
    harm: np.ndarray,
    ncalls: np.ndarray,
    groups: pd.DataFrame,
    monthly: np.ndarray,
    ranking: Any,
    params: EvidenceParams,
    days: np.ndarray,
) -> sdc.PublishedTable:
    """The top premises by linked harm, with counts by group (suppressed) and a one-word trend."""
    t = params.threshold
    eligible = np.flatnonzero(ncalls >= t)
    order = eligible[np.lexsort((zp["premises_id"].astype(str).to_numpy()[eligible], -harm[eligible]))][
        : params.top_n
    ]
    ids = zp["premises_id"].astype(str).to_numpy()
    label = ids if params.anonymise else zp["name"].astype(str).to_numpy() if "name" in zp else ids
    band = {}
    if ranking is not None and "band" in ranking.table:
        band = dict(
            zip(ranking.table["premises_id"].astype(str), ranking.table["band"].astype(str), strict=False)
        )
    counts = groups.iloc[order].copy() if len(order) else pd.DataFrame(columns=groups.columns)
    counts.index = [str(i + 1) for i in range(len(order))]
    counts = (
        counts.loc[:, (counts != 0).any(axis=0)] if len(counts) else counts
    )  # all-zero groups add nothing
    if len(order) and counts.shape[1]:
        frame, _r, tcol = sdc.suppress_counts(
            counts, t, row_totals=True, col_totals=False, total_label="calls"
        )
    else:
        frame = pd.DataFrame(index=counts.index)
        frame["calls"] = pd.array([int(ncalls[i]) for i in order], dtype="Int64")
    count_cols = ["calls", *[c for c in frame.columns if c != "calls"]]
    out = pd.DataFrame(index=counts.index)
    out.index.name = "rank"
    out["premises"] = [str(label[i]) for i in order]
    if not params.anonymise:
        out["premises_id"] = [ids[i] for i in order]
    if "premises_type" in zp:
        from licvisit.core.evidence.profile import type_words

        out["type"] = [type_words(zp["premises_type"].iloc[i]) for i in order]
    out["harm (2 s.f.)"] = [_round_sig(float(harm[i])) for i in order]
    out["calls"] = frame["calls"]
    words = []
    for i in order:
        if len(days) >= 3 and monthly[i].sum() >= t:
            try:
                words.append(tr.trend_word(tr.trend_test(monthly[i], days), params.trend_alpha))
            except ValueError:
                words.append("")
        else:
            words.append("not tested")
    out["trend"] = words
    if band:
        out["risk band"] = [band.get(ids[i], "") for i in order]
    for c in count_cols[1:]:
        out[c] = frame[c]
    notes = []
    if len(order) > 1 and counts.shape[1]:
        key = counts.astype(str).agg("|".join, axis=1)
        for _k, ranks in key.groupby(key).groups.items():
            if len(ranks) > 1:
                notes.append(
                    f"Premises ranked {', '.join(map(str, ranks))} have identical counts: they share the same calls "
                    "(usually one police.uk snap point, or premises next door to each other), so the counts say "
                    "where calls were recorded, not which of them they were about."
                )
    name_note = "Premises are shown by ID, not name." if params.anonymise else ""
    return sdc.PublishedTable(
        "top_premises",
        f"Top {params.top_n} premises by linked harm",
        out,
        count_columns=count_cols,
        total_column="calls" if count_cols and "calls" in count_cols and len(count_cols) > 1 else None,
        caption=f"Premises with at least {t} linked calls, by harm ({params.harm_scheme}); harm is rounded to two "
        "significant figures so that it is hard to combine with the weights to recover a hidden count; "
        "trend = Poisson test of steady change per month. " + name_note,
        notes=notes,
    )


def _top_xy(table: sdc.PublishedTable, zp: pd.DataFrame) -> list[tuple[str, float, float]]:
    """(rank, x, y) of each premises in the top table, for numbering them on the map."""
    ids = zp["premises_id"].astype(str)
    pos = dict(zip(ids, range(len(ids)), strict=False))
    col = "premises_id" if "premises_id" in table.frame else "premises"
    out = []
    for rank, pid in zip(table.frame.index, table.frame[col].astype(str), strict=False):
        i = pos.get(pid)
        if i is not None:
            out.append((str(rank), float(zp["x"].iloc[i]), float(zp["y"].iloc[i])))
    return out


def _before_after(
    calls: pd.DataFrame,
    in_zone: np.ndarray,
    has_xy: np.ndarray,
    per: tuple[pd.Period, pd.Period],
    cmp_: tuple[pd.Period, pd.Period] | None,
    intervention: Month | None,
    t_month: sdc.PublishedTable,
    params: EvidenceParams,
    coverage: tuple[pd.Timestamp, pd.Timestamp],
) -> tuple[BeforeAfter, sdc.PublishedTable, sdc.PublishedTable | None]:
    """Before/after table and tests for the zone and, as a comparison, the rest of the loaded area."""
    start, end = per
    if cmp_ is not None:
        before, after, label = cmp_, per, "comparison period"
    else:
        assert intervention is not None  # the caller passes one when there is no comparison period
        im = parse_month(intervention, "Intervention month")
        if not (start < im <= end):
            raise ConfigError(
                f"Intervention month {im} must fall after the first month of the period ({start}) and by its end ({end})."
            )
        before, after, label = (start, im - 1), (im, end), "intervention"
    mb, ma = tr.months(*before), tr.months(*after)
    db, da = tr.month_exposure(mb, coverage), tr.month_exposure(ma, coverage)
    if db.sum() == 0 or da.sum() == 0:
        side = "before" if db.sum() == 0 else "after"
        raise ConfigError(
            f"No calls loaded for the {side} period of the before/after comparison; expected months the data cover "
            f"({coverage[0]:%B %Y} to {coverage[1]:%B %Y})."
        )
    mb, db = mb[db > 0], db[db > 0]
    ma, da = ma[da > 0], da[da > 0]
    m_all = pd.to_datetime(calls["occurred_at"]).dt.to_period("M")

    def series(mask: np.ndarray, idx: pd.PeriodIndex) -> np.ndarray:
        return m_all[mask].value_counts().reindex(idx, fill_value=0).to_numpy(float)

    rest_mask = has_xy & ~in_zone
    zb, za = series(in_zone, mb), series(in_zone, ma)
    rb, ra = series(rest_mask, mb), series(rest_mask, ma)
    zt = tr.before_after_test(zb, za, db, da) if zb.sum() + za.sum() else None
    rt = tr.before_after_test(rb, ra, db, da) if rb.sum() + ra.sum() else None
    dt_ = None
    try:
        dt_ = tr.difference_in_change_test(zb, za, rb, ra, db, da)
    except ValueError:
        pass
    rows = []
    for name, test, b, a in (("Zone", zt, zb, za), ("Rest of the loaded area", rt, rb, ra)):
        row: dict[str, Any] = {"area": name, "calls before": int(b.sum()), "calls after": int(a.sum())}
        row["per 30 days before"] = round(30 * b.sum() / db.sum(), 1)
        row["per 30 days after"] = round(30 * a.sum() / da.sum(), 1)
        if test is not None:
            row.update(
                rate_ratio=round(test.ratio, 3) if np.isfinite(test.ratio) else np.nan,
                ci_low=round(test.ci_low, 3) if np.isfinite(test.ci_low) else np.nan,
                ci_high=round(test.ci_high, 3) if np.isfinite(test.ci_high) else np.nan,
                p_value=tr.round_p(test.p_value),
                method=test.method,
            )
        rows.append(row)
    df = pd.DataFrame(rows).set_index("area")
    counts = ["calls before", "calls after"]
    derived = [c for c in df.columns if c not in counts]
    df = sdc.suppress_rows(df, counts, derived, params.threshold)
    # Linked to the monthly table: the zone's "after" count is its grand total (after == period), and with an
    # intervention month "before" and "after" are sums of its monthly totals, so a published before/after
    # count could give back a hidden monthly total.  Hide the zone row unless every monthly total is shown.
    month_totals = t_month.frame[sdc.TOTAL]
    if (after == per and not _visible(month_totals.loc[sdc.TOTAL])) or (
        cmp_ is None and month_totals.isna().any()
    ):
        df.loc["Zone", derived + counts] = pd.NA
    if dt_ is not None and not df[counts].isna().any().any():
        diff = pd.DataFrame(
            [
                {
                    "comparison": "Zone relative to rest of the loaded area",
                    "ratio_of_rate_ratios": round(dt_.ratio, 3),
                    "ci_low": round(dt_.ci_low, 3),
                    "ci_high": round(dt_.ci_high, 3),
                    "p_value": tr.round_p(dt_.p_value),
                    "method": dt_.method,
                }
            ]
        ).set_index("comparison")
    else:
        diff = None
    ba = BeforeAfter(before, after, label, zt, rt, dt_)
    table = sdc.PublishedTable(
        "before_after",
        f"Before and after ({label})",
        df,
        count_columns=counts,
        caption=f"Before: {_month_label(before[0])} to {_month_label(before[1])}; after: {_month_label(after[0])} "
        f"to {_month_label(after[1])}. Rate ratio = rate after / rate before (per day), from a Poisson regression "
        "on monthly counts (quasi-Poisson when months vary more than chance).",
    )
    extra = None
    if diff is not None:
        extra = sdc.PublishedTable(
            "before_after_difference",
            "Did the zone change differently from the rest of the area?",
            diff,
            caption="Ratio of the zone's rate ratio to the rest's, from a Poisson regression with a zone x period "
            "term (quasi-Poisson when over-dispersed). The rest of the area is a comparison, not a matched control.",
        )
    return ba, table, extra


def params_dict(pack: EvidencePack) -> dict[str, Any]:
    """The parameters used, JSON-ready."""
    d = asdict(pack.params)
    d["top_shares"] = list(d["top_shares"])
    return d


def other_zones_of(zones: Any, zone: Any) -> list[tuple[str, Any]]:
    """(name, geometry EPSG:27700) of every zone but ``zone`` (a one-row frame from ``select_zone``)."""
    z = (
        zones.to_crs(27700)
        if getattr(zones, "crs", None) is not None and zones.crs.to_epsg() != 27700
        else zones
    )
    chosen = set(zone.index)
    return [
        (str(r.get("name", r.get("zone_id", ""))), r["geometry"]) for i, r in z.iterrows() if i not in chosen
    ]
