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
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from licvisit.errors import ConfigError
from licvisit.fields import RECODE_TABLES, mapping_fields

INPUT_KINDS = ("calls", "premises", "zones", "staff", "visits", "postcodes")
# Inputs given as a list of files (``other_evidence = ["ambulance.csv", "noise.csv"]``).
LIST_INPUT_KINDS = ("other_evidence",)
MAPPING_KINDS = ("calls", "premises", "zones", "other_evidence")
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
    mapping: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    other_evidence: list[Path] = field(default_factory=list)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.sections.get(name, {}))

    def with_inputs(self, **paths: str | Path | None) -> Config:
        """Return a copy with CLI-given input paths overriding the file's."""
        merged = dict(self.inputs)
        for k, v in paths.items():
            if v is not None:
                merged[k] = Path(v)
        return dataclasses.replace(self, inputs=merged)

    def with_other_evidence(self, paths: list[str | Path] | tuple[str | Path, ...]) -> Config:
        """Return a copy whose other-evidence files are ``paths`` (CLI-given files replace the file's list)."""
        if not paths:
            return self
        return dataclasses.replace(self, other_evidence=[Path(q) for q in paths])


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
    for key, value in raw.items():
        if key not in KNOWN_SECTIONS:
            raise ConfigError(
                f"Config file {p}: unknown section [{key}].{_did_you_mean(key, KNOWN_SECTIONS)} "
                f"Expected one of {', '.join(sorted(KNOWN_SECTIONS))}. Fix: rename or remove [{key}]."
            )
        if not isinstance(value, dict):
            wanted = (
                f"[{key}]" if key != "mapping" else "[mapping.calls], [mapping.premises] or [mapping.zones]"
            )
            raise ConfigError(
                f"Config file {p}: {key} = {_shown(value)}; expected a section {wanted}. Fix: write "
                f"{wanted.split(',')[0]} on a line of its own, with its settings on the lines below "
                "(see docs/configuration.md)."
            )
    inputs: dict[str, Path] = {}
    other: list[Path] = []
    for k, v in raw.get("inputs", {}).items():
        if k == "stop_search":
            raise ConfigError(f"Config file {p}, [inputs]: {STOP_SEARCH_REMOVED}")
        if k in LIST_INPUT_KINDS:
            files = [v] if isinstance(v, str) else v
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise ConfigError(
                    f"Config file {p}, [inputs]: {k} = {v!r}; expected a list of file names, "
                    f'e.g. {k} = ["ambulance_callouts.csv"].'
                )
            other += [Path(f) if Path(f).is_absolute() else p.parent / f for f in files]
            continue
        if k not in INPUT_KINDS:
            raise ConfigError(
                f"Config file {p}, [inputs]: unknown input '{k}'."
                f"{_did_you_mean(k, INPUT_KINDS + LIST_INPUT_KINDS)} "
                f"Expected one of {', '.join(INPUT_KINDS + LIST_INPUT_KINDS)}."
            )
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(
                f"Config file {p}, [inputs]: {k} = {_shown(v)}; expected the path of one file or folder "
                f'in quotes. Fix: write {k} = "path/to/{k}{_EXAMPLE_SUFFIX.get(k, ".csv")}".'
            )
        q = Path(v)
        inputs[k] = q if q.is_absolute() else (p.parent / q)
    mapping = _read_mapping(p, raw.get("mapping", {}))
    sections = {k: v for k, v in raw.items() if k not in ("inputs", "mapping")}
    return Config(path=p, inputs=inputs, mapping=mapping, sections=sections, other_evidence=other)


_EXAMPLE_SUFFIX = {"zones": ".geojson"}


def _shown(v: Any) -> str:
    """A TOML value as it would be written in the file."""
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):  # an inline table
        return (
            "{"
            + ", ".join(f"{k} = {_shown(x)}" for k, x in list(v.items())[:3])
            + (", ..." if len(v) > 3 else "")
            + "}"
        )
    if isinstance(v, list):
        return "[" + ", ".join(_shown(x) for x in v[:3]) + (", ..." if len(v) > 3 else "") + "]"
    return repr(v)


def _did_you_mean(word: str, choices: Any, shape: str = "'{}'") -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices`` (difflib), or nothing."""
    import difflib

    near = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" Did you mean {shape.format(near[0])}?" if near else ""


def _read_mapping(p: Path, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check ``[mapping.<input>]`` tables: known inputs, known glossary fields, header names as text.

    A value may also be a constant (``{ value = "..." }``) and, for calls, a recode
    table (``[mapping.calls.categories]``, ``[mapping.calls.thrive]``); see
    :mod:`licvisit.io.recode`.
    """
    mapping: dict[str, dict[str, Any]] = {}
    for kind, table in raw.items():
        if kind not in MAPPING_KINDS:
            raise ConfigError(
                f"Config file {p}: unknown section [mapping.{kind}]."
                f"{_did_you_mean(kind, MAPPING_KINDS, '[mapping.{}]')} "
                f"Expected one of {', '.join(f'[mapping.{k}]' for k in MAPPING_KINDS)}. Fix: rename or "
                f"remove [mapping.{kind}]."
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"Config file {p}, [mapping]: {kind} = {_shown(table)}; expected a section "
                f"[mapping.{kind}]. Fix: write [mapping.{kind}] on a line of its own, then one line per "
                f'column, our name = the header in your file (e.g. {mapping_fields(kind)[0]} = "Ref").'
            )
        allowed = mapping_fields(kind)
        for field_name, header in table.items():
            if kind == "calls" and field_name in RECODE_TABLES and isinstance(header, dict):
                continue  # [mapping.calls.categories] / [mapping.calls.thrive]: checked by io.recode
            if field_name not in allowed:
                raise ConfigError(
                    f"Config file {p}, [mapping.{kind}]: unknown field '{field_name}'."
                    f"{_did_you_mean(field_name, allowed)} Expected one of {', '.join(allowed)}. Fix: the key "
                    "is our glossary name, the value the header in your file (docs/data-contracts.md)."
                )
            if isinstance(header, dict) and set(header) == {"value"} and isinstance(header["value"], str):
                continue  # a constant for a column the file lacks: category = { value = "robbery" }
            if isinstance(header, dict):
                raise ConfigError(
                    f"Config file {p}, [mapping.{kind}]: {field_name} = {_shown(header)}; expected a column "
                    f'header or {{ value = "..." }} for a constant. Fix: write {field_name} = '
                    f'{{ value = "robbery" }}.'
                )
            if not isinstance(header, str) or not header.strip():
                raise ConfigError(
                    f"Config file {p}, [mapping.{kind}]: {field_name} = {_shown(header)}; expected the "
                    f'header of a column in your file, in quotes. Fix: write {field_name} = "Column Header".'
                )
        mapping[kind] = dict(table)
    return mapping


def _default_of(f: dataclasses.Field) -> Any:
    """A field's default (lists for tuples), or None when it has none."""
    if f.default is not dataclasses.MISSING:
        default = f.default
    elif f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    else:
        return None
    return list(default) if isinstance(default, tuple) else default


def _field_types(cls: type) -> dict[str, Any]:
    """The resolved type hints of a parameter dataclass ({} if they cannot be resolved)."""
    import typing

    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - a hint we cannot resolve is simply not checked
        return {}


def _parts(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    import typing

    return typing.get_origin(hint), typing.get_args(hint)


def _accepts(value: Any, hint: Any) -> bool:
    """Whether a TOML value can stand for a field of type ``hint`` (numbers, text, lists, tables, dates)."""
    import datetime as dt
    import types
    import typing

    origin, args = _parts(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(value, a) for a in args)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is dt.date:
        return isinstance(value, dt.date | str)  # the dataclass parses "2025-01-06" itself
    if origin in (tuple, list) or hint in (tuple, list):
        if isinstance(value, str) and args and args[0] is str:
            return True  # one name for a list of names: the dataclasses accept it
        if not isinstance(value, list | tuple):
            return False
        if not args:
            return True
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis or origin is list:
            return all(_accepts(v, args[0]) for v in value)
        return len(value) == len(args) and all(_accepts(v, a) for v, a in zip(value, args, strict=True))
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            return False
        return len(args) != 2 or all(_accepts(v, args[1]) for v in value.values())
    return True


def _describe(hint: Any) -> str:
    """How a field of type ``hint`` is written in TOML, for a message."""
    import datetime as dt
    import types
    import typing

    origin, args = _parts(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args if a is not type(None))
    if hint is bool:
        return "true or false"
    if hint in (int, float):
        return "a number"
    if hint is str:
        return "text in quotes"
    if hint is dt.date:
        return "a date such as 2025-10-06 (no quotes)"
    if origin in (tuple, list):
        if args and not (origin is tuple and len(args) == 2 and args[1] is Ellipsis) and origin is tuple:
            return f"a list of {len(args)} values, each {_describe(args[0])}"
        return f"a list [...] of values, each {_describe(args[0])}" if args else "a list [...]"
    if origin is dict or hint is dict:
        if len(args) == 2 and args[1] is not Any:
            return f"a table whose values are each {_describe(args[1])}"
        return "a table"
    return getattr(hint, "__name__", str(hint))


P = TypeVar("P")


def params_from(cls: type[P], overrides: dict[str, Any], section: str = "") -> P:
    """Build a parameter dataclass from defaults plus overrides, naming unknown keys."""
    import difflib

    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    where = f"[{section}]" if section else cls.__name__
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(fields), n=1)
        did_you_mean = f" Did you mean '{near[0]}'?" if near else ""
        raise ConfigError(
            f"Config {where}: unknown setting '{unknown[0]}'.{did_you_mean} Expected one of {', '.join(sorted(fields))}."
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
    hints = _field_types(cls)
    for key, value in overrides.items():
        hint = hints.get(key)
        if hint is not None and not _accepts(value, hint):
            default = _default_of(fields[key])
            example = f"{key} = {_shown(default)}" if default not in (None, {}) else f"{key} = ..."
            raise ConfigError(
                f"Config {where}: {key} = {_shown(value)}; expected {_describe(hint)}. Fix: write {example}, "
                "or another value of that kind (see docs/configuration.md)."
            )
    try:
        return cls(**overrides)
    except (TypeError, ValueError) as exc:
        msg = str(exc).rstrip(".")
        found = [k for k in overrides if k in msg]
        if found:
            key = found[0]
            default = _default_of(fields[key])
            msg += (
                f"; found {key} = {shown(overrides[key])}. Fix: change {key} in {where} of the config "
                f"(default {shown(default)}; see docs/configuration.md)"
            )
        raise ConfigError(f"Config {where}: {msg}.") from exc
