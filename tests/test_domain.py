"""Licensed hours: sessions crossing midnight, closed days, open/closed at a time."""

import datetime as dt

import pytest

from licvisit.domain import OpeningHours, parse_session


@pytest.mark.parametrize(
    "text, expected",
    [
        ("11:00-23:00", (660, 1380)),
        ("22:00-03:00", (1320, 1620)),
        ("22:00 - 03:00", (1320, 1620)),
        ("22:00 to 03:00", (1320, 1620)),
        ("closed", None),
        ("", None),
        (float("nan"), None),
        ("24h", (0, 1440)),
    ],
)
def test_parse_session(text, expected):
    assert parse_session(text) == expected


@pytest.mark.parametrize("text", ["late", "25:00-02:00", "10:61-11:00", "10-11"])
def test_parse_session_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_session(text)


def test_nightclub_open_after_midnight_on_the_previous_days_session():
    # Friday 22:00-03:00, closed Saturday
    row = {f"hours_{d}": "closed" for d in ("mon", "tue", "wed", "thu", "sat", "sun")}
    row["hours_fri"] = "22:00-03:00"
    hours = OpeningHours.from_row(row)
    fri = dt.date(2025, 10, 10)
    assert fri.weekday() == 4
    assert hours.is_open(dt.datetime(2025, 10, 10, 23, 30))
    assert hours.is_open(dt.datetime(2025, 10, 11, 2, 59))
    assert not hours.is_open(dt.datetime(2025, 10, 11, 3, 0))
    assert not hours.is_open(dt.datetime(2025, 10, 10, 14, 0))
    assert not hours.is_open(dt.datetime(2025, 10, 11, 23, 0))
    assert hours.window_on(fri) == (dt.datetime(2025, 10, 10, 22), dt.datetime(2025, 10, 11, 3))
    assert hours.window_on(dt.date(2025, 10, 11)) is None
