"""`licvisit rank` and `licvisit backtest` through click's CliRunner."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from licvisit.cli import main
from tests.paths import REPO_ROOT, TEST_DATA

DATA = TEST_DATA / "risk"
REPO = REPO_ROOT
INPUTS = [
    "--calls",
    str(DATA / "calls.csv"),
    "--premises",
    str(DATA / "premises.csv"),
    "--visits",
    str(DATA / "visits.csv"),
]


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    """`licvisit rank` run once on the five-premises fixture; returns (result, out folder)."""
    out = tmp_path_factory.mktemp("rank")
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(out), "--top", "5"])
    return res, out


def test_rank_writes_outputs_and_prints_table(ranked):
    res, out = ranked
    assert res.exit_code == 0, res.output
    assert "Ranked 5 premises as of 2025-07-27 (cchi harm)" in res.output
    assert "by reference" in res.output and "at closed hours excluded" in res.output
    assert (
        "Calls with a premises within 25 m: 109 (89%; 0 with two or more); "
        "50 m: 122 (100%; 0 with two or more); 100 m: 122 (100%; 0 with two or more)."
    ) in res.output
    for name in (
        "ranking.csv",
        "ranking.gpkg",
        "ranking.json",
        "attribution.csv",
        "attribution_sensitivity.csv",
    ):
        assert (out / name).is_file()
    doc = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    assert [p["rank"] for p in doc["premises"]] == [1, 2, 3, 4, 5]
    assert doc["summary"]["counts"]["calls"] == 122


def test_rank_csv_is_excel_safe_and_numbers_stay_numbers(ranked):
    _, out = ranked
    raw = (out / "ranking.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig")
    assert '\'=HYPERLINK("http://x")' in set(df["name"])
    assert pd.api.types.is_float_dtype(df["score"]) and pd.api.types.is_integer_dtype(df["rank"])
    comps = df[[c for c in df.columns if c.startswith("c_")]].sum(axis=1)
    assert (abs(comps - df["score"]) < 1e-6).all()


def test_rank_explain_prints_components_and_calls():
    res = CliRunner().invoke(
        main, ["rank", *INPUTS, "--out", "/tmp/_lv_unused", "--top", "0", "--explain", "P1"]
    )
    assert res.exit_code == 0, res.output
    assert "The Victoria (P1): rank" in res.output
    assert "c_incidents" in res.output and "Calls behind it" in res.output
    assert "name" in res.output and "reference" in res.output


def test_rank_zone_filter(tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "rank",
            *INPUTS,
            "--zones",
            str(DATA / "zones.geojson"),
            "--zone",
            "Broad Street",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(tmp_path / "ranking.csv", encoding="utf-8-sig")
    assert set(df["premises_id"]) == {"P2", "P3"}
    assert list(df["zone_rank"]) == [1, 2]
    assert "2 premises in zone 'Broad Street' (zone rank first, then rank in the whole area):" in res.output


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--explain", "NOPE"],
            "Error: Premises 'NOPE' is not in the premises register. Fix: give a premises_id from the "
            "register, as listed in ranking.csv.\n",
        ),
        (
            ["--explain", "the victoria"],
            "Error: Premises 'the victoria' is not in the premises register (closest: P1). Fix: give a "
            "premises_id from the register, as listed in ranking.csv.\n",
        ),
        (
            ["--zones", str(DATA / "zones.geojson"), "--zone", "Atlantis"],
            "Error: Zone 'Atlantis' not found; expected one of: Broad Street.\n",
        ),
        (
            ["--zone", "Broad Street"],
            "Error: --zone needs NTE zones. Fix: pass --zones FILE or name it under [inputs] in --config.\n",
        ),
    ],
)
def test_rank_user_errors(tmp_path, extra, message):
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(tmp_path / "out"), "--top", "0", *extra])
    assert res.exit_code == 1
    assert res.output.endswith(message)
    assert not (tmp_path / "out").exists()  # found before any output was written


def test_rank_without_calls_names_the_fix(tmp_path):
    res = CliRunner().invoke(main, ["rank", "--premises", str(DATA / "premises.csv"), "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert (
        "Error: No calls file given. Fix: pass --calls FILE or name it under [inputs] in --config."
        in res.output
    )


def test_rank_bad_risk_config(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[risk]\nradius = 10\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["rank", "--config", str(cfg), *INPUTS, "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert (
        "Error: Config [risk]: unknown setting 'radius'. Did you mean 'radius_m'? Expected one of "
        in res.output
    )


def test_backtest_prints_table_and_json_equals_library(tmp_path):
    out = tmp_path / "bt.json"
    res = CliRunner().invoke(
        main,
        ["backtest", *INPUTS, "--horizon", "2", "--min-history", "3", "--n-boot", "20", "--json", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert "4 folds" in res.output and "count, previous 12 months" in res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["settings"]["folds"] == 4 and doc["settings"]["horizon"] == 2

    from licvisit.config import Config
    from licvisit.core.risk.backtest import backtest
    from licvisit.io import load_inputs

    cfg = Config(
        inputs={"calls": DATA / "calls.csv", "premises": DATA / "premises.csv", "visits": DATA / "visits.csv"}
    )
    inp = load_inputs(cfg, kinds=("calls", "premises", "visits"))
    lib = backtest(inp.calls, inp.premises, visits=inp.visits, horizon=2, min_history=3, n_boot=20)
    assert doc["summary"] == json.loads(json.dumps(lib.to_dict()["summary"]))


def test_backtest_too_little_history():
    res = CliRunner().invoke(main, ["backtest", *INPUTS, "--min-history", "12", "--n-boot", "10"])
    assert res.exit_code == 1
    assert "Error: Expected at least 13 months of calls for one fold; found 7." in res.output


def test_rank_attribution_csv_lists_every_link_behind_the_scores(ranked):
    """attribution.csv (written in a second thread) has one row per link, with call ids, and
    its weights add up to each premises' call count in ranking.csv."""
    _, out = ranked
    att = pd.read_csv(out / "attribution.csv", encoding="utf-8-sig")
    ranking = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    assert list(att.columns[:3]) == ["call", "call_id", "premises_id"]
    assert set(att["rule"]) <= {"reference", "name", "nearest"}
    counts = ranking["summary"]["counts"]
    assert att["call"].nunique() == counts["reference"] + counts["name"] + counts["nearest"]
    rk = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig").set_index("premises_id")
    per_premises = att.groupby("premises_id")["weight"].sum().reindex(rk.index, fill_value=0.0)
    assert (abs(per_premises - rk["n_calls"]) < 1e-9).all()
    # every link traces back to its row in the calls file (row 1 is the header)
    calls = pd.read_csv(DATA / "calls.csv")
    assert set(att["source_file"]) == {"calls.csv"}
    assert (calls["call_id"].to_numpy()[att["source_row"] - 2] == att["call_id"].to_numpy()).all()
    sens = pd.read_csv(out / "attribution_sensitivity.csv", encoding="utf-8-sig")
    assert list(sens["radius_m"]) == [25.0, 50.0, 100.0]


def test_rank_output_folder_under_a_file_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(blocker / "out"), "--top", "0"])
    assert res.exit_code == 1
    assert (
        f"Error: --out {blocker / 'out'}: not a directory. "
        "Fix: part of the path is a file, not a folder: choose another folder."
    ) in res.output
    assert "Traceback" not in res.output


def test_rank_output_name_taken_by_a_folder_names_the_users_file(tmp_path):
    (tmp_path / "ranking.json").mkdir()
    (tmp_path / "ranking.csv").write_text("previous run\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(tmp_path), "--top", "0"])
    assert res.exit_code == 1
    assert (
        f"Error: is a directory: {tmp_path / 'ranking.json'}. "
        "Fix: a folder has that name: remove or rename it, or choose another folder."
    ) in res.output
    # all or nothing: no new file replaced an old one, and nothing temporary is left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranking.csv", "ranking.json"]
    assert (tmp_path / "ranking.csv").read_text(encoding="utf-8") == "previous run\n"


def test_failed_scoring_leaves_the_previous_attribution_untouched(tmp_path, monkeypatch):
    import licvisit.core.risk
    from licvisit.app.rank import rank_to_folder
    from licvisit.config import load_config
    from licvisit.io import load_inputs

    (tmp_path / "attribution.csv").write_text("previous run\n", encoding="utf-8")
    cfg = load_config(None).with_inputs(calls=DATA / "calls.csv", premises=DATA / "premises.csv")
    inp = load_inputs(cfg, kinds=("calls", "premises"))

    def boom(*args, **kwargs):
        raise MemoryError("scoring failed")

    monkeypatch.setattr(licvisit.core.risk, "rank_premises", boom)
    with pytest.raises(MemoryError):
        rank_to_folder(inp.calls, inp.premises, None, licvisit.core.risk.RiskParams(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attribution.csv"]
    assert (tmp_path / "attribution.csv").read_text(encoding="utf-8") == "previous run\n"


def test_rank_as_of_limits_attribution_to_the_calls_behind_the_scores(tmp_path):
    res = CliRunner().invoke(
        main, ["rank", *INPUTS, "--as-of", "2025-03-01", "--out", str(tmp_path), "--top", "0"]
    )
    assert res.exit_code == 0, res.output
    att = pd.read_csv(tmp_path / "attribution.csv", encoding="utf-8-sig")
    calls = pd.read_csv(DATA / "calls.csv").set_index("call_id")
    assert 0 < len(att) < 122
    assert (pd.to_datetime(calls.loc[att["call_id"], "occurred_at"]) < pd.Timestamp("2025-03-01")).all()
    rk = pd.read_csv(tmp_path / "ranking.csv", encoding="utf-8-sig").set_index("premises_id")
    per_premises = att.groupby("premises_id")["weight"].sum().reindex(rk.index, fill_value=0.0)
    assert (abs(per_premises - rk["n_calls"]) < 1e-9).all()
    doc = json.loads((tmp_path / "ranking.json").read_text(encoding="utf-8"))
    assert doc["summary"]["counts"]["calls"] == att["call"].nunique() + doc["summary"]["counts"]["unlinked"]


def test_rank_as_of_before_every_call_is_an_error(tmp_path):
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--as-of", "2020-01-01", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert (
        "Error: No calls before 2020-01-01 to rank on; the first is dated 2025-01-01. "
        "Fix: give --as-of 2025-01-02 or later."
    ) in res.output


def test_rank_month_only_as_of_inside_a_month_scores_from_its_start(tmp_path):
    police = ["--calls", str(REPO / "data" / "police_uk_2017"), "--premises", str(REPO / "data" / "fhrs_birmingham_2017_licensed.csv"), "--clip-to-calls", "--top", "0"]  # fmt: skip
    a = CliRunner().invoke(main, ["rank", *police, "--as-of", "2017-05-01", "--out", str(tmp_path / "a")])
    b = CliRunner().invoke(main, ["rank", *police, "--as-of", "2017-05-15", "--out", str(tmp_path / "b")])
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    assert "scored as at 2017-05-01, the start of the month of 2017-05-15" in b.output
    assert (tmp_path / "a" / "ranking.csv").read_bytes() == (tmp_path / "b" / "ranking.csv").read_bytes()
    # 204 before issue 12: 23 sandwich shops by name are left out as not licensed premises
    assert "Ranked 181 premises as of 2017-05-01" in b.output


def test_rank_says_when_premises_lie_outside_the_calls_and_rows_were_left_out(tmp_path):
    calls = tmp_path / "calls.csv"
    text = (DATA / "calls.csv").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace("2025-01-23T22:51:00", "31/02/2025 23:15")
    calls.write_text("\n".join(text) + "\n", encoding="utf-8")
    prem = tmp_path / "premises.csv"
    rows = (DATA / "premises.csv").read_text(encoding="utf-8").splitlines()
    far = rows[1].replace("P1,The Victoria", "P9,Far Away").replace("406700.0,286600.0", "420000.0,300000.0")
    prem.write_text("\n".join([*rows, far]) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["rank", "--calls", str(calls), "--premises", str(prem), "--out", str(tmp_path / "o"), "--top", "0"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Warning: 1 input problem(s); 1 row(s) left out, the rest read as described." in res.output
    assert 'row 4, field "occurred_at": found "31/02/2025 23:15"' in res.output
    assert "Note: 1 of 6 premises lie outside the area the calls cover" in res.output
    clipped = CliRunner().invoke(main, ["rank", "--calls", str(calls), "--premises", str(prem), "--out", str(tmp_path / "c"), "--top", "0", "--clip-to-calls"])  # fmt: skip
    assert "Ranked 5 premises" in clipped.output and "outside the area" not in clipped.output


def test_backtest_refuses_weeks_on_month_only_data():
    res = CliRunner().invoke(main, ["backtest", "--calls", str(REPO / "data" / "police_uk_2017"), "--premises", str(REPO / "data" / "fhrs_birmingham_2017_licensed.csv"), "--period", "week", "--n-boot", "10"])  # fmt: skip
    assert res.exit_code == 1
    assert (
        "Error: The calls have month-only dates (police.uk), so weekly periods cannot be scored. "
        "Fix: use --period month or --period quarter."
    ) in res.output


def test_rank_config_with_text_for_a_number(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[risk]\nradius_m = "fifty"\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["rank", "--config", str(cfg), *INPUTS, "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert (
        'Error: Config [risk]: radius_m = "fifty"; expected a number. Fix: write radius_m = 50 (no quotes), '
        "or another number."
    ) in res.output


def test_rank_explain_counts_calls_and_marks_closed_hours(tmp_path):
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(tmp_path), "--top", "0", "--explain", "P4"])
    assert res.exit_code == 0, res.output
    assert (
        "Calls behind it (50 of 52 shown, highest harm first; weight = share x hours factor):" in res.output
    )
    assert (
        "2025-01-26T14:22 robbery                      harm   438.0 weight 0.00 (closed hours) nearest"
        in res.output
    )


def test_rank_attribution_name_taken_by_a_folder_leaves_no_temporary_files(tmp_path):
    (tmp_path / "attribution.csv").mkdir()
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(tmp_path), "--top", "0"])
    assert res.exit_code == 1
    assert f"Error: is a directory: {tmp_path / 'attribution.csv'}." in res.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_rank_input_error_creates_no_output_folder(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "new" / "out"
    res = CliRunner().invoke(main, ["rank", "--calls", str(empty), "--premises", str(DATA / "premises.csv"), "--out", str(out)])  # fmt: skip
    assert res.exit_code == 1
    assert f"Error: {empty}: found an empty file;" in res.output
    assert not (tmp_path / "new").exists()


def test_rank_turns_off_numpy_huge_page_advice(tmp_path):
    """`licvisit rank` stops numpy advising huge pages for its big arrays (cheaper on this kernel)."""
    from numpy._core.multiarray import _set_madvise_hugepage

    before = _set_madvise_hugepage(True)  # returns the setting it replaces
    try:
        res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(tmp_path / "out"), "--top", "0"])
        assert res.exit_code == 0, res.output
        assert _set_madvise_hugepage(True) is False  # the command had turned it off
    finally:
        _set_madvise_hugepage(before)
