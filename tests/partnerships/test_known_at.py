"""?known_at=: the API answers from history, what the knowledge base said at a moment."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.cases import count_queries, read_csv
from tests.factories import FrameworkFactory, ParticipationFactory, PartnerFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def moment() -> str:
    return timezone.now().isoformat()


def codes(response):
    assert response.status_code == 200, response.content[:300]
    return sorted(row["iso3"] for row in response.json()["results"])


def test_partners_listed_in_the_pfp_on_a_day_as_the_kb_stood_then(api):
    pfp = FrameworkFactory(slug="partnership-for-peace")
    geo = PartnerFactory(iso3="GEO", name="Georgia")
    mda = PartnerFactory(iso3="MDA", name="Moldova")
    participation = ParticipationFactory(partner=geo, framework=pfp, start=D(1994, 3, 23),
                                         start_precision="day")  # fmt: skip
    ParticipationFactory(partner=mda, framework=pfp, start=D(1994, 3, 16), start_precision="day")
    before = moment()
    # A curator later corrects Georgia's start to 2011 and adds a new partner.
    participation.start = D(2011, 1, 1)
    participation.start_precision = "year"
    participation.save()
    PartnerFactory(iso3="ARM", name="Armenia")
    url = "/api/v1/partners/?framework=partnership-for-peace&as_of=2010-01-01"
    assert codes(api.get(url)) == ["MDA"]
    assert codes(api.get(url, {"known_at": before})) == ["GEO", "MDA"]
    assert "ARM" not in codes(api.get("/api/v1/partners/", {"known_at": before}))


def test_past_state_includes_deleted_objects_and_old_values(api):
    doomed = PartnerFactory(iso3="AFG", name="Afghanistan")
    renamed = PartnerFactory(iso3="MKD", name="the former Yugoslav Republic of Macedonia")
    before = moment()
    doomed.delete()
    renamed.name = "North Macedonia"
    renamed.save()
    results = api.get("/api/v1/partners/", {"known_at": before}).json()["results"]
    past = {r["iso3"]: r for r in results}
    assert past["AFG"]["name"] == "Afghanistan"
    assert past["MKD"]["name"] == "the former Yugoslav Republic of Macedonia"
    assert api.get("/api/v1/partners/afg/", {"known_at": before}).json()["name"] == "Afghanistan"
    assert api.get("/api/v1/partners/afg/").status_code == 404
    assert api.get("/api/v1/partners/MKD/").json()["name"] == "North Macedonia"


def test_later_objects_are_absent_and_a_day_means_its_end(api):
    PartnerFactory(iso3="FIN")
    yesterday = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    assert codes(api.get("/api/v1/partners/", {"known_at": yesterday})) == []
    assert api.get("/api/v1/partners/fin/", {"known_at": yesterday}).status_code == 404
    today = timezone.now().date().isoformat()
    assert codes(api.get("/api/v1/partners/", {"known_at": today})) == ["FIN"]


def test_known_at_on_every_resource_and_as_csv(api):
    participation = ParticipationFactory()
    now = moment()
    for path in ("partners", "frameworks", "participations", "sources", "milestones",
                 "missions", "contributions", "figures", "cooperation-areas"):  # fmt: skip
        response = api.get(f"/api/v1/{path}/", {"known_at": now})
        assert response.status_code == 200, (path, response.content[:300])
    rows = read_csv(api.get("/api/v1/participations/", {"known_at": now, "format": "csv"}))
    assert [int(r["id"]) for r in rows] == [participation.pk]


def test_known_at_costs_a_bounded_number_of_queries(api):
    for _ in range(5):
        ParticipationFactory()
    now = moment()
    few, _ = count_queries(api, f"/api/v1/participations/?known_at={now}")
    for _ in range(20):
        ParticipationFactory()
    now = moment()
    many, response = count_queries(api, f"/api/v1/participations/?known_at={now}")
    assert response.json()["count"] == 25
    assert few == many


def test_bad_known_at_is_a_400(api):
    response = api.get("/api/v1/partners/", {"known_at": "last tuesday"})
    assert response.status_code == 400
    assert "known_at" in response.json()


def test_sources_are_those_the_fact_had_then(api):
    from tests.factories import SourceFactory

    participation = ParticipationFactory()
    old_sources = {s.key for s in participation.sources.all()}
    before = moment()
    participation.sources.set([SourceFactory(key="a-better-source")])
    now = api.get(f"/api/v1/participations/{participation.pk}/").json()
    then = api.get(f"/api/v1/participations/{participation.pk}/", {"known_at": before}).json()
    assert {s["key"] for s in now["sources"]} == {"a-better-source"}
    assert {s["key"] for s in then["sources"]} == old_sources


def test_malformed_id_with_known_at_is_a_404(api):
    response = api.get("/api/v1/contributions/null,null/", {"known_at": "2000-01-01"})
    assert response.status_code == 404


def test_a_fact_whose_framework_was_deleted_since_shows_the_framework_as_it_was(api):
    participation = ParticipationFactory()
    framework, participation_id = participation.framework, participation.pk
    before = moment()
    participation.delete()
    slug = framework.slug
    framework.delete()
    data = api.get(f"/api/v1/participations/{participation_id}/", {"known_at": before}).json()
    assert data["framework"] == slug


def test_known_at_contributions_cost_a_bounded_number_of_queries(api):
    from tests.factories import FigureFactory

    for _ in range(3):
        FigureFactory()
    few, _ = count_queries(api, f"/api/v1/contributions/?known_at={moment()}".replace("+", "%2B"))
    for _ in range(12):
        FigureFactory()
    many, response = count_queries(
        api, f"/api/v1/contributions/?known_at={moment()}".replace("+", "%2B")
    )
    assert response.json()["count"] == 15
    assert response.json()["results"][0]["latest_figure"]["personnel"] == 100
    assert few == many


def test_known_at_with_a_far_offset_is_read_in_utc():
    """Schemathesis found ``0126-12-26T01:41:05+20:11``: PostgreSQL refuses the offset.
    (Year 126 itself is now refused: known_at takes the years 1900 to 2100.)"""
    import datetime as dt

    from partnerships.provenance.history import parse_known_at

    moment = parse_known_at("2026-12-26T01:41:05+20:11")
    assert moment.utcoffset() == dt.timedelta(0)
    assert moment == dt.datetime(2026, 12, 25, 5, 30, 5, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="1900 and 2100"):
        parse_known_at("0126-12-26T01:41:05+20:11")
