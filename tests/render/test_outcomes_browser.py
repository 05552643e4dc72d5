"""Record an outcome on a crew map in headless Chromium (Playwright), reload, export the CSV."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from click.testing import CliRunner

from licvisit.app.pages import write_route_maps
from licvisit.cli import main
from licvisit.io.visits import read_visits
from tests.browser import CHROMIUM, MAPS_DATA, map_inputs, playwright_or_skip, require_chromium, watch_page

pytestmark = pytest.mark.browser

NOTE = 'Door <script>alert(1)</script> =SUM(1) "quoted", comma'


@pytest.fixture(scope="module")
def lic_map(tmp_path_factory):
    """The Friday licensing crew's map of the fixture plan (first stop: the hostile-named P1)."""
    require_chromium()
    d = map_inputs()
    out = tmp_path_factory.mktemp("maps")
    write_route_maps(d.pop("plan"), d.pop("premises"), out, **d)
    return out / "2025-11-14_FRI-LIC-1.html"


@pytest.fixture
def page_of(lic_map):
    """Open a page in Chromium with every host unresolvable; collect console errors and requests."""
    sync_playwright = playwright_or_skip()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 800, "height": 1280}])
def test_record_reload_and_export_an_outcome(page_of, lic_map, tmp_path, viewport):
    ctx = page_of.new_context(viewport=viewport, has_touch=True, accept_downloads=True)
    page = ctx.new_page()
    errors, requests = [], []
    watch_page(page, errors, requests)
    page.goto(lic_map.as_uri())
    # no two visible stop labels overlap at the default zoom
    overlapping = page.evaluate(
        """() => { const r = [...document.querySelectorAll('.leaflet-tooltip.lv-label')]
          .filter(t => getComputedStyle(t).visibility !== 'hidden').map(t => t.getBoundingClientRect());
          let n = 0; r.forEach((a, i) => r.slice(i + 1).forEach(b => { if (a.left < b.right && a.right > b.left
          && a.top < b.bottom && a.bottom > b.top) n++; })); return n; }"""
    )
    assert overlapping == 0
    # the fixture's first two Friday stops are close enough for their labels to collide: one is hidden
    hidden = page.locator(".leaflet-tooltip.lv-label").evaluate_all(
        "ts => ts.filter(t => getComputedStyle(t).visibility === 'hidden').length"
    )
    assert hidden >= 1
    first = page.locator("#stop-1")
    first.get_by_role("button", name="Record outcome").click()
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible()
    # the time is pre-filled with the planned arrival
    assert page.get_by_label("Time of visit").input_value() == "2025-11-14T20:00"
    dialog.get_by_label("Outcome").select_option("breach_found")
    dialog.get_by_label("Notes").fill(NOTE)
    dialog.get_by_label("CCTV & <b>polycarbonate</b> glasses").check()
    dialog.get_by_role("button", name="Save").tap()
    assert not dialog.is_visible()
    status = first.locator("p.lv-outcome").first
    assert "Breach found" in status.text_content()

    page.reload()
    first = page.locator("#stop-1")
    text = first.locator("p.lv-outcome").first.text_content()
    assert text.startswith(
        "Recorded: Breach found at 2025-11-14 20:00; breached: CCTV & <b>polycarbonate</b>"
    )
    assert "<script>alert(1)</script>" in text  # shown as text ...
    assert page.locator("#stop-1 script").count() == 0  # ... never as an element
    assert first.get_by_role("button", name="Edit outcome").is_visible()
    assert page.locator(".lv-stop-icon.lv-done[data-stop='1']").count() == 1

    with page.expect_download() as dl:
        page.get_by_role("button", name="Export outcomes (1)").click()
    download = dl.value
    assert download.suggested_filename == "outcomes_2025-11-14_FRI-LIC-1.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [
        {
            "premises_id": "P1",
            "visited_at": "2025-11-14T20:00:00",
            "visit_type": "licensing_compliance",
            "outcome": "breach_found",
            "notes": NOTE,
            "crew_id": "FRI-LIC-1",
            "officer_ids": rows[0]["officer_ids"],
            "breached_conditions": "CCTV & <b>polycarbonate</b> glasses",
            "door_staff_checked": "",
            "door_staff_valid": "",
            "recorded_at": rows[0]["recorded_at"],
        }
    ]
    assert rows[0]["officer_ids"] and "'" not in rows[0]["officer_ids"]
    # once exported the outcome is locked
    assert page.locator("#stop-1").get_by_role("button", name="Exported").is_disabled()
    assert errors == []
    assert requests == []
    ctx.close()

    # the exported file goes back into the visit history: one row, and importing it again adds nothing
    history = tmp_path / "visit_history.csv"
    shutil.copy(MAPS_DATA / "visit_history.csv", history)
    n = len(history.read_text(encoding="utf-8").splitlines())
    for _ in range(2):
        res = CliRunner().invoke(main, ["visits", "import", str(saved), "--into", str(history)])
        assert res.exit_code == 0, res.output
        assert len(history.read_text(encoding="utf-8-sig").splitlines()) == n + 1
    visits, problems = read_visits(history)
    assert problems == [] and visits.iloc[-1]["notes"] == NOTE


def _map_of(page):
    """The page's Leaflet map (folium names it map_<id>)."""
    return page.evaluate_handle(
        "Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map).map(k => window[k])[0]"
    )


def test_overview_day_filter_zooms_to_that_nights_stops(page_of, lic_map):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = page_of.new_page(viewport={"width": 1280, "height": 800})
    errors, requests = [], []
    watch_page(page, errors, requests)
    page.goto((lic_map.parent / "overview.html").as_uri())
    m = _map_of(page)
    for night in ("2025-11-15", "2025-11-14"):
        page.locator(f"button[data-night='{night}']").click()
        # the map is centred on the stops now shown (that night's only), all of them in view; the
        # layers and the view change in the click handler and the next frames, so wait for them
        # only the stops: street-name labels (markers too) appear at street zoom and must not count
        view = """map => { const P = []; map.eachLayer(l => { if (l instanceof L.Marker && l.options.icon
                && l.options.icon.options.className === 'lv-stop') P.push(l.getLatLng()); });
              const b = L.latLngBounds(P);
              return [map.getCenter().distanceTo(b.getCenter()), P.length, map.getBounds().contains(b)]; }"""
        try:
            page.wait_for_function(
                f"map => {{ const [off, n, inside] = ({view})(map); return n > 0 && inside && off < 30; }}",
                arg=m,
                timeout=20000,  # returns as soon as it holds; a loaded CI machine renders slowly
            )
        except PlaywrightTimeout:
            pass  # the assertions below say what was wrong
        off_m, count, all_in = m.evaluate(view)
        assert count > 0 and all_in
        assert off_m < 30
    zoom_fri = m.evaluate("map => map.getZoom()")
    page.locator("button[data-night='all']").click()
    try:
        page.wait_for_function(f"map => map.getZoom() <= {zoom_fri}", arg=m, timeout=20000)
    except PlaywrightTimeout:
        pass
    assert m.evaluate("map => map.getZoom()") <= zoom_fri
    assert errors == [] and requests == []
    page.close()


def test_popups_are_dark_like_the_page(page_of, lic_map):
    page = page_of.new_page(viewport={"width": 1280, "height": 800})
    page.goto(lic_map.as_uri() + "#stop-2")
    wrapper = page.locator(".leaflet-popup-content-wrapper")
    colours = wrapper.evaluate("w => [getComputedStyle(w).backgroundColor, getComputedStyle(w).color]")
    assert colours == ["rgb(22, 28, 34)", "rgb(245, 245, 245)"]
    page.close()


def test_export_is_excel_safe_and_sia_counts_are_kept(page_of, tmp_path):
    d = map_inputs()
    out = tmp_path / "maps"
    write_route_maps(d.pop("plan"), d.pop("premises"), out, **d)
    ctx = page_of.new_context(accept_downloads=True)
    page = ctx.new_page()
    errors, requests = [], []
    watch_page(page, errors, requests)
    page.goto((out / "2025-11-15_SAT-SIA-1.html").as_uri())
    page.locator("#stop-1").get_by_role("button", name="Record outcome").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Outcome").select_option("compliant")
    dialog.get_by_label("Notes").fill("=SUM(1)")
    dialog.get_by_label("Door supervisors checked").fill("4")
    dialog.get_by_label("With a valid SIA licence").fill("5")
    dialog.get_by_role("button", name="Save").click()
    assert page.locator(".lv-of-msg").text_content() == (
        "Valid licences cannot be more than door supervisors checked."
    )
    dialog.get_by_label("With a valid SIA licence").fill("3")
    dialog.get_by_role("button", name="Save").click()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export outcomes (1)").click()
    saved = tmp_path / "out.csv"
    dl.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert (rows[0]["visit_type"], rows[0]["notes"]) == ("sia_check", "'=SUM(1)")
    assert (rows[0]["door_staff_checked"], rows[0]["door_staff_valid"]) == ("4", "3")
    assert errors == [] and requests == []
    ctx.close()
