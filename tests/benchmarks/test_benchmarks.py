"""Tests for the benchmark drivers' own logic (benchmarks/bench_vrptw.py, benchmarks/run_all.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tests.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_vrptw  # noqa: E402
import run_all  # noqa: E402

from licvisit.core.plan.vrptw import VrptwInstance, route_schedule


def tiny_instance() -> VrptwInstance:
    """Depot and four customers on a square, loose windows, two vehicles of capacity 2."""
    x = np.array([0.0, 10, 10, -10, -10])
    y = np.array([0.0, 10, -10, 10, -10])
    n = len(x)
    return VrptwInstance(
        name="tiny",
        x=x,
        y=y,
        demand=np.array([0.0, 1, 1, 1, 1]),
        ready=np.zeros(n),
        due=np.full(n, 1000.0),
        service=np.array([0.0, 5, 5, 5, 5]),
        vehicles=2,
        capacity=2,
    )


def test_pyvrp_routes_are_numbered_like_the_instance_and_pass_the_independent_check():
    pytest.importorskip("pyvrp")
    inst = tiny_instance()
    res = bench_vrptw.solve_pyvrp(inst, 0.5, vehicles=2)
    served = sorted(c for r in res["routes"] for c in r)
    assert served == [1, 2, 3, 4]  # PyVRP's client 0 is customer 1
    assert res["feasible"] and res["unserved"] == 0
    assert res["distance"] == pytest.approx(sum(route_schedule(inst, r)[0] for r in res["routes"]), abs=0.05)


def test_default_instances_take_fleet_and_best_known_from_bks_json(tmp_path):
    folder = tmp_path / "solomon100"
    folder.mkdir()
    (folder / "bks.json").write_text(
        '{"R102": {"vehicles": 18, "distance": 1466.6}, "R999": {"vehicles": 1, "distance": 1}}'
    )
    (folder / "R102.txt").write_text("R102\n")
    specs = bench_vrptw.default_instances(tmp_path)
    assert specs[0] == (folder / "R102.txt", 18, 1466.6)
    assert all(p.stem != "R999" for p, _, _ in specs)  # listed but no file: skipped
    (folder / "RC208.txt").write_text("RC208\n")
    (folder / "bks.json").write_text('{"RC208": {"vehicles": 4, "distance": 776.1}}')
    stems = [p.stem for p, _, _ in bench_vrptw.default_instances(tmp_path)]
    assert stems.count("RC208") == 1  # the offline copy in tests/data/vrp is not run again


def test_table_marks_an_instance_with_unserved_customers_as_infeasible():
    rows = [
        {
            "instance": "RC101",
            "engine": "ortools",
            "customers": 100,
            "fleet": 14,
            "best_known": 1619.8,
            "distance": 1600.0,
            "vehicles": 14,
            "feasible": False,
            "unserved": 1,
            "gap_pct": None,
        },
        {
            "instance": "RC101",
            "engine": "pyvrp",
            "customers": 100,
            "fleet": 14,
            "best_known": 1619.8,
            "distance": 1619.8,
            "vehicles": 14,
            "feasible": True,
            "unserved": 0,
            "gap_pct": 0.0,
        },
    ]
    line = bench_vrptw.table(rows, ["ortools", "pyvrp"])[2]
    assert line == "| RC101 | 100 | 14 | 1619.8 | 1600.0 (14 veh.) | **no** (1 unserved) | 1619.8 | 0.00 % |"
    s = bench_vrptw.summary(rows, "ortools")
    assert (s["feasible"], s["mean_gap"]) == (0, None)
    assert bench_vrptw.summary(rows, "pyvrp")["at_best_known"] == 1


def test_solomon_line_names_the_infeasible_instances_and_the_worst_gap():
    def row(name, feasible, gap):
        return {"instance": name, "engine": "ortools", "feasible": feasible, "gap_pct": gap}

    rows = [row("C103", True, 0.0), row("R107", True, 3.5), row("RC103", False, None), row("R104", True, 1.0)]
    assert bench_vrptw.solomon_line(rows, "ortools") == (
        "- ortools: feasible on 3 of 4 (not: RC103), mean gap 1.50 %, worst 3.50 % (R107), at best known on 1."
    )
    assert bench_vrptw.solomon_line([row("RC103", False, None)], "ortools") == (
        "- ortools: feasible on 0 of 1 (not: RC103), at best known on 0."
    )


def test_doc_block_is_replaced_and_the_hand_written_text_kept(tmp_path):
    doc = tmp_path / "vrptw.md"
    doc.write_text(
        f"# Title\n\nintro\n\n{bench_vrptw.BEGIN}\nold table\n{bench_vrptw.END}\n\n## Notes\nkept\n"
    )
    bench_vrptw.write_doc(f"{bench_vrptw.BEGIN}\nnew table\n{bench_vrptw.END}", doc)
    text = doc.read_text()
    assert "new table" in text and "old table" not in text
    assert text.startswith("# Title\n\nintro\n") and text.endswith("## Notes\nkept\n")


def test_run_all_replace_block_appends_then_replaces(tmp_path):
    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n")
    run_all.replace_block(doc, "bench_plan", "| a |\n|---|\n| 1 |")
    run_all.replace_block(doc, "bench_plan", "| a |\n|---|\n| 2 |")
    text = doc.read_text()
    assert text.count("<!-- bench_plan:begin -->") == 1
    assert "| 2 |" in text and "| 1 |" not in text


def test_run_all_keeps_the_table_of_a_benchmark_output():
    out = "loading...\nsolving\n| run | value |\n|---|---:|\n| greedy | 1.0 |\n\n10x longer run improves value by +0.29 %\n"
    assert (
        run_all.table_lines(out)
        == "| run | value |\n|---|---:|\n| greedy | 1.0 |\n\n10x longer run improves value by +0.29 %"
    )


def test_run_all_lists_every_benchmark_script():
    scripts = {b.script for b in run_all.benches(Path("/tmp"))}
    on_disk = {p.name for p in (Path(run_all.__file__).parent).glob("bench_*.py")}
    assert scripts == on_disk
