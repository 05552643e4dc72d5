"""Tests for the Solomon / VRPLIB reader and the VRPTW solver wrapper (same routing code as the planner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from licvisit.cli import main
from licvisit.core.plan.vrptw import route_schedule, solve_vrptw
from licvisit.io.vrptw import read_vrptw
from tests.paths import TEST_DATA

DATA = TEST_DATA / "vrp"


def read_sol(path: Path) -> list[list[int]]:
    return [
        [int(t) for t in ln.split(":")[1].split()]
        for ln in path.read_text().splitlines()
        if ln.startswith("Route")
    ]


def test_read_solomon_c101():
    inst = read_vrptw(DATA / "C101.txt")
    assert inst.name == "C101"
    assert inst.n_customers == 100 and inst.vehicles == 25 and inst.capacity == 200
    assert (inst.x[0], inst.y[0], inst.due[0]) == (40, 50, 1236)
    assert (inst.ready[1], inst.due[1], inst.service[1], inst.demand[1]) == (912, 967, 90, 10)


def test_read_vrplib_rc208():
    inst = read_vrptw(DATA / "RC208.vrp")
    assert inst.n_customers == 100 and inst.vehicles == 25 and inst.capacity == 1000
    assert inst.service[0] == 0 and inst.service[1] == 10
    assert (inst.ready[1], inst.due[1]) == (388, 911)


@pytest.mark.parametrize(("name", "best"), [("C101", 827.3), ("RC208", 776.1), ("C201R0.25", 1068.7)])
def test_known_solutions_check_as_feasible_with_their_cost(name, best):
    inst = read_vrptw(DATA / (name + (".txt" if name == "C101" else ".vrp")))
    routes = read_sol(DATA / f"{name}.sol")
    total = 0.0
    for r in routes:
        dist, ok = route_schedule(inst, r)
        assert ok
        total += dist
    assert round(total, 1) == pytest.approx(best, abs=0.1)


def test_multi_trip_instance_is_read_with_reloads():
    inst = read_vrptw(DATA / "C201R0.25.vrp")
    assert inst.reload and inst.n_customers == 70 and inst.vehicles == 6 and inst.capacity == 100


def test_reload_inside_a_route_empties_the_vehicle():
    inst = read_vrptw(DATA / "C201R0.25.vrp")
    sol = read_sol(DATA / "C201R0.25.sol")
    long = max(sol, key=lambda r: r.count(0))
    assert long.count(0) >= 2
    _, ok = route_schedule(inst, long)
    _, ok_without = route_schedule(inst, [c for c in long if c != 0])
    assert ok and not ok_without


def test_solve_c101_short_run_is_feasible_with_best_known_fleet():
    inst = read_vrptw(DATA / "C101.txt")
    res = solve_vrptw(inst, 5.0, vehicles=10)
    assert res["feasible"] and res["vehicles"] <= 10
    served = sorted(c for r in res["routes"] for c in r)
    assert served == list(range(1, 101))
    assert res["distance"] < 827.3 * 1.05


def test_bench_vrptw_cli_prints_json(tmp_path):
    result = CliRunner().invoke(
        main, ["bench-vrptw", str(DATA / "C101.txt"), "--time-limit", "1", "--vehicles", "10"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"routes", "distance", "vehicles", "feasible"} <= set(out)
    # One second is too short to promise feasibility on a busy machine; the flag must be honest.
    assert out["feasible"] == (out["unserved"] == 0)
    assert out["vehicles"] <= 10


def test_bench_vrptw_cli_rejects_a_non_instance(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n")
    result = CliRunner().invoke(main, ["bench-vrptw", str(bad), "--time-limit", "1"])
    assert result.exit_code == 1
    assert "Expected a Solomon VRPTW file" in result.output
