"""The contributions list page: the contributions FilterSet of the API, the same rows for
the same query, stable paging, bounded queries, form errors for bad filters."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from missions.views import CONTRIBUTIONS_PER_PAGE
from partnerships.dates import Precision
from tests.cases import count_queries, read_csv, without_history
from tests.factories import ContributionFactory, FigureFactory, MissionFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    kfor = MissionFactory(slug="kfor", acronym="KFOR", start=dt.date(1999, 6, 12))
    isaf = MissionFactory(slug="isaf", acronym="ISAF", start=dt.date(2001, 12, 20))
    fin, geo = PartnerFactory(iso3="FIN", name="Finland"), PartnerFactory(iso3="GEO")
    one = ContributionFactory(partner=fin, mission=kfor, start=dt.date(1999, 6, 12),
                              start_precision=Precision.DAY)  # fmt: skip
    FigureFactory(contribution=one, as_of=dt.date(2000, 1, 1), personnel=800)
    FigureFactory(contribution=one, as_of=dt.date(2017, 2, 1), personnel=20)
    ContributionFactory(partner=geo, mission=isaf, start=dt.date(2004, 1, 1))
    ContributionFactory(partner=geo, mission=kfor, start=dt.date(1999, 1, 1),
                        end=dt.date(2008, 1, 1), end_precision=Precision.YEAR)  # fmt: skip
    return kfor, isaf


def ids_on_page(client, query: dict) -> list[int]:
    response = client.get("/missions/contributions/", query)
    assert response.status_code == 200
    return [c.pk for c in response.context["page"]]


def api_ids(query: dict) -> list[int]:
    data = APIClient().get("/api/v1/contributions/", {**query, "page_size": 500}).json()
    return [row["id"] for row in data["results"]]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"mission": "kfor"},
        {"partner": "geo"},
        {"as_of": "2005-06-01"},
        {"year": "2008"},
        {"personnel_min": "500"},
        {"role": "troops", "mission": "isaf"},
        {"q": "finland"},
    ],
)
def test_the_page_and_the_api_keep_the_same_rows(client, rows, query):
    assert sorted(ids_on_page(client, query)) == sorted(api_ids(query))


def test_a_row_names_its_figures_and_cites_its_sources(client, rows):
    html = client.get("/missions/contributions/", {"partner": "FIN"}).content.decode()
    assert "2: latest 20 (1 February 2017); largest recorded 800 (1 January 2000)" in html
    assert 'class="references"' in html


def test_the_csv_link_is_the_apis_export_of_the_same_query(client, rows):
    response = client.get("/missions/contributions/", {"mission": "kfor"})
    url = response.context["csv_url"]
    assert url.startswith("/api/v1/contributions/?") and "mission=kfor" in url
    exported = read_csv(APIClient().get(url))
    assert sorted(int(r["id"]) for r in exported) == sorted(
        ids_on_page(client, {"mission": "kfor"})
    )


def test_bad_filters_are_form_errors_not_500s(client, rows):
    for query in ({"year": "abc"}, {"as_of": "2010-02-31"}, {"mission": "nope"}):
        response = client.get("/missions/contributions/?" + urlencode(query))
        assert response.status_code == 200
        assert response.context["valid"] is False
        assert 'class="alert alert-error"' in response.content.decode()


def test_paging_by_every_ordering_neither_loses_nor_repeats_a_row(client):
    with without_history():
        mission = MissionFactory(start=dt.date(1990, 1, 1))
        for _ in range(CONTRIBUTIONS_PER_PAGE + 7):
            # Equal partners' names and starts: only the id orders them.
            ContributionFactory(partner=PartnerFactory(name="Same"), mission=mission)
    for ordering in ("", "partner", "-partner", "start", "-end"):
        seen = []
        for number in (1, 2):
            seen += ids_on_page(client, {"ordering": ordering, "page": number} if ordering
                                else {"page": number})  # fmt: skip
        assert len(seen) == len(set(seen)) == CONTRIBUTIONS_PER_PAGE + 7, ordering


def test_query_count_does_not_grow_with_rows(client):
    def build(n):
        with without_history():
            mission = MissionFactory(start=dt.date(1990, 1, 1))
            for i in range(n):
                contribution = ContributionFactory(mission=mission)
                FigureFactory(contribution=contribution, personnel=i + 1)
        return count_queries(client, "/missions/contributions/")[0]

    few = build(5)
    assert build(45) == few
