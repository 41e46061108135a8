"""The strict API (partnerships.api.base.StrictQueryMixin and PageNumberPagination): an
unknown query parameter is a 400 naming it and listing the accepted ones, on every GET
endpoint; the accepted ones are exactly those the schema documents; a malformed page is a
400 naming ``page``, a page past the last one a 404 saying so."""

import re

import pytest
from django.core.cache import cache

from partnerships.api.urls import router
from tests.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = [f"/api/v1/{prefix}/" for prefix, _, _ in router.registry]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def accepted_in(response) -> set[str]:
    """The accepted parameters a 400 for an unknown one lists."""
    [message] = next(iter(response.json().values()))
    return set(re.search(r"accepted: (.*)\.$", message).group(1).split(", "))


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_parameter_is_refused_on_every_list(api, url):
    PartnerFactory()
    response = api.get(url, {"framwork": "pfp"})
    assert response.status_code == 400, (url, response.status_code)
    body = response.json()
    assert list(body) == ["framwork"], body
    assert "framwork" in body["framwork"][0]
    assert {"format", "page", "page_size"} <= accepted_in(response)


def test_the_partners_list_names_every_filter_it_accepts(api):
    response = api.get("/api/v1/partners/", {"framwork": "pfp", "ordering": "name"})
    assert response.status_code == 400
    assert {"framework", "framework_all", "as_of", "status", "known_at", "q", "ordering"} <= (
        accepted_in(response)
    )
    assert api.get("/api/v1/partners/", {"region": "europe"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/partners/GEO/",
        "/api/v1/partners/GEO/timeline/",
        "/api/v1/matrix/frameworks/",
        "/api/v1/matrix/missions/",
        "/api/v1/search/?q=peace",
        "/api/v1/reconcile/",
        "/api/v1/quality/",
        "/api/v1/releases/",
    ],
)
def test_an_unknown_parameter_is_refused_on_the_other_views(api, url, staff):
    api.force_authenticate(staff)  # the quality report is staff-only
    PartnerFactory(iso3="GEO")
    joiner = "&" if "?" in url else "?"
    assert api.get(url).status_code == 200, url
    response = api.get(f"{url}{joiner}framwork=pfp")
    assert response.status_code == 400, (url, response.status_code)
    assert "framwork" in response.json()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def get_operations(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        if "get" in operations and path != "/api/v1/schema/":
            yield path, operations["get"]


def test_the_accepted_parameters_are_the_documented_ones(api, staff):
    """Each GET operation accepts exactly the query parameters its schema documents (an
    unknown one is refused before the object is looked up, so any path value will do)."""
    values = {"iso3": "ZZZ", "version": "9.9", "slug": "nothing", "id": "1"}
    api.force_authenticate(staff)  # the quality report is staff-only
    checked = 0
    for path, operation in get_operations(api):
        url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        response = api.get(url, {"zz_unknown": "1"})
        assert response.status_code == 400, (url, response.status_code)
        assert accepted_in(response) == documented, (path, accepted_in(response) ^ documented)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("url", ["/api/v1/partners/", "/api/v1/search/?q=x", "/api/v1/releases/"])
@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "", "²", "1e3"])
def test_a_malformed_page_is_a_400_naming_page(api, url, page):
    joiner = "&" if "?" in url else "?"
    response = api.get(f"{url}{joiner}page={page}")
    assert response.status_code == 400, (url, page, response.status_code)
    assert list(response.json()) == ["page"]


def test_a_repeated_page_or_a_malformed_page_size_is_a_400(api):
    assert list(api.get("/api/v1/partners/?page=1&page=2").json()) == ["page"]
    for size in ("abc", "0", "501", "²"):
        response = api.get("/api/v1/partners/", {"page_size": size})
        assert response.status_code == 400, size
        assert list(response.json()) == ["page_size"]


def test_a_page_past_the_last_is_a_404_that_says_so(api, staff):
    PartnerFactory()
    response = api.get("/api/v1/partners/", {"page": 7})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 7 is past the last page (1)."}
    api.force_authenticate(staff)  # the quality report is staff-only
    quality = api.get("/api/v1/quality/", {"check": "sources-without-url", "page": 99})
    assert quality.status_code == 404
    assert "past the last page" in quality.json()["detail"]


def test_a_repeated_ordering_means_the_same_as_a_comma_separated_one(api):
    """What generated clients send for the schema's array of orderings."""
    for code, region in (("GEO", "south-caucasus"), ("ARM", "south-caucasus"), ("AUT", "europe")):
        PartnerFactory(iso3=code, region=region)

    def codes(query):
        return [row["iso3"] for row in api.get(f"/api/v1/partners/?{query}").data["results"]]

    joined = codes("ordering=region,-name")
    assert codes("ordering=region&ordering=-name") == joined
    assert joined == ["AUT", "GEO", "ARM"]  # europe, then south-caucasus by name descending


def test_a_known_at_with_any_offset_is_answered_not_a_500(api):
    """Python accepts offsets up to 24 hours, PostgreSQL up to 16 (found by schemathesis)."""
    response = api.get("/api/v1/cooperation-areas/", {"known_at": "2017-04-09T21:27:37.5-22:16"})
    assert response.status_code == 200, response.content[:300]
    # Beyond the years 1900 to 2100: refused with the reason (partnerships.validation).
    late = api.get("/api/v1/cooperation-areas/", {"known_at": "3717-04-09T21:27:37.5-22:16"})
    assert late.status_code == 400
    assert "1900 and 2100" in str(late.json()["known_at"])
    far = api.get("/api/v1/cooperation-areas/", {"known_at": "9999-12-31T23:00:00-10:00"})
    assert far.status_code == 400
    assert "known_at" in far.json()
