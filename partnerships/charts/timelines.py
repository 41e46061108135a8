"""Timelines: a lane per period or per group of contributions, on one time axis (a
profile, a mission, a comparison). Bars cover what the as-of rule counts: an ongoing
period runs to today; one that ended on an unknown date is drawn over its start's unit
only, marked as such."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from partnerships.charts.axis import Axis, axis_for
from partnerships.labels import short_labels


@dataclass
class Bar:
    x: float
    width: float
    css: str
    title: str
    first: dt.date | None = None  # the days drawn, for the chart's data (CSV)
    last: dt.date | None = None


@dataclass
class Point:
    x: float
    css: str
    title: str
    url: str = ""
    y: float = 0
    day: dt.date | None = None  # for the chart's data (CSV)
    value: int | None = None

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
    kind: str = ""  # framework, mission, partner, milestones: what ``key`` identifies
    key: str = ""  # the framework's or mission's slug, the partner's ISO code (as the API)
    label_above: bool = False  # narrow charts: the label on its own line above the bar

    @property
    def bar_y(self) -> float:
        return self.y + (self.row - BAR) / 2 + (LABEL_LINE if self.label_above else 0) / 2

    @property
    def text_y(self) -> float:
        return self.y + 13 if self.label_above else self.y + ROW / 2 + 4

    @property
    def mid_y(self) -> float:
        return self.bar_y + BAR / 2

    @property
    def row(self) -> float:
        return ROW + LABEL_LINE if self.label_above else ROW


@dataclass
class LaneGroup:
    heading: str
    url: str = ""
    key: str = ""  # the partner's ISO code or the mission's slug
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
    today_x: float | None  # None when today lies outside the axis (an ended mission)
    more: int = 0  # lanes not drawn (the page's table lists them)
    narrow: Timeline | None = None  # the same chart laid out for a phone's width

    @property
    def ticks(self):
        return self.axis.ticks

    @property
    def plot_top(self) -> float:
        return AXIS_TOP - 4

    @property
    def top_tick_y(self) -> float:
        return AXIS_TOP - 8

    @property
    def plot_bottom(self) -> float:
        return self.height - 24

    @property
    def tick_y(self) -> float:
        return self.height - 8

    @property
    def plot_right(self) -> float:
        return self.label_width + self.axis.width

    @property
    def is_narrow(self) -> bool:
        return self.label_width < LABEL_WIDTH

    @property
    def legend(self) -> list[tuple[str, str]]:
        """The legend's entries (key, words) for the marks this chart draws, only those."""
        used = set()
        for group in self.groups:
            used.update(css for line in group.lines for css in line.css.split())
            for lane in group.lanes:
                used.update(css for bar in lane.bars for css in bar.css.split())
                used.update(css for point in lane.points for css in point.css.split())
        return [(key, words) for css, key, words in LEGEND if css in used]

    def rows(self):
        """The data drawn, one row per mark, identified as the API identifies them."""
        for group in self.groups:
            for lane in group.lanes:
                for bar in lane.bars:
                    mark = "possible part" if "bar-uncertain" in bar.css else "period"
                    yield [
                        group.key,
                        lane.kind,
                        lane.key,
                        lane.label,
                        mark,
                        iso(bar.first),
                        iso(bar.last),
                        "",
                        bar.title,
                    ]
                for point in lane.points:
                    mark = "milestone" if "milestone" in point.css else "figure"
                    yield [
                        group.key,
                        lane.kind,
                        lane.key,
                        lane.label,
                        mark,
                        iso(point.day),
                        iso(point.day),
                        point.value,
                        point.title,
                    ]
            for line in group.lines:
                yield [
                    group.key,
                    "",
                    "",
                    "",
                    "accession",
                    iso(line.day),
                    iso(line.day),
                    "",
                    line.title,
                ]

    csv_header = ["group", "lane_kind", "lane", "label", "mark", "from", "until", "value", "title"]


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


# The legend: (a CSS class a mark carries, the legend key's class, its words).
LEGEND = [
    ("bar-host", "key-host", "the mission's own period"),
    ("bar-framework", "key-framework", "framework"),
    ("bar-mission", "key-mission", "mission contribution"),
    ("is-ongoing", "key-ongoing", "ongoing"),
    ("is-end-unknown", "key-unknown", "ended, date unknown (start's unit only)"),
    (
        "bar-uncertain-plain",
        "key-uncertain",
        "possible only: an imprecise date (faded over its unit)",
    ),
    (
        "is-lead-in",
        "key-lead-in",
        "start not recorded: possible from its framework's or mission's start",
    ),
    ("status-suspended", "key-suspended", "suspended"),
    ("point-milestone", "key-milestone", "milestone"),
    ("point-figure", "key-figure", "personnel figure"),
    ("line-accession", "key-accession", "NATO accession"),
]


LABEL_WIDTH = 190.0


PLOT_WIDTH = 730.0


ROW = 22.0


BAR = 13.0


HEADING = 24.0


AXIS_TOP = 22.0  # the year labels above the lanes


TOP = AXIS_TOP + 4


# A phone's layout: the whole width for the bars, each lane's label above its bar, larger
# text in the viewBox's units and fewer year labels.
NARROW_WIDTH = 400.0


NARROW_MARGIN = 8.0


LABEL_LINE = 16.0


NARROW_LABELS = 6


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
    return Bar(x0, max(round(x1 - x0, 1), 2.0), " ".join(classes), title, period.covers_from, end)


def period_bars(period, axis: Axis, css: str, name: str, today: dt.date) -> list[Bar]:
    """The period's bar over its possible span, with the parts that are only possible (an
    imprecise end: the rest of its unit; an unrecorded start: a lead-in from the earliest
    possible day) drawn faded over it, so uncertainty is drawn, not hidden."""
    bar = period_bar(period, axis, css, name, today)
    if bar is None:
        return []
    bars = [bar]
    first, last = period.covers_from, period.covers_until or today
    certain_from = getattr(period, "certain_from", None)
    certain_until = getattr(period, "certain_until", None) or (
        today if certain_from and period.covers_until is None else None
    )
    lead_in = " is-lead-in" if not getattr(period, "start", True) else ""

    def faded(start: dt.date, end: dt.date, why: str, extra: str = "") -> None:
        x0, x1 = axis.x(start), axis.x(end + dt.timedelta(days=1))
        if x1 > x0:
            css = f"bar-uncertain{extra or ' bar-uncertain-plain'}"
            bars.append(Bar(x0, max(round(x1 - x0, 1), 1.0), css, why, start, end))

    if certain_from is None or certain_until is None or certain_until < certain_from:
        faded(first, last, f"{name}: possible only, no day of it is certain", lead_in)
        return bars
    if certain_from > first:
        why = "start not recorded" if lead_in else "start known to the month or year"
        faded(first, certain_from - dt.timedelta(days=1), f"{name}: possible only ({why})", lead_in)
    if certain_until < last and period.covers_until is not None:
        faded(certain_until + dt.timedelta(days=1), last, f"{name}: possible only (end imprecise)")
    return bars


def partner_lanes(partner, axis: Axis, today: dt.date, groups) -> LaneGroup:
    """One partner's frameworks, missions and milestones as lanes: one lane per
    framework (its prefetched participations), one per mission of ``groups`` (the lanes of
    :class:`partnerships.views.ContributionGroups`), its prefetched milestones below.
    """
    group = LaneGroup(heading=partner.name, url=partner.get_absolute_url(), key=partner.iso3)
    lanes: dict[tuple[str, int], Lane] = {}
    names = short_labels({p.framework for p in partner.participations.all()})
    for item in partner.participations.all():
        framework = item.framework
        lane = lanes.setdefault(
            ("f", framework.pk),
            Lane(
                names[framework.pk],
                framework.get_absolute_url(),
                "framework",
                kind="framework",
                key=framework.slug,
            ),
        )
        css = f"bar-framework status-{item.status}"
        lane.bars.extend(period_bars(item, axis, css, str(framework), today))
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
        lanes[("m", mission.pk)].kind, lanes[("m", mission.pk)].key = "mission", mission.slug
    group.lanes = list(lanes.values())
    milestones = list(partner.milestones.all())
    if milestones:
        group.lanes.append(
            Lane(
                "Milestones",
                css="milestones",
                kind="milestones",
                points=[
                    Point(
                        axis.x(m.date),
                        f"point-milestone kind-{m.kind}",
                        m.date_display + ": " + m.title,
                        day=m.date,
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
                day=partner.nato_accession,
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
        bars = period_bars(span, axis, "bar-mission", name, today)
        if bars:
            if len(spans) == 1 and group.contributions > 1:
                bars[
                    0
                ].title = f"{name}: {group.contributions} contributions, {span.period_display}"
            lane.bars.extend(bars)
    for figure in thinned(group.series, LANE_POINTS):
        lane.points.append(
            Point(
                axis.x(figure.as_of),
                "point-figure",
                point_title(figure),
                day=figure.as_of,
                value=figure.personnel,
            )
        )
    return lane


def layout(groups: list[LaneGroup], axis: Axis, summary: str, today: dt.date) -> Timeline:
    """Lanes stacked under the top axis; on a narrow axis (``axis.x0`` a margin, not a
    label column) each lane's label goes above its bar."""
    narrow = axis.x0 < LABEL_WIDTH
    y = TOP
    show_headings = len(groups) > 1
    for group in groups:
        group.y = y
        if show_headings:
            y += HEADING
        for lane in group.lanes:
            lane.y = y
            lane.label_above = narrow
            for point in lane.points:
                point.y = lane.mid_y
            y += lane.row
        group.height = y - group.y
        y += 6 if show_headings else 0
    height = y + 28
    return Timeline(
        width=axis.x0 + axis.width + (NARROW_MARGIN if narrow else 16),
        height=height,
        axis=axis,
        groups=groups,
        summary=summary,
        label_width=axis.x0,
        row_height=ROW + LABEL_LINE if narrow else ROW,
        bar_height=BAR,
        today_x=axis.x(today) if axis.contains(today) else None,
    )


def both_widths(build) -> Timeline:
    """``build(x0, width, most_labels)``, a timeline, drawn for a page's width with the
    narrow layout for phones attached (the same marks on a 400-unit viewBox)."""
    chart = build(LABEL_WIDTH, PLOT_WIDTH, 14)
    chart.narrow = build(NARROW_MARGIN, NARROW_WIDTH - 2 * NARROW_MARGIN, NARROW_LABELS)
    return chart


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
    names = short_labels({p.framework for p in partner.participations.all()})
    for item in partner.participations.all():
        name = names[item.framework.pk]
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

    def build(x0, width, most_labels):
        axis = axis_for(grouped_dates(partner, groups), x0, width, today, None, most_labels)
        lanes = partner_lanes(partner, axis, today, groups=groups.lanes)
        chart = layout([lanes], axis, grouped_summary(partner, groups), today)
        chart.more = groups.groups - len(groups.lanes)
        return chart

    return both_widths(build)


def compare_timeline_chart(partners, today: dt.date | None = None) -> Timeline:
    """Several partners on one shared time axis, one group of lanes each: its frameworks,
    the missions of its ``groups.lanes`` (at most views.MAX_LANES, the most recent) and
    its milestones. Each partner's ``lanes_more`` says how many missions are left out."""
    today = today or dt.date.today()
    dates = [d for partner in partners for d in grouped_dates(partner, partner.groups)]
    summary = " ".join(grouped_summary(partner, partner.groups) for partner in partners)

    def build(x0, width, most_labels):
        axis = axis_for(dates, x0, width, today, None, most_labels)
        groups = [
            partner_lanes(partner, axis, today, groups=partner.groups.lanes) for partner in partners
        ]
        return layout(groups, axis, summary, today)

    chart = both_widths(build)
    for partner in partners:
        partner.lanes_more = partner.groups.groups - len(partner.groups.lanes)
    chart.more = chart.narrow.more = sum(partner.lanes_more for partner in partners)
    return chart


def mission_timeline_chart(mission, groups, today: dt.date | None = None) -> Timeline:
    """A mission's contributors as lanes across the mission's years, one per partner of
    ``groups.lanes`` (at most views.MAX_LANES, the most recent); figures as dots."""
    today = today or dt.date.today()
    dates = [mission.covers_from, mission.covers_until, groups.first]
    dates += [g.first for g in groups.lanes]
    # An ended mission's axis ends with it (its contributions end by then), not today.
    until = mission.covers_until if mission.covers_until and mission.covers_until < today else None
    periods = [f"{g.obj.name} {s.period_display}" for g in groups.lanes for s in g.listed_spans]
    summary = f"{mission}: {mission.period_display}; " + "; ".join(periods) + "."
    summary += more_text(len(groups.lanes), groups.groups, "contributors")

    def build(x0, width, most_labels):
        axis = axis_for(dates, x0, width, today, until, most_labels)
        group = LaneGroup(heading=str(mission), key=mission.slug)
        mission_bars = period_bars(mission, axis, "bar-host", str(mission), today)
        if mission_bars:
            group.lanes.append(
                Lane(
                    "Mission",
                    css="mission-span",
                    bars=mission_bars,
                    kind="mission",
                    key=mission.slug,
                )
            )
        for item in groups.lanes:
            partner = item.obj
            lane = group_lane(
                item,
                partner.name,
                partner.get_absolute_url(),
                "",
                partner.name,
                axis,
                today,
                lambda f, name=partner.name: f"{name}: {f.personnel} personnel ({f.as_of_display})",
            )
            lane.kind, lane.key = "partner", partner.iso3
            group.lanes.append(lane)
        chart = layout([group], axis, summary, today)
        chart.more = groups.groups - len(groups.lanes)
        return chart

    return both_widths(build)
