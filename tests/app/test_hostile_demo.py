"""Issue 10, done when: a demo run on hostile inputs writes every page, runs no payload and shows each as text.

The bundled demo data, with every premises name, address, DPS and set of
conditions, every officer's name and base, every NTE zone's name and every
visit note rewritten to carry a template, script or formula payload.
"""

from __future__ import annotations

import csv
import json
import os
import re
from html import escape
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from markupsafe import escape as jinja_escape

from licvisit.cli import main
from tests.browser import load_page, require_chromium
from tests.paths import REPO_ROOT

DATA = REPO_ROOT / "data"
# "touch CANARY" without quotes (see test_no_template_injection.py); ran before issue 10.
TOUCH = "dict(touch=1)|first ~ (1|string|center(3)|first) ~ dict(CANARY=1)|first"
TEMPLATE = [
    "{{ 6*7 }}",
    f"{{{{ lipsum.__globals__.os.system({TOUCH}) }}}}",
    f"{{% set x = lipsum.__globals__.os.system({TOUCH}) %}}",
    "{# comment #}",
]
SCRIPT = [
    "<script>document.title='lvpwned'</script>",
    "<img src=x onerror=\"document.title='lvpwned'\">",
    "</script><script>document.title='lvpwned'</script>",
    "`${document.title='lvpwned'}`",
]
FORMULA = ['=HYPERLINK("http://evil.example/","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]
OTHER = ["url(http://evil.example/x.png)", "Line\u2028break"]
PAYLOADS = TEMPLATE + SCRIPT + FORMULA + OTHER


def _tag(series: pd.Series, offset: int = 0) -> list[str]:
    """Each value with a payload in front (round-robin), so every page gets every kind."""
    return [f"{PAYLOADS[(i + offset) % len(PAYLOADS)]} {v}" for i, v in enumerate(series.fillna(""))]


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
    return path


@pytest.fixture(scope="module")
def hostile_demo(tmp_path_factory):
    """One `licvisit demo` run on the hostile copy of the bundled data; returns (work dir, out dir, result)."""
    work = tmp_path_factory.mktemp("hostile")
    prem = pd.read_csv(
        DATA / "premises_birmingham.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    for k, field in enumerate(("name", "address", "dps", "conditions")):
        prem[field] = _tag(prem[field], 3 * k)
    staff = pd.read_csv(DATA / "staff.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    staff["name"] = _tag(staff["name"])
    # Officers who share a base crew together: one payload per base, not per officer.
    bases = {b: f"{PAYLOADS[5 + i]} {b}" for i, b in enumerate(sorted(set(staff["base"])))}
    staff["base"] = staff["base"].map(bases)
    visits = pd.read_csv(DATA / "visit_history.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    visits["notes"] = _tag(visits["notes"], 7)
    zones = json.loads((DATA / "nte_zones.geojson").read_text(encoding="utf-8"))
    for i, f in enumerate(zones["features"]):
        f["properties"]["name"] = f"{PAYLOADS[i % len(PAYLOADS)]} {f['properties']['name']}"
    (work / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    out = work / "out"
    args = [
        "demo",
        "--premises",
        str(_write_csv(prem, work / "premises.csv")),
        "--staff",
        str(_write_csv(staff, work / "staff.csv")),
        "--visits",
        str(_write_csv(visits, work / "visits.csv")),
        "--zones",
        str(work / "zones.geojson"),
        "--zone",
        "broad_street",
        "--out",
        str(out),
        "--time-limit",
        "10",  # wall clock: leave room for a busy machine (the work limit usually stops it sooner)
    ]
    cwd = work / "cwd"  # a payload that ran `touch CANARY` would leave the file here
    cwd.mkdir()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(before)
    return work, Path(cwd), out, result


def _pages(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}


def test_demo_on_hostile_inputs_succeeds_and_writes_every_page(hostile_demo):
    work, cwd, out, result = hostile_demo
    assert result.exit_code == 0, result.output
    pages = _pages(out)
    for rel in ("index.html", "overview.html", "plan/roster.html", "evidence/report.html"):
        assert rel in pages, rel
    crew_maps = [r for r in pages if re.match(r"20\d\d-\d\d-\d\d_.*\.html$", r)]
    plan = json.loads((out / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert len(crew_maps) == len(plan["crews"]) > 0


def test_no_payload_ran(hostile_demo):
    work, cwd, out, result = hostile_demo
    assert result.exit_code == 0, result.output
    assert not list(work.rglob("CANARY")) and not list(cwd.rglob("CANARY"))
    pages = _pages(out)
    maps = [r for r in pages if "/" not in r and r != "index.html"]
    for rel in maps:  # the zones are on every map, the first named "{{ 6*7 }} Broad Street"
        assert "{{ 6*7 }} Broad Street" in pages[rel], rel
    assert str(jinja_escape("{{ 6*7 }} Broad Street")) in pages["evidence/report.html"]
    for rel, page in pages.items():
        assert "42 Broad Street" not in page, rel


def test_each_payload_is_shown_as_text(hostile_demo):
    _, _, out, result = hostile_demo
    assert result.exit_code == 0, result.output
    pages = _pages(out)
    for p in PAYLOADS:  # every premises is on the overview, in the page's JSON
        body = json.dumps(escape(p, quote=True), ensure_ascii=False)[1:-1]
        assert body.replace("&", "\\u0026").replace("\u2028", "\\u2028") in pages["overview.html"], p
    prem = pd.read_csv(
        out / "ranking" / "ranking.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    visits = pd.read_csv(out / "plan" / "visits.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    names = dict(zip(prem["premises_id"], prem["name"], strict=True))
    for pid in visits["premises_id"]:
        name = names[pid].removeprefix("'")  # the CSV guards formulae with a leading quote
        assert escape(name, quote=True) in pages["plan/roster.html"], name
    for page in pages.values():
        assert "<script>document.title" not in page and "<img src=x" not in page


def test_no_csv_cell_is_a_formula(hostile_demo):
    _, _, out, result = hostile_demo
    assert result.exit_code == 0, result.output
    csvs = sorted(out.rglob("*.csv"))
    assert csvs
    for path in csvs:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _number(cell)):
                        pytest.fail(f"{path.relative_to(out)}: formula cell {cell!r}")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_script_runs_in_chromium(hostile_demo):
    """Each page in headless Chromium with DNS blocked: title unchanged, no console error, no request."""
    require_chromium()
    _, _, out, result = hostile_demo
    assert result.exit_code == 0, result.output
    crew_map = sorted(out.glob("20*.html"))[0]
    for page, fragment in (
        (crew_map, "stop-1"),  # opens the first stop's popup: the premises card goes in as HTML
        (out / "overview.html", ""),
        (out / "index.html", ""),
        (out / "plan" / "roster.html", ""),
        (out / "evidence" / "report.html", ""),
    ):
        run = load_page(page, fragment=fragment)
        title = re.search(r"<title>(.*?)</title>", run.dom, re.S)
        assert title and "lvpwned" not in title.group(1), (page.name, title)
        assert run.console_errors == [], (page.name, run.console_errors)
        assert run.requests == [], (page.name, run.requests)
        if page.name != "index.html":  # the index lists crews only
            assert "{{ 6*7 }}" in run.dom, page.name  # there as text
