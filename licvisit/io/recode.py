"""Mapping extras for real CAD exports: recode tables and constant columns.

In licvisit.toml::

    [mapping.calls]
    call_id = "Incident Number"
    occurred_at = "Created"
    category = "Final Code"
    location_text = { value = "" }          # a constant for a column the export lacks

    [mapping.calls.categories]              # raw value -> licvisit category
    "ASSAULT - OCCASIONING ABH" = "violence_with_injury"
    "DRUNK AND DISORDERLY" = "public_order"

    [mapping.calls.thrive]                  # a force's priorities -> THRIVE grades
    column = "Priority"                     # the header (TOML cannot also have thrive = "...")
    "1" = "E"
    "2" = "P"
    "3" = "S"
    "4" = "CR"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from licvisit.errors import ConfigError
from licvisit.fields import RECODE_TABLES

CONSTANT_PREFIX = "__constant__"


def split_mapping(mapping: Mapping[str, Any] | None, kind: str) -> tuple[dict[str, str], dict[str, Any]]:
    """Split ``[mapping.<kind>]`` into plain field -> header pairs and the extras.

    Returns (fields, extras) where extras holds ``categories`` and ``thrive``
    recode tables and ``constants`` (glossary field -> constant text).
    """
    fields: dict[str, str] = {}
    extras: dict[str, Any] = {"constants": {}}
    for key, value in (mapping or {}).items():
        if key in RECODE_TABLES and isinstance(value, Mapping):
            if kind != "calls":
                raise ConfigError(f"Config [mapping.{kind}.{key}]: recode tables are read for calls only.")
            table = {str(a): str(b) for a, b in value.items()}
            if key == "thrive" and "column" in table:
                fields["thrive"] = table.pop("column")
            extras[key] = table
        elif isinstance(value, Mapping):
            if set(value) != {"value"}:
                raise ConfigError(
                    f"Config [mapping.{kind}] {key} = {dict(value)}; expected a column header or "
                    f'{{ value = "..." }} for a constant. Fix: write {key} = {{ value = "robbery" }}.'
                )
            extras["constants"][key] = str(value["value"])
        else:
            fields[key] = str(value)
    return fields, extras


def check_recode(
    table: Mapping[str, str], allowed: Mapping[str, str], what: str, kind: str = "calls"
) -> dict[str, str]:
    """Validate a recode table's targets against ``allowed`` (normalised lookup); return it normalised."""
    from licvisit.io.table import normalise_name

    keyed = {normalise_name(k): v for k, v in allowed.items()}
    out: dict[str, str] = {}
    for raw, target in table.items():
        hit = keyed.get(normalise_name(target))
        if not hit:
            choices = ", ".join(sorted(set(allowed.values())))
            raise ConfigError(
                f'Config [mapping.{kind}.{what}]: "{raw}" = "{target}" is not a licvisit '
                f"{'category' if what == 'categories' else 'THRIVE grade'}. Fix: use one of {choices}."
            )
        out[raw] = hit
    return out


def add_constants(raw: Any, constants: Mapping[str, str], fields: dict[str, str]) -> None:
    """Add one constant column per ``constants`` entry to ``raw`` and map the field to it."""
    for name, value in constants.items():
        header = f"{CONSTANT_PREFIX}{name}"
        raw.table = raw.table.append_column(header, pa.array([value] * len(raw), type=pa.string()))
        raw.columns.append(header)
        fields[name] = header
