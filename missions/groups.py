"""Contributions grouped one row per mission (a partner's profile) or per partner (a
mission's page), aggregated in the database and bounded at any size. The table they fill
is ``missions/templates/missions/contribution_groups.html``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Mod, RowNumber
from django.urls import reverse

from missions.models import Contribution, ContributionFigure, counted, counted_q
from partnerships import charts
from partnerships.models import Source
from partnerships.views.common import Citations

GROUPS_PER_PAGE = 25  # rows of the contributions table


MAX_LANES = 30  # timeline lanes of missions (or partners): the most recent


MAX_POINTS = 60  # figures charted per row: evenly spaced, plus the latest and the largest


SPANS_LISTED = 3  # a row lists its contributions' periods up to this many


FIGURES_LISTED = 6  # a row lists its figures up to this many; beyond, latest and largest


@dataclass
class Span:
    """The period of several contributions to one mission, from the first start to the
    last end (a timeline bar and a table cell when they are too many to list)."""

    first: object  # the contribution that starts first
    last: object  # the one that ends last (or is ongoing)

    @property
    def covers_from(self):
        return self.first.covers_from

    @property
    def covers_until(self):
        return self.last.covers_until

    @property
    def end_unknown(self):
        return self.last.end_unknown

    @property
    def start_display(self) -> str:
        return self.first.start_display

    @property
    def end_display(self) -> str:
        return self.last.end_display

    @property
    def period_display(self) -> str:
        return f"{self.start_display} – {self.end_display}"

    @property
    def certain_from(self):
        return self.first.certain_from

    @property
    def certain_until(self):
        return self.last.certain_until

    @property
    def start(self):
        return self.first.start

    @property
    def end(self):
        return self.last.end


@dataclass
class ContributionGroup:
    """One partner's contributions to one mission, aggregated in the database: a row of a
    partner's profile (one per mission) or of a mission's page (one per partner)."""

    key: int  # the mission's (profile) or the partner's (mission page) id
    contributions: int
    first: dt.date | None
    last: dt.date | None
    ongoing: bool
    obj: object = None  # the Mission or the Partner
    spans: list = field(default_factory=list)  # the first SPANS_LISTED and the last-ending
    roles: list[str] = field(default_factory=list)
    series: list = field(default_factory=list)  # figures, oldest first (sampled when many)
    figures: int = 0  # how many figures in all
    sources: list = field(default_factory=list)
    refs: list = field(default_factory=list)
    chart: object = None
    chart_id: str = ""

    @cached_property
    def listed_spans(self) -> list:
        """Each contribution's period when they are few, else one from first to last."""
        if self.contributions <= SPANS_LISTED and len(self.spans) == self.contributions:
            return self.spans
        if not self.spans:
            return []
        last = max(
            self.spans, key=lambda s: (s.covers_until is None, s.covers_until or dt.date.min)
        )
        return [Span(self.spans[0], last)]

    @property
    def description(self) -> str:
        return self.spans[0].description if self.contributions == 1 and self.spans else ""

    @property
    def latest(self):
        """The latest figure that counts (by its date; a preferred one over others of that
        date, never a deprecated one)."""
        return max(self._counted, key=_figure_order, default=None)

    @property
    def largest(self):
        """The largest figure recorded that counts (the sources' largest, not a known peak)."""
        return max(self._counted, key=lambda f: (f.personnel, f.as_of, f.pk), default=None)

    @property
    def _counted(self) -> list:
        if self.series and hasattr(self.series[0], "counts"):  # annotated by the database
            return [f for f in self.series if f.counts]
        return counted(self.series)

    @property
    def sampled(self) -> bool:
        return self.figures > len(self.series)

    @cached_property
    def listed_figures(self) -> list:
        """Every figure when they are few; else the largest recorded and the latest."""
        if self.figures <= FIGURES_LISTED and not self.sampled:
            return self.series
        shown = {f.pk: f for f in (self.largest, self.latest) if f}
        return sorted(shown.values(), key=_figure_order)


def _figure_order(figure):
    return (figure.as_of, figure.pk)


class CountedPaginator(Paginator):
    """A paginator told its count (already aggregated with the page's other totals)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def _grouped(rows, by: str):
    """``rows`` (contributions) as one row per ``by`` ("mission" or "partner"): how many,
    the first start, the last end and whether any is ongoing, aggregated in the database."""
    ongoing = Q(end__isnull=True, end_unknown=False)
    return rows.values(by).annotate(
        contributions=Count("pk"),
        first=Min("covers_from"),
        last=Max("covers_until"),
        ongoing=Max(Case(When(ongoing, then=Value(1)), default=Value(0))),
    )


def _group(row: dict, by: str) -> ContributionGroup:
    return ContributionGroup(
        key=row[by],
        contributions=row["contributions"],
        first=row["first"],
        last=row["last"],
        ongoing=bool(row["ongoing"]),
    )


@dataclass
class ContributionGroups:
    """A page of groups for the table, the most recent groups for the timeline, totals."""

    page: object
    lanes: list[ContributionGroup]
    groups: int  # in all
    contributions: int  # in all
    first: dt.date | None  # the earliest start of all
    param: str  # the page's query parameter
    csv_url: str = ""  # every contribution of the page, as CSV (the contributions API)
    list_url: str = ""  # the same contributions on the contributions page

    def page_query(self, request, number: int) -> str:
        query = request.GET.copy()
        query[self.param] = number
        return "?" + query.urlencode()

    def link(self, request, query: dict) -> None:
        """Links to what the page leaves out: the pages of the table, every contribution
        and each row's every figure (the API's CSV, filtered by ``query`` and the row)."""
        page = self.page
        page.previous_query = page.has_previous() and self.page_query(
            request, page.previous_page_number()
        )
        page.next_query = page.has_next() and self.page_query(request, page.next_page_number())
        self.csv_url = (
            reverse("api:contribution-list") + "?" + urlencode({**query, "format": "csv"})
        )
        self.list_url = reverse("contribution-list") + "?" + urlencode(query)
        for group in page.object_list:
            code = {"partner": "iso3", "mission": "slug"}[group.obj._meta.model_name]
            row = {group.obj._meta.model_name: getattr(group.obj, code)}
            group.figures_url = (
                reverse("api:figure-list") + "?" + urlencode({**query, **row, "format": "csv"})
            )


def contribution_groups(
    request, rows, by: str, param: str, refs: Citations | None = None, details: bool = True
) -> ContributionGroups:
    """``rows`` grouped by ``by``: the page of groups asked by ``request.GET[param]`` (in
    order of first start) and the MAX_LANES most recent groups, each with its roles,
    periods, sources and figures (at most MAX_POINTS + 2 per group, sampled evenly in the
    database, always with the latest and the largest recorded).

    Seven queries whatever the number of contributions and figures: the totals, the page,
    the lanes, then for the groups shown their periods, roles, figures and sources; five
    without ``details`` (no roles, no sources: the compare page lists periods only).
    """
    contribution = Contribution
    figure = ContributionFigure
    totals = rows.aggregate(
        groups=Count(by, distinct=True), contributions=Count("pk"), first=Min("covers_from")
    )
    name = f"{by}__name"
    ordered = _grouped(rows, by).order_by(F("first").asc(nulls_last=True), name, by)
    paginator = CountedPaginator(ordered, GROUPS_PER_PAGE, totals["groups"])
    page = paginator.get_page(request.GET.get(param))
    page.object_list = [_group(row, by) for row in page.object_list]
    recent = _grouped(rows, by).order_by(
        "-ongoing", F("last").desc(nulls_last=True), F("first").desc(nulls_last=True), name, by
    )[:MAX_LANES]
    lanes = [_group(row, by) for row in recent]
    shown = {g.key: g for g in [*page.object_list, *lanes]}  # the same key, the same group
    page.object_list = [shown[g.key] for g in page.object_list]
    lanes = [shown[g.key] for g in lanes]
    of_shown = rows.filter(**{f"{by}__in": list(shown)})
    # Periods: the first few contributions of each group and the one ending last; the
    # group's mission or partner comes with them.
    spans = (
        of_shown.select_related(by)
        .annotate(
            by_start=Window(
                RowNumber(),
                partition_by=F(by),
                order_by=[F("covers_from").asc(nulls_last=True), F("pk").asc()],
            ),
            by_end=Window(
                RowNumber(),
                partition_by=F(by),
                order_by=[F("covers_until").desc(nulls_first=True), F("pk").desc()],
            ),
        )
        .filter(Q(by_start__lte=SPANS_LISTED) | Q(by_end=1))
        .order_by(F("covers_from").asc(nulls_last=True), "pk")
    )
    for item in spans:
        group = shown[getattr(item, f"{by}_id")]
        group.obj = getattr(item, by)
        group.spans.append(item)
    lanes.sort(key=lambda g: (g.first is None, g.first or dt.date.min, g.obj.name, g.key))
    roles = (
        ()
        if not details
        else contribution.roles.through.objects.filter(contribution__in=of_shown)
        .values_list(f"contribution__{by}", "role__name")
        .distinct()
        .order_by("role__name")
    )
    for key, role in roles:
        shown[key].roles.append(role)
    # Figures: evenly spaced (every step-th of the group's, oldest first), the latest and
    # the largest; the whole series is one filtered link away (the figures API).
    group_of = F(f"contribution__{by}")
    series = (
        figure.objects.filter(contribution__in=of_shown)
        .select_related("source")
        .annotate(
            group=group_of,
            counts=ExpressionWrapper(counted_q(), output_field=BooleanField()),
        )
        .annotate(
            n=Window(RowNumber(), partition_by=group_of, order_by=[F("as_of"), F("pk")]),
            total=Window(Count("pk"), partition_by=group_of),
            # The largest and the latest that count (ranked figures: see counted_q).
            by_size=Window(
                RowNumber(),
                partition_by=group_of,
                order_by=[
                    F("counts").desc(),
                    F("personnel").desc(),
                    F("as_of").desc(),
                    F("pk").desc(),
                ],
            ),
            by_date=Window(
                RowNumber(),
                partition_by=group_of,
                order_by=[F("counts").desc(), F("as_of").desc(), F("pk").desc()],
            ),
        )
        .annotate(step=(F("total") + MAX_POINTS - 1) / MAX_POINTS)
        .annotate(offset=Mod(F("n") - 1, F("step")))
        .filter(Q(offset=0) | Q(n=F("total")) | Q(by_size=1) | Q(by_date=1))
        .order_by("as_of", "pk")
    )
    for item in series:
        group = shown[item.group]
        group.series.append(item)
        group.figures = item.total
    sources = (
        ()
        if not details
        else Source.objects.filter(contributions__in=of_shown)
        .annotate(group=F(f"contributions__{by}"))
        .distinct()
        .order_by("publisher", "title", "pk")
    )
    for source in sources:
        shown[source.group].sources.append(source)
    if refs is not None:
        cite_groups(page.object_list, refs)
    return ContributionGroups(
        page, lanes, totals["groups"], totals["contributions"], totals["first"], param
    )


def cite_groups(groups, refs: Citations, chart_prefix: str = "figures") -> None:
    """Number the sources of the rows shown (contributions, then the figures listed) and
    draw each row's figures."""
    for group in groups:
        group.refs = refs.cite(group.sources)
        listed = group.listed_figures
        for item in listed:
            item.refs = refs.cite([item.source])
            if len(listed) < group.figures:  # the largest and the latest only: say which
                names = [
                    n
                    for n, f in (("largest recorded", group.largest), ("latest", group.latest))
                    if f is item
                ]
                item.label = " and ".join(names)
        note = ""
        if group.sampled:
            note = (
                f"{len(group.series)} of {group.figures} figures charted: evenly spaced, "
                "with the latest and the largest recorded"
            )
        group.chart = charts.figures_chart(group.series, note=note)
        group.chart_id = f"{chart_prefix}-{group.key}"
        group.chart_note = note


def past_contribution_groups(request, contributions: list, param: str, refs: Citations):
    """The same groups from a past state's contributions (a list read from history, small:
    history is kept for curated facts only), grouped here rather than in the database."""
    by_mission: dict[int, ContributionGroup] = {}
    for item in contributions:
        group = by_mission.get(item.mission_id)
        if group is None:
            group = by_mission[item.mission_id] = ContributionGroup(
                key=item.mission_id, contributions=0, first=None, last=None, ongoing=False
            )
            group.obj = item.mission
        group.contributions += 1
        group.spans.append(item)
        group.ongoing = group.ongoing or item.is_ongoing
        if item.covers_from and (group.first is None or item.covers_from < group.first):
            group.first = item.covers_from
        if item.covers_until and (group.last is None or item.covers_until > group.last):
            group.last = item.covers_until
        for role in item.roles.all():
            if role.name not in group.roles:
                group.roles.append(role.name)
        for source in item.sources.all():
            if source not in group.sources:
                group.sources.append(source)
        group.series += list(item.figures.all())
    groups = sorted(
        by_mission.values(),
        key=lambda g: (g.first is None, g.first or dt.date.min, g.obj.name, g.key),
    )
    for group in groups:
        group.roles.sort()
        group.series.sort(key=_figure_order)
        group.figures = len(group.series)
        if group.figures > MAX_POINTS:
            step = -(-group.figures // MAX_POINTS)
            keep = {id(f) for f in group.series[::step]} | {id(group.latest), id(group.largest)}
            group.series = [f for f in group.series if id(f) in keep]
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get(param))
    lanes = sorted(
        groups,
        key=lambda g: (g.ongoing, g.last is not None, g.last or dt.date.min),
        reverse=True,
    )[:MAX_LANES]
    lanes.sort(key=lambda g: (g.first is None, g.first or dt.date.min, g.obj.name, g.key))
    cite_groups(page.object_list, refs)
    firsts = [g.first for g in groups if g.first]
    return ContributionGroups(
        page, lanes, len(groups), len(contributions), min(firsts, default=None), param
    )
