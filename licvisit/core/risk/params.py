"""The risk model's parameters (``[risk]`` in licvisit.toml): :class:`RiskParams`, bands and score components."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from licvisit.core.risk.harm import SCHEMES
from licvisit.domain import CATEGORIES, PREVENTIVE_CATEGORIES

BANDS = ("A", "B", "C", "D")
COMPONENTS = ("c_incidents", "c_licence", "c_breach", "c_intel", "c_compliant")


@dataclass(frozen=True)
class RiskParams:
    """Parameters of the risk ranking; every default is documented in docs/risk.md.

    Attribution: ``radius_m`` [m] nearest-premises radius, ``tie_m`` [m] near-tie
    margin (premises within it of the nearest share the call equally),
    ``max_candidates`` premises considered per call, ``name_max_m`` [m] how far a
    premises named in the location text may be, ``closed_hours`` "exclude" or
    "downweight" (x ``closed_factor``).

    Harm: ``scheme`` (cchi, ons_css, count), ``harm_overrides`` (the ``[harm]`` config
    section), ``preventive`` categories kept out of risk.

    Time: NTE window ``nte_start``-``nte_end`` (wall clock), ``outside_nte_weight``
    for calls with a known time outside it, ``half_life_days`` recency half-life
    (0 = no decay), ``history_days`` how far back to look (0 = everything).

    Score: ``shrinkage`` on/off, ``group_by`` premises column for "similar
    premises", ``harm_prior_calls`` pseudo-calls for the harm-per-call shrinkage,
    ``use_exposure``; static weights (shares of the reference harm)
    ``w_late``, ``late_after`` (closing time after which hours count as late),
    ``w_capacity`` per ``capacity_unit`` persons (capped at ``capacity_cap`` units),
    ``w_door``, ``w_breach`` per recent breach, ``w_intel`` per flag (capped at
    ``intel_cap`` flags), ``w_compliant`` reduction per recent compliant visit
    (capped at ``compliant_cap``), ``visit_window_days`` what counts as recent.

    Bands: ``band_shares`` cumulative shares of premises in bands A, B, C
    (the rest are D), ``band_frequencies`` visit frequency per band and
    ``band_visits_per_week``.
    """

    radius_m: float = 50.0
    tie_m: float = 0.5
    max_candidates: int = 4
    name_max_m: float = 250.0
    closed_hours: str = "exclude"
    closed_factor: float = 0.25
    scheme: str = "cchi"
    harm_overrides: dict[str, Any] = field(default_factory=dict)
    preventive: tuple[str, ...] = tuple(sorted(PREVENTIVE_CATEGORIES))
    nte_start: str = "20:00"
    nte_end: str = "06:00"
    outside_nte_weight: float = 1.0
    half_life_days: float = 180.0
    history_days: float = 0.0
    shrinkage: bool = True
    group_by: str = "premises_type"
    harm_prior_calls: float | str = "auto"
    use_exposure: bool = True
    w_late: float = 0.25
    late_after: str = "01:00"
    w_capacity: float = 0.10
    capacity_unit: float = 250.0
    capacity_cap: float = 4.0
    w_door: float = 0.15
    w_breach: float = 0.50
    w_intel: float = 0.25
    intel_cap: int = 3
    w_compliant: float = 0.10
    compliant_cap: float = 0.30
    visit_window_days: float = 180.0
    band_shares: tuple[float, float, float] = (0.05, 0.20, 0.50)
    band_frequencies: tuple[str, str, str, str] = ("weekly", "fortnightly", "monthly", "quarterly")
    band_visits_per_week: tuple[float, float, float, float] = (1.0, 0.5, 0.25, 1.0 / 13.0)

    def __post_init__(self) -> None:
        from licvisit.domain import parse_hhmm

        object.__setattr__(self, "preventive", tuple(self.preventive))
        object.__setattr__(self, "band_shares", tuple(float(s) for s in self.band_shares))
        object.__setattr__(self, "band_frequencies", tuple(self.band_frequencies))
        object.__setattr__(self, "band_visits_per_week", tuple(float(v) for v in self.band_visits_per_week))
        if not self.radius_m > 0:
            raise ValueError("Expected radius_m > 0.")
        if not self.tie_m >= 0:
            raise ValueError("Expected tie_m >= 0.")
        if not 1 <= self.max_candidates <= 16:
            raise ValueError("Expected 1 <= max_candidates <= 16.")
        if not self.name_max_m > 0:
            raise ValueError("Expected name_max_m > 0.")
        if self.closed_hours not in ("exclude", "downweight"):
            raise ValueError("Expected closed_hours 'exclude' or 'downweight'.")
        if not 0 <= self.closed_factor <= 1:
            raise ValueError("Expected 0 <= closed_factor <= 1.")
        if self.scheme not in SCHEMES:
            raise ValueError(f"Expected scheme one of {', '.join(SCHEMES)}.")
        unknown = sorted(set(self.preventive) - set(CATEGORIES))
        if unknown:
            raise ValueError(
                f"Expected preventive categories from licvisit.domain.CATEGORIES, not '{unknown[0]}'."
            )
        for name in ("nte_start", "nte_end", "late_after"):
            try:
                parse_hhmm(getattr(self, name))
            except ValueError:
                raise ValueError(f"Expected {name} as HH:MM.") from None
        if not 0 <= self.outside_nte_weight <= 1:
            raise ValueError("Expected 0 <= outside_nte_weight <= 1.")
        if not self.half_life_days >= 0:
            raise ValueError("Expected half_life_days >= 0 (0 = no decay).")
        if not self.history_days >= 0:
            raise ValueError("Expected history_days >= 0 (0 = all history).")
        if self.harm_prior_calls != "auto":
            try:
                prior = float(self.harm_prior_calls)
            except (TypeError, ValueError):
                raise ValueError("Expected harm_prior_calls >= 0 or 'auto'.") from None
            object.__setattr__(self, "harm_prior_calls", prior)
            if not prior >= 0:
                raise ValueError("Expected harm_prior_calls >= 0 or 'auto'.")
        for name in ("w_late", "w_capacity", "w_door", "w_breach", "w_intel", "w_compliant"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"Expected {name} >= 0.")
        if not self.capacity_unit > 0 or not self.capacity_cap >= 0 or self.intel_cap < 0:
            raise ValueError("Expected capacity_unit > 0, capacity_cap >= 0 and intel_cap >= 0.")
        if not 0 <= self.compliant_cap < 1:
            raise ValueError("Expected 0 <= compliant_cap < 1.")
        if not self.visit_window_days > 0:
            raise ValueError("Expected visit_window_days > 0.")
        s = self.band_shares
        if len(s) != 3 or not (0 < s[0] <= s[1] <= s[2] <= 1):
            raise ValueError(
                "Expected band_shares as three increasing shares in (0, 1], e.g. [0.05, 0.2, 0.5]."
            )
        if len(self.band_frequencies) != 4 or len(self.band_visits_per_week) != 4:
            raise ValueError("Expected four band_frequencies and four band_visits_per_week (bands A-D).")

    @property
    def harm_config(self) -> dict[str, Any]:
        """The ``[harm]`` overrides with this object's preventive categories applied."""
        cfg = dict(self.harm_overrides)
        cfg["preventive"] = list(self.preventive)
        cfg.pop("scheme", None)
        return cfg
