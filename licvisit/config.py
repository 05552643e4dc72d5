"""Read licvisit.toml: input paths, column mappings and parameter overrides.

Defaults live in the parameter dataclasses (``RiskParams``, ``PlanParams``,
...); this file only overrides them, and the CLI overrides the file.

Example::

    [inputs]
    calls = "data/calls_demo_2025.csv"
    premises = "data/premises_birmingham.csv"
    zones = "data/nte_zones.geojson"
    staff = "data/staff.csv"
    visits = "data/visit_history.csv"

    [mapping.calls]          # our glossary name = the header in your file
    call_id = "Incident No"
    occurred_at = "Created Date/Time"

    [risk]
    radius_m = 50
    half_life_days = 90

    [plan]
    time_limit_s = 30
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from licvisit.errors import ConfigError

INPUT_KINDS = ("calls", "premises", "zones", "staff", "visits", "postcodes")
# stop_search was read and checked but never used in the risk score: removed rather than left to mislead
STOP_SEARCH_REMOVED = (
    "stop_search is no longer an input: stop-and-search records were checked but never used in the risk "
    "score or the plan. Fix: delete it; to look at searches near premises, read the file with "
    "licvisit.io.read_stop_search (see 'Stop and search' in docs/risk.md)."
)
KNOWN_SECTIONS = {
    "inputs",
    "mapping",
    "premises",
    "risk",
    "harm",
    "plan",
    "operations",
    "maps",
    "evidence",
    "synth",
}


@dataclass
class Config:
    """A parsed config: where the inputs are, how to read them, parameter overrides."""

    path: Path | None = None
    inputs: dict[str, Path] = field(default_factory=dict)
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.sections.get(name, {}))

    def with_inputs(self, **paths: str | Path | None) -> Config:
        """Return a copy with CLI-given input paths overriding the file's."""
        merged = dict(self.inputs)
        for k, v in paths.items():
            if v is not None:
                merged[k] = Path(v)
        return dataclasses.replace(self, inputs=merged)


def load_config(path: str | Path | None) -> Config:
    """Read a TOML config; ``None`` gives the empty config.

    Relative input paths are resolved against the config file's folder.
    """
    if path is None:
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"Config file {p} not found. Fix: check the path given to --config.")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {p} is not valid TOML: {exc}.") from exc
    unknown = sorted(set(raw) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigError(
            f"Config file {p}: unknown section [{unknown[0]}]; expected one of "
            f"{', '.join(sorted(KNOWN_SECTIONS))}."
        )
    inputs: dict[str, Path] = {}
    for k, v in raw.get("inputs", {}).items():
        if k == "stop_search":
            raise ConfigError(f"Config file {p}, [inputs]: {STOP_SEARCH_REMOVED}")
        if k not in INPUT_KINDS:
            raise ConfigError(
                f"Config file {p}, [inputs]: unknown input '{k}'; expected one of {', '.join(INPUT_KINDS)}."
            )
        q = Path(v)
        inputs[k] = q if q.is_absolute() else (p.parent / q)
    # a value may be a table: a recode table ([mapping.calls.categories]) or a constant ({ value = "..." })
    mapping = {
        k: {str(a): (b if isinstance(b, dict) else str(b)) for a, b in v.items()}
        for k, v in raw.get("mapping", {}).items()
    }
    sections = {k: v for k, v in raw.items() if k not in ("inputs", "mapping")}
    return Config(path=p, inputs=inputs, mapping=mapping, sections=sections)


P = TypeVar("P")


def params_from(cls: type[P], overrides: dict[str, Any], section: str = "") -> P:
    """Build a parameter dataclass from defaults plus overrides, naming unknown keys."""
    import difflib

    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    where = f"[{section}]" if section else cls.__name__
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(fields), n=1)
        hint = f" Did you mean '{near[0]}'?" if near else ""
        raise ConfigError(
            f"Config {where}: unknown setting '{unknown[0]}'.{hint} Expected one of {', '.join(sorted(fields))}."
        )

    def shown(v: Any) -> str:
        return f'"{v}"' if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else repr(v)

    for key, value in overrides.items():
        default = fields[key].default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(
                    f"Config {where}: {key} = {shown(value)}; expected true or false. Fix: write {key} = "
                    f"{str(default).lower()} (no quotes)."
                )
        elif isinstance(default, int | float) and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            quotes = " (no quotes)" if isinstance(value, str) else ""
            raise ConfigError(
                f"Config {where}: {key} = {shown(value)}; expected a number. Fix: write {key} = {default:g}"
                f"{quotes}, or another number."
            )
    try:
        return cls(**overrides)
    except (TypeError, ValueError) as exc:
        msg = str(exc).rstrip(".")
        found = [k for k in overrides if k in msg]
        if found:
            key = found[0]
            f = fields[key]
            default = f.default_factory() if f.default is dataclasses.MISSING else f.default  # type: ignore[misc]
            if isinstance(default, tuple | list):
                default = list(default)
            msg += (
                f"; found {key} = {shown(overrides[key])}. Fix: change {key} in {where} of the config "
                f"(default {shown(default)}; see docs/configuration.md)"
            )
        raise ConfigError(f"Config {where}: {msg}.") from exc
