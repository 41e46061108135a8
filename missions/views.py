"""The missions' pages: the list of missions, the list of contributions, and one mission
with its contributors over time (one row per partner, a page at a time, aggregated in the
database: any number of contributions and figures gives a page of the same bounded size)."""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from missions.filtersets import ContributionFilterSet, MissionFilterSet
from missions.groups import contribution_groups
from missions.models import Contribution, Mission
from partnerships import charts
from partnerships.charts.export import ChartFile, chart_download
from partnerships.dates import overlaps_q, year_span
from partnerships.views.common import (
    Citations,
    as_of_of,
    canonical_query,
    certainty_counts,
    coverage_context,
    facet_counts,
    filter_panel,
    paginate,
    prepare_filter_form,
)


@canonical_query
def mission_list(request):
    filterset = MissionFilterSet(
        request.GET or None, queryset=Mission.objects.all(), request=request
    )
    valid = filterset.is_valid() if filterset.is_bound else True
    missions = []
    form = prepare_filter_form(filterset.form)
    panel = filter_panel(
        request,
        form,
        reverse("mission-list"),
        main=("q", "as_of", "kind", "region"),
        more=("year", "cooperation_area", "partner", "certainty"),
    )
    if valid:
        missions = filterset.qs.with_contributor_count()
        if not filterset.form.data.get("ordering"):
            missions = missions.order_by("covers_from", "name")
        facets = {"kind": "kind", "region": "region", "cooperation_area": None}
        facet_counts(filterset, request, form, facets)
    return render(
        request,
        "missions/mission_list.html",
        {
            "as_of": as_of_of(filterset),
            "counts": certainty_counts(filterset.qs) if valid and as_of_of(filterset) else None,
            "filterset": filterset,
            "form": form,
            "panel": panel,
            "missions": missions,
            "valid": valid,
        },
    )


def contributors_per_year(rows, first_year: int, last_year: int) -> list[tuple[int, int]]:
    """(year, partners contributing at some point that year), counted in the database in
    one query: a contribution counts in a year when its coverage overlaps the year (the
    rule of :func:`partnerships.dates.overlaps_q`)."""
    counts = rows.aggregate(
        **{
            f"y{year}": Count("partner", distinct=True, filter=overlaps_q(*year_span(year)))
            for year in range(first_year, last_year + 1)
        }
    )
    return [(year, counts[f"y{year}"]) for year in range(first_year, last_year + 1)]


def mission_detail(request, slug: str):
    mission = get_object_or_404(
        Mission.objects.prefetch_related("sources", "cooperation_areas")
        .select_related("coverage_nations_source", "coverage_partners_source")
        .with_partner_contributors(),
        slug=slug,
    )
    refs = Citations()
    mission.refs = refs.cite(mission.sources.all())
    coverage = coverage_context(mission.coverage(), refs)
    rows = Contribution.objects.filter(mission=mission)
    # One row per partner, a page at a time; the timeline's lanes are the most recent.
    groups = contribution_groups(request, rows, "partner", "contributors_page", refs)
    groups.link(request, {"mission": mission.slug})
    today = dt.date.today()
    chart = None
    last = min(mission.covers_until.year if mission.covers_until else today.year, today.year)
    # From the mission's own start (its first years may have no partner contributing).
    first = mission.covers_from or groups.first
    if groups.first and first and last > first.year:
        per_year = contributors_per_year(rows, first.year, last)
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
    timeline = charts.mission_timeline_chart(mission, groups, today) if groups.groups else None
    download = chart_download(
        request,
        {
            "timeline": timeline
            and ChartFile(timeline, f"Partner contributions to {mission}", f"{slug}-timeline"),
            "per-year": chart
            and ChartFile(chart, "Partners contributing each year", f"{slug}-partners-per-year"),
            "hosts": host_map
            and ChartFile(host_map, f"Host countries of {mission}", f"{slug}-hosts"),
        },
    )
    if download:
        return download
    return render(
        request,
        "missions/mission_detail.html",
        {
            "mission": mission,
            "groups": groups,
            "timeline": timeline,
            "chart": chart,
            "host_map": host_map,
            "coverage": coverage,
            "references": refs.numbered(),
        },
    )


CONTRIBUTIONS_PER_PAGE = 50


@canonical_query
def contribution_list(request):
    """Every contribution, filtered by the same FilterSet as ``/api/v1/contributions/``
    (the same parameters give the same rows), a page at a time, each with its roles,
    figures recorded and sources; the whole filtered set is one link away as CSV."""
    filterset = ContributionFilterSet(
        request.GET or None, queryset=Contribution.objects.all(), request=request
    )
    valid = filterset.is_valid() if filterset.is_bound else True
    page = None
    refs = Citations()
    if valid:
        rows = (
            filterset.qs.select_related("partner", "mission")
            .prefetch_related("roles", "sources")
            .with_figure_summary()
        )
        if not filterset.form.data.get("ordering"):
            rows = rows.order_by("partner__name", "mission__name", "covers_from", "id")
        else:
            rows = rows.order_by(*rows.query.order_by, "id")
        page = paginate(request, rows, per_page=CONTRIBUTIONS_PER_PAGE)
        for item in page:
            item.refs = refs.cite(item.sources.all())
    query = {k: v for k, v in request.GET.lists() if k != "page" and any(v)}
    form = prepare_filter_form(filterset.form)
    panel = filter_panel(
        request,
        form,
        reverse("contribution-list"),
        main=("q", "as_of", "year", "mission", "role"),
        more=("partner", "personnel_min", "certainty"),
    )
    if valid:
        facets = {"mission": "mission__slug", "role": "roles__slug"}
        facet_counts(filterset, request, form, facets)
    return render(
        request,
        "missions/contribution_list.html",
        {
            "filterset": filterset,
            "form": form,
            "panel": panel,
            "valid": valid,
            "page": page,
            "references": refs.numbered(),
            "as_of": as_of_of(filterset),
            "counts": certainty_counts(filterset.qs) if valid and as_of_of(filterset) else None,
            "csv_url": reverse("api:contribution-list")
            + "?"
            + urlencode({**query, "format": "csv"}, doseq=True),
        },
    )
