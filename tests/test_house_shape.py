"""Shape of the modules reorganised by issue 11: the synth package and short functions.

``licvisit.synth`` is a package by stage (params, model, calls, premises,
visits) whose ``__init__`` re-exports the names callers import; the io
readers, the risk stage (attribution, score, rank, backtest), the hearing
sections of the evidence pack, the planning modules (candidates, checker,
routing, week) and the synth generators have no function longer than about
120 lines (coordinators read as a short list of named steps).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import licvisit
import licvisit.synth

PACKAGE = Path(licvisit.__file__).resolve().parent
MAX_LINES = 120
SHORT_MODULES = (
    "io/calls.py",
    "io/geo.py",
    "io/premises.py",
    "io/staff.py",
    "io/zones.py",
    "core/risk/attribution.py",
    "core/risk/score.py",
    "core/risk/rank.py",
    "core/risk/backtest.py",
    "core/plan/candidates.py",
    "core/plan/checker.py",
    "core/plan/routing.py",
    "core/plan/week.py",
    "core/evidence/hearing.py",
    "synth/__init__.py",
    "synth/params.py",
    "synth/model.py",
    "synth/calls.py",
    "synth/premises.py",
    "synth/visits.py",
)


def test_synth_public_names_come_from_their_stage_modules():
    home = {
        "SynthParams": "params",
        "CALL_OUTPUT_COLUMNS": "params",
        "CATEGORY_MIX": "params",
        "premises_rates": "model",
        "synth_calls": "calls",
        "synth_licence_attributes": "premises",
        "synth_premises": "premises",
        "fictitious_names": "premises",
        "classify_premises_type": "premises",
        "synth_visits": "visits",
        "VISIT_NOTES": "visits",
    }
    for name, module in home.items():
        stage = importlib.import_module(f"licvisit.synth.{module}")
        assert getattr(licvisit.synth, name) is getattr(stage, name), name
    assert set(home) <= set(licvisit.synth.__all__)
    assert all(hasattr(licvisit.synth, name) for name in licvisit.synth.__all__)


def test_no_long_functions_in_the_reorganised_modules():
    long = []
    for rel in SHORT_MODULES:
        tree = ast.parse((PACKAGE / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{rel}::{node.name} ({lines} lines)")
    assert long == []
