"""SVG charts drawn on the server: timelines, column charts and the world map.

The builders here only compute geometry (plain dataclasses); the templates in
``templates/partials/`` draw it as SVG with classes, so the pages need no JavaScript and
no inline styles. Period ends come from ``covers_from`` / ``covers_until`` (the as-of rule
of :mod:`partnerships.dates`), so a bar covers exactly what the rule counts: a year-only
start begins on 1 January, an ongoing period runs to today, and a period that ended on an
unknown date is drawn over its start's unit only, marked as such.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings

from partnerships.dates import display_date

# -- time axis ----------------------------------------------------------------------------


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

    def x(self, day: dt.date) -> float:
        span = self.last_year - self.first_year
        position = (year_fraction(day) - self.first_year) / span
        return round(self.x0 + max(0.0, min(1.0, position)) * self.width, 1)

    @property
    def ticks(self) -> list[Tick]:
        span = self.last_year - self.first_year
        step = 1 if span <= 12 else 2 if span <= 24 else 5
        ticks = []
        for year in range(self.first_year, self.last_year + 1):
            x = self.x(dt.date(year, 1, 1)) if year < self.last_year else self.x0 + self.width
            ticks.append(Tick(round(x, 1), str(year), year % step == 0))
        return ticks


def axis_for(dates, x0: float, width: float, today: dt.date | None = None) -> Axis:
    """An axis from the earliest date to the end of this year (or the latest date)."""
    today = today or dt.date.today()
    dates = [d for d in dates if d]
    first = min(dates).year if dates else today.year - 10
    last = max([today, *dates]).year + 1
    if last - first < 5:
        first = last - 5
    return Axis(first, last, x0, width)


# -- timelines ----------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    width: float
    css: str
    title: str


@dataclass
class Point:
    x: float
    css: str
    title: str
    url: str = ""
    y: float = 0

    @property
    def diamond(self) -> str:
        """An SVG path: a small diamond centred on the point."""
        x, y, r = self.x, self.y, 5
        return f"M{x:g},{y - r:g}L{x + r:g},{y:g}L{x:g},{y + r:g}L{x - r:g},{y:g}Z"


@dataclass
class Lane:
    label: str
    url: str = ""
    css: str = ""
    bars: list[Bar] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    y: float = 0

    @property
    def bar_y(self) -> float:
        return self.y + (ROW - BAR) / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW / 2 + 4

    @property
    def mid_y(self) -> float:
        return self.y + ROW / 2


@dataclass
class LaneGroup:
    heading: str
    url: str = ""
    lanes: list[Lane] = field(default_factory=list)
    lines: list[Point] = field(default_factory=list)  # vertical markers (accession)
    y: float = 0
    height: float = 0

    @property
    def heading_y(self) -> float:
        return self.y + 17

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass
class Timeline:
    width: float
    height: float
    axis: Axis
    groups: list[LaneGroup]
    summary: str
    label_width: float
    row_height: float
    bar_height: float
    today_x: float
    more: int = 0  # lanes not drawn (the page's table lists them)

    @property
    def ticks(self):
        return self.axis.ticks

    @property
    def plot_bottom(self) -> float:
        return self.height - 24

    @property
    def tick_y(self) -> float:
        return self.height - 8

    @property
    def plot_right(self) -> float:
        return self.label_width + self.axis.width


LABEL_WIDTH = 190.0
PLOT_WIDTH = 730.0
ROW = 22.0
BAR = 13.0
HEADING = 24.0
TOP = 8.0


def period_bar(period, axis: Axis, css: str, name: str, today: dt.date) -> Bar | None:
    """A bar for a Period (participation, contribution); None when its start is unknown."""
    if period.covers_from is None:
        return None
    end = period.covers_until
    classes = [css]
    if end is None:
        end, classes = today, [*classes, "is-ongoing"]
    elif period.end_unknown:
        classes.append("is-end-unknown")
    x0 = axis.x(period.covers_from)
    x1 = axis.x(end + dt.timedelta(days=1))
    status = getattr(period, "get_status_display", None)
    title = f"{name}: {period.period_display}"
    if status and period.status not in {"active", "ended"}:
        title += f" ({status()})"
    return Bar(x0, max(round(x1 - x0, 1), 2.0), " ".join(classes), title)


def partner_lanes(partner, axis: Axis, today: dt.date, groups) -> LaneGroup:
    """One partner's frameworks, missions and milestones as lanes: one lane per
    framework (its prefetched participations), one per mission of ``groups`` (the lanes of
    :class:`partnerships.views.ContributionGroups`), its prefetched milestones below.
    """
    group = LaneGroup(heading=partner.name, url=partner.get_absolute_url())
    lanes: dict[tuple[str, int], Lane] = {}
    for item in partner.participations.all():
        framework = item.framework
        lane = lanes.setdefault(
            ("f", framework.pk),
            Lane(framework.acronym or framework.name, framework.get_absolute_url(), "framework"),
        )
        bar = period_bar(item, axis, f"bar-framework status-{item.status}", str(framework), today)
        if bar:
            lane.bars.append(bar)
    for item in groups:
        mission = item.obj
        label = mission.acronym or mission.name
        lanes[("m", mission.pk)] = group_lane(
            item,
            label,
            mission.get_absolute_url(),
            "mission",
            str(mission),
            axis,
            today,
            lambda f: f"{f.personnel} personnel ({f.measure}, {f.as_of_display})",
        )
    group.lanes = list(lanes.values())
    milestones = list(partner.milestones.all())
    if milestones:
        group.lanes.append(
            Lane(
                "Milestones",
                css="milestones",
                points=[
                    Point(
                        axis.x(m.date),
                        f"point-milestone kind-{m.kind}",
                        m.date_display + ": " + m.title,
                    )
                    for m in milestones
                ],
            )
        )
    if partner.nato_accession:
        group.lines.append(
            Point(
                axis.x(partner.nato_accession),
                "line-accession",
                f"Accedes to NATO: {partner.nato_accession_display}",
            )
        )
    return group


def thinned(items: list, most: int) -> list:
    """At most ``most`` of ``items``, evenly spaced, the last always kept."""
    if len(items) <= most:
        return items
    step = -(-len(items) // most)
    kept = items[::step]
    return kept if kept[-1] is items[-1] else [*kept[: most - 1], items[-1]]


LANE_POINTS = 12  # figure dots per lane of a grouped timeline


def group_lane(
    group, label: str, url: str, css: str, name: str, axis: Axis, today, point_title
) -> Lane:
    """A lane for one :class:`partnerships.views.ContributionGroup`: its contributions'
    bars (one from the first start to the last end when they are many) and at most
    LANE_POINTS of its figures, each titled by ``point_title(figure)``."""
    lane = Lane(label, url, css)
    spans = group.listed_spans
    for span in spans:
        bar = period_bar(span, axis, "bar-mission", name, today)
        if bar:
            if len(spans) == 1 and group.contributions > 1:
                bar.title = f"{name}: {group.contributions} contributions, {span.period_display}"
            lane.bars.append(bar)
    for figure in thinned(group.series, LANE_POINTS):
        lane.points.append(Point(axis.x(figure.as_of), "point-figure", point_title(figure)))
    return lane


def layout(groups: list[LaneGroup], axis: Axis, summary: str, today: dt.date) -> Timeline:
    y = TOP
    show_headings = len(groups) > 1
    for group in groups:
        group.y = y
        if show_headings:
            y += HEADING
        for lane in group.lanes:
            lane.y = y
            for point in lane.points:
                point.y = lane.mid_y
            y += ROW
        group.height = y - group.y
        y += 6 if show_headings else 0
    height = y + 28
    return Timeline(
        width=LABEL_WIDTH + PLOT_WIDTH + 16,
        height=height,
        axis=axis,
        groups=groups,
        summary=summary,
        label_width=LABEL_WIDTH,
        row_height=ROW,
        bar_height=BAR,
        today_x=axis.x(today),
    )


def more_text(shown: int, total: int, kind: str) -> str:
    return f" The {shown} most recent of {total} {kind} are drawn." if total > shown else ""


def grouped_dates(partner, groups) -> list[dt.date]:
    """The dates a partner's timeline spans: its frameworks, milestones and accession and
    the starts of ``groups.lanes`` (its missions drawn)."""
    dates = [p.covers_from for p in partner.participations.all()]
    dates += [p.covers_until for p in partner.participations.all() if p.covers_until]
    dates += [m.date for m in partner.milestones.all()]
    dates += [g.first for g in groups.lanes] + [partner.nato_accession]
    return [d for d in dates if d]


def grouped_summary(partner, groups) -> str:
    """A partner's timeline in words, for screen readers and the chart's description."""
    parts = []
    for item in partner.participations.all():
        name = item.framework.acronym or item.framework.name
        parts.append(f"{name} {item.start_display} to {item.end_display}")
    for group in groups.lanes:
        name = group.obj.acronym or group.obj.name
        periods = "; ".join(f"{s.start_display} to {s.end_display}" for s in group.listed_spans)
        parts.append(f"contributed to {name} {periods}")
    if partner.nato_accession:
        parts.append(f"acceded to NATO {partner.nato_accession_display}")
    summary = f"{partner.name}: " + ("; ".join(parts) if parts else "no dated facts") + "."
    return summary + more_text(len(groups.lanes), groups.groups, "missions")


def profile_timeline_chart(partner, groups, today: dt.date | None = None) -> Timeline:
    """The profile's timeline: one lane per framework, one per mission of ``groups.lanes``
    (at most views.MAX_LANES, the most recent), milestones below."""
    today = today or dt.date.today()
    axis = axis_for(grouped_dates(partner, groups), LABEL_WIDTH, PLOT_WIDTH, today)
    lanes = partner_lanes(partner, axis, today, groups=groups.lanes)
    chart = layout([lanes], axis, grouped_summary(partner, groups), today)
    chart.more = groups.groups - len(groups.lanes)
    return chart


def compare_timeline_chart(partners, today: dt.date | None = None) -> Timeline:
    """Several partners on one shared time axis, one group of lanes each: its frameworks,
    the missions of its ``groups.lanes`` (at most views.MAX_LANES, the most recent) and
    its milestones. Each partner's ``lanes_more`` says how many missions are left out."""
    today = today or dt.date.today()
    dates = [d for partner in partners for d in grouped_dates(partner, partner.groups)]
    axis = axis_for(dates, LABEL_WIDTH, PLOT_WIDTH, today)
    groups = [
        partner_lanes(partner, axis, today, groups=partner.groups.lanes) for partner in partners
    ]
    summary = " ".join(grouped_summary(partner, partner.groups) for partner in partners)
    chart = layout(groups, axis, summary, today)
    for partner in partners:
        partner.lanes_more = partner.groups.groups - len(partner.groups.lanes)
    chart.more = sum(partner.lanes_more for partner in partners)
    return chart


def mission_timeline_chart(mission, groups, today: dt.date | None = None) -> Timeline:
    """A mission's contributors as lanes across the mission's years, one per partner of
    ``groups.lanes`` (at most views.MAX_LANES, the most recent); figures as dots."""
    today = today or dt.date.today()
    dates = [mission.covers_from, mission.covers_until, groups.first]
    dates += [g.first for g in groups.lanes]
    axis = axis_for(dates, LABEL_WIDTH, PLOT_WIDTH, today)
    group = LaneGroup(heading=str(mission))
    mission_bar = period_bar(mission, axis, "bar-host", str(mission), today)
    if mission_bar:
        group.lanes.append(Lane("Mission", css="mission-span", bars=[mission_bar]))
    for item in groups.lanes:
        partner = item.obj
        group.lanes.append(
            group_lane(
                item,
                partner.name,
                partner.get_absolute_url(),
                "",
                partner.name,
                axis,
                today,
                lambda f, name=partner.name: f"{name}: {f.personnel} personnel ({f.as_of_display})",
            )
        )
    periods = [f"{g.obj.name} {s.period_display}" for g in groups.lanes for s in g.listed_spans]
    summary = f"{mission}: {mission.period_display}; " + "; ".join(periods) + "."
    summary += more_text(len(groups.lanes), groups.groups, "contributors")
    chart = layout([group], axis, summary, today)
    chart.more = groups.groups - len(groups.lanes)
    return chart


# -- column charts ------------------------------------------------------------------------


def svg_number(value: float) -> str:
    """A coordinate as SVG text, rounded to a tenth: templates print it as it is (a float
    would go through localisation, which costs more than the rest of a chart's drawing)."""
    return f"{round(value, 1):g}"


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


@dataclass
class ColumnChart:
    width: float
    height: float
    columns: list[Column]
    gridlines: list[tuple[str, str]]  # (y, value) as SVG text
    baseline: float
    summary: str


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
        columns.append(
            Column(
                x=svg_number(left + i * slot + slot * 0.15),
                y=svg_number(top + plot_h - h),
                width=svg_number(max(slot * 0.7, 1.0)),
                height=svg_number(h),
                label=label,
                value=value,
                title=title,
                show_label=i % every == 0 or len(items) <= 12,
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
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        partners = {
            p.partner_id
            for p in spans
            if p.covers_from <= last and (p.covers_until is None or p.covers_until >= first)
        }
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


# -- the world map ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def world_shapes() -> dict:
    """Country paths built by scripts/build_world_map.py (static/map/countries.json)."""
    path = settings.BASE_DIR / "static" / "map" / "countries.json"
    return json.loads(path.read_text())


@dataclass
class Shape:
    code: str
    name: str
    d: str
    css: str
    url: str = ""
    title: str = ""
    marker: tuple[float, float] | None = None  # small countries get a dot to click


@dataclass
class WorldMap:
    width: float
    height: float
    view_box: str
    shapes: list[Shape]
    linked: list[Shape]
    summary: str


SMALL = 5.0  # pixels: countries smaller than this get a round marker too


def world_map(
    styles: dict[str, tuple[str, str, str]], focus: list[str] | None = None, summary: str = ""
) -> WorldMap:
    """The world with the countries in ``styles`` (alpha-2 -> css class, url, title) styled.

    Other countries are drawn plain. ``focus`` crops the view to those countries (a
    mission's hosts), with a margin.
    """
    data = world_shapes()
    width, height = data["width"], data["height"]
    plain, linked = [], []
    for code, country in data["countries"].items():
        css, url, title = styles.get(code, ("", "", ""))
        shape = Shape(code, country["name"], country["d"], css or "country", url, title)
        x0, y0, x1, y1 = country["bbox"]
        if url and max(x1 - x0, y1 - y0) < SMALL:
            shape.marker = (round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1))
        (linked if url else plain).append(shape)
    view_box = f"0 0 {width:g} {height:g}"
    if focus:
        boxes = [data["countries"][c]["bbox"] for c in focus if c in data["countries"]]
        if boxes:
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            margin = max(x1 - x0, y1 - y0, 40) * 0.6
            x0, y0, x1, y1 = x0 - margin, y0 - margin * 0.6, x1 + margin, y1 + margin * 0.6
            view_box = f"{x0:.0f} {y0:.0f} {x1 - x0:.0f} {y1 - y0:.0f}"
            width, height = x1 - x0, y1 - y0
    return WorldMap(width, height, view_box, plain, linked, summary)
