"""The core's API resources (partners, milestones, sources, cooperation areas) through the
generic API case of tests/cases.py: this module supplies only their data."""

import datetime as dt

import pytest

from partnerships.models import CooperationArea, Milestone, Partner, Source
from tests.cases import Resource, ResourceCases
from tests.factories import CooperationAreaFactory, MilestoneFactory, PartnerFactory, SourceFactory

D = dt.date
pytestmark = pytest.mark.django_db

RESOURCES = [
    Resource(
        path="partners",
        model=Partner,
        make=lambda: PartnerFactory(),
        key=lambda p: p.iso3.lower(),
        fields={"iso3", "iso2", "name", "status", "current_frameworks", "sources", "api_url",
                "page_url", "nato_accession", "nato_accession_precision"},
        create=lambda: {"iso3": "mlt", "name": "Malta", "region": "mediterranean"},
        invalid=lambda: ({"iso3": "XXX", "name": "Nowhere", "region": "europe"}, "iso3"),
        filters=[
            ({"region": "gulf"}, lambda p: p.region == "gulf",
             lambda: PartnerFactory(region="gulf")),
            ({"q": "zzname"}, lambda p: "zzname" in p.name.lower(),
             lambda: PartnerFactory(name="Zzname")),
            ({"acceded_after": "2004-01-01"}, lambda p: bool(p.nato_accession),
             lambda: PartnerFactory(nato_accession=D(2004, 3, 29), nato_accession_precision="day")),
        ],
        bad_filters=[({"region": "mars"}, "region"), ({"as_of": "2010-02-30"}, "as_of"),
                     ({"framework": "no-such-framework"}, "framework"),
                     ({"status": "emperor"}, "status")],
    ),
    Resource(
        path="milestones",
        model=Milestone,
        make=lambda: MilestoneFactory(),
        key=lambda m: m.pk,
        fields={"id", "partner", "date", "date_precision", "kind", "title", "sources"},
        create=lambda: {"partner": PartnerFactory().iso3, "date": "2008-04-03",
                        "kind": "summit-decision", "title": "Bucharest", "sources": [SourceFactory().key]},
        invalid=lambda: ({"partner": PartnerFactory().iso3, "date": "2008-04-03",
                          "kind": "summit-decision", "title": "No source", "sources": []}, "sources"),
        filters=[
            ({"kind": "application"}, lambda m: m.kind == "application",
             lambda: MilestoneFactory(kind="application")),
        ],
        bad_filters=[({"kind": "coronation"}, "kind")],
    ),
    Resource(
        path="sources",
        model=Source,
        make=lambda: SourceFactory(),
        key=lambda s: s.pk,
        fields={"id", "key", "title", "publisher", "url", "published", "kind", "tier", "cited_by"},
        create=lambda: {"key": "new-source", "title": "A treaty", "publisher": "NATO", "kind": "treaty",
                        "tier": "primary"},
        invalid=lambda: ({"key": "bad key!", "title": "T", "publisher": "P"}, "key"),
        filters=[
            ({"kind": "press"}, lambda s: s.kind == "press", lambda: SourceFactory(kind="press")),
            ({"tier": "copy"}, lambda s: s.tier == "copy", lambda: SourceFactory(tier="copy")),
        ],
        bad_filters=[({"kind": "rumour"}, "kind"), ({"tier": "gossip"}, "tier"), ({"page_size": "many"}, "page_size"),
                     ({"page_size": "501"}, "page_size"), ({"page_size": "0"}, "page_size")],
    ),
    Resource(
        path="cooperation-areas",
        model=CooperationArea,
        make=lambda: CooperationAreaFactory(),
        key=lambda a: a.slug,
        fields={"slug", "name", "description", "api_url"},
        create=lambda: {"slug": "space", "name": "Space"},
        invalid=lambda: ({"slug": "", "name": "Nameless"}, "slug"),
    ),
]  # fmt: skip


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
class TestResource(ResourceCases):
    """Every case of tests/cases.py.ResourceCases, for each resource above."""
