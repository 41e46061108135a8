"""The limits every input shares: dates within the years 1900 to 2100, and no NUL character
in text. One validator each, used by the model fields and forms (admin), the API's
serializers, filters and ``as_of`` / ``known_at``, and the knowledge loader, so every door
refuses the same thing with the same message.

Why: a year-9999 date is accepted by Python but breaks the pages that compute a period's
end (the day after it does not exist); PostgreSQL refuses NUL in text and JSON, which would
be a 500 at the moment of writing instead of a field error at the door.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MIN_YEAR = 1900
MAX_YEAR = 2100
YEAR_RANGE_MESSAGE = f"Dates must fall between the years {MIN_YEAR} and {MAX_YEAR}."
NUL_MESSAGE = "NUL characters are not allowed."


def year_in_range(value: dt.date | dt.datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def check_year(value: dt.date | dt.datetime | None) -> None:
    """ValueError with the shared message for a date outside the years 1900 to 2100."""
    if value is not None and not year_in_range(value):
        raise ValueError(f"{value.isoformat()}: {YEAR_RANGE_MESSAGE}")


@deconstructible(path="partnerships.validation.DateRangeValidator")
class DateRangeValidator:
    """Model and form fields: a date (or moment) within the years 1900 to 2100."""

    def __call__(self, value):
        if isinstance(value, dt.date) and not year_in_range(value):
            raise ValidationError(YEAR_RANGE_MESSAGE, code="date_range")

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)

    def __hash__(self):
        return hash(DateRangeValidator)


validate_date_range = DateRangeValidator()


def contains_nul(value) -> bool:
    """True when a text, or any text inside a list or mapping (JSON), holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


@deconstructible(path="partnerships.validation.NoNulValidator")
class NoNulValidator:
    """Text and JSON fields: no NUL character anywhere (PostgreSQL cannot store one)."""

    def __call__(self, value):
        if contains_nul(value):
            raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")

    def __eq__(self, other):
        return isinstance(other, NoNulValidator)

    def __hash__(self):
        return hash(NoNulValidator)


validate_no_nul = NoNulValidator()
