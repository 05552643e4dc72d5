"""The evidence pack's hearing sections: displacement, comparison, premises profile, other evidence, words, print."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from licvisit.core import evidence as ev
from licvisit.core.evidence import displacement as dsp
from licvisit.core.evidence import profile as prof
from licvisit.core.evidence import trends as tr
from licvisit.io.zones import select_zone
from tests.paths import TEST_DATA

DATA = TEST_DATA / "evidence"
AMBULANCE = DATA / "ambulance_callouts.csv"
AMB_MAPPING = {"occurred_at": "Incident date", "category": "Reason for call-out", "zone": "NTE zone"}


@pytest.fixture(scope="module")
def inputs():
    """The evidence fixtures (calls doubling in Test Quarter from July 2017, 24 premises, two zones) and the
    synthetic ambulance call-outs (assaults in the zone doubling from July; 'Overdose' twice, so hidden)."""
    from licvisit.io.calls import read_calls
    from licvisit.io.other_evidence import other_evidence_with_summary
    from licvisit.io.premises import read_premises
    from licvisit.io.zones import read_zones

    calls, _ = read_calls(DATA / "calls.csv")
    premises, _ = read_premises(DATA / "premises.csv")
    zones, _ = read_zones(DATA / "zones.geojson")
    amb, problems, summary = other_evidence_with_summary(AMBULANCE, AMB_MAPPING)
    assert problems == [] and summary.rows_used == 314
    return calls, premises, zones, amb


@pytest.fixture(scope="module")
def pack(inputs):
    """Test Quarter, 2017, intervention July, with Far Side as the other zone and the ambulance call-outs."""
    calls, premises, zones, amb = inputs
    zone = select_zone(zones, "Test Quarter")
    return ev.build_evidence(
        calls, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), intervention="2017-07",
        other_zones=ev.other_zones_of(zones, zone), other_evidence=[amb],
    )  # fmt: skip


# --- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "alpha", "expected"),
    [
        (tr.ChangeTest(1.04, 0.95, 1.14, 0.31, "Poisson"), 0.05,
         "showed no significant change at the 5 % level (+4 %, 95 % interval -5 % to +14 %; p = 0.310, Poisson)"),
        (tr.ChangeTest(0.88, 0.70, 1.10, 0.26, "Poisson"), 0.05,
         "showed no significant change at the 5 % level (-12 %, 95 % interval -30 % to +10 %; p = 0.260, Poisson)"),
        (tr.ChangeTest(1.23, 1.05, 1.44, 0.012, "quasi-Poisson"), 0.05,
         "rose by 23 % (95 % interval +5 % to +44 %; p = 0.012, quasi-Poisson)"),
        (tr.ChangeTest(1.23, 1.05, 1.44, 0.012, "quasi-Poisson"), 0.01,
         "showed no significant change at the 1 % level (+23 %, 95 % interval +5 % to +44 %; p = 0.012, quasi-Poisson)"),
        (tr.ChangeTest(0.80, 0.70, 0.91, 0.001, "Poisson"), 0.05,
         "fell by 20 % (95 % interval -30 % to -9 %; p = 0.001, Poisson)"),
    ],
)  # fmt: skip
def test_rose_or_fell_only_when_the_test_says_so(test, alpha, expected):
    assert test.describe("crimes", alpha) == expected


def test_non_significant_displacement_is_stated_plainly():
    t = tr.ChangeTest(1.12, 0.80, 1.57, 0.5, "Poisson interaction")
    assert dsp.did_verdict(t, "the ring", "the rest of the area", "crimes", 0.05) == (
        "No evidence of displacement into the ring at this sample size: its change did not differ significantly "
        "from the rest of the area at the 0.05 level (ratio 1.12, 95 % interval 0.80 to 1.57; p = 0.500)."
    )
    up = tr.ChangeTest(1.6, 1.2, 2.1, 0.001, "Poisson interaction")
    assert dsp.did_verdict(up, "the ring", "the rest of the area", "crimes", 0.05).startswith(
        "The ring rose by 60 % relative to the rest of the area"
    )


def test_noun_follows_the_data(inputs, pack):
    calls = inputs[0]
    assert pack.noun == "calls for service"
    month_only = calls.assign(time_known=False)
    from licvisit.core.evidence.hearing import noun_for

    assert noun_for(month_only) == "crimes"
    half = calls.assign(time_known=np.arange(len(calls)) % 2 == 0)
    assert noun_for(half) == "incidents"


# --- displacement ------------------------------------------------------------------------------


def test_displacement_areas_and_counts(pack, inputs):
    import shapely

    calls = inputs[0]
    t = pack.tables["displacement"].frame
    zone = pack.zone_geometry
    ring = zone.buffer(250).difference(zone)
    m = pd.to_datetime(calls["occurred_at"]).dt.to_period("M")
    after = (m >= pd.Period("2017-07", "M")).to_numpy()
    in_ring = shapely.contains_xy(ring, calls["x"].to_numpy(), calls["y"].to_numpy())
    assert t.loc["Ring: 0 to 250 m round the zone", "calls for service before"] == int(
        (in_ring & ~after).sum()
    )
    assert t.loc["Ring: 0 to 250 m round the zone", "calls for service after"] == int((in_ring & after).sum())
    ba = pack.tables["before_after"].frame
    assert t.loc["Test Quarter", "calls for service after"] == ba.loc["Zone", "calls after"]
    tests = pack.tables["displacement_tests"].frame
    assert list(tests.index) == [
        "The zone against the rest of the area",
        "Displacement into the ring",
        "Street space near the zone's premises against the rest of the area",
    ]
    # the zone doubled while the rest beyond the ring did not: ratio of rate ratios about 2 / 1.18
    assert tests.loc["The zone against the rest of the area", "ratio_of_rate_ratios"] == pytest.approx(
        1.70, abs=0.02
    )
    assert tests.loc["The zone against the rest of the area", "ci_low"] > 1
    assert pack.hearing["displacement"]["ring_m"] == 250 and pack.hearing["displacement"]["available"]


def test_inside_premises_against_street_when_the_data_name_premises(inputs):
    calls, premises, zones, _ = inputs
    ref = np.where(np.arange(len(calls)) % 3 == 0, "P001", "")
    named = calls.assign(premises_ref=ref)
    zone = select_zone(zones, "Test Quarter")
    p = ev.build_evidence(
        named, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), intervention="2017-07"
    )
    assert (
        "Inside the zone's premises (the record names the premises)" in p.tables["displacement"].frame.index
    )
    assert "Street space against inside premises" in p.tables["displacement_tests"].frame.index


def test_ring_hidden_hides_rest_beyond_it():
    a = [
        dsp.AreaSeries("Zone", np.array([30.0, 30]), np.array([60.0, 60])),
        dsp.AreaSeries("Ring", np.array([1.0, 1]), np.array([2.0, 0])),
        dsp.AreaSeries("Rest", np.array([50.0, 50]), np.array([50.0, 50])),
    ]
    days = np.array([30.0, 31])
    df = dsp.displacement_table(
        a, days, days, 5, "crimes", hide_together=[("Ring", "Rest"), ("Rest", "Ring")]
    )
    assert df.loc["Ring"].isna().all() and df.loc["Rest"].isna().all()
    assert df.loc["Zone", "crimes after"] == 120


# --- comparison and profile ----------------------------------------------------------------------


def test_comparison_covers_rest_and_other_zones(pack):
    c = pack.tables["comparison"].frame
    assert list(c.index) == ["Test Quarter", "Rest of the area", "Far Side"]
    assert c.loc["Test Quarter", "calls for service in period"] == 540
    assert c.loc["Far Side", "calls for service in period"] == 0
    assert c.loc["Test Quarter", "per 1000 capacity per month"] == pytest.approx(
        1000 * 540 / 12 / 4400, abs=0.1
    )
    assert pack.hearing["comparison"]["previous_year_available"] is False
    assert "do not reach the same months a year before" in pack.tables["comparison"].caption


def test_premises_profile_in_words():
    assert prof.type_words("late_night_refreshment") == "Late-night refreshment (takeaway)"
    bands = prof.capacity_band(pd.Series([50, 100, 999, 1000, np.nan]))
    assert bands.tolist() == ["under 100", "100 to 249", "500 to 999", "1,000 or more", "not known"]
    assert prof.clock(prof.terminal_minutes(pd.Series(["22:00-03:00"]))[0]) == "03:00 (next day)"


def test_premises_profile_table(pack):
    t = pack.tables["premises_profile"].frame
    assert t.loc["Licensing type: All premises", "zone premises"] == 16
    assert t.loc["Licensing type: All premises", "zone per km²"] == pytest.approx(16 / 0.36, abs=0.1)
    assert t.loc["Capacity band: 250 to 499", "zone premises"] == 11
    assert "premises_profile" in pack.hearing


# --- other evidence --------------------------------------------------------------------------------


def test_other_evidence_is_counted_trended_suppressed_and_named(pack):
    t = pack.tables["other_evidence_ambulance_callouts"].frame
    assert t.loc["2017-07", "Assault"] == 20 and t.loc["2017-01", "Assault"] == 10
    assert pd.isna(t.loc["2017-03", "Overdose"]) and pd.isna(t.loc["Total", "Overdose"])
    assert t.loc["2017-01", "Alcohol intoxication"] == 6  # placed by zone name only
    trend = pack.tables["other_evidence_ambulance_callouts_trends"].frame
    # every monthly total is shown (only Overdose cells are hidden), so before/after is published
    ba = pack.tables["other_evidence_ambulance_callouts_before_after"].frame
    assert (
        ba.loc["Test Quarter", "records before"] == 6 * 16 + 1
        and ba.loc["Test Quarter", "records after"] == 6 * 26 + 1
    )
    assert ba.loc["Test Quarter", "change"].startswith("rose by ")
    assert trend.loc["Assault", "trend"] == "rising"
    src = [s for s in pack.sources if s["source"] == "Other evidence: Ambulance callouts"]
    assert src and "Categories are kept as the source names them" in src[0]["caveats"]
    cia = {c["evidence"]: c for c in pack.checklist}
    health = cia["Health data: alcohol-related ambulance call-outs, A&E attendances and hospital admissions"]
    assert health["in this pack"] == "Other evidence: Ambulance callouts."


def test_other_evidence_without_mapping_names_the_missing_column():
    from licvisit.io.other_evidence import other_evidence_with_summary

    df, problems, summary = other_evidence_with_summary(AMBULANCE)
    assert not summary.usable and len(df) == 0
    assert problems[0].found.startswith(
        'no column "occurred_at"; columns are Incident date, Reason for call-out'
    )
    assert (
        problems[0].fix
        == 'add a "occurred_at" column, or map it in [mapping.other_evidence] of licvisit.toml'
    )


def test_config_lists_other_evidence(tmp_path):
    from licvisit.config import load_config
    from licvisit.errors import ConfigError

    cfg = tmp_path / "licvisit.toml"
    cfg.write_text(
        '[inputs]\nother_evidence = ["a.csv", "b.csv"]\n[evidence]\nring_m = 300\n', encoding="utf-8"
    )
    c = load_config(cfg)
    assert c.other_evidence == [tmp_path / "a.csv", tmp_path / "b.csv"]
    assert c.with_other_evidence(["x.csv"]).other_evidence == [Path("x.csv")]
    from licvisit.app.params import evidence_params

    assert evidence_params(c).ring_m == 300
    cfg.write_text("[inputs]\nother_evidence = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"other_evidence = 3; expected a list of file names"):
        load_config(cfg)


def test_no_published_count_between_1_and_4(pack):
    for name, t in pack.tables.items():
        for col in t.count_columns:
            v = (
                pd.to_numeric(t.frame[col], errors="coerce")
                .astype("Float64")
                .to_numpy(dtype=float, na_value=np.nan)
            )
            assert not ((v >= 1) & (v < 5)).any(), (name, col)


# --- the command, offline and in print ------------------------------------------------------------


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """One CLI run with the ambulance call-outs from [inputs] other_evidence and [mapping.other_evidence]."""
    from licvisit.cli import main

    out = tmp_path_factory.mktemp("hearing")
    cfg = out / "licvisit.toml"
    cfg.write_text(
        f'[inputs]\nother_evidence = ["{AMBULANCE.as_posix()}"]\n[mapping.other_evidence]\n'
        + "".join(f'{k} = "{v}"\n' for k, v in AMB_MAPPING.items()),
        encoding="utf-8",
    )
    args = ["evidence", "--config", str(cfg), "--calls", str(DATA / "calls.csv"), "--premises",
            str(DATA / "premises.csv"), "--zones", str(DATA / "zones.geojson"), "--zone", "Test Quarter",
            "--from", "2017-01", "--to", "2017-12", "--intervention", "2017-07", "--out", str(out / "pack")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out / "pack"


def test_cli_writes_the_hearing_tables_and_keys(report_dir):
    import json

    for name in ("displacement", "comparison", "premises_profile", "other_evidence_ambulance_callouts"):
        assert (report_dir / "tables" / f"{name}.csv").is_file()
    meta = json.loads((report_dir / "evidence.json").read_text(encoding="utf-8"))
    assert {"displacement", "comparison", "premises_profile", "other_evidence", "cia_checklist"} <= set(meta)
    assert meta["other_evidence"][0]["source"] == "Ambulance callouts"
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "Cumulative impact assessment checklist" in html
    assert html.index("Cumulative impact assessment checklist") < html.index("1. Area and sources")
    assert "Other evidence: Ambulance callouts" in html


def _media_boxes(pdf: bytes) -> list[tuple[float, ...]]:
    return [tuple(float(v) for v in m.groups()) for m in re.finditer(
        rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]  # fmt: skip


@pytest.mark.browser
def test_report_prints_to_a4_from_headless_chromium(report_dir, tmp_path):
    from tests.browser import CHROMIUM, FLAGS, require_chromium

    require_chromium()
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [CHROMIUM, *FLAGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", (report_dir / "report.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    boxes = _media_boxes(pdf.read_bytes())
    assert len(boxes) >= 3
    for _x0, _y0, w, h in boxes:  # A4 is 595 x 842 pt
        assert w == pytest.approx(595.3, abs=2) and h == pytest.approx(841.9, abs=2)


@pytest.mark.browser
def test_no_table_is_cut_off_at_a4_width_in_print(report_dir):
    from tests.browser import CHROMIUM, require_chromium

    require_chromium()
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 718, "height": 1000})  # A4 less 10 mm margins, at 96 dpi
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((report_dir / "report.html").as_uri())
        page.emulate_media(media="print")
        wide = page.evaluate(
            """() => [...document.querySelectorAll('table, img')]
                 .filter(t => (t.tagName === 'IMG' ? t.getBoundingClientRect().width : t.scrollWidth)
                              > t.parentElement.clientWidth + 1)
                 .map(t => t.tagName + ' ' + (t.alt || (t.querySelector('th') || t).textContent).slice(0, 40))"""
        )
        browser.close()
    assert wide == []
    assert errors == []


def test_top_premises_types_are_in_words(pack):
    assert set(pack.tables["top_premises"].frame["type"]) <= set(prof.TYPE_WORDS.values())


def test_other_evidence_option_reads_each_file(tmp_path):
    """--other-evidence FILE (repeatable): a glossary-header file is read; an unmappable one is a one-line error."""
    from licvisit.cli import main

    good = tmp_path / "noise_complaints.csv"
    good.write_text(
        "occurred_at,category,x,y\n"
        + "".join(f"2017-{m:02d},Loud music,407000,286600\n" for m in range(1, 13) for _ in range(6)),
        encoding="utf-8",
    )
    base = ["evidence", "--calls", str(DATA / "calls.csv"), "--premises", str(DATA / "premises.csv"), "--zones",
            str(DATA / "zones.geojson"), "--zone", "Test Quarter", "--from", "2017-01", "--to", "2017-12"]  # fmt: skip
    ok = CliRunner().invoke(main, [*base, "--other-evidence", str(good), "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    assert "Noise complaints: 72 records in Test Quarter in the period" in ok.output
    assert (tmp_path / "a" / "tables" / "other_evidence_noise_complaints.csv").is_file()
    import json

    meta = json.loads((tmp_path / "a" / "evidence.json").read_text(encoding="utf-8"))
    assert meta["displacement"]["available"] is False  # no --intervention: said so, not left out
    assert not (tmp_path / "a" / "tables" / "displacement.csv").exists()
    bad = CliRunner().invoke(
        main,
        [
            *base,
            "--other-evidence",
            str(good),
            "--other-evidence",
            str(AMBULANCE),
            "--out",
            str(tmp_path / "b"),
        ],
    )
    assert bad.exit_code == 1
    assert 'no column "occurred_at"' in bad.output and "[mapping.other_evidence]" in bad.output


def test_no_count_between_1_and_4_in_any_csv_or_the_report_text(report_dir, pack):
    """Every count column of every CSV under tables/ (and the concentration table's premises) shows no 1-4."""
    csvs = sorted((report_dir / "tables").glob("*.csv"))
    assert {p.stem for p in csvs} <= set(pack.tables) and "concentration" in {p.stem for p in csvs}
    for path in csvs:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        counts = set(pack.tables[path.stem].count_columns) | {
            c for c in frame.columns if c in ("premises", "count", "n") or c.endswith(("_count", " count"))
        }
        assert path.stem != "concentration" or counts == {"premises"}
        for col in counts & set(frame.columns):
            v = pd.to_numeric(frame[col].str.replace(",", ""), errors="coerce")
            assert not ((v >= 1) & (v < 5)).any(), (path.name, col, frame[col].tolist())
    conc = pd.read_csv(report_dir / "tables" / "concentration.csv", dtype=str)
    assert conc["top % of premises"].tolist() == ["5.0", "10.0", "20.0"]
    assert conc["premises"].tolist() == ["[c]", "[c]", "[c]"]  # 1, 2 and 4 of 16 premises before
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "The top 10 % of premises (fewer than 5 of 16) account for" in html
    assert "[c]: fewer than 5 premises; the share of premises is shown instead." in html
    text = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])
    assert not re.search(r"\(\s*[1-4] of \d", text)


def test_top_share_premises_shown_from_the_threshold_up(inputs):
    calls, premises, zones, _amb = inputs
    zone = select_zone(zones, "Test Quarter")
    low = ev.build_evidence(calls, premises, zone, ev.EvidenceParams(threshold=2), ("2017-01", "2017-12"))
    t = low.tables["concentration"]
    assert t.display_frame()["premises"].tolist() == ["[c]", 2, 4]  # 1, 2 and 4 of 16; only 1 is below 2
    assert t.n_suppressed == 1
    assert "The top 10 % of premises (2 of 16) account for" in " ".join(low.findings)
