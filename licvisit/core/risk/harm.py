"""Weigh calls for service by harm: CCHI, ONS Crime Severity Score or plain counts.

Three built-in schemes, keyed by licvisit categories (``licvisit.domain.CATEGORIES``:
the police.uk street-crime categories plus the documented generic CAD set):

``"cchi"``
    Cambridge Crime Harm Index (Sherman, Neyroud & Neyroud 2016, *Policing*
    10(3):171-183): the harm of an offence is the number of days of
    imprisonment at the starting point of the England and Wales sentencing
    guideline for a first offender (non-custodial outcomes converted to days).
``"ons_css"``
    ONS Crime Severity Score (ONS 2016, *Research outputs: developing a Crime
    Severity Score for England and Wales using data on crimes recorded by the
    police*, 29 November 2016; weights from sentencing data 2011-2015): the
    average severity of sentences handed down for the offence, in
    days-equivalent.
``"count"``
    every call weighs 1.

Both published indices weight *offence codes* (hundreds of Home Office codes),
whereas police.uk publishes only 14 broad groups and most force CAD systems use
opening codes.  A group's weight is therefore a **blend**: the weighted mean
of the index values of the offences the group mostly contains, with shares
taken from the make-up of police recorded crime in England and Wales (ONS,
*Crime in England and Wales*, year ending March 2017).  The components and
shares are in ``_BLENDS`` below and in docs/risk.md, so anyone can recompute
or replace them.  Index values quoted for single offences are **rounded
approximations** of the published tables (we could not ship the tables
themselves); they are good for ranking premises, not for reporting a force's
official CCHI or CSS total.  Forces holding the licensed spreadsheets should
put their own values in the ``[harm]`` section of ``licvisit.toml``.

Preventive categories (``PREVENTIVE_CATEGORIES``: door staff asking for help,
premises reporting a refusal) usually mean the premises is doing its job, so
they weigh 0 in risk unless the ``[harm]`` section says otherwise.

Config (all keys optional)::

    [harm]
    scheme = "cchi"                       # cchi | ons_css | count
    preventive = ["door_staff_request", "refusal_report"]
    [harm.weights]                        # category = weight, overrides the scheme's table
    violence_and_sexual_offences = 80
    [harm.thrive]                         # THRIVE grade = multiplier
    E = 2.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from licvisit.domain import CATEGORIES, PREVENTIVE_CATEGORIES, THRIVE_GRADES
from licvisit.errors import ConfigError

SCHEMES = ("cchi", "ons_css", "count")

HARM_SOURCES = {
    "cchi": (
        "Cambridge Crime Harm Index: Sherman, L., Neyroud, P. W. & Neyroud, E. (2016) "
        "'The Cambridge Crime Harm Index: measuring total harm from crime based on sentencing "
        "guidelines', Policing 10(3):171-183. Days of imprisonment at the sentencing-guideline "
        "starting point for a first offender. Values per licvisit category are rounded "
        "approximations; police.uk groups are blends of their main offences (see docs/risk.md)."
    ),
    "ons_css": (
        "ONS Crime Severity Score: Office for National Statistics (2016) 'Research outputs: "
        "developing a Crime Severity Score for England and Wales using data on crimes recorded "
        "by the police', released 29 November 2016 (weights from 2011-2015 sentencing data). "
        "Values per licvisit category are rounded approximations; police.uk groups are blends "
        "of their main offences (see docs/risk.md)."
    ),
    "count": "Plain count: every call weighs 1 (no harm weighting).",
}

# Blended groups: category -> list of (offence, share, cchi_days, ons_css_weight).
# Shares: approximate make-up of the group in police recorded crime, England and
# Wales, year ending March 2017 (ONS Crime in England and Wales).  Index values are
# rounded approximations of the published CCHI (2016) and ONS CSS (2016) values.
_BLENDS: dict[str, list[tuple[str, float, float, float]]] = {
    "violence_and_sexual_offences": [
        ("violence without injury (common assault)", 0.45, 2.0, 25.0),
        ("violence with injury (assault occasioning ABH, wounding)", 0.30, 120.0, 200.0),
        ("stalking and harassment", 0.20, 20.0, 40.0),
        ("sexual offences (rape, sexual assault)", 0.05, 500.0, 800.0),
    ],
    "burglary": [
        ("burglary in a dwelling", 0.65, 40.0, 400.0),
        ("burglary other than a dwelling", 0.35, 10.0, 150.0),
    ],
    "criminal_damage_arson": [
        ("criminal damage", 0.95, 2.0, 20.0),
        ("arson", 0.05, 60.0, 200.0),
    ],
    "drugs": [
        ("possession of drugs", 0.88, 1.0, 5.0),
        ("trafficking in drugs", 0.12, 365.0, 500.0),
    ],
    "public_order": [
        ("causing harassment, alarm or distress (s.5, s.4A)", 0.75, 2.0, 15.0),
        ("fear or provocation of violence (s.4), affray, violent disorder", 0.25, 20.0, 60.0),
    ],
    "possession_of_weapons": [
        ("possession of a bladed article or offensive weapon", 0.85, 60.0, 180.0),
        ("possession of a firearm", 0.15, 365.0, 500.0),
    ],
    "vehicle_crime": [
        ("theft from a vehicle", 0.60, 2.0, 20.0),
        ("theft or unauthorised taking of a vehicle", 0.30, 10.0, 90.0),
        ("vehicle interference", 0.10, 1.0, 10.0),
    ],
}


def _blend(category: str, column: int) -> float:
    parts = _BLENDS[category]
    weights = [float(p[column]) for p in parts]  # column 2: CCHI, 3: ONS CSS
    return round(sum(p[1] * w for p, w in zip(parts, weights, strict=True)) / sum(p[1] for p in parts), 1)


# Non-crime demand (ASB, welfare, licensing concerns) has no value in either index;
# it gets a nominal weight equal to the least serious offences so that it is not
# invisible to the ranking (set it to 0 in [harm.weights] to follow the indices strictly).
_CCHI: dict[str, float] = {
    # police.uk groups
    "anti_social_behaviour": 1.0,  # not a crime: nominal
    "bicycle_theft": 2.0,  # theft guideline, low value: fine
    "burglary": _blend("burglary", 2),
    "criminal_damage_arson": _blend("criminal_damage_arson", 2),
    "drugs": _blend("drugs", 2),  # CCHI excludes proactively detected crime; kept small
    "other_crime": 5.0,
    "other_theft": 2.0,
    "possession_of_weapons": _blend("possession_of_weapons", 2),
    "public_order": _blend("public_order", 2),
    "robbery": 365.0,  # robbery of personal property: 1 year
    "shoplifting": 1.0,
    "theft_from_the_person": 10.0,
    "vehicle_crime": _blend("vehicle_crime", 2),
    "violence_and_sexual_offences": _blend("violence_and_sexual_offences", 2),
    # generic CAD set
    "violence_with_injury": 120.0,
    "violence_without_injury": 2.0,
    "sexual_offence": 500.0,
    "weapons": 60.0,
    "drunk_and_disorderly": 1.0,  # penalty notice / band A fine
    "criminal_damage": 2.0,
    "theft": 2.0,
    "concern_for_welfare": 1.0,  # not a crime: nominal
    "licensing_concern": 1.0,  # not a crime: nominal
    "door_staff_request": 1.0,  # preventive: 0 in risk by default
    "refusal_report": 1.0,  # preventive: 0 in risk by default
    "other": 1.0,
}

_ONS_CSS: dict[str, float] = {
    "anti_social_behaviour": 1.0,  # not a recorded crime: nominal
    "bicycle_theft": 20.0,
    "burglary": _blend("burglary", 3),
    "criminal_damage_arson": _blend("criminal_damage_arson", 3),
    "drugs": _blend("drugs", 3),
    "other_crime": 50.0,
    "other_theft": 20.0,
    "possession_of_weapons": _blend("possession_of_weapons", 3),
    "public_order": _blend("public_order", 3),
    "robbery": 800.0,
    "shoplifting": 10.0,
    "theft_from_the_person": 100.0,
    "vehicle_crime": _blend("vehicle_crime", 3),
    "violence_and_sexual_offences": _blend("violence_and_sexual_offences", 3),
    "violence_with_injury": 200.0,
    "violence_without_injury": 25.0,
    "sexual_offence": 800.0,
    "weapons": 180.0,
    "drunk_and_disorderly": 5.0,
    "criminal_damage": 20.0,
    "theft": 20.0,
    "concern_for_welfare": 1.0,
    "licensing_concern": 1.0,
    "door_staff_request": 1.0,
    "refusal_report": 1.0,
    "other": 10.0,
}

_TABLES = {"cchi": _CCHI, "ons_css": _ONS_CSS, "count": dict.fromkeys(CATEGORIES, 1.0)}

# THRIVE response grades (Emergency, Priority, Scheduled, Contact Resolution).  No
# published harm multiplier exists: these are a documented local-policy default that
# lets an emergency-graded call count for more than one resolved by phone.
THRIVE_MULTIPLIERS = {"E": 1.5, "P": 1.2, "S": 1.0, "CR": 0.8, "": 1.0}

_HARM_KEYS = {"scheme", "weights", "thrive", "preventive"}


def _split_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Accept either a whole ``[harm]`` section or a flat {category: weight} mapping."""
    if not overrides:
        return {"weights": {}}
    out: dict[str, Any] = {"weights": {}}
    for key, value in overrides.items():
        if key in _HARM_KEYS:
            out[key] = value
        elif key in CATEGORIES:
            out["weights"][key] = value
        else:
            import difflib

            near = difflib.get_close_matches(str(key), [*CATEGORIES, *_HARM_KEYS], n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise ConfigError(
                f"Config [harm]: unknown setting '{key}'.{hint} Expected a category "
                f"({', '.join(CATEGORIES)}) or one of {', '.join(sorted(_HARM_KEYS))}."
            )
    weights = out.get("weights") or {}
    if not isinstance(weights, Mapping):
        raise ConfigError("Config [harm.weights]: expected a table of category = weight.")
    out["weights"] = dict(weights)
    return out


def _number(value: Any, where: str) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"Config {where}: found {value!r}; expected a number >= 0.") from None
    if not np.isfinite(f) or f < 0:
        raise ConfigError(f"Config {where}: found {value!r}; expected a number >= 0.")
    return f


def preventive_categories(overrides: Mapping[str, Any] | None = None) -> frozenset[str]:
    """Return the categories kept out of risk (``[harm] preventive``, default PREVENTIVE_CATEGORIES)."""
    ov = _split_overrides(overrides)
    if "preventive" not in ov:
        return PREVENTIVE_CATEGORIES
    value = ov["preventive"]
    if isinstance(value, str):
        value = [value]
    cats = frozenset(str(c) for c in value)
    unknown = sorted(cats - set(CATEGORIES))
    if unknown:
        raise ConfigError(
            f"Config [harm] preventive: unknown category '{unknown[0]}'; expected one of {', '.join(CATEGORIES)}."
        )
    return cats


def scheme_from(overrides: Mapping[str, Any] | None, default: str = "cchi") -> str:
    """Return the scheme named in a ``[harm]`` section, or ``default``."""
    scheme = str((overrides or {}).get("scheme", default))
    if scheme not in SCHEMES:
        raise ConfigError(f"Config [harm] scheme: found '{scheme}'; expected one of {', '.join(SCHEMES)}.")
    return scheme


def harm_weights(scheme: str = "cchi", overrides: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Return the harm weight of every licvisit category under ``scheme``.

    Parameters
    ----------
    scheme : {"cchi", "ons_css", "count"}
        Which table to start from (see ``HARM_SOURCES``).
    overrides : mapping, optional
        The ``[harm]`` config section, or a flat ``{category: weight}`` mapping.
        ``weights`` replace table values; categories in ``preventive`` (default
        ``PREVENTIVE_CATEGORIES``) weigh 0.

    Returns
    -------
    dict[str, float]
        category -> weight [CCHI days, CSS points or 1], for every category in
        ``licvisit.domain.CATEGORIES``.

    Raises
    ------
    ConfigError
        Unknown scheme or category, or a negative / non-numeric weight.
    """
    if scheme not in SCHEMES:
        raise ConfigError(f"Unknown harm scheme '{scheme}'; expected one of {', '.join(SCHEMES)}.")
    ov = _split_overrides(overrides)
    table = dict(_TABLES[scheme])
    for cat, value in ov["weights"].items():
        if cat not in CATEGORIES:
            raise ConfigError(
                f"Config [harm.weights]: unknown category '{cat}'; expected one of {', '.join(CATEGORIES)}."
            )
        table[cat] = _number(value, f"[harm.weights] {cat}")
    for cat in preventive_categories(overrides):
        if cat not in ov["weights"]:
            table[cat] = 0.0
    return {c: float(table[c]) for c in CATEGORIES}


def thrive_multipliers(overrides: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Return the harm multiplier for each THRIVE grade ('' = not graded).

    ``overrides`` is the ``[harm]`` section (its ``thrive`` table is used) or a
    flat ``{grade: multiplier}`` mapping.
    """
    out = dict(THRIVE_MULTIPLIERS)
    if not overrides:
        return out
    table = overrides.get("thrive", overrides) if "thrive" in overrides else overrides
    for grade, value in table.items():
        if grade in _HARM_KEYS or grade in CATEGORIES:
            continue  # part of a whole [harm] section without a thrive table
        g = str(grade).upper()
        if g not in THRIVE_GRADES and g != "":
            raise ConfigError(
                f"Config [harm.thrive]: unknown grade '{grade}'; expected one of {', '.join(THRIVE_GRADES)}."
            )
        out[g] = _number(value, f"[harm.thrive] {grade}")
    return out


def call_harm(
    calls: pd.DataFrame, scheme: str = "cchi", overrides: Mapping[str, Any] | None = None
) -> np.ndarray:
    """Return each call's harm: category weight x THRIVE multiplier (vectorised).

    Unknown categories take the weight of ``other``; unknown or blank THRIVE
    grades multiply by 1.  Preventive categories weigh 0 (see ``harm_weights``).

    Returns
    -------
    numpy.ndarray of float64, one value per row of ``calls``.
    """
    if len(calls) == 0:
        return np.zeros(0)
    # Factorise first: string work once per distinct value, not per call.
    codes, uniq = pd.factorize(calls["category"], use_na_sentinel=True)
    return call_harm_of_codes(calls, codes, uniq, scheme, overrides)


def call_harm_of_codes(
    calls: pd.DataFrame,
    codes: np.ndarray,
    uniq: Any,
    scheme: str = "cchi",
    overrides: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """:func:`call_harm` from ``pd.factorize(calls["category"])`` done already (codes, uniques)."""
    if len(calls) == 0:
        return np.zeros(0)
    weights = harm_weights(scheme, overrides)
    uw = np.array(
        [weights.get(str(u), weights["other"]) for u in np.asarray(uniq, dtype=object)] + [weights["other"]]
    )
    codes = np.array(codes, dtype=np.int64)  # a copy: the caller may use its codes again
    codes[codes < 0] = len(uw) - 1
    harm = uw[codes]
    if "thrive" in calls.columns and scheme != "count":
        mult = thrive_multipliers(overrides.get("thrive") if overrides and "thrive" in overrides else None)
        gcodes, guniq = pd.factorize(calls["thrive"], use_na_sentinel=True)
        mtab = np.array(
            [mult.get(str(u).strip().upper(), 1.0) for u in np.asarray(guniq, dtype=object)] + [1.0]
        )
        gcodes = np.asarray(gcodes, dtype=np.int64)
        gcodes[gcodes < 0] = len(mtab) - 1
        harm = harm * mtab[gcodes]
    return harm.astype(np.float64)
