"""The time axis every timeline and chart shares: years as x positions, ticks, numbers
written for SVG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def year_fraction(day: dt.date) -> float:
    """A date as a fractional year: 1995-07-02 is about 1995.5."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


@dataclass
class Tick:
    x: float
    label: str
    major: bool


@dataclass
class Axis:
    first_year: int
    last_year: int  # exclusive: the axis ends on 1 January of this year
    x0: float
    width: float
    most_labels: int = 14  # year labels at most (a narrow chart asks for fewer)

    def x(self, day: dt.date) -> float:
        span = self.last_year - self.first_year
        position = (year_fraction(day) - self.first_year) / span
        return round(self.x0 + max(0.0, min(1.0, position)) * self.width, 1)

    def contains(self, day: dt.date) -> bool:
        return self.first_year <= day.year < self.last_year

    @property
    def ticks(self) -> list[Tick]:
        span = self.last_year - self.first_year
        step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if span / s < self.most_labels), 100)
        ticks = []
        for year in range(self.first_year, self.last_year + 1):
            x = self.x(dt.date(year, 1, 1)) if year < self.last_year else self.x0 + self.width
            ticks.append(Tick(round(x, 1), str(year), year % step == 0))
        return ticks


def axis_for(
    dates,
    x0: float,
    width: float,
    today: dt.date | None = None,
    until: dt.date | None = None,
    most_labels: int = 14,
) -> Axis:
    """An axis from the earliest date to the end of this year (or the latest date); with
    ``until`` (an ended mission's last day), to the end of that year instead."""
    today = today or dt.date.today()
    dates = [d for d in dates if d]
    first = min(dates).year if dates else today.year - 10
    last = (until.year if until else max([today, *dates]).year) + 1
    if last - first < 5:
        first = last - 5
    return Axis(first, last, x0, width, most_labels)


def svg_number(value: float) -> str:
    """A coordinate as SVG text, rounded to a tenth: templates print it as it is (a float
    would go through localisation, which costs more than the rest of a chart's drawing)."""
    return f"{round(value, 1):g}"
