"""Two to four partners side by side on one time axis."""

from __future__ import annotations

from django.shortcuts import render

from missions.groups import contribution_groups
from partnerships import charts
from partnerships.charts.export import ChartFile, chart_download
from partnerships.compose.profile import compare_queryset
from partnerships.models import Partner
from partnerships.status import STATUS_LABELS

MAX_COMPARE = 4


def compare(request):
    codes = []
    for value in request.GET.getlist("partners"):
        codes += [code.strip().upper() for code in value.split(",") if code.strip()]
    codes = list(dict.fromkeys(codes))
    errors = []
    partners = []
    if codes:
        found = {p.iso3: p for p in compare_queryset().filter(iso3__in=codes)}
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
    timeline = charts.compare_timeline_chart(partners) if len(partners) >= 2 else None
    stem = "compare-" + "-".join(p.iso3.lower() for p in partners)
    download = chart_download(
        request,
        {"timeline": timeline and ChartFile(timeline, "Timelines of the compared partners", stem)},
    )
    if download:
        return download
    return render(
        request,
        "partnerships/compare.html",
        {
            "partners": partners,
            "errors": errors,
            "choices": Partner.objects.only("iso3", "name").order_by("name"),
            "slots": slots,
            "timeline": timeline,
        },
    )
