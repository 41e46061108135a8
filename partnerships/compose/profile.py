"""A partner with its facts from every app: the profile's, the timeline's and the
comparison's querysets, and a partner as the knowledge base held it at a past moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from frameworks.models import Participation
from missions.models import Contribution, ContributionFigure
from partnerships.dates import active_on_q, display_date, format_date
from partnerships.models import Milestone, Partner
from partnerships.provenance.history import past_instances, snapshot
from partnerships.status import with_status


def set_related(instance, name: str, values: list) -> None:
    """Make ``instance.<name>.all()`` answer ``values`` without a query."""
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = values


def past_partner_details(partners: list, day: dt.date, when: dt.datetime) -> None:
    """Frameworks on ``day`` and missions contributed to, as known at ``when`` (two
    queries and a prefetch, whatever the number of partners)."""
    participation = Participation
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
    contributions = snapshot(Contribution, when).filter(partner__in=ids)
    for partner_id, mission_id in contributions.values_list("partner", "mission"):
        missions.setdefault(partner_id, set()).add(mission_id)
    for partner in partners:
        partner.on_day = by_partner.get(partner.pk, [])
        partner.missions = len(missions.get(partner.pk, ()))


def partner_first_recorded(iso3: str) -> dt.datetime | None:
    """When the knowledge base first recorded the partner ``iso3`` (its earliest history
    record), or None when it never held it."""
    history = Partner.history.model
    first = history.objects.filter(iso3=iso3).order_by("history_date", "history_id")
    return first.values_list("history_date", flat=True).first()


def past_partner(iso3: str, when: dt.datetime) -> Partner:
    """A partner with its facts as the knowledge base held them at ``when`` (a bounded
    number of queries: one per kind of fact and per link whose history is kept)."""
    participation, contribution = (
        Participation,
        Contribution,
    )
    figure = ContributionFigure
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
        set_related(item, "figures", [f for f in figures if f.contribution_id == item.pk])
    milestones = past_instances(
        Milestone,
        snapshot(Milestone, when).filter(partner=partner.pk).order_by("date"),
    )
    set_related(partner, "participations", participations)
    set_related(partner, "contributions", contributions)
    set_related(partner, "milestones", milestones)
    return partner


def partner_profile_queryset():
    """A partner with what its profile shows besides contributions (those are grouped
    by :func:`contribution_groups`): sources, participations and milestones."""
    participation = Participation
    return with_status(Partner.objects.all()).prefetch_related(
        "sources",
        "accession_sources",
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


def compare_queryset():
    """Partners with what the comparison shows besides contributions (those are grouped
    per partner by :func:`contribution_groups`): participations and milestones."""
    participation = Participation
    return with_status(Partner.objects.all()).prefetch_related(
        Prefetch(
            "participations",
            queryset=participation.objects.select_related("framework").order_by("covers_from"),
        ),
        Prefetch("milestones", queryset=Milestone.objects.order_by("date")),
    )


@dataclass
class TimelineEvent:
    """One dated thing about a partner, for the timeline and the API."""

    date: dt.date
    precision: str
    kind: str  # accession | participation-start | participation-end | contribution-start
    # | contribution-end | milestone
    title: str
    obj: object = None
    url: str = ""

    @property
    def date_iso(self) -> str:
        return format_date(self.date, self.precision)

    @property
    def date_display(self) -> str:
        return display_date(self.date, self.precision)


def partner_with_facts(queryset: QuerySet | None = None) -> QuerySet:
    """Partners with everything a profile, a timeline or a comparison shows, prefetched."""
    participation = Participation
    contribution = Contribution
    milestone = Milestone
    figure = ContributionFigure
    queryset = queryset if queryset is not None else Partner.objects.all()
    return queryset.prefetch_related(
        "sources",
        Prefetch(
            "participations",
            queryset=participation.objects.select_related("framework")
            .prefetch_related("sources")
            .order_by("covers_from"),
        ),
        Prefetch(
            "contributions",
            queryset=contribution.objects.select_related("mission")
            .prefetch_related(
                "roles",
                "sources",
                Prefetch("figures", queryset=figure.objects.select_related("source")),
            )
            .order_by("covers_from"),
        ),
        Prefetch(
            "milestones",
            queryset=milestone.objects.prefetch_related("sources").order_by("date"),
        ),
    )


def partner_timeline(partner: Partner) -> list[TimelineEvent]:
    """Everything dated about one partner, oldest first (use ``partner_with_facts``)."""
    events: list[TimelineEvent] = []
    if partner.nato_accession:
        events.append(
            TimelineEvent(
                partner.nato_accession,
                partner.nato_accession_precision,
                "accession",
                f"{partner.name} accedes to NATO",
                partner,
            )
        )
    for item in partner.participations.all():
        name = item.framework.acronym or item.framework.name
        if item.start:
            events.append(
                TimelineEvent(
                    item.start,
                    item.start_precision,
                    "participation-start",
                    f"Joins {name}",
                    item,
                    item.framework.get_absolute_url(),
                )
            )
        if item.end:
            verb = {"ended-by-accession": "Leaves {} on accession"}.get(item.status, "Leaves {}")
            events.append(
                TimelineEvent(
                    item.end,
                    item.end_precision,
                    "participation-end",
                    verb.format(name),
                    item,
                    item.framework.get_absolute_url(),
                )
            )
    for item in partner.contributions.all():
        name = item.mission.acronym or item.mission.name
        if item.start:
            events.append(
                TimelineEvent(
                    item.start,
                    item.start_precision,
                    "contribution-start",
                    f"Contributes to {name}",
                    item,
                    item.mission.get_absolute_url(),
                )
            )
        if item.end:
            events.append(
                TimelineEvent(
                    item.end,
                    item.end_precision,
                    "contribution-end",
                    f"Contribution to {name} ends",
                    item,
                    item.mission.get_absolute_url(),
                )
            )
    for item in partner.milestones.all():
        events.append(TimelineEvent(item.date, item.date_precision, "milestone", item.title, item))
    order = {"accession": 0, "participation-end": 1, "participation-start": 2}
    events.sort(key=lambda e: (e.date, order.get(e.kind, 3), e.title))
    return events
