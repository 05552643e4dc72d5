"""Open the generated maps in headless Chromium: they draw, log no errors and make no requests."""

from __future__ import annotations

import re

import pytest

from licvisit.app.pages import write_route_maps
from tests.browser import (
    distinct_colours,
    load_page,
    map_inputs,
    pdf_pages,
    print_to_pdf,
    require_chromium,
    screenshot,
)
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.browser

HOSTILE_TEXT = "&lt;img src=x onerror=alert(1)&gt;"
MARKER = re.compile(r'class="leaflet-marker-icon lv-stop[ "]')


@pytest.fixture(scope="module")
def maps_dir(tmp_path_factory):
    """Maps of the fixture plan (three crew-nights, overview, index) written to a temporary folder."""
    require_chromium()
    d = map_inputs()
    out = tmp_path_factory.mktemp("maps")
    write_route_maps(d.pop("plan"), d.pop("premises"), out, **d)
    return out


@pytest.fixture(scope="module")
def expected_stops():
    """Stop markers each page must show: visits whose premises have coordinates."""
    d = map_inputs()
    plan, prem = d["plan"], d["premises"]
    located = set(prem.dropna(subset=["x", "y"])["premises_id"])
    per_crew = {
        f"{c.night.isoformat()}_{c.crew_id}.html": sum(
            1 for v in plan.visits if v.crew_id == c.crew_id and v.premises_id in located
        )
        for c in plan.crews
    }
    per_crew["overview.html"] = sum(per_crew.values())
    per_crew["index.html"] = 0
    return per_crew


PAGES = [
    "2025-11-14_FRI-GANG-1.html",
    "2025-11-14_FRI-LIC-1.html",
    "2025-11-15_SAT-SIA-1.html",
    "overview.html",
    "index.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(maps_dir, expected_stops, page):
    # The licensing crew's map is opened at #stop-1: the popup of the hostile-named premises opens.
    lic = page == "2025-11-14_FRI-LIC-1.html"
    run = load_page(maps_dir / page, fragment="stop-1" if lic else "")
    dom = run.dom
    assert dom.strip(), run.stderr[-2000:]
    assert run.console_errors == [], run.console_errors
    assert run.requests == []
    assert len(MARKER.findall(dom)) == expected_stops[page]
    assert '<img src="x"' not in dom
    if page != "index.html":
        assert "leaflet-container" in dom  # Leaflet ran
        assert "leaflet-control-layers" in dom
        assert dom.count('class="leaflet-tooltip lv-zone-label') == 2
    if page.startswith("2025"):
        assert "leaflet-control-locate" in dom and "leaflet-control-zoom-fullscreen" in dom
    if lic:
        # the hostile name is text in the open popup and in the itinerary, never an element
        popup = re.search(r'<div class="leaflet-popup-content"[^>]*>(.*?)</h3>', dom)
        assert popup is not None, "stop 1's popup did not open"
        assert HOSTILE_TEXT in popup.group(1)
        assert f'<span class="lv-name">{HOSTILE_TEXT}</span>' in dom
        assert "<img src=x" not in dom.replace(HOSTILE_TEXT, "")


@pytest.mark.parametrize("page", ["2025-11-14_FRI-LIC-1.html", "overview.html"])
def test_screenshot_is_not_blank(maps_dir, tmp_path, page):
    png = screenshot(maps_dir / page, tmp_path / "shot.png")
    assert png.is_file(), "Chromium wrote no screenshot"
    assert distinct_colours(png) > 50


def test_itinerary_prints_on_a4(maps_dir, tmp_path):
    pdf = print_to_pdf(maps_dir / "2025-11-14_FRI-LIC-1.html", tmp_path / "itinerary.pdf")
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 3  # four stops, the map left out
    w, h = pages[0]
    assert abs(w - 595) < 2 and abs(h - 842) < 2  # A4 portrait [pt]


def test_helper_sees_console_errors_and_requests(tmp_path):
    """Negative control: a page that loads from a CDN and throws must be caught by the helper."""
    require_chromium()
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><script src='https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js'></script>"
        "<script>L.map('x');</script></body></html>"
    )
    run = load_page(page, budget_ms=2000)
    assert any("cdn.jsdelivr.net" in u for u in run.requests)
    assert any("L is not defined" in c for c in run.console_errors)


def test_demo_scale_maps_load_offline(tmp_path):
    """The bundled Birmingham demo (about 1,500 premises, 18,000 calls) with three full crew-nights."""
    require_chromium()
    import datetime as dt

    import geopandas as gpd
    import pandas as pd

    from licvisit.domain import Crew, Plan, Visit

    data = REPO_ROOT / "data"
    if not (data / "premises_birmingham.csv").is_file():
        pytest.skip("demo data not built")
    prem = pd.read_csv(data / "premises_birmingham.csv", dtype={"premises_id": str}, encoding="utf-8-sig")
    calls = pd.read_csv(
        data / "calls_demo.csv", dtype={"premises_ref": str, "call_id": str}, encoding="utf-8-sig"
    )
    hist = pd.read_csv(data / "visit_history.csv", dtype={"premises_id": str}, encoding="utf-8-sig")
    zones = gpd.read_file(data / "nte_zones.geojson")
    order = prem.sort_values("premises_id").reset_index(drop=True)
    ranking = pd.DataFrame({"premises_id": order["premises_id"], "rank": range(1, len(order) + 1)})
    ranking["band"] = pd.cut(ranking["rank"], [0, 75, 300, 750, 10**6], labels=list("ABCD")).astype(str)
    night = dt.date(2025, 10, 10)
    crews, visits = [], []
    for i, op in enumerate(("licensing_compliance", "sia_check", "gang_op")):
        start = dt.datetime(2025, 10, 10, 21)
        c = Crew(
            f"FRI-{i + 1}",
            night,
            op,
            ("A", "B"),
            "Steelhouse Lane",
            407251.4,
            287308.4,
            start,
            start + dt.timedelta(hours=6),
        )
        crews.append(c)
        for n in range(1, 10):
            pid = order["premises_id"][i * 40 + n * 4]
            t = start + dt.timedelta(minutes=30 * n)
            visits.append(
                Visit(pid, c.crew_id, night, op, n, t, t + dt.timedelta(minutes=20), start, c.shift_end, 1.0)
            )
    plan = Plan(dt.date(2025, 10, 6), [], crews, visits, [])
    paths = write_route_maps(
        plan, prem, tmp_path, ranking=ranking, visit_history=hist, calls=calls, zones=zones
    )
    for page, stops in ((paths[0], 9), (tmp_path / "overview.html", 27)):
        assert page.stat().st_size < 2_000_000
        run = load_page(page)
        assert run.console_errors == [] and run.requests == []
        assert len(MARKER.findall(run.dom)) == stops
