"""The REST API, resource by resource, through one generic test case."""

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from frameworks.models import Framework, Participation
from missions.models import Contribution, ContributionFigure, Mission, Role
from partnerships.models import CooperationArea, Milestone, Partner, Source
from tests.api_cases import Resource, count_queries, read_csv
from tests.factories import (
    ContributionFactory,
    CooperationAreaFactory,
    FigureFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def _participation_payload():
    return {
        "partner": PartnerFactory().iso3,
        "framework": FrameworkFactory().slug,
        "start": "1994-03",
        "status": "active",
        "sources": [SourceFactory().key],
    }


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
            ({"active_on": "1990-01-01"}, lambda f: f.covers_from <= D(1990, 1, 1),
             lambda: FrameworkFactory(start=D(1989, 1, 1), start_precision="year")),
        ],
        bad_filters=[({"active_on": "yesterday"}, "active_on"), ({"kind": "club"}, "kind")],
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
            ({"active_on": "2010-06-01"}, lambda p: p.active_on(D(2010, 6, 1)),
             lambda: ParticipationFactory(end=D(2000, 1, 1), end_precision="year", status="ended")
             and ParticipationFactory(start=D(2010, 6, 1), start_precision="day")),
            ({"started_after": "2005-01-01"}, lambda p: p.covers_from >= D(2005, 1, 1),
             lambda: ParticipationFactory(start=D(2006, 1, 1))),
        ],
        bad_filters=[({"partner": "ZZZ"}, "partner"), ({"ended_before": "2001-13-01"}, "ended_before")],
    ),
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
                "latest_figure", "peak_figure", "sources", "page_url"},
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
        fields={"id", "key", "title", "publisher", "url", "published", "kind", "cited_by"},
        create=lambda: {"key": "new-source", "title": "A treaty", "publisher": "NATO", "kind": "treaty"},
        invalid=lambda: ({"key": "bad key!", "title": "T", "publisher": "P"}, "key"),
        filters=[
            ({"kind": "press"}, lambda s: s.kind == "press", lambda: SourceFactory(kind="press")),
        ],
        bad_filters=[({"kind": "rumour"}, "kind"), ({"page_size": "many"}, "page_size"),
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
class TestResource:
    def test_list_and_detail(self, api, resource):
        obj = resource.make()
        response = api.get(resource.list_url)
        assert response.status_code == 200
        assert response.data["count"] >= 1
        detail = api.get(resource.detail_url(obj))
        assert detail.status_code == 200
        assert resource.fields <= set(detail.data), resource.fields - set(detail.data)

    def test_unknown_object_is_a_json_404(self, api, resource):
        response = api.get(f"{resource.list_url}999999/")
        if resource.path == "partners":
            response = api.get(f"{resource.list_url}zzz/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()

    def test_query_count_does_not_grow_with_rows(self, api, resource):
        for _ in range(5):
            resource.make()
        few, _ = count_queries(api, resource.list_url)
        for _ in range(45):
            resource.make()
        many, response = count_queries(api, resource.list_url)
        assert response.data["count"] >= 50
        assert many == few, f"{few} queries for 5 rows, {many} for 50"
        assert few <= 12

    def test_filters(self, api, resource):
        resource.make()
        for params, matches, setup in resource.filters:
            wanted = setup()
            response = api.get(resource.list_url, {**params, "page_size": 500})
            assert response.status_code == 200, (params, response.data)
            keys = {
                str(row.get("id", row.get("slug", row.get("iso3")))).lower()
                for row in response.data["results"]
            }
            wanted_key = str(resource.key(wanted)).lower()
            assert wanted_key in keys, (params, keys)
            model = type(wanted)
            for obj in model.objects.all():
                assert (str(resource.key(obj)).lower() in keys) == bool(matches(obj)), (params, obj)

    def test_bad_filter_values_are_400_with_the_field(self, api, resource):
        for params, name in resource.bad_filters:
            response = api.get(resource.list_url, params)
            assert response.status_code == 400, (params, response.status_code)
            assert name in response.json(), response.json()

    def test_csv_export_streams_the_whole_filtered_set(self, api, resource):
        for _ in range(3):
            resource.make()
        total = api.get(resource.list_url).data["count"]
        response = api.get(resource.list_url, {"format": "csv", "page_size": 1})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response.streaming
        assert response["X-Dataset-Version"].startswith("unreleased")
        assert "page_size=1" in response["X-Query"]
        rows = read_csv(response)
        assert len(rows) == total
        by_accept = api.get(resource.list_url, HTTP_ACCEPT="text/csv")
        assert by_accept["Content-Type"].startswith("text/csv")
        assert len(read_csv(by_accept)) == total

    def test_anonymous_and_readers_cannot_write(self, api, resource, reader):
        if resource.create is None:
            pytest.skip("read-only resource")
        assert api.post(resource.list_url, resource.create(), format="json").status_code in (
            401,
            403,
        )
        api.force_authenticate(reader)
        assert api.post(resource.list_url, resource.create(), format="json").status_code == 403
        obj = resource.make()
        assert api.delete(resource.detail_url(obj)).status_code == 403

    def test_curator_writes_are_validated_and_kept_in_history(self, api, resource, curator):
        if resource.create is None:
            pytest.skip("read-only resource")
        token = Token.objects.create(user=curator)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = api.post(resource.list_url, resource.create(), format="json")
        assert response.status_code == 201, response.data
        model = resource.model
        created = model.objects.order_by("-pk").first()
        assert created.history.first().history_user == curator
        payload, name = resource.invalid()
        before = model.objects.count()
        response = api.post(resource.list_url, payload, format="json")
        assert response.status_code == 400, response.data
        assert name in response.json(), response.json()
        assert model.objects.count() == before


def test_every_filter_parameter_is_documented_in_the_schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    parameters = {
        p["name"]
        for operation in schema["paths"]["/api/v1/partners/"].values()
        for p in operation.get("parameters", [])
    }
    assert {"framework", "framework_all", "as_of", "region", "status", "mission", "mission_all",
            "cooperation_area", "acceded_after", "acceded_before", "q", "ordering", "page",
            "page_size", "format"} - {"format"} <= parameters  # fmt: skip
    described = [
        p for p in schema["paths"]["/api/v1/partners/"]["get"]["parameters"] if p.get("description")
    ]
    assert len(described) >= 10
    assert "first day of its start" in schema["info"]["description"]


def test_schema_validates():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)


def test_docs_are_served_from_local_files(api):
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = api.get(path).content.decode()
        assert "cdn" not in html.lower() and "unpkg" not in html.lower() and "jsdelivr" not in html
        assert "/static/drf_spectacular_sidecar/" in html
