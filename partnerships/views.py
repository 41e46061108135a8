"""The analysts' pages of the core: home, partners, compare, matrices, map, search,
sources and about. Thin views: a queryset, the shared FilterSet, a template.

Frameworks' and missions' pages live in their apps; a partner's facts from those apps
are reached through :mod:`partnerships.crossref` (and the ORM's reverse relations).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from . import charts
from .api_support import streamed_csv
from .crossref import framework_matrix, mission_matrix, partner_with_facts
from .dates import active_on_q
from .filtersets import PartnerFilterSet, SourceFilterSet, model, partner_status_q
from .models import Milestone, Partner, Source
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


def with_status(queryset, day: dt.date | None = None):
    """Annotate ``status_on`` with the partner's status on ``day`` (today by default), by
    the same rule as the FilterSet's ``status`` filter."""
    whens = [When(partner_status_q(status, day), then=Value(status)) for status in STATUSES]
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
            "today": dt.date.today(),
        },
    )


def search(request):
    from frameworks.filtersets import FrameworkFilterSet
    from missions.filtersets import MissionFilterSet

    q = request.GET.get("q", "").strip()[:200]
    results = []
    if q:
        data = {"q": q}
        results = [
            ("Partners", PartnerFilterSet(data, queryset=Partner.objects.all()).qs[:50]),
            (
                "Frameworks",
                FrameworkFilterSet(
                    data, queryset=model("frameworks.Framework").objects.all()
                ).qs.select_related("parent")[:50],
            ),
            (
                "Missions",
                MissionFilterSet(data, queryset=model("missions.Mission").objects.all()).qs[:50],
            ),
        ]
        results = [(title, list(rows)) for title, rows in results]
    total = sum(len(rows) for _, rows in results)
    return render(request, "partnerships/search.html", {"q": q, "results": results, "total": total})


# -- partners -------------------------------------------------------------------------------


def partner_list(request):
    participation = model("frameworks.Participation")
    filterset = PartnerFilterSet(request.GET or None, queryset=Partner.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    day = as_of_day(filterset) or dt.date.today()
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
    if valid and request.GET.get("format") == "csv":
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
            for p in queryset.iterator(chunk_size=500)
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
            "status_labels": STATUS_LABELS,
            "sort_columns": [
                ("name", "Partner"),
                ("iso3", "Code"),
                ("region", "Region"),
                ("nato_accession", "Acceded to NATO"),
            ],
        },
    )


def partner_detail(request, iso3: str):
    queryset = with_status(partner_with_facts(Partner.objects.all()))
    partner = get_object_or_404(queryset, iso3=iso3.upper())
    refs = Citations()
    partner.refs = refs.cite(partner.sources.all())
    participations = list(partner.participations.all())
    for item in participations:
        item.refs = refs.cite(item.sources.all())
    contributions = list(partner.contributions.all())
    for item in contributions:
        item.refs = refs.cite(item.sources.all())
        item.figure_list = list(item.figures.all())
        for figure in item.figure_list:
            figure.refs = refs.cite([figure.source])
        item.chart = charts.figures_chart(item.figure_list)
        item.chart_id = f"figures-{item.pk}"
    milestones = list(partner.milestones.all())
    for item in milestones:
        item.refs = refs.cite(item.sources.all())
    return render(
        request,
        "partnerships/partner_detail.html",
        {
            "partner": partner,
            "participations": participations,
            "contributions": contributions,
            "milestones": milestones,
            "timeline": charts.partner_timeline_chart(partner),
            "references": refs.numbered(),
            "status_label": STATUS_LABELS[partner.status_on],
        },
    )


MAX_COMPARE = 4


def compare(request):
    codes = []
    for value in request.GET.getlist("partners"):
        codes += [code.strip().upper() for code in value.split(",") if code.strip()]
    codes = list(dict.fromkeys(codes))
    errors = []
    partners = []
    if codes:
        found = {
            p.iso3: p
            for p in with_status(partner_with_facts(Partner.objects.filter(iso3__in=codes)))
        }
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
