"""Tests for benchmarks/bench_rank.py's report (the measuring itself is the benchmark's job)."""

from __future__ import annotations

import sys

from tests.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_rank  # noqa: E402


def test_load_lines_give_the_spread_of_each_pipelines_wall_time():
    results = {
        "bench": {
            "naive": [{"total_s": 15.85, "cpu_s": 15.66}, {"total_s": 24.99, "cpu_s": 16.2}],
            "licvisit_cli": [{"total_s": 12.15}, {"total_s": 14.47}],
        },
        "glossary": {  # one repeat: no spread to report
            "naive": [{"total_s": 23.9, "cpu_s": 15.77}],
            "licvisit_cli": [{"total_s": 12.93}],
        },
    }
    lines = bench_rank._load_lines(["bench", "glossary"], results)
    assert len(lines) == 2 and lines[1] == ""
    assert "(bench: naive 15.8-25.0 s wall for 15.7-16.2 CPU seconds, whole command 12.2-14.5 s)" in lines[0]
    assert "glossary" not in lines[0]
    assert bench_rank._load_lines(["glossary"], results) == []
