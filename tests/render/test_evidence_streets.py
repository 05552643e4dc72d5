"""Streets under the evidence pack's maps when ``[maps] streets`` is set, credited to OpenStreetMap."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from licvisit.app.pages import street_lines
from licvisit.core import evidence as ev
from licvisit.io.zones import select_zone
from licvisit.render import evidence as rev
from tests.paths import TEST_DATA

DATA = TEST_DATA / "evidence"
CREDIT = "Streets © OpenStreetMap contributors"


def _line(name, coords, highway):
    return {
        "type": "Feature",
        "properties": {"name": name, "highway": highway},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


@pytest.fixture(scope="module")
def streets_file(tmp_path_factory):
    """Three synthetic streets across Test Quarter (lon -1.9028 to -1.8939, lat 52.4746 to 52.4800)."""
    path = tmp_path_factory.mktemp("streets") / "streets.geojson"
    features = [
        _line("Test Street", [[-1.910, 52.4772], [-1.886, 52.4773]], "primary"),
        _line("Quarter Lane", [[-1.8985, 52.470], [-1.8984, 52.484]], "residential"),
        _line("", [[-1.905, 52.4755], [-1.890, 52.4790]], "unclassified"),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pack():
    from licvisit.io.calls import read_calls
    from licvisit.io.premises import read_premises
    from licvisit.io.zones import read_zones

    calls, _ = read_calls(DATA / "calls.csv")
    premises, _ = read_premises(DATA / "premises.csv")
    zones, _ = read_zones(DATA / "zones.geojson")
    zone = select_zone(zones, "Test Quarter")
    return ev.build_evidence(
        calls, premises, zone, ev.EvidenceParams(), ("2017-01", "2017-12"), intervention="2017-07"
    )


def test_streets_are_drawn_under_both_maps_and_credited(pack, streets_file):
    plain = rev.charts(pack)
    with_streets = rev.charts(pack, street_lines(str(streets_file)))
    assert set(plain) == set(with_streets)
    assert with_streets["map.png"] != plain["map.png"]
    assert with_streets["displacement_map.png"] != plain["displacement_map.png"]
    for name in set(plain) - {"map.png", "displacement_map.png"}:
        assert with_streets[name] == plain[name], name
    html = rev.render_evidence_html(pack, with_streets, street_lines(str(streets_file)))
    assert html.count(CREDIT) == 3  # the two map captions and the sources table
    assert "<td>Streets (under the maps)</td><td>streets.geojson</td><td></td><td>3 street lines</td>" in html
    assert "No background map is drawn" not in html


def test_without_streets_the_report_is_as_before(pack):
    pngs = rev.charts(pack)
    html = rev.render_evidence_html(pack, pngs)
    assert rev.render_evidence_html(pack, pngs, None) == html
    assert "OpenStreetMap" not in html
    assert "No background map is drawn so that the page needs no network." in html
    assert rev.map_png(pack, None) == pngs["map.png"]


def test_streets_outside_the_map_leave_it_unchanged(pack, tmp_path):
    far = tmp_path / "far.geojson"
    far.write_text(
        json.dumps({"type": "FeatureCollection", "features": [_line("Far Road", [[-1.5, 53.8], [-1.49, 53.8]], "primary")]}),
        encoding="utf-8",
    )  # fmt: skip
    assert rev.map_png(pack, street_lines(str(far))) == rev.map_png(pack)


def test_cli_draws_streets_from_the_config(tmp_path, streets_file):
    from licvisit.cli import main

    cfg = tmp_path / "licvisit.toml"
    cfg.write_text(f'[maps]\nstreets = "{streets_file.as_posix()}"\n', encoding="utf-8")
    out = tmp_path / "pack"
    args = ["evidence", "--config", str(cfg), "--calls", str(DATA / "calls.csv"), "--premises",
            str(DATA / "premises.csv"), "--zones", str(DATA / "zones.geojson"), "--zone", "Test Quarter",
            "--from", "2017-01", "--to", "2017-12", "--intervention", "2017-07", "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert CREDIT in html and "OpenStreetMap" in html
    assert (out / "charts" / "displacement_map.png").stat().st_size > 0


def test_cli_bad_street_file_fails_before_the_work(tmp_path):
    from licvisit.cli import main

    bad = tmp_path / "streets.geojson"
    bad.write_text("not json", encoding="utf-8")
    cfg = tmp_path / "licvisit.toml"
    cfg.write_text('[maps]\nstreets = "streets.geojson"\n', encoding="utf-8")
    args = ["evidence", "--config", str(cfg), "--calls", str(DATA / "calls.csv"), "--premises",
            str(DATA / "premises.csv"), "--zones", str(DATA / "zones.geojson"), "--zone", "Test Quarter",
            "--from", "2017-01", "--to", "2017-12", "--out", str(tmp_path / "pack")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert f"Cannot read streets from {bad}" in result.output
    assert not (tmp_path / "pack").exists()
