"""Read and write files: every source's columns mapped onto licvisit's glossary.

Public readers (each returns the data and a list of ``Problem``; none prints):
``read_calls``, ``read_stop_search``, ``read_premises``, ``read_zones``,
``read_staff``, ``read_visits``, ``read_postcodes``; ``load_inputs`` reads a
whole config and cross-checks it.  Writers are in :mod:`licvisit.io.write`.
Names are imported lazily so ``import licvisit.io.write`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "read_calls": "licvisit.io.calls",
    "read_stop_search": "licvisit.io.calls",
    "read_premises": "licvisit.io.premises",
    "read_zones": "licvisit.io.zones",
    "read_staff": "licvisit.io.staff",
    "read_visits": "licvisit.io.visits",
    "read_postcodes": "licvisit.io.postcodes",
    "load_inputs": "licvisit.io.load",
    "validate_inputs": "licvisit.io.load",
    "ValidationReport": "licvisit.io.validate",
    "FileSummary": "licvisit.io.validate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'licvisit.io' has no attribute {name!r}")
