"""Render returns pages and writes no file; ``licvisit.app.pages`` writes them (issue 11).

Also: render imports nothing from ``licvisit.io`` and io nothing from render,
``write_plan`` writes the plan's tables only (the folder writer adds
``roster.html``), and the pages' own CSS and script templates are files in
``licvisit/render/assets``, put in the pages exactly as stored.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import licvisit
from licvisit.app.pages import write_evidence, write_files, write_plan_folder, write_route_maps
from licvisit.io.plan_io import write_plan
from licvisit.io.zones import select_zone
from licvisit.render.maps import map_file_name, route_map_pages
from licvisit.render.offline import ASSETS, own_asset
from licvisit.render.roster_html import roster_html
from tests.browser import map_inputs
from tests.paths import TEST_DATA

PACKAGE = Path(licvisit.__file__).parent
DATA = TEST_DATA / "evidence"


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top, inside functions and under TYPE_CHECKING."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(("folder", "forbidden"), [("render", "licvisit.io"), ("io", "licvisit.render")])
def test_render_and_io_do_not_import_each_other(folder, forbidden):
    offending = {
        f"{p.relative_to(PACKAGE).as_posix()}: {m}"
        for p in sorted((PACKAGE / folder).rglob("*.py"))
        for m in _imported_modules(p)
        if m == forbidden or m.startswith(forbidden + ".")
    }
    assert offending == set()


def test_route_map_pages_returns_every_page_and_writes_nothing(tmp_path, monkeypatch):
    kw = map_inputs()
    monkeypatch.chdir(tmp_path)
    pages = route_map_pages(**kw)
    assert list(tmp_path.iterdir()) == []
    crews = sorted(kw["plan"].crews, key=lambda c: (c.night, c.crew_id))
    assert list(pages) == [map_file_name(c) for c in crews] + ["overview.html", "index.html"]
    assert all(html.startswith("<!DOCTYPE html>") for html in pages.values())

    written = write_route_maps(out_dir=tmp_path / "maps", **kw)
    assert [p.name for p in written] == list(pages)
    assert {p.name: p.read_text(encoding="utf-8") for p in written} == pages


def test_write_files_writes_text_and_bytes_under_relative_paths(tmp_path):
    written = write_files({"a.html": "£5 entry", "charts/b.png": b"\x89PNG"}, tmp_path)
    assert written == [tmp_path / "a.html", tmp_path / "charts" / "b.png"]
    assert (tmp_path / "a.html").read_bytes() == "£5 entry".encode()
    assert (tmp_path / "charts" / "b.png").read_bytes() == b"\x89PNG"


def test_write_plan_writes_tables_and_the_folder_writer_adds_the_roster(tmp_path):
    kw = map_inputs()
    plan, premises = kw["plan"], kw["premises"]
    tables = write_plan(plan, tmp_path / "tables", premises=premises)
    assert "roster.html" not in {p.name for p in tables}
    assert not (tmp_path / "tables" / "roster.html").exists()

    folder = write_plan_folder(plan, tmp_path / "plan", premises=premises)
    assert folder[-1] == tmp_path / "plan" / "roster.html"
    assert folder[-1].read_text(encoding="utf-8") == roster_html(plan, premises=premises)
    rel = sorted(p.relative_to(tmp_path / "tables").as_posix() for p in tables if p.suffix != ".gpkg")
    for r in rel:
        assert (tmp_path / "plan" / r).read_bytes() == (tmp_path / "tables" / r).read_bytes(), r


def test_evidence_is_rendered_as_data_and_written_by_the_app(tmp_path):
    from licvisit.core import evidence as ev
    from licvisit.io.calls import read_calls
    from licvisit.io.premises import read_premises
    from licvisit.io.zones import read_zones
    from licvisit.render.evidence import render_evidence_files

    calls, _ = read_calls(DATA / "calls.csv")
    premises, _ = read_premises(DATA / "premises.csv")
    zones, _ = read_zones(DATA / "zones.geojson")
    pack = ev.build_evidence(calls, premises, select_zone(zones, "Test Quarter"), ev.EvidenceParams(),
                             ("2017-01", "2017-12"))  # fmt: skip
    cwd = os.getcwd()
    files = render_evidence_files(pack)
    assert os.getcwd() == cwd and files.pdf is None
    assert files.html.startswith("<!DOCTYPE html>") and set(files.tables) == set(pack.tables)
    assert "map.png" in files.charts and files.meta["zone"] == "Test Quarter"

    written = write_evidence(pack, tmp_path)
    assert written[0] == tmp_path / "report.html" and written[-1] == tmp_path / "evidence.json"
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        "report.html",
        "evidence.json",
        *(f"tables/{n}.csv" for n in files.tables),
        *(f"charts/{n}" for n in files.charts),
    }
    for name, png in files.charts.items():
        assert (tmp_path / "charts" / name).read_bytes() == png


@pytest.mark.parametrize(
    ("asset", "page"),
    [("maps.css", "route"), ("zones.js", "route"), ("maps.css", "overview"), ("index.css", "index")],
)
def test_page_css_and_scripts_come_from_the_asset_files(asset, page):
    kw = map_inputs()
    pages = route_map_pages(**kw)
    html = {"overview": pages["overview.html"], "index": pages["index.html"]}.get(page) or next(
        iter(pages.values())
    )
    text = own_asset(asset)
    assert (ASSETS / asset).is_file() and text.strip()
    if asset == "zones.js":  # a %-format template: zone_fill is filled in per map
        text = text % {"zone_fill": "0.06"}
    assert text.strip("\n") in html
