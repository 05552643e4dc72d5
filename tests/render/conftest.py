"""Fixtures shared by the render tests: the hand-made map fixture in tests/data/maps."""

from __future__ import annotations

import pytest

from tests.browser import map_inputs


@pytest.fixture
def map_fixture() -> dict:
    """A fresh copy of the map fixture (``tests.browser.map_inputs``): a saved plan with three
    crew-nights in the week of 10 November 2025, seven premises (P1 is named
    ``<img src=x onerror=alert(1)>``), their ranking, visit history, calls and two NTE zones."""
    return map_inputs()
