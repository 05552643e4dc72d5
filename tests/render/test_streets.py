"""Streets under the map, offline, from the shared central Leeds OpenStreetMap extract (ODbL)."""

from __future__ import annotations

import dataclasses

import pytest

from licvisit.app.pages import write_route_maps
from licvisit.errors import LicvisitError
from licvisit.io.streets import read_streets
from licvisit.render.map_params import MapParams
from licvisit.render.streets import streets_layer
from tests.browser import CHROMIUM, map_inputs, require_chromium
from tests.paths import TEST_DATA

LEEDS_PBF = TEST_DATA / "osm" / "leeds_centre_sample.osm.pbf"
LEEDS_GEOJSON = TEST_DATA / "osm" / "leeds_centre_streets.geojson"
# Birmingham (the fixture) to central Leeds, in EPSG:27700 metres
SHIFT = (430780.0 - 406500.0, 433612.0 - 286550.0)
AROUND_EASTGATE = [[53.7975, -1.5360], [53.7990, -1.5320]]


def leeds_inputs() -> dict:
    """The hand-made map fixture (tests/browser.py:map_inputs) moved to central Leeds."""
    d = map_inputs()
    prem = d["premises"].copy()
    prem["x"] += SHIFT[0]
    prem["y"] += SHIFT[1]
    d["premises"] = prem
    plan = d["plan"]
    plan.crews[:] = [
        dataclasses.replace(c, base_x=c.base_x + SHIFT[0], base_y=c.base_y + SHIFT[1]) for c in plan.crews
    ]
    calls = d["calls"].copy()
    calls["x"] += SHIFT[0]
    calls["y"] += SHIFT[1]
    d["calls"] = calls
    d.pop("zones")
    return d


@pytest.mark.parametrize("path", [LEEDS_PBF, LEEDS_GEOJSON])
def test_streets_are_clipped_named_and_small(path):
    layer = streets_layer(read_streets(path), AROUND_EASTGATE, margin_m=200)
    names = set(layer["names"])
    assert {"York Street", "Duke Street", "Eastgate"} <= names
    assert layer["attribution"] == "© OpenStreetMap contributors"
    lons = [c for ln in layer["lines"] for c in ln[2][1::2]]
    assert -1.5392 < min(lons) and max(lons) < -1.5289  # clipped to the points + 200 m
    assert all(layer["names"][t[0]] for t in layer["labels"]) and -90 <= min(t[3] for t in layer["labels"])


def test_an_unreadable_street_file_says_how_to_fix_it(tmp_path):
    bad = tmp_path / "streets.geojson"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(
        LicvisitError, match=r"^Cannot read streets from .*streets.geojson: .*Fix: point \[maps\] streets"
    ):
        read_streets(bad)


@pytest.fixture(scope="module")
def leeds_maps(tmp_path_factory):
    """Maps of the fixture plan moved to Leeds, with [maps] streets = the Leeds .osm.pbf."""
    d = leeds_inputs()
    out = tmp_path_factory.mktemp("leeds")
    write_route_maps(d.pop("plan"), d.pop("premises"), out, params=MapParams(streets=str(LEEDS_PBF)), **d)
    return out


def test_streets_are_embedded_and_maps_stay_small(leeds_maps):
    crew = leeds_maps / "2025-11-14_FRI-LIC-1.html"
    html = crew.read_text(encoding="utf-8")
    assert "window.LV_STREETS=" in html and "OpenStreetMap contributors" in html
    assert crew.stat().st_size <= 2_000_000
    for page in leeds_maps.glob("2025-*.html"):
        assert page.stat().st_size <= 2_000_000


@pytest.mark.browser
@pytest.mark.parametrize("page_name", ["2025-11-14_FRI-LIC-1.html", "overview.html"])
def test_named_streets_draw_offline(leeds_maps, page_name):
    require_chromium()
    from tests.browser import playwright_or_skip, watch_page

    with playwright_or_skip()() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors, requests = [], []
        watch_page(page, errors, requests)
        page.goto((leeds_maps / page_name).as_uri())
        assert page.locator(".leaflet-lvStreets-pane canvas").count() == 1
        assert "© OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").text_content()
        # names are placed when the map reaches street zoom: wait for them, up to 20 s, setting the
        # view again while waiting if anything moved it (it once stayed unlabelled in a full suite)
        page.wait_for_function(
            "() => { if (window.LV_MAP.getZoom() !== 17) window.LV_MAP.setView([53.7980, -1.5340], 17,"
            " {animate: false}); return document.querySelectorAll('.lv-street-name').length >= 5; }",
            timeout=20000,
        )
        labels = page.locator(".lv-street-name").all_text_contents()
        assert len(labels) >= 5 and "York Street" in labels
        page.wait_for_function(
            "() => { if (window.LV_MAP.getZoom() !== 14) window.LV_MAP.setZoom(14, {animate: false});"
            " return document.querySelectorAll('.lv-street-name').length === 0; }",
            timeout=20000,
        )
        assert page.locator(".lv-street-name").count() == 0  # names only at street zoom
        assert errors == [] and requests == []
        browser.close()


def test_streets_path_in_the_config_is_relative_to_the_config(tmp_path):
    from licvisit.app.params import map_params
    from licvisit.config import load_config
    from licvisit.errors import ConfigError

    cfg = tmp_path / "licvisit.toml"
    cfg.write_text('[maps]\nstreets = "osm/leeds.osm.pbf"\n', encoding="utf-8")
    assert map_params(load_config(cfg)).streets == str(tmp_path / "osm" / "leeds.osm.pbf")
    cfg.write_text("[maps]\nstreets = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[maps\]: streets = 3; expected text in quotes"):
        map_params(load_config(cfg))


def test_without_streets_maps_are_as_before(tmp_path):
    d = leeds_inputs()
    write_route_maps(d.pop("plan"), d.pop("premises"), tmp_path, **d)
    html = (tmp_path / "2025-11-14_FRI-LIC-1.html").read_text(encoding="utf-8")
    assert "LV_STREETS" not in html and "openstreetmap" not in html.lower()
