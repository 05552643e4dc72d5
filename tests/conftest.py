"""Fixtures shared by every test folder.

``tests/`` mirrors the package: ``io/``, ``core/risk/``, ``core/plan/``, ``core/evidence/``,
``render/``, ``cli/`` (end-to-end commands through click's CliRunner) and ``app/`` (the pipeline
and the demo); tests of the top-level modules (``domain``, ``synth``) sit here.  Helpers shared
across folders are plain modules (``tests/paths.py``, ``tests/browser.py``), never test modules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import TEST_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The folder of small hand-made, real-format inputs, ``tests/data`` (one README per subfolder)."""
    return TEST_DATA
