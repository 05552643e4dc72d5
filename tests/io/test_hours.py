"""Hours as councils and OpenStreetMap publish them (licvisit.io.hours)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licvisit.io.hours import (
    HoursError,
    door_hours_for,
    parse_council_hours,
    parse_door_condition,
    parse_hours,
    parse_osm_hours,
)
from licvisit.io.premises import read_premises
from tests.paths import REPO_ROOT, TEST_DATA

DATA = TEST_DATA / "registers"
BD_MAPPING = {
    "premises_id": "Licence Number",
    "name": "Premises Name",
    "address": "Premises Address",
    "hours": "Opening Hours",
    "alcohol_hours": "Supply of Alcohol",
    "late_night_hours": "Late Night Refreshment",
}

# Real strings: the Barking and Dagenham register (tests/data/registers), the West Sussex OSM
# samples, and the wordings of issue 12; with the weekly summary each must parse to.
REAL_HOURS = [
    (
        "Mon 10:00-00:00^Tue 10:00-00:00^Wed 10:00-00:00^Thu10:00-00:00^Fri 10:00-01:00^Sat 10:00-01:00^Sun 12:00-00:00",
        "Mon-Thu 10:00-00:00; Fri-Sat 10:00-01:00; Sun 12:00-00:00",
    ),
    (
        "Mon 23:00-00:30^Tue 23:00-00:30^Wed 23:00-00:30^Thu23:00-00:30^Fri 23:00-01:30^Sat 23:00-01:30^Sun 23:00-00:30",
        "Mon-Thu 23:00-00:30; Fri-Sat 23:00-01:30; Sun 23:00-00:30",
    ),
    ("Monday to Saturday 10:00 - 01:00; Sunday 12:00 - 23:00", "Mon-Sat 10:00-01:00; Sun 12:00-23:00"),
    (
        "Mon-Thu 11.00 to midnight, Fri & Sat 11:00-02:00",
        "Mon-Thu 11:00-00:00; Fri-Sat 11:00-02:00; Sun closed",
    ),
    ("Sundays 12 noon to 10.30pm", "Mon-Sat closed; Sun 12:00-22:30"),
    (
        "Monday - Thursday 10am to 11pm, Friday and Saturday 10am - 1am, Sunday closed",
        "Mon-Thu 10:00-23:00; Fri-Sat 10:00-01:00; Sun closed",
    ),
    ("Weekdays 17:00-23:00; weekends 12:00-01:00", "Mon-Fri 17:00-23:00; Sat-Sun 12:00-01:00"),
    ("Sunday to Thursday 11:00-23:00", "Mon-Thu 11:00-23:00; Fri-Sat closed; Sun 11:00-23:00"),
    ("Daily 09:00-21:00", "Mon-Sun 09:00-21:00"),
    ("Mon-Sat 2300hrs to 0100hrs", "Mon-Sat 23:00-01:00; Sun closed"),
    (
        "Mo-Th 11:00-23:00; Fr-Sa 11:00-01:00; Su 12:00-22:30",
        "Mon-Thu 11:00-23:00; Fri-Sat 11:00-01:00; Sun 12:00-22:30",
    ),
    ("Mo-Sa 12:00-23:00; Su 12:00-21:00", "Mon-Sat 12:00-23:00; Sun 12:00-21:00"),
    ("Mo-Su 11:00-01:00", "Mon-Sun 11:00-01:00"),
    ("Fr-Sa 11:00-03:00; Su-Th 11:00-00:00", "Mon-Thu 11:00-00:00; Fri-Sat 11:00-03:00; Sun 11:00-00:00"),
    ("Th-Sa 22:00-04:00", "Mon-Wed closed; Thu-Sat 22:00-04:00; Sun closed"),
    ("24/7", "Mon-Sun 00:00-24:00"),
    (
        "Mo off; Tu-Th,Su 10:00-23:00; Fr,Sa 10:00-24:00",
        "Mon closed; Tue-Thu 10:00-23:00; Fri-Sat 10:00-00:00; Sun 10:00-23:00",
    ),
    ("Su-Th 11:00-23:00; Fr,Sa 11:00-24:00+", "Mon-Thu 11:00-23:00; Fri-Sat 11:00-00:00; Sun 11:00-23:00"),
]


@pytest.mark.parametrize(("text", "summary"), REAL_HOURS)
def test_real_hour_strings(text, summary):
    assert parse_hours(text).summary() == summary


@pytest.mark.parametrize(
    ("text", "sessions_fri", "note"),
    [
        # several sessions a day: the one ending last is the window, the others are named
        ("Mo-Fr 11:00-15:00,17:30-23:00; Sa 11:00-23:00", (1050, 1380), "Fri also 11:00-15:00"),
        (
            'Mo-Th 12:00-14:30,17:30-23:30; Fr-Sa 12:00-14:30,17:30-24:00; Su 12:00-23:00 || "Open on bank holidays."',
            (1050, 1440),
            "Open on bank holidays.",
        ),
        (
            "Monday to Sunday 10:00 - 23:00 Non standard timings: New Year's Eve until 02:00",
            (600, 1380),
            "Non standard timings: New Year's Eve until 02:00",
        ),
    ],
)
def test_sessions_and_notes(text, sessions_fri, note):
    week = parse_hours(text)
    assert week.sessions[4] == sessions_fri
    assert note in week.note


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # PDF page breaks in the Barking and Dagenham register
        ("Mon 23:00-00:00^Tue 23:00-00:00^Wed 23:00-00:00^Thu00:00", "00:00"),
        ("Mon 09:00-00:30^Tue 09:00-00:30^Wed 09:00-00:30^Thu", "Thu"),
        ("10:00-23:00^Fri 10:00-23:00^Sat 10:00-23:00^Sun 12:00-", "12:00-"),
        (
            "09:00-00:30^Fri 09:00-00:30^Sat 09:00-00:30^Sun 09:00-00:30",
            "09:00-00:30^Fri 09:00-00:30^Sat 09:00-00",
        ),
        ("Mon 10:00-23:00^Tue 10:00-23:00^Mon 10:00-23:15", "Mon given twice"),
        ("Thu 16:30-1930, Fri-Sat 12:00-22:00", "16:30-1930, Fri-Sat 12:00-22:00"),
    ],
)
def test_garbled_hours_are_named(text, found):
    with pytest.raises(HoursError) as info:
        parse_council_hours(text)
    assert info.value.found == found


def test_osm_samples_59_of_62_parse_and_the_rest_are_named():
    values = (DATA / "osm_opening_hours_samples_westsussex.txt").read_text(encoding="utf-8").splitlines()
    failed = []
    for v in values:
        try:
            parse_osm_hours(v)
        except HoursError:
            failed.append(v)
    assert len(values) == 62
    # the library parses 59; a comment alone ('"changes depending on food"') gives no hours
    assert failed == [
        '"changes depending on food"',
        "Tu-Th 19:00-22:00;We-Sa 12:00-14:00;Fr-Sa  19:00-22:30;Su 12:30-14:30",
        "Tu - Sa 12:00-20:00",
        "Thu 16:30-1930, Fri-Sat 12:00-22:00, Sun 13:00-17:00",
    ]


def test_osm_past_midnight_belongs_to_the_day_it_starts():
    week = parse_osm_hours("Mo-Fr 07:30-03:00, Sa,Su 08:30-03:00")
    assert week.sessions[6] == (510, 1620)  # Sunday 08:30 to Monday 03:00
    assert week.sessions[0] == (450, 1620)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="MonTueWdhFriSatSu0123456789:.-^;, toamp&", max_size=60))
def test_parsing_never_crashes_and_windows_lie_within_a_day(text):
    try:
        week = parse_hours(text)
    except HoursError:
        return
    assert len(week.sessions) == 7
    for s in week.sessions:
        if s is not None:
            start, end = s
            assert 0 <= start < 1440
            assert start < end <= start + 1440


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
            st.integers(0, 1439),
            st.integers(0, 1439),
        ),
        min_size=1,
        max_size=7,
        unique_by=lambda t: t[0],
    )
)
def test_caret_form_round_trips(days):
    text = "^".join(f"{d} {a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for d, a, b in days)
    week = parse_council_hours(text)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for d, a, b in days:
        start, end = week.sessions[names.index(d)]
        assert start == a
        assert end - start == ((b - a) % 1440 or 1440)


@pytest.mark.parametrize(
    ("condition", "fri", "thu"),
    [
        ("SIA registered door supervisors from 21:00 Fri and Sat (minimum 4)", "21:00-01:00", "closed"),
        ("two door supervisors on Friday and Saturday from 22:00 until close", "22:00-01:00", "closed"),
        ("door supervisors from 21:00 to 03:00 Thursday to Saturday", "21:00-03:00", "21:00-03:00"),
    ],
)
def test_door_conditions(condition, fri, thu):
    licensed = ("11:00-23:00",) * 4 + ("11:00-01:00",) * 2 + ("12:00-22:30",)
    door = door_hours_for(parse_door_condition(condition), licensed)
    assert door[4] == fri
    assert door[3] == thu


def test_door_condition_tied_to_events_is_unknown():
    assert parse_door_condition("SIA door supervisors whenever regulated entertainment is provided") is None
    assert door_hours_for(None, ("11:00-23:00",) * 7) == ("",) * 7


def test_barking_and_dagenham_register_as_published():
    gdf, problems = read_premises(
        DATA / "barking_dagenham_excerpt.csv", BD_MAPPING, postcodes=DATA / "bd_postcodes_invented.csv"
    )
    vic = gdf.set_index("premises_id").loc["5838"]
    # the visit window is the hours of sale of alcohol; the card shows both
    assert vic["hours_fri"] == "10:00-01:00"
    assert vic["opening_hours"] == "Mon-Thu 10:00-00:30; Fri-Sat 10:00-01:30; Sun 12:00-22:30"
    assert vic["alcohol_hours"] == "Mon-Thu 10:00-00:00; Fri-Sat 10:00-01:00; Sun 12:00-00:00"
    assert vic["activities"] == "sale of alcohol; late-night refreshment"
    assert bool(vic["hours_known"])
    garbled = sorted({(p.row, p.field) for p in problems if "cannot read" in p.found})
    assert garbled == [
        (2, "Late Night Refreshment"),
        (2, "Opening Hours"),
        (2, "Supply of Alcohol"),
        (7, "Supply of Alcohol"),
        (8, "Late Night Refreshment"),
        (8, "Opening Hours"),
        (8, "Supply of Alcohol"),
        (9, "Late Night Refreshment"),
        (9, "Opening Hours"),
        (9, "Supply of Alcohol"),
    ]
    p = next(p for p in problems if p.row == 8 and p.field == "Opening Hours")
    assert p.found == '"Mon 09:00-00:30^Tue 09:00-00:30^Wed 09:00-00:30^Thu" (cannot read "Thu")'
    assert p.fix.startswith("write the hours as 'Monday to Saturday 10:00 - 01:00; Sunday 12:00 - 23:00'")
    # a premises whose hours are all garbled is unknown, not closed
    assert not bool(gdf.set_index("premises_id").loc["6464", "hours_known"])


def test_alcohol_or_opening_hours_by_config():
    from licvisit.io.premises_params import PremisesParams

    gdf, _ = read_premises(
        DATA / "barking_dagenham_excerpt.csv",
        BD_MAPPING,
        postcodes=DATA / "bd_postcodes_invented.csv",
        params=PremisesParams(window_hours="opening"),
    )
    assert gdf.set_index("premises_id").loc["5838", "hours_fri"] == "10:00-01:30"


def test_demo_door_conditions_become_fri_and_sat():
    gdf, _ = read_premises(REPO_ROOT / "data" / "premises_birmingham.csv")
    with_door = gdf[gdf["conditions"].str.contains("door supervisors from 21:00 Fri and Sat")]
    assert len(with_door) == 66
    assert (with_door["door_hours_thu"] == "closed").all()
    # from 21:00, or from opening where the premises opens later
    assert set(with_door["door_hours_fri"].str[:6]) == {"21:00-", "22:00-"}
    assert (with_door["door_hours_sun"] == "closed").all()
    assert (gdf.loc[~gdf.index.isin(with_door.index), "door_hours_fri"] == "closed").all()


def test_osm_opening_hours_tag_gives_the_hours():
    gdf, _ = read_premises(TEST_DATA / "io" / "osm_nte_amenities.geojson")
    vic = gdf.set_index("name").loc["The Victoria"]
    assert (vic["hours_thu"], vic["hours_fri"], vic["hours_sun"]) == (
        "12:00-23:00",
        "12:00-02:00",
        "12:00-22:30",
    )
    assert bool(vic["hours_known"])
    # features without the tag: hours unknown, not closed
    assert not gdf.set_index("name").loc["Example Rooms", "hours_known"]


def test_glossary_door_hours_until_close(tmp_path):
    f = tmp_path / "premises.csv"
    f.write_text(
        "premises_id,name,x,y,hours_fri,hours_sat,door_supervision,door_hours_fri,door_hours_sat\n"
        "P1,The Crown,407000,286000,11:00-02:00,11:00-03:00,yes,22:00-close,closed\n",
        encoding="utf-8",
    )
    gdf, problems = read_premises(f)
    row = gdf.iloc[0]
    assert (row["door_hours_fri"], row["door_hours_sat"], row["door_hours_mon"]) == (
        "22:00-02:00",
        "closed",
        "",
    )
    assert problems == []


def test_council_register_as_published_plans_inside_the_stated_hours():
    import datetime as dt

    import pandas as pd

    from licvisit.core.plan.candidates import build_candidates
    from licvisit.core.plan.params import PlanParams
    from licvisit.domain import DEFAULT_OPERATIONS

    gdf, _ = read_premises(
        DATA / "barking_dagenham_excerpt.csv", BD_MAPPING, postcodes=DATA / "bd_postcodes_invented.csv"
    )
    ranking = pd.DataFrame({"premises_id": gdf["premises_id"], "rank": range(1, len(gdf) + 1)})
    monday = dt.date(2025, 10, 6)
    cands, _ = build_candidates(ranking, gdf, monday, DEFAULT_OPERATIONS[:1], PlanParams())
    vic = next(c for c in cands if c.premises_id == "5838")
    friday = monday + dt.timedelta(days=4)
    # sale of alcohol Fri 10:00-01:00 inside the operation's 18:00-02:00
    assert vic.windows[friday] == (dt.datetime(2025, 10, 10, 18, 0), dt.datetime(2025, 10, 11, 1, 0))
    denman = next(c for c in cands if c.premises_id == "5924")  # alcohol 09:00-23:00 every day
    assert denman.windows[friday] == (dt.datetime(2025, 10, 10, 18, 0), dt.datetime(2025, 10, 10, 23, 0))
