"""The risk stage: link calls to premises, weigh them by harm, score, rank, backtest.

Flow: :mod:`~licvisit.core.risk.attribution` (calls to premises) ->
:mod:`~licvisit.core.risk.harm` (weights) -> :mod:`~licvisit.core.risk.score` ->
:mod:`~licvisit.core.risk.rank` (the coordinator, :func:`rank_premises`);
:mod:`~licvisit.core.risk.backtest` replays the ranking on past periods.
Parameters: :class:`~licvisit.core.risk.params.RiskParams`.  No printing, no file I/O.
"""

from __future__ import annotations

from licvisit.core.risk.attribution import (
    RULES,
    SENSITIVITY_RADII,
    STREET_WORDS,
    Links,
    factorize_text,
    link_calls_to_premises,
    normalise_name,
)
from licvisit.core.risk.backtest import (
    METHOD_LABELS,
    METHODS,
    NESTED_GRID,
    BacktestResult,
    premises_in_calls_extent,
)
from licvisit.core.risk.clock import call_clock, datetime_ns, hours_arrays, is_month_only, open_at, to_days
from licvisit.core.risk.harm import (
    HARM_SOURCES,
    SCHEMES,
    THRIVE_MULTIPLIERS,
    call_harm,
    harm_weights,
    preventive_categories,
    scheme_from,
    thrive_multipliers,
)
from licvisit.core.risk.params import BANDS, COMPONENTS, RiskParams
from licvisit.core.risk.rank import (
    STALE_AFTER_DAYS,
    Ranking,
    calls_for_as_of,
    calls_in_window,
    default_as_of,
    explain,
    rank_premises,
    resolve_as_of,
    staleness_note,
)
from licvisit.core.risk.score import link_frame, score_premises

__all__ = [
    "BANDS",
    "BacktestResult",
    "COMPONENTS",
    "HARM_SOURCES",
    "Links",
    "METHODS",
    "METHOD_LABELS",
    "NESTED_GRID",
    "RULES",
    "Ranking",
    "RiskParams",
    "SCHEMES",
    "SENSITIVITY_RADII",
    "STALE_AFTER_DAYS",
    "STREET_WORDS",
    "THRIVE_MULTIPLIERS",
    "call_clock",
    "call_harm",
    "calls_for_as_of",
    "calls_in_window",
    "datetime_ns",
    "default_as_of",
    "explain",
    "factorize_text",
    "harm_weights",
    "hours_arrays",
    "link_calls_to_premises",
    "link_frame",
    "is_month_only",
    "normalise_name",
    "open_at",
    "premises_in_calls_extent",
    "preventive_categories",
    "rank_premises",
    "resolve_as_of",
    "scheme_from",
    "score_premises",
    "staleness_note",
    "thrive_multipliers",
    "to_days",
]
