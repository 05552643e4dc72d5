"""Where the test data and the repository are, for the tests in every folder under tests/."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
TEST_DATA = TESTS / "data"  # small hand-made, real-format inputs (tests/data, see the READMEs there)
REPO_ROOT = TESTS.parent  # the checkout: README.md, data/ (the demo inputs), benchmarks/
