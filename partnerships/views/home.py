"""The home and about pages."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render

from partnerships import kinds
from partnerships.models import Release
from partnerships.provenance.versioning import dataset_version, last_change
from partnerships.views.releases import release_citation

# The counts the home page leads with, each linking to its list.
HOME_COUNTS = ("partners", "frameworks", "missions", "contributions", "sources")
# The facts whose latest changes the home page lists (each names a partner).
RECENT_KINDS = ("participations", "contributions", "milestones")


def home(request):
    today = dt.date.today()
    frameworks = (
        kinds.model("frameworks")
        .objects.filter(parent__isnull=True)
        .with_participant_counts(today)
        .order_by("covers_from", "name")
    )
    recent = sorted(
        [
            fact
            for key in RECENT_KINDS
            for fact in kinds.model(key)
            .objects.select_related(*kinds.kind(key).label_paths)
            .order_by("-updated")[:6]
        ],
        key=lambda fact: fact.updated,
        reverse=True,
    )[:8]
    counts = {key: kinds.model(key).objects.count() for key in HOME_COUNTS}
    return render(
        request,
        "partnerships/home.html",
        {"counts": counts, "frameworks": frameworks, "recent": recent, "today": today},
    )


def about(request):
    counts = [(kind.title, kind.model.objects.count()) for kind in kinds.KINDS]
    release = Release.objects.defer("archive").order_by("-created").first()
    return render(
        request,
        "partnerships/about.html",
        {
            "counts": counts,
            "version": dataset_version(),
            "last_change": last_change(),
            "release": release,
            "today": dt.date.today(),
            **(release_citation(request, release) if release else {}),
        },
    )
