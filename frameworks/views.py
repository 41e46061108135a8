"""The frameworks' pages: the list and one framework with its participants over time."""

import datetime as dt

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from frameworks.filtersets import FrameworkFilterSet, ParticipationFilterSet
from frameworks.models import Framework, Participation
from partnerships import charts
from partnerships.charts.export import ChartFile, chart_download
from partnerships.views.common import (
    Citations,
    as_of_of,
    certainty_counts,
    coverage_context,
    prepare_filter_form,
    today_as_of,
)


def framework_list(request):
    filterset = FrameworkFilterSet(request.GET or None, queryset=Framework.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    as_of = as_of_of(filterset) or today_as_of()
    frameworks = []
    if valid:
        frameworks = filterset.qs.select_related("parent").with_participant_counts(
            as_of.first, as_of.last
        )
        if not filterset.form.data.get("ordering"):
            frameworks = frameworks.order_by("covers_from", "name")
    return render(
        request,
        "frameworks/framework_list.html",
        {
            "filterset": filterset,
            "form": prepare_filter_form(filterset.form),
            "frameworks": frameworks,
            "valid": valid,
            "as_of": as_of,
        },
    )


def framework_detail(request, slug: str):
    framework = get_object_or_404(
        Framework.objects.select_related(
            "parent", "coverage_nations_source", "coverage_partners_source"
        )
        .with_participant_counts()
        .prefetch_related(
            "sources",
            "cooperation_areas",
            Prefetch("children", queryset=Framework.objects.order_by("covers_from", "name")),
        ),
        slug=slug,
    )
    rows = Participation.objects.select_related("partner").prefetch_related("sources")
    participations = list(
        ParticipationFilterSet({"framework": [slug], "ordering": "start"}, queryset=rows).qs
    )
    as_of = request.GET.get("as_of", "").strip()
    then_filter = ParticipationFilterSet(
        {"framework": [slug], "as_of": as_of, "ordering": "partner"}, queryset=rows
    )
    then, then_errors = None, []
    if as_of:
        if then_filter.is_valid():
            then = list(then_filter.qs)
        else:
            then_errors = then_filter.form.errors.get("as_of", ["Enter a valid date."])
    today = dt.date.today()
    now = sorted((p for p in participations if p.active_on(today)), key=lambda p: p.partner.name)
    refs = Citations()
    framework.refs = refs.cite(framework.sources.all())
    coverage = coverage_context(framework.coverage(), refs)
    for item in participations:
        item.refs = refs.cite(item.sources.all())
    per_year = charts.participants_per_year(participations, today)
    chart = None
    if per_year:
        chart = charts.column_chart(
            [(str(year), n, f"{year}: {n} partners") for year, n in per_year],
            summary=f"Partners in {framework.acronym or framework.name} each year: "
            + ", ".join(f"{year} {n}" for year, n in per_year)
            + ".",
        )
    caption = f"Partners in {framework} each year"
    download = chart_download(
        request, {"per-year": chart and ChartFile(chart, caption, f"{slug}-partners-per-year")}
    )
    if download:
        return download
    return render(
        request,
        "frameworks/framework_detail.html",
        {
            "framework": framework,
            "participations": participations,
            "now": now,
            "then": then,
            "as_of": as_of,
            "as_of_asked": as_of_of(then_filter) if then is not None else None,
            "then_counts": certainty_counts(then or []),
            "then_errors": then_errors,
            "chart": chart,
            "per_year": per_year,
            "references": refs.numbered(),
            "coverage": coverage,
            "today": today,
        },
    )
