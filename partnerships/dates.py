"""Dates that know their precision, and the one "as of" rule.

A fact dated "1995" is stored as the first day of 1995 together with the precision
``year``, shown as "1995" and compared as the whole year. A period has two spans:

- **possible**: from the first day of its start's unit to the last day of its end's unit
  (:func:`covers_from`, :func:`covers_until`);
- **certain**: from the last day of its start's unit to the first day of its end's unit
  (:func:`certain_span`).

Evidence (a dated personnel figure of a contribution) widens both. A question about a day,
a month or a year is answered "certain" when the certain span covers all of it and
"possible" when the possible span meets it (:func:`certain_q`, :func:`overlaps_q`,
:func:`certainty`). Every "as of" question in the project goes through these; nothing
else compares period dates.
"""

import calendar
import contextlib
import contextvars
import datetime as dt
import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.validation import MAX_YEAR, MIN_YEAR, YEAR_RANGE_MESSAGE


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


_FUZZY_DATE = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$")


def parse_fuzzy_date(text: str) -> tuple[dt.date, str]:
    """Read "1995", "1995-11" or "1995-11-28" into (first day of the unit, precision).

    Raises ValueError with a readable reason for anything else, and for a year outside
    1900 to 2100 (:mod:`partnerships.validation`).
    """
    match = _FUZZY_DATE.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{text!r}: {YEAR_RANGE_MESSAGE}")
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


Evidence = tuple[dt.date, str]  # a dated fact that proves presence: (date, precision)


def covers_from(start: dt.date | None, start_precision: str) -> dt.date | None:
    """First day a period possibly covers, from its start alone; None when not recorded."""
    return first_day(start, start_precision) if start else None


def covers_until(
    start: dt.date | None,
    start_precision: str,
    end: dt.date | None,
    end_precision: str,
    end_unknown: bool,
) -> dt.date | None:
    """Last day a period possibly covers, from its dates alone; None for an ongoing period.

    A period that ended on an unknown date is only known to cover its start's unit, so
    "as of" questions after that do not count it: we do not assert what we do not know.
    """
    if end:
        return last_day(end, end_precision)
    if end_unknown:
        return last_day(start, start_precision) if start else dt.date.min
    return None


def possible_span(
    start: dt.date | None,
    start_precision: str,
    end: dt.date | None,
    end_precision: str,
    end_unknown: bool,
    evidence: tuple[Evidence, ...] = (),
    earliest: dt.date | None = None,
) -> tuple[dt.date | None, dt.date | None]:
    """The days a period possibly covers, as (first, last); last None while ongoing; first
    None when it never counts (no start, nothing dated).

    From the first day of its start's unit (an unrecorded start: ``earliest``, the
    framework's or mission's own start) to the last day of its end's unit. A piece of
    evidence whose unit lies wholly outside that span widens it to take in the unit (never
    before ``earliest``); one that meets the span changes nothing.
    """
    first = covers_from(start, start_precision) or earliest
    last = covers_until(start, start_precision, end, end_precision, end_unknown)
    for day, precision in sorted(evidence):
        unit_first, unit_last = first_day(day, precision), last_day(day, precision)
        if earliest:
            unit_first = max(unit_first, earliest)
        if first is None or unit_last < first:
            first = unit_first if first is None else min(first, unit_first)
        if last is not None and unit_first > last:
            last = unit_last
    if last == dt.date.min:  # ended on an unknown date, nothing dated: never counted
        first = None
    return first, last


def certain_span(
    start: dt.date | None,
    start_precision: str,
    end: dt.date | None,
    end_precision: str,
    end_unknown: bool,
    evidence: tuple[Evidence, ...] = (),
) -> tuple[dt.date | None, dt.date | None]:
    """The days a period certainly covers, as (first, last); (None, None) when no day is
    certain; last None when it is ongoing (certain to today).

    From the last day of its start's unit to the first day of its end's unit: "1995" to
    "2004-03" is certain from 31 December 1995 to 1 March 2004. A period is one continuous
    span, so a dated piece of evidence (a personnel figure) proves it active on that date
    and certain between its start and that date: the certain span covers every piece of
    evidence, each at its own precision (a figure of "2009" proves one day in 2009, which
    one unknown). An unrecorded start gives no certain start beyond the evidence; an end
    not known gives no certain end beyond the evidence (nor beyond its start's day).
    """
    firsts = [last_day(day, precision) for day, precision in evidence]
    lasts = [first_day(day, precision) for day, precision in evidence]
    if start:
        firsts.append(last_day(start, start_precision))
    if end:
        lasts.append(first_day(end, end_precision))
    elif end_unknown and start:
        lasts.append(first_day(start, start_precision))
    if not firsts:
        return None, None
    first = min(firsts)
    if not end and not end_unknown:
        return first, None  # ongoing: certain from ``first`` to today
    last = max(lasts) if lasts else None
    if last is None or last < first:
        return None, None
    return first, last


def question_span(text: str) -> tuple[dt.date, dt.date]:
    """An "as of" question, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as the days it asks
    about (first, last): a year asks about every day of that year. ValueError otherwise."""
    day, precision = parse_fuzzy_date(text)
    return first_day(day, precision), last_day(day, precision)


# The rule in words, for help texts, the API's description and the admin (said once).
PERIOD_RULE = (
    "from the first day of its start's unit (day, month or year) to the last day of its "
    "end's unit, inclusive; an open end is ongoing; a period that ended on an unknown date "
    "counts only within its start's unit."
)
AS_OF_HELP = "A date (YYYY-MM-DD). A period counts on that day when it covers it: " + PERIOD_RULE


def overlaps_q(first: dt.date, last: dt.date, prefix: str = "", today: dt.date | None = None) -> Q:
    """The as-of rule over a span, **possible**: periods that possibly cover at least one day
    from ``first`` to ``last`` (inclusive). An ongoing period runs to today; a period whose
    possible start is unknown never counts."""
    today = today or dt.date.today()
    return Q(**{f"{prefix}covers_from__lte": last}) & (
        Q(**{f"{prefix}covers_until__gte": first})
        | (Q(**{f"{prefix}covers_until__isnull": True}) & Q(**{f"{prefix}covers_from__lte": today}))
        & _not_after(first, today)
    )


def _not_after(first: dt.date, today: dt.date) -> Q:
    """Always true when ``first`` is today or earlier, never otherwise (a question about
    the future is not answered by an ongoing period)."""
    return Q() if first <= today else Q(pk__in=[])


def certain_q(first: dt.date, last: dt.date, prefix: str = "", today: dt.date | None = None) -> Q:
    """The as-of rule over a span, **certain**: periods that certainly cover every day from
    ``first`` to ``last`` (an ongoing one to today)."""
    today = today or dt.date.today()
    open_end = Q(**{f"{prefix}certain_until__isnull": True}) & _not_after(last, today)
    return Q(**{f"{prefix}certain_from__lte": first}) & (
        Q(**{f"{prefix}certain_until__gte": last}) | open_end
    )


def overlaps(period, first: dt.date, last: dt.date, today: dt.date | None = None) -> bool:
    """:func:`overlaps_q` in Python, for periods already loaded."""
    today = today or dt.date.today()
    if period.covers_from is None or period.covers_from > last:
        return False
    if period.covers_until is None:
        return first <= today
    return period.covers_until >= first


def certainty(period, first: dt.date, last: dt.date, today: dt.date | None = None) -> str:
    """ "certain", "possible" or "" (no) for one period and a question's span, by
    :func:`certain_q` and :func:`overlaps_q` (the same rule, in Python)."""
    today = today or dt.date.today()
    if not overlaps(period, first, last, today):
        return ""
    if period.certain_from is not None and period.certain_from <= first:
        if period.certain_until is None and last <= today:
            return "certain"
        if period.certain_until is not None and period.certain_until >= last:
            return "certain"
    return "possible"


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """The as-of rule as a filter: periods covering ``day`` (inclusive at both ends)."""
    return overlaps_q(day, day, prefix)


# Periods already loaded, by owner (e.g. (partner id, mission id)), for checks that would
# otherwise query per row: a bulk import sets it while it validates (see known_periods).
KNOWN_PERIODS: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "known_periods", default=None
)


@contextlib.contextmanager
def known_periods(periods: dict):
    """Within: an overlap check reads ``periods[owner]`` instead of the database."""
    token = KNOWN_PERIODS.set(periods)
    try:
        yield periods
    finally:
        KNOWN_PERIODS.reset(token)


def periods_overlap(a, b) -> bool:
    """True when two periods (objects with covers_from / covers_until) share a day.

    An open end runs for ever; an unrecorded start runs from ever.
    """
    a_from, b_from = a.covers_from or dt.date.min, b.covers_from or dt.date.min
    a_until, b_until = a.covers_until or dt.date.max, b.covers_until or dt.date.max
    return a_from <= b_until and b_from <= a_until
