"""The offline guarantee is checked on the markup licvisit writes, not on the input text shown in it."""

from __future__ import annotations

import pytest

from licvisit.app.pages import write_route_maps
from licvisit.render import route_map as route_mod
from licvisit.render.offline import assert_offline, external_resources
from licvisit.render.slots import PageSlots
from tests.browser import map_inputs

URLS_AS_TEXT = [
    "url(http://evil.example/x.png)",
    "see http://example.com/menu",
    "@import 'https://evil.example/a.css';",
    '<img src="https://evil.example/p.png">',
    "<link rel=stylesheet href=//evil.example/a.css>",
]


def test_urls_in_text_are_not_loads():
    page = (
        "<p>url(http://evil.example/x.png) and @import 'http://evil.example/a.css'</p>"
        "<button aria-label='url(http://x/y.png)' title='http://x'>go</button>"
        "<a href='https://www.google.com/maps'>a link is not a load</a>"
        "<p>&lt;img src=http://evil.example/p.png&gt;</p>"
    )
    assert external_resources(page) == []


@pytest.mark.parametrize(
    "markup",
    [
        '<script src="https://cdn.example/leaflet.js"></script>',
        "<img src=//cdn.example/a.png>",
        "<img srcset='a.png 1x, https://cdn.example/b.png 2x'>",
        "<div style='background:url(\"https://cdn.example/b.png\")'></div>",
        "<style>@import 'https://cdn.example/a.css';</style>",
        "<style>a{background:url( http://cdn.example/y.png )}</style>",
        "<link rel='stylesheet' href='https://cdn.example/a.css'>",
        "<iframe src='&#104;ttps://cdn.example/'></iframe>",
        "<meta http-equiv='refresh' content='0; url=https://cdn.example/'>",
        "<video poster='https://cdn.example/p.png'></video>",
        "<svg><image href='https://cdn.example/p.png'/></svg>",
        "<script>document.write('<script src=\"https://cdn.example/x.js\"></scr' + 'ipt>')</script>",
    ],
)
def test_a_real_remote_reference_in_our_markup_is_caught(markup):
    assert len(external_resources(markup)) == 1
    with pytest.raises(ValueError, match="1 remote resource"):
        assert_offline(markup)


def test_maps_with_urls_in_every_text_field_are_written(tmp_path):
    """Was: ValueError "map would load 4 remote resource(s)" (a traceback) for a premises name with url(...)."""
    kw = map_inputs()
    for i, field in enumerate(("name", "address", "conditions", "dps")):
        kw["premises"][field] = URLS_AS_TEXT[i % len(URLS_AS_TEXT)]
    kw["visit_history"]["notes"] = "url(http://evil.example/n.png)"
    kw["zones"]["name"] = "@import 'http://evil.example/z.css'"
    written = write_route_maps(out_dir=tmp_path, **kw)
    assert len(written) == 5
    route = (tmp_path / "2025-11-14_FRI-LIC-1.html").read_text(encoding="utf-8")
    assert "url(http://evil.example/x.png)" in route


def test_a_remote_load_in_our_popup_markup_is_caught(tmp_path, monkeypatch):
    """The card is our markup in the side panel and, as JSON data, in the popups: either way it is checked."""

    def remote_card(row, **_kw):
        return f"<h3>{row.get('name')}</h3><img src='https://evil.example/tracker.png'>"

    monkeypatch.setattr(route_mod, "premises_card", remote_card)
    kw = map_inputs()
    with pytest.raises(
        ValueError, match=r"would load \d remote resource\(s\), first 'https://evil.example/tracker.png'"
    ):
        write_route_maps(out_dir=tmp_path, **kw)


def test_slots_check_the_markup_in_data_and_fill_once():
    slots = PageSlots()
    ok = slots.data({"popup": "<b>url(http://x/y.png)</b>", "n": 1})
    bad = slots.js_text("<img src=https://evil.example/a.png>")
    assert slots.data_resources() == ["https://evil.example/a.png"]
    inner = slots.markup(f"var D = {ok};")
    page = slots.fill_data(slots.fill_markup(f'<script>{inner} var s = "{bad}";</script>'))
    assert page == (
        '<script>var D = {"popup":"\\u003cb\\u003eurl(http://x/y.png)\\u003c/b\\u003e","n":1}; '
        'var s = "\\u003cimg src=https://evil.example/a.png\\u003e";</script>'
    )


def test_a_placeholder_written_in_input_text_is_not_expanded():
    slots = PageSlots()
    first = slots.markup("<p>one</p>")
    # input text that copies a placeholder is data: filled in one pass, never looked at again
    second = slots.data(first)
    page = slots.fill_data(slots.fill_markup(f"{first}{second}"))
    assert page == f'<p>one</p>"{first}"'


def test_a_placeholder_folium_lost_is_an_error():
    slots = PageSlots()
    slots.markup("<p>panel</p>")
    with pytest.raises(RuntimeError, match="1 page text placeholder"):
        slots.fill_markup("<html></html>")
