"""The generic test cases: the case does the work, each app supplies only its data.

- ``Resource`` and ``ResourceCases``: one API resource (list, detail, 404, N+1 guard,
  filters, 400s, CSV export, permissions, curators' writes with history), reused by every
  app's ``test_api.py`` with its own table of resources;
- ``Page`` and ``PageCases``: one analysts' page (query count pinned and the same with 5
  rows as with 50, accessible HTML), reused by every app's ``test_pages.py``;
- the helpers the tests share, each once: ``count_queries``, ``read_csv`` / ``parse_csv``,
  ``version_queries``, ``without_history`` and the world the pages are tested on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from frameworks.models import Framework
from missions.models import Mission
from partnerships.models import Source
from partnerships.provenance.versioning import dataset_version, last_change
from partnerships.tokens import ApiToken
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

# -- helpers ----------------------------------------------------------------------------------


def count_queries(client, url: str) -> tuple[int, object]:
    """The queries one GET costs its view, and its response (which must be a 200).
    ``client`` is Django's test client or DRF's APIClient.

    The serving layer's data stamp, read once before any anonymous read reaches its view
    (partnerships/serving/stamp.py), is counted apart: ``tests/serving`` pins it. A view that
    prints the dataset version reuses what the stamp read (one query fewer than alone).
    """
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return len([q for q in queries if not is_stamp_query(q["sql"])]), response


def is_stamp_query(sql: str) -> bool:
    from partnerships.serving.stamp import STAMP_MARK

    return STAMP_MARK in sql


def parse_csv(text: str) -> list[dict]:
    """The rows of a CSV text, a dict per row keyed by the header."""
    return list(csv.DictReader(io.StringIO(text)))


def read_csv(response) -> list[dict]:
    """The rows of a CSV response, streamed or not."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return parse_csv(body.decode("utf-8"))


def version_queries() -> int:
    """What the dataset version costs a served page (partnerships.provenance.versioning, not
    the pages' code), after the serving layer's data stamp has read the last change."""
    from partnerships.serving.stamp import data_stamp, request_scope

    with request_scope():
        data_stamp()
        with CaptureQueriesContext(connection) as queries:
            dataset_version()
            last_change()
    return len(queries)


def without_history():
    """Build test data without django-simple-history's records, through its supported
    switch ``SIMPLE_HISTORY_ENABLED``. For the many rows of an N+1 guard, where the records
    are most of the time and the test is not about history. A context manager."""
    return override_settings(SIMPLE_HISTORY_ENABLED=False)


# -- the world the pages are tested on ------------------------------------------------------


@dataclass
class World:
    framework: object
    mission: object
    partners: list
    source: object


def build_world(rows: int) -> World:
    """``rows`` partners, each in one framework, contributing to one mission with figures
    and a milestone, all citing one shared source and one of their own."""
    source = Source.objects.filter(key="shared").first() or SourceFactory(key="shared")
    framework = Framework.objects.filter(slug="pfp").first() or FrameworkFactory(
        slug="pfp", name="Partnership for Peace", acronym="PfP"
    )
    mission = Mission.objects.filter(slug="kfor").first() or MissionFactory(
        slug="kfor", name="Kosovo Force", acronym="KFOR", hosts=["XK"]
    )
    partners = []
    for _ in range(rows):
        partner = PartnerFactory()
        ParticipationFactory(partner=partner, framework=framework, sources=[source])
        contribution = ContributionFactory(partner=partner, mission=mission, sources=[source])
        FigureFactory(contribution=contribution, personnel=100, source=source)
        FigureFactory(contribution=contribution, as_of=dt.date(2006, 6, 1), personnel=150)
        MilestoneFactory(partner=partner, sources=[source])
        partners.append(partner)
    return World(framework, mission, partners, source)


def build_partner_facts(partner, rows: int) -> None:
    """One partner with ``rows`` participations, contributions and milestones."""
    for i in range(rows):
        ParticipationFactory(partner=partner, framework=FrameworkFactory())
        contribution = ContributionFactory(partner=partner, mission=MissionFactory())
        FigureFactory(contribution=contribution, personnel=10 + i)
        FigureFactory(contribution=contribution, as_of=dt.date(2007, 1, 1), personnel=20 + i)
        MilestoneFactory(partner=partner, date=dt.date(1990 + i % 30, 1, 1))


def on_world(url: Callable[[World], str]) -> Callable[[int], str]:
    """A page's ``build``: the page world with ``rows`` rows, then the page's URL in it."""
    return lambda rows: url(build_world(rows))


# -- the generic API case -----------------------------------------------------------------------


@dataclass
class Resource:
    """What the generic tests need to know about one API resource."""

    path: str  # e.g. "partners"
    make: Callable  # () -> a saved object
    key: Callable  # obj -> the lookup value in the URL
    fields: set[str]
    create: Callable | None = None  # () -> a valid payload for a curator's POST
    invalid: Callable | None = None  # () -> (payload, field that the 400 names)
    filters: list[tuple[dict, Callable, Callable]] = field(default_factory=list)
    # (query params, obj -> should match, setup -> extra objects)
    bad_filters: list[tuple[dict, str]] = field(default_factory=list)
    model: type | None = None

    def __str__(self):
        return self.path

    @property
    def list_url(self):
        return f"/api/v1/{self.path}/"

    def detail_url(self, obj):
        return f"/api/v1/{self.path}/{self.key(obj)}/"


class ResourceCases:
    """The API case. An app's ``test_api.py`` applies it to its own resources:

    @pytest.mark.parametrize("resource", RESOURCES, ids=str)
    class TestResource(ResourceCases):
        pass
    """

    @pytest.fixture(autouse=True)
    def _fresh_throttle(self):
        cache.clear()

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
        with without_history():
            for _ in range(5):
                resource.make()
        few, _ = count_queries(api, resource.list_url)
        with without_history():
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
        _, key = ApiToken.issue(curator)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
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


# -- the generic page case ---------------------------------------------------------------------


@dataclass
class Page:
    """A page and how to fill it: ``build(rows)`` returns the URL to fetch."""

    name: str
    build: Callable[[int], str]
    queries: int  # pinned: the same with 5 and with 50 rows
    plus: Callable[[], int] = lambda: 0  # queries of code the page calls but does not own

    def __str__(self):
        return self.name


class PageCases:
    """The page case. An app's ``test_pages.py`` applies it to its own pages:

    @pytest.mark.parametrize("page", PAGES, ids=str)
    class TestPage(PageCases):
        pass
    """

    def test_query_count_is_pinned_and_does_not_grow_with_rows(self, client, page):
        with without_history():
            url = page.build(5)
        few, _ = count_queries(client, url)
        with without_history():
            url = page.build(45)  # the first rows stay: 50 in all where the build adds to them
        many, response = count_queries(client, url)
        expected = page.queries + page.plus()
        assert (few, many) == (expected, expected), page.name
        assert b"</html>" in response.content

    def test_pages_are_accessible_html(self, client, page):
        response = client.get(page.build(2))
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert "<main" in html and 'class="skip-link"' in html
        assert html.count("<h1") == 1
        assert "style=" not in html  # a strict CSP comes later: no inline styles
        assert "<script>" not in html  # nor inline scripts
        assert "http://" not in html.replace("http://testserver", "")  # nothing from a CDN
