"""The world map: partners coloured by status or by membership of a framework, on a day."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.shortcuts import render

from frameworks.models import Framework
from partnerships import charts
from partnerships.charts.export import ChartFile, chart_download
from partnerships.filtersets import PartnerFilterSet
from partnerships.models import Partner
from partnerships.status import STATUS_LABELS, STATUSES, with_status

MAP_STATUS_CSS = {s: f"fill-{s}" for s in STATUSES}


class MapForm(forms.Form):
    """Which colouring: partners' status, or membership of one framework; on a day."""

    framework = forms.ChoiceField(required=False, label="Colour by")
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day to show; leave it empty for today.",
    )

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [("", "Status (ally, partner, former)")] + [
            (f.slug, f"Framework: {f}") for f in frameworks
        ]


def world_map(request):
    framework_model = Framework
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
    world = charts.world_map(styles, summary=summary)
    stem = f"map-{slug or 'status'}-{day.isoformat()}"
    download = chart_download(
        request, {"map": ChartFile(world, "World map of NATO partners", stem) if valid else None}
    )
    if download:
        return download
    return render(
        request,
        "partnerships/map.html",
        {
            "form": form,
            "valid": valid,
            "day": day,
            "legend": legend,
            "map": world,
        },
    )
