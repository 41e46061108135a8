"""Column charts: partners per year, personnel figures over time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partnerships.charts.axis import svg_number
from partnerships.dates import display_date, overlaps, year_span


@dataclass
class Column:
    x: str  # SVG numbers (svg_number)
    y: str
    width: str
    height: str
    label: str
    value: int
    title: str
    show_label: bool
    middle: str = ""  # the column's centre: its label is centred under it


@dataclass
class ColumnChart:
    width: float
    height: float
    columns: list[Column]
    gridlines: list[tuple[str, str]]  # (y, value) as SVG text
    baseline: float
    summary: str
    csv_header = ["label", "value", "title"]

    def rows(self):
        """The data drawn, one row per column."""
        for column in self.columns:
            yield [column.label, column.value, column.title]


def column_chart(
    items: list[tuple[str, int, str]],
    width: float = 720,
    height: float = 180,
    label_every: int | None = None,
    summary: str = "",
) -> ColumnChart:
    """Columns for (label, value, title) items, evenly spaced, with a few gridlines."""
    left, bottom, top = 34.0, 22.0, 10.0
    plot_w, plot_h = width - left - 6, height - bottom - top
    peak = max((value for _, value, _ in items), default=0) or 1
    step = nice_step(peak)
    top_value = step * -(-peak // step)
    slot = plot_w / max(len(items), 1)
    every = label_every or max(1, round(len(items) / 12))
    columns = []
    for i, (label, value, title) in enumerate(items):
        h = round(plot_h * value / top_value, 1)
        x = left + i * slot + slot * 0.15
        columns.append(
            Column(
                x=svg_number(x),
                y=svg_number(top + plot_h - h),
                width=svg_number(max(slot * 0.7, 1.0)),
                height=svg_number(h),
                label=label,
                value=value,
                title=title,
                show_label=i % every == 0 or len(items) <= 12,
                middle=svg_number(x + max(slot * 0.7, 1.0) / 2),
            )
        )
    gridlines = [
        (svg_number(top + plot_h - plot_h * v / top_value), str(v))
        for v in range(0, int(top_value) + 1, int(step))
    ]
    return ColumnChart(width, height, columns, gridlines, top + plot_h, summary)


def nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if peak / step <= 5:
            return step
    return 10 ** len(str(peak))


def participants_per_year(participations, today: dt.date | None = None):
    """(year, number of partners in it at some point that year), from the first to now.

    A participation counts in a year when its coverage overlaps that year (the same test
    as the FilterSets' ``year``); one with an unrecorded start is never counted.
    """
    today = today or dt.date.today()
    spans = [p for p in participations if p.covers_from]
    if not spans:
        return []
    counts = []
    for year in range(min(p.covers_from.year for p in spans), today.year + 1):
        partners = {p.partner_id for p in spans if overlaps(p, *year_span(year))}
        counts.append((year, len(partners)))
    return counts


def figures_chart(figures, note: str = "") -> ColumnChart | None:
    """A small chart of personnel figures, when there are several; ``note`` says when
    they are a sample of more."""
    figures = list(figures)
    if len(figures) < 2:
        return None
    items = [
        (
            display_date(f.as_of, f.as_of_precision),
            f.personnel,
            f"{f.personnel} ({f.measure}, {f.as_of_display})",
        )
        for f in figures
    ]
    summary = "Personnel: " + ", ".join(f"{t}" for _, _, t in items) + "."
    if note:
        summary = f"{note}. {summary}"
    return column_chart(items, width=300, height=110, label_every=len(items), summary=summary)
