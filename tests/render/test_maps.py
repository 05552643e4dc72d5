"""Render-and-assert tests for the offline route maps and overview (no browser)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from licvisit.app.pages import write_route_maps
from licvisit.cli import main
from licvisit.config import params_from
from licvisit.errors import ConfigError, LicvisitError
from licvisit.render.cards import licensed_hours_text, premises_card, recent_incidents, redact_reason
from licvisit.render.map_params import MapParams
from licvisit.render.maps import map_file_name, overview_map, route_map
from licvisit.render.offline import assert_offline, external_resources, json_for_script
from tests.browser import MAPS_DATA, map_inputs

HOSTILE = "<img src=x onerror=alert(1)>"
CDN_HOSTS = ("jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "cloudflare", "openstreetmap")


def norm(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.fixture(scope="module")
def inputs():
    """The hand-made map fixture in tests/data/maps (see tests/browser.py:map_inputs)."""
    return map_inputs()


@pytest.fixture(scope="module")
def lic_html(inputs):
    """Route map of the Friday licensing crew: visits the hostile-named, gang-flagged premises."""
    d = dict(inputs)
    return norm(route_map(d.pop("plan"), "FRI-LIC-1", d.pop("premises"), **d))


@pytest.fixture(scope="module")
def gang_html(inputs):
    """Route map of the Friday gang-operation crew (sees gang intelligence)."""
    d = dict(inputs)
    return norm(route_map(d.pop("plan"), "FRI-GANG-1", d.pop("premises"), **d))


@pytest.fixture(scope="module")
def overview_html(inputs):
    """The overview of the fixture plan."""
    d = dict(inputs)
    d.pop("visit_history")
    return norm(overview_map(d.pop("plan"), d.pop("premises"), **d))


def test_route_map_loads_nothing_from_the_network(lic_html):
    assert external_resources(lic_html) == []
    assert_offline(lic_html)
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=['\"]?(https?:)?//", lic_html)
    low = lic_html.lower()
    for host in CDN_HOSTS:
        assert host not in low
    assert "L.tileLayer(" not in lic_html  # no tiles unless configured
    assert "jquery" not in low and "bootstrap" not in low


def test_overview_loads_nothing_from_the_network(overview_html):
    assert external_resources(overview_html) == []
    for host in CDN_HOSTS:
        assert host not in overview_html.lower()
    assert "L.heatLayer(" in overview_html


def test_route_map_has_the_parts_a_palo_needs(lic_html):
    # itinerary: 4 visits, 3 with a location (Unmapped Arms has no coordinates)
    assert "Itinerary: 4 visits" in lic_html
    assert len(re.findall(r"data-goto='\d+'", lic_html)) == 3
    assert "Location not known: not on the map." in lic_html
    assert "Arrive 20:00 · visit window 11:00 to 03:00" in lic_html
    assert "href='geo:52." in lic_html
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=52." in lic_html
    # card facts
    assert "<th>Licensed hours</th><td>11:00 to 03:00 (next day) (Fri)</td>" in lic_html
    assert "<th>Capacity</th><td>250</td>" in lic_html
    assert "required, usually 4 SIA door supervisors" in lic_html
    assert "<li>Challenge 25</li>" in lic_html
    assert "12 Sep 2025: Licensing compliance, Breach found (CCTV not working)" in lic_html
    assert "Recent incidents" in lic_html and "Public order:" in lic_html
    assert "band A</span>, rank 1, score 10.00" in lic_html
    # controls and print
    assert "L.control.locate(" in lic_html and "L.control.fullscreen(" in lic_html
    assert "@media print" in lic_html and "@page{size:A4" in lic_html
    assert "min-height:48px" in lic_html
    assert "<html lang='en-GB'>" in lic_html


def test_hostile_names_are_escaped_everywhere(lic_html, overview_html, inputs):
    for html in (lic_html, overview_html):
        assert HOSTILE not in html
        assert "<script>alert(" not in html
        assert "</script><script>alert(3)" not in html
    # as text in the itinerary (server-rendered) ...
    assert "<span class='lv-name'>&lt;img src=x onerror=alert(1)&gt;</span>" in lic_html
    # ... and inside the popup data, escaped for HTML and then for the script element
    assert "\\u003ch3\\u003e\\u0026lt;img src=x onerror=alert(1)\\u0026gt;\\u003c/h3\\u003e" in lic_html
    assert "Jo &lt;script&gt;Smith&lt;/script&gt;" in lic_html
    assert "&lt;b&gt;polycarbonate&lt;/b&gt;" in lic_html
    d = dict(inputs)
    sat = norm(route_map(d.pop("plan"), "SAT-SIA-1", d.pop("premises"), **d))
    assert "`${alert(2)}`" not in sat.split("<script>")[-1] or '"' in sat  # inside JSON strings only
    assert "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in sat
    assert "Broad Street \\u0026lt;script\\u0026gt;alert(4)" in sat  # zone name


def test_gang_intelligence_only_for_crews_that_need_it(lic_html, gang_html, overview_html):
    assert "Gang intelligence is not shown on this map." in lic_html
    assert "intelligence (restricted)" in lic_html
    assert "gang intelligence flag" not in lic_html
    assert "Known OCG nominal" not in lic_html
    assert "Gang operation" not in lic_html
    assert "<th>Intelligence</th><td>drugs</td>" in lic_html
    # the gang-operation crew sees it all
    assert "gang intelligence: OCG nominals" in gang_html
    assert "<th>Intelligence</th><td>gang; drugs</td>" in gang_html
    assert "Known OCG nominal seen &lt;b&gt;inside&lt;/b&gt;" in gang_html
    assert "not shown on this map" not in gang_html
    assert "OCG" not in overview_html


def test_redaction_is_configurable(inputs):
    d = dict(inputs)
    html = norm(
        route_map(d.pop("plan"), "FRI-LIC-1", d.pop("premises"), params=MapParams(redact_intel_for=()), **d)
    )
    assert "gang intelligence flag" in html


def test_overview_has_layers_legend_and_roster(overview_html):
    assert overview_html.count("L.featureGroup(") >= 5  # zones, premises, three crew-nights
    assert "Fri 14 Nov 2025 \\u00b7 FRI-LIC-1 \\u00b7 Licensing compliance visit (4)" in overview_html
    assert "L.control.layers(" in overview_html
    assert "A: highest risk (1)" in overview_html
    assert "data-night='2025-11-14'" in overview_html and "data-night='all'" in overview_html
    assert "<td>FRI-GANG-1<br>" in overview_html
    assert "3 crew-nights, 9 visits, 1 candidate not planned." in overview_html
    assert "L.canvas(" in overview_html


def test_overview_stays_small_with_thousands_of_premises(inputs):
    rng = np.random.default_rng(0)
    n = 5000
    prem = pd.DataFrame(
        {
            "premises_id": [f"Q{i}" for i in range(n)],
            "name": [f"Premises {i}" for i in range(n)],
            "x": 406500 + rng.normal(0, 1500, n),
            "y": 286500 + rng.normal(0, 1500, n),
        }
    )
    prem = pd.concat([inputs["premises"], prem], ignore_index=True)
    ranking = pd.DataFrame({"premises_id": prem["premises_id"], "rank": range(1, len(prem) + 1)})
    ranking["band"] = np.where(ranking["rank"] <= 250, "A", np.where(ranking["rank"] <= 1000, "B", "D"))
    calls = pd.DataFrame({"x": 406500 + rng.normal(0, 800, 50000), "y": 286500 + rng.normal(0, 800, 50000)})
    html = overview_map(inputs["plan"], prem, ranking=ranking, calls=calls, zones=inputs["zones"])
    assert len(html.encode()) < 2_000_000
    assert "Premises 4999" in html


def test_write_route_maps_writes_every_crew_night_overview_and_index(inputs, tmp_path):
    d = dict(inputs)
    paths = write_route_maps(d.pop("plan"), d.pop("premises"), tmp_path, **d)
    names = [p.name for p in paths]
    assert names == [
        "2025-11-14_FRI-GANG-1.html",
        "2025-11-14_FRI-LIC-1.html",
        "2025-11-15_SAT-SIA-1.html",
        "overview.html",
        "index.html",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)  # no temporary files left
    for p in paths[:-1]:
        assert p.stat().st_size <= 2_000_000
    index = p.read_text() if (p := tmp_path / "index.html") else ""
    assert "<a href='2025-11-14_FRI-LIC-1.html'>Fri 14 Nov 2025: FRI-LIC-1</a>" in index


def test_map_too_large_is_an_error(inputs, tmp_path):
    d = dict(inputs)
    with pytest.raises(LicvisitError, match=r"expected at most 0.01 MB"):
        write_route_maps(d.pop("plan"), d.pop("premises"), tmp_path, params=MapParams(max_file_mb=0.01), **d)


def test_unknown_crew_is_an_error(inputs):
    with pytest.raises(LicvisitError, match="Crew 'NOPE' is not in the plan"):
        route_map(inputs["plan"], "NOPE", inputs["premises"])


def test_tiles_only_when_configured(inputs):
    params = MapParams(
        tiles_url="https://tiles.example.police.uk/{z}/{x}/{y}.png", tiles_attribution="© <Force>"
    )
    html = route_map(inputs["plan"], "FRI-LIC-1", inputs["premises"], params=params)
    assert "L.tileLayer(" in html and "https://tiles.example.police.uk/{z}/{x}/{y}.png" in html
    assert "<Force>" not in html


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"tiles_url": "https://tiles.example/tile.png"}, r"\{z\}, \{x\} and \{y\}"),
        ({"incident_days": 0}, "incident_days >= 1"),
        ({"max_file_mb": 0}, "max_file_mb > 0"),
        ({"colour": "red"}, "unknown setting 'colour'"),
    ],
)
def test_map_params_from_config(overrides, message):
    with pytest.raises(ConfigError, match=message):
        params_from(MapParams, overrides, "maps")


def test_map_params_defaults_redact_all_but_gang_op():
    p = params_from(MapParams, {"redact_intel_for": "sia_check"}, "maps")
    assert p.redact_intel_for == ("sia_check",)
    d = MapParams()
    assert d.tiles_url is None
    assert d.redacts("licensing_compliance") and d.redacts("sia_check") and not d.redacts("gang_op")


def test_licensed_hours_text():
    row = {"hours_fri": "20:00-02:30", "hours_sun": "closed", "hours_mon": "11:00-23:00"}
    assert licensed_hours_text(row, dt.date(2025, 11, 14)) == "20:00 to 02:30 (next day)"
    assert licensed_hours_text(row, dt.date(2025, 11, 16)) == "closed"
    assert licensed_hours_text(row, dt.date(2025, 11, 10)) == "11:00 to 23:00"
    assert licensed_hours_text(row, dt.date(2025, 11, 11)) == "not known"
    assert licensed_hours_text({"hours_fri": "late"}, dt.date(2025, 11, 14)) == "not readable (late)"


def test_card_escapes_and_handles_missing_fields():
    html = premises_card(
        {"premises_id": "X1", "name": HOSTILE, "conditions": "<b>x</b>; y"}, night=dt.date(2025, 11, 14)
    )
    assert HOSTILE not in html and "&lt;img" in html
    assert "<th>Capacity</th><td>not known</td>" in html
    assert "No visits on record." in html and "No call data loaded." in html


def test_recent_incidents_by_name_and_radius(inputs):
    counts, start, end = recent_incidents(
        inputs["calls"], inputs["premises"], ["P1", "P2"], until=None, days=90, radius_m=50
    )
    assert end == dt.date(2025, 11, 13) and start == dt.date(2025, 8, 15)
    assert sum(n for _, n in counts["P1"]) == 38  # 8 name it, 30 lie within 50 m, 2 are 54 m away
    assert "P2" not in counts


def test_recent_incidents_follow_the_rankings_links(inputs):
    """With the ranking's links the card counts exactly the calls the score counted, not its own 50 m join."""
    import pandas as pd

    from licvisit.core.risk import RiskParams, link_calls_to_premises

    calls, premises = inputs["calls"], inputs["premises"]
    links = link_calls_to_premises(calls, premises, RiskParams(radius_m=30)).table
    counts, _, _ = recent_incidents(calls, premises, ["P1"], until=None, days=90, radius_m=50, links=links)
    when = pd.to_datetime(calls["occurred_at"])
    recent = (when > when.max() - pd.Timedelta(days=90)).to_numpy()
    linked = links[(links["premises_id"] == "P1") & recent[links["call"].to_numpy()]]
    assert sum(n for _, n in counts.get("P1", [])) == len(linked)
    assert len(linked) < 38  # a 30 m link radius keeps out calls the 50 m join counted


def test_redact_reason():
    assert (
        redact_reason("band A; gang intel flag, breach", ("gang",))
        == "band A; intelligence (restricted), breach"
    )


def test_offline_checker_catches_cdn_links():
    page = (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>'
        "<link rel='stylesheet' href='//example.com/a.css'><style>a{background:url(http://x/y.png)}</style>"
        '<a href="https://www.google.com/maps">link, not a load</a>'
    )
    assert len(external_resources(page)) == 3
    with pytest.raises(ValueError, match="3 remote resource"):
        assert_offline(page)


def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"a": "</script><!-- \u2028 & '"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_map_file_name_is_safe():
    from licvisit.domain import Crew

    c = Crew(
        "../FRI 1/<x>",
        dt.date(2025, 11, 14),
        "sia_check",
        (),
        "B",
        0,
        0,
        dt.datetime(2025, 11, 14, 22),
        dt.datetime(2025, 11, 15, 3),
    )
    assert map_file_name(c) == "2025-11-14_FRI_1_x.html"


def test_cli_maps_regenerates_from_a_saved_plan(tmp_path):
    d = MAPS_DATA
    out = tmp_path / "maps"
    res = CliRunner().invoke(
        main,
        [
            "maps", "--plan", str(d / "plan"), "--premises", str(d / "premises.csv"), "--zones", str(d / "zones.geojson"),
            "--calls", str(d / "calls.csv"), "--visits", str(d / "visit_history.csv"), "--ranking", str(d / "ranking.csv"),
            "--out", str(out),
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Wrote 3 route maps, overview.html and index.html to" in res.output
    assert (out / "2025-11-15_SAT-SIA-1.html").is_file() and (out / "index.html").is_file()


def test_cli_maps_needs_premises_and_a_plan(tmp_path):
    res = CliRunner().invoke(main, ["maps", "--plan", str(MAPS_DATA / "plan"), "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "Error: No premises file given. Fix: pass --premises FILE" in res.output
    res = CliRunner().invoke(
        main, ["maps", "--plan", str(tmp_path), "--premises", str(MAPS_DATA / "premises.csv")]
    )
    assert res.exit_code == 1
    assert "Error: No plan found at" in res.output


def test_pages_carry_charset_first_and_a_content_security_policy(lic_html):
    head = lic_html[:600]
    assert '<meta charset="utf-8">' in head
    assert (
        "Content-Security-Policy" in head and "default-src 'none'" in head and "img-src data: blob:;" in head
    )


def test_csp_allows_only_the_configured_tile_server():
    from licvisit.render.offline import csp_meta

    assert "img-src data: blob: https://*.tiles.example.uk;" in csp_meta(
        "https://{s}.tiles.example.uk/{z}/{x}/{y}.png"
    )
    assert "https:" not in csp_meta(None)


def test_crew_members_named_when_staff_given(inputs):
    from licvisit.domain import Officer

    staff = [Officer("PC1", "Sam <Okafor>", "licensing_pc", "Steelhouse Lane", 0.0, 0.0)]
    d = dict(inputs)
    html = route_map(d.pop("plan"), "FRI-LIC-1", d.pop("premises"), staff=staff, **d)
    assert "Crew: Sam &lt;Okafor&gt; (licensing pc), CL1." in html


def test_minimal_inputs_and_an_empty_plan_still_render(tmp_path, inputs):
    import geopandas as gpd

    from licvisit.domain import Plan

    prem = inputs["premises"][["premises_id", "x", "y"]]
    gdf = gpd.GeoDataFrame(
        prem[["premises_id"]], geometry=gpd.points_from_xy(prem["x"], prem["y"]), crs=27700
    )
    html = route_map(inputs["plan"], "SAT-SIA-1", gdf)  # no name, hours, ranking, calls, zones
    assert "Itinerary: 3 visits" in html and "<th>Licensed hours</th><td>not known" in html
    assert "No call data loaded." in html
    empty = Plan(dt.date(2025, 11, 10), [], [], [], [])
    paths = write_route_maps(empty, prem, tmp_path)
    assert [p.name for p in paths] == ["overview.html", "index.html"]
    assert "No crews in this plan." in paths[1].read_text()
    assert "No crews rostered." in paths[0].read_text()


def test_cli_maps_reports_a_bad_maps_setting(tmp_path):
    cfg = tmp_path / "licvisit.toml"
    cfg.write_text('[maps]\ntiles_url = "https://tiles.example/tile.png"\n')
    res = CliRunner().invoke(main, ["maps", "--config", str(cfg), "--plan", str(MAPS_DATA / "plan")])
    assert res.exit_code == 1
    assert res.output.startswith(
        "Error: Config [maps]: Expected tiles_url to contain {z}, {x} and {y}; found tiles_url = "
        '"https://tiles.example/tile.png".'
    )


def test_same_plan_gives_byte_identical_maps(inputs):
    """folium's random element ids are renumbered in page order: maps can be diffed and cached."""

    def render():
        d = dict(inputs)
        route = route_map(
            d["plan"],
            "FRI-LIC-1",
            d["premises"],
            **{k: v for k, v in d.items() if k not in ("plan", "premises")},
        )
        d.pop("visit_history")
        over = overview_map(d.pop("plan"), d.pop("premises"), **d)
        return route, over

    first, second = render(), render()
    assert first == second
    assert not re.search(r"(?<![0-9a-f])(?=[0-9a-f]*[a-f])[0-9a-f]{32}(?![0-9a-f])", first[0] + first[1])
