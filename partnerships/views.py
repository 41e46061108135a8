"""The analysts' pages of the core: home, partners, compare, matrices, map, search,
sources and about. Thin views: a queryset, the shared FilterSet, a template.

Frameworks' and missions' pages live in their apps; a partner's facts from those apps
are reached through :mod:`partnerships.crossref` (and the ORM's reverse relations).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Mod, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from . import charts
from . import search as engine
from .api_support import streamed_csv
from .crossref import framework_matrix, mission_matrix
from .dates import active_on_q
from .filtersets import PartnerFilterSet, SourceFilterSet, model, partner_status_q
from .history import parse_known_at, past_instances, snapshot
from .models import Milestone, Partner, Release, Source
from .quality import disagreements, quality_checks
from .releases import IGNORED_FIELDS, curated_models
from .templatetags import kb as kb_tags
from .versioning import dataset_version, last_change

PAGE_SIZE = 25
STATUSES = ("ally", "partner", "suspended", "former")
STATUS_LABELS = {
    "ally": "NATO Ally",
    "partner": "Partner",
    "suspended": "Cooperation suspended",
    "former": "Former partner",
}

# -- helpers shared by the pages -----------------------------------------------------------

SHORT_HELP = {
    "as_of": "In the chosen frameworks on this day; alone, partners on this day. "
    "See the date rule on the About page.",
    "active_on": "Active on this day.",
    "framework_all": "Partners in every one of these.",
}
LABELS = {
    "q": "Name contains",
    "as_of": "As of",
    "active_on": "Active on",
    "framework": "Framework",
    "framework_all": "In all of these frameworks",
    "status": "Status today",
    "region": "Region",
    "mission": "Contributed to",
    "mission_all": "Contributed to all of",
    "cooperation_area": "Cooperation area",
    "acceded_after": "Acceded to NATO on or after",
    "acceded_before": "Acceded to NATO on or before",
    "kind": "Kind",
    "publisher": "Publisher",
}


def prepare_filter_form(form: forms.Form, hide=("ordering",)) -> forms.Form:
    """Present a FilterSet's form for the side panel: checkboxes for repeatable choices,
    date pickers for dates, short help. Filtering itself stays in the FilterSet."""
    for name in hide:
        form.fields.pop(name, None)
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            form_field.widget = forms.CheckboxSelectMultiple(choices=form_field.choices)
            # Lists from the database (frameworks, missions) are long: a scrolling box.
            form_field.long_list = isinstance(form_field, forms.ModelMultipleChoiceField)
        elif isinstance(form_field, forms.DateField):
            form_field.widget = forms.DateInput(attrs={"type": "date"})
        elif name == "q":
            form_field.widget = forms.TextInput(attrs={"type": "search"})
        form_field.label = LABELS.get(name, form_field.label)
        form_field.help_text = SHORT_HELP.get(name, "")
        # A validated form has built its bound fields already: update them too.
        bound = form[name]
        bound.label, bound.help_text = form_field.label, form_field.help_text
    return form


def with_status(queryset, day: dt.date | None = None, when: dt.datetime | None = None):
    """Annotate ``status_on`` with the partner's status on ``day`` (today by default), by
    the same rule as the FilterSet's ``status`` filter; from history when ``when`` is set
    (then ``queryset`` holds historical records)."""
    whens = [
        When(partner_status_q(status, day, when=when), then=Value(status)) for status in STATUSES
    ]
    return queryset.annotate(
        status_on=Case(*whens, default=Value("former"), output_field=CharField())
    )


def paginate(request, queryset, per_page=PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def as_of_day(filterset, name="as_of") -> dt.date | None:
    if filterset.is_valid():
        return filterset.form.cleaned_data.get(name)
    return None


@dataclass
class Citations:
    """Numbered references of one page: each source gets a number on first citation."""

    sources: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)

    def cite(self, sources) -> list[tuple[int, Source]]:
        cited = []
        for source in sources:
            if source.pk not in self.numbers:
                self.sources.append(source)
                self.numbers[source.pk] = len(self.sources)
            cited.append((self.numbers[source.pk], source))
        return sorted(cited, key=lambda pair: pair[0])

    def numbered(self):
        return list(enumerate(self.sources, start=1))


# -- "as known on": pages answered from history ----------------------------------------------


@dataclass
class KnownAt:
    """The ``known_at`` of a page: the moment asked for, its text, or why it is unreadable."""

    text: str = ""
    when: dt.datetime | None = None
    error: str = ""

    @property
    def label(self) -> str:
        """How the banner names the moment: a day, or a day and a time."""
        if self.when is None:
            return ""
        if len(self.text) == 10:
            return f"{self.when:%-d %B %Y}"
        return f"{self.when:%-d %B %Y, %H:%M} UTC"


def known_at_of(request) -> KnownAt:
    text = request.GET.get("known_at", "").strip()
    try:
        when = parse_known_at(text)
    except ValueError as exc:
        return KnownAt(text, None, str(exc))
    if when is not None:
        when = when.astimezone(dt.UTC)
    # The FilterSets read related rows as they stood then from the request.
    request.known_at = when
    return KnownAt(text, when)


def _set_related(instance, name: str, values: list) -> None:
    """Make ``instance.<name>.all()`` answer ``values`` without a query."""
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = values


def past_partner_details(partners: list, day: dt.date, when: dt.datetime) -> None:
    """Frameworks on ``day`` and missions contributed to, as known at ``when`` (two
    queries and a prefetch, whatever the number of partners)."""
    participation = model("frameworks.Participation")
    ids = [p.pk for p in partners]
    on_day = past_instances(
        participation,
        snapshot(participation, when)
        .filter(active_on_q(day), partner__in=ids)
        .order_by("covers_from"),
        select=["framework"],
        when=when,
    )
    by_partner: dict = {}
    for item in on_day:
        by_partner.setdefault(item.partner_id, []).append(item)
    missions: dict = {}
    contributions = snapshot(model("missions.Contribution"), when).filter(partner__in=ids)
    for partner_id, mission_id in contributions.values_list("partner", "mission"):
        missions.setdefault(partner_id, set()).add(mission_id)
    for partner in partners:
        partner.on_day = by_partner.get(partner.pk, [])
        partner.missions = len(missions.get(partner.pk, ()))


# -- home, about, search --------------------------------------------------------------------


def home(request):
    framework, participation = model("frameworks.Framework"), model("frameworks.Participation")
    mission, contribution = model("missions.Mission"), model("missions.Contribution")
    today = dt.date.today()
    frameworks = (
        framework.objects.filter(parent__isnull=True)
        # Participants today and ever, counted in the database (one query for the list).
        .annotate(
            now=Count(
                "participations__partner",
                filter=active_on_q(today, "participations__"),
                distinct=True,
            ),
            ever=Count("participations__partner", distinct=True),
        )
        .order_by("covers_from", "name")
    )
    recent = sorted(
        [
            *participation.objects.select_related("partner", "framework").order_by("-updated")[:6],
            *contribution.objects.select_related("partner", "mission").order_by("-updated")[:6],
            *Milestone.objects.select_related("partner").order_by("-updated")[:6],
        ],
        key=lambda fact: fact.updated,
        reverse=True,
    )[:8]
    counts = {
        "partners": Partner.objects.count(),
        "frameworks": framework.objects.count(),
        "missions": mission.objects.count(),
        "contributions": contribution.objects.count(),
        "sources": Source.objects.count(),
    }
    return render(
        request,
        "partnerships/home.html",
        {"counts": counts, "frameworks": frameworks, "recent": recent, "today": today},
    )


def about(request):
    framework, participation = model("frameworks.Framework"), model("frameworks.Participation")
    mission, contribution = model("missions.Mission"), model("missions.Contribution")
    figure = model("missions.ContributionFigure")
    counts = [
        ("partner nations", Partner.objects.count()),
        ("frameworks", framework.objects.count()),
        ("participations", participation.objects.count()),
        ("missions and exercises", mission.objects.count()),
        ("contributions", contribution.objects.count()),
        ("personnel figures", figure.objects.count()),
        ("milestones", Milestone.objects.count()),
        ("sources", Source.objects.count()),
    ]
    return render(
        request,
        "partnerships/about.html",
        {
            "counts": counts,
            "version": dataset_version(),
            "last_change": last_change(),
            "release": Release.objects.order_by("-created").first(),
            "today": dt.date.today(),
        },
    )


class SearchForm(forms.Form):
    """The search page's question: the words, and optionally one kind of result."""

    q = forms.CharField(
        required=False,
        label="Search for",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text='A name, acronym, code or theme; "a phrase", -word and or work too.',
    )
    kind = forms.ChoiceField(required=False, label="Kind")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *engine.kind_choices()]

    def clean_q(self):
        text = self.cleaned_data["q"]
        if not text:
            return None
        try:
            return engine.parse_query(text)
        except engine.QueryError as exc:
            raise forms.ValidationError(str(exc)) from None


SEARCH_PER_KIND = 5
SEARCH_PAGE_SIZE = 20


def search(request):
    """Ranked results grouped by kind (the best of each), or one kind page by page.

    One ranking query per kind searched, then one query per kind shown (the engine's
    hydration); "Did you mean" costs its own query only when nothing was found.
    """
    form = SearchForm(request.GET or None)
    query = kind = None
    if form.is_bound and form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"] or None
    groups, page, suggestions, total = [], None, [], 0
    if query is not None:
        results = engine.search(query, [kind] if kind else None)
        total = len(results)
        if kind:
            page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        else:
            groups = results.groups(SEARCH_PER_KIND)
            for group in groups:
                group.more = group.total > len(group.results)
        if not total:
            suggestions = engine.suggest(query)
    kind_label = dict(engine.kind_choices()).get(kind, "") if kind else ""
    return render(
        request,
        "partnerships/search.html",
        {
            "form": form,
            "q": query.text if query else "",
            "kind": kind,
            "kind_label": kind_label,
            "groups": groups,
            "page": page,
            "total": total,
            "capped": engine.MAX_HITS_PER_KIND,
            "suggestions": suggestions,
        },
    )


# -- partners -------------------------------------------------------------------------------


def partner_list(request):
    participation = model("frameworks.Participation")
    known_at = known_at_of(request)
    when = known_at.when
    data = request.GET.copy()
    data.pop("known_at", None)
    base = snapshot(Partner, when) if when else Partner.objects.all()
    filterset = PartnerFilterSet(data or None, queryset=base, request=request)
    valid = (filterset.is_valid() if filterset.is_bound else True) and not known_at.error
    day = as_of_day(filterset) or (when.date() if when else dt.date.today())
    if when:
        # Historical records: frameworks and missions are read for the page shown only.
        queryset = with_status(filterset.qs, day, when)
    else:
        queryset = (
            with_status(filterset.qs, day)
            # Contributions counted in the database, frameworks on the day in one prefetch.
            .annotate(missions=Count("contributions__mission", distinct=True))
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=participation.objects.filter(active_on_q(day))
                    .select_related("framework")
                    .order_by("framework__covers_from"),
                    to_attr="on_day",
                )
            )
        )
    if not filterset.form.data.get("ordering"):
        queryset = queryset.order_by("name")

    def past(records) -> list:
        partners = []
        for record in records:
            partner = record.instance
            partner.status_on = record.status_on
            partners.append(partner)
        past_partner_details(partners, day, when)
        return partners

    if valid and request.GET.get("format") == "csv":

        def partners():
            if not when:
                yield from queryset.iterator(chunk_size=500)
                return
            chunk = []
            for record in queryset.iterator(chunk_size=500):
                chunk.append(record)
                if len(chunk) == 500:
                    yield from past(chunk)
                    chunk = []
            yield from past(chunk)

        rows = (
            [
                p.iso3,
                p.name,
                p.get_region_display(),
                p.status_on,
                "; ".join(str(x.framework) for x in p.on_day),
                p.missions,
                p.nato_accession_display,
                request.build_absolute_uri(p.get_absolute_url()),
            ]
            for p in partners()
        )
        header = [
            "iso3",
            "name",
            "region",
            f"status on {day}",
            f"frameworks on {day}",
            "missions contributed to",
            "acceded to NATO",
            "url",
        ]
        return streamed_csv(request, "partners", header, rows)
    page = paginate(request, queryset) if valid else None
    if page is not None and when:
        page.object_list = past(page.object_list)
    return render(
        request,
        "partnerships/partner_list.html",
        {
            "filterset": filterset,
            "form": prepare_filter_form(filterset.form),
            "page": page,
            "day": day,
            "as_of": as_of_day(filterset),
            "valid": valid,
            "known_at": known_at,
            "status_labels": STATUS_LABELS,
            "sort_columns": [
                ("name", "Partner"),
                ("iso3", "Code"),
                ("region", "Region"),
                ("nato_accession", "Acceded to NATO"),
            ],
        },
    )


def past_partner(iso3: str, when: dt.datetime) -> Partner:
    """A partner with its facts as the knowledge base held them at ``when`` (a bounded
    number of queries: one per kind of fact and per link whose history is kept)."""
    participation, contribution = (
        model("frameworks.Participation"),
        model("missions.Contribution"),
    )
    figure = model("missions.ContributionFigure")
    record = with_status(snapshot(Partner, when), when.date(), when).filter(iso3=iso3).first()
    if record is None:
        raise Http404("No such partner at that moment.")
    (partner,) = past_instances(Partner, [record])
    partner.status_on = record.status_on
    participations = past_instances(
        participation,
        snapshot(participation, when).filter(partner=partner.pk).order_by("covers_from"),
        select=["framework"],
        when=when,
    )
    contributions = past_instances(
        contribution,
        snapshot(contribution, when).filter(partner=partner.pk).order_by("covers_from"),
        select=["mission"],
        when=when,
    )
    figures = past_instances(
        figure,
        snapshot(figure, when)
        .filter(contribution__in=[c.pk for c in contributions])
        .order_by("as_of", "id"),
        select=["source"],
        when=when,
    )
    for item in contributions:
        _set_related(item, "figures", [f for f in figures if f.contribution_id == item.pk])
    milestones = past_instances(
        model("partnerships.Milestone"),
        snapshot(model("partnerships.Milestone"), when).filter(partner=partner.pk).order_by("date"),
    )
    _set_related(partner, "participations", participations)
    _set_related(partner, "contributions", contributions)
    _set_related(partner, "milestones", milestones)
    return partner


# -- contributions, one row per mission (a profile) or per partner (a mission's page) -------

GROUPS_PER_PAGE = 25  # rows of the contributions table
MAX_LANES = 30  # timeline lanes of missions (or partners): the most recent
MAX_POINTS = 60  # figures charted per row: evenly spaced, plus the latest and the peak
SPANS_LISTED = 3  # a row lists its contributions' periods up to this many
FIGURES_LISTED = 6  # a row lists its figures up to this many; beyond, the latest and the peak


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
        return self.series[-1] if self.series else None

    @property
    def peak(self):
        return max(self.series, key=lambda f: (f.personnel, f.as_of, f.pk), default=None)

    @property
    def sampled(self) -> bool:
        return self.figures > len(self.series)

    @cached_property
    def listed_figures(self) -> list:
        """Every figure when they are few; else the peak and the latest."""
        if self.figures <= FIGURES_LISTED and not self.sampled:
            return self.series
        return sorted({f.pk: f for f in (self.peak, self.latest) if f}.values(), key=_figure_order)


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
    database, always with the latest and the peak).

    Seven queries whatever the number of contributions and figures: the totals, the page,
    the lanes, then for the groups shown their periods, roles, figures and sources; five
    without ``details`` (no roles, no sources: the compare page lists periods only).
    """
    contribution = model("missions.Contribution")
    figure = model("missions.ContributionFigure")
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
    # the peak; the whole series is one filtered link away (the figures API).
    group_of = F(f"contribution__{by}")
    series = (
        figure.objects.filter(contribution__in=of_shown)
        .select_related("source")
        .annotate(
            group=group_of,
            n=Window(RowNumber(), partition_by=group_of, order_by=[F("as_of"), F("pk")]),
            total=Window(Count("pk"), partition_by=group_of),
            by_size=Window(
                RowNumber(),
                partition_by=group_of,
                order_by=[F("personnel").desc(), F("as_of").desc(), F("pk").desc()],
            ),
        )
        .annotate(step=(F("total") + MAX_POINTS - 1) / MAX_POINTS)
        .annotate(offset=Mod(F("n") - 1, F("step")))
        .filter(Q(offset=0) | Q(n=F("total")) | Q(by_size=1))
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
            if len(listed) < group.figures:  # the peak and the latest only: say which
                names = [
                    n for n, f in (("peak", group.peak), ("latest", group.latest)) if f is item
                ]
                item.label = " and ".join(names)
        note = ""
        if group.sampled:
            note = (
                f"{len(group.series)} of {group.figures} figures charted: evenly spaced, "
                "with the latest and the peak"
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
            keep = {id(f) for f in group.series[::step]} | {id(group.latest), id(group.peak)}
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


def _partner_profile_queryset():
    """A partner with what its profile shows besides contributions (those are grouped
    by :func:`contribution_groups`): sources, participations and milestones."""
    participation = model("frameworks.Participation")
    return with_status(Partner.objects.all()).prefetch_related(
        "sources",
        Prefetch(
            "participations",
            queryset=participation.objects.select_related("framework")
            .prefetch_related("sources")
            .order_by("covers_from"),
        ),
        Prefetch(
            "milestones", queryset=Milestone.objects.prefetch_related("sources").order_by("date")
        ),
    )


def partner_detail(request, iso3: str):
    known_at = known_at_of(request)
    if known_at.when:
        partner = past_partner(iso3.upper(), known_at.when)
    else:
        partner = get_object_or_404(_partner_profile_queryset(), iso3=iso3.upper())
    refs = Citations()
    partner.refs = refs.cite(partner.sources.all())
    participations = list(partner.participations.all())
    for item in participations:
        item.refs = refs.cite(item.sources.all())
    param = "contributions_page"
    if known_at.when:
        groups = past_contribution_groups(request, list(partner.contributions.all()), param, refs)
    else:
        groups = contribution_groups(request, partner.contributions.all(), "mission", param, refs)
    groups.link(request, {"partner": partner.iso3})
    milestones = list(partner.milestones.all())
    for item in milestones:
        item.refs = refs.cite(item.sources.all())
    return render(
        request,
        "partnerships/partner_detail.html",
        {
            "partner": partner,
            "participations": participations,
            "groups": groups,
            "milestones": milestones,
            "timeline": charts.profile_timeline_chart(partner, groups),
            "references": refs.numbered(),
            "status_label": STATUS_LABELS[partner.status_on],
            "known_at": known_at,
        },
    )


MAX_COMPARE = 4


def _compare_queryset():
    """Partners with what the comparison shows besides contributions (those are grouped
    per partner by :func:`contribution_groups`): participations and milestones."""
    participation = model("frameworks.Participation")
    return with_status(Partner.objects.all()).prefetch_related(
        Prefetch(
            "participations",
            queryset=participation.objects.select_related("framework").order_by("covers_from"),
        ),
        Prefetch("milestones", queryset=Milestone.objects.order_by("date")),
    )


def compare(request):
    codes = []
    for value in request.GET.getlist("partners"):
        codes += [code.strip().upper() for code in value.split(",") if code.strip()]
    codes = list(dict.fromkeys(codes))
    errors = []
    partners = []
    if codes:
        found = {p.iso3: p for p in _compare_queryset().filter(iso3__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            errors.append("No partner with the code " + ", ".join(unknown) + ".")
        partners = [found[code] for code in codes if code in found]
        if len(partners) > MAX_COMPARE:
            errors.append(f"Compare at most {MAX_COMPARE} partners; showing the first four.")
            partners = partners[:MAX_COMPARE]
    if len(partners) == 1:
        errors.append("Choose at least two partners to compare.")
    for partner in partners:
        partner.status_label = STATUS_LABELS[partner.status_on]
    if len(partners) >= 2:
        # Each partner's missions, one row each: the first GROUPS_PER_PAGE by start for the
        # table and the MAX_LANES most recent for the timeline (five queries a partner).
        for partner in partners:
            partner.groups = contribution_groups(
                request, partner.contributions.all(), "mission", "", details=False
            )
            partner.groups.link(request, {"partner": partner.iso3})
    slots = [*[p.iso3 for p in partners], "", "", "", ""][:MAX_COMPARE]
    return render(
        request,
        "partnerships/compare.html",
        {
            "partners": partners,
            "errors": errors,
            "choices": Partner.objects.only("iso3", "name").order_by("name"),
            "slots": slots,
            "timeline": charts.compare_timeline_chart(partners) if len(partners) >= 2 else None,
        },
    )


# -- matrices --------------------------------------------------------------------------------


def _sort_rows(matrix, column_key: str, columns_by_key: dict):
    """Rows with a cell in the chosen column first, earliest start first."""
    column = columns_by_key.get(column_key)
    if column is None:
        return

    def key(row):
        cell = matrix.cell(row, column)
        items = (getattr(cell, "periods", None) or getattr(cell, "contributions", None)) or []
        starts = [i.covers_from for i in items if i.covers_from]
        return (cell is None, min(starts) if starts else dt.date.max, row.name)

    matrix.rows.sort(key=key)


def matrix_frameworks(request):
    framework = model("frameworks.Framework")
    data = request.GET.copy()
    data.pop("sort", None)
    filterset = PartnerFilterSet(data or None, queryset=Partner.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    day = as_of_day(filterset)
    columns = framework.objects.order_by("covers_from", "name")
    rows = filterset.qs if valid else Partner.objects.none()
    if not filterset.form.data.get("ordering"):
        rows = rows.order_by("name")
    matrix = framework_matrix(rows, columns, day)
    _sort_rows(matrix, request.GET.get("sort", ""), {c.slug: c for c in matrix.columns})
    if valid and request.GET.get("format") == "csv":
        header = ["iso3", "partner", *[c.acronym or c.name for c in matrix.columns]]
        if day:
            header.append(f"in a framework on {day}")

        def csv_rows():
            for row, cells in matrix.grid():
                values = [cell.label if cell else "" for cell in cells]
                line = [row.iso3, row.name, *values]
                if day:
                    line.append("yes" if any(c and c.active for c in cells) else "no")
                yield line

        return streamed_csv(request, "matrix-frameworks", header, csv_rows())
    return render(
        request,
        "partnerships/matrix_frameworks.html",
        {
            "matrix": matrix,
            "filterset": filterset,
            "form": prepare_filter_form(filterset.form),
            "valid": valid,
            "day": day,
            "sort": request.GET.get("sort", ""),
        },
    )


def matrix_missions(request):
    from missions.filtersets import MissionFilterSet

    mission = model("missions.Mission")
    # Rows: partners that contributed to something, narrowed by the partner filters.
    partner_data = {key: request.GET.getlist(key) for key in ("region", "q", "ordering")}
    partner_data = {k: v for k, v in partner_data.items() if any(v)}
    filterset = PartnerFilterSet(
        partner_data or None,
        queryset=Partner.objects.filter(
            pk__in=model("missions.Contribution").objects.values("partner")
        ),
    )
    # Columns: missions, active on the as-of day when one is given (MissionFilterSet).
    mission_filters = MissionFilterSet(
        {"active_on": request.GET.get("as_of", ""), "kind": request.GET.getlist("kind")},
        queryset=mission.objects.all(),
    )
    valid = (not filterset.is_bound or filterset.is_valid()) and mission_filters.is_valid()
    day = as_of_day(mission_filters, "active_on")
    rows = filterset.qs if valid else Partner.objects.none()
    if not partner_data.get("ordering"):
        rows = rows.order_by("name")
    columns = (
        mission_filters.qs.order_by("covers_from", "name") if valid else mission.objects.none()
    )
    matrix = mission_matrix(rows, columns)
    _sort_rows(matrix, request.GET.get("sort", ""), {c.slug: c for c in matrix.columns})
    if valid and request.GET.get("format") == "csv":
        header = ["iso3", "partner", *[c.acronym or c.name for c in matrix.columns]]
        rows_out = (
            [row.iso3, row.name, *[cell.label if cell else "" for cell in cells]]
            for row, cells in matrix.grid()
        )
        return streamed_csv(request, "matrix-missions", header, rows_out)
    form = prepare_filter_form(filterset.form)
    for name in list(form.fields):
        if name not in ("q", "region"):
            form.fields.pop(name)
    as_of_errors = mission_filters.form.errors.get("active_on", [])
    kinds = prepare_filter_form(mission_filters.form)["kind"]
    return render(
        request,
        "partnerships/matrix_missions.html",
        {
            "matrix": matrix,
            "form": form,
            "kinds": kinds,
            "as_of_value": request.GET.get("as_of", ""),
            "as_of_errors": as_of_errors,
            "valid": valid,
            "day": day,
            "sort": request.GET.get("sort", ""),
        },
    )


# -- map --------------------------------------------------------------------------------------

MAP_STATUS_CSS = {s: f"fill-{s}" for s in STATUSES}


class MapForm(forms.Form):
    """Which colouring: partners' status, or membership of one framework; on a day."""

    framework = forms.ChoiceField(required=False, label="Colour by")
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="YYYY-MM-DD; empty: today.",
    )

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [("", "Status (ally, partner, former)")] + [
            (f.slug, f"Framework: {f}") for f in frameworks
        ]


def world_map(request):
    framework_model = model("frameworks.Framework")
    frameworks = list(framework_model.objects.order_by("name"))
    form = MapForm(request.GET or None, frameworks=frameworks)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if valid and form.is_bound else {}
    day = data.get("as_of") or dt.date.today()
    slug = data.get("framework") or ""
    styles, legend = {}, []
    partners = []
    if valid:
        if slug:
            # Members on the day and members at any time: the partners' FilterSet says who.
            members = set(
                PartnerFilterSet(
                    {"framework": [slug], "as_of": day.isoformat()}, queryset=Partner.objects.all()
                ).qs.values_list("pk", flat=True)
            )
            ever = set(
                PartnerFilterSet(
                    {"framework": [slug]}, queryset=Partner.objects.all()
                ).qs.values_list("pk", flat=True)
            )
            partners = list(Partner.objects.order_by("name"))
            for partner in partners:
                partner.category = (
                    "member"
                    if partner.pk in members
                    else "earlier"
                    if partner.pk in ever
                    else "other"
                )
            framework = next(f for f in frameworks if f.slug == slug)
            labels = {
                "member": f"In {framework.acronym or framework.name} on {day:%d %B %Y}",
                "earlier": "In it at another time",
                "other": "Partner, not in it then",
            }
        else:
            partners = list(with_status(Partner.objects.all(), day).order_by("name"))
            for partner in partners:
                partner.category = partner.status_on
            labels = {s: STATUS_LABELS[s] for s in STATUSES}
        groups = {key: [] for key in labels}
        for partner in partners:
            groups[partner.category].append(partner)
            if partner.country:
                styles[partner.country.code] = (
                    f"country fill-{partner.category}",
                    partner.get_absolute_url(),
                    f"{partner.name}: {labels[partner.category]}",
                )
        legend = [(key, labels[key], groups[key]) for key in labels]
    summary = "; ".join(
        f"{label}: {', '.join(p.name for p in rows) or 'none'}" for _, label, rows in legend
    )
    return render(
        request,
        "partnerships/map.html",
        {
            "form": form,
            "valid": valid,
            "day": day,
            "legend": legend,
            "map": charts.world_map(styles, summary=summary),
        },
    )


# -- sources ----------------------------------------------------------------------------------

SOURCE_RELATIONS = (
    "partners",
    "frameworks",
    "participations",
    "missions",
    "contributions",
    "milestones",
    "figures",
)


def citing_count(relation: str):
    """A subquery counting the facts of one kind that cite a source."""
    rel = Source._meta.get_field(relation)
    related = rel.through if rel.many_to_many else rel.related_model
    rows = related.objects.filter(source=OuterRef("pk")).order_by().values("source")
    count = rows.annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def source_list(request):
    filterset = SourceFilterSet(request.GET or None, queryset=Source.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    queryset = filterset.qs.annotate(
        **{f"n_{relation}": citing_count(relation) for relation in SOURCE_RELATIONS}
    )
    page = paginate(request, queryset, per_page=50) if valid else None
    if page:
        for source in page:
            source.cited_by = sum(getattr(source, f"n_{r}") for r in SOURCE_RELATIONS)
    return render(
        request,
        "partnerships/source_list.html",
        {"filterset": filterset, "form": prepare_filter_form(filterset.form), "page": page},
    )


def source_detail(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    facts = [
        ("Partners", source.partners.all()),
        ("Frameworks", source.frameworks.all()),
        ("Participations", source.participations.select_related("partner", "framework")),
        ("Missions", source.missions.all()),
        ("Contributions", source.contributions.select_related("partner", "mission")),
        (
            "Personnel figures",
            source.figures.select_related("contribution__partner", "contribution__mission"),
        ),
        ("Milestones", source.milestones.select_related("partner")),
    ]
    facts = [(title, list(rows)) for title, rows in facts]
    return render(
        request,
        "partnerships/source_detail.html",
        {
            "source": source,
            "facts": [(title, rows) for title, rows in facts if rows],
            "total": sum(len(rows) for _, rows in facts),
        },
    )


# -- history: recent changes, and one object's changes with their diffs -----------------------

HISTORY_PAGE_SIZE = 50
# What an object's label reads besides its own fields (its __str__), prefetched per page.
LABEL_PATHS = {
    "frameworks.participation": ("partner", "framework"),
    "missions.contribution": ("partner", "mission"),
    "partnerships.milestone": ("partner",),
    "missions.contributionfigure": ("contribution__partner", "contribution__mission"),
}
CHANGE_WORDS = {"+": "created", "~": "changed", "-": "deleted"}


def history_models() -> dict:
    """Curated models by ``app_label.model_name``, in a fixed order (ties on a date)."""
    return {m._meta.label_lower: m for m in curated_models()}


def _is_loaded(instance, path: str) -> bool:
    """Whether reading ``path`` (``contribution__partner``) needs no query."""
    obj = instance
    for part in path.split("__"):
        field = obj._meta.get_field(part)
        if getattr(obj, field.attname) is None:
            return True
        if not field.is_cached(obj):
            return False
        obj = getattr(obj, part)
    return True


def fact_label(instance) -> str:
    """An object's label from what is loaded: its own words, or its kind and id when a
    related row it names is gone (a deleted partner's participation)."""
    key = instance._meta.label_lower
    paths = LABEL_PATHS.get(key, ())
    if not all(_is_loaded(instance, path) for path in paths):
        return f"{instance._meta.verbose_name.capfirst()} #{instance.pk}"
    if key == "missions.contributionfigure":
        return f"{instance.contribution}: {instance}"
    return str(instance)


def label_records(model, records) -> list:
    """Instances of historical records with their labels, related rows prefetched."""
    instances = []
    for record in records:
        instance = record.instance  # a new instance at each access
        instance.history_id = record.history_id
        instances.append(instance)
    paths = LABEL_PATHS.get(model._meta.label_lower, ())
    if paths:
        prefetch_related_objects(instances, *paths)
    for instance in instances:
        instance.label = fact_label(instance)
    return instances


def object_page_url(instance) -> str:
    """The analysts' page of an object, or its history page when it has none."""
    if isinstance(instance, Partner | Source) or instance._meta.label_lower in (
        "frameworks.framework",
        "missions.mission",
    ):
        return instance.get_absolute_url()
    return kb_tags.history_url(instance)


class HistoryForm(forms.Form):
    """Filters of the recent changes, all in the query string."""

    model = forms.ChoiceField(required=False, label="Kind of fact")
    user = forms.CharField(
        required=False, label="Changed by", max_length=150, help_text="A user name."
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "Every kind")] + [
            (key, str(m._meta.verbose_name_plural).capitalize())
            for key, m in history_models().items()
        ]

    def clean_user(self):
        name = self.cleaned_data["user"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(f"No user is called “{name}”.")
        return user

    def clean_before(self):
        """The cursor of an older page: ``<ISO datetime>~<kind>~<history id>``."""
        text = self.cleaned_data["before"]
        if not text:
            return None
        parts = text.replace(" ", "+").split("~")  # an unencoded "+" arrives as a space
        moment = parse_datetime(parts[0]) if len(parts) == 3 else None
        if moment is None or parts[1] not in history_models() or not parts[2].isdigit():
            raise forms.ValidationError("This page link is damaged; start from the newest.")
        return moment, parts[1], int(parts[2])

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end is before the start.")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def recent_changes(data: dict, size: int = HISTORY_PAGE_SIZE) -> tuple[list[dict], bool]:
    """The newest changes across the curated models, ``size`` of them, older than the
    cursor in ``data``: one query per kind (its history table, ordered and limited by its
    date index), merged here. Rows are ordered by (date, kind, history id), newest first."""
    kinds = history_models()
    order = {key: i for i, key in enumerate(kinds)}
    cursor = data.get("before")
    chosen = [data["model"]] if data.get("model") else list(kinds)
    rows = []
    for key in chosen:
        history = kinds[key].history.model
        records = history.objects.all()
        if data.get("user"):
            records = records.filter(history_user=data["user"])
        if data.get("since"):
            records = records.filter(history_date__gte=_day_start(data["since"]))
        if data.get("until"):
            records = records.filter(
                history_date__lt=_day_start(data["until"] + dt.timedelta(days=1))
            )
        if cursor:
            moment, cursor_kind, cursor_id = cursor
            if order[key] < order[cursor_kind]:
                records = records.filter(history_date__lte=moment)
            elif order[key] > order[cursor_kind]:
                records = records.filter(history_date__lt=moment)
            else:
                records = records.filter(
                    Q(history_date__lt=moment) | Q(history_date=moment, history_id__lt=cursor_id)
                )
        for row in records.order_by("-history_date", "-history_id").values(
            "history_id",
            "id",
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user__username",
        )[: size + 1]:
            rows.append({**row, "kind": key})
    rows.sort(key=lambda r: (r["history_date"], order[r["kind"]], r["history_id"]), reverse=True)
    return rows[:size], len(rows) > size


def history_list(request):
    form = HistoryForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    rows, more, next_cursor = [], False, ""
    if valid:
        rows, more = recent_changes(form.cleaned_data if form.is_bound else {})
        kinds = history_models()
        by_kind: dict = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append(row)
        # Per kind shown: its records (labels from their own state) and which still exist.
        for key, kind_rows in by_kind.items():
            model = kinds[key]
            records = model.history.model.objects.filter(
                history_id__in=[r["history_id"] for r in kind_rows]
            )
            instances = {i.history_id: i for i in label_records(model, records)}
            alive = set(
                model.objects.filter(pk__in=[r["id"] for r in kind_rows]).values_list(
                    "pk", flat=True
                )
            )
            for row in kind_rows:
                instance = instances[row["history_id"]]
                row["label"] = instance.label
                row["kind_label"] = str(model._meta.verbose_name).capitalize()
                row["history_url"] = kb_tags.history_url(instance)
                row["url"] = object_page_url(instance) if row["id"] in alive else row["history_url"]
                row["exists"] = row["id"] in alive
                row["word"] = CHANGE_WORDS.get(row["history_type"], "")
        if more and rows:
            last = rows[-1]
            next_cursor = f"{last['history_date'].isoformat()}~{last['kind']}~{last['history_id']}"
    return render(
        request,
        "partnerships/history_list.html",
        {
            "form": form,
            "valid": valid,
            "rows": rows,
            "more": more,
            "next_cursor": next_cursor,
            "paged": bool(request.GET.get("before")),
        },
    )


def _display(value, field, related: dict) -> str:
    """A field's value as a reader understands it: labels, not ids or codes."""
    if value is None or value == "" or value == []:
        return "—"
    if field is not None and field.many_to_one:
        return related.get((field.related_model, value), f"#{value}")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "—"
    if field is not None and field.choices and isinstance(value, str | int):
        return str(dict(field.flatchoices or ()).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def object_history(request, app_label: str, model_name: str, pk: int):
    """Every version of one object, newest first, each with what changed since the one
    before (fields and kept links). Queries: the page, the links' history per kept link,
    the labels of related rows per kind; constant in the number of versions."""
    model = history_models().get(f"{app_label}.{model_name}")
    if model is None:
        raise Http404("No history is kept for this kind.")
    history = model.history.model
    versions = (
        history.objects.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    paginator = Paginator(versions, HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    if not paginator.count:
        raise Http404("No history of this object.")
    start = page.start_index() - 1
    # One more than shown: the version before the oldest one shown, to diff against.
    records = list(versions[start : start + HISTORY_PAGE_SIZE + 1])
    m2m = list(getattr(model, "_history_m2m_fields", []))
    ignored = set(IGNORED_FIELDS) | {"id"}
    fields = {f.name: f for f in model._meta.concrete_fields if f.name not in ignored}

    # Kept links (sources, roles, areas) of every version: one query per link.
    links: dict = {}
    link_models = {}
    for name in m2m:
        target = model._meta.get_field(name).related_model
        link_models[name] = target
        table = apps.get_model(history._meta.app_label, f"{history.__name__}_{name}")
        for history_id, target_id in table.objects.filter(history__in=records).values_list(
            "history", target._meta.model_name
        ):
            links.setdefault((name, history_id), set()).add(target_id)

    changes = []
    for i, record in enumerate(records[:HISTORY_PAGE_SIZE]):
        previous = records[i + 1] if i + 1 < len(records) else None
        entries = []
        if record.history_type == "-":
            pass
        elif previous is None or previous.history_type == "-":
            for field in fields.values():
                value = getattr(record, field.attname)
                if value not in (None, "", [], False):
                    entries.append((field, None, value))
            for name in m2m:
                now = links.get((name, record.history_id), set())
                if now:
                    entries.append((name, set(), now))
        else:
            delta = record.diff_against(previous, excluded_fields=[*m2m, *ignored])
            for change in delta.changes:
                field = fields.get(change.field)
                if field is not None:
                    entries.append((field, change.old, change.new))
            for name in m2m:
                before = links.get((name, previous.history_id), set())
                after = links.get((name, record.history_id), set())
                if before != after:
                    entries.append((name, before, after))
        changes.append((record, previous, entries))

    # Labels of the related rows named by the changes: one query per kind of row.
    wanted: dict = {}
    for _, _, entries in changes:
        for field, old, new in entries:
            if isinstance(field, str):
                wanted.setdefault(link_models[field], set()).update(old | new)
            elif field.many_to_one:
                target = field.related_model
                wanted.setdefault(target, set()).update(v for v in (old, new) if v is not None)
    related = {}
    for target, ids in wanted.items():
        for obj in target.objects.filter(pk__in=ids):
            related[(target, obj.pk)] = str(obj)

    versions_shown = []
    for record, previous, entries in changes:
        rows = []
        for field, old, new in entries:
            if isinstance(field, str):
                target = link_models[field]

                def names(ids, target=target):
                    return sorted(related.get((target, i), f"#{i}") for i in ids)

                label = str(model._meta.get_field(field).verbose_name).capitalize()
                rows.append(
                    {
                        "field": label,
                        "old": "; ".join(names(old)) if previous else None,
                        "new": "; ".join(names(new)) or "—",
                        "link": True,
                        "added": names(new - old),
                        "removed": names(old - new),
                    }
                )
            else:
                rows.append(
                    {
                        "field": str(field.verbose_name).capitalize(),
                        "old": _display(old, field, related) if previous else None,
                        "new": _display(new, field, related),
                    }
                )
        versions_shown.append(
            {
                "record": record,
                "word": CHANGE_WORDS.get(record.history_type, ""),
                "first": previous is None,
                "rows": rows,
            }
        )

    latest = label_records(model, [records[0]])[0] if page.number == 1 else None
    current = model.objects.filter(pk=pk).first()
    if current is not None:
        prefetch_related_objects([current], *LABEL_PATHS.get(model._meta.label_lower, ()))
    subject = current or latest or label_records(model, [records[0]])[0]
    return render(
        request,
        "partnerships/object_history.html",
        {
            "model": model,
            "kind": str(model._meta.verbose_name),
            "label": fact_label(subject),
            "current": current,
            "page_url": object_page_url(current) if current is not None else "",
            "is_partner": model is Partner,
            "iso3": getattr(subject, "iso3", ""),
            "page": page,
            "versions": versions_shown,
            "admin_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk]
            )
            if current is not None
            else "",
        },
    )


# -- releases -----------------------------------------------------------------------------------


def release_list(request):
    page = paginate(request, Release.objects.select_related("created_by").order_by("-created"))
    return render(request, "partnerships/release_list.html", {"page": page})


def _link_change(owner, change: dict, wanted: dict) -> None:
    """A change of kept links is logged as the link rows before and after (``[{"partner":
    3, "source": 7}, ...]``): note which rows were added and removed, to name them."""
    if owner is None:
        return
    try:
        field = owner._meta.get_field(change["field"])
    except FieldDoesNotExist:  # a field since removed from the model
        return
    if not field.many_to_many:
        return
    target = field.related_model
    key = target._meta.model_name

    def ids(rows):
        return {row.get(key) for row in rows or () if isinstance(row, dict)} - {None}

    before, after = ids(change.get("before")), ids(change.get("after"))
    change.update(link_target=target, added=sorted(after - before), removed=sorted(before - after))
    wanted.setdefault(target, set()).update(before ^ after)


def release_detail(request, version: str):
    release = get_object_or_404(Release, version=version)
    by_kind = {str(m._meta.verbose_name_plural): m for m in curated_models()}
    log = release.changelog or {}
    wanted: dict = {}  # linked rows named by changes of links: model -> ids
    sections = []
    for key, title in (("added", "Added"), ("changed", "Changed"), ("removed", "Removed")):
        kinds = []
        for kind, entries in sorted((log.get(key) or {}).items()):
            model_ = by_kind.get(kind)
            items = []
            for entry in entries:
                url = (
                    reverse(
                        "object-history",
                        args=[model_._meta.app_label, model_._meta.model_name, entry["id"]],
                    )
                    if model_ is not None
                    else ""
                )
                items.append({**entry, "url": url})
                for change in entry.get("fields", ()):
                    _link_change(model_, change, wanted)
            kinds.append({"kind": kind, "entries": items})
        sections.append(
            {
                "key": key,
                "title": title,
                "kinds": kinds,
                "total": sum(len(k["entries"]) for k in kinds),
            }
        )
    # Names of the linked rows (sources, roles, areas), one query per kind of row.
    names = {}
    for target, ids in wanted.items():
        for obj in target.objects.filter(pk__in=ids):
            names[(target, obj.pk)] = str(obj)
    for section in sections:
        for kind in section["kinds"]:
            for entry in kind["entries"]:
                for change in entry.get("fields", ()):
                    if "link_target" in change:
                        target = change.pop("link_target")
                        change["link"] = True
                        for side in ("added", "removed"):
                            change[side] = [names.get((target, i), f"#{i}") for i in change[side]]
    previous = Release.objects.filter(created__lt=release.created).order_by("-created").first()
    return render(
        request,
        "partnerships/release_detail.html",
        {
            "release": release,
            "sections": sections,
            "since": log.get("since"),
            "previous": previous,
            "counts": sorted((release.counts or {}).items()),
            "api_url": reverse("api:release-detail", args=[release.version]),
        },
    )


# -- reconciliation and data quality ------------------------------------------------------------


class ReconcileForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.only("iso3", "name").order_by("name"),
        to_field_name="iso3",
        required=False,
        empty_label="Any partner",
        label="Partner",
    )
    mission = forms.ModelChoiceField(
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label="Any mission",
        label="Mission",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mission = model("missions.Mission")
        self.fields["mission"].queryset = mission.objects.only("slug", "name", "acronym").order_by(
            "name"
        )


def reconcile(request):
    data = request.GET.copy()
    if data.get("partner"):
        data["partner"] = data["partner"].upper()
    form = ReconcileForm(data or None)
    valid = form.is_valid() if form.is_bound else True
    page = None
    if valid:
        chosen = form.cleaned_data if form.is_bound else {}
        found = disagreements(partner=chosen.get("partner"), mission=chosen.get("mission"))
        page = paginate(request, found)
    return render(
        request, "partnerships/reconcile.html", {"form": form, "valid": valid, "page": page}
    )


def admin_change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@staff_member_required
def quality(request):
    """Curators' checks: counts of every check, and one check's items page by page, each
    linking to its admin change page. Staff only: it links into the admin."""
    checks = quality_checks()
    chosen = request.GET.get("check") or next(iter(checks))
    if chosen not in checks:
        raise Http404("No such check.")
    summary = [
        {"key": key, "title": check["title"], "count": check["queryset"].count()}
        for key, check in checks.items()
    ]
    page = paginate(request, checks[chosen]["queryset"], per_page=50)
    items = []
    for obj in page:
        label = (
            fact_label(obj)
            if obj._meta.label_lower != "missions.contributionfigure"
            else f"{obj.contribution}: {obj}"
        )
        items.append({"label": label, "admin_url": admin_change_url(obj), "obj": obj})
    return render(
        request,
        "partnerships/quality.html",
        {
            "summary": summary,
            "chosen": chosen,
            "title": checks[chosen]["title"],
            "page": page,
            "items": items,
        },
    )
