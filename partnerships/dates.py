"""Dates that know their precision, and the one "as of" rule.

A fact dated "1995" is stored as the first day of 1995 together with the precision
``year``, shown as "1995" and compared as the whole year. A period covers from the first
day of its start's unit to the last day of its end's unit, inclusive. Every "as of" or
"active on" question in the project goes through :func:`covers_from`,
:func:`covers_until` and :func:`active_on_q`; nothing else compares period dates.
"""

import calendar
import datetime as dt
import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


_FUZZY_DATE = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$")


def parse_fuzzy_date(text: str) -> tuple[dt.date, str]:
    """Read "1995", "1995-11" or "1995-11-28" into (first day of the unit, precision).

    Raises ValueError with a readable reason for anything else.
    """
    match = _FUZZY_DATE.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    try:
        if day is not None:
            return dt.date(year, month, day), Precision.DAY
        if month is not None:
            return dt.date(year, month, 1), Precision.MONTH
        return dt.date(year, 1, 1), Precision.YEAR
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from None


def first_day(value: dt.date, precision: str) -> dt.date:
    """The first day of the unit ``value`` falls in."""
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value


def last_day(value: dt.date, precision: str) -> dt.date:
    """The last day of the unit ``value`` falls in."""
    if precision == Precision.YEAR:
        return value.replace(month=12, day=31)
    if precision == Precision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def format_date(value: dt.date | None, precision: str) -> str:
    """ISO text of a date at its precision: "1995", "1995-11" or "1995-11-28"."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def display_date(value: dt.date | None, precision: str) -> str:
    """Human text of a date at its precision: "1995", "November 1995", "28 November 1995"."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return f"{calendar.month_name[value.month]} {value.year}"
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def covers_from(start: dt.date | None, start_precision: str) -> dt.date | None:
    """First day a period covers; None when its start is not recorded."""
    return first_day(start, start_precision) if start else None


def covers_until(
    start: dt.date | None,
    start_precision: str,
    end: dt.date | None,
    end_precision: str,
    end_unknown: bool,
) -> dt.date | None:
    """Last day a period is known to cover; None for an ongoing period.

    A period that ended on an unknown date is only known to cover its start's unit, so
    "as of" questions after that do not count it: we do not assert what we do not know.
    """
    if end:
        return last_day(end, end_precision)
    if end_unknown:
        return last_day(start, start_precision) if start else dt.date.min
    return None


# The rule in words, for help texts, the API's description and the admin (said once).
PERIOD_RULE = (
    "from the first day of its start's unit (day, month or year) to the last day of its "
    "end's unit, inclusive; an open end is ongoing; a period that ended on an unknown date "
    "counts only within its start's unit."
)
AS_OF_HELP = "A date (YYYY-MM-DD). A period counts on that day when it covers it: " + PERIOD_RULE


def overlaps_q(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """The as-of rule over a span: periods covering at least one day from ``first`` to
    ``last`` (inclusive). A period whose start is not recorded never counts."""
    return Q(**{f"{prefix}covers_from__lte": last}) & (
        Q(**{f"{prefix}covers_until__gte": first}) | Q(**{f"{prefix}covers_until__isnull": True})
    )


def overlaps(period, first: dt.date, last: dt.date) -> bool:
    """:func:`overlaps_q` in Python, for periods already loaded."""
    if period.covers_from is None:
        return False
    return period.covers_from <= last and (
        period.covers_until is None or period.covers_until >= first
    )


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """The as-of rule as a filter: periods covering ``day`` (inclusive at both ends)."""
    return overlaps_q(day, day, prefix)


def periods_overlap(a, b) -> bool:
    """True when two periods (objects with covers_from / covers_until) share a day.

    An open end runs for ever; an unrecorded start runs from ever.
    """
    a_from, b_from = a.covers_from or dt.date.min, b.covers_from or dt.date.min
    a_until, b_until = a.covers_until or dt.date.max, b.covers_until or dt.date.max
    return a_from <= b_until and b_from <= a_until
