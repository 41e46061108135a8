"""The frameworks' API resources (frameworks, participations) through the generic API case
of tests/cases.py: this module supplies only their data."""

import datetime as dt

import pytest

from frameworks.models import Framework, Participation
from tests.cases import Resource, ResourceCases
from tests.factories import FrameworkFactory, ParticipationFactory, PartnerFactory, SourceFactory

D = dt.date
pytestmark = pytest.mark.django_db


def _participation_payload():
    return {
        "partner": PartnerFactory().iso3,
        "framework": FrameworkFactory().slug,
        "start": "1994-03",
        "status": "active",
        "sources": [SourceFactory().key],
    }


RESOURCES = [
    Resource(
        path="frameworks",
        model=Framework,
        make=lambda: FrameworkFactory(),
        key=lambda f: f.slug,
        fields={"slug", "acronym", "name", "kind", "parent", "children", "start", "end",
                "start_precision", "end_state", "participants_now", "sources", "page_url"},
        create=lambda: {"slug": "new-dialogue", "name": "New Dialogue", "kind": "dialogue",
                        "start": "2004-06", "sources": [SourceFactory().key]},
        invalid=lambda: ({"slug": "x", "name": "X", "kind": "dialogue", "start": "2004",
                          "end": "2001", "sources": [SourceFactory().key]}, "end"),
        filters=[
            ({"kind": "dialogue"}, lambda f: f.kind == "dialogue",
             lambda: FrameworkFactory(kind="dialogue")),
            ({"as_of": "1990-01-01"}, lambda f: f.covers_from <= D(1990, 1, 1),
             lambda: FrameworkFactory(start=D(1989, 1, 1), start_precision="year")),
        ],
        bad_filters=[({"as_of": "yesterday"}, "as_of"), ({"kind": "club"}, "kind")],
    ),
    Resource(
        path="participations",
        model=Participation,
        make=lambda: ParticipationFactory(),
        key=lambda p: p.pk,
        fields={"id", "partner", "framework", "start", "start_precision", "end", "end_state",
                "covers_from", "covers_until", "status", "sources", "page_url"},
        create=_participation_payload,
        invalid=lambda: ({**_participation_payload(), "end": "1990", "status": "ended"}, "end"),
        filters=[
            ({"status": "suspended"}, lambda p: p.status == "suspended",
             lambda: ParticipationFactory(status="suspended")),
            ({"as_of": "2010-06-01"}, lambda p: p.active_on(D(2010, 6, 1)),
             lambda: ParticipationFactory(end=D(2000, 1, 1), end_precision="year", status="ended")
             and ParticipationFactory(start=D(2010, 6, 1), start_precision="day")),
            ({"started_after": "2005-01-01"}, lambda p: p.covers_from >= D(2005, 1, 1),
             lambda: ParticipationFactory(start=D(2006, 1, 1))),
        ],
        bad_filters=[({"partner": "ZZZ"}, "partner"), ({"ended_before": "2001-13-01"}, "ended_before")],
    ),
]  # fmt: skip


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
class TestResource(ResourceCases):
    """Every case of tests/cases.py.ResourceCases, for each resource above."""
