"""The missions' API resources (missions, contributions, figures) through the generic API
case of tests/cases.py: this module supplies only their data."""

import datetime as dt

import pytest

from missions.models import Contribution, ContributionFigure, Mission, Role
from tests.cases import Resource, ResourceCases
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    MissionFactory,
    PartnerFactory,
    SourceFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


def _contribution_payload():
    return {
        "partner": PartnerFactory().iso3,
        "mission": MissionFactory().slug,
        "start": "2001",
        "roles": ["troops", "medical"],
        "sources": [SourceFactory().pk],
    }


RESOURCES = [
    Resource(
        path="missions",
        model=Mission,
        make=lambda: MissionFactory(),
        key=lambda m: m.slug,
        fields={"slug", "acronym", "name", "kind", "region", "hosts", "start", "end",
                "mandate", "contributors", "sources", "page_url"},
        create=lambda: {"slug": "new-op", "name": "New Operation", "kind": "maritime",
                        "region": "mediterranean", "start": "2016-11-09",
                        "sources": [SourceFactory().key]},
        invalid=lambda: ({"slug": "x", "name": "X", "kind": "maritime", "region": "mediterranean",
                          "start": "2016-13", "sources": [SourceFactory().key]}, "start"),
        filters=[
            ({"kind": "maritime"}, lambda m: m.kind == "maritime",
             lambda: MissionFactory(kind="maritime")),
        ],
        bad_filters=[({"partner": "QQQ"}, "partner"), ({"region": "moon"}, "region")],
    ),
    Resource(
        path="contributions",
        model=Contribution,
        make=lambda: FigureFactory().contribution,
        key=lambda c: c.pk,
        fields={"id", "partner", "mission", "start", "end", "roles", "figures",
                "latest_figure", "largest_figure", "figure_count", "figures_from",
                "figures_until", "certainty", "sources", "page_url"},
        create=_contribution_payload,
        invalid=lambda: ({**_contribution_payload(), "start": "1990"}, "start"),
        filters=[
            ({"role": "medical"}, lambda c: c.roles.filter(slug="medical").exists(),
             lambda: ContributionFactory(roles=Role.objects.filter(slug="medical"))),
            ({"personnel_min": "500"}, lambda c: c.figures.filter(personnel__gte=500).exists(),
             lambda: FigureFactory(personnel=900).contribution),
            ({"year": "2003"}, lambda c: c.active_on(D(2003, 6, 1)),
             lambda: ContributionFactory(start=D(2002, 1, 1))),
        ],
        bad_filters=[({"role": "cook"}, "role"), ({"personnel_min": "-3"}, "personnel_min"),
                     ({"mission": "nope"}, "mission")],
    ),
    Resource(
        path="figures",
        model=ContributionFigure,
        make=lambda: FigureFactory(),
        key=lambda f: f.pk,
        fields={"id", "contribution", "partner", "mission", "as_of", "as_of_precision",
                "personnel", "measure", "estimate", "source", "source_detail"},
        create=lambda: {"contribution": ContributionFactory().pk, "as_of": "2010-06",
                        "personnel": 40, "source": SourceFactory().pk},
        invalid=lambda: ({"contribution": ContributionFactory().pk, "as_of": "2010-06",
                          "personnel": -4, "source": SourceFactory().pk}, "personnel"),
        filters=[
            ({"estimate": "true"}, lambda f: f.estimate, lambda: FigureFactory(estimate=True)),
            ({"as_of_after": "2011-01-01"}, lambda f: f.as_of >= D(2011, 1, 1),
             lambda: FigureFactory(as_of=D(2012, 1, 1))),
        ],
        bad_filters=[({"as_of_before": "soon"}, "as_of_before")],
    ),
]  # fmt: skip


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
class TestResource(ResourceCases):
    """Every case of tests/cases.py.ResourceCases, for each resource above."""
