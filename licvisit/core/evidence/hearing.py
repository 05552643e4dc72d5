"""The sections a licensing hearing asks for: displacement, comparison areas, premises profile, other evidence.

``hearing_sections`` is called by ``licvisit.core.evidence.build_evidence``
with the frames and masks it has already computed; it adds its published
tables to the pack's ``tables`` and returns the JSON-ready summaries that go
under ``evidence.json`` keys ``displacement``, ``comparison``,
``premises_profile`` and ``other_evidence``.  ``cia_checklist`` lists each
evidence type of the s182 guidance (chapter 14) against what the pack holds.
Pure functions; no I/O.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.evidence import comparison as cmp
from licvisit.core.evidence import disclosure as sdc
from licvisit.core.evidence import displacement as dsp
from licvisit.core.evidence import profile as prof
from licvisit.core.evidence import trends as tr
from licvisit.core.evidence.params import EvidenceParams
from licvisit.core.evidence.scope import Scope


def noun_for(calls: pd.DataFrame) -> str:
    """What the police records are, for the words of the report.

    'crimes' when at least 90 % are month-only (police.uk street-level crimes),
    'calls for service' when at most 10 % are (timed CAD exports), else
    'incidents' (a mix of the two).
    """
    if not len(calls) or "time_known" not in calls:
        return "calls for service"
    month_only = float((~calls["time_known"].fillna(False).astype(bool)).mean())
    if month_only >= 0.9:
        return "crimes"
    return "calls for service" if month_only <= 0.1 else "incidents"


def _month_label(p: pd.Period) -> str:
    return p.strftime("%B %Y")


def _visible(v: Any) -> bool:
    return v is not None and not pd.isna(v)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A published frame as JSON-ready rows (hidden cells None)."""
    out = []
    for label, row in df.iterrows():
        r: dict[str, Any] = {df.index.name or "row": str(label)}
        for c, v in row.items():
            if not _visible(v):
                r[str(c)] = None
            elif isinstance(v, np.integer | int) and not isinstance(v, bool):
                r[str(c)] = int(v)
            elif isinstance(v, np.floating | float):
                r[str(c)] = float(v)
            else:
                r[str(c)] = v if isinstance(v, str | bool) else str(v)
        out.append(r)
    return out


def study_area(cx: np.ndarray, cy: np.ndarray, has_xy: np.ndarray) -> Any:
    """The area the records cover: the convex hull of their locations (None if fewer than three)."""
    import shapely

    if has_xy.sum() < 3:
        return None
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([cx[has_xy], cy[has_xy]])))
    return hull if hull.area > 0 else None


def hearing_sections(
    s: Scope,
    zone_name: str,
    per: tuple[pd.Period, pd.Period],
    t_month: sdc.PublishedTable,
    tables: dict[str, sdc.PublishedTable],
    ba: Any,  # pack.BeforeAfter or None (pack imports this module, so not named here)
    params: EvidenceParams,
    noun: str,
    other_zones: list[tuple[str, Any]],
    other_evidence: list[pd.DataFrame],
) -> dict[str, Any]:
    """Build the displacement, comparison, premises-profile and other-evidence sections.

    Adds the published tables to ``tables`` (``displacement``, ``displacement_tests``,
    ``comparison``, ``comparison_monthly``, ``premises_profile``, ``premises_latest_hours``,
    ``other_evidence_*``) and returns the JSON summaries, plus ``_geoms`` (for the
    map) and ``_findings`` (plain-words lines) for the coordinator to take.
    """
    out: dict[str, Any] = {"_findings": [], "_geoms": {}}
    calls, premises, geom, cx, cy, has_xy = s.calls, s.premises, s.geom, s.cx, s.cy, s.has_xy
    in_zone, p_ok, p_in, px, py = s.in_zone, s.p_ok, s.p_in, s.px, s.py
    coverage, covered, exposure = s.coverage, s.covered, s.exposure
    area = study_area(cx, cy, has_xy)
    m_all = (
        pd.to_datetime(calls["occurred_at"]).dt.to_period("M") if len(calls) else pd.Series([], dtype=object)
    )
    in_area_p = dsp.inside(area, px, py) if area is not None else p_ok.copy()
    zone_km2 = float(geom.area) / 1e6
    rest_km2 = float(area.difference(geom).area) / 1e6 if area is not None else float("nan")

    # Displacement --------------------------------------------------------------------------------------
    if ba is not None:
        out["displacement"] = _displacement(s, zone_name, m_all, ba, tables, params, noun, out)
    else:
        out["displacement"] = {
            "available": False,
            "reason": "no comparison period or intervention month was given "
            "(--intervention or --compare-from/--compare-to)",
        }
    # Comparison ----------------------------------------------------------------------------------------
    rest_p = p_ok & ~p_in & in_area_p
    areas = [_area(zone_name, in_zone, zone_km2, premises, p_in)]
    areas.append(_area("Rest of the area", has_xy & ~in_zone, rest_km2, premises, rest_p))
    for name, g in other_zones:
        areas.append(
            _area(str(name), dsp.inside(g, cx, cy), float(g.area) / 1e6, premises, dsp.inside(g, px, py))
        )
    _comparison(m_all, areas, zone_name, per, coverage, covered, exposure, t_month, tables, params, noun, out)
    # Premises profile ----------------------------------------------------------------------------------
    _premises_profile(premises, p_in, rest_p, zone_name, zone_km2, rest_km2, tables, params, out)
    # Other evidence ------------------------------------------------------------------------------------
    out["other_evidence"] = [
        _other(df, geom, zone_name, per, ba, tables, params, k)
        for k, df in enumerate(other_evidence)
        if len(df)
    ]
    for o in out["other_evidence"]:
        out["_findings"] += o.pop("_findings")
    return out


def _comparison(
    m_all: pd.Series,
    areas: list[cmp.Area],
    zone_name: str,
    per: tuple[pd.Period, pd.Period],
    coverage: tuple[pd.Timestamp, pd.Timestamp] | None,
    covered: np.ndarray,
    exposure: np.ndarray,
    t_month: sdc.PublishedTable,
    tables: dict[str, sdc.PublishedTable],
    params: EvidenceParams,
    noun: str,
    out: dict[str, Any],
) -> None:
    """The zone against the rest of the area and the other zones: tables, ``out["comparison"]``, findings."""
    months = tr.months(*per)[covered]
    days = exposure[covered]
    prev_days = tr.month_exposure(months - 12, coverage)
    reach = bool((prev_days > 0).all())
    zt = t_month.frame[sdc.TOTAL]
    force = {(str(mo), zone_name) for mo in zt.index if not _visible(zt.loc[mo])}
    monthly, summary, finds = cmp.compare_areas(
        m_all,
        areas,
        months,
        days,
        prev_days if reach else None,
        params.threshold,
        noun,
        params.trend_alpha,
        force,
    )
    monthly.caption += (
        f" The rest of the area is every mapped record outside {zone_name}; its size is the convex hull of the "
        "records' locations minus the zone."
    )
    tables["comparison_monthly"] = monthly
    counts = [c for c in summary.columns if c.startswith(noun)]
    tables["comparison"] = sdc.PublishedTable(
        "comparison",
        f"The zone against the rest of the area and the other zones, {_month_label(per[0])} to {_month_label(per[1])}",
        summary,
        count_columns=counts,
        caption="Rates per month use the months with data; per 1,000 capacity uses the premises whose capacity is "
        "known (blank where none is). "
        + (
            "Year-on-year: the same months a year before, Poisson rate ratio (quasi-Poisson when over-dispersed)."
            if reach
            else "The data do not reach the same months a year before, so no year-on-year change is shown."
        ),
    )
    out["_findings"] += finds
    out["comparison"] = {
        "areas": _records(summary),
        "monthly": _records(monthly.frame),
        "previous_year_available": reach,
    }


def _premises_profile(
    premises: pd.DataFrame,
    p_in: np.ndarray,
    rest_p: np.ndarray,
    zone_name: str,
    zone_km2: float,
    rest_km2: float,
    tables: dict[str, sdc.PublishedTable],
    params: EvidenceParams,
    out: dict[str, Any],
) -> None:
    """Premises in the zone beside the rest of the area: tables and ``out["premises_profile"]``."""
    profile, latest = prof.premises_profile(
        premises[p_in],
        premises[rest_p],
        zone_km2,
        rest_km2 if np.isfinite(rest_km2) else 0.0,
        params.threshold,
    )
    pcounts = ["zone premises", "rest premises"]
    tables["premises_profile"] = sdc.PublishedTable(
        "premises_profile",
        "Premises profile: licensing type, capacity band and licensed hours",
        profile,
        count_columns=pcounts,
        caption=f"Premises in {zone_name} ({zone_km2:.2f} km²) beside the rest of the area "
        f"({rest_km2:.2f} km², premises inside the records' convex hull). Density per km²; share of all premises "
        "in the area. Capacity and hours come from the register and are 'not known' where it has none; licensed-hours rows appear only when the register gives hours.",
    )
    tables["premises_latest_hours"] = sdc.PublishedTable(
        "premises_latest_hours",
        "Latest licensed hour per weekday",
        latest,
        caption="The latest end of any premises' licensed hours for the session starting that day.",
    )
    out["premises_profile"] = {"rows": _records(profile), "latest_hours": _records(latest)}


def _area(name: str, mask: np.ndarray, km2: float, premises: pd.DataFrame, p_mask: np.ndarray) -> cmp.Area:
    cap = (
        pd.to_numeric(premises["capacity"], errors="coerce")[p_mask]
        if "capacity" in premises
        else pd.Series([])
    )
    known = cap[cap > 0]
    n = int(p_mask.sum())
    return cmp.Area(name, mask, km2, n, float(known.sum()) if len(known) else float("nan"),
                    len(known) / n if n else 0.0)  # fmt: skip


def _displacement(
    s: Scope,
    zone_name: str,
    months: pd.Series,
    ba: Any,
    tables: dict[str, sdc.PublishedTable],
    params: EvidenceParams,
    noun: str,
    out: dict[str, Any],
) -> dict[str, Any]:
    mb, ma = tr.months(*ba.before), tr.months(*ba.after)
    db, da = tr.month_exposure(mb, s.coverage), tr.month_exposure(ma, s.coverage)
    mb, db, ma, da = mb[db > 0], db[db > 0], ma[da > 0], da[da > 0]
    a, names, have_inside = _displacement_areas(s, zone_name, months, mb, ma, params, out)
    ba_t = tables.get("before_after")
    zone_hidden = (
        ba_t is not None and "Zone" in ba_t.frame.index and ba_t.frame.loc["Zone"].isna().iloc[:2].any()
    )
    df = dsp.displacement_table(
        list(a.values()), db, da, params.threshold, noun,
        force_hidden={names["zone"]} if zone_hidden else set(),
        hide_together=[(names["ring"], names["rest"]), (names["rest"], names["ring"])],
    )  # fmt: skip
    counts = [f"{noun} before", f"{noun} after"]
    results = _displacement_tests(a, names, have_inside, df, counts, db, da, params, noun)
    tests = dsp.did_table(results)
    _publish_displacement(df, tests, counts, ba, have_inside, tables, params, noun)
    out["_findings"] += [r.verdict for r in results[1:] if not r.verdict.startswith("Not tested")]
    return {
        "available": True,
        "ring_m": params.ring_m,
        "street_buffer_m": params.street_buffer_m,
        "inside_premises_known": have_inside,
        "areas": _records(df),
        "tests": _records(tests),
    }


def _displacement_areas(
    s: Scope,
    zone_name: str,
    months: pd.Series,
    mb: pd.PeriodIndex,
    ma: pd.PeriodIndex,
    params: EvidenceParams,
    out: dict[str, Any],
) -> tuple[dict[str, dsp.AreaSeries], dict[str, str], bool]:
    """The zone, ring, rest, street (and inside premises, when known) before/after series and names.

    Puts the ring and buffer in ``out["_geoms"]`` for the map.
    """
    calls, premises, geom, cx, cy = s.calls, s.premises, s.geom, s.cx, s.cy
    has_xy, in_zone, p_in, px, py = s.has_xy, s.in_zone, s.p_in, s.px, s.py

    def series(name: str, mask: np.ndarray) -> dsp.AreaSeries:
        m = months[mask]
        vb = m.value_counts().reindex(mb, fill_value=0).to_numpy(float)
        va = m.value_counts().reindex(ma, fill_value=0).to_numpy(float)
        return dsp.AreaSeries(name, vb, va)

    ring = dsp.ring_geometry(geom, params.ring_m)
    in_ring = dsp.inside(ring, cx, cy)
    buf = dsp.premises_buffer(px[p_in], py[p_in], params.street_buffer_m)
    near = dsp.inside(buf, cx, cy)
    out["_geoms"] = {"ring": ring, "buffer": buf}
    names = {
        "zone": zone_name,
        "ring": f"Ring: 0 to {params.ring_m:g} m round the zone",
        "rest": "Rest of the area beyond the ring",
        "street": f"Street space within {params.street_buffer_m:g} m of the zone's premises",
        "inside": "Inside the zone's premises (the record names the premises)",
    }
    ref = calls["premises_ref"].astype(str).to_numpy() if "premises_ref" in calls else np.full(len(calls), "")
    zone_ids = premises["premises_id"].astype(str).to_numpy()[p_in]
    at_premises = np.isin(ref, zone_ids) & (ref != "")
    have_inside = bool(at_premises.any())
    a = {
        "zone": series(names["zone"], in_zone),
        "ring": series(names["ring"], in_ring),
        "rest": series(names["rest"], has_xy & ~in_zone & ~in_ring),
        "street": series(names["street"], near & ~at_premises),
    }
    if have_inside:
        a["inside"] = series(names["inside"], at_premises)
    return a, names, have_inside


def _displacement_tests(
    a: dict[str, dsp.AreaSeries],
    names: dict[str, str],
    have_inside: bool,
    df: pd.DataFrame,
    counts: list[str],
    db: np.ndarray,
    da: np.ndarray,
    params: EvidenceParams,
    noun: str,
) -> list[dsp.DidResult]:
    """Difference-in-differences of each pair of areas whose counts are shown, with its verdict."""

    def shown(k: str) -> bool:
        return k in a and not df.loc[a[k].name, counts].isna().any()

    pairs = [("zone", "rest", "The zone against the rest of the area"),
             ("ring", "rest", "Displacement into the ring")]  # fmt: skip
    if have_inside:
        pairs.append(("street", "inside", "Street space against inside premises"))
    else:
        pairs.append(("street", "rest", "Street space near the zone's premises against the rest of the area"))
    results = []
    for t, r, label in pairs:
        test = dsp.did_test(a[t], a[r], db, da) if shown(t) and shown(r) else None
        words = dsp.difference_verdict if t == "zone" else dsp.did_verdict
        args = (params.trend_alpha,) if t == "zone" else (noun, params.trend_alpha)
        verdict = (
            words(test, _short(names[t]), _short(names[r]), *args)
            if shown(t) and shown(r)
            else "Not tested: numbers too small to publish."
        )
        results.append(dsp.DidResult(label, names[t], names[r], test, verdict))
    return results


def _publish_displacement(
    df: pd.DataFrame,
    tests: pd.DataFrame,
    counts: list[str],
    ba: Any,
    have_inside: bool,
    tables: dict[str, sdc.PublishedTable],
    params: EvidenceParams,
    noun: str,
) -> None:
    """Add the ``displacement`` and ``displacement_tests`` tables."""
    period = (
        f"Before: {_month_label(ba.before[0])} to {_month_label(ba.before[1])}; after: {_month_label(ba.after[0])} to "
        f"{_month_label(ba.after[1])}."
    )
    tables["displacement"] = sdc.PublishedTable(
        "displacement",
        "Displacement: the zone, the ring round it, the rest of the area and the street near premises",
        df,
        count_columns=counts,
        caption=f"{period} Areas: the zone; a ring from its edge out to {params.ring_m:g} m; every mapped record "
        f"beyond the ring; street space within {params.street_buffer_m:g} m of any of the zone's premises (records "
        "not naming a premises). Rate ratio = rate after / before (Poisson, quasi-Poisson when over-dispersed).",
        notes=[]
        if have_inside
        else [
            f"The data do not say which {noun} happened inside premises (police.uk gives none), so street space "
            "is compared with the rest of the area instead of with inside premises."
        ],
    )
    tables["displacement_tests"] = sdc.PublishedTable(
        "displacement_tests",
        "Difference-in-differences: did one area change differently from another?",
        tests,
        caption="Ratio of rate ratios (first area / second), from a Poisson log-linear model of monthly counts with "
        "area, period and area x period terms (quasi-Poisson when over-dispersed), with its 95 % interval; it "
        "assumes both areas would have changed alike without the intervention (parallel trends). Tested at the "
        f"{params.trend_alpha:g} level.",
    )


def _short(name: str) -> str:
    """'Ring: 0 to 250 m round the zone' -> 'the ring'; keeps area names readable inside a sentence."""
    if name.startswith("Ring"):
        return "the ring"
    if name.startswith("Rest"):
        return "the rest of the area"
    if name.startswith("Street"):
        return "the street space near premises"
    if name.startswith("Inside"):
        return "inside premises"
    return name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "source"


def _other(
    df: pd.DataFrame,
    geom: Any,
    zone_name: str,
    per: tuple[pd.Period, pd.Period],
    ba: Any,
    tables: dict[str, sdc.PublishedTable],
    params: EvidenceParams,
    k: int,
) -> dict[str, Any]:
    """Count, trend and suppress one other-evidence source for the zone, like the police data."""
    name = str(df["source"].iloc[0])
    x, y = df["x"].to_numpy(float), df["y"].to_numpy(float)
    by_name = df["zone"].astype(str).str.strip().str.casefold() == zone_name.strip().casefold()
    in_zone = dsp.inside(geom, x, y) | by_name.to_numpy(bool)
    m = pd.to_datetime(df["occurred_at"]).dt.to_period("M")
    in_per = ((m >= per[0]) & (m <= per[1])).to_numpy(bool)
    cov = tr.data_coverage(df)
    idx = tr.months(*per)
    exp_ = tr.month_exposure(idx, cov)
    covered = exp_ > 0
    z = df[in_zone & in_per]
    counts = pd.crosstab(m[in_zone & in_per], z["category"]).reindex(idx, fill_value=0)
    counts.index = [str(p) for p in idx]
    counts = counts[covered]
    counts.columns.name = None
    if counts.shape[1] == 0:
        counts[name] = 0
    slug = f"other_evidence_{_slug(name)}"
    t = sdc.publish_counts(
        slug,
        f"{name} per month by category ({zone_name})",
        counts.astype("int64"),
        params.threshold,
        index_name="month",
        caption="Categories as the source names them; [c] = hidden to protect small numbers.",
    )
    tables[slug] = t
    days = exp_[covered]
    finds: list[str] = []
    trend = _other_trends(name, zone_name, counts, t, days, params, finds)
    tables[f"{slug}_trends"] = sdc.PublishedTable(
        f"{slug}_trends",
        f"{name}: test of steady change per month",
        trend,
        count_columns=["records"],
        caption="Poisson (quasi-Poisson when over-dispersed) regression on month number with days as exposure; "
        "tested only where no month is hidden.",
    )
    grand = t.frame.loc[sdc.TOTAL, sdc.TOTAL]
    ba_rows = None
    if ba is not None:
        ba_rows = _other_before_after(m[in_zone], cov, ba, t, params, name, finds, zone_name)
        tables[f"{slug}_before_after"] = sdc.PublishedTable(
            f"{slug}_before_after",
            f"{name}: before and after ({ba.label})",
            ba_rows,
            count_columns=["records before", "records after"],
            caption=f"Records in {zone_name}. Before: {_month_label(ba.before[0])} to {_month_label(ba.before[1])}; "
            f"after: {_month_label(ba.after[0])} to {_month_label(ba.after[1])}. Rate ratio after/before per day "
            "(Poisson, quasi-Poisson when over-dispersed).",
        )
    if _visible(grand):
        finds.insert(
            0,
            f"{name}: {int(grand):,} records in {zone_name} in the period (categories as the source names them).",
        )
    source_row = _other_source_row(df, name, x, m, grand)
    return {
        "source": name,
        "file": source_row["file"],
        "monthly": _records(t.frame),
        "trends": _records(trend),
        "before_after": _records(ba_rows) if ba_rows is not None else None,
        "suppressed_cells": t.n_suppressed,
        "source_row": source_row,
        "_findings": finds,
    }


def _other_trends(
    name: str,
    zone_name: str,
    counts: pd.DataFrame,
    t: sdc.PublishedTable,
    days: np.ndarray,
    params: EvidenceParams,
    finds: list[str],
) -> pd.DataFrame:
    """Records and the month-on-month trend of each category and of all (appends the finding for all)."""
    rows = []
    for col in [*counts.columns, sdc.TOTAL]:
        shown = t.frame[col]
        row: dict[str, Any] = {
            "category": "All" if col == sdc.TOTAL else str(col),
            "records": shown.loc[sdc.TOTAL],
        }
        if shown.isna().any() or len(days) < 3 or not counts.to_numpy().sum():
            row["trend"] = (
                "not tested: small numbers hidden" if len(days) >= 3 else "not tested: fewer than 3 months"
            )
        else:
            series = (counts.sum(axis=1) if col == sdc.TOTAL else counts[col]).to_numpy(float)
            try:
                tt = tr.trend_test(series, days)
                row.update(
                    **tr.monthly_change_fields(tt),
                    trend=tr.trend_word(tt, params.trend_alpha),
                )
                if col == sdc.TOTAL:
                    finds.append(
                        f"{name} in {zone_name}, month on month: {tt.describe('records', params.trend_alpha)}."
                    )
            except ValueError:
                row["trend"] = "not tested: none recorded"
        rows.append(row)
    trend = pd.DataFrame(rows).set_index("category")
    trend["records"] = trend["records"].astype("Int64")
    return trend


def _other_source_row(df: pd.DataFrame, name: str, x: np.ndarray, m: pd.Series, grand: Any) -> dict[str, str]:
    """The source's row of the pack's sources table, with its caveats."""
    n_xy = int(np.isfinite(x).sum())
    month_only = not bool(df["time_known"].any())
    caveats = [
        f"Supplied by a partner agency; {len(df):,} records, {n_xy:,} with a location and {len(df) - n_xy:,} placed "
        "by the zone name they give. Categories are kept as the source names them.",
        "Dates are month only, so no time-of-day analysis is possible." if month_only else "",
        "Counts are of recorded events (call-outs, attendances, complaints), not of people, and depend on the "
        "agency's recording and coding.",
    ]
    mm = m.dropna()
    return {
        "source": f"Other evidence: {name}",
        "file": str(df["source_file"].iloc[0]).replace("\\", "/").rsplit("/", 1)[-1],
        "dates": f"{_month_label(mm.min())} to {_month_label(mm.max())}" if len(mm) else "",
        "rows": f"{len(df):,} loaded; {_visible(grand) and f'{int(grand):,}' or sdc.SUPPRESSED_SYMBOL} in the zone "
        "in the period",
        "caveats": " ".join(c for c in caveats if c),
    }


def _other_before_after(
    m_zone: pd.Series,
    cov: tuple[pd.Timestamp, pd.Timestamp] | None,
    ba: Any,
    t: sdc.PublishedTable,
    params: EvidenceParams,
    name: str,
    finds: list[str],
    zone_name: str,
) -> pd.DataFrame:
    """Zone records of one source before and after, tested like the police before/after."""
    mb, ma = tr.months(*ba.before), tr.months(*ba.after)
    db, da = tr.month_exposure(mb, cov), tr.month_exposure(ma, cov)
    mb, db, ma, da = mb[db > 0], db[db > 0], ma[da > 0], da[da > 0]
    vb = m_zone.value_counts().reindex(mb, fill_value=0).to_numpy(float)
    va = m_zone.value_counts().reindex(ma, fill_value=0).to_numpy(float)
    row: dict[str, Any] = {"area": zone_name, "records before": int(vb.sum()), "records after": int(va.sum())}
    if len(db) and len(da) and vb.sum() + va.sum() > 0:
        test = tr.before_after_test(vb, va, db, da)
        if np.isfinite(test.ratio):
            row.update(
                rate_ratio=round(test.ratio, 3),
                ci_low=round(test.ci_low, 3),
                ci_high=round(test.ci_high, 3),
                p_value=tr.round_p(test.p_value),
                change=test.describe("records", params.trend_alpha),
            )
    df = pd.DataFrame([row]).set_index("area")
    counts = ["records before", "records after"]
    derived = [c for c in df.columns if c not in counts]
    df = sdc.suppress_rows(df, counts, derived, params.threshold)
    # before + after are sums of the monthly totals: publish them only when every monthly total is shown
    if t.frame[sdc.TOTAL].isna().any():
        df.loc[:, counts + derived] = pd.NA
    if "change" in df and _visible(df["change"].iloc[0]):
        finds.append(f"{name} in {zone_name}, before/after ({ba.label}): {df['change'].iloc[0]}.")
    return df


S182_EVIDENCE = (
    ("Crime and disorder statistics, including crime hot spots", "police"),
    ("Anti-social behaviour", "asb"),
    ("Health data: alcohol-related ambulance call-outs, A&E attendances and hospital admissions", "health"),
    ("Environmental health complaints, particularly noise and litter", "environment"),
    (
        "Complaints recorded by the local authority, including from residents and residents' associations",
        "complaints",
    ),
    ("Residents' questionnaires and local consultation", "consultation"),
    ("Evidence from local and parish councillors", "councillors"),
    ("Number, type, capacity and closing times of licensed premises in the area", "premises"),
    (
        "Whether problems would move elsewhere (displacement) and how the area compares with others",
        "displacement",
    ),
)
_HEALTH = re.compile(r"ambulance|a&e|a and e|emergency|hospital|nhs|health", re.I)
_ENV = re.compile(r"noise|litter|environment|nuisance|waste", re.I)
_COMPLAINT = re.compile(r"complain|resident", re.I)


def cia_checklist(
    tables: dict[str, sdc.PublishedTable], noun: str, hearing: dict[str, Any]
) -> list[dict[str, str]]:
    """Each evidence type the s182 guidance (chapter 14) lists, what the pack holds for it, what is still to gather."""
    others = [o["source"] for o in hearing.get("other_evidence", [])]

    def matching(rx: re.Pattern[str]) -> list[str]:
        return [o for o in others if rx.search(o)]

    asb = "monthly_by_group" in tables and any(
        "anti" in str(c).lower() for c in tables["monthly_by_group"].frame
    )
    rows = []
    for what, key in S182_EVIDENCE:
        if key == "police":
            have = f"{noun.capitalize()} per month, hot spots (Getis-Ord Gi*), trends and before/after (sections 1-3, 6)."
            todo = "Confirm against the force's own recorded-crime and incident systems; police.uk data are anonymised."
        elif key == "asb":
            have = (
                "Anti-social behaviour is a group in the monthly table."
                if asb
                else "None in the data loaded."
            )
            todo = "Council ASB case records and police ASB incidents, if not loaded."
        elif key in ("health", "environment", "complaints"):
            rx = {"health": _HEALTH, "environment": _ENV, "complaints": _COMPLAINT}[key]
            got = matching(rx)
            have = ("Other evidence: " + ", ".join(got) + ".") if got else "Nothing loaded."
            todo = {
                "health": "Ambulance trust call-outs and A&E assault data (Cardiff model data sharing), by month and "
                "location; pass them with --other-evidence.",
                "environment": "Environmental health noise and litter complaints, by month and location; pass them "
                "with --other-evidence.",
                "complaints": "Complaints logged by the licensing authority and residents' associations.",
            }[key]
        elif key == "premises":
            have = "Premises profile by type, capacity band and licensed hours, with density per km²."
            todo = "Check types, capacities and hours against the licensing register where the source lacks them."
        elif key == "displacement":
            have = (
                "Displacement into a ring round the zone and street space near premises, and a comparison with the "
                "rest of the area and the other zones."
                if hearing.get("displacement", {}).get("available")
                else "Comparison with the rest of the area and the other zones; displacement needs --intervention or "
                "--compare-from/--compare-to."
            )
            todo = (
                "Local knowledge of events, policing changes and new venues that could explain differences."
            )
        else:
            have = "Not something the pack can hold."
            todo = {
                "consultation": "Residents' questionnaires and the results of local consultation.",
                "councillors": "Statements from ward and parish councillors.",
            }[key]
        rows.append({"evidence": what, "in this pack": have, "still to gather": todo})
    return rows
