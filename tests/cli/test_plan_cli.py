"""CLI tests for licvisit plan, check and the error path (small real-format week in tests/data/plan)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from licvisit.cli import main
from licvisit.cli.plan import parse_lock, parse_week
from licvisit.errors import ConfigError
from tests.paths import TEST_DATA

DATA = TEST_DATA / "plan"
CFG = str(DATA / "licvisit.toml")


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The test week planned once through the CLI into a temporary folder."""
    out = tmp_path_factory.mktemp("plan")
    res = CliRunner().invoke(
        main,
        ["plan", "--config", CFG, "--week", "2025-W41", "--out", str(out), "--maps-dir", str(out / "maps")],
    )
    assert res.exit_code == 0, res.output
    return out, res.output


def test_plan_writes_every_output_and_says_so(planned):
    out, text = planned
    assert "Plan check: passed." in text and "crews" in text
    for name in (
        "plan.json",
        "roster.csv",
        "roster.html",
        "visits.csv",
        "visits.json",
        "dropped.csv",
        "bent_rules.csv",
    ):
        assert (out / name).is_file(), name
    plan = json.loads((out / "plan.json").read_text())
    assert plan["week_start"] == "2025-10-06" and plan["visits"]
    assert len(list((out / "itineraries").glob("*.txt"))) == len(plan["crews"])


def test_plan_says_how_many_palo_nights_it_used(planned):
    out, text = planned
    meta = json.loads((out / "plan.json").read_text())["meta"]
    used, avail = meta["palo_nights_used"], meta["palo_nights_available"]
    assert 0 < used <= avail
    line = next(ln for ln in text.splitlines() if ln.startswith("PALO nights used:"))
    assert line.startswith(
        f"PALO nights used: {used} of {avail} available ({100 * used / avail:.0f} %; availability capped by "
        "max_shifts)"
    )


def test_plan_says_each_step_as_it_starts(planned):
    """A plan takes tens of seconds: the sergeant sees which step it is on, in order, with the time."""
    import re

    _, text = planned
    steps = [
        "choosing candidate visits from the ranking",
        "rostering ",
        "routing ",
        "fitting shifts and breaks, explaining what was left out",
        "computing the upper bound on the week's value",
        "checking every hard rule independently",
    ]
    where = [text.find(s) for s in steps]
    assert -1 not in where and where == sorted(where), where
    assert re.search(r"\[\s*\d+\.\ds\] routing \d+ crews \(OR-Tools, work limit [\d,]+\)", text)


def test_check_passes_a_written_plan(planned):
    out, _ = planned
    res = CliRunner().invoke(main, ["check", str(out), "--config", CFG])
    assert res.exit_code == 0, res.output
    assert "pass every hard rule" in res.output


def test_check_fails_a_tampered_plan(planned, tmp_path):
    out, _ = planned
    plan = json.loads((out / "plan.json").read_text())
    plan["visits"].append(dict(plan["visits"][0], order=99))
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--config", CFG])
    assert res.exit_code == 1
    assert "second" in res.output and "hard-rule violation" in res.output


def test_infeasible_week_is_one_line_error_and_exit_1(tmp_path):
    staff = tmp_path / "staff.csv"
    text = (DATA / "staff.csv").read_text(encoding="utf-8-sig").splitlines()
    staff.write_text("\n".join(text[:1]) + "\n", encoding="utf-8")
    res = CliRunner().invoke(
        main,
        ["plan", "--config", CFG, "--staff", str(staff), "--week", "2025-W41", "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 1
    assert res.output.startswith("Error: ")


def test_parse_week_and_lock():
    assert str(parse_week("2025-W41")) == "2025-10-06"
    assert str(parse_week("2025-10-09")) == "2025-10-06"
    lk = parse_lock("598128@2025-10-10:sia_check")
    assert (lk.premises_id, str(lk.night), lk.op_type) == ("598128", "2025-10-10", "sia_check")
    with pytest.raises(ConfigError, match="expected an ISO week"):
        parse_week("week 41")
    with pytest.raises(ConfigError, match="expected PREMISES_ID@YYYY-MM-DD"):
        parse_lock("598128 on Friday")


def test_commands_have_help():
    for cmd in ("plan", "check", "bench-vrptw"):
        res = CliRunner().invoke(main, [cmd, "--help"])
        assert res.exit_code == 0 and len(res.output) > 100


def test_check_applies_the_busy_zone_rule_with_the_zones_file(planned, tmp_path):
    """`licvisit check` reads the zones, so a licensing crew of two in a busy zone fails there too."""
    out, _ = planned
    plan = json.loads((out / "plan.json").read_text())
    two = {c["crew_id"] for c in plan["crews"] if len(c["members"]) == 2}
    lic = [v for v in plan["visits"] if v["op_type"] == "licensing_compliance" and v["crew_id"] in two]
    assert lic, "the test week should have a licensing crew of two"
    plan["meta"]["params"]["busy_zones"] = ["everywhere"]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    zones = tmp_path / "zones.geojson"
    square = [[-3.0, 51.5], [0.0, 51.5], [0.0, 53.5], [-3.0, 53.5], [-3.0, 51.5]]
    zones.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"zone_id": "everywhere", "name": "Everywhere"},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    }
                ],
            }
        )
    )
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--config", CFG, "--zones", str(zones)])
    assert res.exit_code == 1, res.output
    v = lic[0]
    assert (
        f"Visit {v['premises_id']} (licensing_compliance, {v['crew_id']}): in a busy zone without uniformed support."
        in res.output
    )


def test_a_plan_stopped_by_the_clock_says_it_may_not_repeat(planned, tmp_path):
    """Stopped on the work limit: no warning; stopped on the wall-clock cap: the summary says so."""
    out, text = planned
    meta = json.loads((out / "plan.json").read_text(encoding="utf-8"))["meta"]
    assert meta["routing_stopped_by"] == "work_limit"
    assert meta["roster_stopped_by"] in ("solved", "deterministic_time")
    assert "wall-clock cap" not in text
    cfg = tmp_path / "licvisit.toml"  # a work limit no search reaches, so the clock stops it
    inputs = "".join(
        f'{k} = "{(DATA / k).with_suffix(".csv").as_posix()}"\n' for k in ("calls", "premises", "staff")
    )
    cfg.write_text(f"[inputs]\n{inputs}\n[plan]\nwork_limit = 1000000000\n", encoding="utf-8")
    res = CliRunner().invoke(
        main,
        [
            "plan",
            "--config",
            str(cfg),
            "--week",
            "2025-W41",
            "--out",
            str(tmp_path / "p"),
            "--time-limit",
            "0.5",
        ],
    )
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "p" / "plan.json").read_text(encoding="utf-8"))["meta"]
    assert meta["routing_stopped_by"] == "time_limit"
    assert (
        "Warning: the routing search stopped on its wall-clock cap before its work limit, so the same inputs "
        "may give another plan on a busier or quieter machine. Fix: raise --time-limit (or [plan] time_limit_s), "
        "or lower work_limit / roster_deterministic_time."
    ) in res.output
