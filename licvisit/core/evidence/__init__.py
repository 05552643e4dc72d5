"""The evidence stage: the hotspot evidence pack for one zone, every count under disclosure control.

:func:`~licvisit.core.evidence.pack.build_evidence` is the coordinator over
:mod:`hotspots`, :mod:`trends`, :mod:`concentration`, :mod:`disclosure` and the hearing
sections (:mod:`comparison`, :mod:`displacement`, :mod:`profile`, :mod:`hearing`);
:class:`~licvisit.core.evidence.params.EvidenceParams` its parameters.  No printing, no file I/O.
"""

from __future__ import annotations

from licvisit.core.evidence import (
    comparison,
    concentration,
    disclosure,
    displacement,
    hearing,
    hotspots,
    pack,
    params,
    profile,
    trends,
    words,
)
from licvisit.core.evidence.pack import (
    BeforeAfter,
    EvidencePack,
    build_evidence,
    other_zones_of,
    params_dict,
)
from licvisit.core.evidence.params import HOTSPOT_WEIGHTS, EvidenceParams, Month, parse_month

__all__ = [
    "BeforeAfter",
    "EvidencePack",
    "EvidenceParams",
    "HOTSPOT_WEIGHTS",
    "Month",
    "build_evidence",
    "other_zones_of",
    "params_dict",
    "parse_month",
    "params",
    "disclosure",
    "hotspots",
    "trends",
    "concentration",
    "profile",
    "comparison",
    "displacement",
    "hearing",
    "words",
    "pack",
]
