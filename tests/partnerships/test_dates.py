"""Dates with precision and the one as-of rule."""

import datetime as dt

import pytest

from frameworks.models import Participation
from partnerships.dates import (
    Precision,
    covers_from,
    covers_until,
    display_date,
    format_date,
    parse_fuzzy_date,
)
from tests.factories import ParticipationFactory

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1995", (D(1995, 1, 1), Precision.YEAR)),
        ("1995-11", (D(1995, 11, 1), Precision.MONTH)),
        ("1995-11-28", (D(1995, 11, 28), Precision.DAY)),
    ],
)
def test_parse_fuzzy_date_keeps_precision(text, expected):
    assert parse_fuzzy_date(text) == expected


@pytest.mark.parametrize("text", ["95", "1995-13", "1995-02-30", "28/11/1995", "", "soon"])
def test_parse_fuzzy_date_refuses_with_reason(text):
    with pytest.raises(ValueError, match="date"):
        parse_fuzzy_date(text)


def test_year_is_shown_as_a_year_not_as_first_january():
    assert format_date(D(1995, 1, 1), Precision.YEAR) == "1995"
    assert display_date(D(1995, 1, 1), Precision.YEAR) == "1995"
    assert display_date(D(1995, 11, 1), Precision.MONTH) == "November 1995"
    assert display_date(D(1995, 11, 28), Precision.DAY) == "28 November 1995"


@pytest.mark.parametrize(
    ("start", "precision", "first"),
    [
        (D(1995, 1, 1), Precision.YEAR, D(1995, 1, 1)),
        (D(1995, 11, 1), Precision.MONTH, D(1995, 11, 1)),
        (D(1995, 11, 28), Precision.DAY, D(1995, 11, 28)),
    ],
)
def test_period_covers_from_first_day_of_start_unit(start, precision, first):
    assert covers_from(start, precision) == first


@pytest.mark.parametrize(
    ("end", "precision", "last"),
    [
        (D(2004, 1, 1), Precision.YEAR, D(2004, 12, 31)),
        (D(2004, 2, 1), Precision.MONTH, D(2004, 2, 29)),  # a leap year
        (D(2004, 3, 29), Precision.DAY, D(2004, 3, 29)),
    ],
)
def test_period_covers_until_last_day_of_end_unit(end, precision, last):
    assert covers_until(D(1994, 1, 1), Precision.YEAR, end, precision, False) == last


def test_open_end_is_ongoing_and_unknown_end_covers_only_the_start_unit():
    assert covers_until(D(1994, 5, 1), Precision.MONTH, None, "", False) is None
    assert covers_until(D(1994, 5, 1), Precision.MONTH, None, "", True) == D(1994, 5, 31)


def _participation(**period):
    return ParticipationFactory(**period)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period", "day", "active"),
    [
        # Year precision at both ends: the whole of both years.
        ({"start": D(1995, 1, 1), "start_precision": "year"}, D(1995, 1, 1), True),
        ({"start": D(1995, 1, 1), "start_precision": "year"}, D(1994, 12, 31), False),
        (
            {
                "start": D(1995, 1, 1),
                "start_precision": "year",
                "end": D(2004, 1, 1),
                "end_precision": "year",
                "status": "ended",
            },
            D(2004, 12, 31),
            True,
        ),
        (
            {
                "start": D(1995, 1, 1),
                "start_precision": "year",
                "end": D(2004, 1, 1),
                "end_precision": "year",
                "status": "ended",
            },
            D(2005, 1, 1),
            False,
        ),
        # Month precision: from the 1st of the start month to the last day of the end month.
        ({"start": D(1995, 11, 1), "start_precision": "month"}, D(1995, 10, 31), False),
        ({"start": D(1995, 11, 1), "start_precision": "month"}, D(1995, 11, 1), True),
        (
            {
                "start": D(1995, 11, 1),
                "start_precision": "month",
                "end": D(2000, 2, 1),
                "end_precision": "month",
                "status": "ended",
            },
            D(2000, 2, 29),
            True,
        ),
        # Day precision: exact, inclusive.
        ({"start": D(1994, 3, 23), "start_precision": "day"}, D(1994, 3, 22), False),
        ({"start": D(1994, 3, 23), "start_precision": "day"}, D(1994, 3, 23), True),
        (
            {
                "start": D(1994, 3, 23),
                "start_precision": "day",
                "end": D(2004, 3, 29),
                "end_precision": "day",
                "status": "ended",
            },
            D(2004, 3, 30),
            False,
        ),
        # Open end: ongoing, to today (a question about the future is not answered).
        ({"start": D(1994, 3, 23), "start_precision": "day"}, D(2020, 1, 1), True),
        ({"start": D(1994, 3, 23), "start_precision": "day"}, D(2100, 1, 1), False),
        # Ended, date unknown: only its start's unit is known.
        (
            {
                "start": D(1995, 1, 1),
                "start_precision": "year",
                "end_unknown": True,
                "status": "ended",
            },
            D(1995, 6, 1),
            True,
        ),
        (
            {
                "start": D(1995, 1, 1),
                "start_precision": "year",
                "end_unknown": True,
                "status": "ended",
            },
            D(1996, 6, 1),
            False,
        ),
        # Start not recorded: possible from the framework's own start, not before.
        ({"start": None, "start_precision": ""}, D(2000, 1, 1), True),
        ({"start": None, "start_precision": ""}, D(1899, 1, 1), False),
    ],
)
def test_as_of_rule_is_the_same_in_sql_and_python(period, day, active):
    participation = _participation(**period)
    in_sql = Participation.objects.active_on(day).filter(pk=participation.pk).exists()
    assert in_sql is active
    assert participation.active_on(day) is active


@pytest.mark.django_db
def test_year_precision_date_is_stored_as_its_year():
    participation = _participation(start=D(1995, 11, 28), start_precision="year")
    participation.refresh_from_db()
    assert participation.start == D(1995, 1, 1)
    assert participation.start_precision == "year"
    assert participation.start_display == "1995"
