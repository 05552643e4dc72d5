"""`licvisit demo` runs the whole pipeline on the bundled data and says where the outputs are."""

import json

import pytest
from click.testing import CliRunner

from licvisit.cli import main
from tests.paths import REPO_ROOT

ROOT = REPO_ROOT


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One demo run on the bundled data, with a smaller routing work limit.

    The work limit, not the wall clock, stops the search (the time limit is far
    above it), so the plan is the same on a loaded machine as on a quiet one.
    """
    root = tmp_path_factory.mktemp("demo")
    bundled = (ROOT / "data" / "licvisit.toml").read_text(encoding="utf-8")
    cfg = root / "licvisit.toml"
    cfg.write_text(
        bundled.replace('= "', f'= "{(ROOT / "data").as_posix()}/').replace(
            "[plan]\n", "[plan]\nwork_limit = 300000\ntime_limit_s = 600\n"
        ),
        encoding="utf-8",
    )
    out = root / "maps"
    result = CliRunner().invoke(main, ["demo", "--config", str(cfg), "--out", str(out)])
    return out, result


def test_demo_succeeds_and_prints_where_outputs_are(demo_run):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    for rel in (
        "index.html",
        "overview.html",
        "ranking/ranking.csv",
        "plan/roster.html",
        "evidence/report.html",
    ):
        assert (out / rel).is_file(), rel
        assert str(out / rel) in result.output


def test_demo_plan_uses_all_three_operation_types_and_passes_check(demo_run):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan" / "plan.json").read_text(encoding="utf-8"))
    ops = {v["op_type"] for v in plan["visits"]}
    header = (ROOT / "data" / "premises_birmingham.csv").read_text(encoding="utf-8-sig").split("\n", 1)[0]
    if "door_hours_fri" in header:
        assert ops == {"licensing_compliance", "sia_check", "gang_op"}
    else:  # no door-supervision hours in the register: no SIA check, each one said why
        assert ops == {"licensing_compliance", "gang_op"}
        sia = [d for d in plan["dropped"] if d["op_type"] == "sia_check"]
        assert sia and {d["reason_code"] for d in sia} == {"no_door_supervision", "recently_visited"}
    check = CliRunner().invoke(
        main, ["check", str(out / "plan"), "--config", str(ROOT / "data" / "licvisit.toml")]
    )
    assert check.exit_code == 0, check.output
    # every crew-night has its own map, and every candidate left out has a reason
    crews = {(c["night"], c["crew_id"]) for c in plan["crews"]}
    assert len(list(out.glob("20*.html"))) == len(crews)
    assert all(d["reason"] for d in plan["dropped"])


def test_demo_is_deterministic_for_the_ranking(demo_run, tmp_path):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(
        main,
        [
            "rank",
            "--config",
            str(ROOT / "data" / "licvisit.toml"),
            "--as-of",
            "2025-10-06",
            "--out",
            str(tmp_path),
            "--top",
            "0",
        ],
    )
    assert again.exit_code == 0, again.output
    a = (out / "ranking" / "ranking.csv").read_bytes()
    b = (tmp_path / "ranking.csv").read_bytes()
    assert a == b
