"""No text from an input file is ever compiled as a template: every page shows it as text.

folium and branca compile Jinja2 templates, and before issue 10 some of our
strings were compiled too (the side panel, the drawing script with its data,
layer names): ``{{ 6*7 }}`` in a premises name showed as ``42``, a name with
``{{`` and a quote crashed the maps, and ``{{ lipsum.__globals__.os ... }}``
ran a shell command.  These tests put hostile strings into every text field of
premises, staff, zones, visit history, calls and the plan, render every page
type straight from the render functions, and check that each string is on the
page as text and that nothing was evaluated.
"""

from __future__ import annotations

import dataclasses
import json
import os
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markupsafe import escape as jinja_escape

from licvisit.app.pages import write_route_maps
from licvisit.domain import Officer
from licvisit.io.plan_io import itinerary_text
from licvisit.io.zones import select_zone
from licvisit.render.cards import split_flags
from licvisit.render.roster_html import roster_html
from tests.browser import map_inputs
from tests.paths import TEST_DATA

# Each is evaluated by Jinja2 into something that cannot appear on a page otherwise
# ("lveval", "lvlooplvloop"), or breaks a template (TemplateSyntaxError), or is markup.
PAYLOADS = [
    "{{ 6*7 }}",
    "{{ 'lv' ~ 'eval' }}",
    "{% for i in range(3) %}lvloop{% endfor %}",
    "{# lvcomment #}",
    "{% if true %}lvif{% endif %}",
    "The {{ O'Neill's",
    "{% raw %}",
    "{{ lipsum.__globals__['os'].system('touch CANARY') }}",
    "{{ lipsum.__globals__.os.system(dict(touch=1)|first ~ (1|string|center(3)|first) ~ dict(CANARY=1)|first) }}",
    "</script><script>window.lvran=1</script>",
    "<img src=x onerror=window.lvran=1>",
    "`${window.lvran=1}`",
    "url(http://evil.example/x.png)",
    "@import 'http://evil.example/a.css';",
    "<link rel=stylesheet href=//evil.example/a.css>",
    'he said "hi" & left',
    "line\u2028sep\u2029para",
    "nul\x00byte",
    '=HYPERLINK("http://x")',
]
EVALUATED = ("lveval", "lvlooplvloop")
# "touch CANARY" built in Jinja2 without quotes: ' ' is the first character of "1" centred in 3.
TOUCH_CANARY = "dict(touch=1)|first ~ (1|string|center(3)|first) ~ dict(CANARY=1)|first"
# Template syntax, markup, quotes, script and CSS characters, line separators, NUL, letters.
ALPHABET = st.sampled_from(
    list("{}%#<>&\"'`/\\()$;:=!*~|[] \u2028\u2029\x00aZé£-_.") + ["{{", "{%", "{#", "}}"]
)


@st.composite
def hostile(draw) -> str:
    """A payload with arbitrary template and markup characters around it."""
    pre = draw(st.lists(ALPHABET, max_size=6).map("".join))
    post = draw(st.lists(ALPHABET, max_size=4).map("".join))
    # Leading and trailing spaces are trimmed by some readers; keep letters at the ends.
    return f"a{pre}{draw(st.sampled_from(PAYLOADS))}{post}z"


FIELDS = {
    "premises": ("name", "address", "postcode", "dps", "conditions", "lpa", "intel_flags", "premises_type"),
    "history": ("notes", "outcome", "visit_type"),
    "calls": ("category", "category_raw", "location_text"),
    "staff": ("name", "base"),
    "zone": ("name",),
    "plan": ("crew_id", "base", "reason"),
}


def _html_forms(s: str) -> tuple[str, ...]:
    """How ``s`` may appear on a page as text: HTML-escaped, or that inside a JSON string in a script."""
    e = escape(s, quote=True)
    return (e, _json_body(e, False), _json_body(e, True), str(jinja_escape(s)))


def _json_body(s: str, ascii_only: bool) -> str:
    """``s`` as the inside of a JSON string written into a <script> (as json_for_script and folium's tojson do)."""
    body = json.dumps(s, ensure_ascii=ascii_only)[1:-1]
    for c in "<>&\u2028\u2029":
        body = body.replace(c, f"\\u{ord(c):04x}")
    return body


def _shown(pages: list[str], s: str) -> bool:
    return any(form in page for page in pages for form in _html_forms(s))


def _hostile_inputs(v: dict[str, dict[str, str]]):
    """The map fixture with every text field replaced by the drawn strings."""
    kw = map_inputs()
    prem = kw["premises"]
    for f, s in v["premises"].items():
        prem[f] = [f"{s} {i}" for i in range(len(prem))] if f == "name" else s
    hist = kw["visit_history"]
    for f, s in v["history"].items():
        hist[f] = s
    calls = kw["calls"]
    for f, s in v["calls"].items():
        calls[f] = s
    zones = kw["zones"]
    zones["name"] = [f"{v['zone']['name']} {i}" for i in range(len(zones))]
    plan = kw["plan"]
    ids = {c.crew_id: f"{v['plan']['crew_id']} {i}" for i, c in enumerate(plan.crews)}
    plan = dataclasses.replace(
        plan,
        crews=[dataclasses.replace(c, crew_id=ids[c.crew_id], base=v["plan"]["base"]) for c in plan.crews],
        visits=[
            dataclasses.replace(x, crew_id=ids[x.crew_id], reason=v["plan"]["reason"]) for x in plan.visits
        ],
    )
    members = sorted({m for c in plan.crews for m in c.members})
    staff = [
        Officer(m, f"{v['staff']['name']} {m}", "licensing_pc", v["staff"]["base"], 407300.0, 287300.0)
        for m in members
    ]
    kw["plan"] = plan
    return kw, staff


def _render_every_page(tmp: Path, kw: dict, staff: list[Officer]) -> dict[str, str]:
    """Every page type licvisit writes for a plan: route maps, overview, index, roster, itineraries."""
    written = write_route_maps(out_dir=tmp, staff=staff, **kw)
    pages = {p.name: p.read_text(encoding="utf-8") for p in written}
    pages["roster.html"] = roster_html(kw["plan"], staff, kw["premises"])
    for c in kw["plan"].crews:
        pages[f"itinerary {c.crew_id}"] = itinerary_text(kw["plan"], c, kw["premises"])
    return pages


values = st.fixed_dictionaries(
    {group: st.fixed_dictionaries({f: hostile() for f in fields}) for group, fields in FIELDS.items()}
)


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # shrinking a page render takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(v=values)
def test_every_page_shows_input_text_as_text_and_evaluates_nothing(v, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    kw, staff = _hostile_inputs(v)
    cwd = Path.cwd()
    os.chdir(tmp)  # a payload that ran `touch CANARY` would leave it here
    try:
        pages = _render_every_page(tmp / "maps", kw, staff)
    finally:
        os.chdir(cwd)
    assert not (tmp / "CANARY").exists()
    for name, page in pages.items():
        for marker in EVALUATED:
            assert marker not in page, (name, marker)
    html = [p for n, p in pages.items() if not n.startswith("itinerary")]
    text = [p for n, p in pages.items() if n.startswith("itinerary")]
    crew_maps = [p for n, p in pages.items() if n.startswith("20")]
    # Shown word for word, as text, where each field is shown.
    p, h, pl, s = v["premises"], v["history"], v["plan"], v["staff"]
    for field in ("name", "address", "dps"):
        assert _shown(crew_maps, p[field]), field
    for part in split_flags(p["conditions"]):  # one list item per condition
        assert _shown(crew_maps, part), part
    assert _shown([pages["overview.html"]], p["name"])
    assert _shown(crew_maps, h["notes"])
    assert _shown([pages["overview.html"]], v["zone"]["name"]) and _shown(crew_maps, v["zone"]["name"])
    for page in ("overview.html", "index.html", "roster.html"):
        assert _shown([pages[page]], pl["crew_id"]), page
    for field in ("base", "reason"):
        assert _shown(crew_maps, pl[field]) and _shown([pages["roster.html"]], pl[field]), field
    assert _shown(crew_maps, s["name"]) and _shown([pages["overview.html"], pages["roster.html"]], s["name"])
    for field in ("crew_id", "base", "reason"):
        assert any(pl[field] in t for t in text), field
    assert any(p["name"] in t and p["address"] in t for t in text)
    # Markup in the text is never markup on the page.
    for page in html:
        assert "<script>window.lvran" not in page and "<img src=x" not in page
        assert "</script><script>" not in page.replace("</script>\n<script>", "")


def test_evaluating_payloads_are_text_on_every_map(tmp_path):
    """The cases from the issue, one at a time: `{{ 6*7 }}` shows as written, never as 42."""
    kw = map_inputs()
    kw["premises"]["name"] = ["The {{ 6*7 }} Inn", "{% if 1 %}lvif{% endif %}", "{# gone? #}"] + [
        f"P {i}" for i in range(3, len(kw["premises"]))
    ]
    pages = {p.name: p.read_text(encoding="utf-8") for p in write_route_maps(out_dir=tmp_path, **kw)}
    overview = pages["overview.html"]
    assert "The {{ 6*7 }} Inn" in overview and "The 42 Inn" not in overview
    assert "{% if 1 %}lvif{% endif %}" in overview and "{# gone? #}" in overview
    route = pages["2025-11-14_FRI-LIC-1.html"]
    assert "<span class='lv-name'>The {{ 6*7 }} Inn</span>" in route
    assert "42 Inn" not in route


def test_a_name_with_braces_and_a_quote_does_not_crash_the_maps(tmp_path):
    """Was: jinja2.exceptions.TemplateSyntaxError from folium while drawing the maps."""
    kw = map_inputs()
    kw["premises"].loc[0, "name"] = "The {{ O'Neill's Bar"
    kw["zones"].loc[0, "name"] = "Zone {% end"
    written = write_route_maps(out_dir=tmp_path, **kw)
    overview = (tmp_path / "overview.html").read_text(encoding="utf-8")
    assert len(written) == 5
    assert _shown([overview], "The {{ O'Neill's Bar") and _shown([overview], "Zone {% end")


@pytest.mark.parametrize(
    "payload",
    [
        "{{ lipsum.__globals__['os'].system('touch CANARY') }}",
        "{{ cycler.__init__.__globals__.os.popen('touch CANARY').read() }}",
        "{% set x = lipsum.__globals__['os'].system('touch CANARY') %}",
        "{% for x in [lipsum.__globals__['os'].system('touch CANARY')] %}{% endfor %}",
        # No quotes (escaping turns them into &#x27;, which Jinja2 cannot parse): these ran before issue 10.
        f"The {{{{ lipsum.__globals__.os.system({TOUCH_CANARY}) }}}} Inn",
        f"{{% set x = lipsum.__globals__.os.system({TOUCH_CANARY}) %}}",
    ],
)
def test_a_canary_payload_creates_no_file(tmp_path, monkeypatch, payload):
    kw = map_inputs()
    kw["premises"]["name"] = payload  # every premises: visited (route maps) and not (overview)
    kw["zones"]["name"] = payload
    kw["visit_history"]["notes"] = payload
    monkeypatch.chdir(tmp_path)
    write_route_maps(out_dir=tmp_path / "maps", **kw)
    assert not (tmp_path / "CANARY").exists()
    assert escape(payload) in (tmp_path / "maps" / "2025-11-14_FRI-LIC-1.html").read_text(encoding="utf-8")


def test_evidence_report_shows_zone_and_premises_names_as_text():
    """The evidence report is a Jinja2 file template with autoescape: input text is a variable, never source."""
    from licvisit.core import evidence as ev
    from licvisit.io.calls import read_calls
    from licvisit.io.premises import read_premises
    from licvisit.io.zones import read_zones
    from licvisit.render.evidence import render_evidence_html

    data = TEST_DATA / "evidence"
    calls, _ = read_calls(data / "calls.csv")
    premises, _ = read_premises(data / "premises.csv")
    zones, _ = read_zones(data / "zones.geojson")
    zone_name = "Quarter {{ 'lv' ~ 'eval' }} {% if 1 %}lvif{% endif %} </title><script>x</script>"
    zones.loc[zones["name"] == "Test Quarter", "name"] = zone_name
    top = premises.index[0]
    premises.loc[top, "name"] = "The {{ 6*7 }} Inn"
    zone = select_zone(zones, zone_name)
    params = ev.EvidenceParams(kde_pixel_m=50.0)  # a coarse density raster: quicker, same text
    pack = ev.build_evidence(calls, premises, zone, params, ("2017-01", "2017-12"), intervention="2017-07")
    # Charts are drawn by matplotlib from numbers only; empty images keep the test quick.
    html = render_evidence_html(
        pack,
        chart_pngs={k: b"" for k in ("map.png", "hour_of_week.png", "lorenz.png", "displacement_map.png")},
    )
    assert str(jinja_escape(zone_name)) in html and "lveval" not in html
    assert "<script>" not in html


def test_tile_settings_from_the_config_are_not_compiled(tmp_path):
    """The tile URL and attribution come from the config file: data too, never template source."""
    from licvisit.render.maps import MapParams, route_map

    kw = map_inputs()
    params = MapParams(
        tiles_url="https://tiles.example.police.uk/{z}/{x}/{y}.png?k={{ 6*7 }}",
        tiles_attribution="{{ 'lv' ~ 'eval' }} © Force",
    )
    html = route_map(kw["plan"], "FRI-LIC-1", kw["premises"], params=params)
    assert "https://tiles.example.police.uk/{z}/{x}/{y}.png?k={{ 6*7 }}" in html and "k=42" not in html
    assert "{{ \\u0026#x27;lv\\u0026#x27; ~ \\u0026#x27;eval\\u0026#x27; }} \\u00a9 Force" in html
    assert "lveval" not in html
