"""Build each stage's parameter object from a config: defaults, then the file, then the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from licvisit.config import Config, params_from
from licvisit.errors import ConfigError


def risk_params(cfg: Config, scheme: str | None = None) -> Any:
    """RiskParams from ``[risk]``, with ``[harm]`` folded in; ``scheme`` overrides both.

    The harm overrides are checked here, so a bad ``[harm]`` is a one-line
    config error before any data is read.
    """
    from licvisit.core.risk import RiskParams, harm_weights, scheme_from, thrive_multipliers

    risk = cfg.section("risk")
    harm = cfg.section("harm")
    _check_harm_shape(harm)
    if harm:
        risk.setdefault("harm_overrides", harm)
        if "scheme" in harm and "scheme" not in risk:
            risk["scheme"] = scheme_from(harm)
        if "preventive" in harm and "preventive" not in risk:
            risk["preventive"] = list(harm["preventive"])
    params = params_from(RiskParams, risk, "risk")
    if scheme:
        params = dataclasses.replace(params, scheme=scheme)
    harm_weights(params.scheme, params.harm_config)
    thrive_multipliers(params.harm_overrides.get("thrive") if params.harm_overrides else None)
    return params


_HARM_TABLES = {
    "weights": "e.g. [harm.weights] then robbery = 20",
    "thrive": "e.g. [harm.thrive] then H = 1.5",
}


def _check_harm_shape(harm: dict[str, Any]) -> None:
    """The ``[harm]`` keys that must be tables, lists or text are (one-line errors, not tracebacks)."""
    from licvisit.config import _shown

    for key, value in harm.items():
        if key in _HARM_TABLES and not isinstance(value, dict):
            raise ConfigError(
                f"Config [harm]: {key} = {_shown(value)}; expected a table [harm.{key}]. Fix: write "
                f"[harm.{key}] on a line of its own and one line per entry below it ({_HARM_TABLES[key]})."
            )
        if key == "preventive" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ConfigError(
                f"Config [harm]: preventive = {_shown(value)}; expected a list of categories in quotes. Fix: "
                'write preventive = ["door_staff_request", "refusal_report"].'
            )
        if key == "scheme" and not isinstance(value, str):
            raise ConfigError(
                f'Config [harm]: scheme = {_shown(value)}; expected text in quotes. Fix: write scheme = "cchi" '
                '(or "ons_css" or "count").'
            )


def _check_operations(ops: dict[str, Any]) -> None:
    """Each ``[operations.NAME]`` is a table of ``OperationType`` settings of the right kinds."""
    from licvisit.config import _shown
    from licvisit.domain import DEFAULT_OPERATIONS, OperationType

    base = {o.name: o for o in DEFAULT_OPERATIONS}
    for name, table in ops.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"Config [operations]: {name} = {_shown(table)}; expected a table [operations.{name}]. Fix: "
                f"write [operations.{name}] on a line of its own and its settings below it (e.g. "
                "service_min = 20)."
            )
        start = dataclasses.asdict(base[name]) if name in base else {"name": name}
        params_from(OperationType, {**start, **table}, f"operations.{name}")


def plan_params(cfg: Config, **overrides: Any) -> Any:
    """PlanParams from ``[plan]`` and ``[operations]``; non-None ``overrides`` win."""
    from licvisit.core.plan import PlanParams

    sec = cfg.section("plan")
    ops = cfg.section("operations")
    _check_operations(ops)
    if ops:
        sec.setdefault("op_overrides", ops)
    params = params_from(PlanParams, sec, "plan")
    over = {k: v for k, v in overrides.items() if v is not None}
    try:
        return dataclasses.replace(params, **over) if over else params
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def map_params(cfg: Config) -> Any:
    """MapParams from ``[maps]``."""
    from licvisit.render.map_params import MapParams

    section = cfg.section("maps")
    streets = section.get("streets")
    if isinstance(streets, str) and streets.strip() and cfg.path is not None:
        # a path in the config file is relative to that file, like [inputs]
        section["streets"] = str(Path(cfg.path).parent / streets)
    return params_from(MapParams, section, "maps")


def evidence_params(cfg: Config, risk: Any = None, **overrides: Any) -> Any:
    """EvidenceParams from ``[evidence]``; the harm scheme defaults to the risk model's."""
    from licvisit.core.evidence import EvidenceParams

    section = cfg.section("evidence")
    if risk is not None:
        section.setdefault("harm_scheme", risk.scheme)
    params = params_from(EvidenceParams, section, "evidence")
    over = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(params, **over) if over else params
