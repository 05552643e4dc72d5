"""Rank licensed premises by expected harm per week, with a breakdown that explains each score.

Method (details and citations in docs/risk.md)
----------------------------------------------
1. Calls are linked to premises (``licvisit.core.risk.attribution``) and weighed by
   harm (``licvisit.core.risk.harm``: CCHI, ONS CSS or counts, x THRIVE multiplier).
2. Each linked call is discounted by its age at ``as_of`` with half-life
   ``half_life_days`` (month-only police.uk records are dated mid-month).
3. **Rate of calls**: empirical-Bayes Poisson-Gamma shrinkage (Clayton & Kaldor
   1987; method-of-moments prior as in Marshall 1991) of each premises' decayed
   call count towards the mean rate of premises of the same type, per unit of
   exposure.  Exposure = capacity x licensed hours per week relative to the
   type's median where both are known, otherwise 1 (the typical premises of
   that type): unknown is never treated as small or large.
4. **Harm per call**: each premises' mean harm per call, shrunk towards its
   type's mean with the weight of ``harm_prior_calls`` pseudo-calls, so that
   one robbery does not make a premises look like a robbery hotspot.
5. ``c_incidents`` = rate x harm per call = expected harm per week.
6. Static licence risk in the way liquor regulators load fees and inspection
   rates (late trading, patron capacity, compliance history; e.g. Liquor &
   Gaming NSW risk-based licensing, Victorian Commission for Gambling and
   Liquor Regulation risk-based fees): late hours, capacity, door supervision,
   a recent breach, intelligence flags, each add a documented share of the
   reference harm (the mean ``c_incidents`` over all premises); recent
   compliant visits reduce the total by a capped share.  The ``c_`` columns
   sum to ``score``.
7. Bands A-D by position in the ranking (``band_shares``), each with the visit
   frequency it implies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from licvisit.core.risk.attribution import (
    Links,
    link_calls_to_premises,
)
from licvisit.core.risk.clock import _call_days, call_time_known, is_month_only, to_days
from licvisit.core.risk.harm import HARM_SOURCES
from licvisit.core.risk.params import BANDS, COMPONENTS, RiskParams
from licvisit.core.risk.score import _bands, link_frame, premises_arrays, score_premises


@dataclass
class Ranking:
    """The result of ``rank_premises``: one row per premises, best first, and how it was made."""

    table: pd.DataFrame
    links: Links
    summary: dict[str, Any]
    notes: list[str]
    params: RiskParams
    as_of: dt.datetime
    calls: pd.DataFrame | None = None  # the linked calls with harm and weights (for explain)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready dict: parameters, summary, notes and the table (first ``top`` rows)."""
        t = self.table if top is None else self.table.head(top)
        cols = [c for c in t.columns if c != "geometry"]
        return {
            "as_of": self.as_of.isoformat(),
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self.params).items()},
            "harm_source": HARM_SOURCES[self.params.scheme],
            "summary": self.summary,
            "notes": list(self.notes),
            "premises": t[cols].to_dict(orient="records"),
        }


def default_as_of(calls: pd.DataFrame) -> dt.datetime:
    """The day after the last call (the first of the next month for month-only data)."""
    occ = (
        pd.to_datetime(calls["occurred_at"], errors="coerce")
        if len(calls)
        else pd.Series(dtype="datetime64[ns]")
    )
    if occ.notna().sum() == 0:
        return dt.datetime.combine(dt.date.today(), dt.time())
    last = occ.max()
    tk = calls["time_known"].fillna(True).astype(bool) if "time_known" in calls.columns else None
    if tk is not None and not bool(tk[occ == last].any()):
        return (last + pd.offsets.MonthBegin(1)).normalize().to_pydatetime()
    return (last.normalize() + pd.Timedelta(days=1)).to_pydatetime()


def resolve_as_of(
    calls: pd.DataFrame, as_of: dt.datetime | dt.date | str | None = None
) -> tuple[dt.datetime, list[str]]:
    """The moment to score as at, and notes about it.

    Default: the day after the last call (the first of the next month for
    month-only data).  With month-only data a date inside a month is moved back
    to the first of that month: which records of that month came before it
    cannot be known.
    """
    notes: list[str] = []
    if as_of is None:
        return default_as_of(calls), notes
    when = pd.Timestamp(as_of)
    if is_month_only(calls) and (when != when.normalize() or when.day != 1):
        start = when.normalize().replace(day=1)
        notes.append(
            f"police.uk dates are months only: scored as at {start:%Y-%m-%d}, the start of the month of "
            f"{when:%Y-%m-%d}."
        )
        when = start
    stale = staleness_note(calls, when)
    if stale:
        notes.append(stale)
    return when.to_pydatetime(), notes


# A ranking or a planned week more than this many days after the last call gets a warning.
STALE_AFTER_DAYS = 90


def staleness_note(
    calls: pd.DataFrame, when: dt.datetime | dt.date | pd.Timestamp, what: str = "Scored as at"
) -> str | None:
    """A warning when ``when`` is more than ``STALE_AFTER_DAYS`` after the last call, else None.

    ``what`` starts the sentence: "Scored as at" for a ranking, "The week of" for a plan.
    """
    occ = pd.to_datetime(calls["occurred_at"], errors="coerce") if len(calls) else pd.Series(dtype=object)
    if not occ.notna().any():
        return None
    last = occ.max()
    gap = (pd.Timestamp(when) - last).days
    if gap <= STALE_AFTER_DAYS:
        return None
    return (
        f"{what} {pd.Timestamp(when):%Y-%m-%d}, {gap:,} days after the last call ({last:%Y-%m-%d}): "
        "the calls may be out of date and older harm counts for less (recency decay), so the order "
        "may differ from a ranking made when the data were current. Fix: load calls up to the last "
        "few weeks."
    )


def calls_for_as_of(
    calls: pd.DataFrame,
    as_of: dt.datetime | dt.date | None,
    params: RiskParams,
    option: str = "`as_of`",
) -> tuple[dt.datetime, np.ndarray]:
    """The moment to score as at and the mask of the calls a ranking then uses.

    The one check shared by ``rank`` and ``plan``: raises ``ConfigError`` naming
    ``option`` when no call falls before ``as_of`` (within ``history_days``).
    """
    from licvisit.errors import ConfigError

    as_of_dt, _ = resolve_as_of(calls, as_of)
    if as_of is None and params.history_days == 0:
        return as_of_dt, np.ones(len(calls), dtype=bool)  # the default as-of follows the last call
    used = calls_in_window(calls, as_of_dt, params)
    if not len(calls) or used.any():
        return as_of_dt, used
    occ = pd.to_datetime(calls["occurred_at"], errors="coerce")
    moved = (
        f" ({option} {pd.Timestamp(as_of):%Y-%m-%d} taken as the start of its month: the dates are months only)"
        if as_of is not None and pd.Timestamp(as_of).normalize() != pd.Timestamp(as_of_dt).normalize()
        else ""
    )
    first = occ.min()
    if params.history_days > 0 and calls_in_window(calls, as_of_dt, replace(params, history_days=0)).any():
        raise ConfigError(
            f"No calls in the {params.history_days:g} days before {as_of_dt:%Y-%m-%d}{moved} to rank on; "
            f"the last is dated {occ.max():%Y-%m-%d}. Fix: give an earlier {option}, or raise history_days "
            "in [risk] of the config (0 = all history)."
        )
    earliest = default_as_of(calls[(occ == first).to_numpy()])  # the first date that includes a call
    raise ConfigError(
        f"No calls before {as_of_dt:%Y-%m-%d}{moved} to rank on; the first is dated {first:%Y-%m-%d}. "
        f"Fix: give {option} {earliest:%Y-%m-%d} or later."
    )


def calls_in_window(calls: pd.DataFrame, as_of: dt.datetime, params: RiskParams) -> np.ndarray:
    """Boolean mask of the calls a ranking as at ``as_of`` uses (before it, within ``history_days``).

    Month-only records are dated mid-month, as in scoring.
    """
    day = _call_days(calls, call_time_known(calls))
    as_of_day = float(to_days(pd.Series([pd.Timestamp(as_of)]))[0])
    with np.errstate(invalid="ignore"):
        keep = day < as_of_day
        if params.history_days > 0:
            keep &= day >= as_of_day - params.history_days
    return keep


def _history_start(calls: pd.DataFrame) -> dt.datetime | None:
    occ = pd.to_datetime(calls["occurred_at"], errors="coerce")
    if occ.notna().sum() == 0:
        return None
    return occ.min().normalize().to_pydatetime()


def rank_premises(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    visits: pd.DataFrame | None = None,
    params: RiskParams | None = None,
    as_of: dt.datetime | dt.date | str | None = None,
    links: Links | None = None,
) -> Ranking:
    """Rank premises by expected harm per week plus static licence risk.

    Parameters
    ----------
    calls : DataFrame
        ``licvisit.domain.CALL_COLUMNS``.
    premises : DataFrame or GeoDataFrame
        ``licvisit.domain.PREMISES_COLUMNS``.
    visits : DataFrame, optional
        ``licvisit.domain.VISIT_COLUMNS`` (compliance history).
    params : RiskParams, optional
    as_of : datetime or date or str, optional
        Score as at this moment; calls on or after it are ignored. Default: the
        day after the last call (first of the next month for month-only data).
    links : Links, optional
        Reuse an attribution already made with the same calls, premises and params.

    Returns
    -------
    Ranking
    """
    params = params or RiskParams()
    as_of_dt, as_of_notes = resolve_as_of(calls, as_of)
    if links is None:
        links = link_calls_to_premises(calls, premises, params)
    lf = link_frame(calls, links, params)
    table, info = score_premises(
        lf,
        premises,
        visits,
        params,
        as_of_dt,
        _history_start(calls) if len(calls) else None,
        arrays=premises_arrays(premises, hours=links.hours),
    )

    # premises that are not licensed premises (a school, a shop) keep the calls nearest to them
    # but are neither ranked nor planned
    ranked = (
        premises["left_out"].astype(str).to_numpy() == ""
        if "left_out" in premises.columns
        else np.ones(len(premises), dtype=bool)
    )
    table, pid = _ranked_table(table, premises, params, ranked)
    n = int(ranked.sum())
    month_only = is_month_only(calls)
    notes = _ranking_notes(premises, links, params, info, table, ranked, as_of_notes, month_only)
    summary = {
        "counts": dict(links.counts),
        "sensitivity": links.sensitivity.to_dict(orient="records"),
        "month_only": month_only,
        "scheme": params.scheme,
        "harm_source": HARM_SOURCES[params.scheme],
        "premises": int(n),
        "premises_with_calls": int((table["n_calls"] > 0).sum()) if n else 0,
        "bands": {b: int((table["band"] == b).sum()) for b in BANDS} if n else {},
        **info,
    }
    return Ranking(
        table=table,
        links=links,
        summary=summary,
        notes=notes,
        params=params,
        as_of=as_of_dt,
        calls=_linked_calls(lf, as_of_dt, pid) if n else None,
    )


def _ranked_table(
    table: pd.DataFrame, premises: pd.DataFrame, params: RiskParams, ranked: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """The ranked premises in rank order, with rank, band, visit frequency and place; and all ids."""
    n_all, n = len(premises), int(ranked.sum())
    # rank: score desc, then harm, then premises_id for determinism (left-out premises last)
    pid = premises["premises_id"].astype(str).to_numpy()
    order = np.lexsort((pid, -table["harm"].to_numpy(), -table["score"].to_numpy(), ~ranked))
    pos = np.empty(n_all, dtype=np.int64)
    pos[order] = np.arange(n_all)
    band = _bands(pos, n_all, params, table["score"].to_numpy())
    band[ranked] = _bands(pos[ranked], n, params, table["score"].to_numpy()[ranked])
    bi = np.searchsorted(np.array(BANDS), band) if n else np.zeros(0, int)
    table.insert(0, "premises_id", pid)
    table.insert(1, "name", premises["name"].astype(str).to_numpy() if "name" in premises.columns else "")
    table.insert(
        2,
        "premises_type",
        premises["premises_type"].astype(str).to_numpy() if "premises_type" in premises else "",
    )
    table.insert(3, "rank", pos + 1)
    table["band"] = band
    table["visit_frequency"] = np.array(params.band_frequencies, dtype=object)[bi] if n else []
    table["visits_per_week"] = np.array(params.band_visits_per_week)[bi] if n else []
    table["x"] = pd.to_numeric(premises["x"], errors="coerce").to_numpy(float)
    table["y"] = pd.to_numeric(premises["y"], errors="coerce").to_numpy(float)
    for extra in ("address", "postcode", "lpa"):
        if extra in premises.columns:
            table[extra] = premises[extra].astype("string").fillna("").to_numpy(dtype=object)
    table = table.iloc[order[:n]].reset_index(drop=True)
    table = table.drop(columns=["premises_idx"])
    return table, pid


def _ranking_notes(
    premises: pd.DataFrame,
    links: Links,
    params: RiskParams,
    info: dict[str, Any],
    table: pd.DataFrame,
    ranked: np.ndarray,
    as_of_notes: list[str],
    month_only: bool,
) -> list[str]:
    """The ranking's notes: month-only data, the as-of date, left-out premises, exposure, shrinkage."""
    n_all, n = len(premises), int(ranked.sum())
    notes = [n for n in links.notes if not (month_only and n.startswith("Most calls have month-only"))]
    if month_only:
        notes.insert(
            0,
            "police.uk data are month-only: no time-of-night or closed-hours filter was applied and NTE "
            "weekday/weekend harm is not available; locations are anonymised snap points, often near "
            "several premises: each record goes to the nearest (see the radius sensitivity).",
        )
    notes += as_of_notes
    if n < n_all:
        left = premises.loc[~ranked, "left_out"].astype(str).value_counts()
        notes.append(
            f"{n_all - n:,} premises left out of the ranking as not licensed premises ("
            + ", ".join(f"{k} {v:,}" for k, v in left.head(5).items())
            + (", ..." if len(left) > 5 else "")
            + "); the calls nearest to them stay with them (attribution.csv, column premises_left_out)."
        )
    if n and not table["exposure_known"].any():
        notes.append(
            "No premises has both capacity and licensed hours: exposure was taken as equal within each "
            "premises type (unknown is neither small nor large)."
        )
    if params.shrinkage:
        notes.append(
            f"Scores are shrunk towards the mean of premises of the same {params.group_by} (empirical Bayes)."
        )
        if info.get("harm_prior_calls", 0) >= 1e5 and params.scheme != "count":
            notes.append(
                f"The data show no reliable difference in harm mix between premises of the same "
                f"{params.group_by}, so each premises' harm per call is its {params.group_by}'s mean "
                "(harm mix fully pooled); the call rate is still each premises' own."
            )
    return notes


def _linked_calls(lf: pd.DataFrame, as_of_dt: dt.datetime, pid: np.ndarray) -> pd.DataFrame:
    """The links before ``as_of`` (call, premises_id, weight, harm) the ranking was scored from."""
    cols = ["call", "premises_id", "w", "harm"]
    linked = lf[lf["day"] < float(to_days(pd.Series([pd.Timestamp(as_of_dt)]))[0])][
        ["call", "premises_idx", "w", "harm"]
    ]
    return linked.assign(
        premises_id=pd.Categorical.from_codes(linked["premises_idx"].to_numpy(), categories=pid)
        if pd.Index(pid).is_unique
        else pid[linked["premises_idx"].to_numpy()]
    )[cols]


def explain(
    ranking: Ranking, premises_id: str, calls: pd.DataFrame | None = None, max_calls: int = 50
) -> dict[str, Any]:
    """Return the breakdown of one premises' score and the calls behind it.

    ``calls`` (the same frame given to ``rank_premises``) adds the call details
    (date, category, location, source file and row) to each linked call.

    Raises
    ------
    KeyError
        If ``premises_id`` is not in the ranking.
    """
    t = ranking.table
    hit = t.index[t["premises_id"].astype(str) == str(premises_id)]
    if len(hit) == 0:
        raise KeyError(premises_id)
    row = t.loc[hit[0]]
    p = ranking.params
    comp = {c: float(row[c]) for c in COMPONENTS}
    words = {
        "c_incidents": (
            f"expected harm per week from linked calls: {row['calls_per_week']:.3f} calls/week "
            f"x {row['harm_per_call']:.1f} harm per call ({p.scheme}); shrinkage weight on own history "
            f"{row['shrinkage_weight']:.2f}"
        ),
        "c_licence": "static licence risk: late hours, capacity, door supervision",
        "c_breach": f"recent breaches ({row['recent_breaches']:.2f}, decayed) in the last {p.visit_window_days:g} days",
        "c_intel": f"{int(row['intel_flag_count'])} intelligence flag(s)",
        "c_compliant": f"{int(row['recent_compliant'])} recent compliant visit(s) reduce the score",
    }
    out: dict[str, Any] = {
        "premises_id": str(row["premises_id"]),
        "name": str(row["name"]),
        "rank": int(row["rank"]),
        "band": str(row["band"]),
        "visit_frequency": str(row["visit_frequency"]),
        "score": float(row["score"]),
        "components": comp,
        "component_reasons": words,
        "n_calls": float(row["n_calls"]),
        "harm": float(row["harm"]),
        "reference_harm_week": ranking.summary.get("reference_harm_week"),
        "as_of": ranking.as_of.isoformat(),
        "scheme": p.scheme,
        "harm_source": HARM_SOURCES[p.scheme],
        "calls": [],
    }
    if ranking.calls is not None:
        mine = ranking.calls[ranking.calls["premises_id"] == str(premises_id)]
        out["calls_total"] = len(mine)
        mine = mine.sort_values("harm", ascending=False).head(max_calls)
        lt = ranking.links.table
        rules = (
            lt[(lt["premises_id"] == str(premises_id)).to_numpy()].drop_duplicates("call").set_index("call")
        )
        for _, r in mine.iterrows():
            rec: dict[str, Any] = {"call": int(r["call"]), "weight": float(r["w"]), "harm": float(r["harm"])}
            key = int(r["call"])
            if key in rules.index:
                lr = rules.loc[key]
                rec["rule"] = str(lr["rule"])
                rec["distance_m"] = None if pd.isna(lr["distance_m"]) else round(float(lr["distance_m"]), 1)
                rec["open"] = None if pd.isna(lr["open"]) else bool(lr["open"])
            if calls is not None:
                src = calls.iloc[int(r["call"])]
                for col in (
                    "call_id",
                    "occurred_at",
                    "time_known",
                    "category",
                    "thrive",
                    "location_text",
                    "source_file",
                    "source_row",
                ):
                    if col in calls.columns:
                        v = src[col]
                        if pd.isna(v):
                            rec[col] = None
                        elif hasattr(v, "isoformat"):
                            rec[col] = v.isoformat()
                        else:
                            rec[col] = v.item() if isinstance(v, np.generic) else v
            out["calls"].append(rec)
    return out
