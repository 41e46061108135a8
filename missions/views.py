"""The missions' pages: the list and one mission with its contributors over time."""

import datetime as dt

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from partnerships import charts
from partnerships.views import Citations, prepare_filter_form

from .filtersets import ContributionFilterSet, MissionFilterSet
from .models import Contribution, ContributionFigure, Mission


def mission_list(request):
    filterset = MissionFilterSet(request.GET or None, queryset=Mission.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    missions = []
    if valid:
        # Contributing partners counted in the database.
        missions = filterset.qs.annotate(
            contributors=Count("contributions__partner", distinct=True)
        )
        if not filterset.form.data.get("ordering"):
            missions = missions.order_by("covers_from", "name")
    return render(
        request,
        "missions/mission_list.html",
        {
            "filterset": filterset,
            "form": prepare_filter_form(filterset.form),
            "missions": missions,
            "valid": valid,
        },
    )


def mission_detail(request, slug: str):
    mission = get_object_or_404(
        Mission.objects.prefetch_related("sources", "cooperation_areas"), slug=slug
    )
    rows = Contribution.objects.select_related("partner").prefetch_related(
        "roles",
        "sources",
        Prefetch("figures", queryset=ContributionFigure.objects.select_related("source")),
    )
    contributions = list(
        ContributionFilterSet({"mission": [slug], "ordering": "start"}, queryset=rows).qs
    )
    refs = Citations()
    mission.refs = refs.cite(mission.sources.all())
    for item in contributions:
        item.refs = refs.cite(item.sources.all())
        item.figure_list = list(item.figures.all())
        for figure in item.figure_list:
            figure.refs = refs.cite([figure.source])
        item.chart = charts.figures_chart(item.figure_list)
        item.chart_id = f"figures-{item.pk}"
    today = dt.date.today()
    per_year = charts.participants_per_year(contributions, today)
    if mission.covers_until:
        per_year = [(y, n) for y, n in per_year if y <= mission.covers_until.year]
    chart = None
    if len(per_year) > 1:
        chart = charts.column_chart(
            [(str(year), n, f"{year}: {n} contributing partners") for year, n in per_year],
            height=150,
            summary="Contributing partners each year: "
            + ", ".join(f"{year} {n}" for year, n in per_year)
            + ".",
        )
    hosts = [country.code for country in mission.hosts]
    host_map = None
    if hosts:
        styles = dict.fromkeys(hosts, ("country fill-host", "", ""))
        names = ", ".join(country.name for country in mission.hosts)
        host_map = charts.world_map(styles, focus=hosts, summary=f"Hosted in {names}.")
    return render(
        request,
        "missions/mission_detail.html",
        {
            "mission": mission,
            "contributions": contributions,
            "timeline": charts.mission_timeline_chart(mission, contributions, today)
            if contributions
            else None,
            "chart": chart,
            "host_map": host_map,
            "references": refs.numbered(),
        },
    )
