"""Fixtures shared by the io tests: a small real ranking for the writers to write."""

from __future__ import annotations

import pytest

from licvisit.core.risk import rank_premises
from licvisit.io.calls import read_calls
from licvisit.io.premises import read_premises


@pytest.fixture(scope="module")
def small_ranking(test_data):
    """The five-premises risk fixture (tests/data/risk) read by the io readers and ranked with the
    default parameters; returns ``(ranking, calls)``.  P2 is named ``=HYPERLINK("http://x")``."""
    calls, problems = read_calls(test_data / "risk" / "calls.csv")
    premises, more = read_premises(test_data / "risk" / "premises.csv")
    assert not [p for p in problems + more if p.severity == "error"]
    return rank_premises(calls, premises), calls
