"""The partners list and a partner's profile."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    Prefetch,
)
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from frameworks.models import Participation
from missions.groups import contribution_groups, past_contribution_groups
from partnerships import charts
from partnerships.charts.export import ChartFile, chart_download
from partnerships.compose.profile import (
    partner_first_recorded,
    partner_profile_queryset,
    past_partner,
    past_partner_details,
)
from partnerships.dates import active_on_q
from partnerships.exports import CSV_FORMATS, streamed_csv
from partnerships.filtersets import PartnerFilterSet
from partnerships.models import Partner
from partnerships.provenance.history import snapshot
from partnerships.status import STATUS_LABELS, with_status
from partnerships.views.common import (
    Citations,
    as_of_of,
    canonical_query,
    certainty_counts,
    facet_counts,
    filter_panel,
    known_at_of,
    paginate,
    prepare_filter_form,
)

# The partners are few (about sixty): one page holds them all; paging only beyond.
PARTNERS_PER_PAGE = 100

# Each facet with the path its filter matches, where it is that simple (views/facets.py).
PARTNER_FACETS = {
    "framework": "participations__framework__slug",  # only without as_of (below)
    "status": None,
    "region": "region",
    "mission": "contributions__mission__slug",
    "cooperation_area": None,
}


@canonical_query
def partner_list(request):
    participation = Participation
    known_at = known_at_of(request)
    when = known_at.when
    data = request.GET.copy()
    data.pop("known_at", None)
    base = snapshot(Partner, when) if when else Partner.objects.all()
    filterset = PartnerFilterSet(data or None, queryset=base, request=request)
    valid = (filterset.is_valid() if filterset.is_bound else True) and not known_at.error
    as_of = as_of_of(filterset)
    # The partners' state shown: on the last day asked (today, or the known_at day).
    day = as_of.last if as_of else (when.date() if when else dt.date.today())
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
            partner.certainty = getattr(record, "certainty", None)
            partner.status_on = record.status_on
            partners.append(partner)
        past_partner_details(partners, day, when)
        return partners

    if valid and request.GET.get("format") in CSV_FORMATS:

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
                *([p.certainty] if as_of else []),
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
            *([f"certainty as of {as_of}"] if as_of else []),
            "region",
            f"status on {day}",
            f"frameworks on {day}",
            "missions contributed to",
            "acceded to NATO",
            "url",
        ]
        return streamed_csv(request, "partners", header, rows)
    page = paginate(request, queryset, per_page=PARTNERS_PER_PAGE) if valid else None
    if page is not None and when:
        page.object_list = past(page.object_list)
    form = prepare_filter_form(filterset.form)
    panel = filter_panel(
        request,
        form,
        reverse("partner-list"),
        main=("q", "as_of", "framework", "status", "region", "mission"),
        more=(
            "framework_all",
            "mission_all",
            "cooperation_area",
            "acceded_after",
            "acceded_before",
            "certainty",
        ),
        known_at=known_at,
    )
    if valid:
        # With as_of, a framework counts on that date (and with certainty): the FilterSet's.
        facets = {**PARTNER_FACETS, **({"framework": None} if as_of else {})}
        if when:
            # Cooperation areas are not kept in history: that filter reads today's tags.
            facets.pop("cooperation_area")
        facet_counts(filterset, request, form, facets)
    return render(
        request,
        "partnerships/partner_list.html",
        {
            "filterset": filterset,
            "form": form,
            "panel": panel,
            "page": page,
            "day": day,
            "as_of": as_of,
            "counts": certainty_counts(filterset.qs) if page is not None and as_of else None,
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


def partner_detail(request, iso3: str):
    known_at = known_at_of(request)
    if known_at.when:
        try:
            partner = past_partner(iso3.upper(), known_at.when)
        except Http404:
            return not_yet_recorded(request, iso3.upper(), known_at)
    else:
        partner = get_object_or_404(partner_profile_queryset(), iso3=iso3.upper())
    refs = Citations()
    partner.refs = refs.cite(partner.sources.all())
    partner.accession_refs = refs.cite(partner.accession_sources.all())
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
    timeline = charts.profile_timeline_chart(partner, groups)
    stem = f"{partner.iso3.lower()}-timeline"
    download = chart_download(
        request, {"timeline": ChartFile(timeline, f"Timeline of {partner.name}", stem)}
    )
    if download:
        return download
    return render(
        request,
        "partnerships/partner_detail.html",
        {
            "partner": partner,
            "participations": participations,
            "groups": groups,
            "milestones": milestones,
            "timeline": timeline,
            "references": refs.numbered(),
            "status_label": STATUS_LABELS[partner.status_on],
            "known_at": known_at,
        },
    )


def not_yet_recorded(request, iso3: str, known_at):
    """A profile asked ``known_at`` a moment before the knowledge base recorded the partner:
    a 404 that says when it was first recorded and links to the profile as it stood then.
    A partner never recorded is the plain 404."""
    first = partner_first_recorded(iso3)
    if first is None or first <= known_at.when:
        raise Http404("No such partner at that moment.")
    partner = Partner.objects.filter(iso3=iso3).only("iso3", "name").first()
    return render(
        request,
        "partnerships/known_at_too_early.html",
        {
            "iso3": iso3,
            "partner": partner,
            "first": first,
            "first_param": first.isoformat(),
            "known_at": known_at,
        },
        status=404,
    )
