"""The partners list and a partner's profile."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    Prefetch,
)
from django.shortcuts import get_object_or_404, render

from frameworks.models import Participation
from missions.groups import contribution_groups, past_contribution_groups
from partnerships import charts
from partnerships.compose.profile import (
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
    certainty_counts,
    known_at_of,
    paginate,
    prepare_filter_form,
)


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
        partner = past_partner(iso3.upper(), known_at.when)
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
