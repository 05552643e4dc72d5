"""The printable roster (licvisit.render.roster_html): names shown as text, the officer x night grid."""

from __future__ import annotations

import datetime as dt
import re

from licvisit.domain import Availability, Officer
from licvisit.render.roster_html import roster_html

HOSTILE_OFFICER = '<script>alert("pc")</script>'


def _officer(officer_id, name, role, nights):
    avail = tuple(
        Availability(
            n, dt.datetime.combine(n, dt.time(18)), dt.datetime.combine(n, dt.time(4)) + dt.timedelta(days=1)
        )
        for n in nights
    )
    return Officer(
        officer_id,
        name,
        role,
        "Steelhouse Lane",
        406900.0,
        287000.0,
        lpa="Birmingham West",
        availability=avail,
    )


FRI, SAT, SUN = dt.date(2025, 11, 14), dt.date(2025, 11, 15), dt.date(2025, 11, 16)


def _staff():
    """The fixture plan's officers; PC1 is on Friday and Saturday, available but unused on Sunday."""
    return [
        _officer("PC1", HOSTILE_OFFICER, "licensing_pc", [FRI, SAT, SUN]),
        _officer("CL1", "Ann Clerk", "licensing_staff", [FRI]),
        _officer("PC2", "Bob Constable", "licensing_pc", [FRI]),
        _officer("GS1", "Gus Gang", "gang_officer", [FRI]),
        _officer("SIA1", "Sue Sia", "sia_inspector", [SAT]),
    ]


def _rows(page):
    """The officer x night grid as lists of cell texts, one per officer (tags stripped)."""
    grid = page.split("<table class='grid'>", 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", grid)
    ]


def test_hostile_premises_and_officer_names_are_shown_as_text(map_fixture):
    page = roster_html(map_fixture["plan"], _staff(), map_fixture["premises"])
    assert "<img src=x onerror=alert(1)>" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; <span class='small'>P1</span>" in page
    assert "&lt;script&gt;alert(&quot;pc&quot;)&lt;/script&gt; (licensing pc)" in page  # crew line
    assert "<script" not in page.lower()  # the page has no scripts of its own either


def test_officer_by_night_grid_shows_duty_availability_and_days_off(map_fixture):
    page = roster_html(map_fixture["plan"], _staff(), map_fixture["premises"])
    rows = _rows(page)
    assert [c[0] for c in rows[0][3:]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    pc1 = next(r for r in rows if "PC1" in r[0])
    assert pc1[1] == ["licensing", "pc"] and pc1[2] == ["Birmingham", "West"]
    assert pc1[3:7] == [["-"]] * 4  # Monday to Thursday: not available
    assert pc1[7] == ["FRI-LIC-1", "19:00-02:00"]
    assert pc1[8] == ["SAT-SIA-1", "22:00-03:00"]
    assert pc1[9] == ["available"]  # free on Sunday but not rostered
    sia = next(r for r in rows if "SIA1" in r[0])
    assert sia[7] == ["-"] and sia[8] == ["SAT-SIA-1", "22:00-03:00"]
    assert "(1 officer-nights)" in page
    # PALOs first (licensing roles), then the partners, each by role then id
    assert [r[0][-1] for r in rows[1:]] == ["PC1", "PC2", "CL1", "GS1", "SIA1"]


def test_without_staff_there_is_no_grid_and_members_show_by_id(map_fixture):
    page = roster_html(map_fixture["plan"], None, map_fixture["premises"])
    assert "Who is on" not in page
    assert "FRI-LIC-1</b> - licensing compliance - PC1, CL1 - 19:00 to 02:00 from Steelhouse Lane</p>" in page


def test_every_night_of_the_week_has_a_heading_and_empty_nights_say_so(map_fixture):
    plan = map_fixture["plan"]
    page = roster_html(plan, _staff(), map_fixture["premises"])
    assert re.findall(r"<h2>(\w+) \d\d November</h2>", page) == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    assert page.count("<p>No crews rostered.</p>") == 5
