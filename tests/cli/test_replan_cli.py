"""CLI tests for ``licvisit plan --previous``: re-plan the touched nights, say which, pass ``licvisit check``."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from licvisit.cli import main
from tests.paths import TEST_DATA

DATA = TEST_DATA / "plan"
CFG = str(DATA / "licvisit.toml")


def _plan(out, *extra):
    return CliRunner().invoke(
        main, ["plan", "--config", CFG, "--week", "2025-W41", "--out", str(out), "--maps-dir", str(out / "maps"),
               *extra],
    )  # fmt: skip


@pytest.fixture(scope="module")
def replanned(tmp_path_factory):
    """The test week planned through the CLI, then re-planned with its first visit's premises excluded."""
    first = tmp_path_factory.mktemp("plan")
    res = _plan(first)
    assert res.exit_code == 0, res.output
    before = json.loads((first / "plan.json").read_text())
    gone = before["visits"][0]
    second = tmp_path_factory.mktemp("replan")
    res = _plan(second, "--previous", str(first), "--exclude", gone["premises_id"])
    assert res.exit_code == 0, res.output
    return before, gone, second, res.output


def test_replan_says_which_nights_changed_and_keeps_the_others(replanned):
    before, gone, out, text = replanned
    night = dt.date.fromisoformat(gone["night"])
    assert f"Re-planned {night:%a %d %b}; kept the other 6 nights as they were." in text
    assert re.search(
        rf"\] re-planning {night:%a %d %b}; kept the other 6 nights as they were: routing \d+ crews "
        r"\(OR-Tools, work limit [\d,]+\)",
        text,
    )
    after = json.loads((out / "plan.json").read_text())
    assert after["meta"]["nights_replanned"] == [gone["night"]]
    assert len(after["meta"]["nights_kept"]) == 6
    kept = set(after["meta"]["nights_kept"])
    assert [v for v in after["visits"] if v["night"] in kept] == [
        v for v in before["visits"] if v["night"] in kept
    ]
    assert not any(v["premises_id"] == gone["premises_id"] for v in after["visits"])
    changes = (out / "changes.csv").read_text(encoding="utf-8-sig")
    assert f'"{gone["premises_id"]}","{gone["op_type"]}","removed",' in changes
    assert "excluded this time" in changes


def test_check_passes_the_replanned_week(replanned):
    *_, out, _ = replanned
    res = CliRunner().invoke(main, ["check", str(out), "--config", CFG])
    assert res.exit_code == 0, res.output
    assert "pass every hard rule" in res.output


def test_a_previous_plan_of_another_week_is_refused(replanned, tmp_path):
    *_, out, _ = replanned
    other = tmp_path / "other"
    shutil.copytree(out, other)
    plan = json.loads((other / "plan.json").read_text())
    plan["week_start"] = "2025-09-29"
    (other / "plan.json").write_text(json.dumps(plan))
    res = _plan(tmp_path / "o", "--previous", str(other))
    assert res.exit_code == 1
    assert res.output == (
        f"Error: --previous {other}: that plan is for the week of Mon 29 Sep 2025, not the week of "
        "Mon 06 Oct 2025 being planned. Fix: give the folder of a plan for 2025-W41, or leave out --previous.\n"
    )


def test_a_full_re_plan_says_why(replanned, capsys):
    from licvisit.cli.plan import _summary
    from licvisit.io.plan_io import read_plan

    *_, out, _ = replanned
    p = read_plan(out)
    p.meta.update(
        replan="full", replan_fallback="CL02 of crew TUE-LIC-1 is no longer available on Tue 07 Oct"
    )
    _summary(p)
    text = capsys.readouterr().out
    assert "Re-planned the whole week: CL02 of crew TUE-LIC-1 is no longer available on Tue 07 Oct.\n" in text
    assert "kept the other" not in text
