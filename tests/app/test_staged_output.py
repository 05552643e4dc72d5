"""Every output folder is written all-or-nothing; `licvisit check` refuses a plan folder that is not one plan.

The plan tests replay a re-plan into an existing folder with the k-th rename of the
run failing (every file is written to a temporary name and renamed, and the
folders are swapped in by renames), for every k, and compare the folder trees by
SHA-256.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import licvisit.cli.plan
import licvisit.core.plan
import licvisit.core.risk
import licvisit.io.write
from licvisit.cli import main
from licvisit.io.write import MANIFEST, OUTPUT_FILES, staged_folder, staged_folders
from tests.paths import TEST_DATA

DATA = TEST_DATA / "plan"
CFG = str(DATA / "licvisit.toml")
EVIDENCE = TEST_DATA / "evidence"
EXCLUDED = "598456"  # a premises the test week visits, left out in the re-plan


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: relative path -> SHA-256 of the bytes ("dir" for a folder)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def leftovers(folder: Path) -> list[str]:
    """Staging or backup folders licvisit left anywhere under ``folder``."""
    return sorted(p.name for p in folder.rglob("*") if ".licvisit-" in p.name)


class FailAt:
    """Make the ``k``-th rename of licvisit's writers (``licvisit.io.write.replace``) raise ``exc``."""

    def __init__(self, k: int, exc: BaseException):
        self.k, self.exc, self.calls = k, exc, 0
        self.real = licvisit.io.write.replace

    def __call__(self, src, dest):
        self.calls += 1
        if self.calls == self.k:
            raise self.exc
        self.real(src, dest)


def once(func):
    """``func`` computed on its first call and returned as it was on every later one."""
    memo = []

    def call(*args, **kwargs):
        if not memo:
            memo.append(func(*args, **kwargs))
        return memo[0]

    return call


def plan_args(base: Path, *extra: str) -> list[str]:
    return ["plan", "--config", CFG, "--week", "2025-W41", "--out", str(base / "plan"),
            "--maps-dir", str(base / "maps"), *extra]  # fmt: skip


@pytest.fixture(scope="module")
def replan(tmp_path_factory):
    """An old plan folder with its maps (the full test week) and the tree a re-plan without one premises writes.

    ``plan_week`` is recorded so the replays below reuse the re-plan's solution
    instead of solving again (same inputs, same plan: the solver is deterministic).
    """
    root = tmp_path_factory.mktemp("replan")
    res = CliRunner().invoke(main, plan_args(root / "old"))
    assert res.exit_code == 0, res.output
    solved = {}
    real = licvisit.core.plan.plan_week

    def record(*args, **kwargs):
        solved["plan"] = real(*args, **kwargs)
        return solved["plan"]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(licvisit.core.plan, "plan_week", record)
        new_dir = root / "new"
        shutil.copytree(root / "old", new_dir)
        counter = FailAt(0, RuntimeError("never"))
        mp.setattr(licvisit.io.write, "replace", counter)
        res = CliRunner().invoke(main, plan_args(new_dir, "--exclude", EXCLUDED))
    assert res.exit_code == 0, res.output
    assert leftovers(root) == []
    return root, solved["plan"], counter.calls


def test_replan_that_fails_at_any_rename_leaves_the_old_folders_byte_for_byte(replan, tmp_path, monkeypatch):
    root, solved, renames = replan
    old, new = tree(root / "old"), tree(root / "new")
    assert all(old[f] != new[f] for f in ("plan/plan.json", "plan/visits.csv", "maps/overview.html"))
    # every file written (a manifest in each folder among them) is renamed into place once, and the
    # two folders are each moved aside and swapped in
    files = [f for f, h in new.items() if h != "dir"]
    assert renames == len(files) + 4
    monkeypatch.setattr(licvisit.core.plan, "plan_week", lambda *a, **k: solved)
    # read and rank once: the replays differ only in where the writing stops
    monkeypatch.setattr(licvisit.cli.plan, "load_named", once(licvisit.cli.plan.load_named))
    monkeypatch.setattr(licvisit.core.risk, "rank_premises", once(licvisit.core.risk.rank_premises))
    for k in range(1, renames + 1):
        work = tmp_path / f"k{k}"
        shutil.copytree(root / "old", work)
        exc = KeyboardInterrupt() if k % 2 else OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(licvisit.io.write, "replace", FailAt(k, exc))
        res = CliRunner().invoke(main, plan_args(work, "--exclude", EXCLUDED))
        assert res.exit_code == 1, (k, res.output)
        assert tree(work) == old, k
        assert leftovers(tmp_path) == [], k
        shutil.rmtree(work)
    monkeypatch.setattr(licvisit.io.write, "replace", FailAt(0, RuntimeError("never")))
    work = tmp_path / "whole"
    shutil.copytree(root / "old", work)
    res = CliRunner().invoke(main, plan_args(work, "--exclude", EXCLUDED))
    assert res.exit_code == 0, res.output
    whole = tree(work)
    # GDAL stamps the GeoPackage with the time it was written (so the manifest differs too)
    assert {k: v for k, v in whole.items() if not k.endswith((".gpkg", MANIFEST))} == {
        k: v for k, v in new.items() if not k.endswith((".gpkg", MANIFEST))
    }
    assert whole.keys() == new.keys()
    assert leftovers(tmp_path) == []


def test_plan_manifest_lists_every_file_with_its_size_and_hash(replan):
    root, _, _ = replan
    for folder, written_by in ((root / "new" / "plan", "plan"), (root / "new" / "maps", "plan")):
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        assert doc["format"] == "licvisit-manifest/1" and doc["written_by"].startswith(
            f"licvisit {written_by}"
        )
        listed = {e["path"]: e for e in doc["files"]}
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
        assert set(listed) == on_disk
        for rel, e in listed.items():
            data = (folder / rel).read_bytes()
            assert (e["bytes"], e["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


@pytest.fixture
def plan_copy(replan, tmp_path):
    """A copy of the re-planned folder, to break."""
    root, _, _ = replan
    shutil.copytree(root / "new" / "plan", tmp_path / "plan")
    return tmp_path / "plan"


def check(folder: Path):
    return CliRunner().invoke(main, ["check", str(folder), "--config", CFG])


def test_check_passes_the_complete_folder(plan_copy):
    res = check(plan_copy)
    assert res.exit_code == 0, res.output
    assert "Warning" not in res.output


FIX = "Fix: re-run licvisit plan to write the whole folder again."


def test_check_fails_a_folder_with_a_file_missing(plan_copy):
    (plan_copy / "roster.html").unlink()
    res = check(plan_copy)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {plan_copy / 'roster.html'} is missing: the folder is not one complete plan "
        f"(checked against manifest.json). {FIX}\n"
    )


def test_check_fails_a_folder_with_a_file_modified(plan_copy):
    visits = plan_copy / "visits.csv"
    visits.write_bytes(visits.read_bytes().replace(b"FRI", b"SAT", 1))
    (plan_copy / "dropped.csv").unlink()
    res = check(plan_copy)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {plan_copy / 'dropped.csv'} is missing (and 1 more): the folder is not one complete plan "
        f"(checked against manifest.json). {FIX}\n"
    )


def test_check_fails_a_modified_file(plan_copy):
    roster = plan_copy / "roster.csv"
    roster.write_bytes(roster.read_bytes() + b"x\r\n")
    res = check(plan_copy)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {roster} has changed since the plan was written: the folder is not one complete plan "
        f"(checked against manifest.json). {FIX}\n"
    )


def test_check_fails_an_itinerary_from_another_plan(plan_copy):
    (plan_copy / "itineraries" / "SUN-LIC-9.txt").write_text("Crew SUN-LIC-9\n", encoding="utf-8")
    res = check(plan_copy)
    assert res.exit_code == 1
    assert f"Error: {plan_copy / 'itineraries' / 'SUN-LIC-9.txt'} is not part of this plan:" in res.output


def test_check_refuses_a_manifest_it_cannot_read(plan_copy):
    (plan_copy / MANIFEST).write_text("{}", encoding="utf-8")
    res = check(plan_copy)
    assert res.exit_code == 1
    assert res.output == (f"Error: {plan_copy / MANIFEST} is not a licvisit manifest (format None). {FIX}\n")


def test_check_warns_on_a_folder_written_before_manifests_and_checks_the_plan(plan_copy):
    (plan_copy / MANIFEST).unlink()
    res = check(plan_copy)
    assert res.exit_code == 0, res.output
    assert (
        f"Warning: {plan_copy} has no manifest.json (written before licvisit wrote one), so it cannot be "
        "told whether its files belong to one plan; only plan.json is checked. "
        "Fix: re-run licvisit plan to write one.\n"
    ) in res.output
    assert "pass every hard rule" in res.output


def never_solve(*args, **kwargs):
    raise AssertionError("solved although the output folder cannot be written")


@pytest.mark.parametrize("option", ["--out", "--maps-dir"])
def test_plan_output_folder_under_a_file_fails_before_solving(tmp_path, monkeypatch, option):
    monkeypatch.setattr(licvisit.core.plan, "plan_week", never_solve)
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    args = plan_args(tmp_path)
    args[args.index(option) + 1] = str(blocker / "out")
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {option} {blocker / 'out'}: not a directory. "
        "Fix: part of the path is a file, not a folder: choose another folder.\n"
    )


def test_plan_refuses_the_current_folder_as_output(tmp_path, monkeypatch):
    monkeypatch.setattr(licvisit.core.plan, "plan_week", never_solve)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("keep", encoding="utf-8")
    res = CliRunner().invoke(main, [*plan_args(tmp_path / "o")[:-4], "--out", ".", "--maps-dir", "maps"])
    assert res.exit_code == 1
    assert res.output == (
        "Error: --out .: is the current folder or one above it, and licvisit replaces its output folder "
        "as a whole. Fix: choose a folder of its own, e.g. out/plan.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_plan_help_gives_the_real_time_limit_default():
    res = CliRunner().invoke(main, ["plan", "--help"])
    assert res.exit_code == 0
    default = licvisit.core.plan.PlanParams().time_limit_s
    assert f"Routing time limit [s] (default: [plan] time_limit_s, else {default:g})." in " ".join(
        res.output.split()
    )
    assert "30)" not in res.output


def test_backtest_json_under_a_file_fails_before_the_work(tmp_path, monkeypatch):
    import licvisit.core.risk.backtest

    monkeypatch.setattr(licvisit.core.risk.backtest, "backtest", never_solve)
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    args = ["backtest", "--config", CFG, "--n-boot", "10", "--json", str(blocker / "bt.json")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: --json {blocker / 'bt.json'}: not a directory. "
        "Fix: part of the path is a file, not a folder: choose another folder.\n"
    )


# --- maps, evidence, demo ---------------------------------------------------------------------
def maps_args(plan_dir: Path, out: Path, cfg: str = CFG) -> list[str]:
    return ["maps", "--plan", str(plan_dir), "--config", cfg, "--out", str(out)]


def test_maps_failing_midway_leaves_the_old_maps_and_a_whole_run_replaces_only_its_own(
    replan, tmp_path, monkeypatch
):
    root, _, _ = replan
    maps = tmp_path / "maps"
    shutil.copytree(root / "old" / "maps", maps)
    (maps / "notes.txt").write_text("the sergeant's own notes", encoding="utf-8")
    old = tree(maps)
    monkeypatch.setattr(licvisit.io.write, "replace", FailAt(3, KeyboardInterrupt()))
    res = CliRunner().invoke(main, maps_args(root / "new" / "plan", maps))
    assert res.exit_code == 1
    assert tree(maps) == old and leftovers(tmp_path) == []
    monkeypatch.setattr(licvisit.io.write, "replace", FailAt(0, RuntimeError("never")))
    res = CliRunner().invoke(main, maps_args(root / "new" / "plan", maps))
    assert res.exit_code == 0, res.output
    new = tree(maps)
    # the maps the re-plan wrote, plus the user's own file carried over untouched
    assert {k: v for k, v in new.items() if k not in ("notes.txt", MANIFEST)} == {
        k: v for k, v in tree(root / "new" / "maps").items() if k != MANIFEST
    }
    assert new["notes.txt"] == old["notes.txt"] and leftovers(tmp_path) == []


def test_maps_ranks_with_the_configs_risk_and_harm_as_plan_does(tmp_path):
    cfg = tmp_path / "licvisit.toml"
    text = (DATA / "licvisit.toml").read_text(encoding="utf-8")
    for kind in ("calls", "premises", "staff", "visits"):
        text = text.replace(f'"{kind}.csv"', json.dumps(str(DATA / f"{kind}.csv")))
    text += '\n[risk]\nradius_m = 15\nhalf_life_days = 20\n\n[harm]\nscheme = "count"\n'
    cfg.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["plan", "--config", str(cfg), "--week", "2025-W41", "--out",
                                    str(tmp_path / "plan"), "--maps-dir", str(tmp_path / "maps")])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, maps_args(tmp_path / "plan", tmp_path / "redrawn", str(cfg)))
    assert res.exit_code == 0, res.output
    drawn, redrawn = tree(tmp_path / "maps"), tree(tmp_path / "redrawn")
    drawn.pop(MANIFEST), redrawn.pop(MANIFEST)
    assert redrawn == drawn  # the same risk bands and scores on every page


def test_evidence_failing_at_the_end_leaves_the_old_pack(tmp_path, monkeypatch):
    out = tmp_path / "evidence"
    out.mkdir()
    (out / "report.html").write_text("<p>last month's pack</p>", encoding="utf-8")
    old = tree(out)
    args = ["evidence", "--calls", str(EVIDENCE / "calls.csv"), "--premises", str(EVIDENCE / "premises.csv"),
            "--zones", str(EVIDENCE / "zones.geojson"), "--zone", "Test Quarter", "--from", "2017-04",
            "--to", "2017-09", "--out", str(out)]  # fmt: skip
    counter = FailAt(0, RuntimeError("never"))
    monkeypatch.setattr(licvisit.io.write, "replace", counter)
    dry = tmp_path / "dry"
    res = CliRunner().invoke(main, [*args[:-1], str(dry)])
    assert res.exit_code == 0, res.output
    # with an old folder there is one rename more (it is moved aside): fail the very last one,
    # the staged folder moving into place
    last = counter.calls + 1
    monkeypatch.setattr(licvisit.io.write, "replace", FailAt(last, OSError(errno.EIO, "I/O error")))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert tree(out) == old and leftovers(tmp_path) == []


def test_demo_failing_midway_leaves_the_old_demo_folder(tmp_path, monkeypatch):
    out = tmp_path / "maps"
    (out / "plan").mkdir(parents=True)
    (out / "index.html").write_text("old index", encoding="utf-8")
    (out / "plan" / "plan.json").write_text("{}", encoding="utf-8")
    old = tree(out)
    monkeypatch.setattr(licvisit.io.write, "replace", FailAt(4, KeyboardInterrupt()))
    res = CliRunner().invoke(main, ["demo", "--out", str(out), "--time-limit", "1"])
    assert res.exit_code == 1
    assert tree(out) == old and leftovers(tmp_path) == []


# --- the staged writer itself ------------------------------------------------------------------
def test_second_folder_failing_to_swap_in_rolls_the_first_back(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "plan.json").write_text(f"old {d.name}", encoding="utf-8")
    old = tree(tmp_path)
    swaps = []
    real = licvisit.io.write.replace

    def fail_on_b(src, dest):
        if Path(dest) == b and Path(src).name.endswith(".staging"):
            swaps.append(dest)
            raise OSError(errno.EACCES, "Permission denied", str(dest))
        real(src, dest)

    monkeypatch.setattr(licvisit.io.write, "replace", fail_on_b)
    with pytest.raises(PermissionError), staged_folders([(a, ("*",)), (b, ("*",))], "test") as (sa, sb):
        (sa / "plan.json").write_text("new a", encoding="utf-8")
        (sb / "plan.json").write_text("new b", encoding="utf-8")
    assert swaps == [b]
    assert tree(tmp_path) == old


def test_files_the_run_did_not_write_are_carried_over_and_stale_outputs_go(tmp_path):
    out = tmp_path / "plan"
    with staged_folder(out, OUTPUT_FILES["plan"], "test") as s:
        (s / "itineraries").mkdir()
        (s / "itineraries" / "MON-1.txt").write_text("old crew", encoding="utf-8")
        (s / "plan.json").write_text("old", encoding="utf-8")
    (out / "my notes.docx").write_bytes(b"notes")
    (out / "itineraries" / "mine.txt").write_text("added by hand", encoding="utf-8")
    with staged_folder(out, OUTPUT_FILES["plan"], "test") as s:
        (s / "plan.json").write_text("new", encoding="utf-8")
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {"plan.json", "my notes.docx", "itineraries/mine.txt", MANIFEST}
    assert (out / "plan.json").read_text(encoding="utf-8") == "new"
    assert (out / "my notes.docx").read_bytes() == b"notes"


def test_a_folder_without_a_manifest_keeps_everything_but_the_commands_own_files(tmp_path):
    out = tmp_path / "maps"
    out.mkdir()
    for name in ("index.html", "2025-01-03_OLD-1.html", "handover.html"):
        (out / name).write_text("old", encoding="utf-8")
    with staged_folder(out, OUTPUT_FILES["maps"], "test") as s:
        (s / "index.html").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["handover.html", "index.html", MANIFEST]
    listed = [e["path"] for e in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]]
    assert listed == ["index.html"]  # the carried-over file is not ours to vouch for


def test_a_folder_inside_another_commits_with_it_and_has_its_own_manifest(tmp_path):
    targets = [(tmp_path / "out" / "plan", OUTPUT_FILES["plan"]), (tmp_path / "out", OUTPUT_FILES["maps"])]
    with staged_folders(targets, "t") as (
        plan,
        maps,
    ):
        assert plan == maps / "plan" and maps.name.endswith(".staging")
        (plan / "plan.json").write_text("{}", encoding="utf-8")
        (maps / "index.html").write_text("<p>", encoding="utf-8")
    inner = json.loads((tmp_path / "out" / "plan" / MANIFEST).read_text(encoding="utf-8"))
    outer = json.loads((tmp_path / "out" / MANIFEST).read_text(encoding="utf-8"))
    assert [e["path"] for e in inner["files"]] == ["plan.json"]
    assert [e["path"] for e in outer["files"]] == ["index.html", "plan/manifest.json", "plan/plan.json"]
